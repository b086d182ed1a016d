/**
 * median kernel. Numeric inputs give float64: the middle value, or the mean of the two middle
 * values when the count is even (Deephaven's default); any NaN makes it NaN. char, bool, string
 * and instant inputs give the input type: the lower of the two middle values when even.
 * Nulls are skipped; no non-null value gives null.
 *
 * State is a per-group sorted multiset (distinct values with counts) in every mode, blink
 * included: memory grows with the number of distinct values per group.
 */
import type { PagedColumn, Vec } from "../column.ts";
import type { ColumnType } from "../types.ts";
import { isNumeric } from "../types.ts";
import { GroupValues } from "./group-values.ts";
import type { AggKernel } from "./kernel.ts";
import { KernelBase } from "./kernel.ts";
import { writeCell } from "./slot-arrays.ts";

export class MedianKernel extends KernelBase implements AggKernel {
  readonly readsValues = true;
  readonly stateGrows = true;
  readonly #values: GroupValues;
  readonly #numeric: boolean;

  constructor(output: string, column: PagedColumn, input: string, type: ColumnType) {
    super(output, column, input);
    this.#values = new GroupValues(type);
    this.#numeric = isNumeric(type);
  }

  ensureCapacity(n: number): void {
    this.#values.ensure(n);
  }
  add(slots: Int32Array, n: number, vec: Vec | null): void {
    this.#values.add(slots, n, vec!);
  }
  remove(slots: Int32Array, n: number, vec: Vec | null): void {
    this.#values.remove(slots, n, vec!);
  }
  saveSlot(slot: number): unknown {
    return this.#values.saveSlot(slot);
  }
  restoreSlot(slot: number, state: unknown): boolean {
    this.#values.restoreSlot(slot, state);
    return false;
  }
  flush(slot: number, fresh: boolean): boolean {
    const vals = this.#values;
    const set = vals.sets[slot];
    let raw: number | bigint | string | null;
    if (vals.nan[slot]! > 0) raw = Number.NaN;
    else if (set === undefined) raw = null;
    else {
      const n = set.size;
      const lo = (n - 1) >>> 1;
      if (!this.#numeric) raw = vals.raw(set.at(lo));
      else if (n % 2 === 1) raw = Number(set.at(lo));
      else raw = (Number(set.at(lo)) + Number(set.at(lo + 1))) / 2;
    }
    return writeCell(this.column, slot, raw, fresh);
  }
}
