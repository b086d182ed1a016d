/** snapshot: a static copy of a table's current rows, keyed 0..n-1. */
import { PagedColumn } from "../column.ts";
import { defineMethod } from "../operation.ts";
import { RowSet } from "../row-set.ts";
import { forEachSpan } from "../spans.ts";
import { assertUsable, STATIC_ATTRIBUTES, Table } from "../table-core.ts";
import { chunksFor, readSpan } from "./eval.ts";

/** Copies `rows` of `source` into new flat columns (row i of the copy = i-th key of `rows`). */
export function copyColumns(
  source: Table,
  rows: RowSet,
  names = source.columnNames,
): Map<string, PagedColumn> {
  const srcCols = names.map((n) => source.column(n));
  const outCols = srcCols.map((c) => new PagedColumn(c.type));
  const chunks = chunksFor(srcCols);
  forEachSpan(rows, (span) => {
    const vecs = readSpan(srcCols, span, false, chunks);
    for (let j = 0; j < outCols.length; j++)
      outCols[j]!.writeRun(span.position, vecs[j]!, 0, span.length);
  });
  return new Map(names.map((n, j) => [n, outCols[j]!]));
}

export function snapshot(t: Table): Table {
  assertUsable(t);
  return new Table(
    copyColumns(t, t.rowSet),
    RowSet.flat(t.size),
    STATIC_ATTRIBUTES,
    null,
    "snapshot",
  );
}

/** Descriptor (registered in operations.ts). A static copy has no place in a ticking family. */
export const snapshotOp = defineMethod({
  name: "snapshot",
  params: [],
  apply: (t: Table): Table => snapshot(t),
  doc: "a static copy of the current rows",
  spec: false,
});
