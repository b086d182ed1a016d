/**
 * JoinKeys: the key index of the exact-match joins (naturalJoin, exactJoin, join). Each distinct
 * tuple of match values gets a dense slot, the same on both sides, so per-key state (a side's
 * rows, the chosen right row) lives in arrays indexed by slot. Rows are read in chunks of their
 * match columns (current or previous values) and hashed by their primitives (agg/prim.ts): null
 * matches null, NaN matches NaN, -0 matches 0. One numeric or string match column: an
 * open-addressing hash table (number-slots.ts, string-slots.ts); one int64/instant column: a Map
 * from the primitive; several: nested Maps, one level per column (no per-row allocation); none:
 * slot 0.
 *
 * Slots are made only where a join needs state: for right rows, and for left rows it indexes
 * (`slotsOf`); a left row that only looks its key up (`lookup`) gets -1 for an unknown key, so a
 * stream of left keys the right never had leaves nothing behind. Slots are never freed. This
 * small interface is where a faster hash table can replace the Maps.
 */
import type { Prim } from "../agg/prim.ts";
import { NULL_KEY as NULL_PRIM, primScratch, primsOf, rawAt } from "../agg/prim.ts";
import { PAGE_SIZE, PagedColumn } from "../column.ts";
import type { ChunkKeys, ColumnSource, Vec } from "../column-source.ts";
import { Chunk } from "../column-source.ts";
import type { RowSet } from "../row-set.ts";
import type { Span } from "../spans.ts";
import { forEachSpan } from "../spans.ts";
import type { ColumnType, Value } from "../types.ts";
import { NumberSlots } from "./number-slots.ts";
import { StringSlots } from "./string-slots.ts";

type Level = Map<Prim, unknown>;

/** Types whose key primitives are plain numbers (int64/instant may be bigints). */
const NUMERIC = new Set<ColumnType>([
  "int8",
  "int16",
  "int32",
  "float32",
  "float64",
  "char",
  "bool",
]);

export class JoinKeys {
  readonly #types: readonly ColumnType[];
  readonly #root: Level = new Map();
  /** Key values per slot, for error messages. */
  readonly #values: PagedColumn[];
  readonly #names: readonly string[];
  readonly #chunks: Chunk[];
  readonly #scratch: Prim[][];
  readonly #prims: ArrayLike<Prim>[];
  readonly #vecs: Vec[];
  readonly #slots = new Int32Array(PAGE_SIZE);
  readonly #keys = new Float64Array(PAGE_SIZE);
  #size: number;
  /** One numeric (not int64) or string match column: a typed hash table instead of the Map. */
  readonly #typed: NumberSlots | StringSlots | null;
  #nullSlot = -1;

  /** `names`/`types`: the match columns (left names, for messages). */
  constructor(names: readonly string[], types: readonly ColumnType[]) {
    this.#names = names;
    this.#types = types;
    this.#values = types.map((t) => new PagedColumn(t));
    this.#chunks = types.map((t) => new Chunk(t, PAGE_SIZE));
    this.#scratch = types.map(() => primScratch(PAGE_SIZE));
    this.#prims = new Array<ArrayLike<Prim>>(types.length);
    this.#vecs = new Array<Vec>(types.length);
    this.#size = types.length === 0 ? 1 : 0;
    const only = types.length === 1 ? types[0]! : null;
    this.#typed =
      only === "string"
        ? new StringSlots()
        : only !== null && NUMERIC.has(only)
          ? new NumberSlots()
          : null;
  }

  /** Number of slots handed out (slots are `[0, size)`). */
  get size(): number {
    return this.#size;
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

  #find(
    sources: readonly ColumnSource[],
    rows: ChunkKeys,
    prev: boolean,
    out: Int32Array,
    create: boolean,
  ): void {
    const n = rows.length;
    const k = this.#types.length;
    if (k === 0) {
      out.fill(0, 0, n);
      return;
    }
    for (let j = 0; j < k; j++) {
      const vec = sources[j]!.getChunk(rows, prev, this.#chunks[j]);
      this.#vecs[j] = vec;
      this.#prims[j] = primsOf(this.#types[j]!, vec, n, this.#scratch[j]!);
    }
    if (this.#typed) {
      const table = this.#typed as { get(x: Prim): number; set(x: Prim, s: number): void };
      const p = this.#prims[0]!;
      for (let i = 0; i < n; i++) {
        const x = p[i]!;
        const isNull = x === NULL_PRIM;
        let s = isNull ? this.#nullSlot : table.get(x);
        if (s < 0) {
          if (!create) {
            out[i] = -1;
            continue;
          }
          s = this.#make(i);
          if (isNull) this.#nullSlot = s;
          else table.set(x, s);
        }
        out[i] = s;
      }
      return;
    }
    if (k === 1) {
      const map = this.#root as Map<Prim, number>;
      const p = this.#prims[0]!;
      for (let i = 0; i < n; i++) {
        let s = map.get(p[i]!);
        if (s === undefined) {
          if (!create) {
            out[i] = -1;
            continue;
          }
          s = this.#make(i);
          map.set(p[i]!, s);
        }
        out[i] = s;
      }
      return;
    }
    const last = k - 1;
    for (let i = 0; i < n; i++) {
      let m: Level | undefined = this.#root;
      for (let j = 0; j < last && m !== undefined; j++) {
        const key = this.#prims[j]![i]!;
        let next = m.get(key) as Level | undefined;
        if (next === undefined && create) {
          next = new Map();
          m.set(key, next);
        }
        m = next;
      }
      if (m === undefined) {
        out[i] = -1;
        continue;
      }
      const key = this.#prims[last]![i]!;
      let s = m.get(key) as number | undefined;
      if (s === undefined) {
        if (!create) {
          out[i] = -1;
          continue;
        }
        s = this.#make(i);
        m.set(key, s);
      }
      out[i] = s;
    }
  }

  #make(i: number): number {
    const s = this.#size++;
    for (let j = 0; j < this.#values.length; j++)
      this.#values[j]!.setRaw(s, rawAt(this.#vecs[j]!, i));
    return s;
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
