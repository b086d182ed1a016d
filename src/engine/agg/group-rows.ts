/**
 * GroupRows: the sorted row keys of every group, for first/last and group over parents with
 * removals (the first row is the smallest key, the last the largest, and either may leave; a
 * group's array lists its rows in key order). Shared by all first/last/group outputs of one
 * aggregation. Memory is one entry per live parent row.
 */
import type { Span } from "../spans.ts";
import { keyAt } from "./kernel.ts";
import { SortedMultiset } from "./sorted-multiset.ts";

export class GroupRows {
  #sets: (SortedMultiset | undefined)[] = [];

  add(slots: Int32Array, n: number, span: Span): void {
    const sets = this.#sets;
    for (let i = 0; i < n; i++) {
      const s = slots[i]!;
      let set = sets[s];
      if (set === undefined) {
        set = new SortedMultiset();
        sets[s] = set;
      }
      set.add(keyAt(span, i));
    }
  }

  remove(slots: Int32Array, n: number, span: Span): void {
    const sets = this.#sets;
    for (let i = 0; i < n; i++) {
      const s = slots[i]!;
      const set = sets[s]!;
      set.remove(keyAt(span, i));
      if (set.size === 0) sets[s] = undefined;
    }
  }

  /** Smallest row key of the group, or -1 if it has none. */
  first(slot: number): number {
    const v = this.#sets[slot]?.min();
    return v === undefined ? -1 : (v as number);
  }

  /** Number of rows in the group. */
  size(slot: number): number {
    return this.#sets[slot]?.size ?? 0;
  }

  /** Calls `fn` with each row key of the group, ascending. */
  forEachKey(slot: number, fn: (key: number) => void): void {
    this.#sets[slot]?.forEach((k) => {
      fn(k as number);
    });
  }

  /** Largest row key of the group, or -1. */
  last(slot: number): number {
    const v = this.#sets[slot]?.max();
    return v === undefined ? -1 : (v as number);
  }
}
