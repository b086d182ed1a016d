/**
 * The string cache's large level on the engine's WebAssembly (cache.c), for `Utf8Intern.probe`
 * (../arrow/utf8-intern.ts, whose JavaScript loop gives the same answers and runs where the module
 * does not: test/engine/cache-wasm.test.ts).
 *
 * The module holds a copy of one level's table in the bytes it keeps across calls, set by set (a
 * set's key words, then its codes: one look-up touches one place, where the level keeps keys and
 * codes in two arrays): copied whole when the level asks with other arrays than the ones copied
 * (another level, or the same one after it grew or emptied: both make new arrays), and kept equal
 * entry by entry as the level inserts (`put`). A call copies the batch's bytes and offsets into
 * the scratch area, looks every row up there, and leaves each row's answer for the caller to read.
 */

import type { EngineWasm } from "./engine-wasm.ts";
import { MAX_SCRATCH } from "./engine-wasm.ts";

/** cache.c's answer for a key not in the table (its set + 1 and key words are written). */
export const PROBE_MISS = -1;
/** cache.c's answer for a value longer than 16 bytes or not ASCII (never cached). */
export const PROBE_NO_KEY = -2;
/** cache.c's answer for an empty value. */
export const PROBE_EMPTY = -3;
/** cache.c's longest key (bytes), which it reads 16 bytes at a time. */
const MAX_KEY = 16;
/** Rows a `probe` call takes at most (a larger batch goes in parts). */
export const PROBE_ROWS = 4096;
/**
 * Bytes of a table past which its look-ups go by blocks (cache.c's `cacheProbeBlocks`: faster
 * once the table outgrows the CPU's caches, slower while it fits them).
 */
let blocksFrom = 1 << 20;

/** @internal The table size from which look-ups go by blocks (tests run both kernels). */
export function setProbeBlocksFrom(bytes: number): void {
  blocksFrom = bytes;
}

export class WasmKeyTable {
  readonly #w: EngineWasm;
  /** The key words the module holds a copy of (weakly: a level let go lets them go). */
  #held: WeakRef<Int32Array> | null = null;
  /** log2 of the ways of the held level's sets. */
  #wayBits = 0;
  /** Bytes of the held table. */
  #bytes = 0;
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
   * Makes the module's copy that of a level of `1 << wayBits` ways a set, whose entry e has key
   * words `keys[4e..4e + 4)` and code `codes[e]` (copied unless they are what it holds); false
   * when the memory cannot take them.
   */
  hold(keys: Int32Array, codes: Int32Array, wayBits: number): boolean {
    if (this.#held?.deref() === keys && this.#wayBits === wayBits) return true;
    this.#held = null;
    const w = this.#w;
    const bytes = keys.byteLength + codes.byteLength;
    if (!w.keep(bytes)) return false;
    // Both arrays go into the scratch area whole; cache.c lays them out set by set from there.
    const keysAt = w.scratch;
    const codesAt = keysAt + keys.byteLength;
    if (bytes > MAX_SCRATCH || !w.ensure(keysAt + bytes)) return false;
    const i32 = w.i32;
    i32.set(keys, keysAt >> 2);
    i32.set(codes, codesAt >> 2);
    w.x.cacheHold(w.kept, keysAt, codesAt, codes.length >> wayBits, wayBits);
    this.#wayBits = wayBits;
    this.#bytes = bytes;
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
    const wayBits = this.#wayBits;
    const e = x >> 2;
    const way = e & ((1 << wayBits) - 1);
    const set = (this.#w.kept >> 2) + 5 * (e - way);
    const k = set + 4 * way;
    i32[k] = keys[x]!;
    i32[k + 1] = keys[x + 1]!;
    i32[k + 2] = keys[x + 2]!;
    i32[k + 3] = keys[x + 3]!;
    i32[set + (4 << wayBits) + way] = code;
  }

  /**
   * Looks values `[from, from + n)` (n at most PROBE_ROWS) of `bytes` at `offs` up in the held
   * table (a level of `1 << wayBits` ways, its set `(hash >>> shift) & mask`); then `outAt`,
   * `setsAt` and `wordsAt` say where the answers are, from the call's first row. False when the
   * rows' bytes would take more than MAX_SCRATCH, the memory cannot take them, or an offset is out
   * of order or past `end` (the caller's loop then looks the values up, and reports such an
   * offset).
   */
  probe(
    wayBits: number,
    shift: number,
    mask: number,
    bytes: Uint8Array,
    offs: Int32Array,
    from: number,
    n: number,
    end: number,
  ): boolean {
    const w = this.#w;
    const b0 = offs[from]!;
    const last = offs[from + n]!;
    if (!(b0 >= 0 && b0 <= last && last <= end && last <= bytes.length)) return false;
    const offsAt = w.scratch;
    const outAt = offsAt + ((4 * (n + 1) + 15) & ~15);
    const setsAt = outAt + ((4 * n + 15) & ~15);
    const wordsAt = setsAt + ((4 * n + 15) & ~15);
    const bytesAt = wordsAt + 16 * n;
    const size = last - b0;
    if (bytesAt + size + MAX_KEY - offsAt > MAX_SCRATCH || !w.ensure(bytesAt + size + MAX_KEY))
      return false;
    const u8 = w.u8;
    u8.set(bytes.subarray(b0, last), bytesAt);
    u8.fill(0, bytesAt + size, bytesAt + size + MAX_KEY);
    w.i32.set(offs.subarray(from, from + n + 1), offsAt >> 2);
    const probe = this.#bytes > blocksFrom ? w.x.cacheProbeBlocks : w.x.cacheProbe;
    const done = probe(
      w.kept,
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
