/**
 * KeySlots: the match keys of a relational operation (whereIn today), as dense slots. A key
 * tuple (the values of the `on` columns of one row) maps to an int slot handed out in order of
 * first appearance and never reused, so per-key state lives in arrays indexed by slot.
 *
 * Keys are compared as the aggregations compare group keys (agg/prim.ts): null matches null,
 * NaN matches NaN, -0 matches 0, int64/instant by value. One key column is one Map from the
 * key's primitive; several are nested Maps, one level per column (no per-row allocation).
 *
 * Behind `KeyLookup` so a typed-array open-addressing hash table can replace it later; callers
 * only see `forEachSlot`.
 */

import type { Prim } from "../agg/prim.ts";
import { primScratch, primsOf } from "../agg/prim.ts";
import { PAGE_SIZE } from "../column.ts";
import type { ColumnSource, Vec } from "../column-source.ts";
import { Chunk } from "../column-source.ts";
import type { RowSet } from "../row-set.ts";
import { forEachSpan } from "../spans.ts";
import type { ColumnType } from "../types.ts";

/** Row key and its slot (-1: the key was never seen and `create` was false). */
export type SlotVisitor = (key: number, slot: number) => void;

/** What a relational operator needs from a key table. */
export interface KeyLookup {
  /** Number of slots handed out. */
  readonly size: number;
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

type Level = Map<Prim, unknown>;

/** The Map-based KeyLookup (see the module header). */
export class KeySlots implements KeyLookup {
  readonly #types: readonly ColumnType[];
  readonly #root: Level = new Map();
  readonly #scratch: Prim[][];
  readonly #chunks: Chunk[];
  readonly #slots = new Int32Array(PAGE_SIZE);
  #size = 0;

  constructor(types: readonly ColumnType[]) {
    this.#types = types;
    this.#scratch = types.map(() => primScratch(PAGE_SIZE));
    this.#chunks = types.map((t) => new Chunk(t));
  }

  get size(): number {
    return this.#size;
  }

  forEachSlot(
    sources: readonly ColumnSource[],
    rows: RowSet,
    prev: boolean,
    create: boolean,
    visit: SlotVisitor,
  ): void {
    const slots = this.#slots;
    forEachSpan(rows, (span) => {
      const vecs = sources.map((c, j) => c.getChunk(span, prev, this.#chunks[j]));
      this.#assign(vecs, span.length, create);
      if (span.isRun) for (let i = 0; i < span.length; i++) visit(span.start + i, slots[i]!);
      else for (let i = 0; i < span.length; i++) visit(span.keys[i]!, slots[i]!);
    });
  }

  #assign(vecs: readonly Vec[], n: number, create: boolean): void {
    const slots = this.#slots;
    const k = this.#types.length;
    if (k === 1) {
      const map = this.#root as Map<Prim, number>;
      const p = primsOf(this.#types[0]!, vecs[0]!, n, this.#scratch[0]!);
      for (let i = 0; i < n; i++) {
        const key = p[i]!;
        let s = map.get(key);
        if (s === undefined) {
          if (!create) {
            slots[i] = -1;
            continue;
          }
          s = this.#size++;
          map.set(key, s);
        }
        slots[i] = s;
      }
      return;
    }
    const ps: ArrayLike<Prim>[] = [];
    for (let j = 0; j < k; j++) ps.push(primsOf(this.#types[j]!, vecs[j]!, n, this.#scratch[j]!));
    const last = k - 1;
    for (let i = 0; i < n; i++) {
      let m: Level | undefined = this.#root;
      for (let j = 0; j < last && m !== undefined; j++) {
        const key = ps[j]![i]!;
        let next = m.get(key) as Level | undefined;
        if (next === undefined && create) {
          next = new Map();
          m.set(key, next);
        }
        m = next;
      }
      if (m === undefined) {
        slots[i] = -1;
        continue;
      }
      const key = ps[last]![i]!;
      let s = m.get(key) as number | undefined;
      if (s === undefined) {
        if (!create) {
          slots[i] = -1;
          continue;
        }
        s = this.#size++;
        m.set(key, s);
      }
      slots[i] = s;
    }
  }
}
