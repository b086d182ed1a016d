/**
 * Conversion kernels: numeric promotion and casts with Java semantics, and conversion to string
 * for concatenation.
 *
 * - integral narrowing keeps the low bits: (byte)200 is -56, (char)-1 is 65535, (int)long the
 *   low 32 bits;
 * - floating to integral truncates toward zero, NaN gives 0 and out-of-range values saturate to
 *   the int (or long) bounds; byte, short and char then narrow from int, as Java does;
 * - int and long to float/double round to nearest;
 * - a null stays null (the mask is carried over).
 */
import { formatInstant, type ScalarType } from "../types.ts";
import { LO } from "../words.ts";
import { formatDouble, formatFloat } from "./format.ts";
import { bigToDouble, doubleToLong, MAX_SAFE, words } from "./int64.ts";
import type { IBool, IDouble, IInt, ILong, IStr, IV } from "./ivec.ts";

export function convert(a: IV, from: ScalarType, to: ScalarType, n: number): IV {
  if (from === to) return a;
  switch (to) {
    case "int32":
    case "int16":
    case "int8":
    case "char":
      return toInt(a, to, n);
    case "int64":
    case "instant":
      return toLong(a, n);
    case "float64":
      return toDouble(a, n);
    case "float32":
      return toFloat(toDouble(a, n), n);
    case "string":
      return toStr(a, from, n);
    case "bool":
      return a;
  }
}

function toInt(a: IV, to: ScalarType, n: number): IInt {
  let out: Int32Array;
  switch (a.t) {
    case "i":
      if (to === "int32") return a;
      out = a.d.slice(0, n);
      break;
    case "f": {
      out = new Int32Array(n);
      const x = a.d;
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        out[i] =
          v !== v ? 0 : v >= 2147483647 ? 2147483647 : v <= -2147483648 ? -2147483648 : v | 0;
      }
      break;
    }
    case "l": {
      out = new Int32Array(n);
      const x = a.d;
      // ToInt32 of an exact integer double is its value modulo 2^32: the low 32 bits.
      for (let i = 0; i < n; i++) out[i] = x[i]! | 0;
      break;
    }
    case "L": {
      out = new Int32Array(n);
      const w = words(a.d);
      for (let i = 0; i < n; i++) out[i] = w[2 * i + LO]!;
      break;
    }
    default:
      throw new TypeError(`cannot convert ${a.t} to ${to}`);
  }
  if (to === "int16") for (let i = 0; i < n; i++) out[i] = (out[i]! << 16) >> 16;
  else if (to === "int8") for (let i = 0; i < n; i++) out[i] = (out[i]! << 24) >> 24;
  else if (to === "char") for (let i = 0; i < n; i++) out[i] = out[i]! & 0xffff;
  return { t: "i", d: out, v: a.v, o: true };
}

function toLong(a: IV, n: number): ILong {
  switch (a.t) {
    case "l":
    case "L":
      return a;
    case "i": {
      const out = new Float64Array(n);
      out.set(a.d.subarray(0, n));
      return { t: "l", d: out, v: a.v, o: true };
    }
    case "f": {
      const x = a.d,
        out = new Float64Array(n);
      let ok = true;
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        const t = v !== v ? 0 : Math.trunc(v) + 0;
        out[i] = t;
        if (t > MAX_SAFE || t < -MAX_SAFE) ok = false;
      }
      if (ok) return { t: "l", d: out, v: a.v, o: true };
      const big = new BigInt64Array(n);
      for (let i = 0; i < n; i++) big[i] = doubleToLong(x[i]!);
      return { t: "L", d: big, v: a.v, o: true };
    }
    default:
      throw new TypeError(`cannot convert ${a.t} to long`);
  }
}

function toDouble(a: IV, n: number): IDouble {
  switch (a.t) {
    case "f":
      return a;
    case "l":
      return { t: "f", d: a.d, v: a.v, o: a.o };
    case "L":
      return { t: "f", d: bigToDouble(a.d, n), v: a.v, o: true };
    case "i": {
      const out = new Float64Array(n);
      out.set(a.d.subarray(0, n));
      return { t: "f", d: out, v: a.v, o: true };
    }
    default:
      throw new TypeError(`cannot convert ${a.t} to double`);
  }
}

function toFloat(a: IDouble, n: number): IDouble {
  const x = a.d,
    out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.fround(x[i]!);
  return { t: "f", d: out, v: a.v, o: true };
}

/** Java's String.valueOf of each row; null rows hold "" (the mask says they are null). */
function toStr(a: IV, from: ScalarType, n: number): IStr {
  const out = new Array<string>(n);
  const v = a.v;
  for (let i = 0; i < n; i++) out[i] = v !== null && v[i] === 0 ? "" : show(a, from, i);
  return { t: "s", d: out, v, o: true };
}

function show(a: IV, from: ScalarType, i: number): string {
  switch (a.t) {
    case "i":
      return from === "char" ? String.fromCharCode(a.d[i]!) : String(a.d[i]);
    case "f":
      return from === "float32" ? formatFloat(a.d[i]!) : formatDouble(a.d[i]!);
    case "l":
      return from === "instant" ? formatInstant(BigInt(a.d[i]!)) : String(a.d[i]);
    case "L":
      return from === "instant" ? formatInstant(a.d[i]!) : String(a.d[i]);
    case "b":
      return (a as IBool).d[i] ? "true" : "false";
    case "s":
      return a.d[i]!;
  }
}
