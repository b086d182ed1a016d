/**
 * The WebAssembly scan of a JSON publish body (wasm/json-rows.c, in the engine's module:
 * wasm/engine-wasm.ts): `readJsonRows` hands it every text of a schema it can read, and reads the
 * columns out of its memory.
 *
 * - It reads schemas of float64, float32, int32/16/8, int64, instant, char, string and bool
 *   columns (at most MAX_COLS, names without a 0 byte), and texts up to MAX_TEXT bytes. Anything else, and any text
 *   it does not take (see json-rows.c), is read by the JavaScript scan, which gives the same
 *   values (test/engine/json-rows-wasm.test.ts).
 * - Where the engine's WebAssembly does not run (see engine-wasm.ts), the JavaScript scan reads
 *   every text.
 * - A call lays the text and its columns out in the module's scratch area (about the text's length
 *   times the number of string columns plus 9 bytes a row a column), which only grows: a text
 *   whose layout would pass MAX_SCRATCH goes to the JavaScript scan (a Durable Object has 128 MB).
 */

import type { ColumnType } from "./types.ts";
import type { EngineWasm } from "./wasm/engine-wasm.ts";
import { engineWasm, MAX_SCRATCH } from "./wasm/engine-wasm.ts";

/** A lone surrogate (a code unit not in a pair), as a `u` regular expression sees one. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Whether `s` has no lone surrogate (so its UTF-8 gives it back). */
export function wellFormed(s: string): boolean {
  const f = (s as { isWellFormed?: () => boolean }).isWellFormed;
  return typeof f === "function" ? f.call(s) : !LONE_SURROGATE.test(s);
}

/**
 * Whether UTF-8 `b` holds U+FFFD (EF BF BD), which an encoder writes for a lone surrogate: only
 * then is the string itself checked (`wellFormed`, a pass as slow as the scan over a string of
 * two-byte characters), where a search for the byte EF is one native pass.
 */
function replaced(b: Uint8Array): boolean {
  for (let i = b.indexOf(0xef); i >= 0; i = b.indexOf(0xef, i + 1))
    if (b[i + 1] === 0xbf && b[i + 2] === 0xbd) return true;
  return false;
}

/** Column kinds as json-rows.c numbers them. */
const W_F64 = 0;
const W_F32 = 1;
const W_I32 = 2;
const W_I16 = 3;
const W_I8 = 4;
const W_I64 = 5;
const W_STR = 6;
const W_BOOL = 7;
const W_INSTANT = 8;
const W_CHAR = 9;

/** json-rows.c's limits: columns, and bytes of all names together. */
const MAX_COLS = 64;
const MAX_NAME_BYTES = 4096;
/**
 * Largest text read here (bytes); a larger one goes to the JavaScript scan. (Its columns must lay
 * out within MAX_SCRATCH too: with one string column, a text of about 3 MiB at most.)
 */
export const MAX_TEXT = 4 << 20;
/** `read`: the text has more rows than `cap`. */
export const OUT_OF_ROWS = -2;
/** `read`: a text given as a string has characters past ASCII (the caller may give its UTF-8). */
export const NOT_ASCII = -3;
/** Zeroed bytes after the text (json-rows.c reads up to 16 past any byte of it). */
const PAD = 32;

/** The scan's kinds for a schema's column types, or null when it cannot read the schema. */
export function wasmKinds(
  types: readonly ColumnType[],
  names: readonly Uint8Array[],
): Int32Array | null {
  if (types.length > MAX_COLS) return null;
  let nameBytes = 0;
  for (const n of names) {
    if (n.includes(0)) return null;
    nameBytes += n.length;
  }
  if (nameBytes > MAX_NAME_BYTES) return null;
  const kinds = new Int32Array(types.length);
  for (let c = 0; c < types.length; c++) {
    const t = types[c]!;
    const k =
      t === "float64"
        ? W_F64
        : t === "float32"
          ? W_F32
          : t === "int32"
            ? W_I32
            : t === "int16"
              ? W_I16
              : t === "int8"
                ? W_I8
                : t === "int64"
                  ? W_I64
                  : t === "string"
                    ? W_STR
                    : t === "bool"
                      ? W_BOOL
                      : t === "instant"
                        ? W_INSTANT
                        : t === "char"
                          ? W_CHAR
                          : -1;
    if (k < 0) return null;
    kinds[c] = k;
  }
  return kinds;
}

/** What a schema gives the scan (made once per schema, by json-rows.ts's plan). */
export interface WasmSchema {
  /** Column names' UTF-8 bytes, one after another; column c's at [nameAt[c], nameAt[c + 1]). */
  readonly nameBytes: Uint8Array;
  readonly nameAt: Int32Array;
  /** Per key position: the column the last row read had there (the scan updates it). */
  readonly order: Int32Array;
}

const encoder = new TextEncoder();

/** The scan, over the engine's WebAssembly. */
export class JsonRowsWasm {
  readonly #w: EngineWasm;
  /** The instance it runs on. */
  readonly engine: EngineWasm;
  /** Addresses of json-rows.c's arrays (`layout`), in 32-bit words. */
  readonly #ncols: number;
  readonly #kinds: number;
  readonly #keys: number;
  readonly #order: number;
  readonly #nameAt: number;
  readonly #names: number;
  readonly #data: number;
  readonly #valid: number;
  readonly #bytes: number;
  readonly #offs: number;
  readonly #nulls: number;
  readonly #byteLen: number;
  readonly #wide: number;
  /** Bytes of the last call's text (a string's UTF-8). */
  textBytes = 0;
  /** The schema written into the module last. */
  #schema: WasmSchema | null = null;
  /** Where the last call's columns are (byte addresses). */
  readonly #colData = new Int32Array(MAX_COLS);
  readonly #colValid = new Int32Array(MAX_COLS);
  readonly #colBytes = new Int32Array(MAX_COLS);
  readonly #colOffs = new Int32Array(MAX_COLS);

  constructor(w: EngineWasm) {
    this.#w = w;
    this.engine = w;
    const x = w.x;
    this.#ncols = x.layout(0) >> 2;
    this.#kinds = x.layout(1) >> 2;
    this.#keys = x.layout(2) >> 2;
    this.#order = x.layout(3) >> 2;
    this.#nameAt = x.layout(4) >> 2;
    this.#names = x.layout(5);
    this.#data = x.layout(6) >> 2;
    this.#valid = x.layout(7) >> 2;
    this.#bytes = x.layout(8) >> 2;
    this.#offs = x.layout(9) >> 2;
    this.#nulls = x.layout(10) >> 2;
    this.#byteLen = x.layout(11) >> 2;
    this.#wide = x.layout(12) >> 2;
  }

  /**
   * Reads `input` (a string of ASCII, or UTF-8 bytes) into at most `cap` rows of `schema`'s
   * columns, of `kinds` (its `wasmKinds`); `keyMask`: 1 for a column every row must name. Returns
   * the rows, OUT_OF_ROWS, NOT_ASCII (a string input past ASCII), or -1 when the scan does not
   * take the text or its layout would pass MAX_SCRATCH (the JavaScript scan then reads it). The columns are then read with `float64` ..
   * `offsets`, until the next call.
   */
  read(
    input: string | Uint8Array,
    schema: WasmSchema,
    kinds: Int32Array,
    keyMask: Int32Array | null,
    cap: number,
  ): number {
    const ncols = kinds.length;
    const w = this.#w;
    const textAt = w.scratch;
    let len = input.length;
    if (typeof input === "string") {
      // Its UTF-8, first (room for 3 bytes a UTF-16 unit): one byte a character when it is all
      // ASCII; else read as UTF-8 when it holds no lone surrogate (which JSON.parse keeps and
      // UTF-8 cannot). A string too long for that room here: ASCII only.
      const room = 3 * len;
      if (room + PAD <= MAX_SCRATCH && w.ensure(textAt + room + PAD)) {
        const r = encoder.encodeInto(input, w.u8.subarray(textAt, textAt + room));
        if (r.read !== len) return -1;
        if (r.written !== len && replaced(w.u8.subarray(textAt, textAt + r.written)))
          if (!wellFormed(input)) return NOT_ASCII;
        len = r.written;
      } else {
        if (!w.ensure(textAt + len + PAD)) return -1;
        const r = encoder.encodeInto(input, w.u8.subarray(textAt, textAt + len));
        if (r.read !== len || r.written !== len) return NOT_ASCII;
      }
    } else if (!w.ensure(textAt + len + PAD)) return -1;
    else w.u8.set(input, textAt);
    this.textBytes = len;
    // The layout: the text and its pad, then per column its data, validity and, for a string
    // column, its bytes (the text's length and 16 to spare) and offsets.
    let at = textAt + ((len + PAD + 15) & ~15);
    for (let c = 0; c < ncols; c++) {
      const k = kinds[c]!;
      this.#colData[c] = at;
      at += k === W_F64 || k === W_I64 || k === W_INSTANT ? 8 * cap : k === W_BOOL ? cap : 4 * cap;
      at = (at + 15) & ~15;
      this.#colValid[c] = at;
      at = (at + cap + 15) & ~15;
      if (k === W_STR) {
        this.#colBytes[c] = at;
        at = (at + len + PAD + 15) & ~15;
        this.#colOffs[c] = at;
        at = (at + 4 * (cap + 1) + 15) & ~15;
      } else {
        this.#colBytes[c] = 0;
        this.#colOffs[c] = 0;
      }
    }
    if (at - textAt > MAX_SCRATCH || !w.ensure(at)) return -1;
    const u8 = w.u8;
    const i32 = w.i32;
    u8.fill(0, textAt + len, textAt + len + PAD);
    if (this.#schema !== schema) {
      i32[this.#ncols] = ncols;
      i32.set(kinds, this.#kinds);
      i32.set(schema.nameAt, this.#nameAt);
      u8.set(schema.nameBytes, this.#names);
      w.x.prepare();
      this.#schema = schema;
    }
    i32.set(schema.order, this.#order);
    for (let c = 0; c < ncols; c++) {
      i32[this.#keys + c] = keyMask === null ? 0 : keyMask[c]!;
      i32[this.#data + c] = this.#colData[c]!;
      i32[this.#valid + c] = this.#colValid[c]!;
      i32[this.#bytes + c] = this.#colBytes[c]!;
      i32[this.#offs + c] = this.#colOffs[c]!;
    }
    const n = w.x.read(textAt, len, cap);
    if (n >= 0) schema.order.set(i32.subarray(this.#order, this.#order + ncols));
    return n;
  }

  /** The last call's float64 column `c` (`n` rows). */
  float64(c: number, n: number): Float64Array {
    return new Float64Array(this.#w.buffer, this.#colData[c]!, n);
  }

  /** The last call's float32 column `c`. */
  float32(c: number, n: number): Float32Array {
    return new Float32Array(this.#w.buffer, this.#colData[c]!, n);
  }

  /**
   * The last call's int32/16/8 or char column `c`, as int32; an int64 or instant column's halves
   * with 2n.
   */
  int32(c: number, n: number): Int32Array {
    return this.#w.i32.subarray(this.#colData[c]! >> 2, (this.#colData[c]! >> 2) + n);
  }

  /** The last call's bool column `c` (0 or 1 a row). */
  bools(c: number, n: number): Uint8Array {
    return this.#w.u8.subarray(this.#colData[c]!, this.#colData[c]! + n);
  }

  /** The last call's validity of column `c` (1 a row with a value, 0 a null). */
  valid(c: number, n: number): Uint8Array {
    return this.#w.u8.subarray(this.#colValid[c]!, this.#colValid[c]! + n);
  }

  /** Whether a value of the last call's string column `c` holds a byte past ASCII. */
  wide(c: number): boolean {
    return this.#w.i32[this.#wide + c] !== 0;
  }

  /** Nulls the last call read in column `c`. */
  nulls(c: number): number {
    return this.#w.i32[this.#nulls + c]!;
  }

  /** The last call's string column `c`: its values' bytes. */
  bytes(c: number): Uint8Array {
    const at = this.#colBytes[c]!;
    return this.#w.u8.subarray(at, at + this.#w.i32[this.#byteLen + c]!);
  }

  /** The last call's string column `c`: its n + 1 offsets. */
  offsets(c: number, n: number): Int32Array {
    const at = this.#colOffs[c]! >> 2;
    return this.#w.i32.subarray(at, at + n + 1);
  }
}

/** The scan over the engine's WebAssembly instance, made for it on first use. */
let scan: JsonRowsWasm | null = null;

/** The WebAssembly scan, or null where the engine's WebAssembly does not run. */
export function jsonRowsWasm(): JsonRowsWasm | null {
  const w = engineWasm();
  if (w === null) return null;
  if (scan === null || scan.engine !== w) scan = new JsonRowsWasm(w);
  return scan;
}
