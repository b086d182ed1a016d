/**
 * JSON forms of values (docs/protocol.md): int64 as a JSON number within +/-(2^53-1), else a
 * string; instants as ISO-8601 strings with up to nine fractional digits; chars as one-character
 * strings; nulls as null; an array cell as a JSON array of its elements' JSON forms. Input
 * accepts the same forms (and instants as integer nanoseconds). CSV text of these forms is
 * csv-forms.ts's.
 */
import type { Table } from "./table-core.ts";
import type { ArrayValue, ColumnType, Value } from "./types.ts";
import { elementType, formatInstant, isArrayType } from "./types.ts";

/** The JSON form of a scalar value. */
export type JsonScalar = number | string | boolean | null;
/** The JSON form of a value: a scalar, or an array of scalars for an array column. */
export type JsonValue = JsonScalar | JsonScalar[];

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** One value in its JSON form. */
export function toJsonValue(type: ColumnType, v: Value): JsonValue {
  if (v === null) return null;
  if (isArrayType(type)) {
    const et = elementType(type);
    return (v as ArrayValue).map((e) => toJsonValue(et, e) as JsonScalar);
  }
  if (type === "instant") return formatInstant(v as bigint);
  if (type === "int64") {
    const b = v as bigint;
    return b <= MAX_SAFE && b >= -MAX_SAFE ? Number(b) : b.toString();
  }
  if (typeof v === "number" && !Number.isFinite(v))
    return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
  return v as JsonValue;
}

/** Rows with the given keys (in key order) in JSON form: every column, or only `names`. */
export function rowsToJson(
  t: Table,
  keys: Iterable<number>,
  names?: readonly string[],
): Record<string, JsonValue>[] {
  const cols = (names ?? t.columnNames).map((name) => {
    const c = t.column(name);
    return { name, c, type: c.type };
  });
  const out: Record<string, JsonValue>[] = [];
  for (const k of keys) {
    const row: Record<string, JsonValue> = {};
    for (const { name, c, type } of cols) row[name] = toJsonValue(type, c.get(k));
    out.push(row);
  }
  return out;
}
