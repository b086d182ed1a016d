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
    return this;
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
