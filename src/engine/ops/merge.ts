/**
 * merge: all rows of the first table, then of the next, in argument order. Static inputs give a
 * static copy. With refreshing inputs, each input owns a slice of the result's key space
 * (input i's key k becomes i * slice + k), so each input's changes map to the result one to one.
 * All-blink inputs give a blink result; static/add-only/append-only inputs give add-only.
 */
import { PagedColumn } from "../column.ts";
import { ArgumentError, SchemaError } from "../errors.ts";
import { defineFunction, kinds, param, rest } from "../operation.ts";
import { Operator } from "../operator.ts";
import { RowSet, RowSetBuilder } from "../row-set.ts";
import type { TableAttributes } from "../table-core.ts";
import { assertUsable, nodeOf, STATIC_ATTRIBUTES, Table } from "../table-core.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import type { UpdateGraph } from "../update-graph.ts";
import { copyRowsShifted, copyRowsTo } from "./copy.ts";

class MergeOperator extends Operator {
  readonly #slice: number;
  readonly #src: PagedColumn[][];
  readonly #dst: PagedColumn[];
  constructor(result: Table, parents: Table[], slice: number) {
    super(result, parents);
    this.#slice = slice;
    const names = result.columnNames;
    this.#src = parents.map((p) => names.map((n) => p.column(n)));
    this.#dst = names.map((n) => result.column(n));
  }

  protected onUpdate(updates: readonly (TableUpdate | null)[]): TableUpdate | null {
    const added = new RowSetBuilder();
    const removed = new RowSetBuilder();
    const modified = new RowSetBuilder();
    const mc = new Set<string>();
    updates.forEach((u, i) => {
      if (!u) return;
      const shift = i * this.#slice;
      const parent = this.parents[i]!;
      if (parent.rowSet.last() >= this.#slice)
        throw new RangeError("merge: input row key beyond its key slice");
      u.removed.shift(shift).forEachRange((s, e) => removed.addRange(s, e));
      u.added.shift(shift).forEachRange((s, e) => added.addRange(s, e));
      u.modified.shift(shift).forEachRange((s, e) => modified.addRange(s, e));
      for (const c of u.modifiedColumns) mc.add(c);
      copyRowsShifted(this.#src[i]!, u.added.union(u.modified), this.#dst, shift);
    });
    const r = removed.build();
    const a = added.build();
    const rows = this.result.rowSet.minus(r).union(a);
    nodeOf(this.result).setRowSet(rows);
    for (const c of this.#dst) c.release(r, rows);
    return makeUpdate(a, r, modified.build(), [...mc]);
  }
}

function checkSchemas(tables: readonly Table[]): void {
  const first = tables[0]!;
  const names = first.columnNames;
  tables.forEach((t, i) => {
    for (const n of names) {
      if (!t.hasColumn(n)) throw new SchemaError(`merge: table ${i} has no column "${n}"`, n);
      if (t.columns[n] !== first.columns[n]) {
        throw new SchemaError(
          `merge: column "${n}" is ${t.columns[n]} in table ${i} but ${first.columns[n]} in table 0`,
          n,
        );
      }
    }
    const extra = t.columnNames.filter((n) => !(n in first.columns));
    if (extra.length > 0)
      throw new SchemaError(`merge: table ${i} has extra columns [${extra.join(", ")}]`, extra[0]);
  });
}

export function merge(...input: (Table | Table[])[]): Table {
  const tables = input.flat();
  if (tables.length === 0) throw new ArgumentError("merge needs at least one table");
  for (const t of tables) assertUsable(t);
  checkSchemas(tables);
  const names = tables[0]!.columnNames;
  const refreshing = tables.filter((t) => t.isRefreshing);
  if (refreshing.length === 0) {
    const cols = names.map((n) => new PagedColumn(tables[0]!.columns[n]!));
    let at = 0;
    for (const t of tables) {
      copyRowsTo(
        names.map((n) => t.column(n)),
        t.rowSet,
        cols,
        at,
      );
      at += t.size;
    }
    return new Table(
      new Map(names.map((n, j) => [n, cols[j]!])),
      RowSet.flat(at),
      STATIC_ATTRIBUTES,
      null,
      "merge",
    );
  }
  const graph = refreshing[0]!.graph as UpdateGraph;
  if (refreshing.some((t) => t.graph !== graph))
    throw new ArgumentError("merge: tables belong to different update graphs");
  const slice = 2 ** (53 - Math.max(1, Math.ceil(Math.log2(tables.length))));
  const cols = names.map((n) => new PagedColumn(tables[0]!.columns[n]!, graph));
  let rows = RowSet.EMPTY;
  tables.forEach((t, i) => {
    copyRowsShifted(
      names.map((n) => t.column(n)),
      t.rowSet,
      cols,
      i * slice,
    );
    rows = rows.union(t.rowSet.shift(i * slice));
  });
  const allBlink = tables.every((t) => t.isBlink);
  const addOnly = tables.every((t) => !t.isRefreshing || t.isAddOnly);
  const attrs: TableAttributes = {
    refreshing: true,
    blink: allBlink,
    appendOnly: false,
    addOnly: !allBlink && addOnly,
  };
  const result = new Table(
    new Map(names.map((n, j) => [n, cols[j]!])),
    rows,
    attrs,
    graph,
    "merge",
  );
  nodeOf(result).attach(new MergeOperator(result, tables, slice));
  return result;
}

/** Descriptor (registered in operations.ts). */
export const mergeOp = defineFunction({
  name: "merge",
  params: [rest(param("tables", kinds.table, "table"), 1)],
  apply: (...tables: Table[]): Table => merge(...tables),
  doc: "all rows of the first table, then of the next (schemas must match)",
});
