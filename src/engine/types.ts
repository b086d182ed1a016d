/**
 * Column types, schemas and the conversion of user values into column storage.
 *
 * Storage per type: int8 Int8Array, int16 Int16Array, int32 Int32Array, int64 and instant
 * BigInt64Array (exact), float32 Float32Array, float64 Float64Array, bool Uint8Array (0/1),
 * char Uint16Array (a UTF-16 code unit), string a JS array. Nulls live in a separate validity
 * mask, so every type is nullable and no value is reserved as a sentinel.
 *
 * Array types (`int32[]`, `string[]`, ... one per scalar type; what `groupBy` makes) are stored
 * like strings, in a JS array per page: each slot holds one frozen JS array whose elements are
 * already in API form (numbers, bigint for int64/instant, booleans, one-character strings for
 * char, strings) with `null` for a null element. A cell is never mutated once written, so a
 * previous-value reader keeps seeing the array it read; a null cell is a validity-mask null,
 * distinct from an empty array.
 */
import { ArgumentError, SchemaError, showValue, ValueError } from "./errors.ts";
import { parseInstantOrReason } from "./instant.ts";

export { formatInstant, parseInstant, parseInstantOrReason } from "./instant.ts";

/** The scalar column types of tickflare. `instant` is nanoseconds since the epoch (int64). */
export type ScalarType =
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

/** An array of one scalar type (`"int32[]"`), as `groupBy` makes: one array value per cell. */
export type ArrayType = `${ScalarType}[]`;

/** Every column type: a scalar type or an array of one. */
export type ColumnType = ScalarType | ArrayType;

export const SCALAR_TYPES: readonly ScalarType[] = [
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

export const COLUMN_TYPES: readonly ColumnType[] = [
  ...SCALAR_TYPES,
  ...SCALAR_TYPES.map((t): ArrayType => `${t}[]`),
];

/** Ordered column name -> type map. */
export type Schema = Readonly<Record<string, ColumnType>>;

/** A scalar value as seen at the API (`toRows()`, `addRows`, `writeRow`). */
export type ScalarValue = number | bigint | string | boolean | null;

/** The value of an array cell: a frozen array of scalar values in API form. */
export type ArrayValue = readonly ScalarValue[];

/** A value as seen at the API: a scalar, or an array for array columns. */
export type Value = ScalarValue | ArrayValue;

/** A value in storage form (`PagedColumn.getRaw`): bool 0/1, char a code unit; arrays as is. */
export type RawValue = number | bigint | string | ArrayValue | null;

export type TypedStorage =
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Float32Array
  | Float64Array
  | Uint8Array
  | Uint16Array;

/** A JS-array page: strings for a string column, ArrayValue cells for an array column. */
export type ObjectStorage = (string | ArrayValue)[];

/** Backing array of one column page: a typed array, or a JS array for strings and arrays. */
export type Storage = TypedStorage | ObjectStorage;

export function isColumnType(t: unknown): t is ColumnType {
  return typeof t === "string" && (COLUMN_TYPES as readonly string[]).includes(t);
}

export function isScalarType(t: unknown): t is ScalarType {
  return typeof t === "string" && (SCALAR_TYPES as readonly string[]).includes(t);
}

/** Whether `t` is an array type (`"int32[]"`, ...). */
export function isArrayType(t: ColumnType): t is ArrayType {
  return t.endsWith("[]");
}

/** The element type of an array type (`"int32[]"` -> `"int32"`). */
export function elementType(t: ArrayType): ScalarType {
  return t.slice(0, -2) as ScalarType;
}

/** The array type of a scalar type (`"int32"` -> `"int32[]"`). */
export function arrayTypeOf(t: ScalarType): ArrayType {
  return `${t}[]`;
}

/** The empty array value (what unwritten array slots hold). */
export const EMPTY_ARRAY: ArrayValue = Object.freeze([]);

/** A storage value as the API presents it: bool as boolean, char as a one-character string. */
export function rawToValue(type: ColumnType, raw: RawValue): Value {
  if (raw === null) return null;
  if (type === "bool") return raw === 1;
  if (type === "char") return String.fromCharCode(raw as number);
  return raw;
}

export function isIntegral(t: ColumnType): boolean {
  return t === "int8" || t === "int16" || t === "int32" || t === "int64";
}

export function isNumeric(t: ColumnType): boolean {
  return isIntegral(t) || t === "float32" || t === "float64";
}

/**
 * A numeric column's storage value as a number (`ColumnSource.getNumber`): an int64 past
 * ±2^53 rounded to the nearest double.
 */
export function rawToNumber(raw: RawValue): number | null {
  if (raw === null) return null;
  return typeof raw === "bigint" ? Number(raw) : (raw as number);
}

/**
 * Throws ArgumentError unless `getNumber` reads a column of `type` (a numeric one); `name`, the
 * column's name where the caller knows it.
 */
export function checkNumberType(type: ColumnType, name?: string): void {
  if (!isNumeric(type))
    throw new ArgumentError(
      `getNumber reads numeric columns (int8 to int64, float32, float64); ${name === undefined ? "this" : `column "${name}"`} is ${type}`,
    );
}

/** Types stored as BigInt64Array. */
export function isBigType(t: ColumnType): t is "int64" | "instant" {
  return t === "int64" || t === "instant";
}

/** Allocates zeroed storage of `n` slots for a type. */
export function allocStorage(type: ColumnType, n: number): Storage {
  if (isArrayType(type)) return new Array<ArrayValue>(n).fill(EMPTY_ARRAY);
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
        `Unknown type ${showValue(type)} for column "${name}"; expected one of ${SCALAR_TYPES.join(", ")}, or an array of one of them ("int32[]", "string[]", ...)`,
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
/** The largest finite float32; a finite value rounding beyond it is out of range. */
const F32_MAX = 3.4028234663852886e38;
const MIN_I64 = -(2n ** 63n);
const MAX_I64 = 2n ** 63n - 1n;

/** Where a converted value comes from, for error messages ("row N", "element I" if given). */
interface Where {
  column: string;
  row?: number;
  /** Index within an array value. */
  element?: number;
}

function fail(w: Where, type: ColumnType, value: unknown, why?: string): never {
  const at = w.row === undefined ? "" : `row ${w.row}, `;
  const el = w.element === undefined ? "" : ` element ${w.element}:`;
  throw new ValueError(
    `${at}column "${w.column}":${el} expected ${type}, got ${showValue(value)}${why ? ` (${why})` : ""}`,
    w.column,
    w.row,
  );
}

/** The items of a JS array or typed array; null for anything else. */
function arrayItems(v: unknown): ArrayLike<unknown> | null {
  if (Array.isArray(v)) return v;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return v as unknown as ArrayLike<unknown>;
  return null;
}

/**
 * Converts an array value element by element with `each` (strict or permissive) into a frozen
 * array of API-form elements. Errors name the element index.
 */
function coerceArray(
  type: ArrayType,
  v: unknown,
  w: Where,
  each: (t: ScalarType, x: unknown, w: Where) => RawValue,
): ArrayValue {
  const items = arrayItems(v);
  if (items === null) return fail(w, type, v, "an array column takes an array of values");
  const et = elementType(type);
  const n = items.length;
  const out = new Array<ScalarValue>(n);
  const ew: Where = { column: w.column, row: w.row, element: 0 };
  for (let i = 0; i < n; i++) {
    ew.element = i;
    out[i] = rawToValue(et, each(et, items[i], ew)) as ScalarValue;
  }
  return Object.freeze(out);
}

/**
 * Converts a user value to the storage representation of `type`, strictly: numbers must be
 * integral and in range for integer types; int64 accepts safe integers, bigints and decimal
 * strings; instant accepts bigint nanoseconds, integer nanoseconds, ISO strings and Dates.
 * `null`/`undefined` return null. An array type takes a JS array (or a typed array) and converts
 * every element so (a null element stays null), into a frozen array of API-form elements. Throws
 * ValueError naming the column and row (and element index).
 */
export function coerceStrict(type: ColumnType, v: unknown, w: Where): RawValue {
  if (v === null || v === undefined) return null;
  if (isArrayType(type)) return coerceArray(type, v, w, coerceStrict);
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
        const ns = BigInt(t) * 1000000n;
        if (ns < MIN_I64 || ns > MAX_I64) fail(w, type, v.toISOString(), "out of instant range");
        return ns;
      }
      if (typeof v === "string") {
        if (/^-?\d+$/.test(v)) return toInt64(v, w, type);
        const ns = parseInstantOrReason(v);
        return typeof ns === "bigint" ? ns : fail(w, type, v, ns);
      }
      return toInt64(v, w, type);
    }
    case "float32":
    case "float64": {
      let x: number;
      if (typeof v === "number") x = v;
      else if (typeof v === "bigint") {
        x = Number(v);
        if (!Number.isFinite(x)) fail(w, type, v, `out of ${type} range`);
      }
      // The non-finite values are written (and so accepted) as these three strings.
      else if (typeof v === "string" && (v === "NaN" || v === "Infinity" || v === "-Infinity"))
        return Number(v);
      else return fail(w, type, v);
      // A finite value that float32 cannot hold would become Infinity: refuse it, as int32 does.
      if (type === "float32" && Number.isFinite(x) && !Number.isFinite(Math.fround(x)))
        fail(w, type, v, `out of float32 range: largest magnitude ${F32_MAX}`);
      return x;
    }
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

function toInt64(v: unknown, w: Where, type: ScalarType): bigint {
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
 * as a cast would; array types convert each element so. Throws ValueError when no conversion
 * exists.
 */
export function coercePermissive(type: ColumnType, v: unknown, w: Where): RawValue {
  if (v === null || v === undefined) return null;
  if (isArrayType(type)) return coerceArray(type, v, w, coercePermissive);
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
      // A cast, as Java's (float): beyond float32's range becomes Infinity when stored.
      if (typeof v === "number") return v;
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
