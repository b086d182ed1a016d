/**
 * SlotRows: for each key slot of a join (join-keys.ts), the row keys of one side holding that
 * key, in ascending row-key order (the side's row order: "first" and "last" match by it).
 *
 * Most slots hold one row: it lives in a flat Float64Array; slots with more hold a sorted array.
 * Adding a key above the slot's last (append-only and ring inputs) is O(1); other adds and
 * removals cost a binary search plus a move within the slot's array.
 */

const NONE = -1;
const MANY = -2;

export class SlotRows {
  #one = new Float64Array(64).fill(NONE);
  readonly #many = new Map<number, number[]>();

  #grow(slot: number): void {
    if (slot < this.#one.length) return;
    let n = this.#one.length * 2;
    while (n <= slot) n *= 2;
    const next = new Float64Array(n).fill(NONE);
    next.set(this.#one);
    this.#one = next;
  }

  /** Trims the spare room of the slots' arrays (after a bulk build, as a join's construction). */
  compact(): void {
    for (const [slot, a] of this.#many) this.#many.set(slot, a.slice());
  }

  /** Number of rows in `slot` (a slot of -1, an unknown key, has none). */
  count(slot: number): number {
    if (slot < 0 || slot >= this.#one.length) return 0;
    const v = this.#one[slot]!;
    if (v === NONE) return 0;
    return v === MANY ? this.#many.get(slot)!.length : 1;
  }

  /** The first row of `slot`, or -1. */
  first(slot: number): number {
    if (slot < 0 || slot >= this.#one.length) return NONE;
    const v = this.#one[slot]!;
    return v === MANY ? this.#many.get(slot)![0]! : v;
  }

  /** The last row of `slot`, or -1. */
  last(slot: number): number {
    if (slot < 0 || slot >= this.#one.length) return NONE;
    const v = this.#one[slot]!;
    if (v !== MANY) return v;
    const a = this.#many.get(slot)!;
    return a[a.length - 1]!;
  }

  /** The rows of `slot` in ascending order (a fresh array). */
  rows(slot: number): number[] {
    if (slot < 0 || slot >= this.#one.length) return [];
    const v = this.#one[slot]!;
    if (v === NONE) return [];
    return v === MANY ? this.#many.get(slot)!.slice() : [v];
  }

  /** Calls `fn` with each row of `slot`, ascending. */
  forEach(slot: number, fn: (row: number) => void): void {
    if (slot < 0 || slot >= this.#one.length) return;
    const v = this.#one[slot]!;
    if (v === NONE) return;
    if (v !== MANY) fn(v);
    else for (const r of this.#many.get(slot)!) fn(r);
  }

  add(slot: number, row: number): void {
    this.#grow(slot);
    const v = this.#one[slot]!;
    if (v === NONE) {
      this.#one[slot] = row;
      return;
    }
    if (v !== MANY) {
      this.#one[slot] = MANY;
      this.#many.set(slot, v < row ? [v, row] : [row, v]);
      return;
    }
    const a = this.#many.get(slot)!;
    if (row > a[a.length - 1]!) a.push(row);
    else a.splice(lowerBound(a, row), 0, row);
  }

  /** Removes `row` from `slot` (it must be there). */
  remove(slot: number, row: number): void {
    const v = slot < this.#one.length ? this.#one[slot]! : NONE;
    if (v === row) {
      this.#one[slot] = NONE;
      return;
    }
    if (v !== MANY) throw new Error(`join: row ${row} is not indexed under its key`);
    const a = this.#many.get(slot)!;
    const i = lowerBound(a, row);
    if (a[i] !== row) throw new Error(`join: row ${row} is not indexed under its key`);
    if (i === 0) a.shift();
    else a.splice(i, 1);
    if (a.length === 1) {
      this.#one[slot] = a[0]!;
      this.#many.delete(slot);
    }
  }
}

/** First index of `a` (ascending) whose value is >= `x`. */
export function lowerBound(a: ArrayLike<number>, x: number, lo = 0, hi = a.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
