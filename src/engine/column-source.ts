/**
 * ColumnSource: the read side of a column, addressed by row key. A table holds one per column;
 * a `PagedColumn` (column.ts) owns its pages, while a view (a row redirection over a parent
 * column, or the union of several parents' columns under `merge`) reads its parents' pages and
 * owns none.
 *
 * Kernels read in chunks, never per row: `getChunk` returns the values of one chunk of row keys
 * (a run of consecutive keys, or an ordered array of keys) as a `Vec`, a zero-copy view of
 * storage where the keys form a run inside one page, and otherwise values filled into a
 * caller-provided, reusable `Chunk`. `fillChunk` always copies, at any offset of a chunk (views
 * use it to assemble a chunk from several parents).
 *
 * Previous values: every read takes `prev`; with it the source answers as of the end of the
 * previous cycle (what a removed or modified row held), until the update graph ends the cycle.
 *
 * A key array may hold `NULL_KEY` (-1): that position reads as null (a row a redirection maps to
 * nothing, e.g. an unmatched join row).
 *
 * Dictionary codes: a string vector may also carry `codes` into a `StringDict` (a decoded Arrow
 * dictionary: what pyarrow and DuckDB send for categorical data): `codes[i] >= 0` means
 * `data[i] === dict.strs[codes[i]]`; -1 means not known (the row's string is still in `data`).
 * Pages keep them (column.ts), copies between pages and into chunks carry them, and key lookups
 * (keys/key-columns.ts) map a code to its key with one typed-array read instead of hashing the
 * string. Everything else reads `data` and may ignore them.
 */

import type { ColumnType, RawValue, Storage, Value } from "./types.ts";
import { allocStorage } from "./types.ts";

/** Row key meaning "no row": reads as null. */
export const NULL_KEY = -1;

/** Default number of rows of one chunk (the page size of paged columns). */
export const CHUNK_SIZE = 4096;

/**
 * A vector of values handed to kernels: `data[0..length)` with `valid[i] === 0` marking a null
 * (`valid === null`: no nulls). `data` may be longer than `length`. int64/instant data is a
 * BigInt64Array; bool 0/1; char a code unit; an array column's data is a JS array of frozen
 * ArrayValue cells.
 */
export interface Vec {
  data: Storage;
  valid: Uint8Array | null;
  length: number;
  /** A string vector's dictionary codes (see the module header), when `dict` is not null. */
  codes?: Int32Array | null;
  /** The dictionary `codes` index into, or null: no codes. */
  dict?: StringDict | null;
  /**
   * A string vector's values as UTF-8 (`offsets[0..length]` into `bytes`), and then `data` holds
   * no strings. Made for the Arrow IPC writer (`readRows`, nulls ""), which `encodeUtf8` reads;
   * and from Arrow and JSON (a publisher's `addArrow` and `addJson`, a history's pages read
   * back: a null may have bytes under it there), which `PagedColumn.writeRun` and `installPage`
   * keep as UTF-8 pages or decode. `ascii`: every value is known to be ASCII (the JSON scans take
   * nothing else), so no UTF-8 check is needed where it is kept.
   */
  utf8?: {
    readonly offsets: Int32Array;
    readonly bytes: Uint8Array;
    readonly ascii?: boolean;
  } | null;
}

/** The `data` of a string vector that carries its values as `utf8` instead (no strings). */
export const NO_STRINGS: string[] = Object.freeze([]) as unknown as string[];

/**
 * A dictionary of strings that `Vec.codes` index into. A code's string never changes; only an
 * `open` dictionary (the string cache's large level: arrow/utf8-intern.ts) gains strings after it
 * is handed out, at the end, so anything sized by `strs.length` must allow for more.
 */
export interface StringDict {
  readonly strs: readonly string[];
  readonly open?: boolean;
  /**
   * No string appears twice: two codes are two different strings (the string cache's large
   * level, which inserts a value once; a kept Arrow dictionary of a key column checked so).
   */
  readonly unique?: boolean;
  /**
   * The code a string has in the dictionary now, -1 when it has none, or -2 when the dictionary
   * cannot tell any more (the string cache's level emptied and started another): for a row read
   * without a code (a value the level did not hold then) whose string may have come in since.
   */
  readonly codeOf?: (s: string) => number;
}

/** Something that holds previous values until the update graph ends the cycle. */
export interface CycleParticipant {
  endCycle(): void;
}

/** Implemented by the update graph: who is cycling now, and who to clean up at the end. */
export interface CycleTracker {
  readonly cycle: number;
  markDirty(participant: CycleParticipant): void;
}

/**
 * The row keys of one chunk read: a run `[start, start + length)` (`isRun`), or
 * `keys[0..length)`. A `Span` (spans.ts) is one.
 */
export interface ChunkKeys {
  readonly isRun: boolean;
  readonly start: number;
  readonly keys: ArrayLike<number>;
  readonly length: number;
}

/** The chunk keys of the run `[start, start + length)`. */
export function runKeys(start: number, length: number): ChunkKeys {
  return { isRun: true, start, keys: NO_KEYS, length };
}

/** The chunk keys `keys[0..length)`. */
export function arrayKeys(keys: ArrayLike<number>, length = keys.length): ChunkKeys {
  return { isRun: false, start: -1, keys, length };
}

const NO_KEYS = new Float64Array(0);

/**
 * A reusable, writable Vec of one column type: `data` has room for `capacity` values (it grows
 * when a read needs more) and `valid` is allocated only once a null is written.
 */
export class Chunk implements Vec {
  readonly type: ColumnType;
  data: Storage;
  valid: Uint8Array | null = null;
  length = 0;
  /** Dictionary codes of a string chunk, valid while `dict` is not null (see `adoptCodes`). */
  codes: Int32Array | null = null;
  dict: StringDict | null = null;
  #mask: Uint8Array | null = null;

  /** `capacity`: room to start with (0: allocated by the first read). */
  constructor(type: ColumnType, capacity = 0) {
    this.type = type;
    this.data = allocStorage(type, capacity);
  }

  get capacity(): number {
    return this.data.length;
  }

  /** Starts a read of `length` values: no nulls yet, room for `length` values. */
  reset(length: number): this {
    if (length > this.data.length) {
      const cap = Math.max(length, this.data.length * 2);
      this.data = allocStorage(this.type, cap);
      this.#mask = null;
    }
    this.length = length;
    this.valid = null;
    this.dict = null;
    return this;
  }

  /**
   * Makes `dict` this chunk's dictionary if it has none yet (every position of the read gets code
   * -1 until a copy writes its code, whatever was written before or after `at` without codes);
   * returns whether the chunk's dictionary is `dict`, so that codes from it may be written.
   */
  adoptCodes(dict: StringDict, at: number): boolean {
    if (this.dict === dict) return true;
    if (this.dict !== null) return false;
    if (this.codes === null || this.codes.length < this.data.length)
      this.codes = new Int32Array(this.data.length);
    this.codes.fill(-1, 0, Math.max(this.length, at));
    this.dict = dict;
    return true;
  }

  /** Marks positions `[at, at + n)` as having no known code. */
  clearCodes(at: number, n: number): void {
    if (this.dict !== null) this.codes!.fill(-1, at, at + n);
  }

  /**
   * Copies validity `src[from, from + n)` (null: all valid) to positions `[at, at + n)`. A mask
   * is set up only when a null arrives; positions before `at` written without one are valid.
   */
  copyValidity(at: number, src: Uint8Array | null, from: number, n: number): void {
    if (src === null) {
      if (this.valid) this.valid.fill(1, at, at + n);
      return;
    }
    if (!this.valid) {
      let anyNull = false;
      for (let i = 0; i < n; i++) {
        if (src[from + i] === 0) {
          anyNull = true;
          break;
        }
      }
      if (!anyNull) return;
      this.#useMask(at);
    }
    this.valid!.set(src.subarray(from, from + n), at);
  }

  /** Marks position `i` null (positions before it written without a mask are valid). */
  setNull(i: number): void {
    if (!this.valid) this.#useMask(i);
    this.valid![i] = 0;
  }

  /** Marks position `i` valid (after a value was written there). */
  setValid(i: number): void {
    if (this.valid) this.valid[i] = 1;
  }

  #useMask(upTo: number): void {
    if (!this.#mask || this.#mask.length < this.data.length)
      this.#mask = new Uint8Array(this.data.length);
    this.#mask.fill(1, 0, upTo);
    this.valid = this.#mask;
  }
}

/** The read side of a column; see the module header. */
export interface ColumnSource {
  readonly type: ColumnType;
  /** Approximate heap bytes this source holds itself (a view: its redirection, not the parent's). */
  readonly heapBytes: number;
  /** Raw storage value at key (bigint, number, string or array cell), or null. */
  getRaw(key: number, prev?: boolean): RawValue;
  /** Value at key as the API presents it (bool as boolean, char as string, arrays as is). */
  get(key: number, prev?: boolean): Value;
  /** Value at key as of the end of the previous cycle. */
  getPrev(key: number): Value;
  /**
   * The value at key of a numeric column (int8 to int64, float32, float64) as a number, or null:
   * an int64 past ±2^53 rounded to the nearest double, and read without making a BigInt (an
   * aggregation's counts and sums read so cost no allocation). Any other column throws
   * ArgumentError.
   */
  getNumber(key: number, prev?: boolean): number | null;
  /**
   * The values at `rows`: a view of storage when the keys are a run within one page, else the
   * values filled into `chunk` (a new chunk if none is given). The result is valid until the
   * next write to the column or the next read into `chunk`; it must not be modified.
   */
  getChunk(rows: ChunkKeys, prev?: boolean, chunk?: Chunk): Vec;
  /**
   * Copies the values at `rows` into `dest` at positions `[at, at + rows.length)` (the caller
   * has reset `dest` to a length that covers them).
   */
  fillChunk(rows: ChunkKeys, dest: Chunk, at: number, prev?: boolean): void;
  /**
   * The table holding this source became refreshing: start keeping previous values. A view
   * does nothing (its parents keep theirs; its redirection keeps its own).
   */
  setTracker(tracker: CycleTracker | null): void;
}

/** `getChunk` for sources that can only copy: fills `chunk` (or a new one). */
export function filledChunk(
  source: ColumnSource,
  rows: ChunkKeys,
  prev: boolean,
  chunk: Chunk | undefined,
): Vec {
  const c = (chunk ?? new Chunk(source.type, rows.length)).reset(rows.length);
  source.fillChunk(rows, c, 0, prev);
  return c;
}
