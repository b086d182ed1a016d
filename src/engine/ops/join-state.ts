/**
 * The state of a join (join.ts): the key index, the right rows per key, the left rows per key when
 * right changes must reach them, the key width W, and the two redirections (result key -> left
 * key, result key -> right key) its columns read through. `Ranges` collects an update's keys.
 */
import type { ColumnSource } from "../column-source.ts";
import { RowRedirection } from "../row-redirection.ts";
import { RowSet, RowSetBuilder } from "../row-set.ts";
import type { Table } from "../table-core.ts";
import { JoinKeys } from "./join-keys.ts";
import type { ColumnPair } from "./match-columns.ts";
import { SlotRows } from "./slot-rows.ts";

const MAX_KEY = 2 ** 53;

function pow2AtLeast(n: number): number {
  let w = 1;
  while (w < n) w *= 2;
  return w;
}

/** Ranges `[start, end)` in any order, built into one RowSet. */
export class Ranges {
  readonly #r: number[] = [];
  add(start: number, end: number): void {
    if (end > start) this.#r.push(start, end);
  }
  key(k: number): void {
    this.#r.push(k, k + 1);
  }
  build(): RowSet {
    const r = this.#r;
    if (r.length === 0) return RowSet.EMPTY;
    const order = Array.from({ length: r.length / 2 }, (_, i) => i).sort(
      (a, b) => r[2 * a]! - r[2 * b]!,
    );
    const b = new RowSetBuilder();
    for (const i of order) b.addRangeUnordered(r[2 * i]!, r[2 * i + 1]!);
    return b.build();
  }
}

export class JoinState {
  readonly keys: JoinKeys;
  readonly leftOn: ColumnSource[];
  readonly rightOn: ColumnSource[];
  readonly right = new SlotRows();
  readonly left: SlotRows | null;
  readonly leftRedirection = new RowRedirection();
  readonly rightRedirection = new RowRedirection();
  width = 1;
  /**
   * A static right with at most one row per key (W = 1): result key = left key, so the left's
   * columns are the left's own sources and the left redirection stays empty.
   */
  identityLeft = false;

  constructor(left: Table, right: Table, on: readonly ColumnPair[], indexLeft: boolean) {
    this.keys = new JoinKeys(
      on.map((p) => p.left),
      on.map((p) => left.columns[p.left]!),
    );
    this.leftOn = on.map((p) => left.column(p.left));
    this.rightOn = on.map((p) => right.column(p.right));
    this.left = indexLeft ? new SlotRows() : null;
  }

  /**
   * Frees the slots of `slots` (-1: none; repeats allowed) whose key no right row and no indexed
   * left row holds, so a right side of ever-new keys does not grow the key index.
   */
  freeUnused(slots: Iterable<number>): void {
    for (const s of slots) {
      if (s < 0 || this.right.count(s) > 0 || (this.left !== null && this.left.count(s) > 0))
        continue;
      if (this.#freed.has(s)) continue;
      this.#freed.add(s);
      this.keys.free(s);
    }
    this.#freed.clear();
  }

  readonly #freed = new Set<number>();

  /** The width for the current right rows (see the module header). */
  widthFor(refreshing: boolean): number {
    let max = 1;
    for (let s = 0; s < this.keys.size; s++) max = Math.max(max, this.right.count(s));
    return refreshing ? 2 * pow2AtLeast(max) : pow2AtLeast(max);
  }

  checkKey(leftKey: number): void {
    if ((leftKey + 1) * this.width > MAX_KEY)
      throw new RangeError(
        `join: left row key ${leftKey} times ${this.width} matches per key exceeds the result key space (2^53)`,
      );
  }

  /** Points result keys `L*W + [from, to)` at left row L and right rows `list[from, to)`. */
  write(leftKey: number, list: readonly number[], from: number, to: number): void {
    const base = leftKey * this.width;
    for (let p = from; p < to; p++) {
      if (!this.identityLeft) this.leftRedirection.set(base + p, leftKey);
      this.rightRedirection.set(base + p, list[p]!);
    }
  }

  /**
   * JoinKeys.eachSlot over left rows: a left row gets a slot of its own only when the left is
   * indexed (otherwise an unknown key is -1: no matches, nothing kept).
   */
  eachLeft(
    rows: RowSet,
    prev: boolean,
    fn: (keys: Float64Array, slots: Int32Array, n: number) => void,
  ): void {
    this.keys.eachSlot(rows, this.leftOn, prev, fn, this.left !== null);
  }

  /** Builds every result row from the left rows `rows` (construction and re-keying). */
  build(rows: RowSet): RowSet {
    const out = new RowSetBuilder();
    this.eachLeft(rows, false, (keys, slots, n) => {
      for (let i = 0; i < n; i++) {
        const m = this.right.count(slots[i]!);
        if (m === 0) continue;
        const k = keys[i]!;
        this.checkKey(k);
        this.write(k, this.right.rows(slots[i]!), 0, m);
        out.addRange(k * this.width, k * this.width + m);
      }
    });
    return out.build();
  }
}
