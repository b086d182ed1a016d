/**
 * Exact 64-bit integer helpers that avoid creating a BigInt per row.
 *
 * A BigInt64Array is read and written through an Int32Array alias of the same buffer: a value
 * is `hi * 2^32 + (lo >>> 0)`. Batches whose values all lie within +/-2^53 are converted to a
 * Float64Array of exact integers (the `l` representation) and computed with plain doubles;
 * others stay BigInt64Array (`L`) and use the word-pair routines below (add, subtract,
 * negate, compare) or, for multiply and remainder, BigInt arithmetic.
 */

import { HI, LO, TWO_32 } from "../words.ts";

/** 2^-32: multiplying by it is exact, and faster than dividing by 2^32. */
const INV_TWO32 = 1 / TWO_32;
/** Largest magnitude a result of the `l` path may have and still be known exact. */
export const MAX_SAFE = 9007199254740991;
/** High words of values within [-2^53, 2^53): the range the `l` representation accepts. */
const HI_MIN = -2097152;
const HI_MAX = 2097151;

/** 2^63, exactly representable as a double. */
const TWO63 = 2 ** 63;

export const MIN_LONG = -(2n ** 63n);
export const MAX_LONG = 2n ** 63n - 1n;

/** The Int32Array alias of a BigInt64Array (two words per element). */
export function words(a: BigInt64Array): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, a.length * 2);
}

/** Rows [0, n) of `a` as exact doubles, or null if some value lies beyond +/-2^53. */
export function bigToF(a: BigInt64Array, n: number): Float64Array | null {
  const w = words(a);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const hi = w[2 * i + HI]!;
    if (hi < HI_MIN || hi > HI_MAX) return null;
    out[i] = hi * TWO_32 + (w[2 * i + LO]! >>> 0);
  }
  return out;
}

/** Rows [0, n) of exact integer doubles (|v| <= 2^63) as a fresh BigInt64Array. */
export function fToBig(a: Float64Array, n: number): BigInt64Array {
  const out = new BigInt64Array(n);
  const w = words(out);
  // The low word goes through a Uint32Array alias: storing a double in [0, 2^32) there is
  // much faster than truncating it to int32 first.
  const u = new Uint32Array(out.buffer, out.byteOffset, n * 2);
  for (let i = 0; i < n; i++) {
    const v = a[i]!;
    const hi = Math.floor(v * INV_TWO32);
    u[2 * i + LO] = v - hi * TWO_32;
    w[2 * i + HI] = hi;
  }
  return out;
}

/** Rows [0, n) of a BigInt64Array as doubles, rounded to nearest like Java's (double) cast. */
export function bigToDouble(a: BigInt64Array, n: number): Float64Array {
  const w = words(a);
  const out = new Float64Array(n);
  // hi * 2^32 is exact, so the sum rounds once: the correctly rounded value.
  for (let i = 0; i < n; i++) out[i] = w[2 * i + HI]! * TWO_32 + (w[2 * i + LO]! >>> 0);
  return out;
}

/** Word-pair 64-bit addition with wrap-around, no BigInt. */
export function addPairs(a: BigInt64Array, b: BigInt64Array, n: number): BigInt64Array {
  const out = new BigInt64Array(n);
  const x = words(a),
    y = words(b),
    z = words(out);
  for (let i = 0; i < n; i++) {
    const lo = (x[2 * i + LO]! >>> 0) + (y[2 * i + LO]! >>> 0);
    z[2 * i + LO] = lo | 0;
    z[2 * i + HI] = (x[2 * i + HI]! + y[2 * i + HI]! + (lo > 0xffffffff ? 1 : 0)) | 0;
  }
  return out;
}

/** Word-pair 64-bit subtraction with wrap-around, no BigInt. */
export function subPairs(a: BigInt64Array, b: BigInt64Array, n: number): BigInt64Array {
  const out = new BigInt64Array(n);
  const x = words(a),
    y = words(b),
    z = words(out);
  for (let i = 0; i < n; i++) {
    const lo = (x[2 * i + LO]! >>> 0) - (y[2 * i + LO]! >>> 0);
    z[2 * i + LO] = lo | 0;
    z[2 * i + HI] = (x[2 * i + HI]! - y[2 * i + HI]! - (lo < 0 ? 1 : 0)) | 0;
  }
  return out;
}

/** Word-pair 64-bit negation with wrap-around (-MIN_LONG is MIN_LONG, as in Java). */
export function negPairs(a: BigInt64Array, n: number): BigInt64Array {
  const out = new BigInt64Array(n);
  const x = words(a),
    z = words(out);
  for (let i = 0; i < n; i++) {
    const lo = x[2 * i + LO]!;
    z[2 * i + LO] = -lo | 0;
    z[2 * i + HI] = (~x[2 * i + HI]! + (lo === 0 ? 1 : 0)) | 0;
  }
  return out;
}

/** Converts a double to long as Java's (long) cast: NaN is 0, out-of-range values saturate. */
export function doubleToLong(v: number): bigint {
  if (v !== v) return 0n;
  if (v >= TWO63) return MAX_LONG;
  if (v <= -TWO63) return MIN_LONG;
  return BigInt(Math.trunc(v));
}
