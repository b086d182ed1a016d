/**
 * Internal vectors: the batch representation kernels pass to each other.
 *
 * Each representation is one typed-array kind, so every kernel loop stays monomorphic:
 * - `i`: Int32Array, for int8, int16, int32 and char (Java promotes them to int anyway; a
 *   narrower static type only means the values are kept in its range);
 * - `f`: Float64Array, for float64 and float32 (float kernels round with Math.fround);
 * - `l`: Float64Array of exact integers within +/-2^53, for int64 and instant: the fast path;
 * - `L`: BigInt64Array, for int64 and instant batches holding values beyond 2^53;
 * - `b`: Uint8Array 0/1 for bool; `s`: string[] for string.
 *
 * `v` is the validity mask (`v[i] === 0` is null; `null` means no nulls). Masks are read-only
 * once made: a kernel that needs a different mask allocates one. Data of null rows is
 * unspecified. `o` (owned) says the arrays were allocated for this batch and may be handed out
 * as a result; column inputs and cached constants are not owned.
 */
import type { Vec } from "../column.ts";
import type { ScalarType, Storage } from "../types.ts";
import { bigToF, fToBig } from "./int64.ts";

export type Mask = Uint8Array | null;

export interface IInt {
  readonly t: "i";
  readonly d: Int32Array;
  readonly v: Mask;
  readonly o: boolean;
}
export interface IDouble {
  readonly t: "f";
  readonly d: Float64Array;
  readonly v: Mask;
  readonly o: boolean;
}
export interface ILongF {
  readonly t: "l";
  readonly d: Float64Array;
  readonly v: Mask;
  readonly o: boolean;
}
export interface ILongB {
  readonly t: "L";
  readonly d: BigInt64Array;
  readonly v: Mask;
  readonly o: boolean;
}
export interface IBool {
  readonly t: "b";
  readonly d: Uint8Array;
  readonly v: Mask;
  readonly o: boolean;
}
export interface IStr {
  readonly t: "s";
  readonly d: string[];
  readonly v: Mask;
  readonly o: boolean;
}

export type ILong = ILongF | ILongB;
export type IV = IInt | IDouble | ILong | IBool | IStr;

/** The AND of two masks over `n` rows (a fresh mask, or one of the inputs if the other is null). */
export function andMask(a: Mask, b: Mask, n: number): Mask {
  if (a === null) return b;
  if (b === null) return a;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = a[i]! & b[i]!;
  return out;
}

/** A mask of `n` rows, all valid (to be edited by the caller). */
export function allValid(n: number): Uint8Array {
  return new Uint8Array(n).fill(1);
}

/** A copy of `m` (or an all-valid mask) that the caller may edit. */
export function editableMask(m: Mask, n: number): Uint8Array {
  return m === null ? allValid(n) : m.slice(0, n);
}

/** Converts an input column vector to its internal representation (no copy for int32, float64, bool, string). */
export function fromVec(vec: Vec, type: ScalarType, n: number): IV {
  const v = vec.valid;
  switch (type) {
    case "int32":
      return { t: "i", d: vec.data as Int32Array, v, o: false };
    case "int8":
    case "int16":
    case "char": {
      const d = new Int32Array(n);
      d.set((vec.data as Int8Array | Int16Array | Uint16Array).subarray(0, n));
      return { t: "i", d, v, o: false };
    }
    case "float64":
      return { t: "f", d: vec.data as Float64Array, v, o: false };
    case "float32": {
      const d = new Float64Array(n);
      d.set((vec.data as Float32Array).subarray(0, n));
      return { t: "f", d, v, o: false };
    }
    case "int64":
    case "instant": {
      const big = vec.data as BigInt64Array;
      const f = bigToF(big, n);
      return f === null ? { t: "L", d: big, v, o: false } : { t: "l", d: f, v, o: false };
    }
    case "bool":
      return { t: "b", d: vec.data as Uint8Array, v, o: false };
    case "string":
      return { t: "s", d: vec.data as string[], v, o: false };
  }
}

/** Converts an internal vector to a result Vec of `type` with exactly `n` rows, in fresh arrays. */
export function toVec(iv: IV, type: ScalarType, n: number): Vec {
  const valid = iv.v === null ? null : iv.v.slice(0, n);
  const fresh = iv.o && iv.d.length === n;
  let data: Storage;
  switch (type) {
    case "int32":
    case "float64":
    case "bool":
      data = fresh ? (iv.d as Int32Array) : (iv.d as Int32Array).slice(0, n);
      break;
    case "int8":
      data = new Int8Array(n);
      data.set((iv.d as Int32Array).subarray(0, n));
      break;
    case "int16":
      data = new Int16Array(n);
      data.set((iv.d as Int32Array).subarray(0, n));
      break;
    case "char":
      data = new Uint16Array(n);
      data.set((iv.d as Int32Array).subarray(0, n));
      break;
    case "float32":
      data = new Float32Array(n);
      data.set((iv.d as Float64Array).subarray(0, n));
      break;
    case "int64":
    case "instant":
      if (iv.t === "l") data = fToBig(iv.d, n);
      else data = fresh ? (iv.d as BigInt64Array) : (iv.d as BigInt64Array).slice(0, n);
      break;
    case "string":
      data = fresh ? (iv.d as string[]) : (iv.d as string[]).slice(0, n);
      break;
  }
  return { data, valid, length: n };
}

/** Repeats row 0 of `one` over `n` rows (a constant operand); the result is not owned. */
export function broadcast(one: IV, n: number): IV {
  const v = one.v !== null && one.v[0] === 0 ? new Uint8Array(n) : null;
  switch (one.t) {
    case "i":
      return { t: "i", d: new Int32Array(n).fill(one.d[0]!), v, o: false };
    case "f":
      return { t: "f", d: new Float64Array(n).fill(one.d[0]!), v, o: false };
    case "l":
      return { t: "l", d: new Float64Array(n).fill(one.d[0]!), v, o: false };
    case "L":
      return { t: "L", d: new BigInt64Array(n).fill(one.d[0]!), v, o: false };
    case "b":
      return { t: "b", d: new Uint8Array(n).fill(one.d[0]!), v, o: false };
    case "s":
      return { t: "s", d: new Array<string>(n).fill(one.d[0] ?? ""), v, o: false };
  }
}

/** Whether row `i` of `iv` is null. */
export function isNullAt(iv: IV, i: number): boolean {
  return iv.v !== null && iv.v[i] === 0;
}
