/**
 * double and float arithmetic kernels (IEEE 754, as Java: x / 0.0 is Infinity or NaN, `%` is
 * fmod). float results are rounded to single precision with Math.fround after each operation,
 * which gives exactly Java's float result for + - * / (double has enough extra precision).
 * `%` on two floats is exact, so the double kernel serves both types.
 */
import { andMask, type IDouble } from "./ivec.ts";

function result(d: Float64Array, a: IDouble, b: IDouble, n: number): IDouble {
  return { t: "f", d, v: andMask(a.v, b.v, n), o: true };
}

export function addDouble(a: IDouble, b: IDouble, n: number): IDouble {
  const x = a.d,
    y = b.d,
    out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = x[i]! + y[i]!;
  return result(out, a, b, n);
}

export function subDouble(a: IDouble, b: IDouble, n: number): IDouble {
  const x = a.d,
    y = b.d,
    out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = x[i]! - y[i]!;
  return result(out, a, b, n);
}

export function mulDouble(a: IDouble, b: IDouble, n: number): IDouble {
  const x = a.d,
    y = b.d,
    out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = x[i]! * y[i]!;
  return result(out, a, b, n);
}

export function divDouble(a: IDouble, b: IDouble, n: number): IDouble {
  const x = a.d,
    y = b.d,
    out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = x[i]! / y[i]!;
  return result(out, a, b, n);
}

export function remDouble(a: IDouble, b: IDouble, n: number): IDouble {
  const x = a.d,
    y = b.d,
    out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = x[i]! % y[i]!;
  return result(out, a, b, n);
}

export function negDouble(a: IDouble, n: number): IDouble {
  const x = a.d,
    out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = -x[i]!;
  return { t: "f", d: out, v: a.v, o: true };
}

export function addFloat(a: IDouble, b: IDouble, n: number): IDouble {
  const x = a.d,
    y = b.d,
    out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.fround(x[i]! + y[i]!);
  return result(out, a, b, n);
}

export function subFloat(a: IDouble, b: IDouble, n: number): IDouble {
  const x = a.d,
    y = b.d,
    out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.fround(x[i]! - y[i]!);
  return result(out, a, b, n);
}

export function mulFloat(a: IDouble, b: IDouble, n: number): IDouble {
  const x = a.d,
    y = b.d,
    out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.fround(x[i]! * y[i]!);
  return result(out, a, b, n);
}

export function divFloat(a: IDouble, b: IDouble, n: number): IDouble {
  const x = a.d,
    y = b.d,
    out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.fround(x[i]! / y[i]!);
  return result(out, a, b, n);
}
