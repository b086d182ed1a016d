/**
 * AsyncBackend: the callback contract of the one-shot backend methods (`tableSchema`,
 * `tableLocations`, `tableLocationSize`, `columnValues`) on top of promise-returning ones, for
 * backends whose answers come from I/O (R2, HTTP, a family's RPC). A subclass implements
 * `schemaOf`, `locationsOf`, `sizeOf` and `valuesOf`; a throw or a rejection becomes a call of
 * the failure callback (`invokeBackend`), and results are delivered only once everything is
 * known. The two subscribe methods stay the subclass's own.
 */
import type { Schema as ArrowSchema, Table as ArrowTable } from "apache-arrow";
import type {
  FailureCallback,
  LocationCallback,
  SchemaCallback,
  SizeCallback,
  TableDataServiceBackend,
  Unsubscribe,
  ValuesCallback,
} from "./backend.ts";
import { BackendError } from "./backend-error.ts";
import { invokeBackend } from "./invoke.ts";
import type { TableKey, TableLocationKey } from "./table-key.ts";

/** A table's data schema and partitioning schema (null: not partitioned). */
export interface SchemaResult {
  readonly schema: ArrowSchema;
  readonly partitionSchema?: ArrowSchema | null;
}

/** One location and its one-row partition values (null: no partitioning columns). */
export type LocationResult = readonly [TableLocationKey, (ArrowTable | null)?];

/**
 * The name a key carries (`StringTableKey`/`StringTableLocationKey` and look-alikes), or a
 * `400 bad_key` BackendError with `message` (given what the key printed as). An empty name is
 * refused unless `emptyOk`.
 */
export function keyName(
  key: unknown,
  message: (printed: string) => string,
  emptyOk = false,
): string {
  const name = (key as { name?: unknown } | null)?.name;
  if (typeof name !== "string" || (name === "" && !emptyOk)) {
    throw new BackendError("bad_key", 400, message(String(key)));
  }
  return name;
}

export abstract class AsyncBackend implements TableDataServiceBackend {
  /** The data schema and partitioning schema of `key`. */
  protected abstract schemaOf(key: TableKey): Promise<SchemaResult>;
  /** Every existing location of `key`, in the order to deliver them. */
  protected abstract locationsOf(key: TableKey): Promise<Iterable<LocationResult>>;
  /** The current size of one location, in rows. */
  protected abstract sizeOf(key: TableKey, location: TableLocationKey): Promise<number | bigint>;
  /** Rows `[offset, offset + n)` of one column, `minRows <= n <= maxRows`, as one field. */
  protected abstract valuesOf(
    key: TableKey,
    location: TableLocationKey,
    column: string,
    offset: number,
    minRows: number,
    maxRows: number,
  ): Promise<ArrowTable>;

  abstract subscribeToTableLocations(
    key: TableKey,
    locationCb: LocationCallback,
    successCb: () => void,
    failureCb: FailureCallback,
  ): Unsubscribe;

  abstract subscribeToTableLocationSize(
    key: TableKey,
    location: TableLocationKey,
    sizeCb: SizeCallback,
    successCb: () => void,
    failureCb: FailureCallback,
  ): Unsubscribe;

  tableSchema(key: TableKey, schemaCb: SchemaCallback, failureCb: FailureCallback): void {
    invokeBackend(async () => {
      const { schema, partitionSchema } = await this.schemaOf(key);
      schemaCb(schema, partitionSchema ?? null);
    }, failureCb);
  }

  tableLocations(
    key: TableKey,
    locationCb: LocationCallback,
    successCb: () => void,
    failureCb: FailureCallback,
  ): void {
    invokeBackend(async () => {
      for (const [loc, values] of await this.locationsOf(key)) locationCb(loc, values ?? null);
      successCb();
    }, failureCb);
  }

  tableLocationSize(
    key: TableKey,
    location: TableLocationKey,
    sizeCb: SizeCallback,
    failureCb: FailureCallback,
  ): void {
    invokeBackend(async () => sizeCb(await this.sizeOf(key, location)), failureCb);
  }

  columnValues(
    key: TableKey,
    location: TableLocationKey,
    column: string,
    offset: number,
    minRows: number,
    maxRows: number,
    valuesCb: ValuesCallback,
    failureCb: FailureCallback,
  ): void {
    invokeBackend(
      async () => valuesCb(await this.valuesOf(key, location, column, offset, minRows, maxRows)),
      failureCb,
    );
  }

  /**
   * Subscribes with what `parse` reads off the keys; a key `parse` rejects fails the
   * subscription in a microtask (callbacks never run before the subscribe call returns) and
   * yields an unsubscribe that does nothing.
   */
  protected subscribeParsed<T>(
    parse: () => T,
    failureCb: FailureCallback,
    subscribe: (parsed: T) => Unsubscribe,
  ): Unsubscribe {
    let parsed: T;
    try {
      parsed = parse();
    } catch (e) {
      queueMicrotask(() => failureCb(e));
      return () => {};
    }
    return subscribe(parsed);
  }
}
