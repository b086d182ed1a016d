/**
 * Comparison kernels: `< <= > >= == !=` on two operands of the same type, giving a bool vector
 * that is never null.
 *
 * Null rules (Deephaven's): `==` is true when both sides are null and false when one is;
 * ordering treats null as less than every value (`null < 5` is true, `null < null` false,
 * `null <= null` true). NaN follows IEEE 754: every ordering and `==` with NaN is false.
 *
 * Only `<`, `<=` and `==` have loops (per representation): `>` and `>=` swap the operands and
 * `!=` inverts `==`. The loops ignore masks; a second pass fixes the rows where a side is null.
 */

import { HI, LO } from "../words.ts";
import type { CmpOp } from "./ast.ts";
import { words } from "./int64.ts";
import type { IBool, IV, Mask } from "./ivec.ts";
import { asBig } from "./kernels-long.ts";

type Base = "lt" | "le" | "eq";

/** Result for [both null, only left null, only right null], per base comparison. */
const NULL_RESULT: Readonly<Record<Base, readonly [number, number, number]>> = {
  lt: [0, 1, 0],
  le: [1, 1, 0],
  eq: [1, 0, 0],
};

export function compare(op: CmpOp, a: IV, b: IV, n: number): IBool {
  const swap = op === ">" || op === ">=";
  const x = swap ? b : a;
  const y = swap ? a : b;
  const base: Base = op === "<" || op === ">" ? "lt" : op === "<=" || op === ">=" ? "le" : "eq";
  const out = core(base, x, y, n);
  if (x.v !== null || y.v !== null) fixNulls(out, NULL_RESULT[base], x.v, y.v, n);
  if (op === "!=") for (let i = 0; i < n; i++) out[i] = out[i]! ^ 1;
  return { t: "b", d: out, v: null, o: true };
}

function fixNulls(
  out: Uint8Array,
  r: readonly [number, number, number],
  xv: Mask,
  yv: Mask,
  n: number,
): void {
  for (let i = 0; i < n; i++) {
    const a = xv === null ? 1 : xv[i]!;
    const b = yv === null ? 1 : yv[i]!;
    if ((a & b) === 0) out[i] = a === b ? r[0] : a === 0 ? r[1] : r[2];
  }
}

function core(base: Base, x: IV, y: IV, n: number): Uint8Array {
  switch (x.t) {
    case "i":
      return ints(base, x.d, y.d as Int32Array, n);
    case "b":
      return bools(base, x.d, y.d as Uint8Array, n);
    case "s":
      return strings(base, x.d, y.d as string[], n);
    case "f":
      return doubles(base, x.d, y.d as Float64Array, n);
    case "l":
    case "L":
      if (x.t === "l" && y.t === "l") return doubles(base, x.d, y.d, n);
      return pairs(base, asBig(x, n), asBig(y as typeof x, n), n);
  }
}

function ints(base: Base, x: Int32Array, y: Int32Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  if (base === "lt") for (let i = 0; i < n; i++) out[i] = x[i]! < y[i]! ? 1 : 0;
  else if (base === "le") for (let i = 0; i < n; i++) out[i] = x[i]! <= y[i]! ? 1 : 0;
  else for (let i = 0; i < n; i++) out[i] = x[i] === y[i] ? 1 : 0;
  return out;
}

function doubles(base: Base, x: Float64Array, y: Float64Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  if (base === "lt") for (let i = 0; i < n; i++) out[i] = x[i]! < y[i]! ? 1 : 0;
  else if (base === "le") for (let i = 0; i < n; i++) out[i] = x[i]! <= y[i]! ? 1 : 0;
  else for (let i = 0; i < n; i++) out[i] = x[i] === y[i] ? 1 : 0;
  return out;
}

function bools(base: Base, x: Uint8Array, y: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  if (base === "lt") for (let i = 0; i < n; i++) out[i] = x[i]! < y[i]! ? 1 : 0;
  else if (base === "le") for (let i = 0; i < n; i++) out[i] = x[i]! <= y[i]! ? 1 : 0;
  else for (let i = 0; i < n; i++) out[i] = x[i] === y[i] ? 1 : 0;
  return out;
}

/** Strings compare by UTF-16 code units, as Java's String.compareTo. */
function strings(base: Base, x: string[], y: string[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  if (base === "lt") for (let i = 0; i < n; i++) out[i] = x[i]! < y[i]! ? 1 : 0;
  else if (base === "le") for (let i = 0; i < n; i++) out[i] = x[i]! <= y[i]! ? 1 : 0;
  else for (let i = 0; i < n; i++) out[i] = x[i] === y[i] ? 1 : 0;
  return out;
}

/** 64-bit comparison on word pairs: signed high words, then unsigned low words. */
function pairs(base: Base, a: BigInt64Array, b: BigInt64Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  const x = words(a),
    y = words(b);
  for (let i = 0; i < n; i++) {
    const xh = x[2 * i + HI]!,
      yh = y[2 * i + HI]!;
    const xl = x[2 * i + LO]! >>> 0,
      yl = y[2 * i + LO]! >>> 0;
    const r =
      base === "eq"
        ? xh === yh && xl === yl
        : base === "lt"
          ? xh < yh || (xh === yh && xl < yl)
          : xh < yh || (xh === yh && xl <= yl);
    out[i] = r ? 1 : 0;
  }
  return out;
}
