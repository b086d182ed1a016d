/**
 * The *By shorthands (sumBy, avgBy, ... ) aggregate every non-key column with one aggregation,
 * keeping column names; countBy counts rows into a named column; groupBy gathers every non-key
 * column into an array column (`agg.group` of each).
 */

import { columnList } from "../column-list.ts";
import { defineMethod, kinds, param, rest } from "../operation.ts";
import type { Table } from "../table-core.ts";
import { assertNotBlink, assertUsable } from "../table-core.ts";
import { aggregate, checkKeys, resolveSpecs } from "./agg-by.ts";
import type { AggKind } from "./agg-spec.ts";
import { agg } from "./agg-spec.ts";

type ColumnKind = Exclude<AggKind, "count">;

/** `kind` of every non-key column of `t`, by `keys`. */
export function allBy(kind: ColumnKind, t: Table, keys: readonly string[]): Table {
  const op = `${kind}By`;
  assertUsable(t);
  const ks = checkKeys(op, t, keys);
  const pairs = t.columnNames.filter((c) => !ks.includes(c)).map((c) => ({ output: c, input: c }));
  const items = resolveSpecs(op, t, pairs.length > 0 ? [{ kind, pairs }] : [], ks);
  return aggregate(t, items, ks, op).table;
}

export const sumBy = (t: Table, keys: readonly string[]): Table => allBy("sum", t, keys);
export const absSumBy = (t: Table, keys: readonly string[]): Table => allBy("absSum", t, keys);
export const avgBy = (t: Table, keys: readonly string[]): Table => allBy("avg", t, keys);
export const minBy = (t: Table, keys: readonly string[]): Table => allBy("min", t, keys);
export const maxBy = (t: Table, keys: readonly string[]): Table => allBy("max", t, keys);
export const firstBy = (t: Table, keys: readonly string[]): Table => allBy("first", t, keys);
export const lastBy = (t: Table, keys: readonly string[]): Table => allBy("last", t, keys);
export const stdBy = (t: Table, keys: readonly string[]): Table => allBy("std", t, keys);
export const varBy = (t: Table, keys: readonly string[]): Table => allBy("var", t, keys);
export const medianBy = (t: Table, keys: readonly string[]): Table => allBy("median", t, keys);

/** Rows per group, in int64 column `name`. */
export function countBy(t: Table, name: string, keys: readonly string[]): Table {
  assertUsable(t);
  const ks = checkKeys("countBy", t, keys);
  return aggregate(t, resolveSpecs("countBy", t, [agg.count(name)], ks), ks, "countBy").table;
}

/**
 * One row per key tuple; every non-key column becomes an array column (`int32` -> `int32[]`)
 * holding the group's values in row-key order. Refused on blink tables (it needs the history).
 */
export function groupBy(t: Table, keys: readonly string[]): Table {
  assertUsable(t);
  assertNotBlink(t, "groupBy");
  return allBy("group", t, keys);
}

// ---- descriptors (registered in operations.ts) ---------------------------------------------------

/** Group keys: varargs of names or lists of names. */
export const KEYS = rest(param("keys", kinds.columns, "key"));

/** The descriptor of a `*By` shorthand. */
function byOp<const N extends string>(
  name: N,
  fn: (t: Table, keys: readonly string[]) => Table,
  doc: string,
  spec = true,
) {
  return defineMethod({
    name,
    params: [KEYS],
    apply: (t: Table, ...keys: (string | string[])[]): Table => fn(t, columnList(keys, name)),
    doc,
    spec,
  });
}

export const sumByOp = byOp(
  "sumBy",
  sumBy,
  "sum of every non-key column per key (int64 for integers, float64 for floats)",
);
export const absSumByOp = byOp(
  "absSumBy",
  absSumBy,
  "sum of absolute values of every non-key column per key",
);
export const avgByOp = byOp("avgBy", avgBy, "mean of every non-key column per key");
export const minByOp = byOp("minBy", minBy, "minimum of every non-key column per key");
export const maxByOp = byOp("maxBy", maxBy, "maximum of every non-key column per key");
export const firstByOp = byOp("firstBy", firstBy, "first row per key");
export const lastByOp = byOp("lastBy", lastBy, "last row per key");
export const stdByOp = byOp(
  "stdBy",
  stdBy,
  "sample standard deviation of every non-key column per key",
);
export const varByOp = byOp("varBy", varBy, "sample variance of every non-key column per key");
export const medianByOp = byOp("medianBy", medianBy, "median of every non-key column per key");
export const groupByOp = byOp(
  "groupBy",
  groupBy,
  "every non-key column as an array column per key; not on blink tables",
);

export const countByOp = defineMethod({
  name: "countBy",
  params: [param("name", kinds.string, "count column name"), KEYS],
  apply: (t: Table, name: string, ...keys: (string | string[])[]): Table =>
    countBy(t, name, columnList(keys, "countBy")),
  doc: "rows per key, in int64 column `name`",
});
