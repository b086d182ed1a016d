/**
 * countDistinct kernel: the number of distinct non-null values per group, as int64. State is a
 * Map value -> rows per group (a count so removals work), keyed by the value's primitive
 * (prim.ts); NaN counts as one value, and -0 and 0 as the same one. Memory grows with the
 * distinct values per group, in every mode.
 */
import type { PagedColumn, Vec } from "../column.ts";
import { PAGE_SIZE } from "../column.ts";
import type { ColumnType } from "../types.ts";
import type { AggKernel } from "./kernel.ts";
import { KernelBase } from "./kernel.ts";
import type { Prim } from "./prim.ts";
import { NULL_KEY, primScratch, primsOf } from "./prim.ts";
import { writeCell } from "./slot-arrays.ts";
import { decKey, enc } from "./state-codec.ts";

export class CountDistinctKernel extends KernelBase implements AggKernel {
  readonly readsValues = true;
  readonly stateGrows = true;
  readonly #type: ColumnType;
  readonly #maps: (Map<Prim, number> | undefined)[] = [];
  readonly #scratch: Prim[] = primScratch(PAGE_SIZE);

  constructor(output: string, column: PagedColumn, input: string, type: ColumnType) {
    super(output, column, input);
    this.#type = type;
  }

  ensureCapacity(): void {}

  add(slots: Int32Array, n: number, vec: Vec | null): void {
    const p = primsOf(this.#type, vec!, n, this.#scratch);
    const maps = this.#maps;
    for (let i = 0; i < n; i++) {
      const v = p[i]!;
      if (v === NULL_KEY) continue;
      const s = slots[i]!;
      let m = maps[s];
      if (m === undefined) {
        m = new Map();
        maps[s] = m;
      }
      m.set(v, (m.get(v) ?? 0) + 1);
    }
  }

  remove(slots: Int32Array, n: number, vec: Vec | null): void {
    const p = primsOf(this.#type, vec!, n, this.#scratch);
    const maps = this.#maps;
    for (let i = 0; i < n; i++) {
      const v = p[i]!;
      if (v === NULL_KEY) continue;
      const m = maps[slots[i]!]!;
      const c = m.get(v)! - 1;
      if (c === 0) m.delete(v);
      else m.set(v, c);
    }
  }

  saveSlot(slot: number): unknown {
    return [...(this.#maps[slot] ?? [])].map(([v, c]) => [enc(v), c]);
  }
  restoreSlot(slot: number, state: unknown): boolean {
    const entries = state as [unknown, number][];
    if (entries.length > 0) this.#maps[slot] = new Map(entries.map(([v, c]) => [decKey(v), c]));
    return false;
  }
  flush(slot: number, fresh: boolean): boolean {
    return writeCell(this.column, slot, BigInt(this.#maps[slot]?.size ?? 0), fresh);
  }
}
