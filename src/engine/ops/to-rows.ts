/** toRows: a table's rows as plain objects, in row-key order. */
import type { Table } from "../table-core.ts";
import type { Value } from "../types.ts";

export function tableToRows(t: Table): Record<string, Value>[] {
  const cols = [...t.columnMap];
  const out: Record<string, Value>[] = new Array(t.size);
  let i = 0;
  t.rowSet.forEach((k) => {
    const row: Record<string, Value> = {};
    for (const [name, c] of cols) row[name] = c.get(k);
    out[i++] = row;
  });
  return out;
}
