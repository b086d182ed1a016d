/**
 * Primitive values for hashing and ordering: every cell maps to exactly one JS primitive, so a
 * `Map` can key groups and `<` can order values without per-row allocation.
 *
 * - int8/16/32, float32/64, bool (0/1), char (code unit): the number itself.
 * - int64/instant: a number when within +/-2^53, a bigint beyond (one canonical form per value,
 *   so `===` is equality and `<` orders mixed number/bigint exactly). The number is read through
 *   an Int32Array view of the BigInt64Array, which avoids creating a BigInt per row.
 * - string: the string.
 * - null: the NULL_KEY symbol.
 */
import type { Vec } from "../column.ts";
import type { ColumnType, RawValue, Value } from "../types.ts";
import { LITTLE_ENDIAN, TWO_32, wordsOf } from "../words.ts";

/** Stands for null in group keys and primitive arrays. */
export const NULL_KEY: unique symbol = Symbol("tickflare.null");

export type Prim = number | bigint | string | typeof NULL_KEY;
/** A non-null primitive. */
export type OrderedPrim = number | bigint | string;

/** Bound on the high word for which hi * 2^32 + lo stays within +/-2^53. */
const SAFE_HI = 0x200000;

/** Canonical primitive of a bigint: a number when within +/-2^53. */
export function canonBig(b: bigint): number | bigint {
  return b >= -9007199254740992n && b <= 9007199254740992n ? Number(b) : b;
}

/** Canonical primitive of `data[i]` given its word view (see module header). */
export function int64At(words: Int32Array, data: BigInt64Array, i: number): number | bigint {
  if (!LITTLE_ENDIAN) return canonBig(data[i]!);
  const hi = words[2 * i + 1]!;
  if (hi >= -SAFE_HI && hi < SAFE_HI) return hi * TWO_32 + (words[2 * i]! >>> 0);
  return data[i]!;
}

export function isBig(type: ColumnType): boolean {
  return type === "int64" || type === "instant";
}

/**
 * The primitives of `vec[0..n)`: `vec.data` itself when it already holds them (no nulls, not
 * int64), else `scratch` filled with them.
 */
export function primsOf(type: ColumnType, vec: Vec, n: number, scratch: Prim[]): ArrayLike<Prim> {
  const valid = vec.valid;
  if (isBig(type)) {
    const data = vec.data as BigInt64Array;
    const w = wordsOf(data);
    for (let i = 0; i < n; i++)
      scratch[i] = valid !== null && valid[i] === 0 ? NULL_KEY : int64At(w, data, i);
    return scratch;
  }
  const data = vec.data as ArrayLike<number | string>;
  if (valid === null) return data;
  for (let i = 0; i < n; i++) scratch[i] = valid[i] === 0 ? NULL_KEY : data[i]!;
  return scratch;
}

/** A scratch array for `primsOf` (one page of rows). */
export function primScratch(n: number): Prim[] {
  return new Array<Prim>(n).fill(0);
}

/** Column storage value (for `PagedColumn.setRaw`) of a primitive of a column of `type`. */
export function primToRaw(type: ColumnType, p: Prim): number | bigint | string | null {
  if (p === NULL_KEY) return null;
  if (isBig(type) && typeof p === "number") return BigInt(p);
  return p;
}

/**
 * Primitive of a storage value of a column of `type` (as `getRaw` returns it). Array cells have
 * none: array columns are refused as group keys (see `checkKeys`).
 */
export function rawToPrim(type: ColumnType, raw: RawValue): Prim {
  if (raw === null) return NULL_KEY;
  if (typeof raw === "object") throw new TypeError(`an ${type} value has no key primitive`);
  if (typeof raw === "bigint") return isBig(type) ? canonBig(raw) : Number(raw);
  return raw;
}

/** Storage value of `vec[i]` (bigint for int64, number, string, array cell, or null). */
export function rawAt(vec: Vec, i: number): RawValue {
  if (vec.valid !== null && vec.valid[i] === 0) return null;
  return vec.data[i]!;
}

/**
 * Primitive of a value given at the API (`constituentFor`): numbers, bigints, booleans,
 * one-character strings for char, Dates for instants; null for null. Undefined if it cannot be
 * a value of `type`.
 */
export function valueToPrim(type: ColumnType, v: Value | Date | undefined): Prim | undefined {
  if (v === null || v === undefined) return NULL_KEY;
  switch (type) {
    case "bool":
      return typeof v === "boolean" ? (v ? 1 : 0) : undefined;
    case "char":
      return typeof v === "string" && v.length === 1 ? v.charCodeAt(0) : undefined;
    case "string":
      return typeof v === "string" ? v : undefined;
    case "int64":
    case "instant":
      if (v instanceof Date) return canonBig(BigInt(v.getTime()) * 1000000n);
      if (typeof v === "bigint") return canonBig(v);
      return typeof v === "number" && Number.isInteger(v) ? v : undefined;
    default:
      if (typeof v === "bigint") return Number(v);
      return typeof v === "number" ? v : undefined;
  }
}
