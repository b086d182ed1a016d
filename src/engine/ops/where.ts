/**
 * where: the rows of the parent for which every filter is true (null counts as false). The result
 * shares the parent's column storage and keeps its row keys; each cycle it filters only added
 * rows, and modified rows when a filter's input column changed.
 */
import type { ColumnSource } from "../column-source.ts";
import type { CompiledFormula } from "../formula/index.ts";
import { compileFormula } from "../formula/index.ts";
import { defineMethod, kinds, param, rest } from "../operation.ts";
import { Operator } from "../operator.ts";
import { RowSet, RowSetBuilder } from "../row-set.ts";
import { assertUsable, inheritAttributes, nodeOf, Table } from "../table-core.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import { checkPositionUse, contextFor, filterRows, positionOf } from "./eval.ts";

interface Filter {
  formula: CompiledFormula;
  inputs: ColumnSource[];
}

function applyFilters(parent: Table, filters: readonly Filter[], rows: RowSet): RowSet {
  let current = rows;
  for (const f of filters) {
    if (current.isEmpty) break;
    const b = new RowSetBuilder();
    filterRows(f.formula, f.inputs, current, contextFor(parent, positionOf(parent, current)), (k) =>
      b.addKey(k),
    );
    current = b.build();
  }
  return current;
}

class WhereOperator extends Operator {
  readonly #filters: Filter[];
  readonly #deps: Set<string>;
  constructor(result: Table, parent: Table, filters: Filter[]) {
    super(result, [parent]);
    this.#filters = filters;
    this.#deps = new Set(filters.flatMap((f) => f.formula.columns));
  }

  protected onUpdate(updates: readonly (TableUpdate | null)[]): TableUpdate | null {
    const u = updates[0] ?? null;
    const parent = this.parents[0]!;
    const up = u!;
    const prev = this.result.rowSet;
    const removed = up.removed.intersect(prev);
    let kept = prev.minus(up.removed);
    let added = applyFilters(parent, this.#filters, up.added);
    let modified = RowSet.EMPTY;
    let removedAll = removed;
    if (!up.modified.isEmpty) {
      const refilter = up.modifiedColumns.some((c) => this.#deps.has(c));
      if (refilter) {
        const pass = applyFilters(parent, this.#filters, up.modified);
        const wasIn = up.modified.intersect(kept);
        modified = pass.intersect(wasIn);
        added = added.union(pass.minus(wasIn));
        const dropped = wasIn.minus(pass);
        removedAll = removedAll.union(dropped);
        kept = kept.minus(dropped);
      } else modified = up.modified.intersect(kept);
    }
    nodeOf(this.result).setRowSet(kept.union(added));
    return makeUpdate(added, removedAll, modified, up.modifiedColumns);
  }
}

export function where(parent: Table, texts: readonly string[]): Table {
  assertUsable(parent);
  const filters: Filter[] = texts.map((text) => {
    const f = compileFormula(text, parent.columns, "filter");
    checkPositionUse(parent, f);
    return { formula: f, inputs: f.columns.map((c) => parent.column(c)) };
  });
  const rows = applyFilters(parent, filters, parent.rowSet);
  const result = new Table(
    new Map(parent.columnMap),
    rows,
    inheritAttributes(parent),
    parent.graph,
    "where",
  );
  if (parent.isRefreshing) nodeOf(result).attach(new WhereOperator(result, parent, filters));
  return result;
}

/** Descriptor (registered in operations.ts). */
export const whereOp = defineMethod({
  name: "where",
  params: [rest(param("filters", kinds.formulas, "filter"))],
  apply: (t: Table, ...filters: (string | string[])[]): Table => where(t, filters.flat()),
  doc: "rows where every filter is true (null counts as false)",
});
