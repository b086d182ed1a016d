/**
 * UnionColumnSource: a `merge` result's column, a view over the same-named column of each input
 * (Deephaven's `UnionColumnSource`). The result's key space is cut into segments: segment `i`
 * covers result keys `[start, end)` and reads `source` at `key - shift`. A refreshing merge gives
 * input `i` the slice `[i * slice, (i + 1) * slice)` (shift `i * slice`), so its keys, changes and
 * previous values map one to one and nothing is stored per row; a static merge packs the inputs'
 * rows densely (a redirection maps them when an input's keys are not dense).
 *
 * Chunked reads split the chunk's keys by segment: a run inside one segment is the input's own
 * chunk (a view of its page when it can be), keys of several segments are filled segment by
 * segment into the caller's chunk.
 */

import type { Chunk, ChunkKeys, ColumnSource, CycleTracker, Vec } from "./column-source.ts";
import { arrayKeys, filledChunk, runKeys } from "./column-source.ts";
import type { ColumnType, RawValue, Value } from "./types.ts";
import { checkNumberType, rawToValue } from "./types.ts";

/** Result keys `[start, end)` read `source` at `key - shift`. */
export interface UnionSegment {
  readonly start: number;
  readonly end: number;
  readonly source: ColumnSource;
  readonly shift: number;
  /** True when `source`'s own memory (a redirection made for the merge) counts in this column. */
  readonly owned?: boolean;
}

export class UnionColumnSource implements ColumnSource {
  readonly type: ColumnType;
  /** Sorted by `start`, not overlapping. */
  readonly #segments: readonly UnionSegment[];
  #scratch: Float64Array | null = null;

  constructor(type: ColumnType, segments: readonly UnionSegment[]) {
    this.type = type;
    this.#segments = segments;
  }

  /** A view holds no pages; segments' own views count their redirection. */
  get heapBytes(): number {
    let n = 0;
    for (const s of this.#segments) if (s.owned) n += s.source.heapBytes;
    return n;
  }

  /** Index of the segment holding `key`, or -1. */
  #find(key: number): number {
    const segs = this.#segments;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = segs[mid]!;
      if (key < s.start) hi = mid - 1;
      else if (key >= s.end) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  getRaw(key: number, prev = false): RawValue {
    const i = key < 0 ? -1 : this.#find(key);
    if (i < 0) return null;
    const s = this.#segments[i]!;
    return s.source.getRaw(key - s.shift, prev);
  }

  get(key: number, prev = false): Value {
    return rawToValue(this.type, this.getRaw(key, prev));
  }

  getPrev(key: number): Value {
    return this.get(key, true);
  }

  getNumber(key: number, prev = false): number | null {
    const i = key < 0 ? -1 : this.#find(key);
    if (i < 0) {
      checkNumberType(this.type);
      return null;
    }
    const s = this.#segments[i]!;
    return s.source.getNumber(key - s.shift, prev);
  }

  getChunk(rows: ChunkKeys, prev = false, chunk?: Chunk): Vec {
    const n = rows.length;
    if (n > 0 && rows.isRun) {
      // A run inside one segment: the input's own chunk (a view of its page when it can be).
      const i = this.#find(rows.start);
      const s = i < 0 ? null : this.#segments[i]!;
      if (s !== null && rows.start + n <= s.end)
        return s.source.getChunk(runKeys(rows.start - s.shift, n), prev, chunk);
    } else if (n > 0) {
      const i = rows.keys[0]! < 0 ? -1 : this.#find(rows.keys[0]!);
      const keys = i < 0 ? null : this.#shifted(rows.keys, 0, n, this.#segments[i]!);
      if (keys !== null) return this.#segments[i]!.source.getChunk(arrayKeys(keys, n), prev, chunk);
    }
    return filledChunk(this, rows, prev, chunk);
  }

  fillChunk(rows: ChunkKeys, dest: Chunk, at: number, prev = false): void {
    const n = rows.length;
    if (rows.isRun) {
      let key = rows.start;
      let done = 0;
      while (done < n) {
        const i = this.#find(key);
        if (i < 0) {
          dest.setNull(at + done);
          key++;
          done++;
          continue;
        }
        const s = this.#segments[i]!;
        const m = Math.min(n - done, s.end - key);
        s.source.fillChunk(runKeys(key - s.shift, m), dest, at + done, prev);
        key += m;
        done += m;
      }
      return;
    }
    const keys = rows.keys;
    let i = 0;
    while (i < n) {
      const k = keys[i]!;
      const si = k < 0 ? -1 : this.#find(k);
      if (si < 0) {
        dest.setNull(at + i);
        i++;
        continue;
      }
      const s = this.#segments[si]!;
      let j = i + 1;
      while (j < n && keys[j]! >= s.start && keys[j]! < s.end) j++;
      const m = j - i;
      const part = this.#shifted(keys, i, m, s) ?? shiftedCopy(keys, i, m, s.shift);
      s.source.fillChunk(arrayKeys(part, m), dest, at + i, prev);
      i = j;
    }
  }

  /**
   * `keys[from, from + n)` minus the segment's shift, in the scratch buffer; null if a key lies
   * outside the segment, or if `keys` is the scratch buffer itself.
   */
  #shifted(keys: ArrayLike<number>, from: number, n: number, s: UnionSegment): Float64Array | null {
    if (keys === this.#scratch) return null;
    if (!this.#scratch || this.#scratch.length < n)
      this.#scratch = new Float64Array(Math.max(n, 4096));
    const out = this.#scratch;
    for (let x = 0; x < n; x++) {
      const k = keys[from + x]!;
      if (k < s.start || k >= s.end) return null;
      out[x] = k - s.shift;
    }
    return out;
  }

  /** A view keeps no values: its inputs track their own. */
  setTracker(_tracker: CycleTracker | null): void {}
}

/** `keys[from, from + n) - shift` in a new array. */
function shiftedCopy(
  keys: ArrayLike<number>,
  from: number,
  n: number,
  shift: number,
): Float64Array {
  const out = new Float64Array(n);
  for (let x = 0; x < n; x++) out[x] = keys[from + x]! - shift;
  return out;
}
