/**
 * A JSON publish body (an array of row objects) read straight into columns, without `JSON.parse`
 * making an object per row, a heap number per float and a string per value.
 *
 * `readJsonRows` scans the text's UTF-8 bytes once, guided by the schema: a row's keys are matched
 * against the column names' bytes (first the column at the same place in the row before), numbers
 * are parsed from their digits into the column's typed array, string values are copied into one
 * byte buffer per column and then decoded as an Arrow Utf8 column is (`arrow/utf8.ts`: the same
 * string cache, so a symbol seen before is the same string object, and a key column's rows get
 * dictionary codes).
 *
 * It is a fast path, not a second parser: it accepts only a subset of JSON whose meaning it can
 * give exactly, and answers null for anything else, so the caller goes on with `JSON.parse` and
 * the per-value conversion (`values-to-vec.ts`), which then gives the values or the error. What it
 * returns is identical to that path's Vecs for the same text (property-tested in
 * test/engine/json-rows.test.ts; with a `utf8` mode, a string column it keeps (`keptAsUtf8`: one the
 * string cache has given up on, say) comes as its UTF-8 instead, `Vec.utf8`: the same values,
 * test/engine/utf8-pages.test.ts):
 *
 * - the text is `[`, row objects separated by commas, `]`, with JSON whitespace anywhere between
 *   tokens; a row's keys are column names (no escapes), each at most once; a column a row leaves
 *   out is null there, unless it is one of `keys` (then the answer is null, and the caller's
 *   check reports the row);
 * - a value is `null`, or a number for a float or integer column (for an integer column, one
 *   that the conversion takes as it is: a safe integer for int64 and instant, in range for the
 *   narrower ones; a float32 column's within float32's range), a string of printable ASCII without
 *   escapes for a string column, an instant string `coerceStrict` accepts for an instant column
 *   (a canonical one in the same second as the last one parsed is that second plus its fraction,
 *   as values-to-vec.ts does), a decimal string `coerceStrict` accepts for an int64 column (the JSON
 *   form of one beyond 2^53), a one-character printable-ASCII string for a char column, or `true` /
 *   `false` for a bool column;
 * - a number is read exactly as `JSON.parse` reads it: up to 2^53 of significant digits scaled by
 *   at most 10^-22 (a fraction, no exponent) is one correctly rounded IEEE division of two exact
 *   values (Clinger's fast path), which is what the correctly rounded conversion gives; any other
 *   number is converted from its text by `Number`, as `JSON.parse` does (the WebAssembly scan
 *   converts a float column's numbers of up to 18 digits with any exponent itself, exactly:
 *   wasm/json-rows.c, `decimalToDouble`);
 * - a string given as a JS string must be all ASCII (so its bytes are its characters);
 *   `Uint8Array` input may carry other UTF-8 in keys but not in string values (the WebAssembly
 *   scan reads a JS string past ASCII as its UTF-8, when it has no lone surrogate);
 * - except that the WebAssembly scan (where it runs) also reads a string value's escapes (a
 *   surrogate pair as one character; not a lone surrogate, which UTF-8 cannot hold) and its
 *   UTF-8, as `JSON.parse` of the decoded text reads them.
 *
 * Anything else (an unknown key, a duplicate key, a string in a number column, an escape or a
 * non-ASCII value the WebAssembly scan does not read, an array column's value, invalid JSON)
 * gives null. A schema whose text needed
 * the slow path gets the next `SKIP_CALLS` calls sent there without scanning, so a stream of such
 * bodies pays for one wasted scan in nine.
 */

import type { Utf8Mode } from "./arrow/utf8.ts";
import { decodeUtf8, keptAsUtf8 } from "./arrow/utf8.ts";
import { sharedUtf8Intern } from "./arrow/utf8-intern.ts";
import type { StringDict, Vec } from "./column-source.ts";
import { NO_STRINGS } from "./column-source.ts";
import type { JsonRowsWasm } from "./json-rows-wasm.ts";
import {
  jsonRowsWasm,
  MAX_TEXT,
  NOT_ASCII,
  OUT_OF_ROWS,
  wasmKinds,
  wellFormed,
} from "./json-rows-wasm.ts";
import type { ColumnType, Schema } from "./types.ts";
import { allocStorage, coerceStrict } from "./types.ts";
import { CanonicalSecond, F32_MAX } from "./values-to-vec.ts";
import { HI, LO, TWO_32 } from "./words.ts";

/** Calls of a schema sent straight to the slow path after one of its texts needed it. */
export const SKIP_CALLS = 8;

const K_F64 = 0;
const K_F32 = 1;
const K_SMALL = 2;
const K_I64 = 3;
const K_STR = 4;
const K_BOOL = 5;
/** Only null is read here (array columns): any other value goes to the slow path. */
const K_OTHER = 6;
const K_CHAR = 7;

const TWO_53 = 9007199254740992;
/** Exact powers of ten: 10^0 .. 10^22 are all representable. */
const POW10 = Float64Array.from({ length: 23 }, (_, i) => 10 ** i);

/** What the scan needs of a schema, made once per schema object. */
class Plan {
  readonly names: string[];
  readonly kinds: Int32Array;
  /** int32 / int16 / int8: shift that truncates to the type's width (0, 16, 24). */
  readonly shifts: Int32Array;
  /** Column names' UTF-8 bytes, one after another; column c's at [nameAt[c], nameAt[c + 1]). */
  readonly nameBytes: Uint8Array;
  readonly nameAt: Int32Array;
  readonly types: ColumnType[];
  /**
   * Per column: its name and closing quote as two little-endian words, masked (`keyMask0/1`) to
   * the token's length, when that is at most 8 bytes (`keyShort`); longer names are compared
   * byte by byte.
   */
  readonly keyWord0: Int32Array;
  readonly keyWord1: Int32Array;
  readonly keyMask0: Int32Array;
  readonly keyMask1: Int32Array;
  readonly keyShort: Uint8Array;
  /** Per column: the last canonical instant string's second, or null (not an instant column). */
  readonly seconds: (InstantSecond | null)[];
  /** String columns' byte and offset buffers, kept for the next call (up to KEEP_BYTES). */
  readonly strBytes: (Uint8Array | null)[];
  readonly strOffs: (Int32Array | null)[];
  /** Per key position: the column the last row read had there (schema order at first). */
  readonly order: Int32Array;
  /** Column buffers of released results (`JsonRows.release`), taken by the next texts. */
  readonly spare: Out[] = [];
  /** The WebAssembly scan's kinds of the columns, or null when it cannot read the schema. */
  readonly wasmKinds: Int32Array | null;
  /** Calls left that go straight to the slow path. */
  skip = 0;
  /**
   * Calls left that skip the WebAssembly scan: after a text it gave to the JavaScript scan (an
   * int64 as a string, say), the schema's next SKIP_CALLS texts go straight there, so a stream of such
   * texts is not scanned twice.
   */
  wasmSkip = 0;
  /** Bytes per row of the last text read (to size the columns of the next). */
  bytesPerRow = 32;

  constructor(schema: Schema) {
    this.names = Object.keys(schema);
    const n = this.names.length;
    this.types = this.names.map((k) => schema[k]!);
    this.kinds = new Int32Array(n);
    this.shifts = new Int32Array(n);
    const enc = new TextEncoder();
    const encoded = this.names.map((k) => enc.encode(k));
    this.nameAt = new Int32Array(n + 1);
    for (let c = 0; c < n; c++) this.nameAt[c + 1] = this.nameAt[c]! + encoded[c]!.length;
    this.nameBytes = new Uint8Array(this.nameAt[n]!);
    this.keyWord0 = new Int32Array(n);
    this.keyWord1 = new Int32Array(n);
    this.keyMask0 = new Int32Array(n);
    this.keyMask1 = new Int32Array(n);
    this.keyShort = new Uint8Array(n);
    this.order = Int32Array.from({ length: n }, (_, c) => c);
    this.seconds = this.types.map((t) => (t === "instant" ? new InstantSecond() : null));
    this.strBytes = new Array<Uint8Array | null>(n).fill(null);
    this.strOffs = new Array<Int32Array | null>(n).fill(null);
    for (let c = 0; c < n; c++) {
      this.nameBytes.set(encoded[c]!, this.nameAt[c]!);
      const token = [...encoded[c]!, 34];
      if (token.length <= 8) {
        this.keyShort[c] = 1;
        for (let i = 0; i < token.length; i++) {
          const sh = (i & 3) * 8;
          if (i < 4) {
            this.keyWord0[c]! |= token[i]! << sh;
            this.keyMask0[c]! |= 0xff << sh;
          } else {
            this.keyWord1[c]! |= token[i]! << sh;
            this.keyMask1[c]! |= 0xff << sh;
          }
        }
      }
      const t = this.types[c]!;
      this.kinds[c] =
        t === "float64"
          ? K_F64
          : t === "float32"
            ? K_F32
            : t === "int32" || t === "int16" || t === "int8"
              ? K_SMALL
              : t === "int64" || t === "instant"
                ? K_I64
                : t === "string"
                  ? K_STR
                  : t === "bool"
                    ? K_BOOL
                    : t === "char"
                      ? K_CHAR
                      : K_OTHER;
      this.shifts[c] = t === "int16" ? 16 : t === "int8" ? 24 : 0;
    }
    this.wasmKinds = wasmKinds(this.types, encoded);
  }
}

const plans = new WeakMap<Schema, Plan>();

function planOf(schema: Schema): Plan {
  let p = plans.get(schema);
  if (p === undefined) {
    p = new Plan(schema);
    plans.set(schema, p);
  }
  return p;
}

/**
 * The input's bytes with a 0 after them (no JSON token contains 0, so every loop stops there) and
 * at least `PAD` more bytes, so that a word read at any byte of the input stays in the buffer.
 */
let scratch = new Uint8Array(1 << 16);
let scratchView = new DataView(scratch.buffer);
const PAD = 16;
/** Per byte: 1 if it may appear as is in a string value read here (printable ASCII but " and \\). */
const PLAIN = Uint8Array.from({ length: 256 }, (_, x) =>
  x >= 32 && x <= 126 && x !== 34 && x !== 92 ? 1 : 0,
);
/** Largest string buffer a schema keeps between calls (bytes). */
const KEEP_BYTES = 1 << 20;
/** Largest scratch kept between calls. */
const MAX_SCRATCH = 1 << 24;
const encoder = new TextEncoder();
const latin1 = new TextDecoder("latin1");

/** The columns being filled, grown together. */
class Out {
  cap: number;
  readonly nums: (
    | Float64Array
    | Float32Array
    | Int32Array
    | Int16Array
    | Int8Array
    | Uint8Array
    | Uint16Array
  )[];
  /** int64 / instant columns: the data, and an Int32Array view of its halves. */
  readonly wides: (BigInt64Array | null)[];
  readonly halves: (Int32Array | null)[];
  readonly valid: (Uint8Array | null)[];
  /** String columns: value bytes, their length so far, and n + 1 offsets. */
  readonly strBytes: (Uint8Array | null)[];
  readonly strLen: Int32Array;
  readonly strOffs: (Int32Array | null)[];
  /**
   * String columns: 1 when a value holds a byte past ASCII (the WebAssembly scan reads escapes
   * and UTF-8; the JavaScript scan takes printable ASCII only).
   */
  readonly strWide: Uint8Array;
  /** String columns: the decoded values' array of the last result made with this Out. */
  readonly strData: (string[] | null)[];
  /** Per column: 1 + the last row that gave it a value. */
  readonly seen: Int32Array;
  /**
   * The last result's number and int64 Vecs (null for string columns), each with the storage and
   * validity it views and its length: a result of as many rows over the same buffers hands out
   * the same Vec objects again (nothing allocated for them per text).
   */
  readonly vecCache: (Vec | null)[] = [];
  readonly vecSrc: (ArrayBufferView | null)[] = [];
  readonly vecValid: (Uint8Array | null)[] = [];
  vecRows = -1;
  /** String columns: the codes array of the last result made with this Out (see `finish`). */
  readonly codes: (Int32Array | null)[] = [];
  /**
   * String columns given as UTF-8 (`finish` with `utf8Values`): their byte and offset buffers,
   * which the result's vectors view, so the schema gets them back only at `release`.
   */
  readonly lentBytes: (Uint8Array | null)[] = [];
  readonly lentOffs: (Int32Array | null)[] = [];

  /** `textBytes`: the input's length, which no column's string bytes can exceed. */
  constructor(plan: Plan, cap: number, textBytes: number) {
    const n = plan.names.length;
    this.cap = cap;
    this.nums = [];
    this.wides = [];
    this.halves = [];
    this.valid = [];
    this.strBytes = new Array<Uint8Array | null>(n).fill(null);
    this.strOffs = new Array<Int32Array | null>(n).fill(null);
    this.strData = new Array<string[] | null>(n).fill(null);
    this.strLen = new Int32Array(n);
    this.strWide = new Uint8Array(n);
    this.seen = new Int32Array(n);
    const empty = new Uint8Array(0);
    for (let c = 0; c < n; c++) {
      const k = plan.kinds[c]!;
      const t = plan.types[c]!;
      const wide = k === K_I64 ? (allocStorage(t, cap) as BigInt64Array) : null;
      const fixed = k !== K_I64 && k !== K_STR && k !== K_OTHER;
      this.nums.push(fixed ? (allocStorage(t, cap) as Out["nums"][number]) : empty);
      this.wides.push(wide);
      this.halves.push(wide === null ? null : new Int32Array(wide.buffer));
      this.valid.push(null);
    }
    this.reuse(plan, textBytes);
  }

  /**
   * Ready for a text of `textBytes` bytes (also a released Out's next one: its number columns
   * are reused, each slot written again, a null's with zero; nulls and string state start
   * afresh).
   */
  reuse(plan: Plan, textBytes: number): this {
    const n = plan.names.length;
    this.strLen.fill(0);
    this.strWide.fill(0);
    this.seen.fill(0);
    for (let c = 0; c < n; c++) {
      this.valid[c] = null;
      if (plan.kinds[c] !== K_STR) continue;
      // String buffers are only read while the call decodes them: the last call's are reused.
      // Each holds the whole text's length, so the scan never checks for room.
      const sb = plan.strBytes[c];
      const so = plan.strOffs[c];
      this.strBytes[c] = sb && sb.length >= textBytes ? sb : new Uint8Array(textBytes);
      this.strOffs[c] = so && so.length >= this.cap + 1 ? so : new Int32Array(this.cap + 1);
    }
    return this;
  }

  /** Room for at least `rows` rows. */
  grow(rows: number): void {
    const cap = Math.max(rows, this.cap * 2);
    for (let c = 0; c < this.nums.length; c++) {
      const a = this.nums[c]!;
      if (a.length > 0) {
        const b = new (a.constructor as new (n: number) => typeof a)(cap);
        b.set(a as never);
        this.nums[c] = b;
      }
      const w = this.wides[c];
      if (w) {
        const b = new BigInt64Array(cap);
        b.set(w);
        this.wides[c] = b;
        this.halves[c] = new Int32Array(b.buffer);
      }
      const v = this.valid[c];
      if (v) {
        const b = new Uint8Array(cap).fill(1);
        b.set(v);
        this.valid[c] = b;
      }
      // Offsets may be a longer buffer kept from an earlier call: only rows [0, cap] are in use.
      const o = this.strOffs[c];
      if (o && o.length < cap + 1) {
        const b = new Int32Array(cap + 1);
        b.set(o.subarray(0, this.cap + 1));
        this.strOffs[c] = b;
      }
    }
    this.cap = cap;
  }

  /** Row `row` of column `c` is null. */
  setNull(c: number, row: number): void {
    let v = this.valid[c];
    if (!v) {
      v = new Uint8Array(this.cap).fill(1);
      this.valid[c] = v;
    }
    v[row] = 0;
    // Zero under a null, as a new column holds (a reused one holds the value of an earlier text).
    const a = this.nums[c]!;
    if (a.length > 0) a[row] = 0;
    const h = this.halves[c];
    if (h) {
      h[2 * row] = 0;
      h[2 * row + 1] = 0;
    }
  }
}

/** The value the last `number` call read (a typed array: a double returned would be boxed). */
const NUM = new Float64Array(1);

/**
 * Reads the JSON number at `p` (its first byte is `-` or a digit) into `NUM[0]`; returns the
 * position of the byte after it, or -1 when the text there is not a JSON number. Kept small so
 * that V8 inlines it: numbers with an exponent or too many digits go to `slowNumber`.
 */
function number(b: Uint8Array, p: number, text: string | null): number {
  const start = p;
  const neg = b[p] === 45;
  if (neg) p++;
  let x = b[p]! - 48;
  if (!(x >= 0 && x <= 9)) return -1;
  let m = x;
  x = b[++p]! - 48;
  if (m === 0) {
    if (x >= 0 && x <= 9) return -1; // a leading zero
  } else {
    while (x >= 0 && x <= 9) {
      m = m * 10 + x;
      x = b[++p]! - 48;
    }
  }
  let scale = 0;
  if (x === -2) {
    // "."
    x = b[++p]! - 48;
    if (!(x >= 0 && x <= 9)) return -1;
    do {
      m = m * 10 + x;
      scale--;
      x = b[++p]! - 48;
    } while (x >= 0 && x <= 9);
  }
  if (x === 53 || x === 21 || m >= TWO_53 || scale < -22) return slowNumber(b, start, p, text);
  const v = scale < 0 ? m / POW10[-scale]! : m;
  NUM[0] = neg ? -v : v;
  return p;
}

/**
 * `number` for a number with an exponent (`e`/`E` at `p`) or too many digits for one exact
 * operation: its mantissa `b[start..p)` is valid; reads the exponent and converts the text.
 */
function slowNumber(b: Uint8Array, start: number, p: number, text: string | null): number {
  let c = b[p];
  if (c === 101 || c === 69) {
    c = b[++p];
    if (c === 43 || c === 45) c = b[++p];
    let x = c! - 48;
    if (!(x >= 0 && x <= 9)) return -1;
    do x = b[++p]! - 48;
    while (x >= 0 && x <= 9);
  }
  // The text's own conversion, which is JSON.parse's (correctly rounded).
  NUM[0] = Number(textOf(b, start, p, text));
  return p;
}

/** The ASCII text of bytes [start, end): cut from the input string, or decoded from the bytes. */
function textOf(b: Uint8Array, start: number, end: number, text: string | null): string {
  return text !== null ? text.slice(start, end) : latin1.decode(b.subarray(start, end));
}

/** The closing quote of the string opening at `p`, if all it holds is printable ASCII; else -1. */
function closingQuote(b: Uint8Array, p: number): number {
  let q = p + 1;
  while (PLAIN[b[q]!] === 1) q++;
  return b[q] === 34 ? q : -1;
}

/**
 * `coerceStrict(type, s)` into row `n` of an int64 / instant column (`h`: its 32-bit halves);
 * the value, or null when coerceStrict refuses it (the slow path then reports the error).
 */
function coerceInto(
  type: "int64" | "instant",
  s: string,
  h: Int32Array,
  n: number,
  column: string,
): bigint | null {
  let v: bigint;
  try {
    v = coerceStrict(type, s, { column, row: n }) as bigint;
  } catch {
    return null;
  }
  new BigInt64Array(h.buffer, h.byteOffset, h.length >> 1)[n] = v;
  return v;
}

/**
 * An instant column's last canonical ISO string (`2024-05-01T13:30:00.25Z`): its second's bytes
 * (`YYYY-MM-DDTHH:MM:SS`) and nanoseconds (values-to-vec.ts's CanonicalSecond, which
 * `coerceStrict` parsed). A later string of that second and a canonical fraction is that second
 * plus the fraction, without parsing it again.
 */
class InstantSecond {
  readonly canonical = new CanonicalSecond();
  readonly bytes = new Uint8Array(19);
  /** `bytes[0..16)` as four little-endian 32-bit words, compared with a value's first 16 bytes. */
  readonly words = new Int32Array(4);
  /** The `canonical.second` the bytes are of. */
  of = "";

  /** Takes the second `canonical` remembered last, if it is not the one held already. */
  take(): void {
    const second = this.canonical.second;
    if (second === "" || this.of === second) return;
    for (let i = 0; i < 19; i++) this.bytes[i] = second.charCodeAt(i);
    const v = new DataView(this.bytes.buffer);
    for (let k = 0; k < 4; k++) this.words[k] = v.getInt32(4 * k, true);
    this.of = second;
  }
}

/**
 * Reads the instant string at `p` (its opening quote) into row `n` of `h` (an int64 column's
 * 32-bit halves); returns the position after its closing quote, or -1 if it is not printable
 * ASCII without escapes or `coerceStrict` refuses it (then the slow path reports the error).
 */
function instantText(
  b: Uint8Array,
  view: DataView,
  p: number,
  h: Int32Array,
  n: number,
  sec: InstantSecond,
  text: string | null,
  column: string,
): number {
  const st = p + 1;
  const cs = sec.canonical;
  // `sec.bytes` and `sec.words` are those of `cs.second` whenever it is set (`take`, at the end).
  // The second's 19 bytes lie within the text (`view` reaches past its end), the rest is read
  // through `b`, which ends one byte after the text (a zero).
  if (cs.second !== "" && st + 19 < b.length) {
    const w = sec.words;
    const c = sec.bytes;
    if (
      view.getInt32(st, true) === w[0] &&
      view.getInt32(st + 4, true) === w[1] &&
      view.getInt32(st + 8, true) === w[2] &&
      view.getInt32(st + 12, true) === w[3] &&
      b[st + 16] === c[16] &&
      b[st + 17] === c[17] &&
      b[st + 18] === c[18]
    ) {
      // "Z" or "." and 1..9 digits then "Z", then the closing quote.
      let i = st + 19;
      let f = 0;
      let x = b[i]!;
      let digits = -1;
      if (x === 46) {
        digits = 0;
        x = b[++i]!;
        while (digits < 9 && x >= 48 && x <= 57) {
          f = f * 10 + (x - 48);
          digits++;
          x = b[++i]!;
        }
        for (let k = digits; k < 9; k++) f *= 10;
      }
      if (x === 90 && b[i + 1] === 34 && digits !== 0) {
        const lo = cs.lo + f;
        const carry = lo >= TWO_32 ? 1 : 0;
        h[2 * n + LO] = lo | 0;
        h[2 * n + HI] = cs.hi + carry;
        return i + 2;
      }
    }
  }
  const q = closingQuote(b, p);
  if (q < 0) return -1;
  const s = textOf(b, st, q, text);
  const ns = coerceInto("instant", s, h, n, column);
  if (ns === null) return -1;
  cs.remember(s, ns);
  sec.take();
  return q + 1;
}

/**
 * Reads the string at `p` (its opening quote), an int64 column's value, through `coerceStrict`
 * into row `n` of `h` (the column's 32-bit halves); returns the position after its closing quote,
 * or -1 if it is not printable ASCII without escapes or `coerceStrict` refuses it.
 */
function int64Text(
  b: Uint8Array,
  p: number,
  h: Int32Array,
  n: number,
  text: string | null,
  column: string,
): number {
  const q = closingQuote(b, p);
  if (q < 0 || coerceInto("int64", textOf(b, p + 1, q, text), h, n, column) === null) return -1;
  return q + 1;
}

/** The first byte at or after `p` that is not JSON whitespace. */
function ws(b: Uint8Array, p: number): number {
  let c = b[p]!;
  while (c === 32 || c === 10 || c === 13 || c === 9) c = b[++p]!;
  return p;
}

/** Released results whose buffers a schema keeps for its next texts. */
const MAX_SPARE = 4;

/**
 * What `readJsonRows` read: one Vec per schema column (in schema order) of `length` rows. The
 * number columns are views of buffers that the next texts of the schema may reuse once the
 * holder calls `release()` (the publisher does, after its cycle copied the rows into pages).
 */
export class JsonRows {
  readonly vecs: Vec[];
  readonly length: number;
  #plan: Plan | null;
  #out: Out | null;

  /** @internal */
  constructor(vecs: Vec[], length: number, plan: Plan, out: Out) {
    this.vecs = vecs;
    this.length = length;
    this.#plan = plan;
    this.#out = out;
  }

  /** The vectors are no longer read: their buffers may be filled by the next text. */
  release(): void {
    const plan = this.#plan;
    const out = this.#out;
    this.#plan = null;
    this.#out = null;
    if (plan === null || out === null) return;
    for (let c = 0; c < out.lentBytes.length; c++) {
      const sb = out.lentBytes[c] ?? null;
      const so = out.lentOffs[c] ?? null;
      out.lentBytes[c] = null;
      out.lentOffs[c] = null;
      if (sb !== null && plan.strBytes[c] === null && sb.length <= KEEP_BYTES)
        plan.strBytes[c] = sb;
      if (so !== null && plan.strOffs[c] === null && so.length <= KEEP_BYTES / 4)
        plan.strOffs[c] = so;
    }
    // At most KEEP_BYTES of columns (8 bytes a slot at most) each: a Durable Object's memory is
    // small, and a large text is rare.
    if (plan.spare.length < MAX_SPARE && out.cap * plan.names.length * 8 <= KEEP_BYTES)
      plan.spare.push(out);
  }
}

/** `separator`'s answer when the byte after a value is neither `,` nor the closing one. */
const BAD_SEPARATOR = -1;

/**
 * What follows a value at `p` (after blanks): a `,` gives the position after it and the blanks
 * that follow (>= 0); the closing byte `close` (`}` after a field, `]` after a row) gives
 * `~(position after it)` (<= -2); anything else BAD_SEPARATOR.
 */
function separator(b: Uint8Array, p: number, close: number): number {
  let sep = b[p];
  if (sep! <= 32) {
    p = ws(b, p);
    sep = b[p];
  }
  if (sep === 44) return b[++p]! <= 32 ? ws(b, p) : p;
  if (sep === close) return ~(p + 1);
  return BAD_SEPARATOR;
}

/**
 * Reads a JSON array of row objects into one Vec per schema column (in schema order), or
 * answers null when the text is outside what this reader takes (see the module header): then
 * `JSON.parse` and `vecFromRows` give the result, or the error. `keys`: columns every row must
 * name (an input table's keys): a row without one gives null.
 */
export function readJsonRows(
  input: string | Uint8Array,
  schema: Schema,
  keys: readonly string[] = [],
  utf8: Utf8Mode = "none",
): JsonRows | null {
  const plan = planOf(schema);
  if (plan.skip > 0) {
    plan.skip--;
    return null;
  }
  const got = scan(input, plan, keys, utf8);
  if (got === null) plan.skip = SKIP_CALLS;
  return got;
}

function scan(
  input: string | Uint8Array,
  plan: Plan,
  keys: readonly string[],
  utf8: Utf8Mode,
): JsonRows | null {
  const len = input.length;
  if (plan.wasmSkip > 0) plan.wasmSkip--;
  else if (plan.wasmKinds !== null && len <= MAX_TEXT) {
    const wasm = jsonRowsWasm();
    if (wasm !== null) {
      const got = wasmRows(wasm, input, plan, plan.wasmKinds, keys, utf8);
      if (got !== null) return got;
      plan.wasmSkip = SKIP_CALLS;
    }
  }
  return scanInJs(input, plan, keys, utf8);
}

/** `scan`'s JavaScript reading (`rows`) of `input`. */
function scanInJs(
  input: string | Uint8Array,
  plan: Plan,
  keys: readonly string[],
  utf8: Utf8Mode,
): JsonRows | null {
  const len = input.length;
  if (scratch.length < len + 1 + PAD) {
    scratch = new Uint8Array(Math.max(len + 1 + PAD, scratch.length * 2));
    scratchView = new DataView(scratch.buffer);
  }
  const buf = scratch;
  let text: string | null = null;
  if (typeof input === "string") {
    // All ASCII: one byte a character, so encodeInto fills exactly `len` bytes.
    // (Into the whole buffer, no view of it: a text with any other character writes more bytes
    // than it reads, or fills the buffer first.) Else its UTF-8, read as bytes, when it has no
    // lone surrogate (which JSON.parse keeps and UTF-8 cannot).
    const r = encoder.encodeInto(input, buf);
    if (r.read !== len || r.written !== len)
      return wellFormed(input)
        ? scanInJs(encoder.encode(input), plan, keys, utf8)
        : done(buf, null);
    text = input;
  } else buf.set(input);
  buf[len] = 0;
  const b = buf.subarray(0, len + 1);
  const got = rows(b, scratchView, len, plan, keys, text, utf8);
  return done(buf, got);
}

/** Drops an outsized scratch buffer; returns `got`. */
function done<T>(buf: Uint8Array, got: T): T {
  if (buf.length > MAX_SCRATCH) {
    scratch = new Uint8Array(1 << 16);
    scratchView = new DataView(scratch.buffer);
  }
  return got;
}

/**
 * `rows` for a value that is not a plain string or number of its column: null, an int64 or
 * instant as text, a char, a bool (or anything else: -1, the slow path). Returns the position
 * after the value, or -1.
 */
function otherValue(
  b: Uint8Array,
  view: DataView,
  p: number,
  ch: number,
  c: number,
  n: number,
  stamp: number,
  out: Out,
  plan: Plan,
  text: string | null,
): number {
  const k = plan.kinds[c]!;
  if (ch === 110) {
    // null
    if (b[p + 1] !== 117 || b[p + 2] !== 108 || b[p + 3] !== 108) return -1;
    out.setNull(c, n);
    if (k === K_STR) out.strOffs[c]![stamp] = out.strLen[c]!;
    return p + 4;
  }
  if (ch === 34 && k === K_I64) {
    // An instant as ISO text, or an int64 beyond 2^53 as a decimal string.
    const sec = plan.seconds[c] ?? null;
    return sec !== null
      ? instantText(b, view, p, out.halves[c]!, n, sec, text, plan.names[c]!)
      : int64Text(b, p, out.halves[c]!, n, text, plan.names[c]!);
  }
  if (k === K_CHAR) {
    // A one-character string: its code.
    const x = b[p + 1]!;
    if (ch !== 34 || PLAIN[x] === 0 || b[p + 2] !== 34) return -1;
    (out.nums[c] as Uint16Array)[n] = x;
    return p + 3;
  }
  if (k === K_BOOL) {
    if (ch === 116 && b[p + 1] === 114 && b[p + 2] === 117 && b[p + 3] === 101) {
      (out.nums[c] as Uint8Array)[n] = 1;
      return p + 4;
    }
    if (ch === 102 && b[p + 1] === 97 && b[p + 2] === 108 && b[p + 3] === 115 && b[p + 4] === 101) {
      (out.nums[c] as Uint8Array)[n] = 0;
      return p + 5;
    }
  }
  return -1;
}

/**
 * `keys` as a mask of the plan's columns (1: every row must name it); null for no keys, undefined
 * when one is not a column (the slow path then reports it).
 */
function keyMaskOf(plan: Plan, keys: readonly string[]): Int32Array | null | undefined {
  if (keys.length === 0) return null;
  const mask = new Int32Array(plan.names.length);
  for (const k of keys) {
    const c = plan.names.indexOf(k);
    if (c < 0) return undefined;
    mask[c] = 1;
  }
  return mask;
}

/**
 * The text read by the WebAssembly scan (json-rows-wasm.ts), its columns copied into an `Out` as
 * the JavaScript scan would have filled it; null when that scan does not take the text (the
 * JavaScript scan then reads it, and gives the same answer for any text both read).
 */
function wasmRows(
  wasm: JsonRowsWasm,
  input: string | Uint8Array,
  plan: Plan,
  kinds: Int32Array,
  keys: readonly string[],
  utf8: Utf8Mode,
): JsonRows | null {
  const keyMask = keyMaskOf(plan, keys);
  if (keyMask === undefined) return null;
  const len = input.length;
  let cap = Math.max(16, Math.ceil(len / plan.bytesPerRow) + 8);
  let n = wasm.read(input, plan, kinds, keyMask, cap);
  if (n === NOT_ASCII) {
    // A string past ASCII: the module reads its UTF-8 (its strings' escapes and UTF-8 are read
    // there), unless it holds a lone surrogate, which JSON.parse keeps and UTF-8 cannot.
    if (typeof input !== "string" || !wellFormed(input)) return null;
    return wasmRows(wasm, encoder.encode(input), plan, kinds, keys, utf8);
  }
  // (The text's bytes: a string's UTF-8 can be longer than the string.)
  const bytes = n === -1 ? len : wasm.textBytes;
  // Shorter rows than the last text's: twice the rows, up to what the text can hold (a row takes
  // at least 3 bytes, "{}" and a separator). Not that bound at once: its columns could lay out
  // past MAX_SCRATCH, and a text of slightly shorter rows would go to the JavaScript scan.
  const most = Math.ceil(bytes / 3) + 2;
  while (n === OUT_OF_ROWS && cap < most) {
    cap = Math.min(2 * cap, most);
    n = wasm.read(input, plan, kinds, keyMask, cap);
  }
  if (n < 0) return null;
  const spare = plan.spare.pop();
  const out =
    spare !== undefined ? spare.reuse(plan, bytes) : new Out(plan, Math.max(16, n), bytes);
  if (out.cap < n) out.grow(n);
  for (let c = 0; c < kinds.length; c++) {
    const k = plan.kinds[c]!;
    if (k === K_STR) {
      const sb = wasm.bytes(c);
      out.strBytes[c]!.set(sb);
      out.strLen[c] = sb.length;
      out.strWide[c] = wasm.wide(c) ? 1 : 0;
      out.strOffs[c]!.set(wasm.offsets(c, n));
    } else if (k === K_I64) out.halves[c]!.set(wasm.int32(c, 2 * n));
    else if (k === K_F64) (out.nums[c] as Float64Array).set(wasm.float64(c, n));
    else if (k === K_F32) (out.nums[c] as Float32Array).set(wasm.float32(c, n));
    else if (k === K_BOOL) (out.nums[c] as Uint8Array).set(wasm.bools(c, n));
    else (out.nums[c] as Int32Array | Int16Array | Int8Array).set(wasm.int32(c, n));
    if (wasm.nulls(c) > 0) {
      const v = new Uint8Array(out.cap);
      v.set(wasm.valid(c, n));
      out.valid[c] = v;
    }
  }
  if (n > 0) plan.bytesPerRow = Math.max(4, Math.floor(bytes / n));
  return new JsonRows(finish(plan, out, n, utf8), n, plan, out);
}

function rows(
  b: Uint8Array,
  view: DataView,
  len: number,
  plan: Plan,
  keys: readonly string[],
  text: string | null,
  utf8: Utf8Mode,
): JsonRows | null {
  const ncols = plan.names.length;
  const kinds = plan.kinds;
  const shifts = plan.shifts;
  const nameBytes = plan.nameBytes;
  const nameAt = plan.nameAt;
  const keyWord0 = plan.keyWord0;
  const keyWord1 = plan.keyWord1;
  const keyMask0 = plan.keyMask0;
  const keyMask1 = plan.keyMask1;
  const keyShort = plan.keyShort;
  const order = plan.order;
  const keyMask = keyMaskOf(plan, keys);
  if (keyMask === undefined) return null;
  const cap = Math.max(16, Math.ceil(len / plan.bytesPerRow) + 8);
  const spare = plan.spare.pop();
  const out = spare !== undefined ? spare.reuse(plan, len) : new Out(plan, cap, len);
  if (out.cap < cap) out.grow(cap);
  const seen = out.seen;
  const nums = out.nums;
  const halves = out.halves;
  const strLen = out.strLen;
  const strBytes = out.strBytes;
  const strOffs = out.strOffs;
  let n = 0;
  let p = ws(b, 0);
  if (b[p] !== 91) return null; // [
  p = ws(b, p + 1);
  if (b[p] === 93) p++;
  else {
    for (;;) {
      if (b[p] !== 123) return null; // {
      if (b[++p]! <= 32) p = ws(b, p);
      if (n === out.cap) out.grow(n + 1);
      const stamp = n + 1;
      let given = 0;
      if (b[p] === 125) p++;
      else {
        let f = 0;
        for (;;) {
          if (b[p] !== 34) return null; // "
          p++;
          // The key: first the column that was the f-th key of the row before (rows of one text
          // repeat their key order, whatever it is), then the others in schema order.
          const guess = f < ncols ? order[f]! : 0;
          let c = guess;
          let tried = 0;
          for (;;) {
            if (keyShort[c] === 1) {
              if (
                (view.getInt32(p, true) & keyMask0[c]!) === keyWord0[c]! &&
                (view.getInt32(p + 4, true) & keyMask1[c]!) === keyWord1[c]!
              ) {
                p += nameAt[c + 1]! - nameAt[c]! + 1;
                break;
              }
            } else {
              const a = nameAt[c]!;
              const l = nameAt[c + 1]! - a;
              let i = 0;
              while (i < l && b[p + i] === nameBytes[a + i]) i++;
              if (i === l && b[p + l] === 34) {
                p += l + 1;
                break;
              }
            }
            if (++tried === ncols) return null; // not a column (or an escape in the key)
            c = c + 1 === ncols ? 0 : c + 1;
          }
          if (seen[c] === stamp) return null; // a key given twice
          seen[c] = stamp;
          given++;
          if (c !== guess) order[f] = c; // (f < ncols here: a row has each column at most once)
          f++;
          if (b[p] !== 58) {
            p = ws(b, p);
            if (b[p] !== 58) return null; // :
          }
          let ch = b[++p]!;
          if (ch <= 32) {
            p = ws(b, p);
            ch = b[p]!;
          }
          const k = kinds[c]!;
          if (k === K_STR && ch === 34) {
            let s = strLen[c]!;
            const dst = strBytes[c]!;
            p++;
            // Four bytes at a time while all four are plain, then byte by byte to the closing
            // quote. A byte's top bit in the test marks: w - 0x20.. a byte below 0x20 or above
            // 0x9f, w + 0x01.. one above 0x7e, the other two a quote or a backslash (a zero byte
            // of w ^ byte). A borrow or carry only marks bytes above one marked already, so the
            // test is exact (checked over all 2^32 words).
            for (;;) {
              const w = view.getInt32(p, true);
              const q = w ^ 0x22222222;
              const e = w ^ 0x5c5c5c5c;
              if (
                ((w - 0x20202020) |
                  (w + 0x01010101) |
                  ((q - 0x01010101) & ~q) |
                  ((e - 0x01010101) & ~e)) &
                0x80808080
              )
                break;
              dst[s] = w;
              dst[s + 1] = w >> 8;
              dst[s + 2] = w >> 16;
              dst[s + 3] = w >> 24;
              s += 4;
              p += 4;
            }
            let x = b[p]!;
            while (x !== 34) {
              if (PLAIN[x] === 0) return null; // control, non-ASCII, an escape, the end
              dst[s++] = x;
              x = b[++p]!;
            }
            p++;
            strLen[c] = s;
            strOffs[c]![stamp] = s;
          } else if (k <= K_I64 && (ch === 45 || (ch >= 48 && ch <= 57))) {
            p = number(b, p, text);
            if (p < 0) return null;
            const v = NUM[0]!;
            if (k === K_F64) (nums[c] as Float64Array)[n] = v;
            else if (k === K_I64) {
              if (!Number.isSafeInteger(v)) return null;
              const h = halves[c]!;
              h[2 * n + LO] = v | 0;
              h[2 * n + HI] = Math.floor(v / TWO_32);
            } else if (k === K_SMALL) {
              const sh = shifts[c]!;
              if ((v << sh) >> sh !== v) return null; // not an integer in the type's range
              (nums[c] as Int32Array)[n] = v;
            } else {
              if (v > F32_MAX || v < -F32_MAX) return null;
              (nums[c] as Float32Array)[n] = v;
            }
          } else {
            // Nulls and the rarer kinds, out of line (a smaller loop compiles sooner).
            p = otherValue(b, view, p, ch, c, n, stamp, out, plan, text);
            if (p < 0) return null;
          }
          const q = separator(b, p, 125);
          if (q >= 0) {
            p = q;
            continue;
          }
          if (q === BAD_SEPARATOR) return null;
          p = ~q;
          break;
        }
      }
      if (given < ncols) {
        for (let c = 0; c < ncols; c++) {
          if (seen[c] === stamp) continue;
          if (keyMask !== null && keyMask[c] === 1) return null;
          out.setNull(c, n);
          if (kinds[c] === K_STR) strOffs[c]![stamp] = strLen[c]!;
        }
      }
      n++;
      const q = separator(b, p, 93);
      if (q >= 0) {
        p = q;
        continue;
      }
      if (q === BAD_SEPARATOR) return null;
      p = ~q;
      break;
    }
  }
  p = ws(b, p);
  if (p !== len) return null; // more after the array
  if (n > 0) {
    plan.bytesPerRow = Math.max(4, Math.floor(len / n));
  }
  return new JsonRows(finish(plan, out, n, utf8), n, plan, out);
}

/**
 * The filled columns as Vecs of exactly `n` rows (views of the storage; strings decoded, or those
 * of a column `utf8` keeps (`keptAsUtf8`) given as their UTF-8: `Vec.utf8`).
 */
function finish(plan: Plan, out: Out, n: number, utf8: Utf8Mode): Vec[] {
  const vecs: Vec[] = [];
  for (let c = 0; c < plan.names.length; c++) {
    const k = plan.kinds[c]!;
    const v = out.valid[c];
    if (k === K_STR) {
      const valid = v ? v.subarray(0, n) : null;
      const name = plan.names[c]!;
      if (keptAsUtf8(utf8, name)) {
        // Lent to the vector until `release` (the schema's next text takes other buffers).
        const sb = out.strBytes[c]!;
        const so = out.strOffs[c]!;
        out.lentBytes[c] = sb;
        out.lentOffs[c] = so;
        plan.strBytes[c] = null;
        plan.strOffs[c] = null;
        vecs.push({
          data: NO_STRINGS,
          valid,
          length: n,
          // (Printable ASCII unless a value had an escape or UTF-8: see `strWide`.)
          utf8: {
            offsets: so.subarray(0, n + 1),
            bytes: sb.subarray(0, out.strLen[c]!),
            ascii: out.strWide[c] === 0,
          },
        });
        continue;
      }
      // A released result's array of exactly n strings is filled again (every row is written).
      let data = out.strData[c] ?? null;
      if (data === null || data.length !== n) {
        data = new Array<string>(n).fill("");
        out.strData[c] = data;
      }
      // (A released result's codes array of exactly n rows is filled again: every row's code is
      // written.)
      let codes: Int32Array | null = null;
      if (sharedUtf8Intern.credit(name) > 0) {
        codes = out.codes[c] ?? null;
        if (codes === null || codes.length !== n) {
          codes = new Int32Array(n);
          out.codes[c] = codes;
        }
      }
      const dict: StringDict | null = decodeUtf8(
        out.strBytes[c]!,
        out.strOffs[c]!,
        n,
        data,
        0,
        name,
        sharedUtf8Intern,
        codes,
      );
      const sb = out.strBytes[c]!;
      const so = out.strOffs[c]!;
      plan.strBytes[c] = sb.length <= KEEP_BYTES ? sb : null;
      plan.strOffs[c] = so.length <= KEEP_BYTES / 4 ? so : null;
      const vec: Vec = { data, valid, length: n };
      if (dict !== null && codes !== null) {
        vec.codes = codes;
        vec.dict = dict;
      }
      vecs.push(vec);
    } else if (k === K_OTHER) {
      // Every value was null (anything else went to the slow path).
      vecs.push({
        data: allocStorage(plan.types[c]!, n),
        valid: v ? v.subarray(0, n) : null,
        length: n,
      });
    } else {
      const src = k === K_I64 ? out.wides[c]! : out.nums[c]!;
      let vec = out.vecCache[c] ?? null;
      if (vec === null || out.vecRows !== n || out.vecSrc[c] !== src || out.vecValid[c] !== v) {
        vec = { data: src.subarray(0, n), valid: v ? v.subarray(0, n) : null, length: n };
        out.vecCache[c] = vec;
        out.vecSrc[c] = src;
        out.vecValid[c] = v;
      }
      vecs.push(vec);
    }
  }
  out.vecRows = n;
  return vecs;
}
