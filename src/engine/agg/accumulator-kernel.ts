/**
 * AccumulatorKernel: the kernels whose whole state is one accumulator (sum, absSum, avg, var,
 * std). Adding, subtracting, saving and restoring rows delegate to the accumulator's typed-array
 * loops; a subclass only turns a group's accumulated state into its output in `flush`.
 */
import type { Vec } from "../column.ts";
import type { AggKernel } from "./kernel.ts";
import { KernelBase } from "./kernel.ts";
import type { SlotColumn } from "./slot-column.ts";

/** Per-slot state fed span by span (int-accumulator.ts, float-accumulator.ts). */
export interface Accumulator {
  ensure(n: number): void;
  apply(slots: Int32Array, n: number, vec: Vec, sign: 1 | -1): void;
  saveSlot(slot: number): unknown;
  restoreSlot(slot: number, state: unknown): void;
}

export abstract class AccumulatorKernel<A extends Accumulator>
  extends KernelBase<SlotColumn>
  implements AggKernel
{
  readonly readsValues = true;
  protected readonly acc: A;
  constructor(output: string, column: SlotColumn, input: string, acc: A) {
    super(output, column, input);
    this.acc = acc;
  }

  ensureCapacity(n: number): void {
    this.acc.ensure(n);
    this.column.ensure(n);
  }
  add(slots: Int32Array, n: number, vec: Vec | null): void {
    this.acc.apply(slots, n, vec!, 1);
  }
  remove(slots: Int32Array, n: number, vec: Vec | null): void {
    this.acc.apply(slots, n, vec!, -1);
  }
  saveSlot(slot: number): unknown {
    return this.acc.saveSlot(slot);
  }
  restoreSlot(slot: number, state: unknown): boolean {
    this.acc.restoreSlot(slot, state);
    return false;
  }
  abstract flush(slot: number, fresh: boolean): boolean;
}
