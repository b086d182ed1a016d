/**
 * TopBuffer: the best rows of a parent under a sort's order, for a head or tail over a sort
 * (top-n.ts). "Best" is first in the sort's order for a head, last for a tail; ties are broken by
 * parent key as the sort breaks them (stable), so the buffer's order is exactly the sort's order
 * (reversed for a tail).
 *
 * Invariant: the buffer holds the `size` best rows of the parent, best first (a prefix of the
 * parent's order), at most `capacity` of them; `complete` when that is every parent row. Removing
 * rows keeps it a prefix. A row offered is taken when it beats the buffer's worst entry (or the
 * buffer is complete), and the buffer is cut back to `capacity`: still a prefix. Only when
 * removals leave fewer rows than the window needs is it refilled by one read of the whole
 * parent (`fill`); over a ring of random values removals of the best rows are rare, so this is
 * rare. The buffer copies the sort values of its rows (for comparisons without reads).
 */
import type { Vec } from "../column-source.ts";
import { Chunk } from "../column-source.ts";
import type { RowSet } from "../row-set.ts";
import type { RowComparator, SortColumn } from "./sort-columns.ts";
import { keysOf, rowComparator, SortValues } from "./sort-columns.ts";
import { sortedPositions } from "./stable-sort.ts";

/** Offered rows above this many candidates are ordered by the radix sort of the whole batch. */
const COMPARE_MAX = 64;

/** Copies `src[j]` (value and validity) to `dst[i]`, writing positions in ascending order. */
function copyVal(dst: Chunk, i: number, src: Vec, j: number): void {
  if (src.valid !== null && src.valid[j] === 0) dst.setNull(i);
  else {
    (dst.data as unknown as unknown[])[i] = src.data[j];
    dst.setValid(i);
  }
}

export class TopBuffer {
  readonly capacity: number;
  /** Whether the buffer holds every row of the parent. */
  complete = false;
  readonly #cols: readonly SortColumn[];
  readonly #compare: RowComparator;
  /** 1 for a head (best = first in sort order), -1 for a tail. */
  readonly #dir: number;
  #parents: Float64Array;
  #vals: Chunk[];
  #size = 0;
  // The merge writes into these, then swaps them in.
  #nextParents: Float64Array;
  #nextVals: Chunk[];
  readonly #batch: SortValues;
  #keys = new Float64Array(0);

  constructor(cols: readonly SortColumn[], capacity: number, fromEnd: boolean) {
    this.#cols = cols;
    this.capacity = capacity;
    this.#compare = rowComparator(cols);
    this.#dir = fromEnd ? -1 : 1;
    this.#parents = new Float64Array(capacity);
    this.#nextParents = new Float64Array(capacity);
    this.#vals = cols.map((c) => new Chunk(c.type, capacity).reset(0));
    this.#nextVals = cols.map((c) => new Chunk(c.type, capacity).reset(0));
    this.#batch = new SortValues(cols);
  }

  /** Number of rows held. */
  get size(): number {
    return this.#size;
  }

  /** Parent key of the `i`-th best row. */
  parent(i: number): number {
    return this.#parents[i]!;
  }

  /** Negative when row `i` of `vals` (parent key `p`) beats entry `j`. */
  #rank(vals: readonly Vec[], i: number, p: number, j: number): number {
    return this.#dir * (this.#compare(vals, i, this.#vals, j) || p - this.#parents[j]!);
  }

  /** Drops the rows whose parent keys are in `rows` (the rest keep their order). */
  drop(rows: RowSet): void {
    if (rows.isEmpty || this.#size === 0) return;
    const parents = this.#parents;
    const lo = rows.first();
    const hi = rows.last();
    let w = 0;
    for (let i = 0; i < this.#size; i++) {
      const p = parents[i]!;
      if (p >= lo && p <= hi && rows.contains(p)) continue;
      if (w !== i) {
        parents[w] = p;
        for (const v of this.#vals) copyVal(v, w, v, i);
      }
      w++;
    }
    this.#size = w;
    for (const v of this.#vals) v.length = w;
  }

  /** Offers `rows` (present in the parent, current values): takes those among the best. */
  offer(rows: RowSet): void {
    if (rows.isEmpty || (this.#size === 0 && !this.complete)) return;
    const k = rows.size;
    const vals = this.#batch.readRows(rows, false);
    if (this.#keys.length < k) this.#keys = new Float64Array(k + (k >> 2));
    const keys = this.#keys;
    let w = 0;
    rows.forEachRange((s, e) => {
      for (let x = s; x < e; x++) keys[w++] = x;
    });
    // Candidates: rows that beat the worst entry (every row, when the buffer is complete).
    let c = 0;
    const cand: number[] = [];
    if (this.complete) c = k;
    else {
      const worst = this.#size - 1;
      for (let i = 0; i < k; i++) if (this.#rank(vals, i, keys[i]!, worst) < 0) cand.push(i);
      c = cand.length;
    }
    if (c === 0) return;
    let order: ArrayLike<number>;
    if (c <= COMPARE_MAX) {
      const idx = this.complete ? Array.from({ length: k }, (_, i) => i) : cand;
      const dir = this.#dir;
      const compare = this.#compare;
      idx.sort((a, b) => dir * (compare(vals, a, vals, b) || keys[a]! - keys[b]!));
      order = idx;
    } else {
      // The candidates are the best `c` rows of the batch: a prefix of its order, best first.
      order = this.#bestFirst(sortedPositions(this.#cols, vals, k), c);
    }
    this.#merge(vals, keys, order, c);
  }

  /** The first `c` of `sorted` (ascending sort order) best first. */
  #bestFirst(sorted: Uint32Array, c: number): Uint32Array {
    if (this.#dir > 0) return sorted;
    const n = sorted.length;
    const out = new Uint32Array(c);
    for (let i = 0; i < c; i++) out[i] = sorted[n - 1 - i]!;
    return out;
  }

  /** Merges batch rows `order[0..c)` (best first) with the entries, keeping at most capacity. */
  #merge(vals: readonly Vec[], keys: Float64Array, order: ArrayLike<number>, c: number): void {
    const cap = this.capacity;
    const parents = this.#nextParents;
    const out = this.#nextVals;
    for (const v of out) v.reset(cap);
    const size = this.#size;
    let i = 0;
    let j = 0;
    let o = 0;
    while (o < cap && (i < size || j < c)) {
      const r = j < c ? order[j]! : -1;
      if (r >= 0 && (i >= size || this.#rank(vals, r, keys[r]!, i) < 0)) {
        parents[o] = keys[r]!;
        for (let x = 0; x < out.length; x++) copyVal(out[x]!, o, vals[x]!, r);
        j++;
      } else {
        parents[o] = this.#parents[i]!;
        for (let x = 0; x < out.length; x++) copyVal(out[x]!, o, this.#vals[x]!, i);
        i++;
      }
      o++;
    }
    // Complete only while nothing was cut.
    this.complete = this.complete && i === size && j === c;
    for (const v of out) v.length = o;
    this.#nextParents = this.#parents;
    this.#nextVals = this.#vals;
    this.#parents = parents;
    this.#vals = out;
    this.#size = o;
  }

  /** Refills from every row of the parent (`rows`: its rows now). */
  fill(rows: RowSet): void {
    const n = rows.size;
    const batch = new SortValues(this.#cols);
    const vals = batch.readRows(rows, false);
    const keys = keysOf(rows);
    const m = Math.min(n, this.capacity);
    const order = this.#bestFirst(sortedPositions(this.#cols, vals, n), m);
    this.#size = 0;
    this.complete = true;
    this.#merge(vals, keys, order, m);
    this.complete = n <= this.capacity;
  }
}
