/**
 * SortedRedirection: the redirection of a refreshing sort, whose result keys are sparse (spread
 * over the 2^53 key space with gaps, so that a row inserted between two others takes a key between
 * theirs; see ops/sort-state.ts). A `RowRedirection` is a paged column keyed by result key and
 * would spend a page per row on such keys, so this one keeps the order itself: blocks of up to a
 * few thousand entries, each two parallel arrays (result keys ascending in a Float64Array, parent
 * keys in a Uint32Array while they are below 2^32, else a Float64Array), 12 or 16 bytes a row; the
 * sort's RowSet shares the key arrays. `get` is two binary searches (blocks by first key, then inside the block); a
 * chunked read of ascending keys walks the blocks once.
 *
 * The sort edits the blocks in place during its cycle. A key that leaves is remembered with its
 * parent key until the cycle ends, so previous-value reads of removed keys (and of keys re-used
 * by another row within the cycle) answer the previous parent; a key that stays never changes
 * parent (a row that moves takes a new key), so its current entry is also its previous one.
 */
import type { ChunkKeys, CycleParticipant, CycleTracker } from "./column-source.ts";
import { NULL_KEY } from "./column-source.ts";
import type { Redirection } from "./redirected-column-source.ts";

/** Parent keys of a block: 4 bytes each while every parent key is below 2^32, else 8. */
export type ParentKeys = Float64Array | Uint32Array;

/**
 * One block of the order: `keys[0..n)` ascending result keys, `parents[0..n)` their parents.
 * `vals`: what the owner keeps per entry besides (a sort's copies of its sort values), counted in
 * `heapBytes`.
 */
export interface KeyBlock {
  keys: Float64Array;
  parents: ParentKeys;
  n: number;
  vals?: readonly { readonly data: { readonly length: number; readonly byteLength?: number } }[];
}

export class SortedRedirection implements Redirection, CycleParticipant {
  #blocks: KeyBlock[] = [];
  /** Keys removed this cycle and their parents, as pairs; indexed in `#removed` when read. */
  #pending: number[] = [];
  /** Keys removed this cycle in bulk: [keys, parents, count] (arrays kept, not copied). */
  #pendingRuns: [Float64Array, Float64Array, number][] = [];
  #removed = new Map<number, number>();
  #tracker: CycleTracker | null;
  #out = new Float64Array(0);
  // Cursor of the last lookup: chunked reads of ascending keys continue from it.
  #cb = 0;
  #ci = 0;

  constructor(tracker: CycleTracker | null = null) {
    this.#tracker = tracker;
  }

  /** The blocks, in key order (the sort edits them and calls `setBlocks`). */
  get blocks(): readonly KeyBlock[] {
    return this.#blocks;
  }

  /** Installs the edited blocks (none empty, keys ascending across blocks). */
  setBlocks(blocks: KeyBlock[]): void {
    this.#blocks = blocks;
    this.#cb = 0;
    this.#ci = 0;
  }

  /** Remembers, until the cycle ends, that `key` was redirected to `parent` before the cycle. */
  rememberRemoved(key: number, parent: number): void {
    if (!this.#anyRemoved()) this.#tracker?.markDirty(this);
    this.#pending.push(key, parent);
  }

  /**
   * rememberRemoved for `keys[0..n)` and their `parents`, kept by reference (indexed only if a
   * previous value is read): the caller must not modify the arrays afterwards.
   */
  rememberRemovedAll(keys: Float64Array, parents: Float64Array, n: number): void {
    if (n === 0) return;
    if (!this.#anyRemoved()) this.#tracker?.markDirty(this);
    this.#pendingRuns.push([keys, parents, n]);
  }

  #anyRemoved(): boolean {
    return this.#pending.length > 0 || this.#pendingRuns.length > 0 || this.#removed.size > 0;
  }

  /** The removed keys of this cycle, indexed on the first previous-value read (most cycles have none). */
  #removedMap(): Map<number, number> {
    const p = this.#pending;
    if (p.length > 0) {
      for (let i = 0; i < p.length; i += 2)
        if (!this.#removed.has(p[i]!)) this.#removed.set(p[i]!, p[i + 1]!);
      this.#pending = [];
    }
    for (const [keys, parents, n] of this.#pendingRuns)
      for (let i = 0; i < n; i++)
        if (!this.#removed.has(keys[i]!)) this.#removed.set(keys[i]!, parents[i]!);
    this.#pendingRuns = [];
    return this.#removed;
  }

  endCycle(): void {
    if (this.#removed.size > 0) this.#removed = new Map();
    this.#pending = [];
    this.#pendingRuns = [];
  }

  /** Rows in the order. */
  get size(): number {
    let n = 0;
    for (const b of this.#blocks) n += b.n;
    return n;
  }

  get heapBytes(): number {
    let bytes = this.#out.byteLength + this.#removed.size * 40 + this.#pending.length * 8;
    for (const [keys, parents] of this.#pendingRuns) bytes += keys.byteLength + parents.byteLength;
    for (const b of this.#blocks) {
      bytes += b.keys.byteLength + b.parents.byteLength + 32;
      // Typed arrays count their bytes; a JS array of strings its references (8 bytes each).
      for (const v of b.vals ?? []) bytes += v.data.byteLength ?? v.data.length * 8;
    }
    return bytes;
  }

  get(key: number, prev = false): number {
    if (prev && this.#anyRemoved()) {
      const p = this.#removedMap().get(key);
      if (p !== undefined) return p;
    }
    return this.#find(key);
  }

  parentKeys(rows: ChunkKeys, prev = false): Float64Array {
    const n = rows.length;
    if (this.#out.length < n) this.#out = new Float64Array(Math.max(n, 2 * this.#out.length));
    const out = this.#out;
    const removed = prev && this.#anyRemoved() ? this.#removedMap() : null;
    for (let i = 0; i < n; i++) {
      const key = rows.isRun ? rows.start + i : rows.keys[i]!;
      const p = removed?.get(key);
      out[i] = p !== undefined ? p : this.#find(key);
    }
    return out;
  }

  /** The parent of `key` now, or NULL_KEY; continues from the last lookup when keys ascend. */
  #find(key: number): number {
    const blocks = this.#blocks;
    if (key < 0 || blocks.length === 0) return NULL_KEY;
    let b = this.#cb;
    let blk = blocks[b];
    if (blk === undefined || key < blk.keys[0]! || key > blk.keys[blk.n - 1]!) {
      b = blockOf(blocks, key);
      if (b < 0) return NULL_KEY;
      blk = blocks[b]!;
      this.#cb = b;
      this.#ci = 0;
    }
    const keys = blk.keys;
    let i = this.#ci;
    if (i >= blk.n || keys[i]! > key) i = 0;
    // The next few entries first (ascending reads), then a binary search.
    const stop = Math.min(blk.n, i + 4);
    while (i < stop && keys[i]! < key) i++;
    if (i < blk.n && keys[i]! < key) {
      let lo = i;
      let hi = blk.n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (keys[mid]! < key) lo = mid + 1;
        else hi = mid;
      }
      i = lo;
    }
    this.#ci = i;
    return keys[i] === key ? blk.parents[i]! : NULL_KEY;
  }
}

/** Index of the last block whose first key is <= key, or -1. */
export function blockOf(blocks: readonly KeyBlock[], key: number): number {
  let lo = 0;
  let hi = blocks.length - 1;
  if (hi < 0 || key < blocks[0]!.keys[0]!) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (blocks[mid]!.keys[0]! <= key) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
