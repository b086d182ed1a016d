/**
 * first and last kernels: the value of the group's first / last row (output type = input type;
 * a null in that row gives null). The kernels track row keys only and read the value from the
 * parent column when the group's output is flushed, in the same cycle.
 *
 * - blink: first is the earliest row ever seen and last the latest, in arrival order
 *   ((cycle, row key) order); O(1) per row.
 * - add-only: the smallest / largest row key ever added (rows may arrive at any key); O(1).
 * - removals: the smallest / largest key of the group's current rows, from the per-group sorted
 *   row keys the operator keeps (group-rows.ts), so the output stays right when that row leaves.
 */
import type { PagedColumn } from "../column.ts";
import type { ColumnSource } from "../column-source.ts";
import type { Span } from "../spans.ts";
import type { GroupRows } from "./group-rows.ts";
import type { AggKernel, AggMode } from "./kernel.ts";
import { KernelBase, keyAt } from "./kernel.ts";
import { grow, writeCell } from "./slot-arrays.ts";
import { decRaw, encRaw } from "./state-codec.ts";

class RunningFirstLastKernel extends KernelBase implements AggKernel {
  readonly readsValues = false;
  readonly #last: boolean;
  readonly #blink: boolean;
  readonly #src: ColumnSource;
  #key = new Float64Array(16).fill(-1);
  #dirty = new Uint8Array(16);

  constructor(
    output: string,
    column: PagedColumn,
    input: string,
    src: ColumnSource,
    last: boolean,
    blink: boolean,
  ) {
    super(output, column, input);
    this.#src = src;
    this.#last = last;
    this.#blink = blink;
  }

  ensureCapacity(n: number): void {
    this.#key = grow(this.#key, n, -1);
    this.#dirty = grow(this.#dirty, n);
  }

  add(slots: Int32Array, n: number, _vec: unknown, span: Span): void {
    const key = this.#key;
    const dirty = this.#dirty;
    const blink = this.#blink;
    const last = this.#last;
    for (let i = 0; i < n; i++) {
      const s = slots[i]!;
      const k = keyAt(span, i);
      const cur = key[s]!;
      const take = last ? blink || cur < 0 || k > cur : cur < 0 || (!blink && k < cur);
      if (take) {
        key[s] = k;
        dirty[s] = 1;
      }
    }
  }

  remove(): void {
    throw new Error("running first/last cannot remove rows");
  }

  /**
   * The row key and the output value: over add-only parents later rows are compared with the key;
   * over blink parents the key is stale after its cycle (only "has a row" matters) and the value
   * comes back from the saved output.
   */
  saveSlot(slot: number): unknown {
    return [this.#key[slot]!, encRaw(this.column.getRaw(slot))];
  }
  restoreSlot(slot: number, state: unknown): boolean {
    const [key, value] = state as [number, unknown];
    this.#key[slot] = key;
    this.column.setRaw(slot, decRaw(value));
    return true;
  }

  flush(slot: number, fresh: boolean): boolean {
    if (!fresh && this.#dirty[slot] === 0) return false;
    this.#dirty[slot] = 0;
    return writeCell(this.column, slot, this.#src.getRaw(this.#key[slot]!), fresh);
  }
}

class SortedFirstLastKernel extends KernelBase implements AggKernel {
  readonly readsValues = false;
  readonly #last: boolean;
  readonly #src: ColumnSource;
  readonly #rows: GroupRows;

  constructor(
    output: string,
    column: PagedColumn,
    input: string,
    src: ColumnSource,
    last: boolean,
    rows: GroupRows,
  ) {
    super(output, column, input);
    this.#src = src;
    this.#last = last;
    this.#rows = rows;
  }

  ensureCapacity(): void {}
  add(): void {}
  remove(): void {}

  flush(slot: number, fresh: boolean): boolean {
    const k = this.#last ? this.#rows.last(slot) : this.#rows.first(slot);
    if (k < 0) return false;
    return writeCell(this.column, slot, this.#src.getRaw(k), fresh);
  }
}

/** A first (`last` false) or last kernel over parent column `src`. */
export function firstLastKernel(
  output: string,
  column: PagedColumn,
  input: string,
  src: ColumnSource,
  last: boolean,
  mode: AggMode,
  rows: () => GroupRows,
): AggKernel {
  if (mode === "removals")
    return new SortedFirstLastKernel(output, column, input, src, last, rows());
  return new RunningFirstLastKernel(output, column, input, src, last, mode === "blink");
}
