/**
 * var and std kernels: the sample variance (divided by n - 1) of the non-null values and its
 * square root, as float64. No non-null value gives null; a single one gives NaN (as Deephaven).
 *
 * Integer and char inputs keep exact sums of values and squares (int-accumulator.ts), so the
 * numerator n*sumSq - sum^2 is exact and the result is rounded once. Float inputs keep double
 * sums (any NaN or infinity gives NaN) and use Deephaven's formula, which reports 0 when the
 * difference is within one ulp of the sum of squares.
 */

import type { ColumnType } from "../types.ts";
import { AccumulatorKernel } from "./accumulator-kernel.ts";
import { FloatAccumulator } from "./float-accumulator.ts";
import type { GroupCounts } from "./int-accumulator.ts";
import { IntAccumulator } from "./int-accumulator.ts";
import type { SlotColumn } from "./slot-column.ts";

const EXACT = 2 ** 53;

/** Unit in the last place of x (as Java's Math.ulp). */
function ulp(x: number): number {
  const a = Math.abs(x);
  if (a === 0) return Number.MIN_VALUE;
  if (!Number.isFinite(a)) return a;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return Math.max(2 ** (e - 52), Number.MIN_VALUE);
}

export class IntVarKernel extends AccumulatorKernel<IntAccumulator> {
  readonly #std: boolean;

  constructor(
    output: string,
    column: SlotColumn,
    input: string,
    type: ColumnType,
    std: boolean,
    groups: GroupCounts,
  ) {
    super(output, column, input, new IntAccumulator(type, groups, { squares: true }));
    this.#std = std;
  }

  flush(slot: number, fresh: boolean): boolean {
    const acc = this.acc;
    const n = acc.nonNull(slot);
    let v: number | null;
    if (n === 0) v = null;
    else if (n === 1) v = Number.NaN;
    else {
      const sum = acc.sum;
      const sq = acc.sq!;
      let num: number;
      const a = sum.isSmall(slot) && sq.isSmall(slot) ? n * sq.d[slot]! : Number.POSITIVE_INFINITY;
      const b = sum.d[slot]! * sum.d[slot]!;
      if (a < EXACT && b < EXACT) num = a - b;
      else num = Number(BigInt(n) * sq.bigint(slot) - sum.bigint(slot) ** 2n);
      v = num / (n * (n - 1));
      if (this.#std) v = Math.sqrt(v);
    }
    return this.column.write(slot, v, fresh);
  }
}

export class FloatVarKernel extends AccumulatorKernel<FloatAccumulator> {
  readonly #std: boolean;

  constructor(output: string, column: SlotColumn, input: string, std: boolean) {
    super(output, column, input, new FloatAccumulator({ squares: true }));
    this.#std = std;
  }

  flush(slot: number, fresh: boolean): boolean {
    const acc = this.acc;
    const n = acc.normal[slot]!;
    let v: number | null;
    if (acc.special(slot) > 0) v = Number.NaN;
    else if (n === 0) v = null;
    else if (n === 1) v = Number.NaN;
    else {
      const sum = acc.sum[slot]!;
      const sum2 = acc.sq![slot]!;
      const delta = sum2 - sum * (sum / n);
      const variance = Math.abs(delta / ulp(sum2)) > 1 ? delta / (n - 1) : 0;
      v = Math.max(variance, 0);
      if (this.#std) v = Math.sqrt(v);
    }
    return this.column.write(slot, v, fresh);
  }
}
