/**
 * OrderedKeys: a sorted set of row keys (distinct numbers), for operations that keep each group's
 * rows in order and ask for the n-th from either end (headBy / tailBy). Storage is a list of
 * sorted blocks of at most 2 * BLOCK keys, so an insert or removal costs a binary search plus a
 * shift within one block, and the n-th key from an end walks about n / BLOCK blocks from it.
 */

import { lowerBound } from "./slot-rows.ts";

const BLOCK = 256;

export class OrderedKeys {
  readonly #blocks: number[][] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** The block that holds, or would hold, `k` (the last block for keys above every key). */
  #blockFor(k: number): number {
    const bs = this.#blocks;
    let lo = 0;
    let hi = bs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const b = bs[mid]!;
      if (b[b.length - 1]! < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds `k` (no effect if present). */
  add(k: number): void {
    const bs = this.#blocks;
    if (bs.length === 0) {
      bs.push([k]);
      this.#size = 1;
      return;
    }
    const bi = this.#blockFor(k);
    const b = bs[bi]!;
    const i = lowerBound(b, k);
    if (b[i] === k) return;
    this.#size++;
    if (i === b.length) b.push(k);
    else b.splice(i, 0, k);
    if (b.length > 2 * BLOCK) bs.splice(bi + 1, 0, b.splice(b.length >>> 1));
  }

  /** Removes `k`; returns whether it was present. */
  delete(k: number): boolean {
    const bs = this.#blocks;
    if (bs.length === 0) return false;
    const bi = this.#blockFor(k);
    const b = bs[bi]!;
    const i = lowerBound(b, k);
    if (b[i] !== k) return false;
    this.#size--;
    if (i === 0) b.shift();
    else if (i === b.length - 1) b.pop();
    else b.splice(i, 1);
    if (b.length === 0) bs.splice(bi, 1);
    return true;
  }

  /** The key at 0-based position `i` from the smallest (`fromEnd` false) or the largest. */
  nth(i: number, fromEnd: boolean): number {
    const bs = this.#blocks;
    if (i < 0 || i >= this.#size) throw new RangeError(`OrderedKeys.nth(${i}) of ${this.#size}`);
    if (!fromEnd) {
      for (const b of bs) {
        if (i < b.length) return b[i]!;
        i -= b.length;
      }
    } else {
      for (let j = bs.length - 1; j >= 0; j--) {
        const b = bs[j]!;
        if (i < b.length) return b[b.length - 1 - i]!;
        i -= b.length;
      }
    }
    throw new Error("OrderedKeys: sizes out of sync");
  }

  /** Calls `fn` with each key in `[lo, hi]`, ascending. */
  forEachIn(lo: number, hi: number, fn: (k: number) => void): void {
    const bs = this.#blocks;
    if (bs.length === 0 || lo > hi) return;
    for (let bi = this.#blockFor(lo), i = lowerBound(bs[bi]!, lo); bi < bs.length; bi++, i = 0) {
      const b = bs[bi]!;
      for (; i < b.length; i++) {
        if (b[i]! > hi) return;
        fn(b[i]!);
      }
    }
  }
}
