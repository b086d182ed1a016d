/**
 * String kernels: concatenation and the string built-ins. Strings are UTF-16 like Java's, so
 * lengths and indexes count code units as Java does.
 *
 * Concatenation renders a null operand as "null" (Java's String.valueOf) and is never null.
 * Every other string function is null when an argument is null, and also when an index is out of
 * range (where Java would throw).
 */
import { andMask, editableMask, type IBool, type IInt, type IStr, type Mask } from "./ivec.ts";

function skip(v: Mask, i: number): boolean {
  return v !== null && v[i] === 0;
}

export function concat(a: IStr, b: IStr, n: number): IStr {
  const x = a.d,
    y = b.d,
    xv = a.v,
    yv = b.v,
    out = new Array<string>(n);
  if (xv === null && yv === null) {
    for (let i = 0; i < n; i++) out[i] = x[i]! + y[i]!;
  } else {
    for (let i = 0; i < n; i++)
      out[i] = (skip(xv, i) ? "null" : x[i]!) + (skip(yv, i) ? "null" : y[i]!);
  }
  return { t: "s", d: out, v: null, o: true };
}

export function upper(a: IStr, n: number): IStr {
  const x = a.d,
    v = a.v,
    out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = skip(v, i) ? "" : x[i]!.toUpperCase();
  return { t: "s", d: out, v, o: true };
}

export function lower(a: IStr, n: number): IStr {
  const x = a.d,
    v = a.v,
    out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = skip(v, i) ? "" : x[i]!.toLowerCase();
  return { t: "s", d: out, v, o: true };
}

/** Java's String.trim: strips characters up to U+0020 from both ends. */
export function trim(a: IStr, n: number): IStr {
  const x = a.d,
    v = a.v,
    out = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    if (skip(v, i)) {
      out[i] = "";
      continue;
    }
    const s = x[i]!;
    let b = 0,
      e = s.length;
    while (b < e && s.charCodeAt(b) <= 32) b++;
    while (e > b && s.charCodeAt(e - 1) <= 32) e--;
    out[i] = b === 0 && e === s.length ? s : s.slice(b, e);
  }
  return { t: "s", d: out, v, o: true };
}

export function len(a: IStr, n: number): IInt {
  const x = a.d,
    v = a.v,
    out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = skip(v, i) ? 0 : x[i]!.length;
  return { t: "i", d: out, v, o: true };
}

export function contains(a: IStr, b: IStr, n: number): IBool {
  const x = a.d,
    y = b.d,
    v = andMask(a.v, b.v, n),
    out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = !skip(v, i) && x[i]!.includes(y[i]!) ? 1 : 0;
  return { t: "b", d: out, v, o: true };
}

export function startsWith(a: IStr, b: IStr, n: number): IBool {
  const x = a.d,
    y = b.d,
    v = andMask(a.v, b.v, n),
    out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = !skip(v, i) && x[i]!.startsWith(y[i]!) ? 1 : 0;
  return { t: "b", d: out, v, o: true };
}

export function endsWith(a: IStr, b: IStr, n: number): IBool {
  const x = a.d,
    y = b.d,
    v = andMask(a.v, b.v, n),
    out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = !skip(v, i) && x[i]!.endsWith(y[i]!) ? 1 : 0;
  return { t: "b", d: out, v, o: true };
}

/** `s.substring(begin[, end])`; null where Java would throw (indexes out of range). */
export function substring(a: IStr, begin: IInt, end: IInt | null, n: number): IStr {
  const x = a.d,
    bd = begin.d,
    ed = end === null ? null : end.d;
  const v0 = andMask(andMask(a.v, begin.v, n), end === null ? null : end.v, n);
  const out = new Array<string>(n);
  let bad: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    out[i] = "";
    if (skip(v0, i)) continue;
    const s = x[i]!,
      b = bd[i]!,
      e = ed === null ? s.length : ed[i]!;
    if (b < 0 || e > s.length || b > e) (bad ??= editableMask(v0, n))[i] = 0;
    else out[i] = s.slice(b, e);
  }
  return { t: "s", d: out, v: bad ?? v0, o: true };
}

/** `s.charAt(index)` as a char; null where Java would throw. */
export function charAt(a: IStr, index: IInt, n: number): IInt {
  const x = a.d,
    id = index.d,
    v0 = andMask(a.v, index.v, n),
    out = new Int32Array(n);
  let bad: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    if (skip(v0, i)) continue;
    const s = x[i]!,
      k = id[i]!;
    if (k < 0 || k >= s.length) (bad ??= editableMask(v0, n))[i] = 0;
    else out[i] = s.charCodeAt(k);
  }
  return { t: "i", d: out, v: bad ?? v0, o: true };
}
