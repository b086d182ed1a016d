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
 * array: one write stream a bucket). 32-bit keys: LSD passes that count every pass's digits in one
 * read, sort only the bits the keys span above their minimum (a column of values within 2^20 of
 * each other takes two passes of 10 bits, not three of 11) and skip a pass whose digit is the
 * same for every row. 64-bit keys (sort64): the key transform counts the top 16 bits of the high
 * words in one read and writes each (hi, lo, position) triple straight into its bucket in a
 * second, then each bucket is sorted in cache by the rest of its high words (two 8-bit passes
 * counted in one read) and runs of equal high words by their low words, its positions written out
 * while it is in cache (about two passes over memory for real data, instead of six). The first
 * column sorted (the last one) starts from positions 0..n-1 without materialising them.
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
/** Below this many rows no sort takes a first (most significant digit) pass. */
const MSD_MIN = 1 << 16;

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
  // The last column first, from positions in order (null: 0..n-1, not materialised).
  let perm: Uint32Array | null = null;
  for (let c = cols.length - 1; c >= 0; c--) perm = sortByColumn(cols[c]!, vecs[c]!, perm, n);
  return perm!;
}

/** `perm` (null: 0..n-1) stably reordered by one column. */
function sortByColumn(col: SortColumn, v: Vec, perm: Uint32Array | null, n: number): Uint32Array {
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

/** `perm[0..m)` (null: 0..m-1) stably sorted by the column's (non-null) values. */
function radixSort(
  col: SortColumn,
  data: TypedStorage,
  perm: Uint32Array | null,
  m: number,
): Uint32Array {
  const flip = col.descending ? 0xffffffff : 0;
  // 64-bit keys: a first read counts the top 16 bits of the high words (large inputs), the
  // second writes each (hi, lo, position) triple straight into its bucket (no unsorted copy).
  const counts = new Uint32Array(m >= MSD_MIN ? 1 << 16 : 1);
  const top = m >= MSD_MIN ? 16 : 32;
  if (data instanceof Float64Array || data instanceof Float32Array) {
    const f = data instanceof Float64Array ? data : Float64Array.from(data);
    const u = new Uint32Array(f.buffer, f.byteOffset, f.length * 2);
    if (top === 16) {
      for (let i = 0; i < m; i++) {
        const p = perm === null ? i : perm[i]!;
        counts[(floatHi(f[p]!, u[2 * p + 1]!) ^ flip) >>> 16]!++;
      }
    } else counts[0] = m;
    const next = startsOf(counts);
    const pk = new Uint32Array(3 * m);
    for (let i = 0; i < m; i++) {
      const p = perm === null ? i : perm[i]!;
      const x = f[p]!;
      const w1 = u[2 * p + 1]!;
      const h = (floatHi(x, w1) ^ flip) >>> 0;
      const at = 3 * next[top === 16 ? h >>> 16 : 0]!++;
      pk[at] = h;
      pk[at + 1] = (floatLo(x, w1, u[2 * p]!) ^ flip) >>> 0;
      pk[at + 2] = p;
    }
    return sort64(pk, m, counts);
  }
  if (isBigType(col.type)) {
    const b = data as BigInt64Array;
    const u = new Uint32Array(b.buffer, b.byteOffset, b.length * 2);
    const hf = 0x80000000 ^ flip;
    if (top === 16) {
      for (let i = 0; i < m; i++) {
        const p = perm === null ? i : perm[i]!;
        counts[(u[2 * p + 1]! ^ hf) >>> 16]!++;
      }
    } else counts[0] = m;
    const next = startsOf(counts);
    const pk = new Uint32Array(3 * m);
    for (let i = 0; i < m; i++) {
      const p = perm === null ? i : perm[i]!;
      const h = (u[2 * p + 1]! ^ hf) >>> 0;
      const at = 3 * next[top === 16 ? h >>> 16 : 0]!++;
      pk[at] = h;
      pk[at + 1] = (u[2 * p]! ^ flip) >>> 0;
      pk[at + 2] = p;
    }
    return sort64(pk, m, counts);
  }
  const d = data as Int32Array;
  const pk = new Uint32Array(2 * m);
  let lo = 0xffffffff;
  let hi = 0;
  for (let i = 0, w = 0; i < m; i++, w += 2) {
    const p = perm === null ? i : perm[i]!;
    const k = (d[p]! ^ 0x80000000 ^ flip) >>> 0;
    pk[w] = k;
    pk[w + 1] = p;
    if (k < lo) lo = k;
    if (k > hi) hi = k;
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
 * How many low bits the words in [lo, hi] span once rebased on `lo` (rebasing keeps their order,
 * so a column of values within 2^20 of each other takes two passes, whatever their sign).
 */
function bitsOf(lo: number, hi: number): number {
  return hi < lo ? 0 : 32 - Math.clz32(hi - lo);
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

/**
 * A float's high key word: its bits with every bit flipped if negative, else the sign bit set
 * (`w1`: the float64's high storage word); -0 equals 0 and NaN sorts above +Infinity.
 */
function floatHi(x: number, w1: number): number {
  if (x !== x) return 0xfff80000;
  if (x === 0) return 0x80000000;
  return (w1 ^ ((w1 >> 31) | 0x80000000)) >>> 0;
}

/** A float's low key word (`w0`: its low storage word), 0 for NaN and both zeros. */
function floatLo(x: number, w1: number, w0: number): number {
  if (x !== x || x === 0) return 0;
  return (w0 ^ (w1 >> 31)) >>> 0;
}

/** Each bucket's start offset (prefix sums of `counts`), in a new array. */
function startsOf(counts: Uint32Array): Uint32Array {
  const starts = new Uint32Array(counts.length);
  let sum = 0;
  for (let d = 0; d < counts.length; d++) {
    starts[d] = sum;
    sum += counts[d]!;
  }
  return starts;
}

/** Runs at most this long are sorted by insertion. */
const INSERTION_MAX = 32;

/**
 * Stable sort of triples `pk = [hi0, lo0, pos0, ...]` by the 64-bit keys (hi, lo), already
 * grouped (stably) into consecutive buckets of `counts[d]` triples by the top bits of `hi` (one
 * bucket for small inputs); returns the positions in order. Each bucket, small enough to stay in
 * cache, is sorted by the rest of `hi` (8-bit passes over the bits it spans), and runs of equal
 * `hi` by `lo`, through scratch the size of the largest bucket. Real data spans few exponents
 * (floats) or magnitudes (int64), so the top bits fill few buckets and the runs of equal `hi` are
 * short: about two passes over memory instead of the six a 64-bit LSD sort takes.
 */
function sort64(pk: Uint32Array, m: number, counts: Uint32Array): Uint32Array {
  let most = 0;
  for (let d = 0; d < counts.length; d++) if (counts[d]! > most) most = counts[d]!;
  const spare = new Uint32Array(3 * most);
  const out = new Uint32Array(m);
  const bucketed = counts.length > 1;
  for (let d = 0, s = 0; d < counts.length; d++) {
    const e = s + counts[d]!;
    if (e - s > 1) sortTriples(pk, s, e, spare, bucketed);
    // The bucket's positions while it is still in cache.
    for (let i = s; i < e; i++) out[i] = pk[3 * i + 2]!;
    s = e;
  }
  return out;
}

/**
 * Triples `[s, e)` of `pk` stably sorted in place by (hi, lo); `tmp`: scratch of e - s triples.
 * `bucketed`: their hi words share the top 16 bits.
 */
function sortTriples(
  pk: Uint32Array,
  s: number,
  e: number,
  tmp: Uint32Array,
  bucketed: boolean,
): void {
  if (e - s <= INSERTION_MAX) {
    insertionByWords(pk, s, e);
    return;
  }
  if (bucketed) lsdLow16(pk, s, e, tmp);
  else lsdWord(pk, s, e, tmp, 0);
  // Runs of equal hi, by lo.
  let r = s;
  while (r < e) {
    const h = pk[3 * r]!;
    let q = r + 1;
    while (q < e && pk[3 * q] === h) q++;
    if (q - r > INSERTION_MAX) lsdWord(pk, r, q, tmp, 1);
    else if (q - r > 1) insertionByWords(pk, r, q);
    r = q;
  }
}

/**
 * Triples `[s, e)` whose hi words share their top 16 bits stably sorted in place by the low 16
 * bits of hi: two 8-bit passes counted in one read, a pass skipped when every triple has the same
 * digit, between `pk` and `tmp` (from offset 0).
 */
function lsdLow16(pk: Uint32Array, s: number, e: number, tmp: Uint32Array): void {
  const c = new Uint32Array(512);
  for (let i = 3 * s; i < 3 * e; i += 3) {
    const k = pk[i]!;
    c[k & 255]!++;
    c[256 + ((k >>> 8) & 255)]!++;
  }
  const len = 3 * (e - s);
  let a = pk;
  let aOff = 3 * s;
  let b = tmp;
  let bOff = 0;
  for (let p = 0; p < 2; p++) {
    const base = 256 * p;
    let sum = bOff;
    let one = false;
    for (let d = base; d < base + 256; d++) {
      const x = c[d]!;
      if (x === e - s) one = true;
      c[d] = sum;
      sum += 3 * x;
    }
    if (one) continue;
    const shift = 8 * p;
    for (let i = aOff; i < aOff + len; i += 3) {
      const digit = base + ((a[i]! >>> shift) & 255);
      const at = c[digit]!;
      c[digit] = at + 3;
      b[at] = a[i]!;
      b[at + 1] = a[i + 1]!;
      b[at + 2] = a[i + 2]!;
    }
    const t = a;
    a = b;
    b = t;
    const o = aOff;
    aOff = bOff;
    bOff = o;
  }
  if (a !== pk) pk.set(a.subarray(0, len), 3 * s);
}

/** Triples `[s, e)` stably sorted in place by (hi, lo), by insertion (short runs). */
function insertionByWords(pk: Uint32Array, s: number, e: number): void {
  for (let i = s + 1; i < e; i++) {
    const h = pk[3 * i]!;
    const l = pk[3 * i + 1]!;
    const p = pk[3 * i + 2]!;
    let j = i - 1;
    while (j >= s && (pk[3 * j]! > h || (pk[3 * j] === h && pk[3 * j + 1]! > l))) {
      pk[3 * j + 3] = pk[3 * j]!;
      pk[3 * j + 4] = pk[3 * j + 1]!;
      pk[3 * j + 5] = pk[3 * j + 2]!;
      j--;
    }
    pk[3 * j + 3] = h;
    pk[3 * j + 4] = l;
    pk[3 * j + 5] = p;
  }
}

/**
 * Triples `[s, e)` stably sorted in place by their word `w` (0: hi, 1: lo): LSD passes over the
 * bits the words span above their minimum (balanced digits of at most DIGIT_BITS bits, 8 for
 * short runs), between `pk` and `tmp` (from offset 0).
 */
function lsdWord(pk: Uint32Array, s: number, e: number, tmp: Uint32Array, w: number): void {
  let lo = 0xffffffff;
  let hi = 0;
  for (let i = 3 * s + w; i < 3 * e; i += 3) {
    const k = pk[i]!;
    if (k < lo) lo = k;
    if (k > hi) hi = k;
  }
  const bits = bitsOf(lo, hi);
  const most = e - s >= 4096 ? DIGIT_BITS : 8;
  const passes = Math.ceil(bits / most);
  if (passes === 0) return;
  const width = Math.ceil(bits / passes);
  const mask = (1 << width) - 1;
  const counts = new Uint32Array(1 << width);
  const len = 3 * (e - s);
  let a = pk;
  let aOff = 3 * s;
  let b = tmp;
  let bOff = 0;
  for (let p = 0; p < passes; p++) {
    const shift = p * width;
    if (p > 0) counts.fill(0);
    for (let i = aOff + w; i < aOff + len; i += 3) counts[((a[i]! - lo) >>> shift) & mask]!++;
    let sum = bOff;
    for (let d = 0; d <= mask; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += 3 * c;
    }
    for (let i = aOff; i < aOff + len; i += 3) {
      const digit = ((a[i + w]! - lo) >>> shift) & mask;
      const at = counts[digit]!;
      counts[digit] = at + 3;
      b[at] = a[i]!;
      b[at + 1] = a[i + 1]!;
      b[at + 2] = a[i + 2]!;
    }
    const t = a;
    a = b;
    b = t;
    const o = aOff;
    aOff = bOff;
    bOff = o;
  }
  if (a !== pk) pk.set(a.subarray(0, len), 3 * s);
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
