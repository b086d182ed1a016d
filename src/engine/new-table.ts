/**
 * Static table construction: `newTable([intCol("X", [1, 2]), stringCol("S", ["a", null])])`,
 * `emptyTable(n)`, and the typed column helpers (`arrayCol` for array columns).
 */

import { PagedColumn } from "./column.ts";
import { ArgumentError, SchemaError } from "./errors.ts";
import { RowSet } from "./row-set.ts";
import { STATIC_ATTRIBUTES, Table } from "./table.ts";
import type { ColumnType, ScalarType, Value } from "./types.ts";
import {
  arrayTypeOf,
  checkDistinct,
  isColumnType,
  isScalarType,
  SCALAR_TYPES,
  validateColumnName,
} from "./types.ts";
import { vecFromValues } from "./values-to-vec.ts";

export { vecFromValues };

/** A named column of values, as made by `intCol`, `stringCol`, ... */
export interface ColumnData {
  readonly name: string;
  readonly type: ColumnType;
  readonly values: readonly unknown[];
}

export const byteCol = (name: string, values: readonly (number | null)[]): ColumnData => ({
  name,
  type: "int8",
  values,
});
export const shortCol = (name: string, values: readonly (number | null)[]): ColumnData => ({
  name,
  type: "int16",
  values,
});
export const intCol = (name: string, values: readonly (number | null)[]): ColumnData => ({
  name,
  type: "int32",
  values,
});
/** int64 values as bigint (or safe-integer numbers). */
export const longCol = (name: string, values: readonly (bigint | number | null)[]): ColumnData => ({
  name,
  type: "int64",
  values,
});
export const floatCol = (name: string, values: readonly (number | null)[]): ColumnData => ({
  name,
  type: "float32",
  values,
});
export const doubleCol = (name: string, values: readonly (number | null)[]): ColumnData => ({
  name,
  type: "float64",
  values,
});
export const boolCol = (name: string, values: readonly (boolean | null)[]): ColumnData => ({
  name,
  type: "bool",
  values,
});
/** char values as one-character strings. */
export const charCol = (name: string, values: readonly (string | null)[]): ColumnData => ({
  name,
  type: "char",
  values,
});
export const stringCol = (name: string, values: readonly (string | null)[]): ColumnData => ({
  name,
  type: "string",
  values,
});
/** Instants as bigint epoch nanoseconds, `Date`s or ISO-8601 strings. */
export const instantCol = (
  name: string,
  values: readonly (bigint | Date | string | null)[],
): ColumnData => ({ name, type: "instant", values });

/**
 * An array column of `elementType[]`: one array (or typed array) per row, or null for a null
 * cell; elements convert as the element type's helper does (null elements allowed).
 *
 * @example arrayCol("Xs", "int32", [[1, 2], [], null, [3, null]])
 */
export function arrayCol(
  name: string,
  elementType: ScalarType,
  values: readonly (ArrayLike<unknown> | null)[],
): ColumnData {
  if (!isScalarType(elementType)) {
    throw new SchemaError(
      `arrayCol: column "${name}": unknown element type ${JSON.stringify(elementType)}; expected one of ${SCALAR_TYPES.join(", ")}`,
      name,
    );
  }
  return { name, type: arrayTypeOf(elementType), values };
}

/** Generic helper: a column of `type`. */
export function col(name: string, type: ColumnType, values: readonly unknown[]): ColumnData {
  return { name, type, values };
}

/** A static table from columns of equal length. */
export function newTable(columns: readonly ColumnData[]): Table {
  if (!Array.isArray(columns)) throw new ArgumentError("newTable expects an array of columns");
  for (const c of columns) validateColumnName(c.name);
  checkDistinct(columns.map((c) => c.name));
  const n = columns.length > 0 ? columns[0]!.values.length : 0;
  const map = new Map<string, PagedColumn>();
  for (const c of columns) {
    if (!isColumnType(c.type)) {
      throw new SchemaError(
        `Unknown type ${JSON.stringify(c.type)} for column "${c.name}"`,
        c.name,
      );
    }
    if (c.values.length !== n) {
      throw new SchemaError(
        `Column "${c.name}" has ${c.values.length} values but column "${columns[0]!.name}" has ${n}`,
        c.name,
      );
    }
    const pc = new PagedColumn(c.type);
    pc.writeRun(0, vecFromValues(c.type, c.values, c.name));
    map.set(c.name, pc);
  }
  return new Table(map, RowSet.flat(n), STATIC_ATTRIBUTES, null, "newTable");
}

/** A static table of `n` rows and no columns; add columns with `update`. */
export function emptyTable(n: number | bigint): Table {
  const size = Number(n);
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new ArgumentError(`emptyTable: size must be a non-negative integer, got ${String(n)}`);
  }
  return new Table(new Map(), RowSet.flat(size), STATIC_ATTRIBUTES, null, "emptyTable");
}

/** Row objects -> a static table with the given schema (strict conversion). */
export function tableFromRows(
  schema: Readonly<Record<string, ColumnType>>,
  rows: readonly Record<string, Value>[],
): Table {
  return newTable(
    Object.entries(schema).map(([name, type]) =>
      col(
        name,
        type,
        rows.map((r) => r[name] ?? null),
      ),
    ),
  );
}
