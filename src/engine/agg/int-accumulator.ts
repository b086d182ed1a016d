/**
 * IntAccumulator: exact per-group sums (and optionally sums of squares) of integer, char and
 * bool inputs, shared by sum, absSum, avg, var and std.
 *
 * A group's non-null values are its rows (the aggregation's count, `GroupCounts`) less its nulls,
 * which are counted only once a null arrives: a column without nulls costs no per-row count and
 * no per-group array beyond the sums (a group-by over 100,000 random keys reads one array less per
 * row, and its flush one less per group).
 *
 * Exactness without a BigInt per row: each group's partial sum lives in a Float64Array while
 * |partial| <= 2^52. A value below 2^52 in magnitude then cannot push it past 2^53, so every
 * addition is exact; once a partial passes 2^52 it is moved ("spilled") into a per-group bigint.
 * int64 values of 2^52 or more, and squares of values of 2^26 or more, go to the bigint
 * directly (rare, and the only path that allocates per row). Nothing is ever rounded.
 */
import type { Vec } from "../column.ts";
import type { ColumnType } from "../types.ts";
import { LITTLE_ENDIAN, TWO_32, wordsOf } from "../words.ts";
import { sumIntWasm } from "./agg-wasm.ts";
import { int64At, isBig } from "./prim.ts";
import { grow } from "./slot-arrays.ts";
import { dec, enc } from "./state-codec.ts";

const SPILL = 2 ** 52;
const SQUARE_SAFE = 2 ** 26;
/** High words for which an int64 is below 2^52 in magnitude. */
const HI_52 = 0x100000;

/** An exact per-slot integer sum: `d[s]` (|d| <= 2^52) plus an optional bigint part. */
export class ExactSum {
  d = new Float64Array(16);
  readonly big: (bigint | undefined)[] = [];
  /**
   * Whether any slot ever had a bigint part. Until then every partial is an exact sum of the
   * values still in it, so a group whose last value leaves is back at 0 without a reset.
   */
  spilled = false;

  ensure(n: number): void {
    this.d = grow(this.d, n);
  }

  spill(s: number): void {
    this.spilled = true;
    this.big[s] = (this.big[s] ?? 0n) + BigInt(this.d[s]!);
    this.d[s] = 0;
  }

  addBig(s: number, b: bigint): void {
    this.spilled = true;
    this.big[s] = (this.big[s] ?? 0n) + b;
  }

  reset(s: number): void {
    this.d[s] = 0;
    if (this.big[s] !== undefined) this.big[s] = undefined;
  }

  /** The exact total. */
  bigint(s: number): bigint {
    const b = this.big[s];
    return b === undefined ? BigInt(this.d[s]!) : b + BigInt(this.d[s]!);
  }

  /** The total rounded once to a double. */
  number(s: number): number {
    const b = this.big[s];
    return b === undefined ? this.d[s]! : Number(b + BigInt(this.d[s]!));
  }

  /** Whether the total is `d[s]` alone (so exact as a double). */
  isSmall(s: number): boolean {
    return this.big[s] === undefined;
  }
}

/**
 * The rows of each group, as the aggregation counts them (`AggregationCore.counts`: updated for a
 * span before its values reach the accumulator).
 */
export interface GroupCounts {
  readonly counts: Float64Array;
}

export class IntAccumulator {
  readonly sum = new ExactSum();
  /** Sum of squares (var/std only). */
  readonly sq: ExactSum | null;
  /** Null values per group; null until the first null value arrives. */
  #nulls: Float64Array | null = null;
  readonly #groups: GroupCounts;
  readonly #big: boolean;
  readonly #abs: boolean;

  constructor(
    type: ColumnType,
    groups: GroupCounts,
    options: { abs?: boolean; squares?: boolean } = {},
  ) {
    this.#big = isBig(type);
    this.#abs = options.abs ?? false;
    this.sq = options.squares ? new ExactSum() : null;
    this.#groups = groups;
  }

  ensure(n: number): void {
    this.sum.ensure(n);
    this.sq?.ensure(n);
    if (this.#nulls !== null) this.#nulls = grow(this.#nulls, n);
  }

  /** Non-null values in group `s`: its rows less its nulls. */
  nonNull(s: number): number {
    const nulls = this.#nulls;
    return nulls === null ? this.#groups.counts[s]! : this.#groups.counts[s]! - nulls[s]!;
  }

  /** The null counts, made (all 0) when first needed. */
  #nullCounts(): Float64Array {
    this.#nulls ??= new Float64Array(this.sum.d.length);
    return this.#nulls;
  }

  /** The slot's state for persistence: [nn, d, big, sq.d, sq.big] (bigints encoded). */
  saveSlot(s: number): unknown {
    const sq = this.sq;
    return [
      this.nonNull(s),
      this.sum.d[s],
      enc(this.sum.big[s]),
      sq ? sq.d[s] : 0,
      enc(sq?.big[s]),
    ];
  }

  /** Restores a slot saved by `saveSlot`, once the group's row count is back (`GroupCounts`). */
  restoreSlot(s: number, state: unknown): void {
    const [nn, d, big, sqd, sqbig] = state as [number, number, unknown, number, unknown];
    const nulls = this.#groups.counts[s]! - nn;
    if (nulls !== 0 || this.#nulls !== null) this.#nullCounts()[s] = nulls;
    this.sum.d[s] = d;
    const b = dec(big);
    if (b !== null) {
      this.sum.big[s] = b as bigint;
      this.sum.spilled = true;
    }
    if (this.sq) {
      this.sq.d[s] = sqd;
      const q = dec(sqbig);
      if (q !== null) {
        this.sq.big[s] = q as bigint;
        this.sq.spilled = true;
      }
    }
  }

  /**
   * Adds (`sign` 1) or subtracts (`sign` -1) the non-null values of `vec[0..n)`, whose rows the
   * groups' counts already include (or no longer include).
   */
  apply(slots: Int32Array, n: number, vec: Vec, sign: 1 | -1): void {
    const valid = vec.valid;
    if (valid !== null) {
      for (let i = 0; i < n; i++) if (valid[i] === 0) this.#nullCounts()[slots[i]!]! += sign;
    }
    // Rows the engine's WebAssembly applied (agg-wasm.ts); the loops here take the rest.
    const from =
      (this.#big && LITTLE_ENDIAN) || vec.data instanceof Int32Array
        ? sumIntWasm(slots, n, vec, this.#big, sign, this.#abs, this.sum.d.length, this.sum.d)
        : 0;
    if (this.#big && LITTLE_ENDIAN) this.#applyInt64(slots, from, n, vec, sign);
    else this.#applyNumbers(slots, from, n, vec, sign);
    if (this.sq) this.#applySquares(slots, n, vec, sign, this.sq);
    if (sign < 0 && (this.sum.spilled || this.sq?.spilled === true)) {
      for (let i = 0; i < n; i++) {
        const s = slots[i]!;
        if (this.nonNull(s) === 0) {
          this.sum.reset(s);
          this.sq?.reset(s);
        }
      }
    }
  }

  #applyNumbers(slots: Int32Array, from: number, n: number, vec: Vec, sign: 1 | -1): void {
    const sum = this.sum;
    const d = sum.d;
    const abs = this.#abs;
    const valid = vec.valid;
    if (this.#big) {
      // Big-endian fallback: one BigInt per row.
      const data = vec.data as BigInt64Array;
      for (let i = from; i < n; i++) {
        if (valid !== null && valid[i] === 0) continue;
        const s = slots[i]!;
        let b = data[i]!;
        if (abs && b < 0n) b = -b;
        sum.addBig(s, sign > 0 ? b : -b);
      }
      return;
    }
    const data = vec.data as ArrayLike<number>;
    for (let i = from; i < n; i++) {
      if (valid !== null && valid[i] === 0) continue;
      const s = slots[i]!;
      let x = data[i]!;
      if (abs && x < 0) x = -x;
      const v = d[s]! + sign * x;
      d[s] = v;
      if (v > SPILL || v < -SPILL) sum.spill(s);
    }
  }

  #applyInt64(slots: Int32Array, from: number, n: number, vec: Vec, sign: 1 | -1): void {
    const sum = this.sum;
    const d = sum.d;
    const abs = this.#abs;
    const valid = vec.valid;
    const data = vec.data as BigInt64Array;
    const w = wordsOf(data);
    for (let i = from; i < n; i++) {
      if (valid !== null && valid[i] === 0) continue;
      const s = slots[i]!;
      const hi = w[2 * i + 1]!;
      if (hi >= -HI_52 && hi < HI_52) {
        let x = hi * TWO_32 + (w[2 * i]! >>> 0);
        if (abs && x < 0) x = -x;
        const v = d[s]! + sign * x;
        d[s] = v;
        if (v > SPILL || v < -SPILL) sum.spill(s);
      } else {
        let b = data[i]!;
        if (abs && b < 0n) b = -b;
        sum.addBig(s, sign > 0 ? b : -b);
      }
    }
  }

  #applySquares(slots: Int32Array, n: number, vec: Vec, sign: 1 | -1, sq: ExactSum): void {
    const valid = vec.valid;
    const big = this.#big;
    const data = vec.data as ArrayLike<number | bigint>;
    const w = big ? wordsOf(vec.data as BigInt64Array) : null;
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) continue;
      const s = slots[i]!;
      const x = w === null ? (data[i] as number) : int64At(w, vec.data as BigInt64Array, i);
      if (typeof x === "number" && x < SQUARE_SAFE && x > -SQUARE_SAFE) {
        const v = sq.d[s]! + sign * x * x;
        sq.d[s] = v;
        if (v > SPILL || v < -SPILL) sq.spill(s);
      } else {
        const b = BigInt(x);
        sq.addBig(s, sign > 0 ? b * b : -(b * b));
      }
    }
  }
}
