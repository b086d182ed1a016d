/**
 * avg kernels: float64 mean of the non-null values (null when there are none). Integer and char
 * inputs keep an exact sum (int-accumulator.ts) and divide once; float inputs follow Deephaven:
 * NaN if any NaN or both infinities are present, else the infinity present, else sum / count.
 */

import type { ColumnType } from "../types.ts";
import { AccumulatorKernel } from "./accumulator-kernel.ts";
import { FloatAccumulator } from "./float-accumulator.ts";
import type { GroupCounts } from "./int-accumulator.ts";
import { IntAccumulator } from "./int-accumulator.ts";
import type { SlotColumn } from "./slot-column.ts";

export class IntAvgKernel extends AccumulatorKernel<IntAccumulator> {
  constructor(
    output: string,
    column: SlotColumn,
    input: string,
    type: ColumnType,
    groups: GroupCounts,
  ) {
    super(output, column, input, new IntAccumulator(type, groups));
  }

  flush(slot: number, fresh: boolean): boolean {
    const acc = this.acc;
    const nn = acc.nonNull(slot);
    return this.column.write(slot, nn === 0 ? null : acc.sum.number(slot) / nn, fresh);
  }
}

export class FloatAvgKernel extends AccumulatorKernel<FloatAccumulator> {
  constructor(output: string, column: SlotColumn, input: string) {
    super(output, column, input, new FloatAccumulator());
  }

  flush(slot: number, fresh: boolean): boolean {
    const acc = this.acc;
    const normal = acc.normal[slot]!;
    let v: number | null;
    if (normal === 0 && acc.special(slot) === 0) v = null;
    else v = acc.specialResult(slot) ?? acc.sum[slot]! / normal;
    return this.column.write(slot, v, fresh);
  }
}
