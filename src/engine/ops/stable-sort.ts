/**
 * Stable sort of row positions by sort columns: `sortedPositions(cols, vecs, n)` returns the
 * positions 0..n-1 ordered by the columns' values (sort-columns.ts's order), ties in position
 * order. Callers pass rows in parent row-key order, so ties keep the parent's order.
 *
 * Small inputs use a comparison sort. Large ones sort column by column from the last to the
 * first, each pass stable: a numeric column (every type but string) by an LSD radix sort on
 * order-preserving unsigned keys of 11-bit digits (32-bit keys for int8..int32, char and bool, 64-bit
 * ones for int64, instant and floats, passes whose digit is the same for every row skipped), with
 * nulls split off first; a string column by a stable comparison sort.
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
  const lo = new Uint32Array(m);
  if (data instanceof Float64Array || data instanceof Float32Array) {
    const hi = new Uint32Array(m);
    const f = data instanceof Float64Array ? data : Float64Array.from(data);
    const u = new Uint32Array(f.buffer, f.byteOffset, f.length * 2);
    for (let i = 0; i < m; i++) {
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
      hi[i] = h ^ flip;
      lo[i] = l ^ flip;
    }
    return radix64(perm, lo, hi, m);
  }
  if (isBigType(col.type)) {
    const b = data as BigInt64Array;
    const hi = new Uint32Array(m);
    const u = new Uint32Array(b.buffer, b.byteOffset, b.length * 2);
    for (let i = 0; i < m; i++) {
      const p = perm[i]!;
      hi[i] = (u[2 * p + 1]! ^ 0x80000000 ^ flip) >>> 0;
      lo[i] = (u[2 * p]! ^ flip) >>> 0;
    }
    return radix64(perm, lo, hi, m);
  }
  const d = data as Int32Array;
  for (let i = 0; i < m; i++) lo[i] = (d[perm[i]!]! ^ 0x80000000 ^ flip) >>> 0;
  return radix32(perm, lo, m, null);
}

/** Stable LSD radix sort of `perm` by 32-bit `keys`, carrying `carry` along when given. */
function radix32(
  perm: Uint32Array,
  keys: Uint32Array,
  m: number,
  carry: Uint32Array | null,
): Uint32Array {
  let p: Uint32Array = perm;
  let k: Uint32Array = keys;
  let c: Uint32Array | null = carry;
  let p2: Uint32Array = new Uint32Array(m);
  let k2: Uint32Array = new Uint32Array(m);
  let c2: Uint32Array | null = c ? new Uint32Array(m) : null;
  const count = new Uint32Array(BUCKETS);
  for (let shift = 0; shift < 32; shift += DIGIT_BITS) {
    count.fill(0);
    for (let i = 0; i < m; i++) count[(k[i]! >>> shift) & (BUCKETS - 1)]!++;
    if (count[(k[0]! >>> shift) & (BUCKETS - 1)] === m) continue; // one digit for all: no move
    let sum = 0;
    for (let b = 0; b < BUCKETS; b++) {
      const x = count[b]!;
      count[b] = sum;
      sum += x;
    }
    for (let i = 0; i < m; i++) {
      const key = k[i]!;
      const at = count[(key >>> shift) & (BUCKETS - 1)]!++;
      p2[at] = p[i]!;
      k2[at] = key;
      if (c) c2![at] = c[i]!;
    }
    [p, p2] = [p2, p];
    [k, k2] = [k2, k];
    if (c) [c, c2] = [c2!, c];
  }
  if (carry && c !== carry) carry.set(c!.subarray(0, m));
  return p;
}

/** Stable LSD radix sort of `perm` by 64-bit keys (`hi`, `lo`). */
function radix64(perm: Uint32Array, lo: Uint32Array, hi: Uint32Array, m: number): Uint32Array {
  // Low word first, carrying the high word along, then the high word.
  const p = radix32(perm, lo, m, hi);
  return radix32(p, hi, m, null);
}

/** `perm[0..n)` stably sorted by a string column (nulls first ascending, last descending). */
function sortStrings(col: SortColumn, v: Vec, perm: Uint32Array, n: number): Uint32Array {
  const idx = Array.from(perm.subarray(0, n));
  const one = [col];
  const vs = [v];
  idx.sort((a, b) => compareRows(one, vs, a, vs, b));
  return Uint32Array.from(idx);
}
