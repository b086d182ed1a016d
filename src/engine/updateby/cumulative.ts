/**
 * Cumulative updateBy kernels: cumSum, cumProd, cumMin, cumMax, delta and forwardFill. Nulls are
 * skipped (the output repeats the state; null before the group's first non-null value), except
 * `delta`, which is null when the row or the previous one is null.
 *
 * Integer sums are exact (agg/int-accumulator.ts's ExactSum: doubles below 2^52, a bigint past
 * it) and wrap to int64 like Deephaven's long arithmetic; integer products are doubles while the
 * product stays below 2^53 and bigints (wrapped to 64 bits) past it.
 */
import { ExactSum } from "../agg/int-accumulator.ts";
import { grow } from "../agg/slot-arrays.ts";
import type { ColumnType, RawValue } from "../types.ts";
import type { Kernel } from "./kernel.ts";
import { decAny, decBig, decF, decNum, encAny, encBig, encNum } from "./state-codec.ts";
import type { Out, Stamps, Values } from "./values.ts";
import { putNull, putNumber, putPrim, putRaw } from "./values.ts";

const SPILL = 2 ** 52;
const SAFE = 2 ** 53;
const INV_2_32 = 2 ** -32;

/** Running sum of floats (NaN and infinities propagate as in IEEE arithmetic). */
export class FloatCumSum implements Kernel {
  readonly outType: ColumnType = "float64";
  readonly raw = false;
  #sum = new Float64Array(16);
  #has = new Uint8Array(16);
  readonly #prod: boolean;
  constructor(prod: boolean) {
    this.#prod = prod;
  }
  ensure(n: number): void {
    this.#sum = grow(this.#sum, n);
    this.#has = grow(this.#has, n);
  }
  reset(slot: number): void {
    this.#has[slot] = 0;
  }
  save(slot: number): unknown {
    return [this.#has[slot], encNum(this.#sum[slot]!)];
  }
  restore(slot: number, data: unknown): void {
    const [has, sum] = data as [number, unknown];
    this.#has[slot] = has;
    this.#sum[slot] = decF(sum);
  }
  run(slots: Int32Array, n: number, x: Values, _ts: Stamps | null, out: Out): void {
    const sum = this.#sum;
    const has = this.#has;
    const f = x.f;
    const ok = x.ok;
    const prod = this.#prod;
    for (let i = 0; i < n; i++) {
      const s = slots[i]!;
      if (ok[i] === 1) {
        if (has[s] === 0) {
          sum[s] = f[i]!;
          has[s] = 1;
        } else sum[s] = prod ? sum[s]! * f[i]! : sum[s]! + f[i]!;
      }
      if (has[s] === 1) putNumber(out, i, sum[s]!);
      else putNull(out, i);
    }
  }
}

/** Exact running sum of integers, as int64. */
export class IntCumSum implements Kernel {
  readonly outType: ColumnType = "int64";
  readonly raw = false;
  readonly #sum = new ExactSum();
  /** 0: no value yet; 1: the sum is `d` alone; 2: it has a bigint part. */
  #has = new Uint8Array(16);
  ensure(n: number): void {
    this.#sum.ensure(n);
    this.#has = grow(this.#has, n);
  }
  reset(slot: number): void {
    this.#has[slot] = 0;
    this.#sum.reset(slot);
  }
  save(slot: number): unknown {
    return [this.#has[slot], encNum(this.#sum.d[slot]!), encBig(this.#sum.big[slot])];
  }
  restore(slot: number, data: unknown): void {
    const [has, d, big] = data as [number, unknown, unknown];
    this.#has[slot] = has;
    this.#sum.d[slot] = decF(d);
    this.#sum.big[slot] = decBig(big);
  }
  run(slots: Int32Array, n: number, x: Values, _ts: Stamps | null, out: Out): void {
    const sum = this.#sum;
    const d = sum.d;
    const has = this.#has;
    const f = x.f;
    const ok = x.ok;
    const big = x.big;
    const w = out.words;
    let i = 0;
    if (w !== null && big === null) {
      // Every input a safe integer, and the output's words at hand: while a group's sum is a
      // double alone (|sum| <= 2^52, an integer) its words are written directly (low word: the
      // sum modulo 2^32; high: the sum over 2^32, rounded down). A row that spills, or whose
      // group has a bigint part, leaves the rest to the general loop below.
      let valid = out.chunk.valid;
      for (; i < n; i++) {
        const s = slots[i]!;
        const h = has[s]!;
        if (h === 2) break;
        let v: number;
        if (ok[i] === 1) {
          v = d[s]! + f[i]!;
          if (v > SPILL || v < -SPILL) break;
          d[s] = v;
          if (h === 0) has[s] = 1;
        } else if (h === 0) {
          putNull(out, i);
          valid = out.chunk.valid;
          continue;
        } else v = d[s]!;
        w[2 * i] = v | 0;
        w[2 * i + 1] = Math.floor(v * INV_2_32);
        if (valid !== null) valid[i] = 1;
      }
    }
    for (; i < n; i++) {
      const s = slots[i]!;
      if (ok[i] === 1) {
        if (has[s] === 0) has[s] = 1;
        const b = big === null ? undefined : big[i];
        if (b !== undefined) {
          sum.addBig(s, b);
          has[s] = 2;
        } else {
          const v = d[s]! + f[i]!;
          d[s] = v;
          if (v > SPILL || v < -SPILL) {
            sum.spill(s);
            has[s] = 2;
          }
        }
      }
      const h = has[s]!;
      if (h === 1) putNumber(out, i, d[s]!);
      else if (h === 0) putNull(out, i);
      else putPrim(out, i, sum.bigint(s));
    }
  }
}

/** Running product of integers, as int64 (wrapping like Deephaven's long arithmetic). */
export class IntCumProd implements Kernel {
  readonly outType: ColumnType = "int64";
  readonly raw = false;
  #p = new Float64Array(16);
  #has = new Uint8Array(16);
  readonly #big: (bigint | undefined)[] = [];
  ensure(n: number): void {
    this.#p = grow(this.#p, n);
    this.#has = grow(this.#has, n);
  }
  reset(slot: number): void {
    this.#has[slot] = 0;
    this.#big[slot] = undefined;
  }
  save(slot: number): unknown {
    return [this.#has[slot], encNum(this.#p[slot]!), encBig(this.#big[slot])];
  }
  restore(slot: number, data: unknown): void {
    const [has, p, big] = data as [number, unknown, unknown];
    this.#has[slot] = has;
    this.#p[slot] = decF(p);
    this.#big[slot] = decBig(big);
  }
  run(slots: Int32Array, n: number, x: Values, _ts: Stamps | null, out: Out): void {
    const p = this.#p;
    const has = this.#has;
    const bigs = this.#big;
    for (let i = 0; i < n; i++) {
      const s = slots[i]!;
      if (x.ok[i] === 1) {
        const v = x.prim(i);
        if (has[s] === 0) {
          has[s] = 1;
          if (typeof v === "number") p[s] = v;
          else bigs[s] = v;
        } else {
          const cur = bigs[s];
          if (cur === undefined && typeof v === "number" && Math.abs(p[s]! * v) < SAFE) {
            p[s] = p[s]! * v + 0; // + 0: an int64 product is never -0
          } else {
            const a = cur ?? BigInt(p[s]!);
            const r = BigInt.asIntN(64, a * BigInt(v));
            if (r >= -9007199254740991n && r <= 9007199254740991n) {
              p[s] = Number(r);
              bigs[s] = undefined;
            } else bigs[s] = r;
          }
        }
      }
      if (has[s] === 0) putNull(out, i);
      else {
        const b = bigs[s];
        if (b === undefined) putNumber(out, i, p[s]!);
        else putPrim(out, i, b);
      }
    }
  }
}

/**
 * Running min or max of non-null values, in the input type. NaN sorts above every number (as
 * the aggregations' min and max); ties keep the earlier value.
 */
export class CumExtreme implements Kernel {
  readonly outType: ColumnType;
  readonly raw = false;
  #cur: (number | bigint)[] = [];
  #has = new Uint8Array(16);
  readonly #max: boolean;
  constructor(type: ColumnType, max: boolean) {
    this.outType = type;
    this.#max = max;
  }
  ensure(n: number): void {
    this.#has = grow(this.#has, n);
  }
  reset(slot: number): void {
    this.#has[slot] = 0;
  }
  save(slot: number): unknown {
    const has = this.#has[slot]!;
    return [has, has === 1 ? encNum(this.#cur[slot]!) : null];
  }
  restore(slot: number, data: unknown): void {
    const [has, cur] = data as [number, unknown];
    this.#has[slot] = has;
    if (has === 1) this.#cur[slot] = decNum(cur);
  }
  run(slots: Int32Array, n: number, x: Values, _ts: Stamps | null, out: Out): void {
    const cur = this.#cur;
    const has = this.#has;
    const max = this.#max;
    for (let i = 0; i < n; i++) {
      const s = slots[i]!;
      if (x.ok[i] === 1) {
        const v = x.prim(i);
        if (has[s] === 0) {
          has[s] = 1;
          cur[s] = v;
        } else if (max ? above(v, cur[s]!) : above(cur[s]!, v)) cur[s] = v;
      }
      if (has[s] === 0) putNull(out, i);
      else putPrim(out, i, cur[s]!);
    }
  }
}

/** Whether `a` sorts strictly above `b` (NaN above every number, equal to NaN). */
export function above(a: number | bigint, b: number | bigint): boolean {
  if (a !== a) return b === b;
  if (b !== b) return false;
  return a > b;
}

/** The value minus the previous row's, in the input type; null when either is null. */
export class Delta implements Kernel {
  readonly outType: ColumnType;
  readonly raw = false;
  #prev: (number | bigint)[] = [];
  #ok = new Uint8Array(16);
  readonly #int64: boolean;
  constructor(type: ColumnType) {
    this.outType = type;
    this.#int64 = type === "int64";
  }
  ensure(n: number): void {
    this.#ok = grow(this.#ok, n);
  }
  reset(slot: number): void {
    this.#ok[slot] = 0;
  }
  save(slot: number): unknown {
    const ok = this.#ok[slot]!;
    return [ok, ok === 1 ? encNum(this.#prev[slot]!) : null];
  }
  restore(slot: number, data: unknown): void {
    const [ok, prev] = data as [number, unknown];
    this.#ok[slot] = ok;
    if (ok === 1) this.#prev[slot] = decNum(prev);
  }
  run(slots: Int32Array, n: number, x: Values, _ts: Stamps | null, out: Out): void {
    const prev = this.#prev;
    const pok = this.#ok;
    for (let i = 0; i < n; i++) {
      const s = slots[i]!;
      if (x.ok[i] === 0) {
        putNull(out, i);
        pok[s] = 0;
        continue;
      }
      const v = x.prim(i);
      if (pok[s] === 0) putNull(out, i);
      else {
        const p = prev[s]!;
        if (typeof v === "number" && typeof p === "number") {
          const d = v - p;
          if (this.#int64 && (d >= SAFE || d <= -SAFE)) putPrim(out, i, BigInt(v) - BigInt(p));
          else putNumber(out, i, d);
        } else putPrim(out, i, BigInt(v) - BigInt(p));
      }
      prev[s] = v;
      pok[s] = 1;
    }
  }
}

/** The last non-null value, any type. */
export class ForwardFill implements Kernel {
  readonly outType: ColumnType;
  readonly raw = true;
  #last: RawValue[] = [];
  constructor(type: ColumnType) {
    this.outType = type;
  }
  ensure(_n: number): void {}
  reset(slot: number): void {
    this.#last[slot] = null;
  }
  save(slot: number): unknown {
    return encAny(this.#last[slot]);
  }
  restore(slot: number, data: unknown): void {
    this.#last[slot] = decAny(data);
  }
  run(slots: Int32Array, n: number, x: Values, _ts: Stamps | null, out: Out): void {
    const last = this.#last;
    const raw = x.raw;
    for (let i = 0; i < n; i++) {
      const s = slots[i]!;
      if (x.ok[i] === 1) last[s] = raw[i]!;
      putRaw(out, i, last[s] ?? null);
    }
  }
}
