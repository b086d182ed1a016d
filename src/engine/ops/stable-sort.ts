/**
 * Stable sort of row positions by sort columns: `sortedPositions(cols, vecs, n)` returns the
 * positions 0..n-1 ordered by the columns' values (sort-columns.ts's order), ties in position
 * order. Callers pass rows in parent row-key order, so ties keep the parent's order.
 *
 * Small inputs use a comparison sort. Large ones sort column by column from the last to the
 * first, each pass stable: a numeric column (every type but string) by an LSD radix sort on
 * order-preserving unsigned keys (32-bit keys for int8..int32, char and bool, 64-bit ones for
 * int64, instant and floats), with nulls split off first; a string column by a stable comparison
 * sort. The radix passes move each key together with its position (interleaved in one typed
 * array: one write stream a bucket), count every pass's digits in one read, sort only the bits
 * that the keys span above their minimum (a column of values within 2^20 of each other takes two
 * passes of 10 bits, not three of 11; the minimum and maximum are found while the keys are made)
 * and skip a pass whose digit is the same for every row.
 *
 * The 64-bit keys read float64 and BigInt64 storage through a Uint32Array view of the same bytes,
 * assuming a little-endian platform (every JavaScript engine we run on).
 */
import type { Vec } from "../column-source.ts";
import type { TypedStorage } from "../types.ts";
import { isBigType } from "../types.ts";
import type { SortColumn } from "./sort-columns.ts";
import { compareRows } from "./sort-columns.ts";

/** Below this many rows a comparison sort beats the radix passes' fixed cost. */
const RADIX_MIN = 1024;
const DIGIT_BITS = 11;
const BUCKETS = 1 << DIGIT_BITS;

/** Positions 0..n-1 in sorted order (stable). */
export function sortedPositions(
  cols: readonly SortColumn[],
  vecs: readonly Vec[],
  n: number,
): Uint32Array {
  if (n < RADIX_MIN) {
    const idx = Array.from({ length: n }, (_, i) => i);
    idx.sort((a, b) => compareRows(cols, vecs, a, vecs, b) || a - b);
    return Uint32Array.from(idx);
  }
  let perm: Uint32Array = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let c = cols.length - 1; c >= 0; c--) perm = sortByColumn(cols[c]!, vecs[c]!, perm, n);
  return perm;
}

/** `perm` stably reordered by one column. */
function sortByColumn(col: SortColumn, v: Vec, perm: Uint32Array, n: number): Uint32Array {
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
      const p = perm[i]!;
      if (valid[p] === 0) nulls[z++] = p;
      else vals[a++] = p;
    }
    m = a;
    nulls = nulls.subarray(0, z);
  }
  const sorted = radixSort(col, v.data as TypedStorage, vals, m);
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

/** `perm[0..m)` stably sorted by the column's (non-null) values. */
function radixSort(col: SortColumn, data: TypedStorage, perm: Uint32Array, m: number): Uint32Array {
  const flip = col.descending ? 0xffffffff : 0;
  if (data instanceof Float64Array || data instanceof Float32Array) {
    const f = data instanceof Float64Array ? data : Float64Array.from(data);
    const u = new Uint32Array(f.buffer, f.byteOffset, f.length * 2);
    const pk = new Uint32Array(3 * m);
    const range = newRange();
    for (let i = 0, w = 0; i < m; i++, w += 3) {
      const p = perm[i]!;
      const x = f[p]!;
      let h: number;
      let l: number;
      if (x !== x) {
        h = 0xfff80000; // NaN above +Infinity
        l = 0;
      } else if (x === 0) {
        h = 0x80000000; // -0 equals 0
        l = 0;
      } else {
        h = u[2 * p + 1]!;
        l = u[2 * p]!;
        if (h & 0x80000000) {
          h = ~h;
          l = ~l;
        } else h ^= 0x80000000;
      }
      l = (l ^ flip) >>> 0;
      h = (h ^ flip) >>> 0;
      pk[w] = l;
      pk[w + 1] = h;
      pk[w + 2] = p;
      if (l < range[0]!) range[0] = l;
      if (l > range[1]!) range[1] = l;
      if (h < range[2]!) range[2] = h;
      if (h > range[3]!) range[3] = h;
    }
    return radix64(pk, m, range);
  }
  if (isBigType(col.type)) {
    const b = data as BigInt64Array;
    const u = new Uint32Array(b.buffer, b.byteOffset, b.length * 2);
    const pk = new Uint32Array(3 * m);
    const range = newRange();
    for (let i = 0, w = 0; i < m; i++, w += 3) {
      const p = perm[i]!;
      const l = (u[2 * p]! ^ flip) >>> 0;
      const h = (u[2 * p + 1]! ^ 0x80000000 ^ flip) >>> 0;
      pk[w] = l;
      pk[w + 1] = h;
      pk[w + 2] = p;
      if (l < range[0]!) range[0] = l;
      if (l > range[1]!) range[1] = l;
      if (h < range[2]!) range[2] = h;
      if (h > range[3]!) range[3] = h;
    }
    return radix64(pk, m, range);
  }
  const d = data as Int32Array;
  const pk = new Uint32Array(2 * m);
  let lo = 0xffffffff;
  let hi = 0;
  for (let i = 0, w = 0; i < m; i++, w += 2) {
    const p = perm[i]!;
    const k = (d[p]! ^ 0x80000000 ^ flip) >>> 0;
    pk[w] = k;
    pk[w + 1] = p;
    if (k < lo) lo = k;
    if (k > hi) hi = k;
  }
  return radix32(pk, m, lo, hi);
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

/** [loMin, loMax, hiMin, hiMax] of the words of 64-bit keys, to be narrowed while they are made. */
function newRange(): Float64Array {
  return Float64Array.of(0xffffffff, 0, 0xffffffff, 0);
}

/**
 * How many low bits the words in [lo, hi] span once rebased on `lo` (rebasing keeps their order,
 * so a column of values within 2^20 of each other takes two passes, whatever their sign).
 */
function bitsOf(lo: number, hi: number): number {
  return hi < lo ? 0 : 32 - Math.clz32(hi - lo);
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

/**
 * Stable LSD radix sort of triples `pk = [lo0, hi0, pos0, ...]` by the 64-bit keys (hi, lo):
 * the low words' passes move triples, then the high words' passes move pairs.
 */
function radix64(pk: Uint32Array, m: number, range: Float64Array): Uint32Array {
  const lo = range[0]!;
  const { passes, width } = digitWidth(bitsOf(lo, range[1]!));
  const { counts, run } = countDigits(pk, m, 3, 0, passes, width, lo);
  const mask = (1 << width) - 1;
  let a: Uint32Array = pk;
  let b: Uint32Array = new Uint32Array(3 * m);
  for (let p = 0; p < passes; p++) {
    if (!run[p]) continue;
    const shift = p * width;
    const c = counts.subarray(p * BUCKETS, (p + 1) * BUCKETS);
    for (let i = 0; i < 3 * m; i += 3) {
      const key = a[i]!;
      const at = 3 * c[((key - lo) >>> shift) & mask]!++;
      b[at] = key;
      b[at + 1] = a[i + 1]!;
      b[at + 2] = a[i + 2]!;
    }
    const t = a;
    a = b;
    b = t;
  }
  // High words and positions as pairs, into the first two thirds of the spare buffer.
  const pairs = b.subarray(0, 2 * m);
  for (let i = 0, w = 0; i < 3 * m; i += 3, w += 2) {
    pairs[w] = a[i + 1]!;
    pairs[w + 1] = a[i + 2]!;
  }
  return radix32(pairs, m, range[2]!, range[3]!);
}

/** `perm[0..n)` stably sorted by a string column (nulls first ascending, last descending). */
function sortStrings(col: SortColumn, v: Vec, perm: Uint32Array, n: number): Uint32Array {
  const idx = Array.from(perm.subarray(0, n));
  const one = [col];
  const vs = [v];
  idx.sort((a, b) => compareRows(one, vs, a, vs, b));
  return Uint32Array.from(idx);
}
