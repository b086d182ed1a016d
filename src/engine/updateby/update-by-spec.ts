/**
 * updateBy specs: the `updateby` namespace (`updateby.cumSum("Total = Size")`,
 * `updateby.rollingAvgTick("Avg = Px", 10)`, ...). A spec only names what to compute and checks
 * its own arguments (window sizes, durations, column pairs); `updateBy` checks it against the
 * table and builds the kernels.
 */
import { parsePair } from "../agg/agg-spec.ts";
import { ArgumentError } from "../errors.ts";
import { parseDuration } from "../formula/lexer.ts";

/** Cumulative and row-to-row operations (no window). */
export const CUMULATIVE_KINDS = [
  "cumSum",
  "cumProd",
  "cumMin",
  "cumMax",
  "delta",
  "forwardFill",
] as const;
/** What a rolling window computes. */
export const ROLLING_KINDS = ["Sum", "Avg", "Min", "Max", "Std", "Count", "Product"] as const;

export type CumulativeKind = (typeof CUMULATIVE_KINDS)[number];
export type RollingKind = (typeof ROLLING_KINDS)[number];

/** One output column computed from one input column. */
export interface UpdateByPair {
  readonly output: string;
  readonly input: string;
}

interface SpecBase {
  /** The builder's name, e.g. `rollingAvgTick` (in errors). */
  readonly op: string;
  readonly pairs: readonly UpdateByPair[];
}

/** cumSum, cumProd, cumMin, cumMax, delta, forwardFill. */
export interface CumulativeSpec extends SpecBase {
  readonly type: "cumulative";
  readonly kind: CumulativeKind;
  /** No timestamp column. */
  readonly tsCol: null;
}

/** emaTick (`tsCol` null, decay in ticks) or emaTime (decay in nanoseconds of `tsCol`). */
export interface EmaSpec extends SpecBase {
  readonly type: "ema";
  readonly tsCol: string | null;
  /** Ticks (emaTick) or nanoseconds (emaTime). */
  readonly decay: number;
}

/** A rolling window in ticks (`tsCol` null) or in nanoseconds of `tsCol`. */
export interface RollingSpec extends SpecBase {
  readonly type: "rolling";
  readonly kind: RollingKind;
  readonly tsCol: string | null;
  /** Ticks (counting the current row) or nanoseconds before the row. */
  readonly rev: number;
  /** Ticks or nanoseconds after the row. */
  readonly fwd: number;
}

/** What `updateBy` takes: build one with the `updateby` namespace. */
export type UpdateBySpec = CumulativeSpec | EmaSpec | RollingSpec;

const SPEC_BRAND = Symbol.for("tickflare.UpdateBySpec");

/** Column arguments: a name, `"Out = In"`, `"A, B"` or a list of them. */
export type UpdateByColumns = string | readonly string[];

function pairsOf(op: string, cols: unknown): UpdateByPair[] {
  const items = typeof cols === "string" ? cols.split(",") : cols;
  if (!Array.isArray(items) || !items.every((s) => typeof s === "string")) {
    throw new ArgumentError(
      `updateby.${op}: cols must be a column name, "Out = In", or a list of them`,
    );
  }
  const texts = (items as string[]).flatMap((s) => s.split(",")).filter((s) => s.trim() !== "");
  if (texts.length === 0) throw new ArgumentError(`updateby.${op} needs at least one column`);
  return texts.map((t) => {
    try {
      return parsePair(t, op);
    } catch {
      throw new ArgumentError(
        `updateby.${op}: cannot parse column "${t.trim()}"; expected a column name or "Out = In"`,
      );
    }
  });
}

function brand<T extends UpdateBySpec>(s: T): T {
  Object.defineProperty(s, SPEC_BRAND, { value: true });
  return Object.freeze(s);
}

/** Largest window or decay in nanoseconds that time arithmetic handles exactly (2^53 - 1). */
const MAX_NANOS = Number.MAX_SAFE_INTEGER;

/** A duration argument (ISO-8601 string or bigint nanoseconds) as a number of nanoseconds. */
function nanos(op: string, what: string, v: unknown, positive: boolean): number {
  let ns: bigint | null;
  if (typeof v === "bigint") ns = v;
  else if (typeof v === "string") ns = parseDuration(v.trim());
  else ns = null;
  if (ns === null) {
    throw new ArgumentError(
      `updateby.${op}: ${what} must be an ISO-8601 duration ("PT5M") or bigint nanoseconds, got ${describe(v)}`,
    );
  }
  if (ns > BigInt(MAX_NANOS) || ns < -BigInt(MAX_NANOS))
    throw new ArgumentError(
      `updateby.${op}: ${what} ${ns} ns is too long (at most about 104 days)`,
    );
  if (positive && ns <= 0n)
    throw new ArgumentError(`updateby.${op}: ${what} must be positive, got ${describe(v)}`);
  return Number(ns);
}

function ticks(op: string, what: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v))
    throw new ArgumentError(`updateby.${op}: ${what} must be an integer, got ${describe(v)}`);
  return v;
}

function tsName(op: string, v: unknown): string {
  if (typeof v !== "string" || v.trim() === "")
    throw new ArgumentError(`updateby.${op}: tsCol must be a column name, got ${describe(v)}`);
  return v.trim();
}

function describe(v: unknown): string {
  if (typeof v === "string") return `"${v}"`;
  if (typeof v === "bigint") return `${v}n`;
  return String(v);
}

function cumulative(kind: CumulativeKind) {
  return (cols: UpdateByColumns): CumulativeSpec =>
    brand({ type: "cumulative", kind, op: kind, pairs: pairsOf(kind, cols), tsCol: null });
}

function rollingTick(kind: RollingKind) {
  const op = `rolling${kind}Tick`;
  return (cols: UpdateByColumns, revTicks: number, fwdTicks = 0): RollingSpec => {
    const pairs = pairsOf(op, cols);
    const rev = ticks(op, "revTicks", revTicks);
    const fwd = ticks(op, "fwdTicks", fwdTicks);
    if (rev < 0 && fwd < 0)
      throw new ArgumentError(`updateby.${op}: revTicks and fwdTicks are both negative`);
    if (rev + fwd < 1) {
      throw new ArgumentError(
        `updateby.${op}: the window (revTicks ${rev}, fwdTicks ${fwd}) holds no row; revTicks + fwdTicks must be at least 1`,
      );
    }
    return brand({ type: "rolling", kind, op, pairs, tsCol: null, rev, fwd });
  };
}

function rollingTime(kind: RollingKind) {
  const op = `rolling${kind}Time`;
  return (
    tsCol: string,
    cols: UpdateByColumns,
    revTime: string | bigint,
    fwdTime: string | bigint = 0n,
  ): RollingSpec => {
    const ts = tsName(op, tsCol);
    const pairs = pairsOf(op, cols);
    const rev = nanos(op, "revTime", revTime, false);
    const fwd = nanos(op, "fwdTime", fwdTime, false);
    if (rev + fwd < 0) {
      throw new ArgumentError(
        `updateby.${op}: the window (revTime ${rev} ns, fwdTime ${fwd} ns) is empty; revTime + fwdTime must be at least 0`,
      );
    }
    return brand({ type: "rolling", kind, op, pairs, tsCol: ts, rev, fwd });
  };
}

/**
 * Operations for `table.updateBy(ops, ...by)`. `cols` is a column name (the output replaces it),
 * `"Out = In"`, or a list of them (`"A, B"` or `["A", "B"]`). Times are ISO-8601 durations
 * (`"PT5M"`) or bigint nanoseconds.
 *
 * @example
 * t.updateBy([updateby.cumSum("Total = Size"), updateby.emaTime("Ts", "PT1M", "Ema = Px")], "Sym")
 */
export const updateby = Object.freeze({
  /** Running sum of non-null values: int64 for integer inputs, float64 for floats. */
  cumSum: cumulative("cumSum"),
  /** Running product of non-null values: int64 for integer inputs, float64 for floats. */
  cumProd: cumulative("cumProd"),
  /** Running minimum of non-null values (input type). */
  cumMin: cumulative("cumMin"),
  /** Running maximum of non-null values (input type). */
  cumMax: cumulative("cumMax"),
  /** The value minus the previous row's (input type); null on a group's first row or a null. */
  delta: cumulative("delta"),
  /** The last non-null value (input type). */
  forwardFill: cumulative("forwardFill"),
  /** EMA with `a = exp(-1 / decayTicks)`; nulls and NaN leave it unchanged; float64. */
  emaTick(decayTicks: number, cols: UpdateByColumns): EmaSpec {
    if (typeof decayTicks !== "number" || !(decayTicks > 0) || !Number.isFinite(decayTicks)) {
      throw new ArgumentError(
        `updateby.emaTick: decayTicks must be a positive number, got ${describe(decayTicks)}`,
      );
    }
    return brand({
      type: "ema",
      op: "emaTick",
      pairs: pairsOf("emaTick", cols),
      tsCol: null,
      decay: decayTicks,
    });
  },
  /** EMA with `a = exp(-dt / decayTime)` over timestamps `tsCol`; float64. */
  emaTime(tsCol: string, decayTime: string | bigint, cols: UpdateByColumns): EmaSpec {
    const ts = tsName("emaTime", tsCol);
    const decay = nanos("emaTime", "decayTime", decayTime, true);
    return brand({ type: "ema", op: "emaTime", pairs: pairsOf("emaTime", cols), tsCol: ts, decay });
  },
  rollingSumTick: rollingTick("Sum"),
  rollingAvgTick: rollingTick("Avg"),
  rollingMinTick: rollingTick("Min"),
  rollingMaxTick: rollingTick("Max"),
  rollingStdTick: rollingTick("Std"),
  rollingCountTick: rollingTick("Count"),
  rollingProductTick: rollingTick("Product"),
  rollingSumTime: rollingTime("Sum"),
  rollingAvgTime: rollingTime("Avg"),
  rollingMinTime: rollingTime("Min"),
  rollingMaxTime: rollingTime("Max"),
  rollingStdTime: rollingTime("Std"),
  rollingCountTime: rollingTime("Count"),
  rollingProductTime: rollingTime("Product"),
});

/** The builder names of `updateby` (the spec language accepts exactly these). */
export const UPDATEBY_NAMES: readonly string[] = Object.keys(updateby);

/** Whether `x` is a spec made by `updateby`. */
export function isUpdateBySpec(x: unknown): x is UpdateBySpec {
  return x !== null && typeof x === "object" && (x as Record<symbol, unknown>)[SPEC_BRAND] === true;
}
