/**
 * int arithmetic kernels (Java int semantics: 32-bit two's-complement wrap-around).
 *
 * Each loop computes every row without looking at nulls; the result mask is the AND of the
 * operand masks. `%` by zero gives null (Java would throw ArithmeticException).
 */
import { andMask, editableMask, type IInt } from "./ivec.ts";

function result(d: Int32Array, a: IInt, b: IInt, n: number): IInt {
  return { t: "i", d, v: andMask(a.v, b.v, n), o: true };
}

export function addInt(a: IInt, b: IInt, n: number): IInt {
  const x = a.d,
    y = b.d,
    out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = (x[i]! + y[i]!) | 0;
  return result(out, a, b, n);
}

export function subInt(a: IInt, b: IInt, n: number): IInt {
  const x = a.d,
    y = b.d,
    out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = (x[i]! - y[i]!) | 0;
  return result(out, a, b, n);
}

export function mulInt(a: IInt, b: IInt, n: number): IInt {
  const x = a.d,
    y = b.d,
    out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.imul(x[i]!, y[i]!);
  return result(out, a, b, n);
}

export function remInt(a: IInt, b: IInt, n: number): IInt {
  const x = a.d,
    y = b.d,
    out = new Int32Array(n);
  let zero = false;
  for (let i = 0; i < n; i++) {
    const d = y[i]!;
    if (d === 0) zero = true;
    else out[i] = x[i]! % d;
  }
  let v = andMask(a.v, b.v, n);
  if (zero) {
    const m = editableMask(v, n);
    for (let i = 0; i < n; i++) if (y[i] === 0) m[i] = 0;
    v = m;
  }
  return { t: "i", d: out, v, o: true };
}

export function negInt(a: IInt, n: number): IInt {
  const x = a.d,
    out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = -x[i]! | 0;
  return { t: "i", d: out, v: a.v, o: true };
}
