/**
 * TableDefinition: the engine schema of a Table Data Service table, built from the backend's
 * two Arrow schemas. Partitioning columns come first, then the data columns. A data column that
 * repeats a partitioning column must have the same type and is filled from the partition values
 * (never read through `columnValues`), as in Deephaven.
 *
 * Also validates a location's partition values: a one-row Arrow table with exactly the
 * partitioning columns, each of its column's type.
 */

import type { Schema as ArrowSchema, Table as ArrowTable, Field } from "apache-arrow";
import { Table as ArrowTableClass } from "apache-arrow";
import { arrowToVecs, columnTypeOfField } from "../arrow.ts";
import type { Vec } from "../column.ts";
import type { ColumnType, Schema } from "../types.ts";
import { isArrayType, validateColumnName } from "../types.ts";
import { failureText, TableDataServiceError } from "./errors.ts";

export interface TableDefinition {
  /** `toString()` of the table key, for messages. */
  readonly keyText: string;
  /** Every column, partitioning columns first. */
  readonly schema: Schema;
  /** Partitioning columns (filled from each location's partition values), in order. */
  readonly partitionColumns: readonly string[];
  /** Columns read through `columnValues`, in order. */
  readonly dataColumns: readonly string[];
}

function fieldsOf(keyText: string, what: string, s: unknown): readonly Field[] {
  const fields = (s as { fields?: unknown } | null | undefined)?.fields;
  if (!Array.isArray(fields)) {
    throw new TableDataServiceError(
      `${keyText}: table_schema delivered a ${what} schema that is not an Arrow Schema (got ${String(s)})`,
      { tableKey: keyText },
    );
  }
  return fields as Field[];
}

function typeOf(keyText: string, what: string, f: Field): ColumnType {
  try {
    validateColumnName(f.name);
    return columnTypeOfField(f);
  } catch (e) {
    throw new TableDataServiceError(
      `${keyText}: ${what} schema column "${f.name}": ${failureText(e)}`,
      { tableKey: keyText, column: f.name },
      e,
    );
  }
}

/** Builds the definition; throws TableDataServiceError naming the key and column on a bad schema. */
export function makeDefinition(
  keyText: string,
  schema: ArrowSchema,
  partitionSchema: ArrowSchema | null | undefined,
): TableDefinition {
  const out: Record<string, ColumnType> = {};
  const partitionColumns: string[] = [];
  const dataColumns: string[] = [];
  const pfields = partitionSchema == null ? [] : fieldsOf(keyText, "partitioning", partitionSchema);
  for (const f of pfields) {
    const t = typeOf(keyText, "partitioning", f);
    if (isArrayType(t)) {
      throw new TableDataServiceError(
        `${keyText}: partitioning column "${f.name}" is ${t}; partitioning columns must be scalar`,
        { tableKey: keyText, column: f.name },
      );
    }
    if (f.name in out) {
      throw new TableDataServiceError(
        `${keyText}: column "${f.name}" appears twice in the partitioning schema`,
        { tableKey: keyText, column: f.name },
      );
    }
    out[f.name] = t;
    partitionColumns.push(f.name);
  }
  const seen = new Set<string>();
  for (const f of fieldsOf(keyText, "data", schema)) {
    const t = typeOf(keyText, "data", f);
    if (seen.has(f.name)) {
      throw new TableDataServiceError(
        `${keyText}: column "${f.name}" appears twice in the data schema`,
        { tableKey: keyText, column: f.name },
      );
    }
    seen.add(f.name);
    const existing = out[f.name];
    if (existing === undefined) {
      out[f.name] = t;
      dataColumns.push(f.name);
    } else if (existing !== t) {
      throw new TableDataServiceError(
        `${keyText}: column "${f.name}" has conflicting types: ${existing} in the partitioning schema but ${t} in the data schema`,
        { tableKey: keyText, column: f.name },
      );
    }
  }
  return { keyText, schema: Object.freeze(out), partitionColumns, dataColumns };
}

/**
 * The partition values of one location as one length-1 Vec per partitioning column; throws
 * TableDataServiceError naming the key and location if the table is missing or mis-shaped.
 */
export function readPartitionValues(
  def: TableDefinition,
  locText: string,
  values: ArrowTable | null | undefined,
): Vec[] {
  const where = { tableKey: def.keyText, location: locText };
  const prefix = `${def.keyText}:${locText}`;
  const cols = def.partitionColumns;
  if (values == null) {
    if (cols.length === 0) return [];
    throw new TableDataServiceError(
      `${prefix}: the location has no partition values, but the table has partitioning columns [${cols.join(", ")}]`,
      where,
    );
  }
  if (!ArrowTableClass.isTable(values)) {
    throw new TableDataServiceError(
      `${prefix}: partition values must be an Arrow Table, got ${String(values)}`,
      where,
    );
  }
  if (cols.length === 0) {
    if (values.schema.fields.length === 0) return [];
    throw new TableDataServiceError(
      `${prefix}: partition values have columns [${values.schema.fields.map((f) => f.name).join(", ")}], but the table has no partitioning columns`,
      where,
    );
  }
  if (values.numRows !== 1) {
    throw new TableDataServiceError(
      `${prefix}: partition values must have exactly 1 row, got ${values.numRows}`,
      where,
    );
  }
  const expected: Record<string, ColumnType> = {};
  for (const c of cols) expected[c] = def.schema[c]!;
  try {
    return arrowToVecs(values, expected).vecs;
  } catch (e) {
    throw new TableDataServiceError(`${prefix}: partition values: ${failureText(e)}`, where, e);
  }
}
