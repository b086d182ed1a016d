/**
 * Stable sort of row positions by 64-bit keys (float64, int64 and instant columns), for
 * stable-sort.ts: `sort64(segs, perm, m, float, descending)`.
 *
 * Large inputs take one most-significant-digit pass over memory (radix64-passes.ts). A first read
 * counts each key's first digit (radix64-digit.ts: the top 16 bits of its high word, or for keys
 * sharing their top bits, such as prices all in [100, 104), 10 bits just below the shared ones in
 * the key rebased on a low bound); a second copies each value (8 bytes, as stored) into its
 * bucket and its position into the same slot of the output array, which is allocated once and
 * becomes the result. Each bucket is then sorted while it is in cache: its values made into key
 * triples (word, lo, position) in scratch the size of the largest bucket, where `word`'s low 16
 * bits are the 16 key bits below the bucket's digit and its other bits are the same for the whole
 * bucket, the two 8-bit digits of those 16 bits counted in the same read; two 8-bit LSD passes
 * (one skipped when its digit is the same for the whole bucket); then one walk writes the
 * positions back to the output and checks each run of equal `word` (equal hi) for order by lo
 * (runs of equal keys are in order already), a run out of order sorted by lo (insertion up to 32
 * rows, radix beyond) and written again. Spread or narrow, that is two passes over memory plus
 * the in-cache work. Inputs below MSD_MIN rows are one bucket, sorted by the whole of hi. Every
 * key equal: positions in order, nothing sorted.
 *
 * The values are read in segments (a column's pages, without a copy) when the positions are
 * 0..m-1, else from one array at `perm`'s positions. Keys: a float's bits with every bit flipped
 * if negative, else the sign bit set (-0 equals 0; every NaN is equal and above +Infinity); an
 * int64's with the sign bit flipped; every bit flipped again when descending.
 */
import type { Vec } from "../column-source.ts";
import { bitsOf, DIGIT_BITS } from "./radix-digits.ts";
import { firstDigit } from "./radix64-digit.ts";
import type { Digit, KeyInput } from "./radix64-passes.ts";
import { floatHi, floatLo, scatter } from "./radix64-passes.ts";

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
  const k: KeyInput = { segs, perm, m, float, flip: descending ? -1 : 0 };
  // A key's bucket is its first digit (radix64-digit.ts), masked by `mask` (0: one bucket).
  let mask = 0;
  let d: Digit = { shift: 48, hb: 0, lb: 0 };
  let counts: Uint32Array = new Uint32Array([m]);
  if (m >= MSD_MIN) {
    const first = firstDigit(k);
    if (first === null) return inOrder(perm, m);
    ({ digit: d, mask, counts } = first);
  }
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
  scatter(k, d, mask, next, vals, words, out);
  const buckets = new Buckets(vals, words, out, most, float, k.flip, mask === 0 ? null : d);
  for (let b = 0, s = 0; b <= mask; b++) {
    const e = s + counts[b]!;
    if (e - s > 1) buckets.sort(s, e);
    s = e;
  }
  return out;
}

/** Positions 0..m-1, or `perm[0..m)`, in the order given (every key equal). */
function inOrder(perm: Uint32Array | null, m: number): Uint32Array {
  if (perm !== null) return perm.slice(0, m);
  const out = new Uint32Array(m);
  for (let i = 0; i < m; i++) out[i] = i;
  return out;
}

/** Sorts the buckets of the scattered values in place, through scratch the largest one fits. */
class Buckets {
  readonly #vals: Float64Array;
  readonly #words: Uint32Array;
  readonly #out: Uint32Array;
  readonly #float: boolean;
  readonly #flip: number;
  /** Whether keys in a bucket share their bits from `shift` up (else: one bucket, any hi). */
  readonly #bucketed: boolean;
  /**
   * A triple's first word from the key rebased (hi - hb, lo - lb): `((hi & hm) << hl) | ((lo & lm)
   * >>> lr)`, its low 16 bits the key bits below the bucket's digit, its others the same for the
   * bucket (hi itself when the digit is hi's top 16 bits or there is one bucket); then hb, lb.
   */
  readonly #word: [hm: number, hl: number, lm: number, lr: number, hb: number, lb: number];
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
    digit: Digit | null,
  ) {
    this.#vals = vals;
    this.#words = words;
    this.#out = out;
    this.#float = float;
    this.#flip = flip;
    this.#bucketed = digit !== null;
    const { shift, hb, lb } = digit ?? { shift: 48, hb: 0, lb: 0 };
    this.#word =
      shift === 48
        ? [-1, 0, 0, 0, hb, lb]
        : shift >= 32
          ? [-1, 48 - shift, -1, shift - 16, hb, lb]
          : [0, 0, -1, Math.max(0, shift - 16), hb, lb];
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
    // first words for order by lo (usually in order already: equal keys); a run out of order is sorted by
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

  /** Triples `[r, q)` of `a` (equal first words) stably sorted by lo, their positions out again. */
  #byLow(a: Uint32Array, b: Uint32Array, r: number, q: number, s: number): void {
    if (q - r > INSERTION_MAX) lsdWord(a, r, q, b, 1, this.#digits);
    else insertionByWords(a, r, q);
    const out = this.#out;
    for (let i = r; i < q; i++) out[s + i] = a[3 * i + 2]!;
  }

  /**
   * Key triples (word, lo, position) of slots `[s, e)` into `#a` from 0 (`#word`), and the counts
   * of the word's two low bytes (`#counts`, 256 each).
   */
  #triples(s: number, e: number): void {
    const vals = this.#vals;
    const w = this.#words;
    const out = this.#out;
    const a = this.#a;
    const c = this.#counts;
    const flip = this.#flip;
    const [hm, hl, lm, lr, hb, lb] = this.#word;
    c.fill(0);
    if (lm === 0 && hb === 0) {
      this.#highTriples(s, e);
      return;
    }
    if (this.#float) {
      for (let i = s, t = 0; i < e; i++, t += 3) {
        const x = vals[i]!;
        const w1 = w[2 * i + 1]!;
        const h = ((floatHi(x, w1) ^ flip) - hb) | 0;
        const l = ((floatLo(x, w1, w[2 * i]!) ^ flip) - lb) | 0;
        const k = ((h & hm) << hl) | ((l & lm) >>> lr);
        a[t] = k;
        a[t + 1] = l;
        a[t + 2] = out[i]!;
        c[k & 255]!++;
        c[256 + ((k >>> 8) & 255)]!++;
      }
      return;
    }
    const hf = 0x80000000 ^ flip;
    for (let i = s, t = 0; i < e; i++, t += 3) {
      const h = ((w[2 * i + 1]! ^ hf) - hb) | 0;
      const l = ((w[2 * i]! ^ flip) - lb) | 0;
      const k = ((h & hm) << hl) | ((l & lm) >>> lr);
      a[t] = k;
      a[t + 1] = l;
      a[t + 2] = out[i]!;
      c[k & 255]!++;
      c[256 + ((k >>> 8) & 255)]!++;
    }
  }

  /** #triples where the first word is hi itself (nothing rebased: spread keys, or one bucket). */
  #highTriples(s: number, e: number): void {
    const vals = this.#vals;
    const w = this.#words;
    const out = this.#out;
    const a = this.#a;
    const c = this.#counts;
    const flip = this.#flip;
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
 * The `len` triples of `a` (from 0; their first words differ only in their low 16 bits) stably
 * sorted by those 16 bits: two 8-bit passes from `counts` (both digits' counts), a pass skipped when
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
