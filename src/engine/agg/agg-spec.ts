/**
 * Aggregation specs: the `agg` namespace (`agg.sum("Total = Size")`, `agg.count("N")`, ...) and
 * the parsing of `"Out = In"` column pairs. A spec only names what to compute; `aggBy` checks it
 * against the table and builds the kernels.
 */
import { columnList } from "../column-list.ts";
import { ArgumentError } from "../errors.ts";

/** The kinds of aggregation, named as in Deephaven's `agg` module (camelCase), in `agg`'s order. */
export const AGG_KINDS = [
  "sum",
  "absSum",
  "count",
  "min",
  "max",
  "avg",
  "first",
  "last",
  "std",
  "var",
  "median",
  "countDistinct",
  "group",
] as const;

export type AggKind = (typeof AGG_KINDS)[number];

/** One output column computed from one input column. */
export interface AggPair {
  readonly output: string;
  readonly input: string;
}

/** An aggregation over input columns, one output per `"Out = In"` pair. */
export interface ColumnAggSpec {
  readonly kind: Exclude<AggKind, "count">;
  readonly pairs: readonly AggPair[];
}

/** `agg.count(name)`: the number of rows of each group, in column `name`. */
export interface CountAggSpec {
  readonly kind: "count";
  readonly name: string;
}

/** What `aggBy` takes: build one with the `agg` namespace. */
export type AggSpec = ColumnAggSpec | CountAggSpec;

const PAIR = /^\s*([A-Za-z_$][A-Za-z0-9_$]*)\s*(?:=\s*([A-Za-z_$][A-Za-z0-9_$]*)\s*)?$/;

/** Parses `"Out = In"` (or a bare `"Col"`, meaning `"Col = Col"`). */
export function parsePair(text: string, kind: string): AggPair {
  if (typeof text !== "string") {
    throw new ArgumentError(
      `agg.${kind}: expected a column name or "Out = In", got ${String(text)}`,
    );
  }
  const m = PAIR.exec(text);
  if (!m) {
    throw new ArgumentError(
      `agg.${kind}: cannot parse "${text}"; expected a column name or "Out = In"`,
    );
  }
  return { output: m[1]!, input: m[2] ?? m[1]! };
}

function columnAgg(kind: ColumnAggSpec["kind"]) {
  return (...columns: (string | readonly string[])[]): ColumnAggSpec => {
    const texts = columnList(columns, `agg.${kind}`);
    if (texts.length === 0) throw new ArgumentError(`agg.${kind} needs at least one column`);
    return Object.freeze({ kind, pairs: Object.freeze(texts.map((t) => parsePair(t, kind))) });
  };
}

/**
 * Aggregations for `table.aggBy([...], ...keys)`. Each takes column names or `"Out = In"`
 * renames, as varargs or arrays; `count` takes the name of its output column.
 *
 * @example
 * t.aggBy([agg.sum("Total = Size"), agg.count("N"), agg.min("Lo = Price"), agg.last("Price")], "Sym")
 */
export const agg = Object.freeze({
  /** Sum of non-null values: int64 for integer, char and bool (counts trues) inputs, float64 for floats. */
  sum: columnAgg("sum"),
  /** Sum of absolute values; result types as `sum`. */
  absSum: columnAgg("absSum"),
  /** Number of rows in each group (nulls included), as int64. */
  count(name: string): CountAggSpec {
    const pair = parsePair(name, "count");
    if (pair.input !== pair.output) {
      throw new ArgumentError(`agg.count takes the name of its output column, got "${name}"`);
    }
    return Object.freeze({ kind: "count" as const, name: pair.output });
  },
  /** Smallest non-null value (input type). NaN sorts above every number. */
  min: columnAgg("min"),
  /** Largest non-null value (input type). NaN sorts above every number. */
  max: columnAgg("max"),
  /** Mean of non-null values, float64. */
  avg: columnAgg("avg"),
  /** Value of the group's first row (input type; null if that row holds null). */
  first: columnAgg("first"),
  /** Value of the group's last row (input type). */
  last: columnAgg("last"),
  /** Sample standard deviation of non-null values, float64. */
  std: columnAgg("std"),
  /** Sample variance (n - 1) of non-null values, float64. */
  var: columnAgg("var"),
  /** Median of non-null values: float64 for numbers (mean of the middle two), else input type. */
  median: columnAgg("median"),
  /** Number of distinct non-null values, int64. */
  countDistinct: columnAgg("countDistinct"),
  /**
   * Every value of the group, in row-key order, as an array column (`int32` -> `int32[]`; nulls
   * are null elements). Not on blink tables, nor of array columns.
   */
  group: columnAgg("group"),
} satisfies Record<AggKind, unknown>);

const KINDS: ReadonlySet<string> = new Set(AGG_KINDS);

/** Whether `x` looks like a spec made by `agg` (checked structurally, not by instanceof). */
export function isAggSpec(x: unknown): x is AggSpec {
  if (x === null || typeof x !== "object") return false;
  const s = x as { kind?: unknown; pairs?: unknown; name?: unknown };
  if (typeof s.kind !== "string" || !KINDS.has(s.kind)) return false;
  return s.kind === "count" ? typeof s.name === "string" : Array.isArray(s.pairs);
}
