/**
 * first and last kernels: the value of the group's first / last row (output type = input type;
 * a null in that row gives null). The kernels track row keys only and read the value from the
 * parent column when the group's output is flushed, in the same cycle.
 *
 * - blink: first is the earliest row ever seen and last the latest, in arrival order
 *   ((cycle, row key) order); O(1) per row.
 * - add-only: the smallest / largest row key ever added (rows may arrive at any key); O(1).
 * - removals: the smallest / largest key of the group's current rows, from the per-group sorted
 *   row keys the operator keeps (group-rows.ts), so the output stays right when that row leaves.
 *
 * The running kernels flush all of a cycle's groups at once (`flushMany`): one chunked read of
 * the chosen rows' values, one of the outputs' current values, then one scatter of the changed
 * ones, instead of three page lookups a group (a lastBy of 100,000 keys fed 1,000 rows a cycle
 * touches rows all over its output pages, and the chunked passes let their cache misses overlap).
 */
import type { PagedColumn } from "../column.ts";
import type { ColumnSource } from "../column-source.ts";
import { arrayKeys, Chunk } from "../column-source.ts";
import type { Span } from "../spans.ts";
import type { GroupRows } from "./group-rows.ts";
import type { AggKernel, AggMode } from "./kernel.ts";
import { KernelBase, keyAt } from "./kernel.ts";
import { grow, sameRaw, writeCell } from "./slot-arrays.ts";
import { decRaw, encRaw } from "./state-codec.ts";

class RunningFirstLastKernel extends KernelBase implements AggKernel {
  readonly readsValues = false;
  readonly #last: boolean;
  readonly #blink: boolean;
  readonly #src: ColumnSource;
  #key = new Float64Array(16).fill(-1);
  #dirty = new Uint8Array(16);
  /** Scratch of `flushMany`: rows to read, their groups' slots and positions, what to write. */
  #rows = new Float64Array(0);
  #outKeys = new Float64Array(0);
  #at = new Int32Array(0);
  #writeKeys = new Float64Array(0);
  readonly #values: Chunk;
  readonly #old: Chunk;
  readonly #write: Chunk;

  constructor(
    output: string,
    column: PagedColumn,
    input: string,
    src: ColumnSource,
    last: boolean,
    blink: boolean,
  ) {
    super(output, column, input);
    this.#src = src;
    this.#last = last;
    this.#blink = blink;
    this.#values = new Chunk(src.type);
    this.#old = new Chunk(column.type);
    this.#write = new Chunk(column.type);
  }

  ensureCapacity(n: number): void {
    this.#key = grow(this.#key, n, -1);
    this.#dirty = grow(this.#dirty, n);
  }

  add(slots: Int32Array, n: number, _vec: unknown, span: Span): void {
    const key = this.#key;
    const dirty = this.#dirty;
    const blink = this.#blink;
    const last = this.#last;
    for (let i = 0; i < n; i++) {
      const s = slots[i]!;
      const k = keyAt(span, i);
      const cur = key[s]!;
      const take = last ? blink || cur < 0 || k > cur : cur < 0 || (!blink && k < cur);
      if (take) {
        key[s] = k;
        dirty[s] = 1;
      }
    }
  }

  remove(): void {
    throw new Error("running first/last cannot remove rows");
  }

  /**
   * The row key and the output value: over add-only parents later rows are compared with the key;
   * over blink parents the key is stale after its cycle (only "has a row" matters) and the value
   * comes back from the saved output.
   */
  saveSlot(slot: number): unknown {
    return [this.#key[slot]!, encRaw(this.column.getRaw(slot))];
  }
  restoreSlot(slot: number, state: unknown): boolean {
    const [key, value] = state as [number, unknown];
    this.#key[slot] = key;
    this.column.setRaw(slot, decRaw(value));
    return true;
  }

  flush(slot: number, fresh: boolean): boolean {
    if (!fresh && this.#dirty[slot] === 0) return false;
    this.#dirty[slot] = 0;
    return writeCell(this.column, slot, this.#src.getRaw(this.#key[slot]!), fresh);
  }

  flushMany(slots: Int32Array, fresh: Uint8Array, n: number, changed: Uint8Array): boolean {
    if (this.#rows.length < n) {
      const cap = Math.max(n, 2 * this.#rows.length, 64);
      this.#rows = new Float64Array(cap);
      this.#outKeys = new Float64Array(cap);
      this.#at = new Int32Array(cap);
      this.#writeKeys = new Float64Array(cap);
    }
    // 1. The groups to write (new, or given a new row this cycle), old ones first in `at`.
    const key = this.#key;
    const dirty = this.#dirty;
    const rows = this.#rows;
    const outKeys = this.#outKeys;
    const at = this.#at;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const s = slots[i]!;
      if (fresh[i] === 0 && dirty[s] === 0) continue;
      dirty[s] = 0;
      rows[m] = key[s]!;
      outKeys[m] = s;
      at[m++] = i;
    }
    if (m === 0) return false;
    // 2. Their chosen rows' values, and the current outputs of the groups that were there.
    const values = this.#src.getChunk(arrayKeys(rows, m), false, this.#values);
    const vd = values.data as unknown as ArrayLike<unknown>;
    const vv = values.valid;
    let no = 0;
    for (let j = 0; j < m; j++) if (fresh[at[j]!] === 0) rows[no++] = outKeys[j]!;
    const old = no > 0 ? this.column.getChunk(arrayKeys(rows, no), false, this.#old) : null;
    const od = old === null ? null : (old.data as unknown as ArrayLike<unknown>);
    const ov = old === null ? null : old.valid;
    // 3. Write the new groups and the changed ones.
    const write = this.#write.reset(m);
    const wd = write.data as unknown as unknown[];
    const wk = this.#writeKeys;
    let w = 0;
    let o = 0;
    let any = false;
    for (let j = 0; j < m; j++) {
      const i = at[j]!;
      const isNull = vv !== null && vv[j] === 0;
      const v = vd[j];
      if (fresh[i] === 0) {
        const wasNull = ov !== null && ov[o] === 0;
        const same = wasNull ? isNull : !isNull && sameRaw(od![o], v);
        o++;
        if (same) continue;
        changed[i] = 1;
        any = true;
      }
      wk[w] = outKeys[j]!;
      wd[w] = v;
      if (isNull) write.setNull(w);
      else write.setValid(w);
      w++;
    }
    if (w > 0) this.column.scatter(wk, w, { data: write.data, valid: write.valid, length: w });
    return any;
  }
}

class SortedFirstLastKernel extends KernelBase implements AggKernel {
  readonly readsValues = false;
  readonly #last: boolean;
  readonly #src: ColumnSource;
  readonly #rows: GroupRows;

  constructor(
    output: string,
    column: PagedColumn,
    input: string,
    src: ColumnSource,
    last: boolean,
    rows: GroupRows,
  ) {
    super(output, column, input);
    this.#src = src;
    this.#last = last;
    this.#rows = rows;
  }

  ensureCapacity(): void {}
  add(): void {}
  remove(): void {}

  flush(slot: number, fresh: boolean): boolean {
    const k = this.#last ? this.#rows.last(slot) : this.#rows.first(slot);
    if (k < 0) return false;
    return writeCell(this.column, slot, this.#src.getRaw(k), fresh);
  }
}

/** A first (`last` false) or last kernel over parent column `src`. */
export function firstLastKernel(
  output: string,
  column: PagedColumn,
  input: string,
  src: ColumnSource,
  last: boolean,
  mode: AggMode,
  rows: () => GroupRows,
): AggKernel {
  if (mode === "removals")
    return new SortedFirstLastKernel(output, column, input, src, last, rows());
  return new RunningFirstLastKernel(output, column, input, src, last, mode === "blink");
}
