/**
 * Converting JS values (`addRows`, JSON and CSV publishes, `newTable`) into column storage: one
 * typed array per column, filled in one pass. The common cells take a fast path per type (a
 * number into a float or integer column, a safe-integer number into an int64 or instant column
 * written as its two 32-bit halves without making a BigInt, a string into a string column); any
 * other cell goes through `coerceStrict`, so what is accepted, how it converts and every error
 * (class, message, column and row) are exactly `coerceStrict`'s. An instant column also skips the
 * ISO parse for canonical strings (`2024-05-01T13:30:00.25Z`) in the same second as the one
 * before that was parsed.
 */

import type { Vec } from "./column-source.ts";
import type { ColumnType, ScalarType } from "./types.ts";
import { allocStorage, coerceStrict, isArrayType } from "./types.ts";
import { HI, LO, TWO_32 } from "./words.ts";

/** Where a cell comes from, for coerceStrict's error messages. */
interface Where {
  column: string;
  row: number;
}

/** The largest finite float32, as types.ts refuses beyond it. */
export const F32_MAX = 3.4028234663852886e38;

/** Marks row `i` null, making the validity array on the first null. */
function markNull(valid: Uint8Array | null, n: number, i: number): Uint8Array {
  const v = valid ?? new Uint8Array(n).fill(1);
  v[i] = 0;
  return v;
}

/**
 * Converts values into a Vec of `type` (strict conversion, as `coerceStrict`; errors name the
 * column and the row, counted from `rowBase`).
 */
export function vecFromValues(
  type: ColumnType,
  values: readonly unknown[],
  column: string,
  rowBase = 0,
): Vec {
  const w: Where = { column, row: 0 };
  if (isArrayType(type)) return generic(type, values, w, rowBase);
  const t = type as ScalarType;
  switch (t) {
    case "float64":
      return float64(values, w, rowBase);
    case "float32":
      return float32(values, w, rowBase);
    case "int32":
    case "int16":
    case "int8":
      return smallInt(t, values, w, rowBase);
    case "int64":
    case "instant":
      return int64(t, values, w, rowBase);
    case "string":
      return string(values, w, rowBase);
    case "bool":
      return bool(values, w, rowBase);
    default:
      return generic(type, values, w, rowBase);
  }
}

/**
 * Column `column` of row objects as a Vec of `type`: `vecFromValues` over `rows[i][column]`
 * (a missing property is null).
 */
export function vecFromRows(
  type: ColumnType,
  rows: readonly Record<string, unknown>[],
  column: string,
): Vec {
  const n = rows.length;
  const values = new Array<unknown>(n);
  for (let i = 0; i < n; i++) values[i] = rows[i]![column];
  return vecFromValues(type, values, column);
}

function float64(values: readonly unknown[], w: Where, rowBase: number): Vec {
  const n = values.length;
  const data = new Float64Array(n);
  let valid: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v === "number") data[i] = v;
    else if (v === null || v === undefined) valid = markNull(valid, n, i);
    else {
      w.row = rowBase + i;
      data[i] = coerceStrict("float64", v, w) as number;
    }
  }
  return { data, valid, length: n };
}

function float32(values: readonly unknown[], w: Where, rowBase: number): Vec {
  const n = values.length;
  const data = new Float32Array(n);
  let valid: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v === "number" && !(v > F32_MAX || v < -F32_MAX)) data[i] = v;
    else if (v === null || v === undefined) valid = markNull(valid, n, i);
    else {
      w.row = rowBase + i;
      data[i] = coerceStrict("float32", v, w) as number;
    }
  }
  return { data, valid, length: n };
}

function smallInt(
  type: "int32" | "int16" | "int8",
  values: readonly unknown[],
  w: Where,
  rowBase: number,
): Vec {
  const n = values.length;
  const data = allocStorage(type, n) as Int32Array | Int16Array | Int8Array;
  // A number that survives truncation to the type's width unchanged is an in-range integer.
  const shift = type === "int32" ? 0 : type === "int16" ? 16 : 24;
  let valid: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v === "number" && (v << shift) >> shift === v) data[i] = v;
    else if (v === null || v === undefined) valid = markNull(valid, n, i);
    else {
      w.row = rowBase + i;
      data[i] = coerceStrict(type, v, w) as number;
    }
  }
  return { data, valid, length: n };
}

/** The canonical UTC form formatInstant writes (instant.ts accepts it through a fast path). */
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;
const MAX_NS = 2n ** 63n - 1n;
const MIN_NS = -(2n ** 63n);

/**
 * The second (`YYYY-MM-DDTHH:MM:SS`) of the last canonical instant string coerceStrict accepted
 * in a column, and its nanoseconds as 32-bit halves: a later string of the same second with a
 * canonical fraction is that plus the fraction, which coerceStrict would give too (the second's
 * fields were checked; the sum is within range because the second is at least a second from the
 * end of it).
 */
export class CanonicalSecond {
  second = "";
  /** Low half, unsigned, and high half, signed, of the second's nanoseconds. */
  lo = 0;
  hi = 0;

  /** Whether `s` starts with the remembered second and ends with "Z". */
  sameSecond(s: string): boolean {
    return (
      this.second !== "" &&
      s.length >= 20 &&
      s.length <= 30 &&
      s.charCodeAt(s.length - 1) === 90 &&
      s.startsWith(this.second)
    );
  }

  /** Nanoseconds of the fraction of `s` (after `sameSecond`): "Z" or ".d{1,9}Z"; -1 if neither. */
  fraction(s: string): number {
    const end = s.length - 1;
    if (end === 19) return 0;
    if (s.charCodeAt(19) !== 46 || end === 20) return -1;
    let f = 0;
    for (let i = 20; i < end; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return -1;
      f = f * 10 + d;
    }
    for (let k = end - 20; k < 9; k++) f *= 10;
    return f;
  }

  /** Remembers the second of `s` when it is canonical; `ns` is what coerceStrict made of it. */
  remember(s: string, ns: bigint): void {
    if (!CANONICAL.test(s)) return;
    const f = s.length === 20 ? 0n : BigInt(s.slice(20, -1).padEnd(9, "0"));
    const sec = ns - f;
    if (sec < MIN_NS || sec > MAX_NS - 999_999_999n) {
      this.second = "";
      return;
    }
    this.second = s.slice(0, 19);
    this.lo = Number(BigInt.asUintN(32, sec));
    this.hi = Number(sec >> 32n);
  }
}

function int64(
  type: "int64" | "instant",
  values: readonly unknown[],
  w: Where,
  rowBase: number,
): Vec {
  const n = values.length;
  const canonical = new CanonicalSecond();
  const data = new BigInt64Array(n);
  const halves = new Int32Array(data.buffer);
  let valid: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v === "number" && Number.isSafeInteger(v)) {
      // ToInt32 keeps the low 32 bits (two's complement) exactly; the high half is exact too.
      halves[2 * i + LO] = v | 0;
      halves[2 * i + HI] = Math.floor(v / TWO_32);
    } else if (v === null || v === undefined) valid = markNull(valid, n, i);
    else if (type === "instant" && typeof v === "string" && canonical.sameSecond(v)) {
      const f = canonical.fraction(v);
      if (f < 0) {
        w.row = rowBase + i;
        data[i] = coerceStrict(type, v, w) as bigint;
      } else {
        const lo = canonical.lo + f;
        const carry = lo >= TWO_32 ? 1 : 0;
        halves[2 * i + LO] = lo | 0;
        halves[2 * i + HI] = canonical.hi + carry;
      }
    } else {
      w.row = rowBase + i;
      const b = coerceStrict(type, v, w) as bigint;
      data[i] = b;
      if (type === "instant" && typeof v === "string") canonical.remember(v, b);
    }
  }
  return { data, valid, length: n };
}

function string(values: readonly unknown[], w: Where, rowBase: number): Vec {
  const n = values.length;
  const data = new Array<string>(n).fill("");
  let valid: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v === "string") data[i] = v;
    else if (v === null || v === undefined) valid = markNull(valid, n, i);
    else {
      w.row = rowBase + i;
      data[i] = coerceStrict("string", v, w) as string;
    }
  }
  return { data, valid, length: n };
}

function bool(values: readonly unknown[], w: Where, rowBase: number): Vec {
  const n = values.length;
  const data = new Uint8Array(n);
  let valid: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === true) data[i] = 1;
    else if (v === false) data[i] = 0;
    else if (v === null || v === undefined) valid = markNull(valid, n, i);
    else {
      w.row = rowBase + i;
      data[i] = coerceStrict("bool", v, w) as number;
    }
  }
  return { data, valid, length: n };
}

/** Every cell through coerceStrict (char and array columns). */
function generic(type: ColumnType, values: readonly unknown[], w: Where, rowBase: number): Vec {
  const n = values.length;
  const data = allocStorage(type, n) as unknown as unknown[];
  let valid: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    w.row = rowBase + i;
    const v = coerceStrict(type, values[i], w);
    if (v === null) valid = markNull(valid, n, i);
    else data[i] = v;
  }
  return { data: data as unknown as Vec["data"], valid, length: n };
}
