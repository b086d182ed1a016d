/**
 * FloatAccumulator: per-group sums of float32/float64 inputs (and optionally sums of squares),
 * shared by sum, absSum, avg, var and std. NaN, +Infinity and -Infinity are counted apart from
 * the finite sum, as Deephaven does, so removing the NaN or infinity restores the finite result.
 * A group whose finite values all left has its sums reset to exactly 0 (no drift carried over).
 * Until a NaN or an infinity first arrives, the outputs skip reading their counts (three per-group
 * arrays a group at every flush).
 */
import type { Vec } from "../column.ts";
import { sumFloatWasm } from "./agg-wasm.ts";
import { grow } from "./slot-arrays.ts";
import { dec, enc } from "./state-codec.ts";

export class FloatAccumulator {
  sum = new Float64Array(16);
  sq: Float64Array | null;
  /** Finite non-null values per group. */
  normal = new Float64Array(16);
  nan = new Float64Array(16);
  pinf = new Float64Array(16);
  ninf = new Float64Array(16);
  readonly #abs: boolean;
  /** A NaN or an infinity has arrived (its counts are read from then on). */
  #special = false;

  constructor(options: { abs?: boolean; squares?: boolean } = {}) {
    this.#abs = options.abs ?? false;
    this.sq = options.squares ? new Float64Array(16) : null;
  }

  ensure(n: number): void {
    this.sum = grow(this.sum, n);
    if (this.sq) this.sq = grow(this.sq, n);
    this.normal = grow(this.normal, n);
    this.nan = grow(this.nan, n);
    this.pinf = grow(this.pinf, n);
    this.ninf = grow(this.ninf, n);
  }

  /** The slot's state for persistence: [sum, sumSq, normal, nan, +inf, -inf]. */
  saveSlot(s: number): unknown {
    return [
      enc(this.sum[s]),
      enc(this.sq ? this.sq[s] : 0),
      this.normal[s],
      this.nan[s],
      this.pinf[s],
      this.ninf[s],
    ];
  }

  restoreSlot(s: number, state: unknown): void {
    const [sum, sq, normal, nan, pinf, ninf] = state as [
      unknown,
      unknown,
      number,
      number,
      number,
      number,
    ];
    this.sum[s] = dec(sum) as number;
    if (this.sq) this.sq[s] = dec(sq) as number;
    this.normal[s] = normal;
    this.nan[s] = nan;
    this.pinf[s] = pinf;
    this.ninf[s] = ninf;
    if (nan !== 0 || pinf !== 0 || ninf !== 0) this.#special = true;
  }

  /** Adds (`sign` 1) or subtracts (`sign` -1) the non-null values of `vec[0..n)`. */
  apply(slots: Int32Array, n: number, vec: Vec, sign: 1 | -1): void {
    const { sum, sq, normal, nan, pinf, ninf } = this;
    const abs = this.#abs;
    if (vec.data instanceof Float64Array) {
      const groups = Math.min(sum.length, normal.length, nan.length, pinf.length, ninf.length);
      const specials = sumFloatWasm(slots, n, vec, sign, abs, groups, this);
      if (specials > 0) this.#special = true;
      if (specials >= 0) return;
    }
    const valid = vec.valid;
    const data = vec.data as ArrayLike<number>;
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) continue;
      const s = slots[i]!;
      let x = data[i]!;
      if (abs && x < 0) x = -x;
      if (x - x === 0) {
        sum[s]! += sign * x;
        if (sq !== null) sq[s]! += sign * x * x;
        normal[s]! += sign;
      } else {
        this.#special = true;
        if (x !== x) nan[s]! += sign;
        else if (x > 0) pinf[s]! += sign;
        else ninf[s]! += sign;
      }
    }
    if (sign < 0) {
      for (let i = 0; i < n; i++) {
        const s = slots[i]!;
        if (normal[s] === 0) {
          sum[s] = 0;
          if (sq !== null) sq[s] = 0;
        }
      }
    }
  }

  /** Non-finite non-null values of the group. */
  special(s: number): number {
    return this.#special ? this.nan[s]! + this.pinf[s]! + this.ninf[s]! : 0;
  }

  /**
   * The value a sum or mean takes from the non-finite values alone: NaN if there is a NaN or
   * both infinities, else the infinity present; undefined when every value is finite.
   */
  specialResult(s: number): number | undefined {
    if (!this.#special) return undefined;
    const p = this.pinf[s]!;
    const m = this.ninf[s]!;
    if (this.nan[s]! > 0 || (p > 0 && m > 0)) return Number.NaN;
    if (p > 0) return Number.POSITIVE_INFINITY;
    if (m > 0) return Number.NEGATIVE_INFINITY;
    return undefined;
  }
}
