/**
 * aggBy: validates aggregation specs against a table and builds the result. The result has the
 * key columns, then one column per output, and one row per group keyed by the group's slot
 * (first-appearance order). A static parent gives a static result; a refreshing one a
 * refreshing, non-blink result kept up to date by an AggregationOperator.
 */

import { PagedColumn } from "../column.ts";
import { columnList } from "../column-list.ts";
import type { ColumnSource } from "../column-source.ts";
import { ArgumentError, SchemaError, showValue } from "../errors.ts";
import { defineMethod, kinds, param, rest } from "../operation.ts";
import { RowSet } from "../row-set.ts";
import { assertNotBlink, assertUsable, nodeOf, STATIC_ATTRIBUTES, Table } from "../table-core.ts";
import type { ColumnType } from "../types.ts";
import { isArrayType, validateColumnName } from "../types.ts";
import type { AggKind, AggSpec } from "./agg-spec.ts";
import { isAggSpec } from "./agg-spec.ts";
import type { RowRouter } from "./aggregation-operator.ts";
import { AggregationCore, AggregationOperator } from "./aggregation-operator.ts";
import { CountKernel } from "./count.ts";
import type { AggKernel, AggMode } from "./kernel.ts";
import { makeKernel, outputType, supportedTypes } from "./kernels.ts";
import { persistAggregation } from "./persist.ts";
import { SlotColumn } from "./slot-column.ts";

/** One validated output: `kind` of `input` (null for count) into `output` of `type`. */
export interface AggItem {
  readonly kind: AggKind;
  readonly output: string;
  readonly input: string | null;
  readonly type: ColumnType;
}

const RESULT_ATTRIBUTES = { refreshing: true, blink: false, appendOnly: false, addOnly: false };

function available(t: Table): string {
  return `available columns are [${t.columnNames.join(", ")}]`;
}

/** Checks key names (strings, distinct, present, not array columns) and returns them. */
export function checkKeys(op: string, t: Table, keys: readonly unknown[]): string[] {
  const seen = new Set<string>();
  for (const k of keys) {
    if (typeof k !== "string")
      throw new ArgumentError(`${op}: key columns must be names, got ${String(k)}`);
    if (!t.hasColumn(k))
      throw new ArgumentError(`${op}: unknown key column "${k}"; ${available(t)}`);
    const type = t.columns[k]!;
    if (isArrayType(type)) {
      throw new SchemaError(
        `${op}: key column "${k}" is an array column (${type}); array columns cannot be group keys`,
        k,
      );
    }
    if (seen.has(k)) throw new ArgumentError(`${op}: key column "${k}" is given twice`);
    seen.add(k);
  }
  return [...seen];
}

/** Validates specs against `t` and `keys`; returns one item per output column. */
export function resolveSpecs(
  op: string,
  t: Table,
  specs: readonly AggSpec[],
  keys: readonly string[],
): AggItem[] {
  const items: AggItem[] = [];
  const names = new Set(keys);
  const claim = (name: string) => {
    validateColumnName(name);
    if (names.has(name)) {
      throw new SchemaError(
        `${op}: duplicate output column "${name}"${keys.includes(name) ? " (it is a key column)" : ""}`,
        name,
      );
    }
    names.add(name);
  };
  for (const spec of specs) {
    if (!isAggSpec(spec)) {
      throw new ArgumentError(
        `${op}: expected aggregations made with agg.*, got ${showValue(spec)}`,
      );
    }
    if (spec.kind === "count") {
      claim(spec.name);
      items.push({ kind: "count", output: spec.name, input: null, type: "int64" });
      continue;
    }
    if (spec.kind === "group") assertNotBlink(t, "agg.group");
    for (const { output, input } of spec.pairs) {
      if (!t.hasColumn(input)) {
        throw new ArgumentError(
          `${op}: agg.${spec.kind} input column "${input}" does not exist; ${available(t)}`,
        );
      }
      if (keys.includes(input)) {
        throw new ArgumentError(
          `${op}: column "${input}" is a key column and cannot also be an input of agg.${spec.kind}`,
        );
      }
      const inType = t.columns[input]!;
      const type = outputType(spec.kind, inType);
      if (type === null) {
        throw new SchemaError(
          `${op}: agg.${spec.kind} does not support column "${input}" of type ${inType}; it takes ${supportedTypes(spec.kind)}`,
          input,
        );
      }
      claim(output);
      items.push({ kind: spec.kind, output, input, type });
    }
  }
  return items;
}

/** The kind of state kernels keep for this parent. */
export function modeOf(t: Table): AggMode {
  if (t.isBlink) return "blink";
  if (!t.isRefreshing || t.isAddOnly) return "addOnly";
  return "removals";
}

/** Extra pieces partitionBy adds to an aggregation. */
export interface AggregationExtras {
  /** More kernels after the items' (e.g. the Constituent column). */
  kernels?: (core: AggregationCore, columns: Map<string, ColumnSource>) => AggKernel[];
  /** Sees every processed row with its group. */
  router?: (core: AggregationCore) => RowRouter;
}

/** Builds the aggregation result of validated `items` by `keys`. */
export function aggregate(
  parent: Table,
  items: readonly AggItem[],
  keys: readonly string[],
  kind: string,
  extras: AggregationExtras = {},
): { table: Table; core: AggregationCore } {
  const columns = new Map<string, ColumnSource>();
  const keyOut = keys.map((k) => {
    const c = new PagedColumn(parent.column(k).type);
    columns.set(k, c);
    return c;
  });
  const core = new AggregationCore(parent, keys, keyOut, modeOf(parent));
  for (const it of items) {
    const kernel =
      it.kind === "count"
        ? new CountKernel(it.output, new SlotColumn("int64"), core)
        : makeKernel(it.kind, it.output, it.type, it.input!, parent.columns[it.input!]!, core);
    columns.set(it.output, kernel.column);
    core.addKernel(kernel);
  }
  for (const k of extras.kernels?.(core, columns) ?? []) core.addKernel(k);
  if (extras.router) core.setRouter(extras.router(core));
  const refreshing = parent.isRefreshing;
  const table = new Table(
    columns,
    RowSet.EMPTY,
    refreshing ? RESULT_ATTRIBUTES : STATIC_ATTRIBUTES,
    parent.graph,
    kind,
  );
  if (persistAggregation(table, core) !== "state") {
    core.add(parent.rowSet);
    const initial = core.flush();
    nodeOf(table).setRowSet(initial.added);
    core.finish(null);
  }
  if (refreshing) nodeOf(table).attach(new AggregationOperator(table, parent, core));
  return { table, core };
}

/**
 * `t.aggBy(aggs, ...keys)`: one row per distinct key tuple with every aggregation's outputs.
 * Over a blink table the result covers every row seen since it was created.
 */
export function aggBy(
  t: Table,
  aggs: AggSpec | readonly AggSpec[],
  keys: readonly string[],
  op = "aggBy",
): Table {
  assertUsable(t);
  const specs = Array.isArray(aggs) ? (aggs as readonly AggSpec[]) : [aggs as AggSpec];
  if (specs.length === 0) throw new ArgumentError(`${op}: no aggregations given`);
  const ks = checkKeys(op, t, keys);
  return aggregate(t, resolveSpecs(op, t, specs, ks), ks, op).table;
}

/** Descriptor (registered in operations.ts). */
export const aggByOp = defineMethod({
  name: "aggBy",
  params: [param("aggs", kinds.aggs, "aggregations"), rest(param("keys", kinds.columns, "key"))],
  apply: (t: Table, aggs: AggSpec | readonly AggSpec[], ...keys: (string | string[])[]): Table =>
    aggBy(t, aggs, columnList(keys, "aggBy")),
  doc: 'one row per key with each aggregation\'s outputs: `aggBy([agg.sum("Total = Size")], "Sym")`',
});
