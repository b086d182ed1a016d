/**
 * long arithmetic kernels: exact, with Java's 64-bit wrap-around, never rounded.
 *
 * Fast path: both operands in the `l` representation (exact doubles within +/-2^53); the loop
 * computes in doubles and checks each result against +/-(2^53 - 1). A true result beyond that
 * range shows as a computed one beyond it (rounding is monotonic), so a batch that passes the
 * check is exact. Otherwise the batch is recomputed exactly: + - and negation on 32-bit word
 * pairs, * and % with BigInt (the only per-row BigInt work, and only for such batches).
 * `%` by zero gives null (Java would throw). `+ 0` turns -0 into 0.
 */
import { addPairs, fToBig, MAX_SAFE, negPairs, subPairs } from "./int64.ts";
import { andMask, editableMask, type ILong, type Mask } from "./ivec.ts";

/** The BigInt64Array form of a long vector (a fresh copy for `l`, the array itself for `L`). */
export function asBig(a: ILong, n: number): BigInt64Array {
  return a.t === "L" ? a.d : fToBig(a.d, n);
}

function big(d: BigInt64Array, v: Mask): ILong {
  return { t: "L", d, v, o: true };
}

export function addLong(a: ILong, b: ILong, n: number): ILong {
  const v = andMask(a.v, b.v, n);
  if (a.t === "l" && b.t === "l") {
    const x = a.d,
      y = b.d,
      out = new Float64Array(n);
    let ok = true;
    for (let i = 0; i < n; i++) {
      const r = x[i]! + y[i]!;
      out[i] = r;
      if (r > MAX_SAFE || r < -MAX_SAFE) ok = false;
    }
    if (ok) return { t: "l", d: out, v, o: true };
  }
  return big(addPairs(asBig(a, n), asBig(b, n), n), v);
}

export function subLong(a: ILong, b: ILong, n: number): ILong {
  const v = andMask(a.v, b.v, n);
  if (a.t === "l" && b.t === "l") {
    const x = a.d,
      y = b.d,
      out = new Float64Array(n);
    let ok = true;
    for (let i = 0; i < n; i++) {
      const r = x[i]! - y[i]!;
      out[i] = r;
      if (r > MAX_SAFE || r < -MAX_SAFE) ok = false;
    }
    if (ok) return { t: "l", d: out, v, o: true };
  }
  return big(subPairs(asBig(a, n), asBig(b, n), n), v);
}

export function mulLong(a: ILong, b: ILong, n: number): ILong {
  const v = andMask(a.v, b.v, n);
  if (a.t === "l" && b.t === "l") {
    const x = a.d,
      y = b.d,
      out = new Float64Array(n);
    let ok = true;
    for (let i = 0; i < n; i++) {
      const r = x[i]! * y[i]! + 0;
      out[i] = r;
      if (r > MAX_SAFE || r < -MAX_SAFE) ok = false;
    }
    if (ok) return { t: "l", d: out, v, o: true };
  }
  const x = asBig(a, n),
    y = asBig(b, n),
    out = new BigInt64Array(n);
  // Storing into a BigInt64Array wraps modulo 2^64, exactly Java's long multiplication.
  for (let i = 0; i < n; i++) out[i] = x[i]! * y[i]!;
  return big(out, v);
}

export function remLong(a: ILong, b: ILong, n: number): ILong {
  const v = andMask(a.v, b.v, n);
  let zero = false;
  let res: ILong;
  if (a.t === "l" && b.t === "l") {
    const x = a.d,
      y = b.d,
      out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const d = y[i]!,
        e = x[i]!;
      if (d === 0) zero = true;
      // Integer % is much faster than a floating fmod; both are exact here.
      else if ((e | 0) === e && (d | 0) === d) out[i] = ((e | 0) % (d | 0)) + 0;
      else out[i] = (e % d) + 0;
    }
    res = { t: "l", d: out, v, o: true };
  } else {
    const x = asBig(a, n),
      y = asBig(b, n),
      out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      const d = y[i]!;
      if (d === 0n) zero = true;
      else out[i] = x[i]! % d;
    }
    res = big(out, v);
  }
  if (!zero) return res;
  const m = editableMask(v, n);
  if (b.t === "l") {
    for (let i = 0; i < n; i++) if (b.d[i] === 0) m[i] = 0;
  } else {
    for (let i = 0; i < n; i++) if (b.d[i] === 0n) m[i] = 0;
  }
  return res.t === "l" ? { t: "l", d: res.d, v: m, o: true } : big(res.d, m);
}

export function negLong(a: ILong, n: number): ILong {
  if (a.t === "L") return big(negPairs(a.d, n), a.v);
  const x = a.d,
    out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = -x[i]! + 0;
  return { t: "l", d: out, v: a.v, o: true };
}
