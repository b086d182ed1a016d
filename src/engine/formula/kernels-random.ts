/**
 * Random built-ins. Each call site draws exactly one `random()` per row, in row order, whatever
 * the row holds (null or invalid arguments included), so a seeded graph gives the same values
 * whatever the nulls. Upper bounds are exclusive, as in Deephaven. A null bound gives null;
 * for `randomInt`/`randomLong`, `hi <= lo` gives null too (Java would throw).
 */
import { MAX_SAFE } from "./int64.ts";
import {
  andMask,
  editableMask,
  type IBool,
  type IDouble,
  type IInt,
  type ILong,
  type Mask,
} from "./ivec.ts";
import { asBig } from "./kernels-long.ts";

function draw(n: number, random: () => number): Float64Array {
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = random();
  return r;
}

/** Marks rows with an empty range [lo, hi) null. */
function emptyRanges(
  v: Mask,
  lo: ArrayLike<number | bigint>,
  hi: ArrayLike<number | bigint>,
  n: number,
): Mask {
  let out: Uint8Array | null = null;
  for (let i = 0; i < n; i++) if (hi[i]! <= lo[i]!) (out ??= editableMask(v, n))[i] = 0;
  return out ?? v;
}

/** A uniform int in [lo, hi). */
export function randomInt(lo: IInt, hi: IInt, n: number, random: () => number): IInt {
  const r = draw(n, random),
    x = lo.d,
    y = hi.d,
    out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const range = y[i]! - x[i]!;
    let k = Math.floor(r[i]! * range);
    if (k >= range) k = range - 1;
    out[i] = (x[i]! + k) | 0;
  }
  return { t: "i", d: out, v: emptyRanges(andMask(lo.v, hi.v, n), x, y, n), o: true };
}

/** A uniform long in [lo, hi). */
export function randomLong(lo: ILong, hi: ILong, n: number, random: () => number): ILong {
  const r = draw(n, random);
  const v = andMask(lo.v, hi.v, n);
  if (lo.t === "l" && hi.t === "l") {
    const x = lo.d,
      y = hi.d,
      out = new Float64Array(n);
    let ok = true;
    for (let i = 0; i < n; i++) {
      const range = y[i]! - x[i]!;
      if (range > MAX_SAFE) ok = false;
      if (range <= 0) continue;
      let k = Math.floor(r[i]! * range);
      if (k >= range) k = range - 1;
      out[i] = x[i]! + k;
    }
    if (ok) return { t: "l", d: out, v: emptyRanges(v, x, y, n), o: true };
  }
  const x = asBig(lo, n),
    y = asBig(hi, n),
    out = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const range = y[i]! - x[i]!;
    if (range <= 0n) continue;
    let k = BigInt(Math.floor(r[i]! * Number(range)));
    if (k >= range) k = range - 1n;
    out[i] = x[i]! + k;
  }
  return { t: "L", d: out, v: emptyRanges(v, x, y, n), o: true };
}

/** A uniform double in [lo, hi). */
export function randomDouble(lo: IDouble, hi: IDouble, n: number, random: () => number): IDouble {
  const x = lo.d,
    y = hi.d,
    out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = x[i]! + random() * (y[i]! - x[i]!);
  return { t: "f", d: out, v: andMask(lo.v, hi.v, n), o: true };
}

/** A uniform float in [lo, hi). */
export function randomFloat(lo: IDouble, hi: IDouble, n: number, random: () => number): IDouble {
  const x = lo.d,
    y = hi.d,
    out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.fround(x[i]! + random() * (y[i]! - x[i]!));
  return { t: "f", d: out, v: andMask(lo.v, hi.v, n), o: true };
}

/** true or false with equal probability. */
export function randomBool(n: number, random: () => number): IBool {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = random() < 0.5 ? 1 : 0;
  return { t: "b", d: out, v: null, o: true };
}
