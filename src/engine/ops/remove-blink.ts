/**
 * removeBlink: the same table without the blink attribute, so aggregations see ordinary
 * removals (each cycle's rows only) instead of the whole stream.
 */

import { defineMethod } from "../operation.ts";
import type { Table } from "../table-core.ts";
import { assertUsable } from "../table-core.ts";
import { mapColumns } from "./columns.ts";

export function removeBlink(t: Table): Table {
  assertUsable(t);
  if (!t.isBlink) return t;
  const names = new Map(t.columnNames.map((n) => [n, n]));
  return mapColumns(t, new Map(t.columnMap), names, "removeBlink", {
    ...t.attributes,
    blink: false,
  });
}

/** Descriptor (registered in operations.ts). */
export const removeBlinkOp = defineMethod({
  name: "removeBlink",
  params: [],
  apply: (t: Table): Table => removeBlink(t),
  doc: "the same rows without blink semantics (aggregations then cover each cycle only)",
});
