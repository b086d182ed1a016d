/**
 * JSON forms of updateBy kernel state (persist.ts saves one record per group slot): doubles
 * round-trip exactly (-0, NaN and infinities included), int64 bigints as decimal strings, any
 * storage value (forwardFill). A window ring's form is in window-ring.ts.
 */
import { dec, decRaw, enc, encRaw } from "../agg/state-codec.ts";
import type { RawValue } from "../types.ts";

/** A double or bigint in a JSON-safe form that keeps -0. */
export function encNum(v: number | bigint): unknown {
  if (typeof v === "number" && Object.is(v, -0)) return { f: "-0" };
  return enc(v);
}

/** A double from `encNum`. */
export function decF(e: unknown): number {
  return Number(dec(e));
}

/** A double or bigint from `encNum`. */
export function decNum(e: unknown): number | bigint {
  const v = dec(e);
  return typeof v === "bigint" ? v : Number(v);
}

/** An optional bigint (undefined as null). */
export function encBig(b: bigint | undefined): string | null {
  return b === undefined ? null : b.toString();
}

/** An optional bigint from `encBig`. */
export function decBig(e: unknown): bigint | undefined {
  return e === null || e === undefined ? undefined : BigInt(e as string);
}

/** Any storage value (numbers, strings, bigints, array cells, null). */
export function encAny(v: RawValue | undefined): unknown {
  if (typeof v === "number") return encNum(v);
  return encRaw(v ?? null);
}

/** A storage value from `encAny`. */
export function decAny(e: unknown): RawValue {
  return decRaw(e);
}
