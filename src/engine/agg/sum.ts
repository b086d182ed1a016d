/**
 * sum and absSum kernels. Integer, char and bool inputs (bool counts trues) give an exact int64
 * (see int-accumulator.ts); float32/float64 inputs give float64 with NaN and infinities counted
 * apart (see float-accumulator.ts). Nulls are skipped; a group with no non-null value gives null.
 * State: a few numbers per group, whatever the parent type.
 */
import type { Vec } from "../column.ts";
import type { ColumnType } from "../types.ts";
import { AccumulatorKernel } from "./accumulator-kernel.ts";
import { FloatAccumulator } from "./float-accumulator.ts";
import type { GroupCounts } from "./int-accumulator.ts";
import { IntAccumulator } from "./int-accumulator.ts";
import type { AggKernel } from "./kernel.ts";
import { KernelBase } from "./kernel.ts";
import type { SlotColumn } from "./slot-column.ts";

/** Exact int64 sum of integer/char/bool values. */
export class IntSumKernel extends KernelBase<SlotColumn> implements AggKernel {
  readonly readsValues = true;
  readonly #acc: IntAccumulator;

  constructor(
    output: string,
    column: SlotColumn,
    input: string,
    type: ColumnType,
    abs: boolean,
    groups: GroupCounts,
  ) {
    super(output, column, input);
    this.#acc = new IntAccumulator(type, groups, { abs });
  }

  ensureCapacity(n: number): void {
    this.#acc.ensure(n);
    this.column.ensure(n);
  }
  add(slots: Int32Array, n: number, vec: Vec | null): void {
    this.#acc.apply(slots, n, vec!, 1);
  }
  remove(slots: Int32Array, n: number, vec: Vec | null): void {
    this.#acc.apply(slots, n, vec!, -1);
  }
  saveSlot(slot: number): unknown {
    return this.#acc.saveSlot(slot);
  }
  restoreSlot(slot: number, state: unknown): boolean {
    this.#acc.restoreSlot(slot, state);
    return false;
  }
  flush(slot: number, fresh: boolean): boolean {
    const acc = this.#acc;
    if (acc.nonNull(slot) === 0) return this.column.write(slot, null, fresh);
    if (acc.sum.isSmall(slot)) return this.column.write(slot, acc.sum.d[slot]!, fresh);
    return this.column.writeBig(slot, acc.sum.bigint(slot), fresh);
  }
}

/** float64 sum of float values. */
export class FloatSumKernel extends AccumulatorKernel<FloatAccumulator> {
  constructor(output: string, column: SlotColumn, input: string, abs: boolean) {
    super(output, column, input, new FloatAccumulator({ abs }));
  }

  flush(slot: number, fresh: boolean): boolean {
    const acc = this.acc;
    let v: number | null;
    if (acc.normal[slot] === 0 && acc.special(slot) === 0) v = null;
    else v = acc.specialResult(slot) ?? acc.sum[slot]!;
    return this.column.write(slot, v, fresh);
  }
}
