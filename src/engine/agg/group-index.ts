/**
 * GroupIndex: key tuple -> slot. Slots are dense ints handed out in order of first appearance
 * and never reused, so a vanished group that comes back gets its old slot. The aggregation
 * result uses the slot as its row key, which puts result rows in first-appearance order.
 *
 * One key column: a Map from the key's primitive (see prim.ts; null is NULL_KEY). Several: nested
 * Maps, one level per key column (no per-row allocation or string building). No key: slot 0.
 * A new slot's key values are written once to the result's key columns.
 */

import type { PagedColumn, Vec } from "../column.ts";
import { PAGE_SIZE } from "../column.ts";
import type { ColumnType } from "../types.ts";
import type { Prim } from "./prim.ts";
import { primScratch, primsOf, primToRaw, rawAt } from "./prim.ts";

type Level = Map<Prim, unknown>;

export class GroupIndex {
  readonly #types: readonly ColumnType[];
  readonly #out: readonly PagedColumn[];
  readonly #root: Level = new Map();
  readonly #scratch: Prim[][];
  #size: number;

  /** `types` of the key columns; `out` the result's key columns, written when a slot is made. */
  constructor(types: readonly ColumnType[], out: readonly PagedColumn[]) {
    this.#types = types;
    this.#out = out;
    this.#scratch = types.map(() => primScratch(PAGE_SIZE));
    this.#size = types.length === 0 ? 1 : 0;
  }

  /** Number of slots handed out. */
  get size(): number {
    return this.#size;
  }

  /**
   * Fills `slots[0..n)` with the slots of rows `[0, n)` of the key vectors `keys`. New keys get
   * new slots when `create`; otherwise an unknown key is an internal error (a removed row whose
   * group was never seen).
   */
  assign(keys: readonly Vec[], n: number, slots: Int32Array, create: boolean): void {
    const k = this.#types.length;
    if (k === 0) {
      slots.fill(0, 0, n);
      return;
    }
    if (k === 1) {
      const map = this.#root as Map<Prim, number>;
      const p = primsOf(this.#types[0]!, keys[0]!, n, this.#scratch[0]!);
      for (let i = 0; i < n; i++) {
        const key = p[i]!;
        let s = map.get(key);
        if (s === undefined) {
          s = this.#make(keys, i, create);
          map.set(key, s);
        }
        slots[i] = s;
      }
      return;
    }
    const ps: ArrayLike<Prim>[] = [];
    for (let j = 0; j < k; j++) ps.push(primsOf(this.#types[j]!, keys[j]!, n, this.#scratch[j]!));
    const last = k - 1;
    for (let i = 0; i < n; i++) {
      let m = this.#root;
      for (let j = 0; j < last; j++) {
        const key = ps[j]![i]!;
        let next = m.get(key) as Level | undefined;
        if (next === undefined) {
          next = new Map();
          m.set(key, next);
        }
        m = next;
      }
      const key = ps[last]![i]!;
      let s = m.get(key) as number | undefined;
      if (s === undefined) {
        s = this.#make(keys, i, create);
        m.set(key, s);
      }
      slots[i] = s;
    }
  }

  /** The slot of a key tuple given as primitives, or -1. */
  find(prims: readonly Prim[]): number {
    if (this.#types.length === 0) return 0;
    let m: unknown = this.#root;
    for (const p of prims) {
      if (!(m instanceof Map)) return -1;
      m = m.get(p);
    }
    return typeof m === "number" ? m : -1;
  }

  /** Recreates slot `slot` (the next one) for a key tuple of primitives (persistence). */
  restore(slot: number, prims: readonly Prim[]): void {
    if (slot !== this.#size && !(this.#types.length === 0 && slot === 0)) {
      throw new Error(`aggregation: restoring slot ${slot} but ${this.#size} slots exist`);
    }
    if (this.#types.length === 0) return;
    let m = this.#root;
    for (let j = 0; j < prims.length - 1; j++) {
      let next = m.get(prims[j]!) as Level | undefined;
      if (next === undefined) {
        next = new Map();
        m.set(prims[j]!, next);
      }
      m = next;
    }
    m.set(prims[prims.length - 1]!, slot);
    for (let j = 0; j < this.#out.length; j++)
      this.#out[j]!.setRaw(slot, primToRaw(this.#types[j]!, prims[j]!));
    this.#size = slot + 1;
  }

  #make(keys: readonly Vec[], i: number, create: boolean): number {
    if (!create)
      throw new Error(
        "aggregation: a removed or modified row belongs to a group that was never added",
      );
    const s = this.#size++;
    for (let j = 0; j < this.#out.length; j++) this.#out[j]!.setRaw(s, rawAt(keys[j]!, i));
    return s;
  }
}
