/**
 * TableDataServiceBackend: what a data source implements to back engine tables (seed 001, after
 * Deephaven's `deephaven.experimental.table_data_service`). Six callback methods; every callback
 * may be called synchronously, before the method returns, or later (from a fetch, a WebSocket
 * message, a timer). Data travels as apache-arrow Schemas and Tables.
 *
 * A method that throws, or returns a promise that rejects, counts as calling its failure
 * callback. Only the first of a one-shot method's result/failure callbacks counts.
 */
import type { Schema as ArrowSchema, Table as ArrowTable } from "apache-arrow";
import type { TableKey, TableLocationKey } from "./table-key.ts";

/** Reports a failure: an Error or a message. */
export type FailureCallback = (error: unknown) => void;

/**
 * Delivers the table's data schema and, if the table is partitioned, the schema of its
 * partitioning columns (omitted, null or empty: not partitioned). The data schema need not
 * repeat the partitioning columns; if it does, their types must agree.
 */
export type SchemaCallback = (schema: ArrowSchema, partitionColumns?: ArrowSchema | null) => void;

/**
 * Delivers one location and its partitioning values: a one-row Arrow table with exactly the
 * partitioning columns (omitted or null when the table has no partitioning columns).
 */
export type LocationCallback = (
  location: TableLocationKey,
  partitionValues?: ArrowTable | null,
) => void;

/** Delivers a location's size in rows (a non-negative integer; a bigint is accepted). */
export type SizeCallback = (size: number | bigint) => void;

/** Delivers column values: an Arrow table with exactly one field, of the column's type. */
export type ValuesCallback = (values: ArrowTable) => void;

/** Stops a subscription. The service calls it once, when it no longer needs the subscription. */
export type Unsubscribe = () => void;

export interface TableDataServiceBackend {
  /** Delivers the data schema and the partitioning-column schema of `key`, or fails. */
  tableSchema(key: TableKey, schemaCb: SchemaCallback, failureCb: FailureCallback): unknown;

  /**
   * Delivers every existing location of `key` to `locationCb`, then calls `successCb`; or fails.
   * Used for static tables.
   */
  tableLocations(
    key: TableKey,
    locationCb: LocationCallback,
    successCb: () => void,
    failureCb: FailureCallback,
  ): unknown;

  /** Delivers the current size of one location, or fails. Used for static tables. */
  tableLocationSize(
    key: TableKey,
    location: TableLocationKey,
    sizeCb: SizeCallback,
    failureCb: FailureCallback,
  ): unknown;

  /**
   * Delivers rows `[offset, offset + n)` of one column of one location, for some
   * `minRows <= n <= maxRows`, as a one-field Arrow table. `minRows` rows are known to exist
   * (the engine never asks past a size it was told); returning more (up to `maxRows`, the end
   * of the engine's page) saves later calls. `minRows` never exceeds the service's page size.
   */
  columnValues(
    key: TableKey,
    location: TableLocationKey,
    column: string,
    offset: number,
    minRows: number,
    maxRows: number,
    valuesCb: ValuesCallback,
    failureCb: FailureCallback,
  ): unknown;

  /**
   * Delivers every existing location, then calls `successCb`, then delivers each new location
   * as it appears, until unsubscribed. `failureCb` reports a failure to subscribe or a permanent
   * loss of the subscription. Used for refreshing tables.
   */
  subscribeToTableLocations(
    key: TableKey,
    locationCb: LocationCallback,
    successCb: () => void,
    failureCb: FailureCallback,
  ): Unsubscribe;

  /**
   * Delivers the location's current size, then calls `successCb`, then delivers each new size,
   * until unsubscribed. Sizes only grow: a size not larger than one delivered before is ignored.
   * Used for refreshing tables.
   */
  subscribeToTableLocationSize(
    key: TableKey,
    location: TableLocationKey,
    sizeCb: SizeCallback,
    successCb: () => void,
    failureCb: FailureCallback,
  ): Unsubscribe;
}
