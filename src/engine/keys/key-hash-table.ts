/**
 * KeyHashTable: key tuple -> slot, by open addressing over typed arrays. Shared by groupBy's
 * GroupIndex and the joins (naturalJoin, whereIn): `findOrInsert` maps a chunk of key vectors
 * to slots, creating slots for new keys; `find` only looks up (-1 for an unknown key).
 *
 * Slots are dense ints handed out in order of first appearance. `remove(slot)` forgets a key
 * (the joins free the slots of keys no row holds any more, so a churning key space does not grow
 * the table); a later new key reuses the most recently freed slot before a fresh one. Key equality
 * and hashing per column type are in key-columns.ts (null equals null, NaN equals NaN, -0 equals
 * 0; strings are first mapped to dense ids, which are the slots when the only key is a string).
 * The table is an Int32Array of (slot + 1, hash) pairs, linear probing, at most half full
 * (removal shifts the following entries back, so no tombstones);
 * a probe compares the stored hash before it compares keys, so a string key is compared with a
 * stored one only when their hashes agree. Per chunk: one hashing pass per key column, then one
 * probe per row; nothing is allocated per row. The probe reads each row's home bucket for the whole
 * chunk first, in a loop whose loads do not depend on each other, so the processor overlaps
 * their cache misses (a table of 100,000 keys is megabytes, so most rows miss); only rows whose
 * key is not at its home bucket probe on.
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
  /** Slots handed out (live and freed). */
  #size = 0;
  /** Live entries in the table. */
  #used = 0;
  /** Each slot's hash (to find its bucket on removal). */
  #slotHash = new Int32Array(MIN_CAPACITY);
  /** Freed slots, reused last-in first-out. */
  #free = new Int32Array(16);
  #freeCount = 0;
  #hashes = new Int32Array(0);
  #newRows = new Int32Array(0);

  /** A single string key column: its string ids are the slots (no probing). */
  readonly #direct: StringKeys | null;

  /** `types`: the key columns' types (scalar types only). */
  constructor(types: readonly ColumnType[]) {
    this.#cols = types.map(keyColumn);
    if (this.#cols.length === 1) this.#cols[0]!.only = true;
    const only = this.#cols.length === 1 ? this.#cols[0] : undefined;
    this.#direct = only instanceof StringKeys ? only : null;
  }

  /** Number of slots handed out, freed ones included: every slot is below it. */
  get size(): number {
    return this.#direct !== null ? this.#direct.count : this.#size;
  }

  /** Number of keys held (slots handed out minus those freed). */
  get live(): number {
    return this.#direct !== null ? this.#direct.live : this.#used;
  }

  /**
   * Fills `slots[0..n)` with the slots of rows `[0, n)` of `keys` (one vector per key column),
   * creating slots for keys not seen before (a freed slot, or the next fresh one). Returns how
   * many were created, by rows `createdRows[0 .. created)` (their slots are `slots[row]`).
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
    this.#home(hs, n, slots);
    let created = 0;
    for (let i = 0; i < n; i++) {
      // A candidate found at the home bucket stays the key's slot even if an insert below grew
      // the table (slots do not move; only buckets do).
      const home = slots[i]!;
      if (home >= 0 && this.#equals(home, i)) continue;
      const h = hs[i]!;
      const t = this.#table;
      let p = h & this.#mask;
      for (;;) {
        const e = t[2 * p]!;
        if (e === 0) {
          const s = this.#freeCount > 0 ? this.#free[--this.#freeCount]! : this.#size++;
          for (const c of this.#cols) c.push(s, i);
          t[2 * p] = s + 1;
          t[2 * p + 1] = h;
          if (s >= this.#slotHash.length) this.#slotHash = grownInt32(this.#slotHash, s + 1);
          this.#slotHash[s] = h;
          newRows[created++] = i;
          slots[i] = s;
          if (2 * ++this.#used > this.#mask + 1) this.#grow();
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
    this.#home(hs, n, slots);
    const t = this.#table;
    const mask = this.#mask;
    for (let i = 0; i < n; i++) {
      const home = slots[i]!;
      if (home >= 0 && this.#equals(home, i)) continue;
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

  /**
   * Forgets the key of `slot` (which must be live): its slot is reused by a later new key. The
   * entries after it in its probe run shift back, so lookups need no tombstones.
   */
  remove(slot: number): void {
    if (this.#direct !== null) {
      this.#direct.release(slot);
      return;
    }
    const t = this.#table;
    const mask = this.#mask;
    let p = this.#slotHash[slot]! & mask;
    while (t[2 * p] !== slot + 1) {
      if (t[2 * p] === 0) throw new Error(`KeyHashTable: slot ${slot} is not live`);
      p = (p + 1) & mask;
    }
    // Backward-shift deletion: move each later entry of the run into the hole unless its home
    // bucket lies (cyclically) after the hole.
    let hole = p;
    let q = p;
    for (;;) {
      q = (q + 1) & mask;
      const e = t[2 * q]!;
      if (e === 0) break;
      const home = t[2 * q + 1]! & mask;
      const stays = hole <= q ? hole < home && home <= q : hole < home || home <= q;
      if (stays) continue;
      t[2 * hole] = e;
      t[2 * hole + 1] = t[2 * q + 1]!;
      hole = q;
    }
    t[2 * hole] = 0;
    t[2 * hole + 1] = 0;
    this.#used--;
    if (this.#freeCount === this.#free.length)
      this.#free = grownInt32(this.#free, this.#freeCount + 1);
    this.#free[this.#freeCount++] = slot;
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

  /**
   * `slots[i]`: the slot in row `i`'s home bucket if its stored hash equals the row's (a
   * candidate, to confirm with `#equals`), else -1.
   */
  #home(hs: Int32Array, n: number, slots: Int32Array): void {
    const t = this.#table;
    const mask = this.#mask;
    for (let i = 0; i < n; i++) {
      const h = hs[i]!;
      const p = 2 * (h & mask);
      // An empty bucket holds (0, 0): a row hashing to 0 gets 0 - 1 = -1 there.
      slots[i] = t[p + 1] === h ? t[p]! - 1 : -1;
    }
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

function grownInt32(a: Int32Array<ArrayBuffer>, need: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(Math.max(need, 2 * a.length));
  next.set(a);
  return next;
}
