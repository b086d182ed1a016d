/**
 * JSON encoding of aggregation state values: numbers (NaN and infinities included), bigints,
 * strings and null (NULL_KEY for keys) survive a JSON round trip. Used when aggregation state
 * is saved to the state store (persist.ts).
 */
import type { Prim } from "./prim.ts";
import { NULL_KEY } from "./prim.ts";

type Encoded = number | string | null | { b: string } | { f: string };

/** A state value (or key primitive) in a JSON-safe form. */
export function enc(v: Prim | number | bigint | string | null | undefined): Encoded {
  if (v === null || v === undefined || v === NULL_KEY) return null;
  if (typeof v === "bigint") return { b: v.toString() };
  if (typeof v === "number" && !Number.isFinite(v)) return { f: String(v) };
  return v as number | string;
}

/** The value `enc` encoded (null decodes to null; use decKey for key primitives). */
export function dec(e: unknown): number | bigint | string | null {
  if (e === null || e === undefined) return null;
  if (typeof e === "number" || typeof e === "string") return e;
  const o = e as { b?: string; f?: string };
  if (o.b !== undefined) return BigInt(o.b);
  return Number(o.f);
}

/** A key primitive from its encoding (null is NULL_KEY). */
export function decKey(e: unknown): Prim {
  const v = dec(e);
  return v === null ? NULL_KEY : v;
}
