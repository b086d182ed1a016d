/**
 * The plan of an updateBy: its specs checked against the parent (columns, types, names), one
 * planned op per output column with its kernel, and how each op is evaluated:
 *
 * - `stream`: rows are taken in order, continuing from each group's state (blink, append-only
 *   and static parents; windows that end at the current row);
 * - `history`: each changed group is recomputed from its first affected row (refreshing parents
 *   that insert, remove or modify rows; forward windows, which later rows revise).
 */

import { PagedColumn } from "../column.ts";
import type { ColumnSource } from "../column-source.ts";
import { Chunk } from "../column-source.ts";
import { ArgumentError } from "../errors.ts";
import { columnEntries, requireColumns } from "../ops/match-columns.ts";
import type { Table } from "../table-core.ts";
import type { ColumnType } from "../types.ts";
import { isArrayType, isIntegral, isNumeric } from "../types.ts";
import { LITTLE_ENDIAN } from "../words.ts";
import {
  CumExtreme,
  Delta,
  FloatCumSum,
  ForwardFill,
  IntCumProd,
  IntCumSum,
} from "./cumulative.ts";
import { EmaTick, EmaTime } from "./ema.ts";
import type { Kernel } from "./kernel.ts";
import { Moments } from "./moments.ts";
import { RollingTick, RollingTime, rollingType } from "./rolling.ts";
import { FloatRolling } from "./rolling-float.ts";
import type { RollingSpec, UpdateBySpec } from "./update-by-spec.ts";
import { isUpdateBySpec } from "./update-by-spec.ts";
import { Out, Stamps, Values } from "./values.ts";
import { WindowRing } from "./window-ring.ts";

/** One output column of an updateBy. */
export interface PlannedOp {
  readonly spec: UpdateBySpec;
  readonly output: string;
  readonly input: ColumnSource;
  readonly inputType: ColumnType;
  /** The timestamp column of a time op. */
  readonly stamps: ColumnSource | null;
  /** Running kernel (null for a window that reaches past the current row). */
  readonly kernel: Kernel | null;
  /** A rolling op's window, for recomputation by window-eval.ts. */
  readonly window: RollingSpec | null;
  readonly history: boolean;
  readonly out: PagedColumn;
  readonly outBuf: Out;
  /** Writes a run of rows straight into `out`'s pages (typed outputs; null: through `outBuf`). */
  readonly pageOut: Out | null;
  readonly x: Values;
  readonly ts: Stamps | null;
  readonly inChunk: Chunk;
  readonly tsChunk: Chunk | null;
  /** Scratch state of window-eval.ts. */
  readonly moments: Moments | null;
  readonly ring: WindowRing | null;
}

export interface UpdateByPlan {
  readonly by: readonly string[];
  readonly ops: readonly PlannedOp[];
  readonly columns: Map<string, ColumnSource>;
  /** Parent columns an op reads (inputs, stamps) or groups by. */
  readonly deps: ReadonlySet<string>;
  /** The stamp columns of time ops. */
  readonly stampColumns: ReadonlySet<string>;
  readonly history: boolean;
}

/** The specs of `ops` (one spec or a list), or an ArgumentError naming the bad item. */
export function specList(ops: unknown): UpdateBySpec[] {
  const list = Array.isArray(ops) ? ops : [ops];
  if (list.length === 0)
    throw new ArgumentError("updateBy: ops is empty; give at least one updateby.* op");
  list.forEach((s, i) => {
    if (!isUpdateBySpec(s)) {
      throw new ArgumentError(
        `updateBy: ops item ${i + 1} is not an updateby.* op (build ops with updateby.cumSum(...), updateby.rollingAvgTick(...), ...)`,
      );
    }
  });
  return list as UpdateBySpec[];
}

const numericOnly = (kind: string) => kind !== "forwardFill";

function kernelFor(spec: UpdateBySpec, type: ColumnType, tsCol: string | null): Kernel | null {
  const int = isIntegral(type);
  switch (spec.type) {
    case "cumulative":
      switch (spec.kind) {
        case "cumSum":
          return int ? new IntCumSum() : new FloatCumSum(false);
        case "cumProd":
          return int ? new IntCumProd() : new FloatCumSum(true);
        case "cumMin":
          return new CumExtreme(type, false);
        case "cumMax":
          return new CumExtreme(type, true);
        case "delta":
          return new Delta(type);
        case "forwardFill":
          return new ForwardFill(type);
      }
      break;
    case "ema":
      return spec.tsCol === null ? new EmaTick(spec.decay) : new EmaTime(spec.decay, tsCol!);
    case "rolling":
      if (lookahead(spec)) return null;
      if (FloatRolling.handles(spec.kind, type) && LITTLE_ENDIAN)
        return new FloatRolling(
          spec.kind,
          spec.tsCol === null ? spec.rev : null,
          spec.rev,
          spec.op,
          tsCol ?? "",
        );
      return spec.tsCol === null
        ? new RollingTick(spec.kind, type, int, spec.rev)
        : new RollingTime(spec.kind, type, int, spec.rev, spec.op, tsCol!);
  }
}

/**
 * Whether a rolling window does not end at the current row (it reaches later rows, or stops
 * before the row): the running kernels only keep windows that end at it.
 */
function lookahead(spec: RollingSpec): boolean {
  return spec.fwd !== 0 || (spec.tsCol === null && spec.rev < 1);
}

export function planUpdateBy(
  parent: Table,
  opsArg: unknown,
  byArgs: readonly (string | readonly string[])[],
): UpdateByPlan {
  const specs = specList(opsArg);
  const by = byArgs.length === 0 ? [] : columnEntries(byArgs.flat(), "updateBy");
  requireColumns(parent, by, "updateBy", "by");
  if (new Set(by).size !== by.length)
    throw new ArgumentError(`updateBy: a by column is named twice in [${by.join(", ")}]`);
  const graph = parent.isRefreshing ? parent.graph : null;
  const streamParent = parent.isBlink || parent.isAppendOnly || !parent.isRefreshing;
  const ops: PlannedOp[] = [];
  const seen = new Map<string, string>();
  const deps = new Set(by);
  for (const spec of specs) {
    const what = `updateBy ${spec.op}`;
    let stamps: ColumnSource | null = null;
    if (spec.tsCol !== null) {
      if (!parent.hasColumn(spec.tsCol))
        throw new ArgumentError(
          `${what}: unknown timestamp column "${spec.tsCol}"; columns are [${parent.columnNames.join(", ")}]`,
        );
      stamps = parent.column(spec.tsCol);
      if (stamps.type !== "instant" && stamps.type !== "int64")
        throw new ArgumentError(
          `${what}: timestamp column "${spec.tsCol}" is ${stamps.type}; it must be instant or int64 (nanoseconds)`,
        );
      deps.add(spec.tsCol);
    }
    if (spec.type === "rolling" && lookahead(spec) && parent.isBlink) {
      const fwd = spec.tsCol === null ? `fwdTicks ${spec.fwd}` : `fwdTime ${spec.fwd} ns`;
      const rev = spec.tsCol === null ? `revTicks ${spec.rev}` : `revTime ${spec.rev} ns`;
      throw new ArgumentError(
        `${what}: a window that does not end at the current row (${rev}, ${fwd}) is not supported over a blink table: a blink row cannot be revised in a later cycle, nor its window kept`,
      );
    }
    for (const pair of spec.pairs) {
      if (!parent.hasColumn(pair.input))
        throw new ArgumentError(
          `${what}: unknown column "${pair.input}"; columns are [${parent.columnNames.join(", ")}]`,
        );
      const input = parent.column(pair.input);
      const type = input.type;
      if (numericOnly(spec.op) && !isNumeric(type))
        throw new ArgumentError(
          `${what}: column "${pair.input}" is ${type}; ${spec.op} needs a numeric column (int8, int16, int32, int64, float32, float64)`,
        );
      if (isArrayType(type) && spec.op === "forwardFill")
        throw new ArgumentError(
          `${what}: column "${pair.input}" is ${type}; forwardFill needs a scalar column`,
        );
      if (by.includes(pair.output))
        throw new ArgumentError(`${what}: output column "${pair.output}" is a by column`);
      const other = seen.get(pair.output);
      if (other !== undefined)
        throw new ArgumentError(
          `${what}: output column "${pair.output}" is also produced by ${other}`,
        );
      seen.set(pair.output, spec.op);
      deps.add(pair.input);
      const kernel = kernelFor(spec, type, spec.tsCol);
      const window = spec.type === "rolling" ? spec : null;
      const outType = kernel?.outType ?? rollingType(window!.kind, type, isIntegral(type));
      const history = !streamParent || kernel === null;
      const out = new PagedColumn(outType, graph);
      ops.push({
        spec,
        output: pair.output,
        input,
        inputType: type,
        stamps,
        kernel,
        window,
        history,
        out,
        outBuf: new Out(new Chunk(outType)),
        pageOut: outType === "string" || isArrayType(outType) ? null : new Out(new Chunk(outType)),
        x: new Values(),
        ts: stamps === null ? null : new Stamps(),
        inChunk: new Chunk(type),
        tsChunk: stamps === null ? null : new Chunk(stamps.type),
        moments: window === null ? null : new Moments(isIntegral(type), window.kind === "Std"),
        ring: window === null ? null : new WindowRing(16, false),
      });
    }
  }
  const columns = new Map<string, ColumnSource>();
  const outputs = new Map(ops.map((o) => [o.output, o.out as ColumnSource]));
  for (const [name, col] of parent.columnMap) columns.set(name, outputs.get(name) ?? col);
  for (const o of ops) if (!columns.has(o.output)) columns.set(o.output, o.out);
  for (const o of ops) o.moments?.ensure(1);
  const stampColumns = new Set(specs.flatMap((s) => (s.tsCol === null ? [] : [s.tsCol])));
  return { by, ops, columns, deps, stampColumns, history: ops.some((o) => o.history) };
}
