/**
 * Bit-packed (Arrow: LSB first) <-> byte-per-row (engine: 0/1) conversions, for validity bitmaps
 * and Bool values. Loops go over whole bytes where the bit offset allows it.
 */

/** Population count of every byte value. */
const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1]!;

/**
 * Packs `bytes[0..n)` (any nonzero = 1) into a new bitmap, padded to a multiple of 8 bytes as
 * Arrow buffers are. Returns the bitmap and how many bits are set.
 */
export function packBits(bytes: Uint8Array, n: number): { bits: Uint8Array; ones: number } {
  const bits = new Uint8Array(((n + 63) & ~63) >> 3);
  let ones = 0;
  const full = n & ~7;
  let k = 0;
  for (let i = 0; i < full; i += 8) {
    const b =
      (bytes[i] ? 1 : 0) |
      (bytes[i + 1] ? 2 : 0) |
      (bytes[i + 2] ? 4 : 0) |
      (bytes[i + 3] ? 8 : 0) |
      (bytes[i + 4] ? 16 : 0) |
      (bytes[i + 5] ? 32 : 0) |
      (bytes[i + 6] ? 64 : 0) |
      (bytes[i + 7] ? 128 : 0);
    bits[k++] = b;
    ones += POPCOUNT[b]!;
  }
  if (full < n) {
    let b = 0;
    for (let i = full; i < n; i++) if (bytes[i]) b |= 1 << (i - full);
    bits[k] = b;
    ones += POPCOUNT[b]!;
  }
  return { bits, ones };
}

/** Unpacks bits `[bitOffset, bitOffset + n)` of `bits` into `out[at..at + n)` as 0/1 bytes. */
export function unpackBits(
  bits: Uint8Array,
  bitOffset: number,
  n: number,
  out: Uint8Array,
  at: number,
): void {
  let i = 0;
  // Leading bits up to a byte boundary.
  while (i < n && ((bitOffset + i) & 7) !== 0) {
    const p = bitOffset + i;
    out[at + i] = (bits[p >> 3]! >> (p & 7)) & 1;
    i++;
  }
  // Whole bytes.
  let byte = (bitOffset + i) >> 3;
  for (; i + 8 <= n; i += 8) {
    const b = bits[byte++]!;
    const o = at + i;
    out[o] = b & 1;
    out[o + 1] = (b >> 1) & 1;
    out[o + 2] = (b >> 2) & 1;
    out[o + 3] = (b >> 3) & 1;
    out[o + 4] = (b >> 4) & 1;
    out[o + 5] = (b >> 5) & 1;
    out[o + 6] = (b >> 6) & 1;
    out[o + 7] = b >> 7;
  }
  // Trailing bits.
  for (; i < n; i++) {
    const p = bitOffset + i;
    out[at + i] = (bits[p >> 3]! >> (p & 7)) & 1;
  }
}
