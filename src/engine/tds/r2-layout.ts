/**
 * The object layout R2Backend reads (docs/table-data-service.md, "R2Backend"): hive-partitioned
 * Arrow IPC files under one prefix per table.
 *
 * ```
 * <prefix><table>/_schema.arrow                       the data schema (an Arrow IPC file or stream; rows ignored)
 * <prefix><table>/_partitions.arrow                   the partitioning columns' schema (optional)
 * <prefix><table>/Ticker=GOOG/Exchange=NYSE/part-0000.arrow   rows of one location, in part order
 * <prefix><table>/part-0000.arrow                     an unpartitioned table's rows (location "all")
 * ```
 *
 * A location is the directory path of its parts (`Ticker=GOOG/Exchange=NYSE`), one `Name=value`
 * segment per partitioning column in the partitioning schema's order. Values are percent-decoded
 * and parsed as their column's type; `__HIVE_DEFAULT_PARTITION__` is null. Parts are the files of
 * a location whose names end in `.arrow` or `.arrows` and do not start with `_` or `.`, in key
 * order. Objects that fit no location of the layout are ignored.
 */
import type { Table as ArrowTable } from "apache-arrow";
import { vecsToArrow } from "../arrow.ts";
import type { Vec } from "../column.ts";
import { vecFromValues } from "../new-table.ts";
import type { ColumnType } from "../types.ts";
import { BackendError } from "./backend-error.ts";
import { failureText } from "./errors.ts";

/** The data schema object of a table. */
export const SCHEMA_FILE = "_schema.arrow";
/** The partitioning schema object of a table. */
export const PARTITIONS_FILE = "_partitions.arrow";
/** The location name of an unpartitioned table (its only location: the table's directory). */
export const ALL_LOCATION = "all";
/** The value segment that stands for null (Hive's). */
export const NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__";

/** True for an object name that holds rows (`*.arrow`, `*.arrows`, not `_*` or `.*`). */
export function isPartName(name: string): boolean {
  return /\.arrows?$/.test(name) && !name.startsWith("_") && !name.startsWith(".");
}

/**
 * The location of an object, given its path relative to the table's directory and the
 * partitioning column names; null when the object is not a part of that layout.
 */
export function locationOf(relative: string, partitionNames: readonly string[]): string | null {
  const segments = relative.split("/");
  const file = segments.pop()!;
  if (!isPartName(file) || segments.length !== partitionNames.length) return null;
  if (segments.length === 0) return ALL_LOCATION;
  for (let i = 0; i < segments.length; i++) {
    const eq = segments[i]!.indexOf("=");
    if (eq <= 0 || segments[i]!.slice(0, eq) !== partitionNames[i]) return null;
  }
  return segments.join("/");
}

/**
 * Partitioning column names read off the first part's path (`A=1/B=x/part.arrow` gives
 * [A, B]); null when the path is not hive-style. Used when a table has no `_partitions.arrow`.
 */
export function partitionNamesOf(relative: string): string[] | null {
  const segments = relative.split("/");
  const file = segments.pop()!;
  if (!isPartName(file)) return null;
  const names: string[] = [];
  for (const s of segments) {
    const eq = s.indexOf("=");
    if (eq <= 0) return null;
    names.push(s.slice(0, eq));
  }
  return names;
}

/** The directory path of a location with these values, escaped as Hive does. */
export function hivePath(values: Readonly<Record<string, unknown>>): string {
  return Object.entries(values)
    .map(
      ([k, v]) => `${k}=${v === null || v === undefined ? NULL_PARTITION : escapeValue(String(v))}`,
    )
    .join("/");
}

/** Hive's escaping: '%XX' for characters special in paths, and for control characters. */
function escapeValue(s: string): string {
  let out = "";
  for (const c of s) {
    const code = c.charCodeAt(0);
    out +=
      code < 0x20 || code === 0x7f || `%/=\\#?:"'*[]{}^`.includes(c)
        ? `%${code.toString(16).toUpperCase().padStart(2, "0")}`
        : c;
  }
  return out;
}

function unescapeValue(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s; // a stray '%' is taken literally
  }
}

/** One path value as its column type's input form (vecFromValues checks the rest). */
function typedValue(type: ColumnType, text: string): unknown {
  if (text === NULL_PARTITION) return null;
  const s = unescapeValue(text);
  switch (type) {
    case "int8":
    case "int16":
    case "int32":
      return /^-?\d+$/.test(s) ? Number(s) : s;
    case "float32":
    case "float64": {
      const n = Number(s);
      return s.trim() !== "" && !Number.isNaN(n) ? n : s;
    }
    case "bool":
      return s === "true" ? true : s === "false" ? false : s;
    default:
      return s; // int64 and instant accept digit strings; char, string and ISO instants as is
  }
}

/**
 * The one-row partition values of `location` (a path of `Name=value` segments in `names`'
 * order), typed by `types`. Throws a BackendError (`bad_layout`) naming the table, location and
 * column when a value does not parse as its type.
 */
export function partitionValuesOf(
  table: string,
  location: string,
  names: readonly string[],
  types: Readonly<Record<string, ColumnType>>,
): ArrowTable | null {
  if (names.length === 0) return null;
  const segments = location.split("/");
  const vecs: Vec[] = names.map((name, i) => {
    const seg = segments[i]!;
    const text = seg.slice(seg.indexOf("=") + 1);
    try {
      return vecFromValues(types[name]!, [typedValue(types[name]!, text)], name);
    } catch (e) {
      throw new BackendError(
        "bad_layout",
        502,
        `R2 table ${table}: location "${location}": partition column "${name}" (${types[name]}): ${failureText(e)}`,
        e,
      );
    }
  });
  const schema: Record<string, ColumnType> = {};
  for (const n of names) schema[n] = types[n]!;
  return vecsToArrow(schema, vecs, 1, true);
}
