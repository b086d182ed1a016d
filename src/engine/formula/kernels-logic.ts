/**
 * Boolean kernels: `&&`, `||`, `!`, `isNull`, and the `?:` selection.
 *
 * `&&` and `||` treat a null operand as false, so their result is never null; both sides are
 * always evaluated (a batch has no per-row short-circuit; evaluation has no side effects other
 * than consuming random numbers). `!null` is null. A null `?:` condition gives a null result.
 */

import { words } from "./int64.ts";
import type { IBool, IDouble, IInt, ILong, IStr, IV, Mask } from "./ivec.ts";
import { asBig } from "./kernels-long.ts";

export function and(a: IBool, b: IBool, n: number): IBool {
  const x = a.d,
    y = b.d,
    out = new Uint8Array(n);
  const xv = a.v,
    yv = b.v;
  if (xv === null && yv === null) {
    for (let i = 0; i < n; i++) out[i] = x[i]! & y[i]!;
  } else {
    for (let i = 0; i < n; i++) {
      out[i] = x[i]! & y[i]! & (xv === null ? 1 : xv[i]!) & (yv === null ? 1 : yv[i]!);
    }
  }
  return { t: "b", d: out, v: null, o: true };
}

export function or(a: IBool, b: IBool, n: number): IBool {
  const x = a.d,
    y = b.d,
    out = new Uint8Array(n);
  const xv = a.v,
    yv = b.v;
  if (xv === null && yv === null) {
    for (let i = 0; i < n; i++) out[i] = x[i]! | y[i]!;
  } else {
    for (let i = 0; i < n; i++) {
      out[i] = (x[i]! & (xv === null ? 1 : xv[i]!)) | (y[i]! & (yv === null ? 1 : yv[i]!));
    }
  }
  return { t: "b", d: out, v: null, o: true };
}

export function not(a: IBool, n: number): IBool {
  const x = a.d,
    out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = x[i]! ^ 1;
  return { t: "b", d: out, v: a.v, o: true };
}

/** `isNull`: true where the validity mask `v` marks a null row; the result has no nulls. */
export function isNull(v: Mask, n: number): IBool {
  const out = new Uint8Array(n);
  if (v !== null) for (let i = 0; i < n; i++) out[i] = v[i]! ^ 1;
  return { t: "b", d: out, v: null, o: true };
}

/** The mask of `c ? a : b`: null where the condition is null or the chosen branch is. */
function selectMask(c: IBool, av: Mask, bv: Mask, n: number): Mask {
  const cv = c.v;
  if (cv === null && av === null && bv === null) return null;
  const cd = c.d,
    out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const branch = cd[i] ? (av === null ? 1 : av[i]!) : bv === null ? 1 : bv[i]!;
    out[i] = branch & (cv === null ? 1 : cv[i]!);
  }
  return out;
}

/** Per-row choice between two vectors of the same type. */
export function select(c: IBool, a: IV, b: IV, n: number): IV {
  const cd = c.d;
  const v = selectMask(c, a.v, b.v, n);
  switch (a.t) {
    case "i": {
      const x = a.d,
        y = (b as IInt).d,
        out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = cd[i] ? x[i]! : y[i]!;
      return { t: "i", d: out, v, o: true };
    }
    case "f": {
      const x = a.d,
        y = (b as IDouble).d,
        out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = cd[i] ? x[i]! : y[i]!;
      return { t: "f", d: out, v, o: true };
    }
    case "b": {
      const x = a.d,
        y = (b as IBool).d,
        out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = cd[i] ? x[i]! : y[i]!;
      return { t: "b", d: out, v, o: true };
    }
    case "s": {
      const x = a.d,
        y = (b as IStr).d,
        out = new Array<string>(n);
      for (let i = 0; i < n; i++) out[i] = (cd[i] ? x[i] : y[i]) ?? "";
      return { t: "s", d: out, v, o: true };
    }
    case "l":
    case "L": {
      const lb = b as ILong;
      if (a.t === "l" && lb.t === "l") {
        const x = a.d,
          y = lb.d,
          out = new Float64Array(n);
        for (let i = 0; i < n; i++) out[i] = cd[i] ? x[i]! : y[i]!;
        return { t: "l", d: out, v, o: true };
      }
      // Copy word pairs: reading a BigInt64Array element would allocate a BigInt per row.
      const out = new BigInt64Array(n);
      const x = words(asBig(a, n)),
        y = words(asBig(lb, n)),
        z = words(out);
      for (let i = 0; i < n; i++) {
        const w = cd[i] ? x : y;
        z[2 * i] = w[2 * i]!;
        z[2 * i + 1] = w[2 * i + 1]!;
      }
      return { t: "L", d: out, v, o: true };
    }
  }
}
