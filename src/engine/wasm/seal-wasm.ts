/**
 * The seals of an append-only column's full pages on the engine's WebAssembly (seal.c), for
 * `PagedColumn` (../column.ts: `#sealNarrow` and `#sealBytes`, whose JavaScript loops give the same
 * answers and run where the module does not: test/engine/seal-wasm.test.ts).
 *
 * A page is copied into the module's scratch area, the loop runs there, and the caller copies the
 * result out (integers for a narrowed page, dictionary codes for a string page).
 */

import type { EngineWasm } from "./engine-wasm.ts";

/** What `narrowWasm` found (one object, filled again by each call). */
export interface Narrowed {
  /**
   * The page's values as integers, in the narrowest of 8, 16 and 32 bits that holds them all: a
   * view of the module's memory, valid until its next call.
   */
  k: Int8Array | Int16Array | Int32Array;
  /** Decimals of a float64 page (its values are k / 10^decimals); 0 for an int64 page. */
  decimals: number;
}

const narrowed: Narrowed = { k: new Int32Array(0), decimals: 0 };

/**
 * `#sealNarrow`'s loop: `n` values (`f64`: a float64 page's; else `words`, an int64 page's 32-bit
 * halves) with `valid` (or null), as integers when every value fits 32 bits (a float64 page's as
 * counts of 10^-e for the least e <= `maxDecimals` that holds every value exactly). Null when they
 * do not; undefined when the module's memory cannot take the page (the caller's loop runs).
 */
export function narrowWasm(
  w: EngineWasm,
  f64: Float64Array | null,
  words: Int32Array | null,
  valid: Uint8Array | null,
  n: number,
  maxDecimals: number,
): Narrowed | null | undefined {
  const dataAt = w.scratch;
  const validAt = dataAt + 8 * n;
  const kAt = validAt + ((n + 15) & ~15);
  if (!w.ensure(kAt + 4 * n)) return undefined;
  if (f64 !== null) new Float64Array(w.buffer, dataAt, n).set(f64.subarray(0, n));
  else w.i32.set(words!.subarray(0, 2 * n), dataAt >> 2);
  if (valid !== null) w.u8.set(valid.subarray(0, n), validAt);
  const v = valid === null ? 0 : validAt;
  const ok =
    f64 !== null ? w.x.narrowF64(dataAt, v, n, kAt, maxDecimals) : w.x.narrowI64(dataAt, v, n, kAt);
  if (ok === 0) return null;
  const r = w.x.narrowResult() >> 2;
  const width = w.i32[r + 3]!;
  narrowed.k =
    width === 1
      ? new Int8Array(w.buffer, kAt, n)
      : width === 2
        ? new Int16Array(w.buffer, kAt, n)
        : new Int32Array(w.buffer, kAt, n);
  narrowed.decimals = w.i32[r + 2]!;
  return narrowed;
}

/** Byte-keyed indexes the module holds (seal.c's SLOTS). */
const SLOTS = 8;
/** seal.c's longest key (bytes). */
const MAX_KEY = 16;

/**
 * `#sealBytes` on the module: the byte-keyed index of a column's sealing dictionary lives there,
 * in one of SLOTS slots, which dictionaries take in turn (the least recently used gives way; the
 * one that takes it indexes its strings again). A page is then looked up row by row in the
 * module; a row it lacks comes back to the caller, which finds or adds its string and `insert`s it.
 */
export class WasmSealIndexes {
  readonly #w: EngineWasm;
  /** Per slot: the dictionary it indexes (weakly: a dictionary dropped lets its slot go). */
  readonly #owner: (WeakRef<readonly string[]> | null)[] = new Array(SLOTS).fill(null);
  /** Per slot: how many of its dictionary's strings it has indexed. */
  readonly #indexed = new Int32Array(SLOTS);
  /** Per slot: when it was last used (a call count). */
  readonly #used = new Float64Array(SLOTS);
  #calls = 0;
  /** The page of the call under way: its bytes, offsets, validity and codes (addresses). */
  #slot = 0;
  /** The page's bytes, their end, and how many of them are in the module (from 0). */
  #bytes: Uint8Array | null = null;
  #end = 0;
  #limit = 0;
  #bytesAt = 0;
  #offsAt = 0;
  #validAt = 0;
  #codesAt = 0;
  #n = 0;

  constructor(w: EngineWasm) {
    this.#w = w;
  }

  /** The instance it runs on. */
  get engine(): EngineWasm {
    return this.#w;
  }

  /**
   * Starts the look-up of a page of `n` rows (`bytes` with `offs`, n + 1 of them, and `valid`)
   * against dictionary `strs`: its slot found (or taken and indexed), the page copied in. False
   * when the module's memory cannot take the page (nothing done: the caller's loop runs).
   */
  begin(
    strs: readonly string[],
    bytes: Uint8Array,
    offs: Int32Array,
    valid: Uint8Array | null,
    n: number,
  ): boolean {
    const w = this.#w;
    const end = Math.min(offs[n]!, offs[0]! + n * MAX_KEY);
    const offsAt = w.scratch;
    const validAt = offsAt + ((4 * (n + 1) + 15) & ~15);
    const codesAt = validAt + ((n + 15) & ~15);
    const bytesAt = codesAt + ((2 * n + 15) & ~15);
    if (!w.ensure(bytesAt + end + MAX_KEY)) return false;
    const slot = this.#slotOf(strs);
    this.#slot = slot;
    this.#n = n;
    // Strings the dictionary has gained since the slot indexed it (all of them for a slot just
    // taken), written after the page's place and inserted; only keys of 1..16 ASCII bytes.
    let indexed = this.#indexed[slot]!;
    if (indexed < strs.length) {
      const u8 = w.u8;
      for (; indexed < strs.length; indexed++) {
        const s = strs[indexed]!;
        const len = s.length;
        if (len === 0 || len > MAX_KEY) continue;
        let ascii = true;
        for (let i = 0; i < len; i++) {
          const ch = s.charCodeAt(i);
          if (ch > 127) {
            ascii = false;
            break;
          }
          u8[bytesAt + i] = ch;
        }
        if (!ascii) continue;
        u8.fill(0, bytesAt + len, bytesAt + MAX_KEY);
        w.x.sealInsert(slot, bytesAt, len, indexed);
      }
      this.#indexed[slot] = indexed;
    }
    const u8 = w.u8;
    u8.set(bytes.subarray(0, end), bytesAt);
    u8.fill(0, bytesAt + end, bytesAt + end + MAX_KEY);
    w.i32.set(offs.subarray(0, n + 1), offsAt >> 2);
    if (valid !== null) u8.set(valid.subarray(0, n), validAt);
    this.#bytes = bytes;
    this.#end = offs[n]!;
    this.#limit = end;
    this.#bytesAt = bytesAt;
    this.#offsAt = offsAt;
    this.#validAt = valid === null ? 0 : validAt;
    this.#codesAt = codesAt;
    return true;
  }

  /**
   * Looks rows `from`.. up: n when every row was found (then `codes`); a row i >= 0 the index
   * lacks (the caller `insert`s its code and goes on from i); -1 - i for a row that is not a key
   * (longer than 16 bytes or not ASCII).
   */
  run(from: number): number {
    const n = this.#n;
    for (;;) {
      const r = this.#w.x.sealBytes(
        this.#slot,
        this.#bytesAt,
        this.#offsAt,
        this.#validAt,
        n,
        from,
        this.#codesAt,
        this.#limit,
      );
      if (r <= n) return r;
      // A key past the bytes copied: copy the rest of the page's, and go on from it. (If the
      // memory cannot grow, the row is handed back as no key: the page is sealed another way.)
      const w = this.#w;
      const end = this.#end;
      if (!w.ensure(this.#bytesAt + end + MAX_KEY)) return -1 - (r - n - 1);
      w.u8.set(this.#bytes!.subarray(this.#limit, end), this.#bytesAt + this.#limit);
      w.u8.fill(0, this.#bytesAt + end, this.#bytesAt + end + MAX_KEY);
      this.#limit = end;
      from = r - n - 1;
    }
  }

  /**
   * Indexes the value at bytes [b, e) of the page under way (a key: `run` stopped at it) with
   * `code`, the string's code in the dictionary, which now holds `size` strings.
   */
  insert(b: number, e: number, code: number, size: number): void {
    this.#w.x.sealInsert(this.#slot, this.#bytesAt + b, e - b, code);
    // Every string the dictionary holds is now indexed if the slot was caught up before: a new
    // string is the last one.
    if (this.#indexed[this.#slot] === size - 1) this.#indexed[this.#slot] = size;
  }

  /**
   * The page's codes once `run` gave n, in 8 bits when `narrow` (every code below 256) and else
   * 16: a view of the module's memory, valid until its next call.
   */
  codes(narrow: boolean): Uint8Array | Uint16Array {
    if (!narrow) return new Uint16Array(this.#w.buffer, this.#codesAt, this.#n);
    this.#w.x.packCodes(this.#codesAt, this.#n);
    return new Uint8Array(this.#w.buffer, this.#codesAt, this.#n);
  }

  /** The slot of dictionary `strs`: its own, or the least recently used one, emptied. */
  #slotOf(strs: readonly string[]): number {
    const now = ++this.#calls;
    let lru = 0;
    for (let s = 0; s < SLOTS; s++) {
      const owner = this.#owner[s]!;
      if (owner !== null && owner.deref() === strs) {
        this.#used[s] = now;
        return s;
      }
      if (this.#used[s]! < this.#used[lru]!) lru = s;
    }
    this.#owner[lru] = new WeakRef(strs);
    this.#indexed[lru] = 0;
    this.#used[lru] = now;
    this.#w.x.sealReset(lru);
    return lru;
  }
}

/** The indexes over the engine's WebAssembly instance, made for it on first use. */
let indexes: WasmSealIndexes | null = null;

/** The seal indexes on `w`. */
export function wasmSealIndexes(w: EngineWasm): WasmSealIndexes {
  if (indexes === null || indexes.engine !== w) indexes = new WasmSealIndexes(w);
  return indexes;
}
