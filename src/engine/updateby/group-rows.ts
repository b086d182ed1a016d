/**
 * GroupRows: the row keys of each updateBy group, ascending (the group's order), for parents
 * whose groups are recomputed from a position (inserts, removes, modifications, forward
 * windows). Appending a key above the group's last is O(1); other changes cost a binary search
 * and a move within the group's array.
 */
import { lowerBound } from "../ops/slot-rows.ts";

export class GroupRows {
  readonly #rows: number[][] = [];

  /** The keys of `slot`, ascending (live: valid until the next change). */
  keys(slot: number): readonly number[] {
    return this.#rows[slot] ?? [];
  }

  add(slot: number, key: number): void {
    let a = this.#rows[slot];
    if (a === undefined) {
      a = [];
      this.#rows[slot] = a;
    }
    if (a.length === 0 || key > a[a.length - 1]!) a.push(key);
    else {
      const i = lowerBound(a, key);
      if (a[i] !== key) a.splice(i, 0, key);
    }
  }

  /** Removes `key` from `slot` (it must be there). */
  remove(slot: number, key: number): void {
    const a = this.#rows[slot];
    const i = a === undefined ? -1 : lowerBound(a, key);
    if (a === undefined || a[i] !== key)
      throw new Error(`updateBy: row ${key} is not indexed under its group`);
    a.splice(i, 1);
  }
}
