/** count kernel: rows per group as int64 (nulls included), read from the operator's counts. */
import type { AggKernel } from "./kernel.ts";
import { KernelBase } from "./kernel.ts";
import type { SlotColumn } from "./slot-column.ts";

export class CountKernel extends KernelBase<SlotColumn> implements AggKernel {
  readonly readsValues = false;
  readonly #counts: { readonly counts: Float64Array };

  constructor(output: string, column: SlotColumn, counts: { readonly counts: Float64Array }) {
    super(output, column, null);
    this.#counts = counts;
  }

  ensureCapacity(n: number): void {
    this.column.ensure(n);
  }
  add(): void {}
  remove(): void {}
  saveSlot(): unknown {
    return null;
  }
  restoreSlot(): boolean {
    return false;
  }
  flush(slot: number, fresh: boolean): boolean {
    return this.column.write(slot, this.#counts.counts[slot]!, fresh);
  }
}
