/**
 * The string cache's large level on the engine's WebAssembly (cache.c), for `Utf8Intern.probe`
 * (../arrow/utf8-intern.ts, whose JavaScript loop gives the same answers and runs where the module
 * does not: test/engine/cache-wasm.test.ts).
 *
 * The module holds a copy of one level's table (key words, then codes) in the bytes it keeps
 * across calls: copied whole when the level asks with other arrays than the ones copied (another
 * level, or the same one after it grew or emptied: both make new arrays), and kept equal entry by
 * entry as the level inserts (`put`). A call copies the batch's bytes and offsets into the scratch
 * area, looks every row up there, and leaves each row's answer for the caller to read.
 */

import type { EngineWasm } from "./engine-wasm.ts";

/** cache.c's answer for a key not in the table (its set + 1 and key words are written). */
export const PROBE_MISS = -1;
/** cache.c's answer for a value longer than 16 bytes or not ASCII (never cached). */
export const PROBE_NO_KEY = -2;
/** cache.c's answer for an empty value. */
export const PROBE_EMPTY = -3;
/** cache.c's longest key (bytes), which it reads 16 bytes at a time. */
const MAX_KEY = 16;

export class WasmKeyTable {
  readonly #w: EngineWasm;
  /** The key words the module holds a copy of (weakly: a level let go lets them go). */
  #held: WeakRef<Int32Array> | null = null;
  /** Where the copy's codes start (bytes). */
  #codesAt = 0;
  /** After `probe`: where each row's answer, set + 1 and key words are (32-bit indexes). */
  outAt = 0;
  setsAt = 0;
  wordsAt = 0;

  constructor(w: EngineWasm) {
    this.#w = w;
  }

  /** The instance it runs on. */
  get engine(): EngineWasm {
    return this.#w;
  }

  /**
   * Makes the module's copy that of a level's `keys` and `codes` (copied unless they are what it
   * holds); false when the memory cannot take them.
   */
  hold(keys: Int32Array, codes: Int32Array): boolean {
    if (this.#held?.deref() === keys) return true;
    this.#held = null;
    const w = this.#w;
    if (!w.keep(keys.byteLength + codes.byteLength)) return false;
    w.i32.set(keys, w.kept >> 2);
    this.#codesAt = w.kept + keys.byteLength;
    w.i32.set(codes, this.#codesAt >> 2);
    this.#held = new WeakRef(keys);
    return true;
  }

  /**
   * The level wrote entry `x >> 2` (key words `keys[x..x + 4)`) with `code`: written to the copy
   * too, when it is the copy of `keys`.
   */
  put(keys: Int32Array, x: number, code: number): void {
    if (this.#held?.deref() !== keys) return;
    const i32 = this.#w.i32;
    const k = (this.#w.kept >> 2) + x;
    i32[k] = keys[x]!;
    i32[k + 1] = keys[x + 1]!;
    i32[k + 2] = keys[x + 2]!;
    i32[k + 3] = keys[x + 3]!;
    i32[(this.#codesAt >> 2) + (x >> 2)] = code;
  }

  /**
   * Looks values `[0, n)` of `bytes` at `offs` up in the held table (a level of `1 << wayBits`
   * ways, its set `(hash >>> shift) & mask`); then `outAt`, `setsAt` and `wordsAt` say where the
   * answers are. False when the memory cannot take the batch or an offset is out of order or past
   * `end` (the caller's loop then looks the values up, and reports such an offset).
   */
  probe(
    wayBits: number,
    shift: number,
    mask: number,
    bytes: Uint8Array,
    offs: Int32Array,
    n: number,
    end: number,
  ): boolean {
    const w = this.#w;
    const b0 = offs[0]!;
    const last = offs[n]!;
    if (!(b0 >= 0 && b0 <= last && last <= end && last <= bytes.length)) return false;
    const offsAt = w.scratch;
    const outAt = offsAt + ((4 * (n + 1) + 15) & ~15);
    const setsAt = outAt + ((4 * n + 15) & ~15);
    const wordsAt = setsAt + ((4 * n + 15) & ~15);
    const bytesAt = wordsAt + 16 * n;
    const size = last - b0;
    if (!w.ensure(bytesAt + size + MAX_KEY)) return false;
    const u8 = w.u8;
    u8.set(bytes.subarray(b0, last), bytesAt);
    u8.fill(0, bytesAt + size, bytesAt + size + MAX_KEY);
    w.i32.set(offs.subarray(0, n + 1), offsAt >> 2);
    const kept = w.kept;
    const done = w.x.cacheProbe(
      kept,
      this.#codesAt,
      wayBits,
      shift,
      mask,
      bytesAt,
      b0,
      offsAt,
      n,
      last,
      outAt,
      setsAt,
      wordsAt,
    );
    this.outAt = outAt >> 2;
    this.setsAt = setsAt >> 2;
    this.wordsAt = wordsAt >> 2;
    return done === n;
  }
}

/** The table of each instance (in practice one). */
const tables = new WeakMap<EngineWasm, WasmKeyTable>();

/** The key table on instance `w` (made on first use). */
export function wasmKeyTable(w: EngineWasm): WasmKeyTable {
  let t = tables.get(w);
  if (t === undefined) {
    t = new WasmKeyTable(w);
    tables.set(w, t);
  }
  return t;
}
