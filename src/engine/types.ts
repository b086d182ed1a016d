/**
 * Column types, schemas and the conversion of user values into column storage.
 *
 * Storage per type: int8 Int8Array, int16 Int16Array, int32 Int32Array, int64 and instant
 * BigInt64Array (exact), float32 Float32Array, float64 Float64Array, bool Uint8Array (0/1),
 * char Uint16Array (a UTF-16 code unit), string a JS array. Nulls live in a separate validity
 * mask, so every type is nullable and no value is reserved as a sentinel.
 */
import { SchemaError, ValueError } from "./errors.ts";

/** The column types of tickflare. `instant` is nanoseconds since the epoch (int64). */
export type ColumnType =
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "float32"
  | "float64"
  | "bool"
  | "char"
  | "string"
  | "instant";

export const COLUMN_TYPES: readonly ColumnType[] = [
  "int8",
  "int16",
  "int32",
  "int64",
  "float32",
  "float64",
  "bool",
  "char",
  "string",
  "instant",
];

/** Ordered column name -> type map. */
export type Schema = Readonly<Record<string, ColumnType>>;

/** A value as seen at the API (`toRows()`, `addRows`, `writeRow`). */
export type Value = number | bigint | string | boolean | null;

export type TypedStorage =
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Float32Array
  | Float64Array
  | Uint8Array
  | Uint16Array;

/** Backing array of one column page: a typed array, or a JS array for strings. */
export type Storage = TypedStorage | string[];

export function isColumnType(t: unknown): t is ColumnType {
  return typeof t === "string" && (COLUMN_TYPES as readonly string[]).includes(t);
}

export function isIntegral(t: ColumnType): boolean {
  return t === "int8" || t === "int16" || t === "int32" || t === "int64";
}

export function isNumeric(t: ColumnType): boolean {
  return isIntegral(t) || t === "float32" || t === "float64";
}

/** Types stored as BigInt64Array. */
export function isBigType(t: ColumnType): t is "int64" | "instant" {
  return t === "int64" || t === "instant";
}

/** Allocates zeroed storage of `n` slots for a type. */
export function allocStorage(type: ColumnType, n: number): Storage {
  switch (type) {
    case "int8":
      return new Int8Array(n);
    case "int16":
      return new Int16Array(n);
    case "int32":
      return new Int32Array(n);
    case "int64":
    case "instant":
      return new BigInt64Array(n);
    case "float32":
      return new Float32Array(n);
    case "float64":
      return new Float64Array(n);
    case "bool":
      return new Uint8Array(n);
    case "char":
      return new Uint16Array(n);
    case "string":
      return new Array<string>(n).fill("");
  }
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Java keywords and query-language names a column may not take (as Deephaven's NameValidator). */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  "abstract",
  "assert",
  "boolean",
  "break",
  "byte",
  "case",
  "catch",
  "char",
  "class",
  "const",
  "continue",
  "default",
  "do",
  "double",
  "else",
  "enum",
  "extends",
  "final",
  "finally",
  "float",
  "for",
  "goto",
  "if",
  "implements",
  "import",
  "instanceof",
  "int",
  "interface",
  "long",
  "native",
  "new",
  "package",
  "private",
  "protected",
  "public",
  "return",
  "short",
  "static",
  "strictfp",
  "super",
  "switch",
  "synchronized",
  "this",
  "throw",
  "throws",
  "transient",
  "try",
  "void",
  "volatile",
  "while",
  "true",
  "false",
  "null",
  "i",
  "ii",
  "k",
  "in",
  "not",
]);

/** Throws a SchemaError naming the column if `name` cannot be a column name. */
export function validateColumnName(name: unknown): asserts name is string {
  if (typeof name !== "string" || name.length === 0) {
    throw new SchemaError(
      "Invalid column name: the name is empty",
      typeof name === "string" ? name : undefined,
    );
  }
  if (!IDENT.test(name)) {
    throw new SchemaError(
      `Invalid column name "${name}": must start with a letter, '_' or '$' and contain only letters, digits, '_' or '$'`,
      name,
    );
  }
  if (RESERVED_NAMES.has(name)) {
    throw new SchemaError(`Invalid column name "${name}": it is a reserved word`, name);
  }
}

/** Validates a schema given as a plain object; returns a frozen copy. */
export function validateSchema(columns: unknown): Schema {
  if (columns === null || typeof columns !== "object" || Array.isArray(columns)) {
    throw new SchemaError("A schema must be an object mapping column names to types");
  }
  const out: Record<string, ColumnType> = {};
  for (const [name, type] of Object.entries(columns as Record<string, unknown>)) {
    validateColumnName(name);
    if (!isColumnType(type)) {
      throw new SchemaError(
        `Unknown type ${JSON.stringify(type)} for column "${name}"; expected one of ${COLUMN_TYPES.join(", ")}`,
        name,
      );
    }
    out[name] = type;
  }
  return Object.freeze(out);
}

/** Checks that names are distinct; throws naming the first duplicate. */
export function checkDistinct(names: readonly string[], what = "column"): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new SchemaError(`Duplicate ${what} name "${n}"`, n);
    seen.add(n);
  }
}

const INT_RANGES: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
};
const MIN_I64 = -(2n ** 63n);
const MAX_I64 = 2n ** 63n - 1n;

/** Whether a thrown conversion error should say "row N". */
interface Where {
  column: string;
  row?: number;
}

function fail(w: Where, type: ColumnType, value: unknown, why?: string): never {
  const shown = typeof value === "bigint" ? `${value}n` : (JSON.stringify(value) ?? String(value));
  const at = w.row === undefined ? "" : `row ${w.row}, `;
  throw new ValueError(
    `${at}column "${w.column}": expected ${type}, got ${shown}${why ? ` (${why})` : ""}`,
    w.column,
    w.row,
  );
}

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses an ISO-8601 instant with up to nine fractional digits into epoch nanoseconds. */
export function parseInstant(s: string): bigint | null {
  const m = ISO_INSTANT.exec(s.trim());
  if (!m) return null;
  const [, y, mo, d, h = "0", mi = "0", se = "0", frac = "", zone] = m;
  if (m[4] !== undefined && zone === undefined) return null; // a time needs a zone
  const ms = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +se);
  if (Number.isNaN(ms)) return null;
  const check = new Date(ms);
  if (check.getUTCDate() !== +d! || check.getUTCMonth() !== +mo! - 1) return null;
  let offsetMin = 0;
  if (zone && zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    offsetMin = sign * (+digits.slice(0, 2) * 60 + +digits.slice(2, 4));
  }
  const nanosFrac = BigInt(`${frac}000000000`.slice(0, 9));
  return (BigInt(ms) - BigInt(offsetMin) * 60000n) * 1000000n + nanosFrac;
}

/** Formats epoch nanoseconds as ISO-8601 UTC with the fractional digits needed (up to nine). */
export function formatInstant(ns: bigint): string {
  let ms = ns / 1000000n;
  let rem = ns % 1000000n;
  if (rem < 0n) {
    rem += 1000000n;
    ms -= 1n;
  }
  const base = new Date(Number(ms)).toISOString(); // yyyy-mm-ddThh:mm:ss.mmmZ
  const msPart = base.slice(20, 23);
  let frac = msPart + rem.toString().padStart(6, "0");
  frac = frac.replace(/0+$/, "");
  return `${base.slice(0, 19)}${frac ? `.${frac}` : ""}Z`;
}

/**
 * Converts a user value to the storage representation of `type`, strictly: numbers must be
 * integral and in range for integer types; int64 accepts safe integers, bigints and decimal
 * strings; instant accepts bigint nanoseconds, integer nanoseconds, ISO strings and Dates.
 * `null`/`undefined` return null. Throws ValueError naming the column and row.
 */
export function coerceStrict(
  type: ColumnType,
  v: unknown,
  w: Where,
): number | bigint | string | null {
  if (v === null || v === undefined) return null;
  switch (type) {
    case "int8":
    case "int16":
    case "int32": {
      const [lo, hi] = INT_RANGES[type]!;
      if (typeof v === "number" && Number.isInteger(v)) {
        if (v < lo || v > hi) fail(w, type, v, "out of range");
        return v;
      }
      if (typeof v === "bigint" && v >= BigInt(lo) && v <= BigInt(hi)) return Number(v);
      return fail(w, type, v);
    }
    case "int64":
      return toInt64(v, w, type);
    case "instant": {
      if (v instanceof Date) {
        const t = v.getTime();
        if (Number.isNaN(t)) fail(w, type, String(v), "invalid date");
        return BigInt(t) * 1000000n;
      }
      if (typeof v === "string") {
        if (/^-?\d+$/.test(v)) return toInt64(v, w, type);
        const ns = parseInstant(v);
        if (ns === null) fail(w, type, v, "not an ISO-8601 instant");
        return ns;
      }
      return toInt64(v, w, type);
    }
    case "float32":
    case "float64":
      if (typeof v === "number") return v;
      if (typeof v === "bigint") return Number(v);
      if (typeof v === "string" && (v === "NaN" || v === "Infinity" || v === "-Infinity")) {
        return Number(v);
      }
      return fail(w, type, v);
    case "bool":
      if (typeof v === "boolean") return v ? 1 : 0;
      return fail(w, type, v);
    case "char":
      if (typeof v === "string" && v.length === 1) return v.charCodeAt(0);
      return fail(w, type, v, "a char is a one-character string");
    case "string":
      if (typeof v === "string") return v;
      return fail(w, type, v);
  }
}

function toInt64(v: unknown, w: Where, type: ColumnType): bigint {
  let b: bigint;
  if (typeof v === "bigint") b = v;
  else if (typeof v === "number") {
    if (!Number.isInteger(v)) fail(w, type, v, "not an integer");
    if (!Number.isSafeInteger(v)) fail(w, type, v, "beyond +/-(2^53-1); send it as a string");
    b = BigInt(v);
  } else if (typeof v === "string" && /^-?\d+$/.test(v)) b = BigInt(v);
  else return fail(w, type, v);
  if (b < MIN_I64 || b > MAX_I64) fail(w, type, v, "out of int64 range");
  return b;
}

/**
 * Permissive conversion as Deephaven's `write_row`: numbers are truncated toward zero and
 * wrapped into integer types (11.1 into an int column gives 11); booleans and strings convert
 * as a cast would. Throws ValueError when no conversion exists.
 */
export function coercePermissive(
  type: ColumnType,
  v: unknown,
  w: Where,
): number | bigint | string | null {
  if (v === null || v === undefined) return null;
  switch (type) {
    case "int8":
    case "int16":
    case "int32":
      if (typeof v === "number") {
        if (Number.isNaN(v)) fail(w, type, v);
        const t = Math.trunc(v);
        return type === "int32" ? t | 0 : type === "int16" ? (t << 16) >> 16 : (t << 24) >> 24;
      }
      if (typeof v === "bigint")
        return Number(BigInt.asIntN(type === "int32" ? 32 : type === "int16" ? 16 : 8, v));
      if (typeof v === "boolean") return v ? 1 : 0;
      break;
    case "int64":
      if (typeof v === "number") {
        if (!Number.isFinite(v)) fail(w, type, v);
        return BigInt.asIntN(64, BigInt(Math.trunc(v)));
      }
      if (typeof v === "bigint") return BigInt.asIntN(64, v);
      if (typeof v === "boolean") return v ? 1n : 0n;
      break;
    case "instant":
      if (typeof v === "number") {
        if (!Number.isFinite(v)) fail(w, type, v);
        return BigInt(Math.trunc(v));
      }
      break;
    case "float32":
    case "float64":
      if (typeof v === "boolean") return v ? 1 : 0;
      break;
    case "char":
      if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 0xffff) return v;
      break;
    case "string":
      if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean")
        return String(v);
      break;
    case "bool":
      break;
  }
  return coerceStrict(type, v, w);
}
