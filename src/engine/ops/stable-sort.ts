/**
 * Stable sort of row positions by sort columns: `sortedPositions(cols, values, n)` returns the
 * positions 0..n-1 ordered by the columns' values (sort-columns.ts's order), ties in position
 * order. Callers pass rows in parent row-key order, so ties keep the parent's order. A column's
 * values are one Vec, or consecutive segments (a static column's pages, read without a copy:
 * SortValues.readSegments); segments are joined into one array only where a pass reads values at
 * random positions (every column but the first one sorted, nulls, strings, small inputs).
 *
 * Small inputs use a comparison sort. Large ones sort column by column from the last to the
 * first, each pass stable: a numeric column (every type but string) by a radix sort on
 * order-preserving unsigned keys (32-bit keys for int8..int32, char and bool, 64-bit ones for
 * int64, instant and floats: radix64.ts), with nulls split off first; a string column by a stable
 * comparison sort. The radix passes move each key together with its position (interleaved in one
 * typed array: one write stream a bucket). 32-bit keys: LSD passes that count every pass's digits
 * in one read, sort only the bits the keys span above their minimum (a column of values within
 * 2^20 of each other takes two passes of 10 bits, not three of 11) and skip a pass whose digit is
 * the same for every row. The first column sorted (the last one) starts from positions 0..n-1
 * without materialising them.
 */
import type { Vec } from "../column-source.ts";
import { Chunk } from "../column-source.ts";
import type { TypedStorage } from "../types.ts";
import { isBigType } from "../types.ts";
import { bitsOf, DIGIT_BITS } from "./radix-digits.ts";
import { sort64 } from "./radix64.ts";
import type { SortColumn } from "./sort-columns.ts";
import { compareRows } from "./sort-columns.ts";

/** Below this many rows a comparison sort beats the radix passes' fixed cost. */
const RADIX_MIN = 1024;
const BUCKETS = 1 << DIGIT_BITS;
/** Below this many rows no sort takes a first (most significant digit) pass. */
const MSD_MIN = 1 << 16;

/**
 * One sort column's values by position: one Vec, or Vecs of consecutive positions (segments; a
 * Vec's `data` may be longer than its `length`).
 */
export type PositionValues = Vec | readonly Vec[];

/** Positions 0..n-1 in sorted order (stable). */
export function sortedPositions(
  cols: readonly SortColumn[],
  values: readonly PositionValues[],
  n: number,
): Uint32Array {
  const segs = values.map((v) => (Array.isArray(v) ? (v as readonly Vec[]) : [v as Vec]));
  if (n < RADIX_MIN) {
    const vecs = segs.map((g, c) => joined(cols[c]!, g, n));
    const idx = Array.from({ length: n }, (_, i) => i);
    idx.sort((a, b) => compareRows(cols, vecs, a, vecs, b) || a - b);
    return Uint32Array.from(idx);
  }
  // The last column first, from positions in order (null: 0..n-1, not materialised).
  let perm: Uint32Array | null = null;
  for (let c = cols.length - 1; c >= 0; c--) perm = sortByColumn(cols[c]!, segs[c]!, perm, n);
  return perm!;
}

/** Segments of consecutive positions as one Vec of `n` values (the segment itself if only one). */
function joined(col: SortColumn, segs: readonly Vec[], n: number): Vec {
  if (segs.length === 1) return segs[0]!;
  const out = new Chunk(col.type).reset(n);
  let at = 0;
  for (const v of segs) {
    if (Array.isArray(out.data)) {
      const src = v.data as unknown[];
      const dst = out.data as unknown[];
      for (let i = 0; i < v.length; i++) dst[at + i] = src[i];
    } else {
      (out.data as TypedStorage).set((v.data as TypedStorage).subarray(0, v.length) as never, at);
    }
    out.copyValidity(at, v.valid, 0, v.length);
    at += v.length;
  }
  return out;
}

/** `perm` (null: 0..n-1) stably reordered by one column. */
function sortByColumn(
  col: SortColumn,
  segs: readonly Vec[],
  perm: Uint32Array | null,
  n: number,
): Uint32Array {
  if (perm === null && segs.every((v) => v.valid === null) && col.type !== "string")
    return radixSort(col, segs, null, n);
  const v = joined(col, segs, n);
  if (col.type === "string") return sortStrings(col, v, perm, n);
  // Split nulls off (stable): they go first ascending, last descending.
  let vals = perm;
  let nulls: Uint32Array | null = null;
  let m = n;
  if (v.valid !== null) {
    const valid = v.valid;
    vals = new Uint32Array(n);
    nulls = new Uint32Array(n);
    let a = 0;
    let z = 0;
    for (let i = 0; i < n; i++) {
      const p = perm === null ? i : perm[i]!;
      if (valid[p] === 0) nulls[z++] = p;
      else vals[a++] = p;
    }
    m = a;
    nulls = nulls.subarray(0, z);
  }
  const sorted = radixSort(col, [v], vals, m);
  if (nulls === null || nulls.length === 0) return sorted.subarray(0, m);
  const out = new Uint32Array(n);
  if (col.descending) {
    out.set(sorted.subarray(0, m), 0);
    out.set(nulls, m);
  } else {
    out.set(nulls, 0);
    out.set(sorted.subarray(0, m), nulls.length);
  }
  return out;
}

/**
 * `perm[0..m)` stably sorted by the column's (non-null) values in `segs[0]`, or (`perm` null)
 * positions 0..m-1 by the values of the consecutive segments `segs`.
 */
function radixSort(
  col: SortColumn,
  segs: readonly Vec[],
  perm: Uint32Array | null,
  m: number,
): Uint32Array {
  const first = segs[0]!.data;
  if (first instanceof Float32Array) {
    // Widened to float64 (exact), then sorted as such.
    const v = joined(col, segs, m);
    const f = Float64Array.from(v.data as Float32Array);
    return sort64([{ data: f, valid: null, length: v.length }], perm, m, true, col.descending);
  }
  if (first instanceof Float64Array || isBigType(col.type))
    return sort64(segs, perm, m, first instanceof Float64Array, col.descending);
  const flip = col.descending ? -1 : 0;
  const pk = new Uint32Array(2 * m);
  let lo = 0xffffffff;
  let hi = 0;
  for (let g = 0, w = 0, p0 = 0; g < segs.length; g++) {
    const d = segs[g]!.data as Int32Array;
    const len = perm === null ? segs[g]!.length : m;
    for (let i = 0; i < len; i++, w += 2) {
      const p = perm === null ? i : perm[i]!;
      const k = (d[p]! ^ 0x80000000 ^ flip) >>> 0;
      pk[w] = k;
      pk[w + 1] = p0 + p;
      if (k < lo) lo = k;
      if (k > hi) hi = k;
    }
    p0 += len;
  }
  return sort32(pk, m, lo, hi);
}

/**
 * The digit passes for keys whose bits above `bits` are equal: as few passes as cover them, of
 * at most DIGIT_BITS bits each, balanced (20 varying bits take two passes of 10).
 */
function digitWidth(bits: number): { passes: number; width: number } {
  const passes = Math.ceil(bits / DIGIT_BITS);
  return { passes, width: passes === 0 ? 0 : Math.ceil(bits / passes) };
}

/**
 * Counts per digit of every pass in one read of the keys (`pk[off + stride * i]`), as prefix
 * sums (each pass's start offsets) in `counts[pass * BUCKETS ..]`; a pass whose digit is the same
 * for every key is marked -1 in the returned list of passes to run.
 */
function countDigits(
  pk: Uint32Array,
  m: number,
  stride: number,
  off: number,
  passes: number,
  width: number,
  base: number,
): { counts: Uint32Array; run: boolean[] } {
  const counts = new Uint32Array(Math.max(1, passes) * BUCKETS);
  const mask = (1 << width) - 1;
  if (passes === 1) {
    for (let i = off; i < stride * m; i += stride) counts[(pk[i]! - base) & mask]!++;
  } else if (passes === 2) {
    for (let i = off; i < stride * m; i += stride) {
      const k = (pk[i]! - base) >>> 0;
      counts[k & mask]!++;
      counts[BUCKETS + ((k >>> width) & mask)]!++;
    }
  } else {
    for (let i = off; i < stride * m; i += stride) {
      const k = (pk[i]! - base) >>> 0;
      counts[k & mask]!++;
      counts[BUCKETS + ((k >>> width) & mask)]!++;
      counts[2 * BUCKETS + ((k >>> (2 * width)) & mask)]!++;
    }
  }
  const run: boolean[] = [];
  for (let p = 0; p < passes; p++) {
    let sum = 0;
    let one = false;
    for (let b = p * BUCKETS, e = b + BUCKETS; b < e; b++) {
      const x = counts[b]!;
      if (x === m) one = true;
      counts[b] = sum;
      sum += x;
    }
    run.push(!one);
  }
  return { counts, run };
}

/**
 * Stable sort of pairs `pk = [key0, pos0, ...]` by the 32-bit keys in [lo, hi]; returns the
 * positions in order. Large inputs whose keys span more than two digits take one MSD pass on the
 * top DIGIT_BITS of the span, then sort each bucket (small enough to stay in cache) by the rest;
 * others take LSD passes (radix32: two passes over memory measured faster than one plus the
 * buckets).
 */
function sort32(pk: Uint32Array, m: number, lo: number, hi: number): Uint32Array {
  const bits = bitsOf(lo, hi);
  if (m < MSD_MIN || bits <= 2 * DIGIT_BITS) return radix32(pk, m, lo, hi);
  const shift = bits - DIGIT_BITS;
  const counts = new Uint32Array(BUCKETS);
  for (let i = 0; i < 2 * m; i += 2) counts[(pk[i]! - lo) >>> shift]!++;
  const starts = new Uint32Array(BUCKETS + 1);
  for (let d = 0; d < BUCKETS; d++) starts[d + 1] = starts[d]! + counts[d]!;
  const next = starts.slice(0, BUCKETS);
  const tmp = new Uint32Array(2 * m);
  for (let i = 0; i < 2 * m; i += 2) {
    const at = 2 * next[(pk[i]! - lo) >>> shift]!++;
    tmp[at] = pk[i]!;
    tmp[at + 1] = pk[i + 1]!;
  }
  const { passes, width } = digitWidth(shift);
  const mask = (1 << width) - 1;
  const c = new Uint32Array(1 << width);
  const out = new Uint32Array(m);
  for (let d = 0; d < BUCKETS; d++) {
    const s = starts[d]!;
    const e = starts[d + 1]!;
    if (e - s === 1) out[s] = tmp[2 * s + 1]!;
    if (e - s < 2) continue;
    // The bucket's pairs by their low `shift` bits, between tmp's and pk's same ranges.
    let a: Uint32Array = tmp;
    let b: Uint32Array = pk;
    for (let p = 0; p < passes; p++) {
      const sh = p * width;
      c.fill(0);
      for (let i = 2 * s; i < 2 * e; i += 2) c[((a[i]! - lo) >>> sh) & mask]!++;
      let sum = 2 * s;
      for (let x = 0; x <= mask; x++) {
        const n = c[x]!;
        c[x] = sum;
        sum += 2 * n;
      }
      for (let i = 2 * s; i < 2 * e; i += 2) {
        const digit = ((a[i]! - lo) >>> sh) & mask;
        const at = c[digit]!;
        c[digit] = at + 2;
        b[at] = a[i]!;
        b[at + 1] = a[i + 1]!;
      }
      const t = a;
      a = b;
      b = t;
    }
    for (let i = s; i < e; i++) out[i] = a[2 * i + 1]!;
  }
  return out;
}

/**
 * Stable LSD radix sort of pairs `pk = [key0, pos0, key1, pos1, ...]` by the 32-bit keys; returns
 * the positions in order. Pairs move together (one write stream a bucket, not two).
 */
function radix32(pk: Uint32Array, m: number, lo: number, hi: number): Uint32Array {
  const { passes, width } = digitWidth(bitsOf(lo, hi));
  const { counts, run } = countDigits(pk, m, 2, 0, passes, width, lo);
  const mask = (1 << width) - 1;
  let a: Uint32Array = pk;
  let b: Uint32Array = new Uint32Array(2 * m);
  let last = -1;
  for (let p = 0; p < passes; p++) if (run[p]) last = p;
  for (let p = 0; p < last; p++) {
    if (!run[p]) continue;
    const shift = p * width;
    const c = counts.subarray(p * BUCKETS, (p + 1) * BUCKETS);
    for (let i = 0; i < 2 * m; i += 2) {
      const key = a[i]!;
      const at = 2 * c[((key - lo) >>> shift) & mask]!++;
      b[at] = key;
      b[at + 1] = a[i + 1]!;
    }
    const t = a;
    a = b;
    b = t;
  }
  const out = new Uint32Array(m);
  if (last < 0) {
    for (let i = 0; i < m; i++) out[i] = a[2 * i + 1]!;
    return out;
  }
  const shift = last * width;
  const c = counts.subarray(last * BUCKETS, (last + 1) * BUCKETS);
  for (let i = 0; i < 2 * m; i += 2) out[c[((a[i]! - lo) >>> shift) & mask]!++] = a[i + 1]!;
  return out;
}

/** `perm[0..n)` stably sorted by a string column (nulls first ascending, last descending). */
function sortStrings(col: SortColumn, v: Vec, perm: Uint32Array | null, n: number): Uint32Array {
  const idx =
    perm === null ? Array.from({ length: n }, (_, i) => i) : Array.from(perm.subarray(0, n));
  const one = [col];
  const vs = [v];
  idx.sort((a, b) => compareRows(one, vs, a, vs, b));
  return Uint32Array.from(idx);
}
