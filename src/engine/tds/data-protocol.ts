/**
 * The `/v1/data` wire forms (docs/protocol.md, "Table Data Service endpoints"), shared by the
 * endpoints that serve them and HttpBackend that reads them: paths, the schema in Arrow and JSON
 * form, partition values in JSON form, and the subscription messages.
 *
 * - A schema travels as an empty Arrow IPC stream whose fields are the partitioning columns, then
 *   the data columns, with the schema metadata `tickflare:partitionColumns` listing the
 *   partitioning columns' names as a JSON array; or as JSON `{ table, columns, partitionColumns }`
 *   with column types.
 * - Partition values travel as a JSON object `{ column: value }` in the JSON value forms
 *   (int64 beyond 2^53 as strings, instants as ISO-8601 strings), or null for an unpartitioned
 *   table.
 */
import type { Schema as ArrowSchema, Table as ArrowTable } from "apache-arrow";
import { Schema } from "apache-arrow";
import { columnTypeOfField, fromArrow, vecsToArrow } from "../arrow.ts";
import type { JsonValue } from "../json-forms.ts";
import { rowsToJson } from "../json-forms.ts";
import { vecFromValues } from "../new-table.ts";
import type { ColumnType } from "../types.ts";

/** Schema metadata key listing the partitioning columns (a JSON array of names). */
export const PARTITION_COLUMNS_KEY = "tickflare:partitionColumns";

/** `GET /v1/data/:table/schema` (JSON form). */
export interface DataSchemaBody {
  table: string;
  /** The data columns. */
  columns: Record<string, ColumnType>;
  /** The partitioning columns ({} when unpartitioned). */
  partitionColumns: Record<string, ColumnType>;
}

/** One location: its name and partition values (JSON forms; null when unpartitioned). */
export interface DataLocation {
  location: string;
  partitionValues: Record<string, JsonValue> | null;
}

/** `GET /v1/data/:table/locations`. */
export interface DataLocationsBody {
  table: string;
  partitionColumns: Record<string, ColumnType>;
  locations: DataLocation[];
}

/** `GET /v1/data/:table/locations/:loc/size`. */
export interface DataSizeBody {
  table: string;
  location: string;
  size: number;
}

/** Messages of the `/v1/data/:table/subscribe` WebSocket (JSON text frames). */
export type DataMessage =
  | ({ type: "schema" } & Omit<DataSchemaBody, "table">)
  | ({ type: "location" } & DataLocation)
  | { type: "ready" }
  | { type: "size"; location: string; size: number }
  | { type: "failure"; location?: string; status?: number; error: string; detail: string };

/** The path of a data endpoint: `/v1/data/<table>[/<rest>...]`, every part one escaped segment. */
export function dataPath(table: string, ...rest: string[]): string {
  return ["/v1/data", table, ...rest]
    .map((s, i) => (i === 0 ? s : encodeURIComponent(s)))
    .join("/");
}

/** One Arrow schema holding both: partitioning columns, then the data columns not among them. */
export function schemaToArrow(schema: ArrowSchema, partitions: ArrowSchema | null): ArrowSchema {
  const pfields = partitions?.fields ?? [];
  const names = new Set(pfields.map((f) => f.name));
  const fields = [...pfields, ...schema.fields.filter((f) => !names.has(f.name))];
  return new Schema(fields, new Map([[PARTITION_COLUMNS_KEY, JSON.stringify([...names])]]));
}

/** The data schema and partitioning schema (null when unpartitioned) of `schemaToArrow`'s form. */
export function schemaFromArrow(s: ArrowSchema): {
  schema: ArrowSchema;
  partitions: ArrowSchema | null;
} {
  const text = s.metadata.get(PARTITION_COLUMNS_KEY);
  let names: unknown = [];
  if (text !== undefined) {
    try {
      names = JSON.parse(text);
    } catch {
      names = null;
    }
  }
  if (!Array.isArray(names) || names.some((n) => typeof n !== "string")) {
    throw new Error(`schema metadata ${PARTITION_COLUMNS_KEY} must be a JSON array of names`);
  }
  const set = new Set(names as string[]);
  const pfields = s.fields.filter((f) => set.has(f.name));
  if (pfields.length !== set.size) {
    throw new Error(`${PARTITION_COLUMNS_KEY} names columns the schema does not have`);
  }
  return {
    schema: new Schema(s.fields.filter((f) => !set.has(f.name))),
    partitions: pfields.length === 0 ? null : new Schema(pfields),
  };
}

/** Column types of a schema's fields (throws on an Arrow type the engine cannot read). */
export function columnTypesOf(s: ArrowSchema | null): Record<string, ColumnType> {
  const out: Record<string, ColumnType> = {};
  for (const f of s?.fields ?? []) out[f.name] = columnTypeOfField(f);
  return out;
}

/** A location's one-row partition values in JSON form (null for none). */
export function partitionValuesToJson(
  values: ArrowTable | null | undefined,
): Record<string, JsonValue> | null {
  if (values == null || values.schema.fields.length === 0) return null;
  const t = fromArrow(values);
  return rowsToJson(t, t.rowSet.toArray().slice(0, 1))[0] ?? {};
}

/** One-row partition values from JSON form, typed by `types` (null when there are none). */
export function partitionValuesFromJson(
  types: Readonly<Record<string, ColumnType>>,
  values: Record<string, unknown> | null,
): ArrowTable | null {
  const names = Object.keys(types);
  if (names.length === 0) return null;
  const vecs = names.map((n) => vecFromValues(types[n]!, [values?.[n] ?? null], n));
  return vecsToArrow(types, vecs, 1, true);
}
