/**
 * Digit helpers shared by the radix sorts of stable-sort.ts (32-bit keys) and radix64.ts (64-bit
 * keys): the widest digit a pass takes, and the bits a range of key words spans.
 */

/** The widest digit of a radix pass over memory (2^11 counters stay in the first-level cache). */
export const DIGIT_BITS = 11;

/**
 * How many low bits the words in [lo, hi] span once rebased on `lo` (rebasing keeps their order,
 * so a column of values within 2^20 of each other takes two passes, whatever their sign).
 */
export function bitsOf(lo: number, hi: number): number {
  return hi < lo ? 0 : 32 - Math.clz32(hi - lo);
}
