/**
 * AsOfGroups: exact-match key tuple -> the as-of join's state for that key (a group), shared by
 * both sides of a join. A null key value is a key like any other (it matches null, as in
 * Deephaven).
 *
 * Keys are slots of one KeyHashTable (keys/key-hash-table.ts, the index groupBy and the other
 * joins use: typed-array open addressing, no per-row allocation); groups live in an array indexed
 * by slot. A deleted group frees its slot for the next new key. No key columns: a single group.
 */

import type { Vec } from "../column-source.ts";
import { KeyHashTable } from "../keys/key-hash-table.ts";
import type { ColumnType } from "../types.ts";

export class AsOfGroups<G> {
  readonly #k: number;
  readonly #table: KeyHashTable;
  #groups: (G | undefined)[] = [];
  #slots = new Int32Array(0);

  constructor(types: readonly ColumnType[]) {
    this.#k = types.length;
    this.#table = new KeyHashTable(types);
  }

  /**
   * Fills `out[0..n)` with the group of each row of the key vectors `keys`; `make(slot)` creates
   * a missing group (null: a missing group stays undefined).
   */
  lookup(
    keys: readonly Vec[],
    n: number,
    out: (G | undefined)[],
    make: ((slot: number) => G) | null,
  ): void {
    const groups = this.#groups;
    if (this.#k === 0) {
      if (groups[0] === undefined && make) groups[0] = make(0);
      for (let i = 0; i < n; i++) out[i] = groups[0];
      return;
    }
    if (this.#slots.length < n) this.#slots = new Int32Array(Math.max(n, 64));
    const slots = this.#slots;
    if (make === null) {
      this.#table.find(keys, n, slots);
      for (let i = 0; i < n; i++) {
        const s = slots[i]!;
        out[i] = s < 0 ? undefined : groups[s];
      }
      return;
    }
    const created = this.#table.findOrInsert(keys, n, slots);
    const rows = this.#table.createdRows;
    for (let c = 0; c < created; c++) {
      const s = slots[rows[c]!]!;
      groups[s] = make(s);
    }
    for (let i = 0; i < n; i++) out[i] = groups[slots[i]!];
  }

  /** Forgets the group of slot `slot`; its key gets a new group when it comes back. */
  delete(slot: number): void {
    this.#groups[slot] = undefined;
    if (this.#k > 0) this.#table.remove(slot);
  }
}
