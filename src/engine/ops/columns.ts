/**
 * dropColumns / renameColumns: the same rows under a different set of column names. Storage is
 * shared with the parent; updates pass through with `modifiedColumns` translated.
 */
import { columnList } from "../column-list.ts";
import type { ColumnSource } from "../column-source.ts";
import { ArgumentError } from "../errors.ts";
import { defineMethod, kinds, param, rest } from "../operation.ts";
import { Operator } from "../operator.ts";
import { RowSet } from "../row-set.ts";
import type { TableAttributes } from "../table-core.ts";
import { assertUsable, inheritAttributes, nodeOf, Table } from "../table-core.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import { checkDistinct, validateColumnName } from "../types.ts";

/** Passes the parent's updates through, renaming (or dropping) modified column names. */
class MappedColumnsOperator extends Operator {
  readonly #names: ReadonlyMap<string, string>;
  constructor(result: Table, parent: Table, names: ReadonlyMap<string, string>) {
    super(result, [parent]);
    this.#names = names;
  }
  protected onUpdate(updates: readonly (TableUpdate | null)[]): TableUpdate | null {
    const u = updates[0] ?? null;
    const up = u!;
    nodeOf(this.result).setRowSet(this.parents[0]!.rowSet);
    const mc = up.modifiedColumns.flatMap((c) => {
      const n = this.#names.get(c);
      return n === undefined ? [] : [n];
    });
    return makeUpdate(up.added, up.removed, mc.length > 0 ? up.modified : RowSet.EMPTY, mc);
  }
}

/** `names`: parent column name -> result column name, for the columns kept. */
export function mapColumns(
  parent: Table,
  columns: Map<string, ColumnSource>,
  names: Map<string, string>,
  kind: string,
  attrs: TableAttributes = inheritAttributes(parent),
): Table {
  const result = new Table(columns, parent.rowSet, attrs, parent.graph, kind);
  if (parent.isRefreshing) nodeOf(result).attach(new MappedColumnsOperator(result, parent, names));
  return result;
}

export function dropColumns(parent: Table, drop: readonly string[]): Table {
  assertUsable(parent);
  const missing = drop.filter((n) => !parent.hasColumn(n));
  if (missing.length > 0) {
    throw new ArgumentError(
      `Unknown column names [${missing.join(", ")}], available column names are [${parent.columnNames.join(", ")}]`,
    );
  }
  const dropSet = new Set(drop);
  const columns = new Map<string, ColumnSource>();
  const names = new Map<string, string>();
  for (const [n, c] of parent.columnMap) {
    if (dropSet.has(n)) continue;
    columns.set(n, c);
    names.set(n, n);
  }
  return mapColumns(parent, columns, names, "dropColumns");
}

/** `renameColumns("New = Old", ...)`; the renamed column keeps its position. */
export function renameColumns(parent: Table, pairs: readonly string[]): Table {
  assertUsable(parent);
  const renames = new Map<string, string>(); // old -> new
  for (const p of pairs) {
    const m = /^\s*([^=\s]+)\s*=\s*([^=\s]+)\s*$/.exec(p);
    if (!m) throw new ArgumentError(`Bad rename "${p}": expected "NewName = OldName"`);
    const [, to, from] = m as unknown as [string, string, string];
    if (!parent.hasColumn(from)) {
      throw new ArgumentError(
        `Unknown column names [${from}], available column names are [${parent.columnNames.join(", ")}]`,
      );
    }
    validateColumnName(to);
    if (renames.has(from)) throw new ArgumentError(`Column "${from}" is renamed twice`);
    renames.set(from, to);
  }
  const columns = new Map<string, ColumnSource>();
  const names = new Map<string, string>();
  const order: string[] = [];
  const renamedTargets = new Set(renames.values());
  for (const [n, c] of parent.columnMap) {
    const to = renames.get(n);
    if (to === undefined && renamedTargets.has(n)) continue; // overwritten by a rename
    const name = to ?? n;
    order.push(name);
    columns.set(name, c);
    names.set(n, name);
  }
  checkDistinct(order);
  return mapColumns(parent, columns, names, "renameColumns");
}

// ---- descriptors (registered in operations.ts) ---------------------------------------------------

export const dropColumnsOp = defineMethod({
  name: "dropColumns",
  params: [rest(param("names", kinds.columns, "column name"))],
  apply: (t: Table, ...names: (string | string[])[]): Table =>
    dropColumns(t, columnList(names, "dropColumns")),
  doc: "without the named columns",
});
export const renameColumnsOp = defineMethod({
  name: "renameColumns",
  params: [rest(param("pairs", kinds.columns, "rename"))],
  apply: (t: Table, ...pairs: (string | string[])[]): Table =>
    renameColumns(t, columnList(pairs, "renameColumns")),
  doc: '`"New = Old"` renames a column in place',
});
