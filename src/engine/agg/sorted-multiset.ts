/**
 * SortedMultiset: distinct values with counts, kept in order, for aggregations that must survive
 * removals (min/max over a ring, median, first/last row keys). Values are primitives of one kind
 * (numbers, possibly mixed with bigints for int64, or strings) ordered by `<`; NaN is not allowed
 * (callers count it apart).
 *
 * Storage is a list of sorted blocks of at most BLOCK distinct values, so an insert or removal
 * costs a binary search plus a shift within one block, O(log n + BLOCK), however large the set.
 */
import type { OrderedPrim } from "./prim.ts";

const BLOCK = 256;

interface Block {
  vals: OrderedPrim[];
  cnts: number[];
  total: number;
}

/** First index in `a` whose value is >= v. */
function lowerBound(a: readonly OrderedPrim[], v: OrderedPrim): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class SortedMultiset {
  readonly #blocks: Block[] = [];
  #total = 0;

  /** Number of values counted with multiplicity. */
  get size(): number {
    return this.#total;
  }

  /** The block that holds, or would hold, `v`. */
  #blockFor(v: OrderedPrim): number {
    const bs = this.#blocks;
    let lo = 0;
    let hi = bs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const b = bs[mid]!;
      if (b.vals[b.vals.length - 1]! < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(v: OrderedPrim, count = 1): void {
    this.#total += count;
    const bs = this.#blocks;
    if (bs.length === 0) {
      bs.push({ vals: [v], cnts: [count], total: count });
      return;
    }
    const bi = this.#blockFor(v);
    const b = bs[bi]!;
    b.total += count;
    const vals = b.vals;
    const i = lowerBound(vals, v);
    if (i < vals.length && vals[i] === v) {
      b.cnts[i]! += count;
      return;
    }
    if (i === vals.length) {
      vals.push(v);
      b.cnts.push(count);
    } else {
      vals.splice(i, 0, v);
      b.cnts.splice(i, 0, count);
    }
    if (vals.length > 2 * BLOCK) {
      const half = vals.length >>> 1;
      const cnts = b.cnts.splice(half);
      const moved = vals.splice(half);
      let t = 0;
      for (const c of cnts) t += c;
      b.total -= t;
      bs.splice(bi + 1, 0, { vals: moved, cnts, total: t });
    }
  }

  /** Removes `count` occurrences of `v`, which must be present. */
  remove(v: OrderedPrim, count = 1): void {
    const bs = this.#blocks;
    const bi = bs.length === 0 ? -1 : this.#blockFor(v);
    const b = bs[bi];
    const i = b ? lowerBound(b.vals, v) : -1;
    if (!b || b.vals[i] !== v || b.cnts[i]! < count) {
      throw new Error(`aggregation: removing value ${String(v)} that the group does not hold`);
    }
    this.#total -= count;
    b.total -= count;
    const left = b.cnts[i]! - count;
    if (left > 0) {
      b.cnts[i] = left;
      return;
    }
    if (i === 0) {
      b.vals.shift();
      b.cnts.shift();
    } else if (i === b.vals.length - 1) {
      b.vals.pop();
      b.cnts.pop();
    } else {
      b.vals.splice(i, 1);
      b.cnts.splice(i, 1);
    }
    if (b.vals.length === 0) bs.splice(bi, 1);
  }

  /** Smallest value, or undefined when empty. */
  min(): OrderedPrim | undefined {
    return this.#blocks[0]?.vals[0];
  }

  /** Largest value, or undefined when empty. */
  max(): OrderedPrim | undefined {
    const bs = this.#blocks;
    if (bs.length === 0) return undefined;
    const vals = bs[bs.length - 1]!.vals;
    return vals[vals.length - 1];
  }

  /** Calls `fn` for each distinct value, in order, with its count. */
  forEach(fn: (v: OrderedPrim, count: number) => void): void {
    for (const b of this.#blocks)
      for (let i = 0; i < b.vals.length; i++) fn(b.vals[i]!, b.cnts[i]!);
  }

  /** Distinct values with their counts, in order (for persistence). */
  entries(): [OrderedPrim, number][] {
    const out: [OrderedPrim, number][] = [];
    for (const b of this.#blocks)
      for (let i = 0; i < b.vals.length; i++) out.push([b.vals[i]!, b.cnts[i]!]);
    return out;
  }

  /** The value at 0-based position `k` of the sorted values counted with multiplicity. */
  at(k: number): OrderedPrim {
    if (k < 0 || k >= this.#total)
      throw new RangeError(`SortedMultiset.at(${k}) outside [0, ${this.#total})`);
    for (const b of this.#blocks) {
      if (k >= b.total) {
        k -= b.total;
        continue;
      }
      const cnts = b.cnts;
      for (let i = 0; i < cnts.length; i++) {
        if (k < cnts[i]!) return b.vals[i]!;
        k -= cnts[i]!;
      }
    }
    throw new Error("SortedMultiset: counts out of sync");
  }
}
