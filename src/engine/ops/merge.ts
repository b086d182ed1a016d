/**
 * merge: all rows of the first table, then of the next, in argument order. The result copies no
 * rows: each column is a UnionColumnSource over the inputs' columns (union-column-source.ts).
 *
 * With refreshing inputs, each input owns a slice of the result's key space (input i's key k
 * becomes i * slice + k), so each input's changes map to the result one to one and the result's
 * previous values are the inputs' own. Static inputs give a static result keyed 0..n-1: an input
 * whose keys are 0..size-1 is read at a shift, others through a RowRedirection.
 * All-blink inputs give a blink result; static/add-only/append-only inputs give add-only.
 */
import type { ColumnSource } from "../column-source.ts";
import { ArgumentError, SchemaError } from "../errors.ts";
import { defineFunction, kinds, param, rest } from "../operation.ts";
import { Operator } from "../operator.ts";
import { RedirectedColumnSource } from "../redirected-column-source.ts";
import { RowRedirection } from "../row-redirection.ts";
import { RowSet, RowSetBuilder } from "../row-set.ts";
import type { TableAttributes } from "../table-core.ts";
import { assertUsable, nodeOf, STATIC_ATTRIBUTES, Table } from "../table-core.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import type { UnionSegment } from "../union-column-source.ts";
import { UnionColumnSource } from "../union-column-source.ts";
import type { UpdateGraph } from "../update-graph.ts";

class MergeOperator extends Operator {
  readonly #slice: number;
  constructor(result: Table, parents: Table[], slice: number) {
    super(result, parents);
    this.#slice = slice;
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
    });
    const r = removed.build();
    const a = added.build();
    nodeOf(this.result).setRowSet(this.result.rowSet.minusUnion(r, a));
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
  if (refreshing.length === 0) return staticMerge(tables, names);
  const graph = refreshing[0]!.graph as UpdateGraph;
  if (refreshing.some((t) => t.graph !== graph))
    throw new ArgumentError("merge: tables belong to different update graphs");
  const slice = 2 ** (53 - Math.max(1, Math.ceil(Math.log2(tables.length))));
  for (const t of tables) {
    if (t.rowSet.last() >= slice) throw new RangeError("merge: input row key beyond its key slice");
  }
  const columns = new Map<string, ColumnSource>();
  for (const n of names) {
    const segments = tables.map((t, i) => ({
      start: i * slice,
      end: (i + 1) * slice,
      source: t.column(n),
      shift: i * slice,
    }));
    columns.set(n, new UnionColumnSource(tables[0]!.columns[n]!, segments));
  }
  let rows = RowSet.EMPTY;
  tables.forEach((t, i) => {
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
  const result = new Table(columns, rows, attrs, graph, "merge");
  nodeOf(result).attach(new MergeOperator(result, tables, slice));
  return result;
}

/** Static inputs: result keys 0..n-1, input i's rows at [offset_i, offset_i + size_i). */
function staticMerge(tables: readonly Table[], names: readonly string[]): Table {
  let redirection: RowRedirection | null = null;
  const parts: { start: number; end: number; table: Table; dense: boolean }[] = [];
  let at = 0;
  for (const t of tables) {
    if (t.size === 0) continue;
    const dense = t.rowSet.first() === 0 && t.rowSet.last() === t.size - 1;
    if (!dense) {
      const r = (redirection ??= new RowRedirection());
      let pos = at;
      t.rowSet.forEachRange((s, e) => {
        r.setRun(pos, s, e - s);
        pos += e - s;
      });
    }
    parts.push({ start: at, end: at + t.size, table: t, dense });
    at += t.size;
  }
  const columns = new Map<string, ColumnSource>();
  // The one redirection is shared by every redirected segment: its memory counts once, in the
  // first such segment of the first column (describe() sums the columns).
  let counted = false;
  for (const n of names) {
    const segments: UnionSegment[] = parts.map((p) => {
      const col = p.table.column(n);
      if (p.dense) return { start: p.start, end: p.end, source: col, shift: p.start };
      const source = new RedirectedColumnSource(col, redirection!);
      const owned = !counted;
      counted = true;
      return { start: p.start, end: p.end, source, shift: 0, owned };
    });
    columns.set(n, new UnionColumnSource(tables[0]!.columns[n]!, segments));
  }
  return new Table(columns, RowSet.flat(at), STATIC_ATTRIBUTES, null, "merge");
}

/** Descriptor (registered in operations.ts). */
export const mergeOp = defineFunction({
  name: "merge",
  params: [rest(param("tables", kinds.table, "table"), 1)],
  apply: (...tables: Table[]): Table => merge(...tables),
  doc: "all rows of the first table, then of the next (schemas must match)",
});
