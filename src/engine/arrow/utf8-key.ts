/**
 * The key of a short ASCII value's UTF-8, as the string cache (`utf8-intern.ts`) and a column's
 * seal by bytes (`column.ts`, `#sealBytes`) both look values up: the value's 1..16 bytes read as
 * four little-endian 32-bit words, zero past its end, with its length folded into the top bits
 * that ASCII leaves zero (bit 7 of bytes 0..3 and of byte 4), so "AB" and "AB\0" differ and no
 * key is all zero (an empty entry). A lookup compares the four words whole: no per-character
 * loop, no string made.
 */

/** Longest value (in UTF-8 bytes) that has a key. */
export const MAX_KEY_BYTES = 16;

/**
 * Mask keeping the low `len & 3` bytes of a value's last word (all of it when 0). A key's words
 * are read where it is looked up, a word at a time through a DataView while the value is at
 * least MAX_KEY_BYTES from the end of its buffer, masked by this, else by `keyWordAt`. (Each
 * loop nests those reads by length itself: one shared function per word made a warm append-only
 * batch, whose seal reads a key a row, about 4 % slower.) They are
 * ASCII when `(w0 | w1 | w2 | w3) & 0x80808080` is zero; then `keyLength0` and `keyLength1` are
 * or-ed into words 0 and 1.
 */
export const KEY_TAIL = new Int32Array([-1, 0xff, 0xffff, 0xffffff]);

/** Little-endian word of the value `bytes[b, e)` at byte `q` of it (zero past its end). */
export function keyWordAt(bytes: Uint8Array, b: number, e: number, q: number): number {
  let w = 0;
  for (let j = 3; j >= 0; j--) {
    const p = b + q + j;
    w = (w << 8) | (p < e ? bytes[p]! : 0);
  }
  return w;
}

/** What a key's word 0 is or-ed with: bits 0..3 of the value's length, in bit 7 of bytes 0..3. */
export function keyLength0(len: number): number {
  return ((len & 1) << 7) | ((len & 2) << 14) | ((len & 4) << 21) | ((len & 8) << 28);
}

/** What a key's word 1 is or-ed with: bit 4 of the value's length, in bit 7 of its byte 0. */
export function keyLength1(len: number): number {
  return (len & 16) << 3;
}

/**
 * A key's hash: four independent products (no chain of multiplies to wait for), to be cut from
 * its top bits, which depend on every bit of the words (a product's low bits see only its
 * factors' low bits).
 */
export function keyHash(w0: number, w1: number, w2: number, w3: number): number {
  return (
    Math.imul(w0, 0x9e3779b1) ^
    Math.imul(w1, 0x85ebca6b) ^
    Math.imul(w2, 0xc2b2ae35) ^
    Math.imul(w3, 0x27d4eb2f)
  );
}
