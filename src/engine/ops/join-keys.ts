/**
 * JoinKeys: the key index of the exact-match joins (naturalJoin, exactJoin, join). Each distinct
 * tuple of match values gets a dense slot, the same on both sides, so per-key state (a side's
 * rows, the chosen right row) lives in arrays indexed by slot. Rows are read in chunks of their
 * match columns (current or previous values) and hashed by their primitives (agg/prim.ts): null
 * matches null, NaN matches NaN, -0 matches 0.
 *
 * It wraps the aggregations' GroupIndex behind this small interface, so a faster hash table can
 * replace it in one place. Slots are never freed: state grows with the number of distinct keys
 * ever seen, not with rows.
 */
import { GroupIndex } from "../agg/group-index.ts";
import { PAGE_SIZE, PagedColumn } from "../column.ts";
import type { ChunkKeys, ColumnSource, Vec } from "../column-source.ts";
import { Chunk } from "../column-source.ts";
import type { RowSet } from "../row-set.ts";
import type { Span } from "../spans.ts";
import { forEachSpan } from "../spans.ts";
import type { ColumnType, Value } from "../types.ts";

export class JoinKeys {
  readonly #index: GroupIndex;
  readonly #values: PagedColumn[];
  readonly #names: readonly string[];
  readonly #chunks: Chunk[];
  readonly #vecs: Vec[];
  readonly #slots = new Int32Array(PAGE_SIZE);
  readonly #keys = new Float64Array(PAGE_SIZE);

  /** `names`/`types`: the match columns (left names, for messages). */
  constructor(names: readonly string[], types: readonly ColumnType[]) {
    this.#names = names;
    this.#values = types.map((t) => new PagedColumn(t));
    this.#index = new GroupIndex(types, this.#values);
    this.#chunks = types.map((t) => new Chunk(t, PAGE_SIZE));
    this.#vecs = new Array<Vec>(types.length);
  }

  /** Number of slots handed out (slots are `[0, size)`). */
  get size(): number {
    return this.#index.size;
  }

  /**
   * Fills `out[0..rows.length)` with the slots of the rows `rows` (at most PAGE_SIZE of them),
   * reading `sources` (one per match column; previous values with `prev`). New keys get slots.
   */
  slotsOf(sources: readonly ColumnSource[], rows: ChunkKeys, prev: boolean, out: Int32Array): void {
    for (let j = 0; j < sources.length; j++)
      this.#vecs[j] = sources[j]!.getChunk(rows, prev, this.#chunks[j]);
    this.#index.assign(this.#vecs, rows.length, out, true);
  }

  /**
   * Calls `fn` with the row keys and slots of `rows`, a span (at most PAGE_SIZE rows) at a time;
   * the arrays are reused by the next span and must not be kept.
   */
  eachSlot(
    rows: RowSet,
    sources: readonly ColumnSource[],
    prev: boolean,
    fn: (keys: Float64Array, slots: Int32Array, n: number) => void,
  ): void {
    forEachSpan(rows, (span) => {
      this.slotsOf(sources, span, prev, this.#slots);
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
