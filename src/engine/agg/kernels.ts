/**
 * The kernel for one aggregation of one column: the result type each aggregation gives per input
 * type (null: unsupported), and the kernel that computes it in the given mode. Array columns are
 * inputs of first and last only (their cells are values like any other); `group` makes them.
 */
import { PagedColumn } from "../column.ts";
import type { ColumnType } from "../types.ts";
import { arrayTypeOf, isArrayType, isIntegral, isNumeric } from "../types.ts";
import type { AggKind } from "./agg-spec.ts";
import { FloatAvgKernel, IntAvgKernel } from "./avg.ts";
import { CountDistinctKernel } from "./count-distinct.ts";
import { firstLastKernel } from "./first-last.ts";
import { groupKernel } from "./group.ts";
import type { AggKernel, KernelEnv } from "./kernel.ts";
import { MedianKernel } from "./median.ts";
import { minMaxKernel } from "./min-max.ts";
import { SlotColumn } from "./slot-column.ts";
import { FloatSumKernel, IntSumKernel } from "./sum.ts";
import { FloatVarKernel, IntVarKernel } from "./var-std.ts";

function isFloat(t: ColumnType): boolean {
  return t === "float32" || t === "float64";
}

/** Output type of `kind` over an input of `type`, or null if `kind` does not support it. */
export function outputType(kind: Exclude<AggKind, "count">, type: ColumnType): ColumnType | null {
  if (isArrayType(type)) return kind === "first" || kind === "last" ? type : null;
  switch (kind) {
    case "sum":
    case "absSum":
      if (isIntegral(type) || type === "char" || type === "bool") return "int64";
      return isFloat(type) ? "float64" : null;
    case "avg":
    case "var":
    case "std":
      return isNumeric(type) || type === "char" ? "float64" : null;
    case "median":
      return isNumeric(type) ? "float64" : type;
    case "countDistinct":
      return "int64";
    case "min":
    case "max":
    case "first":
    case "last":
      return type;
    case "group":
      return arrayTypeOf(type);
  }
}

/** Which input types `kind` supports, for error messages. */
export function supportedTypes(kind: Exclude<AggKind, "count">): string {
  switch (kind) {
    case "sum":
    case "absSum":
      return "numeric, char and bool columns";
    case "avg":
    case "var":
    case "std":
      return "numeric and char columns";
    case "first":
    case "last":
      return "columns of any type";
    case "group":
      return "columns of any scalar type (arrays of arrays are not supported)";
    default:
      return "columns of any scalar type (not array columns)";
  }
}

/** The kernel computing `kind` of column `input` (of `type`) into `column`. */
export function makeKernel(
  kind: Exclude<AggKind, "count">,
  output: string,
  outType: ColumnType,
  input: string,
  type: ColumnType,
  env: KernelEnv,
): AggKernel {
  const float = isFloat(type);
  const removals = env.mode === "removals";
  const slots = () => new SlotColumn(outType);
  const paged = () => new PagedColumn(outType);
  switch (kind) {
    case "sum":
    case "absSum":
      return float
        ? new FloatSumKernel(output, slots(), input, kind === "absSum")
        : new IntSumKernel(output, slots(), input, type, kind === "absSum", env);
    case "avg":
      return float
        ? new FloatAvgKernel(output, slots(), input)
        : new IntAvgKernel(output, slots(), input, type, env);
    case "var":
    case "std":
      return float
        ? new FloatVarKernel(output, slots(), input, kind === "std")
        : new IntVarKernel(output, slots(), input, type, kind === "std", env);
    case "min":
    case "max":
      return minMaxKernel(output, input, type, kind === "max", removals);
    case "first":
    case "last":
      return firstLastKernel(
        output,
        paged(),
        input,
        env.parentColumn(input),
        kind === "last",
        env.mode,
        () => env.groupRows(),
      );
    case "median":
      return new MedianKernel(output, paged(), input, type);
    case "countDistinct":
      return new CountDistinctKernel(output, paged(), input, type);
    case "group":
      if (isArrayType(type)) throw new TypeError(`agg.group of an array column (${type})`);
      return groupKernel(
        output,
        paged(),
        input,
        type,
        env.parentColumn(input),
        env.mode,
        env.ordered,
        () => env.groupRows(),
      );
  }
}
