/**
 * Stable sort of row positions by 64-bit keys (float64, int64 and instant columns), for
 * stable-sort.ts: `sort64(segs, perm, m, float, descending)`.
 *
 * Large inputs take one most-significant-digit pass over memory. A first read counts the top 16
 * bits of each key's high word; a second copies each value (8 bytes, as stored) into its bucket
 * and its position into the same slot of the output array, which is allocated once and becomes
 * the result. Each bucket is then sorted while it is in cache: its values made into (hi, lo,
 * position) key triples in scratch the size of the largest bucket, the two 8-bit digits of the
 * rest of hi counted in the same read; two 8-bit LSD passes (one skipped when its digit is the
 * same for the whole bucket); then one walk writes the positions back to the output and checks
 * each run of equal hi for order by lo (runs of equal keys are in order already), a run out of
 * order sorted by lo (insertion up to 32 rows, radix beyond) and written again. Real data spans
 * few exponents (floats) or magnitudes (int64), so the top bits fill few buckets and runs of
 * equal hi are short: two passes over memory plus the in-cache work. Inputs below MSD_MIN rows
 * are one bucket, sorted by the whole of hi. Keys sharing the top 16 bits (sign, exponent and 4
 * mantissa bits: e.g. prices all in [100, 104)) are one bucket too, sorted out of cache: about
 * twice the time a row of spread values, as before this layout. Counting such keys again by the
 * 16 bits below the ones they share measured no faster (their rows then share whole high words,
 * and sorting those runs by their low words is most of the work), so it is not done.
 *
 * The values are read in segments (a column's pages, without a copy) when the positions are
 * 0..m-1, else from one array at `perm`'s positions. Keys: a float's bits with every bit flipped
 * if negative, else the sign bit set (-0 equals 0; every NaN is equal and above +Infinity); an
 * int64's with the sign bit flipped; every bit flipped again when descending. Storage is read
 * through Uint32Array views of the same bytes, assuming a little-endian platform (every
 * JavaScript engine we run on).
 */
import type { Vec } from "../column-source.ts";
import { bitsOf, DIGIT_BITS } from "./radix-digits.ts";

/** Below this many rows the input is one bucket (no first pass). */
const MSD_MIN = 1 << 16;
/** Runs at most this long are sorted by insertion. */
const INSERTION_MAX = 32;

/**
 * Positions 0..m-1 (`perm` null; `segs` the values of consecutive positions) or `perm[0..m)`
 * (`segs`: one array indexed by position), stably sorted by their values' 64-bit keys. `float`:
 * the values are float64, else BigInt64.
 */
export function sort64(
  segs: readonly Vec[],
  perm: Uint32Array | null,
  m: number,
  float: boolean,
  descending: boolean,
): Uint32Array {
  // Every bit set when descending (-1: an int32, as every key word below until it is stored).
  const flip = descending ? -1 : 0;
  // A key's bucket is (hi >>> 16) & mask: its top 16 bits, or 0 when there is one bucket.
  const mask = m >= MSD_MIN ? 0xffff : 0;
  const counts = new Uint32Array(mask + 1);
  if (mask === 0) counts[0] = m;
  else if (float) countFloats(segs, perm, m, flip, counts);
  else countInts(segs, perm, m, flip, counts);
  const next = new Uint32Array(mask + 1);
  let most = 0;
  for (let d = 0, sum = 0; d <= mask; d++) {
    const c = counts[d]!;
    next[d] = sum;
    sum += c;
    if (c > most) most = c;
  }
  const vals = new Float64Array(m);
  const words = new Uint32Array(vals.buffer);
  const out = new Uint32Array(m);
  if (float) scatterFloats(segs, perm, m, flip, mask, next, vals, out);
  else scatterInts(segs, perm, m, flip, mask, next, words, out);
  const buckets = new Buckets(vals, words, out, most, float, flip, mask !== 0);
  for (let d = 0, s = 0; d <= mask; d++) {
    const e = s + counts[d]!;
    if (e - s > 1) buckets.sort(s, e);
    s = e;
  }
  return out;
}

/** A Uint32Array view of 64-bit values' bytes (little-endian: word 2i + 1 is value i's high half). */
function wordsOf(data: Float64Array | BigInt64Array): Uint32Array {
  return new Uint32Array(data.buffer, data.byteOffset, data.length * 2);
}

/** Counts of the top 16 bits of float keys' high words. */
function countFloats(
  segs: readonly Vec[],
  perm: Uint32Array | null,
  m: number,
  flip: number,
  counts: Uint32Array,
): void {
  for (let g = 0; g < segs.length; g++) {
    const f = segs[g]!.data as Float64Array;
    const u = wordsOf(f);
    const len = perm === null ? segs[g]!.length : m;
    for (let i = 0; i < len; i++) {
      const p = perm === null ? i : perm[i]!;
      counts[(floatHi(f[p]!, u[2 * p + 1]!) ^ flip) >>> 16]!++;
    }
  }
}

/** Counts of the top 16 bits of int64 keys' high words. */
function countInts(
  segs: readonly Vec[],
  perm: Uint32Array | null,
  m: number,
  flip: number,
  counts: Uint32Array,
): void {
  const hf = 0x80000000 ^ flip;
  for (let g = 0; g < segs.length; g++) {
    const u = wordsOf(segs[g]!.data as BigInt64Array);
    const len = perm === null ? segs[g]!.length : m;
    for (let i = 0; i < len; i++) {
      const p = perm === null ? i : perm[i]!;
      counts[(u[2 * p + 1]! ^ hf) >>> 16]!++;
    }
  }
}

/** Each float into its bucket's next slot of `vals`, its position into the same slot of `out`. */
function scatterFloats(
  segs: readonly Vec[],
  perm: Uint32Array | null,
  m: number,
  flip: number,
  mask: number,
  next: Uint32Array,
  vals: Float64Array,
  out: Uint32Array,
): void {
  for (let g = 0, p0 = 0; g < segs.length; g++) {
    const f = segs[g]!.data as Float64Array;
    const u = wordsOf(f);
    const len = perm === null ? segs[g]!.length : m;
    for (let i = 0; i < len; i++) {
      const p = perm === null ? i : perm[i]!;
      const x = f[p]!;
      const at = next[((floatHi(x, u[2 * p + 1]!) ^ flip) >>> 16) & mask]!++;
      vals[at] = x;
      out[at] = p0 + p;
    }
    p0 += len;
  }
}

/** Each int64's words into its bucket's next slot of `words`, its position into `out`'s. */
function scatterInts(
  segs: readonly Vec[],
  perm: Uint32Array | null,
  m: number,
  flip: number,
  mask: number,
  next: Uint32Array,
  words: Uint32Array,
  out: Uint32Array,
): void {
  const hf = 0x80000000 ^ flip;
  for (let g = 0, p0 = 0; g < segs.length; g++) {
    const u = wordsOf(segs[g]!.data as BigInt64Array);
    const len = perm === null ? segs[g]!.length : m;
    for (let i = 0; i < len; i++) {
      const p = perm === null ? i : perm[i]!;
      const w1 = u[2 * p + 1]!;
      const at = next[((w1 ^ hf) >>> 16) & mask]!++;
      words[2 * at] = u[2 * p]!;
      words[2 * at + 1] = w1;
      out[at] = p0 + p;
    }
    p0 += len;
  }
}

/**
 * A float's high key word: its bits with every bit flipped if negative, else the sign bit set
 * (`w1`: the float64's high storage word); -0 equals 0 and NaN sorts above +Infinity. Returned as
 * a signed int32 with the key's bits (callers shift it unsigned or store it): every branch stays
 * in int32, which measured 5-10% less CPU for the whole sort than unsigned results.
 */
function floatHi(x: number, w1: number): number {
  if (x !== x) return 0xfff80000 | 0;
  if (x === 0) return 0x80000000 | 0;
  return w1 ^ ((w1 >> 31) | 0x80000000);
}

/** A float's low key word (`w0`: its low storage word), 0 for NaN and both zeros; signed int32. */
function floatLo(x: number, w1: number, w0: number): number {
  if (x !== x || x === 0) return 0;
  return w0 ^ (w1 >> 31);
}

/** Sorts the buckets of the scattered values in place, through scratch the largest one fits. */
class Buckets {
  readonly #vals: Float64Array;
  readonly #words: Uint32Array;
  readonly #out: Uint32Array;
  readonly #float: boolean;
  readonly #flip: number;
  /** Whether keys in a bucket share the top 16 bits of hi (else: one bucket, any hi). */
  readonly #bucketed: boolean;
  /** Key triples of the bucket being sorted, and the passes' other array. */
  #a: Uint32Array;
  #b: Uint32Array;
  readonly #counts = new Uint32Array(512);
  /** Counts of the radix passes over a whole word (lsdWord), reused by every run. */
  readonly #digits = new Uint32Array(1 << DIGIT_BITS);

  constructor(
    vals: Float64Array,
    words: Uint32Array,
    out: Uint32Array,
    most: number,
    float: boolean,
    flip: number,
    bucketed: boolean,
  ) {
    this.#vals = vals;
    this.#words = words;
    this.#out = out;
    this.#float = float;
    this.#flip = flip;
    this.#bucketed = bucketed;
    this.#a = new Uint32Array(3 * most);
    this.#b = new Uint32Array(3 * most);
  }

  /** Slots `[s, e)` (one bucket) stably sorted: `out[s..e)` reordered by their values' keys. */
  sort(s: number, e: number): void {
    const len = e - s;
    this.#triples(s, e);
    let a = this.#a;
    let b = this.#b;
    if (len <= INSERTION_MAX) insertionByWords(a, 0, len);
    else if (!this.#bucketed) lsdWord(a, 0, len, b, 0, this.#digits);
    else if (lsdLow16(a, b, len, this.#counts)) {
      a = this.#b;
      b = this.#a;
    }
    // Positions out while the bucket is in cache, in one walk that also checks each run of equal
    // hi for order by lo (usually in order already: equal keys); a run out of order is sorted by
    // lo and its positions written again.
    const out = this.#out;
    let r = 0;
    let ordered = true;
    for (let i = 0, t = 0; i < len; i++, t += 3) {
      if (i > 0 && a[t] === a[t - 3]) {
        if (a[t + 1]! < a[t - 2]!) ordered = false;
      } else {
        if (!ordered) this.#byLow(a, b, r, i, s);
        r = i;
        ordered = true;
      }
      out[s + i] = a[t + 2]!;
    }
    if (!ordered) this.#byLow(a, b, r, len, s);
  }

  /** Triples `[r, q)` of `a` (equal hi) stably sorted by lo, their positions out again. */
  #byLow(a: Uint32Array, b: Uint32Array, r: number, q: number, s: number): void {
    if (q - r > INSERTION_MAX) lsdWord(a, r, q, b, 1, this.#digits);
    else insertionByWords(a, r, q);
    const out = this.#out;
    for (let i = r; i < q; i++) out[s + i] = a[3 * i + 2]!;
  }

  /**
   * Key triples (hi, lo, position) of slots `[s, e)` into `#a` from 0, and the counts of hi's two
   * low bytes (`#counts`, 256 each).
   */
  #triples(s: number, e: number): void {
    const vals = this.#vals;
    const w = this.#words;
    const out = this.#out;
    const a = this.#a;
    const c = this.#counts;
    const flip = this.#flip;
    c.fill(0);
    if (this.#float) {
      for (let i = s, t = 0; i < e; i++, t += 3) {
        const x = vals[i]!;
        const w1 = w[2 * i + 1]!;
        const h = floatHi(x, w1) ^ flip;
        a[t] = h;
        a[t + 1] = floatLo(x, w1, w[2 * i]!) ^ flip;
        a[t + 2] = out[i]!;
        c[h & 255]!++;
        c[256 + ((h >>> 8) & 255)]!++;
      }
      return;
    }
    const hf = 0x80000000 ^ flip;
    for (let i = s, t = 0; i < e; i++, t += 3) {
      const h = w[2 * i + 1]! ^ hf;
      a[t] = h;
      a[t + 1] = w[2 * i]! ^ flip;
      a[t + 2] = out[i]!;
      c[h & 255]!++;
      c[256 + ((h >>> 8) & 255)]!++;
    }
  }
}

/**
 * The `len` triples of `a` (from 0; their hi words share their top 16 bits) stably sorted by the
 * low 16 bits of hi: two 8-bit passes from `counts` (both digits' counts), a pass skipped when
 * every triple has the same digit, between `a` and `b`. True when the result is in `b`.
 */
function lsdLow16(a: Uint32Array, b: Uint32Array, len: number, counts: Uint32Array): boolean {
  let src = a;
  let dst = b;
  for (let p = 0; p < 2; p++) {
    const base = 256 * p;
    let sum = 0;
    let one = false;
    for (let d = base; d < base + 256; d++) {
      const x = counts[d]!;
      if (x === len) one = true;
      counts[d] = sum;
      sum += 3 * x;
    }
    if (one) continue;
    const shift = 8 * p;
    for (let i = 0; i < 3 * len; i += 3) {
      const digit = base + ((src[i]! >>> shift) & 255);
      const at = counts[digit]!;
      counts[digit] = at + 3;
      dst[at] = src[i]!;
      dst[at + 1] = src[i + 1]!;
      dst[at + 2] = src[i + 2]!;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  return src === b;
}

/** Triples `[s, e)` stably sorted in place by (hi, lo), by insertion (short runs). */
function insertionByWords(pk: Uint32Array, s: number, e: number): void {
  for (let i = s + 1; i < e; i++) {
    const h = pk[3 * i]!;
    const l = pk[3 * i + 1]!;
    const before = pk[3 * i - 3]!;
    // In place already (the common case: runs of equal keys, in position order).
    if (before < h || (before === h && pk[3 * i - 2]! <= l)) continue;
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
 * short runs), between `pk` and `tmp` (from offset 0); `counts`: scratch of 2^DIGIT_BITS.
 */
function lsdWord(
  pk: Uint32Array,
  s: number,
  e: number,
  tmp: Uint32Array,
  w: number,
  counts: Uint32Array,
): void {
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
  const len = 3 * (e - s);
  let a = pk;
  let aOff = 3 * s;
  let b = tmp;
  let bOff = 0;
  for (let p = 0; p < passes; p++) {
    const shift = p * width;
    counts.fill(0, 0, mask + 1);
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
