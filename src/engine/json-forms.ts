/**
 * JSON forms of values (docs/protocol.md): int64 as a JSON number within +/-(2^53-1), else a
 * string; instants as ISO-8601 strings with up to nine fractional digits; chars as one-character
 * strings; nulls as null. Input accepts the same forms (and instants as integer nanoseconds).
 */
import type { Table } from "./table.ts";
import type { ColumnType, Value } from "./types.ts";
import { formatInstant } from "./types.ts";

export type JsonValue = number | string | boolean | null;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** One value in its JSON form. */
export function toJsonValue(type: ColumnType, v: Value): JsonValue {
  if (v === null) return null;
  if (type === "instant") return formatInstant(v as bigint);
  if (type === "int64") {
    const b = v as bigint;
    return b <= MAX_SAFE && b >= -MAX_SAFE ? Number(b) : b.toString();
  }
  if (typeof v === "number" && !Number.isFinite(v))
    return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
  return v as JsonValue;
}

/** Rows with the given keys (in key order) in JSON form. */
export function rowsToJson(t: Table, keys: Iterable<number>): Record<string, JsonValue>[] {
  const cols = [...t.columnMap].map(([name, c]) => ({ name, c, type: c.type }));
  const out: Record<string, JsonValue>[] = [];
  for (const k of keys) {
    const row: Record<string, JsonValue> = {};
    for (const { name, c, type } of cols) row[name] = toJsonValue(type, c.get(k));
    out.push(row);
  }
  return out;
}

/** CSV of rows in JSON form (RFC 4180 quoting); nulls are empty fields. */
export function rowsToCsv(
  columns: readonly string[],
  rows: readonly Record<string, JsonValue>[],
): string {
  const cell = (v: JsonValue): string => {
    if (v === null) return "";
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [columns.map((c) => cell(c)).join(",")];
  for (const r of rows) lines.push(columns.map((c) => cell(r[c] ?? null)).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
