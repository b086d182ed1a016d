/**
 * JoinKeys: the key index of the exact-match joins (naturalJoin, exactJoin, join). Each distinct
 * tuple of match values gets a dense slot, the same on both sides, so per-key state (a side's
 * rows, the chosen right row) lives in arrays indexed by slot. Rows are read in chunks of their
 * match columns (current or previous values) and looked up in one KeyHashTable
 * (keys/key-hash-table.ts, the index groupBy uses too: typed-array open addressing, no per-row
 * allocation): null matches null, NaN matches NaN, -0 matches 0. No match columns: slot 0.
 *
 * Slots are made only where a join needs state: for right rows, and for left rows it indexes
 * (`slotsOf`); a left row that only looks its key up (`lookup`) gets -1 for an unknown key, so a
 * stream of left keys the right never had leaves nothing behind. A join frees the slot of a key
 * no row holds any more (`free`), and a later new key reuses it, so churning keys do not grow
 * the index.
 */
import { rawAt } from "../agg/prim.ts";
import { PAGE_SIZE, PagedColumn } from "../column.ts";
import type { ChunkKeys, ColumnSource, Vec } from "../column-source.ts";
import { Chunk } from "../column-source.ts";
import { KeyHashTable } from "../keys/key-hash-table.ts";
import type { RowSet } from "../row-set.ts";
import type { Span } from "../spans.ts";
import { forEachSpan } from "../spans.ts";
import type { ColumnType, Value } from "../types.ts";

export class JoinKeys {
  readonly #k: number;
  readonly #table: KeyHashTable;
  /** Key values per slot, for error messages. */
  readonly #values: PagedColumn[];
  readonly #names: readonly string[];
  readonly #chunks: Chunk[];
  readonly #vecs: Vec[];
  readonly #slots = new Int32Array(PAGE_SIZE);
  readonly #keys = new Float64Array(PAGE_SIZE);

  /** `names`/`types`: the match columns (left names, for messages). */
  constructor(names: readonly string[], types: readonly ColumnType[]) {
    this.#names = names;
    this.#k = types.length;
    this.#table = new KeyHashTable(types);
    this.#values = types.map((t) => new PagedColumn(t));
    this.#chunks = types.map((t) => new Chunk(t, PAGE_SIZE));
    this.#vecs = new Array<Vec>(types.length);
  }

  /** Number of slots handed out, freed ones included (slots are `[0, size)`). */
  get size(): number {
    return this.#k === 0 ? 1 : this.#table.size;
  }

  /** Number of keys held. */
  get live(): number {
    return this.#k === 0 ? 1 : this.#table.live;
  }

  /**
   * Fills `out[0..rows.length)` with the slots of the rows `rows` (at most PAGE_SIZE of them),
   * reading `sources` (one per match column; previous values with `prev`). Unknown keys get new
   * slots.
   */
  slotsOf(sources: readonly ColumnSource[], rows: ChunkKeys, prev: boolean, out: Int32Array): void {
    this.#find(sources, rows, prev, out, true);
  }

  /** As `slotsOf`, but an unknown key gives -1 and makes no slot. */
  lookup(sources: readonly ColumnSource[], rows: ChunkKeys, prev: boolean, out: Int32Array): void {
    this.#find(sources, rows, prev, out, false);
  }

  /**
   * Forgets the key of `slot` (no row of either side holds it any more); a later new key may
   * reuse the slot. Slot 0 of a join without match columns stays.
   */
  free(slot: number): void {
    if (this.#k > 0) this.#table.remove(slot);
  }

  #find(
    sources: readonly ColumnSource[],
    rows: ChunkKeys,
    prev: boolean,
    out: Int32Array,
    create: boolean,
  ): void {
    const n = rows.length;
    const k = this.#k;
    if (k === 0) {
      out.fill(0, 0, n);
      return;
    }
    const vecs = this.#vecs;
    for (let j = 0; j < k; j++) vecs[j] = sources[j]!.getChunk(rows, prev, this.#chunks[j]);
    if (!create) {
      this.#table.find(vecs, n, out);
      return;
    }
    const created = this.#table.findOrInsert(vecs, n, out);
    const made = this.#table.createdRows;
    for (let c = 0; c < created; c++) {
      const i = made[c]!;
      for (let j = 0; j < k; j++) this.#values[j]!.setRaw(out[i]!, rawAt(vecs[j]!, i));
    }
  }

  /**
   * Calls `fn` with the row keys and slots of `rows`, a span (at most PAGE_SIZE rows) at a time;
   * the arrays are reused by the next span and must not be kept. Without `create`, unknown keys
   * give -1 (see `lookup`).
   */
  eachSlot(
    rows: RowSet,
    sources: readonly ColumnSource[],
    prev: boolean,
    fn: (keys: Float64Array, slots: Int32Array, n: number) => void,
    create = true,
  ): void {
    forEachSpan(rows, (span) => {
      this.#find(sources, span, prev, this.#slots, create);
      fn(spanKeys(span, this.#keys), this.#slots, span.length);
    });
  }

  /** The key of `slot` as text for error messages: `Sym="A", K=3`. */
  describe(slot: number): string {
    if (this.#names.length === 0) return "(no match columns)";
    return this.#names.map((n, j) => `${n}=${valueText(this.#values[j]!.get(slot))}`).join(", ");
  }
}

/** The keys of a span as an array (a run's keys written into `buf`). */
export function spanKeys(span: Span, buf: Float64Array): Float64Array {
  if (!span.isRun) return span.keys;
  for (let i = 0; i < span.length; i++) buf[i] = span.start + i;
  return buf;
}

function valueText(v: Value): string {
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  return String(v);
}
