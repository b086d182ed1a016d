/**
 * Whether a publish body's UTF-8 bytes are one JSON array of objects, by a single scan that makes
 * nothing: no string, no row object, no number. The router checks every JSON body before it wakes
 * a Durable Object (body.ts), and the object then reads the bytes straight into columns
 * (engine/json-rows.ts); decoding the text and `JSON.parse` building every row only to check it
 * cost the Worker most of a JSON publish's CPU.
 *
 * The scan follows RFC 8259 (ECMA-404, the grammar `JSON.parse` takes) and UTF-8 as a fatal
 * `TextDecoder` takes it, with one direction of doubt only: `true` means `JSON.parse` of the
 * decoded text gives an array whose every element is a non-null, non-array object. `false` means
 * "not shown": the caller parses the text as before, which accepts what the scan leaves out (a
 * leading byte order mark, which the decoder strips) and otherwise names the error exactly.
 *
 * Nesting inside rows (array cells, objects the schema check will refuse) is followed with a
 * stack of container kinds, one byte a level, grown as deep as the body goes.
 */
import { skipUtf8 } from "../engine/utf8-check.ts";
import type { EngineWasm } from "../engine/wasm/engine-wasm.ts";
import { engineWasm, MAX_SCRATCH } from "../engine/wasm/engine-wasm.ts";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const MINUS = 0x2d;

/** Bytes that stop the plain run of a string: the quote, backslash, controls and non-ASCII. */
const STRING_STOP = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) STRING_STOP[c] = 1;
for (let c = 0x80; c < 0x100; c++) STRING_STOP[c] = 1;
STRING_STOP[QUOTE] = 1;
STRING_STOP[BACKSLASH] = 1;

/** 1 for the characters that may follow a backslash (other than `u`). */
const SIMPLE_ESCAPE = new Uint8Array(256);
for (const ch of '"\\/bfnrt') SIMPLE_ESCAPE[ch.charCodeAt(0)] = 1;

/** 1 for hexadecimal digits. */
const HEX = new Uint8Array(256);
for (const ch of "0123456789abcdefABCDEF") HEX[ch.charCodeAt(0)] = 1;

/** Container kinds on the nesting stack. */
const IN_ARRAY = 0;
const IN_OBJECT = 1;

let stack = new Uint8Array(64);

/**
 * True when `bytes` are, whole, a JSON array of objects (see the module header). On the engine's
 * WebAssembly where it runs (engine/wasm/json-check.c: the same answers, a string's plain bytes 16
 * at a time), else (or for nesting past the module's depth) by the scan below.
 */
export function isJsonArrayOfObjects(bytes: Uint8Array): boolean {
  const w = engineWasm();
  if (w !== null) {
    const r = checkOnModule(w, bytes);
    if (r !== UNKNOWN) return r === 1;
  }
  return scanArrayOfObjects(bytes);
}

/** json-check.c's answer for nesting deeper than it follows (and ours for a body too large). */
const UNKNOWN = 2;
/** Zero bytes json-check.c needs after the body (it reads up to 16 past any byte). */
const PAD = 16;

/**
 * `jsonCheck` of the module on `bytes`: 1, 0, or UNKNOWN (also when its memory cannot take them).
 * @internal Exported for tests.
 */
export function checkOnModule(w: EngineWasm, bytes: Uint8Array): number {
  const n = bytes.length;
  const at = w.scratch;
  if (n + PAD > MAX_SCRATCH || !w.ensure(at + n + PAD)) return UNKNOWN;
  const u8 = w.u8;
  u8.set(bytes, at);
  u8.fill(0, at + n, at + n + PAD);
  return w.x.jsonCheck(at, n);
}

/** `isJsonArrayOfObjects` by a JavaScript scan. */
function scanArrayOfObjects(bytes: Uint8Array): boolean {
  const n = bytes.length;
  let i = skipSpace(bytes, 0, n);
  if (i >= n || bytes[i] !== OPEN_ARRAY) return false;
  i = skipSpace(bytes, i + 1, n);
  if (i < n && bytes[i] === CLOSE_ARRAY) return skipSpace(bytes, i + 1, n) === n;
  for (;;) {
    if (i >= n || bytes[i] !== OPEN_OBJECT) return false;
    i = skipValue(bytes, i, n);
    if (i < 0) return false;
    i = skipSpace(bytes, i, n);
    if (i >= n) return false;
    const c = bytes[i];
    if (c === COMMA) i = skipSpace(bytes, i + 1, n);
    else if (c === CLOSE_ARRAY) return skipSpace(bytes, i + 1, n) === n;
    else return false;
  }
}

function skipSpace(b: Uint8Array, i: number, n: number): number {
  if (i < n && b[i]! > 0x20) return i;
  while (i < n) {
    const c = b[i]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/**
 * The end of the JSON value starting at `b[i]` (no space before it), or -1 when the bytes from
 * `i` are not one.
 */
function skipValue(b: Uint8Array, i: number, n: number): number {
  let depth = 0;
  for (;;) {
    // A value starts at i.
    i = skipSpace(b, i, n);
    if (i >= n) return -1;
    const c = b[i]!;
    if (c === QUOTE) {
      i = skipString(b, i + 1, n);
    } else if (c === MINUS || (c >= 0x30 && c <= 0x39)) {
      i = skipNumber(b, i, n);
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      i = skipSpace(b, i + 1, n);
      if (i >= n) return -1;
      if (b[i] === (c === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY)) {
        i++;
      } else {
        if (depth === stack.length) {
          const grown = new Uint8Array(depth * 2);
          grown.set(stack);
          stack = grown;
        }
        stack[depth++] = c === OPEN_OBJECT ? IN_OBJECT : IN_ARRAY;
        if (c === OPEN_OBJECT) {
          i = skipKey(b, i, n);
          if (i < 0) return -1;
        }
        continue;
      }
    } else if (c === 0x74) {
      // true
      i = b[i + 1] === 0x72 && b[i + 2] === 0x75 && b[i + 3] === 0x65 ? i + 4 : -1;
    } else if (c === 0x66) {
      // false
      i =
        b[i + 1] === 0x61 && b[i + 2] === 0x6c && b[i + 3] === 0x73 && b[i + 4] === 0x65
          ? i + 5
          : -1;
    } else if (c === 0x6e) {
      // null
      i = b[i + 1] === 0x75 && b[i + 2] === 0x6c && b[i + 3] === 0x6c ? i + 4 : -1;
    } else {
      return -1;
    }
    if (i < 0) return -1;
    // After a value: close containers until a comma starts the next value, or the outer value ends.
    for (;;) {
      if (depth === 0) return i;
      i = skipSpace(b, i, n);
      if (i >= n) return -1;
      const d = b[i]!;
      const kind = stack[depth - 1]!;
      if (d === COMMA) {
        i++;
        if (kind === IN_OBJECT) {
          i = skipKey(b, skipSpace(b, i, n), n);
          if (i < 0) return -1;
        }
        break;
      }
      if (d !== (kind === IN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY)) return -1;
      depth--;
      i++;
    }
  }
}

/** The position after `"key" :` starting at `b[i]`, or -1. */
function skipKey(b: Uint8Array, i: number, n: number): number {
  if (i >= n || b[i] !== QUOTE) return -1;
  i = skipString(b, i + 1, n);
  if (i < 0) return -1;
  i = skipSpace(b, i, n);
  return i < n && b[i] === COLON ? i + 1 : -1;
}

/** The position after the closing quote of a string whose contents start at `b[i]`, or -1. */
function skipString(b: Uint8Array, i: number, n: number): number {
  for (;;) {
    let c = 0;
    while (i < n) {
      c = b[i]!;
      if (STRING_STOP[c] !== 0) break;
      i++;
    }
    if (i >= n) return -1;
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) {
      const e = b[i + 1];
      if (e === undefined) return -1;
      if (SIMPLE_ESCAPE[e] === 1) i += 2;
      else if (
        e === 0x75 &&
        HEX[b[i + 2] ?? 0] === 1 &&
        HEX[b[i + 3] ?? 0] === 1 &&
        HEX[b[i + 4] ?? 0] === 1 &&
        HEX[b[i + 5] ?? 0] === 1
      )
        i += 6;
      else return -1;
    } else if (c < 0x20) {
      return -1;
    } else {
      i = skipUtf8(b, i, n, c);
      if (i < 0) return -1;
    }
  }
}

/** The position after the number starting at `b[i]` (a minus or a digit), or -1. */
function skipNumber(b: Uint8Array, i: number, n: number): number {
  if (b[i] === MINUS) i++;
  if (i >= n) return -1;
  const first = b[i]!;
  if (first === 0x30) i++;
  else if (first >= 0x31 && first <= 0x39) i = skipDigits(b, i + 1, n);
  else return -1;
  if (i < n && b[i] === 0x2e) {
    const start = i + 1;
    i = skipDigits(b, start, n);
    if (i === start) return -1;
  }
  if (i < n && (b[i] === 0x65 || b[i] === 0x45)) {
    i++;
    if (i < n && (b[i] === 0x2b || b[i] === MINUS)) i++;
    const start = i;
    i = skipDigits(b, start, n);
    if (i === start) return -1;
  }
  return i;
}

function skipDigits(b: Uint8Array, i: number, n: number): number {
  while (i < n) {
    const c = b[i]!;
    if (c < 0x30 || c > 0x39) break;
    i++;
  }
  return i;
}

/**
 * An NDJSON body (one object a line, blank lines skipped) as the bytes of the JSON array of its
 * lines' objects, or null when the scan cannot show that every non-blank line is exactly one
 * object between JSON spaces (the caller then parses line by line, which names the bad line).
 * The array's bytes are the objects' own, joined by commas: what `[${lines.join(",")}]` of the
 * trimmed lines would hold.
 */
export function ndjsonAsJsonArray(bytes: Uint8Array): Uint8Array | null {
  const n = bytes.length;
  const spans: number[] = [];
  let total = 2;
  let i = skipSpace(bytes, 0, n);
  while (i < n) {
    if (bytes[i] !== OPEN_OBJECT) return null;
    const start = i;
    i = skipValue(bytes, i, n);
    if (i < 0) return null;
    // One line each: the object holds no line break (only a JSON space can be one).
    if (bytes.subarray(start, i).indexOf(0x0a) >= 0) return null;
    spans.push(start, i);
    total += i - start + 1;
    while (i < n && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0d)) i++;
    if (i < n && bytes[i] !== 0x0a) return null;
    i = skipSpace(bytes, i, n);
  }
  const out = new Uint8Array(spans.length === 0 ? 2 : total - 1);
  out[0] = OPEN_ARRAY;
  let o = 1;
  for (let k = 0; k < spans.length; k += 2) {
    if (k > 0) out[o++] = COMMA;
    out.set(bytes.subarray(spans[k]!, spans[k + 1]!), o);
    o += spans[k + 1]! - spans[k]!;
  }
  out[o] = CLOSE_ARRAY;
  return out;
}
