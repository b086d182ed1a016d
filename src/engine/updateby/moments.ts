/**
 * Moments: per-slot running count, sum and sum of squares of the values in a rolling window,
 * with values added and taken out again (sum, avg, std, count). Integer inputs keep exact sums
 * (ExactSum: doubles below 2^52, bigints past it); float inputs keep double sums of the finite
 * values plus counts of NaN and infinities, so taking an infinity out leaves no NaN behind. A
 * window whose count drops to zero starts again from an exact 0.
 */
import { ExactSum } from "../agg/int-accumulator.ts";
import { grow } from "../agg/slot-arrays.ts";
import { decBig, decF, encBig, encNum } from "./state-codec.ts";
import type { RollingKind } from "./update-by-spec.ts";
import type { Out } from "./values.ts";
import { putNull, putNumber, putPrim } from "./values.ts";

const SPILL = 2 ** 52;
const SQUARE_SAFE = 2 ** 26;
const EXACT = 2 ** 53;

export class Moments {
  readonly int: boolean;
  readonly squares: boolean;
  cnt = new Float64Array(16);
  readonly isum = new ExactSum();
  readonly isq = new ExactSum();
  fsum = new Float64Array(16);
  fsq = new Float64Array(16);
  nan = new Float64Array(16);
  pinf = new Float64Array(16);
  ninf = new Float64Array(16);

  constructor(int: boolean, squares: boolean) {
    this.int = int;
    this.squares = squares;
  }

  ensure(n: number): void {
    this.cnt = grow(this.cnt, n);
    if (this.int) {
      this.isum.ensure(n);
      if (this.squares) this.isq.ensure(n);
    } else {
      this.fsum = grow(this.fsum, n);
      this.nan = grow(this.nan, n);
      this.pinf = grow(this.pinf, n);
      this.ninf = grow(this.ninf, n);
      if (this.squares) this.fsq = grow(this.fsq, n);
    }
  }

  reset(s: number): void {
    this.cnt[s] = 0;
    if (this.int) {
      this.isum.reset(s);
      this.isq.reset(s);
    } else {
      this.fsum[s] = 0;
      this.fsq[s] = 0;
      this.nan[s] = 0;
      this.pinf[s] = 0;
      this.ninf[s] = 0;
    }
  }

  /** Slot `s`'s sums as a JSON-safe value (state-codec.ts). */
  save(s: number): unknown {
    if (this.int)
      return [
        this.cnt[s],
        encNum(this.isum.d[s]!),
        encBig(this.isum.big[s]),
        encNum(this.isq.d[s] ?? 0),
        encBig(this.isq.big[s]),
      ];
    return [
      this.cnt[s],
      encNum(this.fsum[s]!),
      encNum(this.fsq[s] ?? 0),
      this.nan[s],
      this.pinf[s],
      this.ninf[s],
    ];
  }

  /** Sets slot `s`'s sums from `save`'s value. */
  restore(s: number, data: unknown): void {
    const a = data as unknown[];
    this.cnt[s] = a[0] as number;
    if (this.int) {
      this.isum.d[s] = decF(a[1]);
      this.isum.big[s] = decBig(a[2]);
      if (this.squares) {
        this.isq.d[s] = decF(a[3]);
        this.isq.big[s] = decBig(a[4]);
      }
      return;
    }
    this.fsum[s] = decF(a[1]);
    if (this.squares) this.fsq[s] = decF(a[2]);
    this.nan[s] = a[3] as number;
    this.pinf[s] = a[4] as number;
    this.ninf[s] = a[5] as number;
  }

  /** Adds (`sign` 1) or takes out (`sign` -1) one non-null value (`big`: an unsafe int64). */
  add(s: number, v: number, big: bigint | undefined, sign: 1 | -1): void {
    const c = this.cnt[s]! + sign;
    this.cnt[s] = c;
    if (c === 0) {
      this.reset(s);
      return;
    }
    if (this.int) {
      if (big !== undefined) {
        this.isum.addBig(s, sign > 0 ? big : -big);
        if (this.squares) this.isq.addBig(s, sign > 0 ? big * big : -(big * big));
        return;
      }
      const d = this.isum.d;
      const x = d[s]! + sign * v;
      d[s] = x;
      if (x > SPILL || x < -SPILL) this.isum.spill(s);
      if (this.squares) {
        if (v < SQUARE_SAFE && v > -SQUARE_SAFE) {
          const q = this.isq.d;
          const y = q[s]! + sign * v * v;
          q[s] = y;
          if (y > SPILL || y < -SPILL) this.isq.spill(s);
        } else {
          const b = BigInt(v);
          this.isq.addBig(s, sign > 0 ? b * b : -(b * b));
        }
      }
      return;
    }
    if (v !== v) this.nan[s]! += sign;
    else if (v === Number.POSITIVE_INFINITY) this.pinf[s]! += sign;
    else if (v === Number.NEGATIVE_INFINITY) this.ninf[s]! += sign;
    else {
      this.fsum[s]! += sign * v;
      if (this.squares) this.fsq[s]! += sign * v * v;
    }
  }

  /** The NaN or infinity a float sum takes from its non-finite values, or undefined. */
  #special(s: number): number | undefined {
    const p = this.pinf[s]!;
    const m = this.ninf[s]!;
    if (this.nan[s]! > 0 || (p > 0 && m > 0)) return Number.NaN;
    if (p > 0) return Number.POSITIVE_INFINITY;
    if (m > 0) return Number.NEGATIVE_INFINITY;
    return undefined;
  }

  /** Writes the window's `kind` (Sum, Avg, Std or Count) of slot `s` at `out[i]`. */
  write(kind: RollingKind, s: number, out: Out, i: number): void {
    const n = this.cnt[s]!;
    if (kind === "Count") {
      putNumber(out, i, n);
      return;
    }
    if (n === 0) {
      putNull(out, i);
      return;
    }
    if (this.int) {
      const sum = this.isum;
      if (kind === "Sum") {
        if (sum.isSmall(s)) putNumber(out, i, sum.d[s]!);
        else putPrim(out, i, sum.bigint(s));
      } else if (kind === "Avg") putNumber(out, i, sum.number(s) / n);
      else putNumber(out, i, intStd(sum, this.isq, s, n));
      return;
    }
    const sp = this.#special(s);
    if (kind === "Std") {
      if (n === 1 || sp !== undefined) putNumber(out, i, Number.NaN);
      else {
        const sum = this.fsum[s]!;
        const v = (this.fsq[s]! - sum * (sum / n)) / (n - 1);
        putNumber(out, i, Math.sqrt(Math.max(v, 0)));
      }
      return;
    }
    const sum = sp ?? this.fsum[s]!;
    putNumber(out, i, kind === "Sum" ? sum : sum / n);
  }
}

/** Sample standard deviation of integers from exact sums (the numerator is exact). */
function intStd(sum: ExactSum, sq: ExactSum, s: number, n: number): number {
  if (n === 1) return Number.NaN;
  let num: number;
  const a = sum.isSmall(s) && sq.isSmall(s) ? n * sq.d[s]! : Number.POSITIVE_INFINITY;
  const b = sum.d[s]! * sum.d[s]!;
  if (a < EXACT && b < EXACT) num = a - b;
  else num = Number(BigInt(n) * sq.bigint(s) - sum.bigint(s) ** 2n);
  return Math.sqrt(num / (n * (n - 1)));
}
