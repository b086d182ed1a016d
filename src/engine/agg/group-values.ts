/**
 * GroupValues: the non-null values of every group in a sorted multiset (sorted-multiset.ts),
 * with NaN counted apart, for aggregations that need order under removals: min/max over parents
 * with removals, and median. Memory grows with the distinct values per group.
 */
import type { Vec } from "../column.ts";
import { PAGE_SIZE } from "../column.ts";
import type { ColumnType } from "../types.ts";
import type { OrderedPrim, Prim } from "./prim.ts";
import { NULL_KEY, primScratch, primsOf, primToRaw } from "./prim.ts";
import { grow } from "./slot-arrays.ts";
import { SortedMultiset } from "./sorted-multiset.ts";
import { dec, enc } from "./state-codec.ts";

/** Sorted values per group slot. */
export class GroupValues {
  readonly type: ColumnType;
  readonly sets: (SortedMultiset | undefined)[] = [];
  nan = new Float64Array(16);
  readonly #scratch: Prim[] = primScratch(PAGE_SIZE);

  constructor(type: ColumnType) {
    this.type = type;
  }

  ensure(n: number): void {
    this.nan = grow(this.nan, n);
  }

  add(slots: Int32Array, n: number, vec: Vec): void {
    const p = primsOf(this.type, vec, n, this.#scratch);
    const sets = this.sets;
    for (let i = 0; i < n; i++) {
      const v = p[i]!;
      if (v === NULL_KEY) continue;
      const s = slots[i]!;
      if (v !== v) {
        this.nan[s]!++;
        continue;
      }
      let set = sets[s];
      if (set === undefined) {
        set = new SortedMultiset();
        sets[s] = set;
      }
      set.add(v);
    }
  }

  remove(slots: Int32Array, n: number, vec: Vec): void {
    const p = primsOf(this.type, vec, n, this.#scratch);
    const sets = this.sets;
    for (let i = 0; i < n; i++) {
      const v = p[i]!;
      if (v === NULL_KEY) continue;
      const s = slots[i]!;
      if (v !== v) {
        this.nan[s]!--;
        continue;
      }
      const set = sets[s]!;
      set.remove(v);
      if (set.size === 0) sets[s] = undefined;
    }
  }

  /** Persisted state of a slot: [NaN count, [value, count]...]. */
  saveSlot(s: number): unknown {
    return [this.nan[s], (this.sets[s]?.entries() ?? []).map(([v, c]) => [enc(v), c])];
  }

  restoreSlot(s: number, state: unknown): void {
    const [nan, entries] = state as [number, [unknown, number][]];
    this.nan[s] = nan;
    if (entries.length === 0) return;
    const set = new SortedMultiset();
    for (const [v, c] of entries) set.add(dec(v) as OrderedPrim, c);
    this.sets[s] = set;
  }

  /** Storage value of a primitive of this column. */
  raw(v: OrderedPrim): number | bigint | string | null {
    return primToRaw(this.type, v);
  }
}
