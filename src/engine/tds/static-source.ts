/**
 * Static Table Data Service tables: `tableLocations` lists the locations, `tableLocationSize`
 * sizes each, the page cache reads every row, and the rows are written once into a static
 * table (same layout as a refreshing one: partitioning columns first, location `i`'s rows at
 * keys `i * 2^32 + row`). Any failure rejects.
 */
import { PagedColumn } from "../column.ts";
import { RowSetBuilder } from "../row-set.ts";
import { STATIC_ATTRIBUTES, Table } from "../table.ts";
import type { TableDataServiceBackend } from "./backend.ts";
import { failureText, TableDataServiceError } from "./errors.ts";
import { invokeBackend, oneShot } from "./invoke.ts";
import { hashOf, KeyedSet } from "./keyed-map.ts";
import type { Lease } from "./location-data.ts";
import { locationBase, MAX_LOCATIONS, writeLocationRows } from "./location-rows.ts";
import type { LocationState } from "./location-state.ts";
import { checkSize } from "./location-state.ts";
import type { LocationEntry } from "./location-subscription.ts";
import type { TableDefinition } from "./table-definition.ts";
import { readPartitionValues } from "./table-definition.ts";
import type { TableKey, TableLocationKey } from "./table-key.ts";

export interface StaticContext {
  readonly backend: TableDataServiceBackend;
  readonly key: TableKey;
  readonly def: TableDefinition;
  readonly stateOf: (location: TableLocationKey) => LocationState;
}

/** The locations of the key now, in the order `tableLocations` delivered them. */
export function listLocations(ctx: StaticContext): Promise<LocationEntry[]> {
  const { backend, key, def } = ctx;
  return new Promise((resolve, reject) => {
    const entries: LocationEntry[] = [];
    const seen = new KeyedSet<TableLocationKey>();
    let invalid = false;
    const cb = oneShot(
      () => resolve(entries),
      (e) =>
        reject(
          new TableDataServiceError(
            `${def.keyText}: table_locations failed: ${failureText(e)}`,
            { tableKey: def.keyText },
            e,
          ),
        ),
    );
    invokeBackend(
      () =>
        backend.tableLocations(
          key,
          (location, values) => {
            if (invalid) return;
            try {
              hashOf(location);
              if (seen.has(location)) return;
              const partitionValues = readPartitionValues(def, String(location), values);
              if (entries.length >= MAX_LOCATIONS) {
                throw new TableDataServiceError(
                  `${def.keyText}: too many locations; a table holds at most ${MAX_LOCATIONS}`,
                  { tableKey: def.keyText },
                );
              }
              seen.add(location);
              entries.push({ state: ctx.stateOf(location), partitionValues });
            } catch (e) {
              // Rejects at once (as Deephaven's waiter wakes on the first error); later
              // callbacks are ignored.
              invalid = true;
              reject(e);
            }
          },
          cb.result,
          cb.failure,
        ),
      cb.failure,
    );
  });
}

/** The size of one location now (`tableLocationSize`). */
export function locationSize(ctx: StaticContext, entry: LocationEntry): Promise<number> {
  const { backend, key, def } = ctx;
  const loc = entry.state;
  const call = "table_location_size";
  return new Promise((resolve, reject) => {
    const cb = oneShot(
      (raw: unknown) => {
        try {
          resolve(checkSize(def.keyText, loc.text, raw, call));
        } catch (e) {
          reject(e);
        }
      },
      (e) =>
        reject(
          new TableDataServiceError(
            `${def.keyText}:${loc.text}: ${call} failed: ${failureText(e)}`,
            { tableKey: def.keyText, location: loc.text },
            e,
          ),
        ),
    );
    invokeBackend(
      () => backend.tableLocationSize(key, loc.location, cb.result, cb.failure),
      cb.failure,
    );
  });
}

/**
 * Reads rows `[0, size)` of every data column of a location into its page cache; they stay
 * there until the lease pushed to `leases` is released.
 */
export function readRows(entry: LocationEntry, size: number, leases: Lease[]): Promise<void> {
  return new Promise((resolve, reject) => {
    leases.push(
      entry.state.data.read(0, size, (error) => (error === undefined ? resolve() : reject(error))),
    );
  });
}

/** Loads every location and builds the static table; also returns the locations. */
export async function loadStatic(
  ctx: StaticContext,
  kind: string,
): Promise<{ table: Table; entries: LocationEntry[] }> {
  const entries = await listLocations(ctx);
  const sizes = await Promise.all(entries.map((e) => locationSize(ctx, e)));
  const leases: Lease[] = [];
  try {
    await Promise.all(entries.map((e, i) => readRows(e, sizes[i]!, leases)));
    const columns = new Map<string, PagedColumn>();
    for (const [name, type] of Object.entries(ctx.def.schema))
      columns.set(name, new PagedColumn(type));
    const b = new RowSetBuilder();
    entries.forEach((e, i) => {
      const base = locationBase(i);
      writeLocationRows(columns, ctx.def, e, base, 0, sizes[i]!);
      b.addRange(base, base + sizes[i]!);
    });
    return { table: new Table(columns, b.build(), STATIC_ATTRIBUTES, null, kind), entries };
  } finally {
    for (const l of leases) l.release();
  }
}
