/**
 * removeBlink: the same table without the blink attribute, so aggregations see ordinary
 * removals (each cycle's rows only) instead of the whole stream.
 */
import type { Table } from "../table.ts";
import { mapColumns } from "./columns.ts";

export function removeBlink(t: Table): Table {
  t._assertUsable();
  if (!t.isBlink) return t;
  const names = new Map(t.columnNames.map((n) => [n, n]));
  return mapColumns(t, new Map(t.columnMap), names, "removeBlink", {
    ...t.attributes,
    blink: false,
  });
}
