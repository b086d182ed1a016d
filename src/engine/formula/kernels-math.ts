/**
 * Math built-ins. Each loop is written out per function and representation so it stays a tight,
 * monomorphic loop. A null argument gives null, except `min`/`max`, which ignore a null
 * operand (Deephaven's `min(a, b)` skips nulls) and are null only when both are.
 */
import { HI, LO } from "../words.ts";
import { doubleToLong, MAX_SAFE, words } from "./int64.ts";
import {
  andMask,
  type IBool,
  type IDouble,
  type IInt,
  type ILong,
  type IV,
  type Mask,
} from "./ivec.ts";
import { asBig } from "./kernels-long.ts";

/** Names of the double -> double functions. */
export type DoubleFn =
  | "sqrt"
  | "sin"
  | "cos"
  | "tan"
  | "asin"
  | "acos"
  | "atan"
  | "exp"
  | "log"
  | "log10"
  | "floor"
  | "ceil";

export function mathDouble(fn: DoubleFn, a: IDouble, n: number): IDouble {
  const x = a.d,
    out = new Float64Array(n);
  switch (fn) {
    case "sqrt":
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]!);
      break;
    case "sin":
      for (let i = 0; i < n; i++) out[i] = Math.sin(x[i]!);
      break;
    case "cos":
      for (let i = 0; i < n; i++) out[i] = Math.cos(x[i]!);
      break;
    case "tan":
      for (let i = 0; i < n; i++) out[i] = Math.tan(x[i]!);
      break;
    case "asin":
      for (let i = 0; i < n; i++) out[i] = Math.asin(x[i]!);
      break;
    case "acos":
      for (let i = 0; i < n; i++) out[i] = Math.acos(x[i]!);
      break;
    case "atan":
      for (let i = 0; i < n; i++) out[i] = Math.atan(x[i]!);
      break;
    case "exp":
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]!);
      break;
    case "log":
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]!);
      break;
    case "log10":
      for (let i = 0; i < n; i++) out[i] = Math.log10(x[i]!);
      break;
    case "floor":
      for (let i = 0; i < n; i++) out[i] = Math.floor(x[i]!);
      break;
    case "ceil":
      for (let i = 0; i < n; i++) out[i] = Math.ceil(x[i]!);
      break;
  }
  return { t: "f", d: out, v: a.v, o: true };
}

export function pow(a: IDouble, b: IDouble, n: number): IDouble {
  const x = a.d,
    y = b.d,
    out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = x[i]! ** y[i]!;
  return { t: "f", d: out, v: andMask(a.v, b.v, n), o: true };
}

/** Java's Math.round(double): nearest long, ties toward +Infinity, NaN 0, saturating. */
export function round(a: IDouble, n: number): ILong {
  const x = a.d,
    out = new Float64Array(n);
  let ok = true;
  for (let i = 0; i < n; i++) {
    const r = Math.round(x[i]!) + 0;
    out[i] = r === r ? r : 0;
    if (r > MAX_SAFE || r < -MAX_SAFE) ok = false;
  }
  if (ok) return { t: "l", d: out, v: a.v, o: true };
  const big = new BigInt64Array(n);
  for (let i = 0; i < n; i++) big[i] = doubleToLong(Math.round(x[i]!));
  return { t: "L", d: big, v: a.v, o: true };
}

export function isNaNOf(a: IDouble, n: number): IBool {
  const x = a.d,
    out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = x[i] !== x[i] ? 1 : 0;
  return { t: "b", d: out, v: a.v, o: true };
}

export function isInfOf(a: IDouble, n: number): IBool {
  const x = a.d,
    out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = x[i] === Infinity || x[i] === -Infinity ? 1 : 0;
  return { t: "b", d: out, v: a.v, o: true };
}

/** abs keeping the argument's representation; abs(MIN_INT) is MIN_INT, as in Java. */
export function abs(a: IV, n: number): IV {
  switch (a.t) {
    case "i": {
      const x = a.d,
        out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = x[i]! < 0 ? -x[i]! | 0 : x[i]!;
      return { t: "i", d: out, v: a.v, o: true };
    }
    case "f": {
      const x = a.d,
        out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]!);
      return { t: "f", d: out, v: a.v, o: true };
    }
    case "l": {
      const x = a.d,
        out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]!);
      return { t: "l", d: out, v: a.v, o: true };
    }
    case "L": {
      const out = a.d.slice(0, n),
        w = words(out);
      for (let i = 0; i < n; i++) {
        if (w[2 * i + HI]! < 0) {
          const lo = w[2 * i + LO]!;
          w[2 * i + LO] = -lo | 0;
          w[2 * i + HI] = (~w[2 * i + HI]! + (lo === 0 ? 1 : 0)) | 0;
        }
      }
      return { t: "L", d: out, v: a.v, o: true };
    }
    default:
      throw new TypeError(`abs of ${a.t}`);
  }
}

/** signum: -1, 0 or 1 in the argument's type (NaN and -0.0 stay as they are for floating). */
export function signum(a: IV, n: number): IV {
  switch (a.t) {
    case "i": {
      const x = a.d,
        out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = x[i]! > 0 ? 1 : x[i]! < 0 ? -1 : 0;
      return { t: "i", d: out, v: a.v, o: true };
    }
    case "f": {
      const x = a.d,
        out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = Math.sign(x[i]!);
      return { t: "f", d: out, v: a.v, o: true };
    }
    case "l": {
      const x = a.d,
        out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = x[i]! > 0 ? 1 : x[i]! < 0 ? -1 : 0;
      return { t: "l", d: out, v: a.v, o: true };
    }
    case "L": {
      const w = words(a.d),
        out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const hi = w[2 * i + HI]!;
        out[i] = hi < 0 ? -1 : hi > 0 || w[2 * i + LO] !== 0 ? 1 : 0;
      }
      return { t: "l", d: out, v: a.v, o: true };
    }
    default:
      throw new TypeError(`signum of ${a.t}`);
  }
}

/** The mask of min/max: null only where both operands are null. */
function eitherMask(x: Mask, y: Mask, n: number): Mask {
  if (x === null || y === null) return null;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = x[i]! | y[i]!;
  return out;
}

/** min (`max` false) or max of two same-typed vectors, ignoring a null operand. */
export function minMax(max: boolean, a: IV, b: IV, n: number): IV {
  const av = a.v,
    bv = b.v;
  const v = eitherMask(av, bv, n);
  // Row i takes a's value when a wins, or b is null; b's when a is null.
  const pick = (i: number, aWins: boolean): boolean =>
    av !== null && av[i] === 0 ? false : bv !== null && bv[i] === 0 ? true : aWins;
  const plain = av === null && bv === null;
  switch (a.t) {
    case "i": {
      const x = a.d,
        y = (b as IInt).d,
        out = new Int32Array(n);
      if (plain && max) for (let i = 0; i < n; i++) out[i] = Math.max(x[i]!, y[i]!);
      else if (plain) for (let i = 0; i < n; i++) out[i] = Math.min(x[i]!, y[i]!);
      else
        for (let i = 0; i < n; i++)
          out[i] = pick(i, max ? x[i]! >= y[i]! : x[i]! <= y[i]!) ? x[i]! : y[i]!;
      return { t: "i", d: out, v, o: true };
    }
    case "f": {
      const x = a.d,
        y = (b as IDouble).d,
        out = new Float64Array(n);
      if (plain && max) for (let i = 0; i < n; i++) out[i] = Math.max(x[i]!, y[i]!);
      else if (plain) for (let i = 0; i < n; i++) out[i] = Math.min(x[i]!, y[i]!);
      else {
        for (let i = 0; i < n; i++) {
          const both = max ? Math.max(x[i]!, y[i]!) : Math.min(x[i]!, y[i]!);
          out[i] = av !== null && av[i] === 0 ? y[i]! : bv !== null && bv[i] === 0 ? x[i]! : both;
        }
      }
      return { t: "f", d: out, v, o: true };
    }
    case "l":
    case "L": {
      const lb = b as ILong;
      if (a.t === "l" && lb.t === "l") {
        const x = a.d,
          y = lb.d,
          out = new Float64Array(n);
        for (let i = 0; i < n; i++)
          out[i] = pick(i, max ? x[i]! >= y[i]! : x[i]! <= y[i]!) ? x[i]! : y[i]!;
        return { t: "l", d: out, v, o: true };
      }
      const out = new BigInt64Array(n);
      const x = words(asBig(a, n)),
        y = words(asBig(lb, n)),
        z = words(out);
      for (let i = 0; i < n; i++) {
        const xh = x[2 * i + HI]!,
          yh = y[2 * i + HI]!;
        const xl = x[2 * i + LO]! >>> 0,
          yl = y[2 * i + LO]! >>> 0;
        const aLess = xh < yh || (xh === yh && xl <= yl);
        const w = pick(i, max ? !aLess || (xh === yh && xl === yl) : aLess) ? x : y;
        z[2 * i] = w[2 * i]!;
        z[2 * i + 1] = w[2 * i + 1]!;
      }
      return { t: "L", d: out, v, o: true };
    }
    default:
      throw new TypeError(`min/max of ${a.t}`);
  }
}
