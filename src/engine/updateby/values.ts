/**
 * Values: one input column of a run of rows converted for the updateBy kernels, and the writer
 * of one output chunk.
 *
 * Inputs are read as doubles (`f`) with a non-null flag (`ok`); int64 values beyond +/-2^53,
 * which a double cannot hold exactly, are also kept as bigints in `big` (sparse, usually empty),
 * so integer sums, products, min/max and deltas stay exact. Timestamps are kept as two exact
 * doubles per row, the high word times 2^32 (`th`) and the unsigned low word (`tl`), so the
 * difference of two stamps is exact whenever it is below 2^53 ns (about 104 days), which covers
 * every window and decay the specs accept: no bigint per row.
 */

import type { Chunk, Vec } from "../column-source.ts";
import type { ColumnType, RawValue, TypedStorage } from "../types.ts";
import { LITTLE_ENDIAN, TWO_32, wordsOf } from "../words.ts";

const SAFE_HI = 0x200000;

/** Converted input values of `n` rows. */
export class Values {
  /** The values as doubles: this object's own array, or a float64 input's storage (read only). */
  f: Float64Array = new Float64Array(0);
  #own: Float64Array = this.f;
  ok = new Uint8Array(0);
  /** int64 values a double cannot hold exactly, by position (null: none in this run). */
  big: (bigint | undefined)[] | null = null;
  /** Raw storage values (forwardFill of any type); filled only when asked. */
  raw: RawValue[] = [];
  n = 0;

  /** Room for `n` rows; forgets unsafe int64 values. */
  reset(n: number): this {
    if (this.#own.length < n) {
      const cap = Math.max(n, this.#own.length * 2, 64);
      this.#own = new Float64Array(cap);
      this.ok = new Uint8Array(cap);
    }
    this.f = this.#own;
    this.n = n;
    this.big = null;
    return this;
  }

  /** The exact value at `i` (a bigint only for int64 values beyond +/-2^53). */
  prim(i: number): number | bigint {
    const b = this.big === null ? undefined : this.big[i];
    return b === undefined ? this.f[i]! : b;
  }
}

/**
 * Reads `vec[0..n)` of a column of `type` into `dst` at positions `[at, at + n)`. A float64
 * input read whole (`at` 0, `n` the rows `dst` was reset for) is not copied: `dst.f` becomes its
 * storage, which the kernels only read.
 */
export function readValues(
  vec: Vec,
  type: ColumnType,
  n: number,
  dst: Values,
  at: number,
  raw: boolean,
): void {
  const f = dst.f;
  const ok = dst.ok;
  const valid = vec.valid;
  if (valid === null) ok.fill(1, at, at + n);
  else ok.set(valid.subarray(0, n), at);
  if (raw) {
    const data = vec.data as ArrayLike<RawValue>;
    for (let i = 0; i < n; i++)
      dst.raw[at + i] = valid !== null && valid[i] === 0 ? null : data[i]!;
    if (type === "string" || type.endsWith("[]")) return;
  }
  if (type === "int64" || type === "instant") {
    const data = vec.data as BigInt64Array;
    if (!LITTLE_ENDIAN) {
      for (let i = 0; i < n; i++) setInt64(dst, at + i, data[i]!);
      return;
    }
    const w = wordsOf(data);
    for (let i = 0; i < n; i++) {
      const hi = w[2 * i + 1]!;
      if (hi >= -SAFE_HI && hi < SAFE_HI) f[at + i] = hi * TWO_32 + (w[2 * i]! >>> 0);
      else setInt64(dst, at + i, data[i]!);
    }
    return;
  }
  const data = vec.data as Float64Array;
  if (at === 0 && n === dst.n && type === "float64") dst.f = data;
  else f.set(data.length === n ? data : data.subarray(0, n), at);
}

function setInt64(dst: Values, i: number, b: bigint): void {
  const x = Number(b);
  dst.f[i] = x;
  if (Number.isSafeInteger(x) && BigInt(x) === b) return;
  if (dst.big === null) dst.big = [];
  dst.big[i] = b;
}

/** Timestamps of `n` rows as exact high and low parts (see the module header). */
export class Stamps {
  th = new Float64Array(0);
  tl = new Float64Array(0);
  ok = new Uint8Array(0);

  reset(n: number): this {
    if (this.th.length < n) {
      const cap = Math.max(n, this.th.length * 2, 64);
      this.th = new Float64Array(cap);
      this.tl = new Float64Array(cap);
      this.ok = new Uint8Array(cap);
    }
    return this;
  }
}

/** Reads instant or int64 stamps `vec[0..n)` into `dst` at `[at, at + n)`. */
export function readStamps(vec: Vec, n: number, dst: Stamps, at: number): void {
  const valid = vec.valid;
  if (valid === null) dst.ok.fill(1, at, at + n);
  else dst.ok.set(valid.subarray(0, n), at);
  const data = vec.data as BigInt64Array;
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < n; i++) {
      const b = data[i]!;
      const hi = b >> 32n;
      dst.th[at + i] = Number(hi) * TWO_32;
      dst.tl[at + i] = Number(b - (hi << 32n));
    }
    return;
  }
  const w = wordsOf(data);
  for (let i = 0; i < n; i++) {
    dst.th[at + i] = w[2 * i + 1]! * TWO_32;
    dst.tl[at + i] = w[2 * i]! >>> 0;
  }
}

/** The output chunk of one kernel run: typed data plus, for int64 outputs, its words. */
export class Out {
  readonly chunk: Chunk;
  /** int64 output: the chunk's words (little-endian hosts), else null. */
  words: Int32Array | null = null;
  #wordsOf: unknown = null;
  readonly big: boolean;

  constructor(chunk: Chunk) {
    this.chunk = chunk;
    this.big = chunk.type === "int64" || chunk.type === "instant";
  }

  /** Starts a run of `n` outputs. */
  reset(n: number): this {
    this.chunk.reset(n);
    this.#words();
    return this;
  }

  /**
   * Starts a run of `n` outputs written straight into `data` (a view of a column's typed
   * storage, as long as the run, from PagedColumn.writableRun); nulls go to the chunk's
   * validity, as with `reset`. An Out used this way is not `reset` again (its data is the view).
   */
  into(data: TypedStorage, n: number): this {
    const c = this.chunk;
    c.data = data;
    c.length = n;
    c.valid = null;
    this.#words();
    return this;
  }

  #words(): void {
    if (this.big && LITTLE_ENDIAN && this.#wordsOf !== this.chunk.data) {
      this.#wordsOf = this.chunk.data;
      this.words = wordsOf(this.chunk.data as BigInt64Array);
    }
  }
}

/** Writes a number (an exact integer for int64 outputs) at `i`. */
export function putNumber(out: Out, i: number, v: number): void {
  const c = out.chunk;
  if (out.big) {
    const w = out.words;
    if (w !== null && Number.isSafeInteger(v)) {
      const hi = Math.floor(v / TWO_32);
      w[2 * i] = (v - hi * TWO_32) | 0;
      w[2 * i + 1] = hi | 0;
    } else (c.data as BigInt64Array)[i] = BigInt.asIntN(64, BigInt(v));
  } else (c.data as Float64Array)[i] = v;
  if (c.valid !== null) c.valid[i] = 1;
}

/** Writes a number or an int64 bigint (wrapped to 64 bits) at `i`. */
export function putPrim(out: Out, i: number, v: number | bigint): void {
  if (typeof v === "number") putNumber(out, i, v);
  else {
    (out.chunk.data as BigInt64Array)[i] = BigInt.asIntN(64, v);
    if (out.chunk.valid !== null) out.chunk.valid[i] = 1;
  }
}

/** Writes a raw storage value (or null) at `i`. */
export function putRaw(out: Out, i: number, v: RawValue): void {
  if (v === null) out.chunk.setNull(i);
  else {
    (out.chunk.data as unknown as RawValue[])[i] = v;
    if (out.chunk.valid !== null) out.chunk.valid[i] = 1;
  }
}

/** Writes null at `i`. */
export function putNull(out: Out, i: number): void {
  out.chunk.setNull(i);
}
