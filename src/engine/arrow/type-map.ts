/**
 * The mapping between tickflare column types and Arrow types.
 *
 * Writing is exact and fixed: int8..int64 -> Int8..Int64, float32/64 -> Float32/64, bool -> Bool,
 * char -> Uint16 (field metadata `deephaven:type` = `char`), string -> Utf8,
 * instant -> Timestamp(NANOSECOND, "UTC"); an array type `T[]` -> List<item: T> with nullable
 * elements (for char[] the item field carries the char metadata).
 *
 * Reading also accepts what other Arrow producers write for the same values, as long as the
 * conversion is lossless: LargeUtf8 and Dictionary<Utf8 | LargeUtf8> as string; Timestamp in any
 * unit and Date (day or millisecond) as instant (exact BigInt scaling, range-checked); Uint8 as
 * int16, Uint16 as char, Uint32 as int64; List, LargeList and FixedSizeList of any of those as
 * the array type of the element's type. Anything else (lists of lists, structs, ...) is an
 * ArrowError naming the field.
 */
import {
  Bool,
  DataType,
  DateUnit,
  Field,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  List,
  Precision,
  TimestampNanosecond,
  TimeUnit,
  Uint16,
  Utf8,
} from "apache-arrow";
import { ArrowError } from "../errors.ts";
import type { ArrayType, ColumnType, ScalarType } from "../types.ts";
import { elementType, isArrayType } from "../types.ts";

/** Field metadata key Deephaven uses to carry the Java-side type (we write it for char). */
export const DH_TYPE_KEY = "deephaven:type";

/** Name of the child field of the List an array column is written as (Arrow's default). */
const ITEM = "item";

/** The Arrow type a column of `type` is written as. */
export function arrowTypeOf(type: ColumnType): DataType {
  if (isArrayType(type)) return new List(arrowFieldOf(ITEM, elementType(type)));
  switch (type) {
    case "int8":
      return new Int8();
    case "int16":
      return new Int16();
    case "int32":
      return new Int32();
    case "int64":
      return new Int64();
    case "float32":
      return new Float32();
    case "float64":
      return new Float64();
    case "bool":
      return new Bool();
    case "char":
      return new Uint16();
    case "string":
      return new Utf8();
    case "instant":
      return new TimestampNanosecond("UTC");
  }
}

/**
 * The Arrow field a column `name` of `type` is written as (nullable; char and char[] carry
 * metadata, so a reader that knows Deephaven's convention sees chars rather than Uint16).
 */
export function arrowFieldOf(name: string, type: ColumnType): Field {
  const metadata = type === "char" || type === "char[]" ? new Map([[DH_TYPE_KEY, type]]) : null;
  return new Field(name, arrowTypeOf(type), true, metadata);
}

/**
 * How one Arrow column is read: the engine type plus the physical conversion. Kept separate from
 * the ColumnType because several Arrow layouts read into one engine type.
 */
export type ScalarReadPlan =
  | { kind: "copy"; type: ScalarType } // same-width (or losslessly widening) typed-array copy
  | { kind: "uint32"; type: "int64" }
  | { kind: "bool"; type: "bool" }
  | { kind: "utf8"; type: "string" } // Utf8 or LargeUtf8
  | { kind: "dictionary"; type: "string" }
  | { kind: "time"; type: "instant"; nanosPer: bigint };

/**
 * An array column: a List or LargeList (`size` null: per-row value offsets) or a FixedSizeList
 * (`size` elements per row) whose elements read with `element`.
 */
export interface ListReadPlan {
  kind: "list";
  type: ArrayType;
  element: ScalarReadPlan;
  size: number | null;
}

export type ReadPlan = ScalarReadPlan | ListReadPlan;

const NANOS_PER_UNIT: Record<number, bigint> = {
  [TimeUnit.SECOND]: 1_000_000_000n,
  [TimeUnit.MILLISECOND]: 1_000_000n,
  [TimeUnit.MICROSECOND]: 1_000n,
  [TimeUnit.NANOSECOND]: 1n,
};

function unsupported(name: string, type: DataType, why = ""): never {
  throw new ArrowError(
    `Column "${name}": unsupported Arrow type ${String(type)}${why}; supported are Int8/16/32/64, ` +
      `Uint8/16/32, Float32/64, Bool, Utf8, LargeUtf8, Dictionary<Utf8>, Timestamp, Date, and ` +
      `List, LargeList or FixedSizeList of one of those`,
  );
}

function isStringType(t: DataType): boolean {
  return DataType.isUtf8(t) || DataType.isLargeUtf8(t);
}

/** The read plan for an Arrow field; throws ArrowError naming the field if unsupported. */
export function readPlanOf(field: Field): ReadPlan {
  const t = field.type as DataType;
  if (DataType.isList(t) || DataType.isLargeList(t) || DataType.isFixedSizeList(t)) {
    const item = (t.children as Field[])[0];
    if (!item) unsupported(field.name, t, " (a list without a child field)");
    let element: ScalarReadPlan;
    try {
      element = scalarPlanOf(item.type as DataType, field.name);
    } catch (e) {
      if (e instanceof ArrowError) unsupported(field.name, t, " (list elements must be scalars)");
      throw e;
    }
    const size = DataType.isFixedSizeList(t) ? t.listSize : null;
    return { kind: "list", type: `${element.type}[]`, element, size };
  }
  return scalarPlanOf(t, field.name);
}

function scalarPlanOf(t: DataType, name: string): ScalarReadPlan {
  if (DataType.isInt(t)) {
    const { bitWidth, isSigned } = t as unknown as { bitWidth: number; isSigned: boolean };
    if (isSigned) {
      if (bitWidth === 8) return { kind: "copy", type: "int8" };
      if (bitWidth === 16) return { kind: "copy", type: "int16" };
      if (bitWidth === 32) return { kind: "copy", type: "int32" };
      if (bitWidth === 64) return { kind: "copy", type: "int64" };
    } else {
      if (bitWidth === 8) return { kind: "copy", type: "int16" };
      if (bitWidth === 16) return { kind: "copy", type: "char" };
      if (bitWidth === 32) return { kind: "uint32", type: "int64" };
      unsupported(name, t, " (Uint64 does not fit int64 losslessly)");
    }
    unsupported(name, t);
  }
  if (DataType.isFloat(t)) {
    const p = (t as unknown as { precision: Precision }).precision;
    if (p === Precision.SINGLE) return { kind: "copy", type: "float32" };
    if (p === Precision.DOUBLE) return { kind: "copy", type: "float64" };
    unsupported(name, t);
  }
  if (DataType.isBool(t)) return { kind: "bool", type: "bool" };
  if (isStringType(t)) return { kind: "utf8", type: "string" };
  if (DataType.isDictionary(t)) {
    if (isStringType(t.dictionary as DataType)) return { kind: "dictionary", type: "string" };
    unsupported(name, t, " (only dictionaries of strings are supported)");
  }
  if (DataType.isTimestamp(t)) {
    const nanosPer = NANOS_PER_UNIT[t.unit];
    if (nanosPer === undefined) unsupported(name, t);
    return { kind: "time", type: "instant", nanosPer };
  }
  if (DataType.isDate(t)) {
    if (t.unit === DateUnit.DAY)
      return { kind: "time", type: "instant", nanosPer: 86_400_000_000_000n };
    return { kind: "time", type: "instant", nanosPer: 1_000_000n };
  }
  return unsupported(name, t);
}

/** The column type an Arrow field reads as; throws ArrowError naming the field if unsupported. */
export function columnTypeOfField(field: Field): ColumnType {
  return readPlanOf(field).type;
}
