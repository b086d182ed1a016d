/** count kernel: rows per group as int64 (nulls included), read from the operator's counts. */
import type { PagedColumn } from "../column.ts";
import type { AggKernel } from "./kernel.ts";
import { KernelBase } from "./kernel.ts";
import { grow } from "./slot-arrays.ts";

export class CountKernel extends KernelBase implements AggKernel {
  readonly readsValues = false;
  readonly #counts: { readonly counts: Float64Array };

  constructor(output: string, column: PagedColumn, counts: { readonly counts: Float64Array }) {
    super(output, column, null);
    this.#counts = counts;
  }

  /** Last count written per slot (-1: none), compared before making a BigInt. */
  #last = new Float64Array(16).fill(-1);

  ensureCapacity(n: number): void {
    this.#last = grow(this.#last, n, -1);
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
    const c = this.#counts.counts[slot]!;
    if (!fresh && this.#last[slot] === c) return false;
    this.#last[slot] = c;
    this.column.setInt64Number(slot, c);
    return true;
  }
}
