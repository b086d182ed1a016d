/**
 * RedirectedColumnSource: a view column whose row `key` holds the parent column's value at
 * `redirection.get(key)` (Deephaven's `RedirectedColumnSource`). Sort, joins and merge read the
 * parent's pages through it instead of copying them.
 *
 * Chunked reads map the chunk's keys to parent keys in one pass (a view of the redirection's page
 * for a run), then read the parent once: when the parent keys are themselves a run the parent
 * answers with a view of its page (no copy at all); otherwise it gathers them, copying each run
 * of consecutive parent keys with one `TypedArray.set`. A key redirected to nothing reads as
 * null. Previous values read the previous redirection, then the parent's previous values.
 */

import type { Chunk, ChunkKeys, ColumnSource, CycleTracker, Vec } from "./column-source.ts";
import { arrayKeys, runKeys } from "./column-source.ts";
import type { ColumnType, RawValue, Value } from "./types.ts";
import { checkNumberType, rawToValue } from "./types.ts";

/**
 * What a redirected column reads through: a `RowRedirection` (a paged column keyed by result key),
 * or a sort's compact redirection for sparse keys (sorted-redirection.ts, dense-redirection.ts).
 */
export interface Redirection {
  /** Approximate heap bytes it holds. */
  readonly heapBytes: number;
  /** The parent key of `key` (as of the previous cycle with `prev`), or NULL_KEY. */
  get(key: number, prev?: boolean): number;
  /**
   * The parent keys of `rows` (NULL_KEY where there is none), valid until the next call or write;
   * the caller must not modify them.
   */
  parentKeys(rows: ChunkKeys, prev?: boolean): Float64Array;
}

export class RedirectedColumnSource implements ColumnSource {
  readonly type: ColumnType;
  readonly #parent: ColumnSource;
  readonly #redirection: Redirection;

  readonly #owned: boolean;

  /**
   * `owned`: whether this column's `heapBytes` counts the redirection (false for all but one of
   * the columns sharing it, so that a table's columns sum to what it holds).
   */
  constructor(parent: ColumnSource, redirection: Redirection, owned = true) {
    this.type = parent.type;
    this.#parent = parent;
    this.#redirection = redirection;
    this.#owned = owned;
  }

  /** The redirection's memory (when `owned`; the parent's pages are the parent's). */
  get heapBytes(): number {
    return this.#owned ? this.#redirection.heapBytes : 0;
  }

  getRaw(key: number, prev = false): RawValue {
    const k = this.#redirection.get(key, prev);
    return k < 0 ? null : this.#parent.getRaw(k, prev);
  }

  get(key: number, prev = false): Value {
    return rawToValue(this.type, this.getRaw(key, prev));
  }

  getPrev(key: number): Value {
    return this.get(key, true);
  }

  getNumber(key: number, prev = false): number | null {
    const k = this.#redirection.get(key, prev);
    if (k < 0) {
      checkNumberType(this.type);
      return null;
    }
    return this.#parent.getNumber(k, prev);
  }

  getChunk(rows: ChunkKeys, prev = false, chunk?: Chunk): Vec {
    const n = rows.length;
    const keys = this.#redirection.parentKeys(rows, prev);
    if (n > 0 && isRun(keys, n)) return this.#parent.getChunk(runKeys(keys[0]!, n), prev, chunk);
    return this.#parent.getChunk(arrayKeys(keys, n), prev, chunk);
  }

  fillChunk(rows: ChunkKeys, dest: Chunk, at: number, prev = false): void {
    const n = rows.length;
    const keys = this.#redirection.parentKeys(rows, prev);
    this.#parent.fillChunk(arrayKeys(keys, n), dest, at, prev);
  }

  /** A view keeps no values: its parent and its redirection track their own. */
  setTracker(_tracker: CycleTracker | null): void {}
}

/** Whether `keys[0..n)` are consecutive ascending row keys (no NULL_KEY). */
function isRun(keys: Float64Array, n: number): boolean {
  const first = keys[0]!;
  if (first < 0 || keys[n - 1] !== first + n - 1) return false;
  for (let i = 1; i < n - 1; i++) if (keys[i] !== first + i) return false;
  return true;
}
