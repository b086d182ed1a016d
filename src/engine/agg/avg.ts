/**
 * avg kernels: float64 mean of the non-null values (null when there are none). Integer and char
 * inputs keep an exact sum (int-accumulator.ts) and divide once; float inputs follow Deephaven:
 * NaN if any NaN or both infinities are present, else the infinity present, else sum / count.
 */
import type { PagedColumn, Vec } from "../column.ts";
import type { ColumnType } from "../types.ts";
import { FloatAccumulator } from "./float-accumulator.ts";
import { IntAccumulator } from "./int-accumulator.ts";
import type { AggKernel } from "./kernel.ts";
import { KernelBase } from "./kernel.ts";
import { NumberOut } from "./slot-arrays.ts";

export class IntAvgKernel extends KernelBase implements AggKernel {
  readonly readsValues = true;
  readonly #acc: IntAccumulator;
  readonly #out: NumberOut;

  constructor(output: string, column: PagedColumn, input: string, type: ColumnType) {
    super(output, column, input);
    this.#acc = new IntAccumulator(type);
    this.#out = new NumberOut(column);
  }

  ensureCapacity(n: number): void {
    this.#acc.ensure(n);
    this.#out.ensure(n);
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
    const nn = acc.nn[slot]!;
    return this.#out.write(slot, nn === 0 ? null : acc.sum.number(slot) / nn, fresh);
  }
}

export class FloatAvgKernel extends KernelBase implements AggKernel {
  readonly readsValues = true;
  readonly #acc = new FloatAccumulator();
  readonly #out = new NumberOut(this.column);

  ensureCapacity(n: number): void {
    this.#acc.ensure(n);
    this.#out.ensure(n);
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
    const normal = acc.normal[slot]!;
    let v: number | null;
    if (normal === 0 && acc.special(slot) === 0) v = null;
    else v = acc.specialResult(slot) ?? acc.sum[slot]! / normal;
    return this.#out.write(slot, v, fresh);
  }
}
