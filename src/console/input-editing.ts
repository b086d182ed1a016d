/**
 * Editing an input table from the console: the grid's CellEditing for a view that is an input
 * table with keys. A cell edit upserts the whole row (its current values with the edited one
 * changed; an upsert leaves out no column, since a missing column would be null), a delete sends
 * the row's key columns. Text typed in a cell is read as the column's JSON form where it clearly
 * is one (a number for numeric columns, true/false, digits for int64, empty for null); anything
 * else goes to the server as typed, so a bad value comes back as the server's error, which the
 * grid shows in the cell.
 */
import type { SourceDescription, Subscription, TickflareClient } from "../client/index.ts";
import type { ColumnType } from "../engine/index.ts";
import { formatInstant, isArrayType } from "../engine/index.ts";
import { describeError } from "./forms.ts";
import type { CellEditing } from "./grid.ts";

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^-?Infinity$|^NaN$/;
const FLOATS: readonly string[] = ["int8", "int16", "int32", "float32", "float64"];

/** A cell's text as the JSON value to publish for a column of `type`. */
export function cellValue(type: ColumnType, text: string): unknown {
  const t = text.trim();
  if (t === "" || t === "null") return null;
  if (FLOATS.includes(type)) return NUMBER.test(t) ? Number(t) : text;
  if (type === "int64") return /^[-+]?\d+$/.test(t) ? t.replace(/^\+/, "") : text;
  if (type === "bool") return t === "true" ? true : t === "false" ? false : text;
  if (isArrayType(type)) {
    try {
      return JSON.parse(t);
    } catch {
      return text;
    }
  }
  return text;
}

/** A mirror value as its publishable JSON form (instants as ISO text, exact at any size). */
function jsonOf(type: ColumnType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (type === "instant") return formatInstant(v as bigint);
  if (typeof v === "bigint") return v.toString();
  return v;
}

/** The CellEditing of `source` (an input table with keys) of `family`, shown by `sub`. */
export function inputTableEditing(
  client: TickflareClient,
  family: string,
  source: string,
  desc: SourceDescription,
  sub: Subscription,
  onError: (message: string) => void,
): CellEditing {
  const keys = desc.keys ?? [];
  const rowAt = (key: number): Record<string, unknown> => {
    const t = sub.table;
    const row: Record<string, unknown> = {};
    for (const [name, type] of Object.entries(t.columns))
      row[name] = jsonOf(type, t.getValue(name, key));
    return row;
  };
  return {
    keys,
    async commit(key, column, text) {
      const type = sub.table.columns[column]!;
      const row = { ...rowAt(key), [column]: cellValue(type, text) };
      try {
        await client.publish(family, [row], { source });
        return null;
      } catch (e) {
        // The batch is this one row: "row 0, " would name the batch's row, not the grid's.
        return describeError(e).detail.replace(/^row 0, /, "");
      }
    },
    async remove(key) {
      const row = rowAt(key);
      try {
        await client.deleteRows(family, source, [Object.fromEntries(keys.map((k) => [k, row[k]]))]);
      } catch (e) {
        const { code, detail } = describeError(e);
        onError(code ? `${code}: ${detail}` : detail);
      }
    },
  };
}
