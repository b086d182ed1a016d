/**
 * An aggregation's per-row loops on the engine's WebAssembly (../wasm/agg.c): a span's group
 * counts (`AggregationCore`), integer sums (`IntAccumulator`) and float sums
 * (`FloatAccumulator`). Each call copies the span's slots and values and the groups' state into
 * the module's scratch area, runs the loop there and copies the state back. The state goes both
 * ways whole, so a call runs here only while the groups' state is no larger than the span
 * (`STATE_PER_ROW`): the copies then cost no more than the rows, and a call over many groups and
 * few rows keeps to the JavaScript loop, whose work is the rows alone. Every function returns
 * false (or 0 rows) when it did not run: the caller's JavaScript loop, which gives the same answers
 * (test/engine/agg-wasm.test.ts), then does the work.
 */

import type { Vec } from "../column.ts";
import type { EngineWasm } from "../wasm/engine-wasm.ts";
import { engineWasm, MAX_SCRATCH } from "../wasm/engine-wasm.ts";
import { LITTLE_ENDIAN } from "../words.ts";

/** Groups a call may copy per row of its span (more: the JavaScript loop runs). */
const STATE_PER_ROW = 1;

const align8 = (x: number): number => (x + 7) & ~7;

/** The module, when it takes a span of `n` rows over `groups` groups' state of `bytes` in all. */
function wasmFor(n: number, groups: number, bytes: number): EngineWasm | null {
  // (The copies are of bytes: the module's order must be the platform's.)
  if (n < 16 || groups > STATE_PER_ROW * n || !LITTLE_ENDIAN) return null;
  const w = engineWasm();
  if (w === null || bytes > MAX_SCRATCH || !w.ensure(w.scratch + bytes)) return null;
  return w;
}

/** Copies `a[0..n)` to byte `at` of the memory; returns the byte after it. */
function put(w: EngineWasm, a: ArrayBufferView, n: number, at: number): number {
  const bytes = n * (a as Int32Array).BYTES_PER_ELEMENT;
  w.u8.set(new Uint8Array(a.buffer, a.byteOffset, bytes), at);
  return at + bytes;
}

/** Copies `n` doubles at byte `at` of the memory back into `d`. */
function take(w: EngineWasm, d: Float64Array, n: number, at: number): void {
  d.set(new Float64Array(w.buffer, at, n));
}

/**
 * `AggregationCore`'s count of `slots[0..n)`: `counts[s] += delta` for each, every group first
 * touched since `stamp` marked and appended to `touched`/`was` from `nt`. Groups are slots
 * `[0, groups)`. Returns the new length of `touched`, or -1 when it did not run.
 */
export function countWasm(
  slots: Int32Array,
  n: number,
  delta: number,
  groups: number,
  counts: Float64Array,
  mark: Int32Array,
  stamp: number,
  touched: Int32Array,
  was: Uint8Array,
  nt: number,
): number {
  const slotsAt = 0;
  const countsAt = align8(4 * n);
  const markAt = countsAt + 8 * groups;
  const touchedAt = markAt + 4 * groups;
  const wasAt = touchedAt + 4 * groups;
  const w = wasmFor(n, groups, wasAt + groups);
  if (w === null) return -1;
  const base = w.scratch;
  put(w, slots, n, base + slotsAt);
  put(w, counts, groups, base + countsAt);
  put(w, mark, groups, base + markAt);
  // touched/was gain entries from nt on (one per group at most, so within [0, groups)).
  const end = w.x.aggCount(
    base + slotsAt,
    n,
    delta,
    base + countsAt,
    base + markAt,
    stamp,
    base + touchedAt,
    base + wasAt,
    nt,
  );
  take(w, counts, groups, base + countsAt);
  mark.set(new Int32Array(w.buffer, base + markAt, groups));
  touched.set(new Int32Array(w.buffer, base + touchedAt + 4 * nt, end - nt), nt);
  was.set(new Uint8Array(w.buffer, base + wasAt + nt, end - nt), nt);
  return end;
}

/**
 * `IntAccumulator`'s sum of the non-null rows of `[0, n)` of `vec` (int64 values when `int64`,
 * else int32) into the partial sums `d`, over groups `[0, groups)`. Returns the rows it applied:
 * all of them, or up to the first that JavaScript must take (a value or partial past 2^52), or 0
 * when it did not run.
 */
export function sumIntWasm(
  slots: Int32Array,
  n: number,
  vec: Vec,
  int64: boolean,
  sign: 1 | -1,
  abs: boolean,
  groups: number,
  d: Float64Array,
): number {
  const width = int64 ? 8 : 4;
  const valsAt = align8(4 * n);
  const validAt = valsAt + width * n;
  const dAt = align8(validAt + (vec.valid === null ? 0 : n));
  const w = wasmFor(n, groups, dAt + 8 * groups);
  if (w === null) return 0;
  const base = w.scratch;
  put(w, slots, n, base);
  put(w, vec.data as ArrayBufferView, n, base + valsAt);
  if (vec.valid !== null) put(w, vec.valid, n, base + validAt);
  put(w, d, groups, base + dAt);
  const sum = int64 ? w.x.aggSumI64 : w.x.aggSumI32;
  const done = sum(
    base,
    base + valsAt,
    vec.valid === null ? 0 : base + validAt,
    n,
    sign,
    abs ? 1 : 0,
    base + dAt,
  );
  take(w, d, groups, base + dAt);
  return done;
}

/** The state `FloatAccumulator` keeps per group. */
export interface FloatSums {
  sum: Float64Array;
  sq: Float64Array | null;
  normal: Float64Array;
  nan: Float64Array;
  pinf: Float64Array;
  ninf: Float64Array;
}

/**
 * `FloatAccumulator.apply` on the module: float64 values of rows `[0, n)` over groups
 * `[0, groups)`. Returns the rows of NaN or an infinity among them, or -1 when it did not run.
 */
export function sumFloatWasm(
  slots: Int32Array,
  n: number,
  vec: Vec,
  sign: 1 | -1,
  abs: boolean,
  groups: number,
  f: FloatSums,
): number {
  const valsAt = align8(4 * n);
  const validAt = valsAt + 8 * n;
  const stateAt = align8(validAt + (vec.valid === null ? 0 : n));
  const arrays = f.sq === null ? 5 : 6;
  const w = wasmFor(n, groups, stateAt + arrays * 8 * groups);
  if (w === null) return -1;
  const base = w.scratch;
  put(w, slots, n, base);
  put(w, vec.data as Float64Array, n, base + valsAt);
  if (vec.valid !== null) put(w, vec.valid, n, base + validAt);
  let at = base + stateAt;
  const sumAt = at;
  at = put(w, f.sum, groups, at);
  const sqAt = f.sq === null ? 0 : at;
  if (f.sq !== null) at = put(w, f.sq, groups, at);
  const normalAt = at;
  at = put(w, f.normal, groups, at);
  const nanAt = at;
  at = put(w, f.nan, groups, at);
  const pinfAt = at;
  at = put(w, f.pinf, groups, at);
  const ninfAt = at;
  put(w, f.ninf, groups, at);
  const specials = w.x.aggSumF64(
    base,
    base + valsAt,
    vec.valid === null ? 0 : base + validAt,
    n,
    sign,
    abs ? 1 : 0,
    sumAt,
    sqAt,
    normalAt,
    nanAt,
    pinfAt,
    ninfAt,
  );
  take(w, f.sum, groups, sumAt);
  if (f.sq !== null) take(w, f.sq, groups, sqAt);
  take(w, f.normal, groups, normalAt);
  take(w, f.nan, groups, nanAt);
  take(w, f.pinf, groups, pinfAt);
  take(w, f.ninf, groups, ninfAt);
  return specials;
}
