/**
 * Whole-column UTF-8 encoding and decoding for Arrow string buffers.
 *
 * Calling TextEncoder/TextDecoder once per value costs far more than the bytes themselves: values
 * are encoded by an inline loop (a plain copy for ASCII), and a column chunk is decoded
 * with one TextDecoder call whose result is cut at the value boundaries (byte offsets equal UTF-16
 * offsets for ASCII; otherwise a byte walk maps them). Per-value decoding remains the fallback for
 * invalid UTF-8. Short ASCII values decoded before are taken from a byte-keyed cache
 * (`utf8-intern.ts`, two levels) without decoding; only the values it misses are decoded.
 */
import type { Vec } from "../column.ts";
import type { StringDict } from "../column-source.ts";
import { ArrowError } from "../errors.ts";
import { isStringKey } from "../keys/string-key-hints.ts";
import type { ProbeResult, Utf8Intern } from "./utf8-intern.ts";
import { COLD_INSERTS, ROUTE_LARGE, ROUTE_NONE, sharedUtf8Intern } from "./utf8-intern.ts";

// ignoreBOM: keep a leading U+FEFF in a value instead of stripping it as a byte-order mark.
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lenientDecoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

const MAX_INT32 = 0x7fffffff;

/**
 * Most bytes decoded or encoded as one text. A string of more than 128 KiB goes to V8's
 * large-object space, whose every allocation takes fresh memory from the system (page faults: on
 * the benchmark VM, decoding 290 KB of ASCII as one text took 0.9 ms, as pieces of 64 KiB 0.05
 * ms); a piece stays below it, header included.
 */
export const PIECE_BYTES = 120 << 10;

/**
 * Encodes rows `[from, from + n)` of a string column as an Arrow Utf8 body: `offsets` (n + 1
 * entries, from 0) and the UTF-8 bytes; a null row (`vec.valid[i] === 0`) is an empty value.
 * The one place a string column becomes UTF-8 (both Arrow writers call it). Encodes exactly as
 * TextEncoder does (a lone surrogate becomes U+FFFD, as UTF-8 cannot hold it), but inline: a call
 * per value would cost more than the bytes.
 */
export function encodeUtf8(
  vec: Vec,
  from: number,
  n: number,
  column: string,
): { offsets: Int32Array; bytes: Uint8Array } {
  const utf8 = vec.utf8;
  if (utf8 !== undefined && utf8 !== null) {
    // Already UTF-8 (sealed pages: `PagedColumn.readUtf8`): views when from 0, else rebased.
    const o = utf8.offsets;
    const b = o[from]!;
    const bytes = utf8.bytes.subarray(b, o[from + n]!);
    if (b === 0) return { offsets: o.subarray(from, from + n + 1), bytes };
    const offsets = new Int32Array(n + 1);
    for (let i = 0; i <= n; i++) offsets[i] = o[from + i]! - b;
    return { offsets, bytes };
  }
  const strs = vec.data as readonly string[];
  const valid = vec.valid;
  const offsets = new Int32Array(n + 1);
  let units = 0;
  for (let i = 0; i < n; i++) {
    offsets[i] = units;
    if (valid === null || valid[from + i] !== 0) units += strs[from + i]!.length;
  }
  offsets[n] = units;
  if (units > MAX_INT32) tooLarge(column);
  const ascii = encodeAscii(strs, valid, from, n, offsets);
  if (ascii !== null) return { offsets, bytes: ascii };
  let buf: Uint8Array = new Uint8Array(units + (units >> 3) + 16);
  let left = units; // UTF-16 units not yet encoded
  let o = 0;
  for (let i = 0; i < n; i++) {
    offsets[i] = o;
    if (valid !== null && valid[from + i] === 0) continue;
    const s = strs[from + i]!;
    const len = s.length;
    left -= len;
    if (o + len > buf.length) buf = grow(buf, o, o + len + left);
    let j = 0;
    for (; j < len; j++) {
      const c = s.charCodeAt(j);
      if (c >= 0x80) break;
      buf[o++] = c;
    }
    if (j < len) {
      // Worst case three bytes per remaining UTF-16 unit.
      if (o + 3 * (len - j) > buf.length) buf = grow(buf, o, o + 3 * (len - j) + left);
      o = encodeTail(s, j, buf, o);
    }
    if (o > MAX_INT32) tooLarge(column);
  }
  offsets[n] = o;
  return { offsets, bytes: buf.subarray(0, o) };
}

const encoder = new TextEncoder();

/**
 * The bytes of `strs[from..from + n)` (nulls as "") when every value is ASCII, else null
 * (`offsets`: the values' UTF-16 offsets). Byte offsets then equal UTF-16 offsets, and a native
 * `encodeInto` of the joined values replaces a loop over every character: one per piece of at
 * most PIECE_BYTES units (a longer join would be a large-object string: see PIECE_BYTES). (Joined
 * text that is not ASCII is never used: two values could join into one surrogate pair.)
 */
function encodeAscii(
  strs: readonly string[],
  valid: Uint8Array | null,
  from: number,
  n: number,
  offsets: Int32Array,
): Uint8Array | null {
  const units = offsets[n]!;
  const bytes = new Uint8Array(units);
  let i = 0;
  while (i < n) {
    let k = n;
    if (units - offsets[i]! > PIECE_BYTES) {
      const limit = offsets[i]! + PIECE_BYTES;
      k = i + 1;
      while (k < n && offsets[k + 1]! <= limit) k++;
    }
    let parts = k - i === strs.length && from === 0 ? strs : strs.slice(from + i, from + k);
    if (valid !== null) {
      const own = parts === strs ? parts.slice() : (parts as string[]);
      for (let r = i; r < k; r++) if (valid[from + r] === 0) own[r - i] = "";
      parts = own;
    }
    const joined = parts.join("");
    const to = bytes.subarray(offsets[i]!, offsets[k]!);
    const { read, written } = encoder.encodeInto(joined, to);
    if (read !== joined.length || written !== to.length) return null;
    i = k;
  }
  return bytes;
}

function grow(buf: Uint8Array, used: number, need: number): Uint8Array {
  const out = new Uint8Array(Math.max(buf.length * 2, need));
  out.set(buf.subarray(0, used));
  return out;
}

/** Encodes `s[j..]` into `buf` at `o` (room for 3 bytes per unit is ensured); returns the end. */
function encodeTail(s: string, j: number, buf: Uint8Array, o: number): number {
  const len = s.length;
  for (; j < len; j++) {
    const c = s.charCodeAt(j);
    if (c < 0x80) {
      buf[o++] = c;
    } else if (c < 0x800) {
      buf[o++] = 0xc0 | (c >> 6);
      buf[o++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      buf[o++] = 0xe0 | (c >> 12);
      buf[o++] = 0x80 | ((c >> 6) & 0x3f);
      buf[o++] = 0x80 | (c & 0x3f);
    } else {
      const d = c <= 0xdbff && j + 1 < len ? s.charCodeAt(j + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        buf[o++] = 0xf0 | (cp >> 18);
        buf[o++] = 0x80 | ((cp >> 12) & 0x3f);
        buf[o++] = 0x80 | ((cp >> 6) & 0x3f);
        buf[o++] = 0x80 | (cp & 0x3f);
        j++;
      } else {
        // Lone surrogate: U+FFFD.
        buf[o++] = 0xef;
        buf[o++] = 0xbf;
        buf[o++] = 0xbd;
      }
    }
  }
  return o;
}

function tooLarge(column: string): never {
  throw new ArrowError(
    `Column "${column}": more than 2 GiB of string data does not fit one Arrow Utf8 array`,
  );
}

/**
 * Whether the values of `column`, about to be decoded by a reader that can keep them as UTF-8
 * (`Vec.utf8`: a publisher's `addArrow` and `addJson`), should stay UTF-8: not a key column
 * (`isStringKey`: key lookups read the string cache's codes), and one whose decodes skip the
 * string cache, their values being mostly new (`Utf8Intern.passUtf8`). A column of a few
 * hundred repeated values decodes to cached strings, which cost no more than their bytes.
 */
export function passUtf8(column: string): boolean {
  return !isStringKey(column) && sharedUtf8Intern.passUtf8(column);
}

/**
 * Which Utf8 columns a reader that can keep values as their UTF-8 (`Vec.utf8`) keeps so instead
 * of decoding them: "none"; "values": those whose values are mostly new strings (`passUtf8`);
 * "nonkey": every one but a key column's (a publisher whose blink table only operators that
 * keep UTF-8 rows as bytes read: see `TableNode.bytesReadersOnly`); "all": every one (a publish
 * converted to the Arrow the Durable Object stores).
 */
export type Utf8Mode = "none" | "values" | "nonkey" | "all";

/** Whether a reader in `mode` keeps column `column`'s values as UTF-8 (see `Utf8Mode`). */
export function keptAsUtf8(mode: Utf8Mode, column: string): boolean {
  if (mode === "none") return false;
  if (mode === "all") return true;
  return mode === "nonkey" ? !isStringKey(column) : passUtf8(column);
}

/**
 * Decodes `n` values of an Arrow Utf8/LargeUtf8 body into `out[at..at + n)`. `offsets` are the
 * (already offset-adjusted) n + 1 value offsets into `bytes`. Short ASCII values seen before come
 * from `intern` (the same string object as last time, see `utf8-intern.ts`); the others are cut
 * from one TextDecoder decode of the body. Values are exactly those of a separate decode of each
 * value (invalid UTF-8 becomes U+FFFD). `codes`: a call served by the large level (which never
 * evicts) writes each row's code in that level's dictionary to `codes[at + i]` (-1: not in it) and
 * returns the dictionary; any other call returns null and leaves `codes` unspecified.
 */
export function decodeUtf8(
  bytes: Uint8Array,
  offsets: Int32Array | BigInt64Array,
  n: number,
  out: string[],
  at: number,
  column: string,
  intern: Utf8Intern | null = sharedUtf8Intern,
  codes: Int32Array | null = null,
): StringDict | null {
  if (n === 0) return null;
  const offs = offsets instanceof BigInt64Array ? toNumbers(offsets, n + 1) : offsets;
  const start = offs[0]!;
  const end = offs[n]!;
  if (start < 0 || end < start || end > bytes.length) badOffsets(column);
  if (end === start) {
    for (let i = 0; i < n; i++) out[at + i] = "";
    return null;
  }
  const route = intern === null ? ROUTE_NONE : intern.route(column);
  if (route === ROUTE_NONE) {
    decodeRows(bytes, offs, n, null, n, out, at, column);
    return null;
  }
  const small = intern!;
  if (route === ROUTE_LARGE)
    return decodeLarge(small, small.largeLevel(), bytes, offs, n, out, at, column, codes);
  const first = small.firstCall(column);
  const miss = small.probe(bytes, offs, n, end, out, at, () => badOffsets(column), !first);
  const m = miss.count;
  if (m === 0 && !miss.all) return null;
  if (miss.all) {
    const large = small.gaveUp(column);
    if (large !== null) {
      const dict = decodeLarge(small, large, bytes, offs, n, out, at, column, codes);
      // The few misses a call that gives up inserts here (`probe`), decoded by now.
      insertMisses(small, miss, out, at, end - start, m, null);
      return dict;
    }
    decodeRows(bytes, offs, n, null, n, out, at, column);
  } else decodeRows(bytes, offs, n, miss.rows, m, out, at, column);
  insertMisses(small, miss, out, at, end - start, first ? Math.min(m, COLD_INSERTS) : m, null);
  return null;
}

/**
 * A call of a column routed to `small`'s large level: every value is looked up there, the misses
 * are decoded, and as many of them as the column has credit for are inserted. With `codes`, each
 * row's code in the level's dictionary goes to `codes[at + i]` (-1: not in it) and the dictionary
 * is returned (null if the level emptied during the call: then the codes are not valid).
 */
function decodeLarge(
  small: Utf8Intern,
  large: Utf8Intern,
  bytes: Uint8Array,
  offs: ArrayLike<number>,
  n: number,
  out: string[],
  at: number,
  column: string,
  codes: Int32Array | null,
): StringDict | null {
  const end = offs[n]!;
  const dict = large.dict;
  const c = dict === null ? null : codes;
  const miss = large.probe(bytes, offs, n, end, out, at, () => badOffsets(column), false, c);
  const m = miss.count;
  if (m > 0) decodeRows(bytes, offs, n, miss.rows, m, out, at, column);
  insertMisses(large, miss, out, at, end - offs[0]!, Math.min(m, small.credit(column)), c);
  small.settle(column, miss.hits, m);
  return c !== null && large.dict === dict ? dict : null;
}

/**
 * Inserts the first `limit` of the misses `probe` left for insertion into `intern` (their strings
 * decoded into `out`); `text`: the UTF-16 length of the text they were cut from. `codes`: each
 * inserted row's code goes to `codes[at + row]`.
 */
function insertMisses(
  intern: Utf8Intern,
  miss: ProbeResult,
  out: string[],
  at: number,
  text: number,
  limit: number,
  codes: Int32Array | null,
): void {
  const rows = miss.rows;
  const sets = miss.sets;
  const words = miss.words;
  let charged = false;
  for (let j = 0; j < limit; j++) {
    const row = rows[j]!;
    const set = sets[row]!;
    if (set === 0) continue;
    const s = out[at + row]!;
    // V8 copies a slice shorter than 13 units; a longer one keeps the body's text alive.
    if (!charged && s.length >= 13) {
      intern.chargeText(text);
      charged = true;
    }
    const code = intern.insert(set - 1, words, row << 2, s);
    if (codes !== null) codes[at + row] = code;
  }
}

/**
 * Decodes the rows `rows[0..m)` (ascending; null: all `n`) of a checked, non-empty body: the
 * body is decoded in pieces of consecutive values (at most PIECE_BYTES each, or one value), each
 * as one text, which is cut at the value offsets.
 */
function decodeRows(
  bytes: Uint8Array,
  offs: ArrayLike<number>,
  n: number,
  rows: Int32Array | null,
  m: number,
  out: string[],
  at: number,
  column: string,
): void {
  const end = offs[n]!;
  let i0 = 0;
  let j = 0; // rows[j..m): the rows not yet decoded
  while (i0 < n) {
    // The rest in one piece when it fits (most bodies), else up to the piece's byte limit.
    let i1 = n;
    if (end - offs[i0]! > PIECE_BYTES) {
      const limit = offs[i0]! + PIECE_BYTES;
      i1 = i0 + 1;
      while (i1 < n && offs[i1 + 1]! <= limit) i1++;
    }
    if (rows === null) decodePiece(bytes, offs, i0, i1, end, null, i0, i1, out, at, column);
    else {
      const j0 = j;
      while (j < m && rows[j]! < i1) j++;
      if (j > j0) decodePiece(bytes, offs, i0, i1, end, rows, j0, j, out, at, column);
    }
    i0 = i1;
  }
}

/**
 * Decodes values `[i0, i1)` of the body (which ends at `end`) as one text, cut at the value
 * offsets, into `out` for the rows `rows[j0..j1)` (null: rows `j0..j1`, all of the piece).
 */
function decodePiece(
  bytes: Uint8Array,
  offs: ArrayLike<number>,
  i0: number,
  i1: number,
  end: number,
  rows: Int32Array | null,
  j0: number,
  j1: number,
  out: string[],
  at: number,
  column: string,
): void {
  const start = offs[i0]!;
  const stop = offs[i1]!;
  if (stop < start || stop > end) badOffsets(column);
  const body = bytes.subarray(start, stop);
  let text: string;
  try {
    text = strictDecoder.decode(body);
  } catch {
    decodeEach(bytes, offs, rows, j0, j1, out, at, column);
    return;
  }
  if (text.length === body.length) {
    // All ASCII: UTF-16 positions equal byte positions.
    if (rows !== null) {
      for (let j = j0; j < j1; j++) {
        const i = rows[j]!;
        out[at + i] = text.slice(offs[i]! - start, offs[i + 1]! - start);
      }
      return;
    }
    let b = start;
    for (let i = i0; i < i1; i++) {
      const e = offs[i + 1]!;
      if (e < b || e > stop) badOffsets(column);
      out[at + i] = text.slice(b - start, e - start);
      b = e;
    }
    return;
  }
  // Map byte offsets to UTF-16 offsets: each lead byte starts one code point, two units if 4-byte.
  let b = start;
  let u = 0;
  let j = j0;
  for (let i = i0; i < i1; i++) {
    const e = offs[i + 1]!;
    if (e < b || e > stop) badOffsets(column);
    if (e < stop && (bytes[e]! & 0xc0) === 0x80) {
      // A value boundary splits a code point (invalid per value): decode value by value.
      decodeEach(bytes, offs, rows, j0, j1, out, at, column);
      return;
    }
    const us = u;
    for (; b < e; b++) {
      const c = bytes[b]!;
      if ((c & 0xc0) !== 0x80) u += c >= 0xf0 ? 2 : 1;
    }
    if (rows === null || (j < j1 && rows[j] === i)) {
      out[at + i] = text.slice(us, u);
      j++;
    }
  }
}

/**
 * Fallback: decodes each of the rows `rows[j0..j1)` (null: rows `j0..j1`) separately (invalid
 * UTF-8 becomes U+FFFD).
 */
function decodeEach(
  bytes: Uint8Array,
  offs: ArrayLike<number>,
  rows: Int32Array | null,
  j0: number,
  j1: number,
  out: string[],
  at: number,
  column: string,
): void {
  for (let j = j0; j < j1; j++) {
    const i = rows === null ? j : rows[j]!;
    const s = offs[i]!;
    const e = offs[i + 1]!;
    if (e < s || e > bytes.length) badOffsets(column);
    out[at + i] = s === e ? "" : lenientDecoder.decode(bytes.subarray(s, e));
  }
}

function toNumbers(big: BigInt64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Number(big[i]!);
  return out;
}

function badOffsets(column: string): never {
  throw new ArrowError(
    `Column "${column}": string value offsets are out of order or out of bounds`,
  );
}
