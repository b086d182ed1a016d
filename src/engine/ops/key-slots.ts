/**
 * KeySlots: the match keys of a relational operation (whereIn today), as dense slots. A key
 * tuple (the values of the `on` columns of one row) maps to an int slot handed out in order of
 * first appearance, so per-key state lives in arrays indexed by slot; a freed slot (a key no row
 * holds any more) goes to the next new key.
 *
 * The lookups are one KeyHashTable (keys/key-hash-table.ts, shared with groupBy and the joins:
 * typed-array open addressing, no per-row allocation): null matches null, NaN matches NaN, -0
 * matches 0, int64/instant by value.
 */

import { PAGE_SIZE } from "../column.ts";
import type { ColumnSource, Vec } from "../column-source.ts";
import { Chunk } from "../column-source.ts";
import { KeyHashTable } from "../keys/key-hash-table.ts";
import type { RowSet } from "../row-set.ts";
import { forEachSpan } from "../spans.ts";
import type { ColumnType } from "../types.ts";

/** Row key and its slot (-1: the key was never seen and `create` was false). */
export type SlotVisitor = (key: number, slot: number) => void;

/** What a relational operator needs from a key table. */
export interface KeyLookup {
  /** Number of slots handed out (freed ones included). */
  readonly size: number;
  /** Forgets the key of `slot`; a later new key may get the slot. */
  free(slot: number): void;
  /**
   * Calls `visit(key, slot)` for every row of `rows` in key order, reading the key columns
   * `sources` (previous values when `prev`). Unknown keys get a new slot when `create`, else -1.
   */
  forEachSlot(
    sources: readonly ColumnSource[],
    rows: RowSet,
    prev: boolean,
    create: boolean,
    visit: SlotVisitor,
  ): void;
}

/** The KeyHashTable-backed KeyLookup (see the module header). */
export class KeySlots implements KeyLookup {
  readonly #table: KeyHashTable;
  readonly #chunks: Chunk[];
  readonly #vecs: Vec[];
  readonly #slots = new Int32Array(PAGE_SIZE);

  constructor(types: readonly ColumnType[]) {
    this.#table = new KeyHashTable(types);
    this.#chunks = types.map((t) => new Chunk(t));
    this.#vecs = new Array<Vec>(types.length);
  }

  get size(): number {
    return this.#table.size;
  }

  free(slot: number): void {
    this.#table.remove(slot);
  }

  forEachSlot(
    sources: readonly ColumnSource[],
    rows: RowSet,
    prev: boolean,
    create: boolean,
    visit: SlotVisitor,
  ): void {
    const slots = this.#slots;
    const vecs = this.#vecs;
    forEachSpan(rows, (span) => {
      const n = span.length;
      for (let j = 0; j < sources.length; j++)
        vecs[j] = sources[j]!.getChunk(span, prev, this.#chunks[j]);
      if (create) this.#table.findOrInsert(vecs, n, slots);
      else this.#table.find(vecs, n, slots);
      if (span.isRun) for (let i = 0; i < n; i++) visit(span.start + i, slots[i]!);
      else for (let i = 0; i < n; i++) visit(span.keys[i]!, slots[i]!);
    });
  }
}
