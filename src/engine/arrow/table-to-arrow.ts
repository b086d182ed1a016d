/**
 * tableToArrow: an engine table's current rows as an apache-arrow Table. Kept apart from
 * `arrow.ts` (which builds tables from Arrow) so the core `Table` can offer `toArrow()` without
 * importing a module that imports it back.
 */
import type { Table as ArrowTable } from "apache-arrow";
import { readContiguous } from "../ops/copy.ts";
import type { Table } from "../table-core.ts";
import { vecsToArrow } from "./encode.ts";

/**
 * The current rows of an engine table (in row-key order) as an apache-arrow Table of one record
 * batch.
 *
 * @example tableToArrow(newTable([intCol("X", [1, null])])).getChild("X")?.toArray()
 */
export function tableToArrow(t: Table): ArrowTable {
  const names = t.columnNames;
  const vecs = readContiguous(
    names.map((n) => t.column(n)),
    t.rowSet,
  );
  return vecsToArrow(t.columns, vecs, t.size, true);
}
