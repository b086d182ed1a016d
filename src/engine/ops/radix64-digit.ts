/**
 * The first (most significant) digit of radix64.ts's sort, and its counts: `firstDigit(k)`.
 *
 * Spread keys take the top 16 bits of hi, counted in one read of the values. Keys whose hi spans
 * fewer than NARROW_BITS bits (prices all in [100, 104): sign, exponent and the first mantissa
 * bits shared; timestamps of one day; small int64 ids) would fill few of those buckets, each too
 * large for the cache, so for them the digit is taken just below the bits they share, in the key
 * rebased on a low bound of hi (`hi - hb`: the same order for every hi at least `hb`; `lo - lb`
 * too when every hi is the same), FIRST_BITS wide: fewer buckets than 16 bits, because such keys
 * fill all of theirs and the scatter's write streams, not the bucket sizes, then set the time.
 * Which case applies is guessed from the first SAMPLE values: a narrow guess counts the digit for
 * a window of three times the sample's range of hi, checked (every rebased hi inside it) in the
 * same read. A miss reads the values again as spread keys, and a third time with the digit placed
 * from hi's range (to 16 bits, from those counts) if they turn out narrow; keys sharing all of hi
 * (small int64 ids, tiny subnormals) read lo's range first. So narrow and spread keys both take
 * one read before the scatter. Every key equal: null.
 */
import { bitsOf } from "./radix-digits.ts";
import type { Digit, KeyInput } from "./radix64-passes.ts";
import { countDigit, countHigh, rangeOf, sampleHigh } from "./radix64-passes.ts";

/** How many leading values guess the range of hi. */
const SAMPLE = 4096;
/**
 * Keys whose hi spans fewer bits than this are narrow: hi's top 16 bits hold fewer than 8 of
 * their varying bits (under 256 buckets). Wider ones keep the top 16 bits: a lower digit then
 * measured no faster (more write streams, one more read), floats over many exponents included.
 */
const NARROW_BITS = 24;
/** The width of a first digit below shared high bits. */
const FIRST_BITS = 10;
/**
 * A first digit of hi's top 16 bits is placed again lower when its largest bucket holds more rows
 * than this (its triples, 24 bytes a row in two arrays, outgrow a second-level cache).
 */
const BUCKET_MAX = 1 << 14;

/** A first digit and the count of every value of it. */
export interface FirstDigit {
  readonly digit: Digit;
  /** The digit's mask (its values are 0..mask). */
  readonly mask: number;
  readonly counts: Uint32Array;
}

/** The first digit for the keys of `k` (at least one row), or null when every key is equal. */
export function firstDigit(k: KeyInput): FirstDigit | null {
  const [sMin, sMax] = sampleHigh(k, Math.min(k.m, SAMPLE));
  const span = sMax - sMin + 1;
  const hb = Math.max(0, sMin - span);
  const hiBits = bitsOf(hb, Math.min(0xffffffff, sMax + span));
  if (hiBits < NARROW_BITS) {
    // Guessed narrow: count the digit for the sample's window, kept if every hi falls in it.
    const guess = below(32 + hiBits, hb, 0);
    const [min, max] = countDigit(k, guess.digit, guess.mask, guess.counts);
    if (max < 2 ** hiBits) {
      // Every hi within the window. Buckets too large for the cache when every hi is the same
      // (the window spans 2 bits of hi, the digit then takes only lo's top bits): placed again
      // from lo's range; else kept (many equal keys, or skewed ones, fill some buckets more
      // whatever the placing, and the window is at most about 2 bits wider than the keys).
      if (largest(guess.counts) <= BUCKET_MAX || min !== max) return guess;
      return placed(k, hb + min, hb + max);
    }
  }
  const top: FirstDigit = {
    digit: { shift: 48, hb: 0, lb: 0 },
    mask: 0xffff,
    counts: new Uint32Array(1 << 16),
  };
  countHigh(k, top.counts);
  // hi's range to 16 bits: narrow if its top 16 bits take fewer than 2^(NARROW_BITS - 16) values.
  let first = 0;
  while (top.counts[first] === 0) first++;
  let last = 0xffff;
  while (top.counts[last] === 0) last--;
  if (last - first >= 1 << (NARROW_BITS - 16) || largest(top.counts) <= BUCKET_MAX) return top;
  if (first < last) return placed(k, first * 0x10000, last * 0x10000 + 0xffff);
  const [hiMin, hiMax] = rangeOf(k, true);
  return placed(k, hiMin, hiMax);
}

/**
 * The first digit (counted) of keys whose hi lies in [hiMin, hiMax] (bounds), or null when every
 * key is equal.
 */
function placed(k: KeyInput, hiMin: number, hiMax: number): FirstDigit | null {
  const bits = bitsOf(hiMin, hiMax);
  let d: FirstDigit;
  if (bits > 0) d = below(32 + bits, hiMin, 0);
  else {
    const [loMin, loMax] = rangeOf(k, false);
    if (loMin === loMax) return null;
    d = below(bitsOf(loMin, loMax), hiMin, loMin);
  }
  countDigit(k, d.digit, d.mask, d.counts);
  return d;
}

/**
 * The first digit of keys rebased on (hb, lb) that span their low `bits` bits: their top
 * FIRST_BITS (fewer if they span fewer), but leaving at most 16 bits of hi below it (the buckets'
 * sort takes 16 bits below the digit, then the low words); counts zero.
 */
function below(bits: number, hb: number, lb: number): FirstDigit {
  const width = Math.min(bits, Math.max(FIRST_BITS, bits - 48));
  const mask = (1 << width) - 1;
  return {
    digit: { shift: bits - width, hb: hb | 0, lb: lb | 0 },
    mask,
    counts: new Uint32Array(mask + 1),
  };
}

/** The largest of `counts`. */
function largest(counts: Uint32Array): number {
  let most = 0;
  for (let d = 0; d < counts.length; d++) if (counts[d]! > most) most = counts[d]!;
  return most;
}
