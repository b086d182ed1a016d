/**
 * GroupIndex: key tuple -> slot. Slots are dense ints handed out in order of first appearance
 * and never reused, so a vanished group that comes back gets its old slot. The aggregation
 * result uses the slot as its row key, which puts result rows in first-appearance order.
 *
 * The lookups are a KeyHashTable (keys/key-hash-table.ts: typed-array open addressing; null
 * equals null, NaN equals NaN, -0 equals 0). No key columns: slot 0. A new slot's key values
 * are written once to the result's key columns.
 */

import type { PagedColumn, Vec } from "../column.ts";
import { KeyHashTable } from "../keys/key-hash-table.ts";
import type { ColumnType } from "../types.ts";
import type { Prim } from "./prim.ts";
import { isBig, primToRaw, rawAt } from "./prim.ts";

export class GroupIndex {
  readonly #types: readonly ColumnType[];
  readonly #out: readonly PagedColumn[];
  readonly #table: KeyHashTable;

  /** `types` of the key columns; `out` the result's key columns, written when a slot is made. */
  constructor(types: readonly ColumnType[], out: readonly PagedColumn[]) {
    this.#types = types;
    this.#out = out;
    this.#table = new KeyHashTable(types);
  }

  /** Number of slots handed out. */
  get size(): number {
    return this.#types.length === 0 ? 1 : this.#table.size;
  }

  /**
   * Fills `slots[0..n)` with the slots of rows `[0, n)` of the key vectors `keys`. New keys get
   * new slots when `create`; otherwise an unknown key is an internal error (a removed row whose
   * group was never seen).
   */
  assign(keys: readonly Vec[], n: number, slots: Int32Array, create: boolean): void {
    if (this.#types.length === 0) {
      slots.fill(0, 0, n);
      return;
    }
    if (!create) {
      this.#table.find(keys, n, slots);
      for (let i = 0; i < n; i++) {
        if (slots[i]! < 0)
          throw new Error(
            "aggregation: a removed or modified row belongs to a group that was never added",
          );
      }
      return;
    }
    const created = this.#table.findOrInsert(keys, n, slots);
    if (created === 0) return;
    const rows = this.#table.createdRows;
    for (let c = 0; c < created; c++) {
      const i = rows[c]!;
      for (let j = 0; j < this.#out.length; j++)
        this.#out[j]!.setRaw(slots[i]!, rawAt(keys[j]!, i));
    }
  }

  /** The slot of a key tuple given as primitives, or -1. */
  find(prims: readonly Prim[]): number {
    if (this.#types.length === 0) return 0;
    const slot = new Int32Array(1);
    this.#table.find(this.#vecsOf(prims), 1, slot);
    return slot[0]!;
  }

  /** Recreates slot `slot` (the next one) for a key tuple of primitives (persistence). */
  restore(slot: number, prims: readonly Prim[]): void {
    if (slot !== this.size && !(this.#types.length === 0 && slot === 0)) {
      throw new Error(`aggregation: restoring slot ${slot} but ${this.size} slots exist`);
    }
    if (this.#types.length === 0) return;
    const got = new Int32Array(1);
    this.#table.findOrInsert(this.#vecsOf(prims), 1, got);
    if (got[0] !== slot)
      throw new Error(`aggregation: restored key of slot ${slot} is a duplicate`);
    for (let j = 0; j < this.#out.length; j++)
      this.#out[j]!.setRaw(slot, primToRaw(this.#types[j]!, prims[j]!));
  }

  /** One-row key vectors holding a key tuple given as primitives. */
  #vecsOf(prims: readonly Prim[]): Vec[] {
    return this.#types.map((type, j) => {
      const raw = primToRaw(type, prims[j]!);
      const valid = raw === null ? new Uint8Array(1) : null;
      const data = isBig(type)
        ? BigInt64Array.of(typeof raw === "bigint" ? raw : 0n)
        : [raw === null ? 0 : (raw as number | string)];
      return { data, valid, length: 1 } as Vec;
    });
  }
}
