/**
 * JSON encoding of aggregation state values: numbers (NaN and infinities included), bigints,
 * strings and null (NULL_KEY for keys) survive a JSON round trip; `encRaw`/`decRaw` also carry
 * array cells (a first/last output of an array column). Used when aggregation state is saved to
 * the state store (persist.ts).
 */
import type { ArrayValue, RawValue, ScalarValue } from "../types.ts";
import type { Prim } from "./prim.ts";
import { NULL_KEY } from "./prim.ts";

type Encoded = number | string | null | { b: string } | { f: string };
type EncodedElement = Encoded | boolean;

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

/** A storage value, array cells included, in a JSON-safe form. */
export function encRaw(v: RawValue): Encoded | { a: EncodedElement[] } {
  if (v !== null && typeof v === "object") {
    return { a: v.map((e) => (typeof e === "boolean" ? e : enc(e))) };
  }
  return enc(v);
}

/** The value `encRaw` encoded; an array cell comes back frozen. */
export function decRaw(e: unknown): RawValue {
  if (e !== null && typeof e === "object" && "a" in e) {
    const items = (e as { a: EncodedElement[] }).a;
    const out: ScalarValue[] = items.map((x) => (typeof x === "boolean" ? x : dec(x)));
    return Object.freeze(out) as ArrayValue;
  }
  return dec(e);
}
