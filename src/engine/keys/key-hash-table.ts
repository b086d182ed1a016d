/**
 * KeyHashTable: key tuple -> slot, by open addressing over typed arrays. Shared by groupBy's
 * GroupIndex and the joins (naturalJoin, whereIn): `findOrInsert` maps a chunk of key vectors
 * to slots, creating slots for new keys; `find` only looks up (-1 for an unknown key).
 *
 * Slots are dense ints handed out in order of first appearance and never reused. Key equality
 * and hashing per column type are in key-columns.ts (null equals null, NaN equals NaN, -0 equals
 * 0; strings are first mapped to dense ids, which are the slots when the only key is a string).
 * The table is an Int32Array of (slot + 1, hash) pairs, linear probing, at most half full;
 * a probe compares the stored hash before it compares keys, so a string key is compared with a
 * stored one only when their hashes agree. Per chunk: one hashing pass per key column, then one
 * probe per row; nothing is allocated per row.
 */

import type { Vec } from "../column.ts";
import type { ColumnType } from "../types.ts";
import type { KeyColumn } from "./key-columns.ts";
import { fmix, keyColumn, StringKeys } from "./key-columns.ts";

const MIN_CAPACITY = 64;

export class KeyHashTable {
  readonly #cols: readonly KeyColumn[];
  /** Pairs (slot + 1, hash); slot + 1 === 0 marks an empty bucket. */
  #table = new Int32Array(2 * MIN_CAPACITY);
  #mask = MIN_CAPACITY - 1;
  #size = 0;
  #hashes = new Int32Array(0);
  #newRows = new Int32Array(0);

  /** A single string key column: its string ids are the slots (no probing). */
  readonly #direct: StringKeys | null;

  /** `types`: the key columns' types (scalar types only). */
  constructor(types: readonly ColumnType[]) {
    this.#cols = types.map(keyColumn);
    const only = this.#cols.length === 1 ? this.#cols[0] : undefined;
    this.#direct = only instanceof StringKeys ? only : null;
  }

  /** Number of slots handed out. */
  get size(): number {
    return this.#direct !== null ? this.#direct.count : this.#size;
  }

  /**
   * Fills `slots[0..n)` with the slots of rows `[0, n)` of `keys` (one vector per key column),
   * creating slots for keys not seen before. Returns how many were created: slots
   * `size - created .. size`, created by rows `createdRows[0 .. created)`.
   */
  findOrInsert(keys: readonly Vec[], n: number, slots: Int32Array): number {
    if (this.#newRows.length < n) this.#newRows = new Int32Array(Math.max(n, 16));
    const newRows = this.#newRows;
    const direct = this.#direct;
    if (direct !== null) {
      direct.bind(keys[0]!);
      const created = direct.intern(n, slots, newRows);
      direct.unbind();
      return created;
    }
    const hs = this.#hash(keys, n, true);
    let created = 0;
    for (let i = 0; i < n; i++) {
      const h = hs[i]!;
      const t = this.#table;
      let p = h & this.#mask;
      for (;;) {
        const e = t[2 * p]!;
        if (e === 0) {
          const s = this.#size++;
          for (const c of this.#cols) c.push(s, i);
          t[2 * p] = s + 1;
          t[2 * p + 1] = h;
          newRows[created++] = i;
          slots[i] = s;
          if (2 * this.#size > this.#mask + 1) this.#grow();
          break;
        }
        if (t[2 * p + 1] === h && this.#equals(e - 1, i)) {
          slots[i] = e - 1;
          break;
        }
        p = (p + 1) & this.#mask;
      }
    }
    this.#unbind();
    return created;
  }

  /** Rows of the last `findOrInsert` chunk that created slots, in slot order. */
  get createdRows(): Int32Array {
    return this.#newRows;
  }

  /** Fills `slots[0..n)` with the slots of rows `[0, n)` of `keys`, -1 for unknown keys. */
  find(keys: readonly Vec[], n: number, slots: Int32Array): void {
    const direct = this.#direct;
    if (direct !== null) {
      direct.bind(keys[0]!);
      direct.intern(n, slots, null);
      direct.unbind();
      for (let i = 0; i < n; i++) if (slots[i]! < 0) slots[i] = -1;
      return;
    }
    const hs = this.#hash(keys, n, false);
    const t = this.#table;
    const mask = this.#mask;
    for (let i = 0; i < n; i++) {
      const h = hs[i]!;
      let p = h & mask;
      let s = -1;
      for (;;) {
        const e = t[2 * p]!;
        if (e === 0) break;
        if (t[2 * p + 1] === h && this.#equals(e - 1, i)) {
          s = e - 1;
          break;
        }
        p = (p + 1) & mask;
      }
      slots[i] = s;
    }
    this.#unbind();
  }

  /** Binds the key vectors and returns each row's hash (scratch, valid until the next call). */
  #hash(keys: readonly Vec[], n: number, insert: boolean): Int32Array {
    if (this.#hashes.length < n) this.#hashes = new Int32Array(Math.max(n, 16));
    const hs = this.#hashes;
    hs.fill(0, 0, n);
    for (let j = 0; j < this.#cols.length; j++) {
      const c = this.#cols[j]!;
      c.bind(keys[j]!);
      c.hash(n, hs, insert);
    }
    for (let i = 0; i < n; i++) hs[i] = fmix(hs[i]!);
    return hs;
  }

  #unbind(): void {
    for (const c of this.#cols) c.unbind();
  }

  #equals(slot: number, i: number): boolean {
    const cols = this.#cols;
    if (cols.length === 1) return cols[0]!.equals(slot, i);
    for (let j = 0; j < cols.length; j++) if (!cols[j]!.equals(slot, i)) return false;
    return true;
  }

  /** Doubles the bucket count and re-places every entry by its stored hash. */
  #grow(): void {
    const old = this.#table;
    const cap = 2 * (this.#mask + 1);
    const t = new Int32Array(2 * cap);
    const mask = cap - 1;
    for (let q = 0; q < old.length; q += 2) {
      const e = old[q]!;
      if (e === 0) continue;
      const h = old[q + 1]!;
      let p = h & mask;
      while (t[2 * p] !== 0) p = (p + 1) & mask;
      t[2 * p] = e;
      t[2 * p + 1] = h;
    }
    this.#table = t;
    this.#mask = mask;
  }
}
