/**
 * The passes of radix64.ts over a column's values (float64 or BigInt64 storage, read in segments
 * or at `perm`'s positions): sampling and counting the first digit, the ranges of the key words,
 * and scattering values into buckets. A key is 64 bits, `hi` (bits 32..63) and `lo` (bits
 * 0..31), each made as a signed int32 holding the key's bits (floatHi / floatLo, an int64's words
 * with hi's sign bit flipped), every bit flipped again by `flip` (-1) when descending.
 *
 * A digit (radix64-digit.ts chooses it) is a run of bits from `shift` up of the key rebased as
 * (hi - hb, lo - lb): the top 16 bits of hi (shift 48, nothing rebased) for spread keys, lower
 * for keys sharing their high bits, so that such keys still fill many buckets. Storage is read
 * through Uint32Array views of the same bytes, assuming a little-endian platform (every
 * JavaScript engine we run on).
 */
import type { Vec } from "../column-source.ts";

/** The input of a pass: the values, their positions (null: segments of 0..m-1), their count. */
export interface KeyInput {
  readonly segs: readonly Vec[];
  readonly perm: Uint32Array | null;
  readonly m: number;
  /** float64 values, else BigInt64. */
  readonly float: boolean;
  /** -1 when descending (every key bit flipped), else 0. */
  readonly flip: number;
}

/** A Uint32Array view of 64-bit values' bytes (little-endian: word 2i + 1 is value i's high half). */
export function wordsOf(data: Float64Array | BigInt64Array): Uint32Array {
  return new Uint32Array(data.buffer, data.byteOffset, data.length * 2);
}

/**
 * A float's high key word: its bits with every bit flipped if negative, else the sign bit set
 * (`w1`: the float64's high storage word); -0 equals 0 and NaN sorts above +Infinity. Returned as
 * a signed int32 with the key's bits (callers shift it unsigned or store it): every branch stays
 * in int32, which measured 5-10% less CPU for the whole sort than unsigned results.
 */
export function floatHi(x: number, w1: number): number {
  if (x !== x) return 0xfff80000 | 0;
  if (x === 0) return 0x80000000 | 0;
  return w1 ^ ((w1 >> 31) | 0x80000000);
}

/** A float's low key word (`w0`: its low storage word), 0 for NaN and both zeros; signed int32. */
export function floatLo(x: number, w1: number, w0: number): number {
  if (x !== x || x === 0) return 0;
  return w0 ^ (w1 >> 31);
}

/** Counts of the top 16 bits of the keys' high words into `counts` (65,536). */
export function countHigh(k: KeyInput, counts: Uint32Array): void {
  const { segs, perm, m, flip } = k;
  if (k.float) {
    for (let g = 0; g < segs.length; g++) {
      const f = segs[g]!.data as Float64Array;
      const u = wordsOf(f);
      const len = perm === null ? segs[g]!.length : m;
      for (let i = 0; i < len; i++) {
        const p = perm === null ? i : perm[i]!;
        counts[(floatHi(f[p]!, u[2 * p + 1]!) ^ flip) >>> 16]!++;
      }
    }
    return;
  }
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

/** The least and the greatest hi (`high`) or lo key word, unsigned. */
export function rangeOf(k: KeyInput, high: boolean): [min: number, max: number] {
  const { segs, perm, m, flip, float } = k;
  // Compared as signed int32 with the sign bit flipped (the unsigned order, without doubles).
  let min = 0x7fffffff;
  let max = -0x80000000;
  const sf = 0x80000000 ^ flip;
  for (let g = 0; g < segs.length; g++) {
    const f = segs[g]!.data as Float64Array | BigInt64Array;
    const u = wordsOf(f);
    const len = perm === null ? segs[g]!.length : m;
    for (let i = 0; i < len; i++) {
      const p = perm === null ? i : perm[i]!;
      const w0 = u[2 * p]!;
      const w1 = u[2 * p + 1]!;
      let q: number;
      if (high) q = (float ? floatHi(f[p] as number, w1) : w1 ^ 0x80000000) ^ sf;
      else q = (float ? floatLo(f[p] as number, w1, w0) : w0) ^ sf;
      if (q < min) min = q;
      if (q > max) max = q;
    }
  }
  return [(min ^ 0x80000000) >>> 0, (max ^ 0x80000000) >>> 0];
}

/** The least and the greatest hi (unsigned) of the first `n` values (`n` at most m). */
export function sampleHigh(k: KeyInput, n: number): [min: number, max: number] {
  const { segs, perm, m, flip, float } = k;
  const hf = float ? flip : 0x80000000 ^ flip;
  let min = 0xffffffff;
  let max = 0;
  for (let g = 0, left = n; g < segs.length && left > 0; g++) {
    const f = segs[g]!.data as Float64Array | BigInt64Array;
    const u = wordsOf(f);
    const len = Math.min(left, perm === null ? segs[g]!.length : m);
    left -= len;
    for (let i = 0; i < len; i++) {
      const p = perm === null ? i : perm[i]!;
      const w1 = u[2 * p + 1]!;
      const h = ((float ? floatHi(f[p] as number, w1) : w1) ^ hf) >>> 0;
      if (h < min) min = h;
      if (h > max) max = h;
    }
  }
  return [min, max];
}

/**
 * Where a pass's digit lies: in the key rebased as (hi - hb, lo - lb) (the same order as
 * the key while every key's hi is at least `hb`, and `lb` is 0 unless every hi is the same), the
 * bits from bit `shift` (0..48) up (as many as the pass's mask has).
 */
export interface Digit {
  readonly shift: number;
  readonly hb: number;
  readonly lb: number;
}

/**
 * The shifts that take the 16-bit digit at bit `shift` (0..48) out of a rebased key (hi, lo):
 * `((((hi >>> hr) & hm) << hl) | ((lo >>> lr) & lm)) & 0xffff`.
 */
function digitShifts(shift: number): [hr: number, hm: number, hl: number, lr: number, lm: number] {
  if (shift >= 32) return [shift - 32, -1, 0, 0, 0];
  if (shift > 0) return [0, -1, 32 - shift, shift, -1];
  return [0, 0, 0, 0, -1];
}

/**
 * Counts of the digit `d`, masked by `mask`, into `counts` (mask + 1); returns the least and the
 * greatest rebased hi, unsigned (a hi below `d.hb` wraps to a high one).
 */
export function countDigit(
  k: KeyInput,
  d: Digit,
  mask: number,
  counts: Uint32Array,
): [min: number, max: number] {
  if (d.shift >= 32 && k.float) return countFloatsByHigh(k, d, mask, counts);
  const { segs, perm, m, flip, float } = k;
  const { hb, lb } = d;
  const [hr, hm, hl, lr, lm] = digitShifts(d.shift);
  const hf = float ? flip : 0x80000000 ^ flip;
  // Compared as signed int32 with the sign bit flipped (the unsigned order, without doubles).
  let min = 0x7fffffff;
  let max = -0x80000000;
  for (let g = 0; g < segs.length; g++) {
    const f = segs[g]!.data as Float64Array | BigInt64Array;
    const u = wordsOf(f);
    const len = perm === null ? segs[g]!.length : m;
    for (let i = 0; i < len; i++) {
      const p = perm === null ? i : perm[i]!;
      const w0 = u[2 * p]!;
      const w1 = u[2 * p + 1]!;
      let h: number;
      let l: number;
      if (float) {
        const x = f[p] as number;
        h = ((floatHi(x, w1) ^ hf) - hb) | 0;
        l = ((floatLo(x, w1, w0) ^ flip) - lb) | 0;
      } else {
        h = ((w1 ^ hf) - hb) | 0;
        l = ((w0 ^ flip) - lb) | 0;
      }
      counts[((((h >>> hr) & hm) << hl) | ((l >>> lr) & lm)) & mask]!++;
      const q = h ^ 0x80000000;
      if (q < min) min = q;
      if (q > max) max = q;
    }
  }
  return [(min ^ 0x80000000) >>> 0, (max ^ 0x80000000) >>> 0];
}

/** countDigit for floats whose digit lies in hi (prices in a narrow range): hi alone is made. */
function countFloatsByHigh(
  k: KeyInput,
  d: Digit,
  mask: number,
  counts: Uint32Array,
): [min: number, max: number] {
  const { segs, perm, m, flip } = k;
  const hr = d.shift - 32;
  const hb = d.hb;
  let min = 0x7fffffff;
  let max = -0x80000000;
  for (let g = 0; g < segs.length; g++) {
    const f = segs[g]!.data as Float64Array;
    const u = wordsOf(f);
    const len = perm === null ? segs[g]!.length : m;
    for (let i = 0; i < len; i++) {
      const p = perm === null ? i : perm[i]!;
      const h = ((floatHi(f[p]!, u[2 * p + 1]!) ^ flip) - hb) | 0;
      counts[(h >>> hr) & mask]!++;
      const q = h ^ 0x80000000;
      if (q < min) min = q;
      if (q > max) max = q;
    }
  }
  return [(min ^ 0x80000000) >>> 0, (max ^ 0x80000000) >>> 0];
}

/**
 * Each value into its bucket's next slot (`next`, by the digit `d`, masked by `mask`: 0 for one
 * bucket): floats into `vals`, int64s' words into `words` (the same bytes),
 * and its position into the same slot of `out`.
 */
export function scatter(
  k: KeyInput,
  d: Digit,
  mask: number,
  next: Uint32Array,
  vals: Float64Array,
  words: Uint32Array,
  out: Uint32Array,
): void {
  if (d.shift === 48 && d.hb === 0 && k.float) scatterFloatsByTop(k, mask, next, vals, out);
  else if (d.shift >= 32 && k.float) scatterFloatsByHigh(k, d, mask, next, vals, out);
  else if (d.shift >= 32) scatterIntsByHigh(k, d, mask, next, words, out);
  else scatterByBoth(k, d, mask, next, words, out);
}

/** scatter for floats by hi's top 16 bits (spread keys: the common case, kept to its minimum). */
function scatterFloatsByTop(
  k: KeyInput,
  mask: number,
  next: Uint32Array,
  vals: Float64Array,
  out: Uint32Array,
): void {
  const { segs, perm, m, flip } = k;
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

/** scatter for floats whose digit lies in hi: hi alone is made. */
function scatterFloatsByHigh(
  k: KeyInput,
  d: Digit,
  mask: number,
  next: Uint32Array,
  vals: Float64Array,
  out: Uint32Array,
): void {
  const { segs, perm, m, flip } = k;
  const hr = d.shift - 32;
  const hb = d.hb;
  for (let g = 0, p0 = 0; g < segs.length; g++) {
    const f = segs[g]!.data as Float64Array;
    const u = wordsOf(f);
    const len = perm === null ? segs[g]!.length : m;
    for (let i = 0; i < len; i++) {
      const p = perm === null ? i : perm[i]!;
      const x = f[p]!;
      const at = next[((((floatHi(x, u[2 * p + 1]!) ^ flip) - hb) | 0) >>> hr) & mask]!++;
      vals[at] = x;
      out[at] = p0 + p;
    }
    p0 += len;
  }
}

/** scatter for int64s whose digit lies in hi. */
function scatterIntsByHigh(
  k: KeyInput,
  d: Digit,
  mask: number,
  next: Uint32Array,
  words: Uint32Array,
  out: Uint32Array,
): void {
  const { segs, perm, m, flip } = k;
  const hf = 0x80000000 ^ flip;
  const hr = d.shift - 32;
  const hb = d.hb;
  for (let g = 0, p0 = 0; g < segs.length; g++) {
    const u = wordsOf(segs[g]!.data as BigInt64Array);
    const len = perm === null ? segs[g]!.length : m;
    for (let i = 0; i < len; i++) {
      const p = perm === null ? i : perm[i]!;
      const w1 = u[2 * p + 1]!;
      const at = next[((((w1 ^ hf) - hb) | 0) >>> hr) & mask]!++;
      words[2 * at] = u[2 * p]!;
      words[2 * at + 1] = w1;
      out[at] = p0 + p;
    }
    p0 += len;
  }
}

/** scatter by a digit below bit 32 (both words made): either type, copied as words. */
function scatterByBoth(
  k: KeyInput,
  d: Digit,
  mask: number,
  next: Uint32Array,
  words: Uint32Array,
  out: Uint32Array,
): void {
  const { segs, perm, m, flip, float } = k;
  const { hb, lb } = d;
  const [hr, hm, hl, lr, lm] = digitShifts(d.shift);
  const hf = float ? flip : 0x80000000 ^ flip;
  for (let g = 0, p0 = 0; g < segs.length; g++) {
    const f = segs[g]!.data as Float64Array | BigInt64Array;
    const u = wordsOf(f);
    const len = perm === null ? segs[g]!.length : m;
    for (let i = 0; i < len; i++) {
      const p = perm === null ? i : perm[i]!;
      const w0 = u[2 * p]!;
      const w1 = u[2 * p + 1]!;
      let h: number;
      let l: number;
      if (float) {
        const x = f[p] as number;
        h = ((floatHi(x, w1) ^ hf) - hb) | 0;
        l = ((floatLo(x, w1, w0) ^ flip) - lb) | 0;
      } else {
        h = ((w1 ^ hf) - hb) | 0;
        l = ((w0 ^ flip) - lb) | 0;
      }
      const at = next[((((h >>> hr) & hm) << hl) | ((l >>> lr) & lm)) & mask]!++;
      words[2 * at] = w0;
      words[2 * at + 1] = w1;
      out[at] = p0 + p;
    }
    p0 += len;
  }
}
