/**
 * sum and absSum kernels. Integer, char and bool inputs (bool counts trues) give an exact int64
 * (see int-accumulator.ts); float32/float64 inputs give float64 with NaN and infinities counted
 * apart (see float-accumulator.ts). Nulls are skipped; a group with no non-null value gives null.
 * State: a few numbers per group, whatever the parent type.
 */
import type { PagedColumn, Vec } from "../column.ts";
import type { ColumnType } from "../types.ts";
import { AccumulatorKernel } from "./accumulator-kernel.ts";
import { FloatAccumulator } from "./float-accumulator.ts";
import { IntAccumulator } from "./int-accumulator.ts";
import type { AggKernel } from "./kernel.ts";
import { KernelBase } from "./kernel.ts";
import { grow } from "./slot-arrays.ts";

/** Exact int64 sum of integer/char/bool values. */
export class IntSumKernel extends KernelBase implements AggKernel {
  readonly readsValues = true;
  readonly #acc: IntAccumulator;
  /** Last output per slot: 0 none, 1 null, 2 the small total in #lastD, 3 the bigint in #lastBig. */
  #lastState = new Uint8Array(16);
  #lastD = new Float64Array(16);
  readonly #lastBig: (bigint | undefined)[] = [];

  constructor(output: string, column: PagedColumn, input: string, type: ColumnType, abs: boolean) {
    super(output, column, input);
    this.#acc = new IntAccumulator(type, { abs });
  }

  ensureCapacity(n: number): void {
    this.#acc.ensure(n);
    this.#lastState = grow(this.#lastState, n);
    this.#lastD = grow(this.#lastD, n);
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
    const last = this.#lastState[slot];
    if (acc.nn[slot] === 0) {
      if (!fresh && last === 1) return false;
      this.#lastState[slot] = 1;
      this.column.setRaw(slot, null);
      return true;
    }
    if (acc.sum.isSmall(slot)) {
      const d = acc.sum.d[slot]!;
      if (!fresh && last === 2 && this.#lastD[slot] === d) return false;
      this.#lastState[slot] = 2;
      this.#lastD[slot] = d;
      this.column.setInt64Number(slot, d);
      return true;
    }
    const total = acc.sum.bigint(slot);
    if (
      !fresh &&
      ((last === 3 && this.#lastBig[slot] === total) ||
        (last === 2 && BigInt(this.#lastD[slot]!) === total))
    ) {
      return false;
    }
    this.#lastState[slot] = 3;
    this.#lastBig[slot] = total;
    this.column.setRaw(slot, total);
    return true;
  }
}

/** float64 sum of float values. */
export class FloatSumKernel extends AccumulatorKernel<FloatAccumulator> {
  constructor(output: string, column: PagedColumn, input: string, abs: boolean) {
    super(output, column, input, new FloatAccumulator({ abs }));
  }

  flush(slot: number, fresh: boolean): boolean {
    const acc = this.acc;
    let v: number | null;
    if (acc.normal[slot] === 0 && acc.special(slot) === 0) v = null;
    else v = acc.specialResult(slot) ?? acc.sum[slot]!;
    return this.out.write(slot, v, fresh);
  }
}
