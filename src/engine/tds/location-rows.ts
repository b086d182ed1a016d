/**
 * Writing one location's rows into a table's columns: data columns are copied from the
 * location's page cache, partitioning columns are filled with the location's partition value.
 * Location `index` owns row keys `[index * 2^32, (index + 1) * 2^32)`; row `r` has key
 * `index * 2^32 + r` (a region per location, as Deephaven's regioned column sources).
 */
import type { PagedColumn, Vec } from "../column.ts";
import type { TypedStorage } from "../types.ts";
import { allocStorage } from "../types.ts";
import { LOCATION_CAPACITY } from "./location-state.ts";
import type { LocationEntry } from "./location-subscription.ts";
import type { TableDefinition } from "./table-definition.ts";

/** Most locations a table can hold (row keys must stay below 2^53). */
export const MAX_LOCATIONS = 2 ** 21;

/** First row key of location `index`. */
export function locationBase(index: number): number {
  return index * LOCATION_CAPACITY;
}

const FILL_CHUNK = 65536;

/** Writes rows `[from, to)` of `entry` to `columns` at keys `base + from ...`. */
export function writeLocationRows(
  columns: ReadonlyMap<string, PagedColumn>,
  def: TableDefinition,
  entry: LocationEntry,
  base: number,
  from: number,
  to: number,
): void {
  if (to <= from) return;
  def.partitionColumns.forEach((name, j) => {
    fillColumn(columns.get(name)!, entry.partitionValues[j]!, base + from, to - from);
  });
  for (const name of def.dataColumns) {
    entry.state.data.copyRows(name, from, to, columns.get(name)!, base + from);
  }
}

/** Writes `n` copies of `one[0]` at keys `[start, start + n)`. */
export function fillColumn(col: PagedColumn, one: Vec, start: number, n: number): void {
  const isNull = one.valid !== null && one.valid[0] === 0;
  const len = Math.min(n, FILL_CHUNK);
  const data = allocStorage(col.type, len);
  if (!isNull) {
    if (Array.isArray(data)) data.fill(one.data[0] as string);
    else (data as TypedStorage).fill(one.data[0] as never);
  }
  const vec: Vec = { data, valid: isNull ? new Uint8Array(len) : null, length: len };
  for (let at = 0; at < n; at += len) col.writeRun(start + at, vec, 0, Math.min(len, n - at));
}
