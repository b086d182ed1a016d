/**
 * UTF-8 well-formedness, as the WHATWG decoder (a fatal TextDecoder) takes it: the router's JSON
 * body check (`src/worker/json-check.ts`) and the engine's open UTF-8 pages, which keep a
 * publish's bytes only when a decode would give them back byte for byte (column.ts).
 */

/** The position after the well-formed UTF-8 sequence led by `c = b[i]` (>= 0x80), or -1. */
export function skipUtf8(b: Uint8Array, i: number, n: number, c: number): number {
  // Second byte's range by lead byte (the WHATWG decoder's: no overlongs, surrogates or > U+10FFFF).
  let lo = 0x80;
  let hi = 0xbf;
  let more: number;
  if (c >= 0xc2 && c <= 0xdf) more = 1;
  else if (c >= 0xe0 && c <= 0xef) {
    more = 2;
    if (c === 0xe0) lo = 0xa0;
    else if (c === 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    more = 3;
    if (c === 0xf0) lo = 0x90;
    else if (c === 0xf4) hi = 0x8f;
  } else return -1;
  if (i + more >= n) return -1;
  const second = b[i + 1]!;
  if (second < lo || second > hi) return -1;
  for (let k = 2; k <= more; k++) {
    const x = b[i + k]!;
    if (x < 0x80 || x > 0xbf) return -1;
  }
  return i + more + 1;
}

/**
 * Whether bytes `[from, to)` of `b` are all ASCII: the bytes before a 4-aligned address one by one,
 * then 32-bit words four a step (a typed array's loads, faster in V8 than a DataView's), then the
 * bytes after the last whole word.
 */
function isAscii(b: Uint8Array, from: number, to: number): boolean {
  let acc = 0;
  let i = from;
  const head = Math.min(to, i + ((4 - ((b.byteOffset + i) & 3)) & 3));
  for (; i < head; i++) acc |= b[i]!;
  const words = (to - i) >> 2;
  if (words > 0) {
    const w = new Int32Array(b.buffer, b.byteOffset + i, words);
    let k = 0;
    for (; k + 4 <= words; k += 4) acc |= w[k]! | w[k + 1]! | w[k + 2]! | w[k + 3]!;
    for (; k < words; k++) acc |= w[k]!;
    i += words << 2;
  }
  for (; i < to; i++) acc |= b[i]!;
  return (acc & 0x80808080) === 0;
}

/** Whether bytes `[from, to)` of `b` are well-formed UTF-8 (all ASCII is checked first). */
export function isUtf8(b: Uint8Array, from: number, to: number): boolean {
  if (isAscii(b, from, to)) return true;
  let i = from;
  while (i < to) {
    const c = b[i]!;
    i = c < 0x80 ? i + 1 : skipUtf8(b, i, to, c);
    if (i < 0) return false;
  }
  return true;
}
