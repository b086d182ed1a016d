/**
 * UndoLog: the previous values of the few slots a cycle overwrites in one page of a PagedColumn
 * (column.ts), so keeping previous values costs what the cycle writes, not a copy of every page
 * it touches. A table whose rows change in place at random keys (an aggregation's outputs: a
 * lastBy of 100,000 keys fed 1,000 rows a cycle writes into every one of its 25 pages) would
 * otherwise copy all its pages each cycle.
 *
 * The log holds (slot, old value, old null flag) in write order, up to a fixed capacity; the
 * column turns it into a whole previous page (a copy of the current page with the log undone)
 * when the log would overflow or when something reads the page's previous values.
 */
import type { ColumnType, Storage } from "./types.ts";
import { allocStorage } from "./types.ts";

export class UndoLog {
  readonly #offs: Int32Array;
  readonly #data: Storage;
  readonly #nulls: Uint8Array;
  /** `#data` as 32-bit words when it is a BigInt64Array (saved without making BigInts). */
  readonly #words: Int32Array | null;
  #n = 0;
  /**
   * The page's high-water mark when the cycle first wrote over its old data: slots at or past it
   * held nothing visible before the cycle and need no saving.
   */
  hw = 0;

  constructor(type: ColumnType, capacity: number) {
    this.#offs = new Int32Array(capacity);
    this.#data = allocStorage(type, capacity);
    this.#nulls = new Uint8Array(capacity);
    const d = this.#data;
    this.#words = d instanceof BigInt64Array ? new Int32Array(d.buffer) : null;
  }

  /**
   * Saves slots `[off, end)` of a page (`data`, `valid`) before they are overwritten (those at or
   * past `hw` are skipped). Returns false, saving nothing, when they do not fit. `words`: an
   * int64 page's storage as 32-bit words, if the caller has them (then no BigInt is made).
   */
  save(
    data: Storage,
    valid: Uint8Array | null,
    off: number,
    end: number,
    words: Int32Array | null = null,
  ): boolean {
    const hi = Math.min(end, this.hw);
    if (hi <= off) return true;
    let n = this.#n;
    if (n + (hi - off) > this.#offs.length) return false;
    const offs = this.#offs;
    const saved = this.#data as unknown as unknown[];
    const src = data as unknown as ArrayLike<unknown>;
    const nulls = this.#nulls;
    const w = this.#words;
    if (words !== null && w !== null) {
      for (let o = off; o < hi; o++) {
        offs[n] = o;
        w[2 * n] = words[2 * o]!;
        w[2 * n + 1] = words[2 * o + 1]!;
        nulls[n] = valid !== null && valid[o] === 0 ? 1 : 0;
        n++;
      }
      this.#n = n;
      return true;
    }
    for (let o = off; o < hi; o++) {
      offs[n] = o;
      saved[n] = src[o];
      nulls[n] = valid !== null && valid[o] === 0 ? 1 : 0;
      n++;
    }
    this.#n = n;
    return true;
  }

  /**
   * Writes the saved values back into a copy of the page (`data`, `valid`), newest first, so each
   * slot ends with the value it held before the cycle's first write to it. `valid` must be the
   * copy's mask if the page had one when a null was saved (a page's mask is never dropped).
   */
  undo(data: Storage, valid: Uint8Array | null): void {
    const offs = this.#offs;
    const saved = this.#data as unknown as ArrayLike<unknown>;
    const out = data as unknown as unknown[];
    const nulls = this.#nulls;
    for (let i = this.#n - 1; i >= 0; i--) {
      const o = offs[i]!;
      out[o] = saved[i];
      if (valid !== null) valid[o] = nulls[i] === 1 ? 0 : 1;
    }
  }

  /** Empties the log for reuse (dropping references to saved strings and cells). */
  reset(): void {
    if (Array.isArray(this.#data)) this.#data.fill(undefined as never, 0, this.#n);
    this.#n = 0;
  }
}
