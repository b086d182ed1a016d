/**
 * The 32-bit halves of 64-bit values (int64 and instant storage read through an Int32Array or
 * Uint32Array view, float64 bits): the platform's byte order, where each half sits, and 2^32.
 * One definition for every module that splits or joins them.
 */

/** True when the platform stores the low byte of a word first (every engine tickflare runs on). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Offsets of the low and high 32-bit words of element k at `2k + LO` and `2k + HI`. */
export const LO = LITTLE_ENDIAN ? 0 : 1;
export const HI = LITTLE_ENDIAN ? 1 : 0;
/** 2^32: a high word's weight. */
export const TWO_32 = 4294967296;

/** The Int32 (lo, hi) word view of a BigInt64Array. */
export function wordsOf(data: BigInt64Array): Int32Array {
  return new Int32Array(data.buffer, data.byteOffset, data.length * 2);
}
