/**
 * Java's typing rules as the formula language uses them: the names types go by in messages,
 * binary and unary numeric promotion, widening (assignment) conversion and cast legality.
 */
import type { ScalarType } from "../types.ts";
import type { FType } from "./ast.ts";

const NAMES: Readonly<Record<FType, string>> = {
  int8: "byte",
  int16: "short",
  int32: "int",
  int64: "long",
  float32: "float",
  float64: "double",
  bool: "boolean",
  char: "char",
  string: "string",
  instant: "instant",
  null: "null",
};

/** The Java-style name of a type, as used in error messages (`int`, `double`, `string`, ...). */
export function typeName(t: FType): string {
  return NAMES[t];
}

/** Types that take part in arithmetic: the numeric types and char. */
export function isNumericLike(t: FType): t is ScalarType {
  return (
    t === "int8" ||
    t === "int16" ||
    t === "int32" ||
    t === "int64" ||
    t === "float32" ||
    t === "float64" ||
    t === "char"
  );
}

/** Integral types, char included. */
export function isIntegralLike(t: FType): boolean {
  return t === "int8" || t === "int16" || t === "int32" || t === "int64" || t === "char";
}

/** Binary numeric promotion: double > float > long > int (byte, short and char become int). */
export function binaryPromote(a: ScalarType, b: ScalarType): ScalarType {
  if (a === "float64" || b === "float64") return "float64";
  if (a === "float32" || b === "float32") return "float32";
  if (a === "int64" || b === "int64") return "int64";
  return "int32";
}

/** Unary numeric promotion: byte, short and char become int. */
export function unaryPromote(a: ScalarType): ScalarType {
  return a === "int8" || a === "int16" || a === "char" ? "int32" : a;
}

const WIDENS_TO: Readonly<Partial<Record<ScalarType, readonly ScalarType[]>>> = {
  int8: ["int16", "int32", "int64", "float32", "float64"],
  int16: ["int32", "int64", "float32", "float64"],
  char: ["int32", "int64", "float32", "float64"],
  int32: ["int64", "float32", "float64"],
  int64: ["float32", "float64"],
  float32: ["float64"],
};

/** Whether a value of type `from` may be passed where `to` is expected (Java widening). */
export function assignable(from: FType, to: ScalarType): boolean {
  if (from === to || from === "null") return true;
  return WIDENS_TO[from]?.includes(to) ?? false;
}

/** Whether `(to) x` is a legal cast for x of type `from`. */
export function castable(from: FType, to: ScalarType): boolean {
  if (from === "null" || from === to) return true;
  return isNumericLike(from) && isNumericLike(to);
}
