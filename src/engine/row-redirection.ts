/**
 * RowRedirection: for each row key of a derived table, the row key of its parent that holds the
 * row's values (Deephaven's `RowRedirection`), or `NULL_KEY` for none (an unmatched join row).
 * A view column (redirected-column-source.ts) reads the parent's pages through it instead of
 * copying them.
 *
 * Storage is a float64 PagedColumn: 8 bytes a row in pages of PAGE_SIZE keys, allocated as keys
 * are written and released with `release`, so it inherits the column's copy-on-write previous
 * values: during a cycle `prev` reads answer what the redirection held before the cycle.
 */

import { PagedColumn } from "./column.ts";
import type { ChunkKeys, CycleTracker } from "./column-source.ts";
import { Chunk, NULL_KEY } from "./column-source.ts";
import type { RowSet } from "./row-set.ts";

/** Parent keys written per block by `setRun`. */
const BLOCK = 4096;

export class RowRedirection {
  readonly #keys: PagedColumn;
  readonly #chunk = new Chunk("float64");
  #block: Float64Array | null = null;

  /** `tracker`: the update graph, when the redirection changes between cycles. */
  constructor(tracker: CycleTracker | null = null) {
    this.#keys = new PagedColumn("float64", tracker);
  }

  /** Starts (or stops) keeping previous values. */
  setTracker(tracker: CycleTracker | null): void {
    this.#keys.setTracker(tracker);
  }

  /** Approximate heap bytes of the redirection's pages (current and previous). */
  get heapBytes(): number {
    return this.#keys.heapBytes;
  }

  /** The parent key of `key` (as of the previous cycle with `prev`), or NULL_KEY. */
  get(key: number, prev = false): number {
    if (key < 0) return NULL_KEY;
    const k = this.#keys.getRaw(key, prev);
    return k === null ? NULL_KEY : (k as number);
  }

  /** Redirects `key` to `parentKey` (NULL_KEY: to no row). */
  set(key: number, parentKey: number): void {
    this.#keys.setRaw(key, parentKey < 0 ? NULL_KEY : parentKey);
  }

  /** Redirects keys `[start, start + n)` to the consecutive parent keys from `parentStart`. */
  setRun(start: number, parentStart: number, n: number): void {
    this.#block ??= new Float64Array(BLOCK);
    const block = this.#block;
    for (let done = 0; done < n; done += BLOCK) {
      const m = Math.min(BLOCK, n - done);
      for (let i = 0; i < m; i++) block[i] = parentStart + done + i;
      this.#keys.writeRun(start + done, { data: block, valid: null, length: m }, 0, m);
    }
  }

  /** Redirects keys `[start, start + n)` to `parentKeys[0..n)` (one page copy per page). */
  setRange(start: number, parentKeys: Float64Array, n: number): void {
    this.#keys.writeRun(start, { data: parentKeys, valid: null, length: n }, 0, n);
  }

  /** Redirects `keys[i]` to `parentKeys[i]` for i in [0, n). */
  setKeys(keys: ArrayLike<number>, parentKeys: Float64Array, n: number): void {
    this.#keys.scatter(keys, n, { data: parentKeys, valid: null, length: n });
  }

  /**
   * The parent keys of `rows` (previous ones with `prev`), NULL_KEY where there is none: a view
   * of the redirection's page when `rows` is a run inside one page, else a reused buffer. Valid
   * until the next call or write.
   */
  parentKeys(rows: ChunkKeys, prev = false): Float64Array {
    const v = this.#keys.getChunk(rows, prev, this.#chunk);
    const keys = v.data as Float64Array;
    if (v.valid === null) return keys;
    // NULL_KEY among `rows` (a redirection over a redirection) reads as null: map it to NULL_KEY.
    const out = v === this.#chunk ? keys : Float64Array.from(keys.subarray(0, rows.length));
    for (let i = 0; i < rows.length; i++) if (v.valid[i] === 0) out[i] = NULL_KEY;
    return out;
  }

  /** Releases pages of keys that left (`touched`) when no key of `live` is in them. */
  release(touched: RowSet, live: RowSet): void {
    this.#keys.release(touched, live);
  }
}
