/**
 * StampCodec: the as-of joins' stamp of each row as numbers a StampList compares without
 * allocating: `(a, b)` in that order, or a string.
 *
 * - int8/16/32, float32/64, bool (false < true), char (UTF-16 code unit): `a` is the value,
 *   `b` is 0; NaN is `(+Infinity, 1)`, so it sorts above +Infinity and equals itself (as in
 *   Deephaven); -0 equals 0.
 * - int64/instant: `a` the signed high 32-bit word, `b` the unsigned low word (exact over the
 *   whole range; an instant's nanoseconds do not fit a double).
 * - string: the string, compared by UTF-16 code units (Java's `compareTo`).
 *
 * Null stamps are flagged: they match nothing and are kept in no list.
 */

import type { Vec } from "../column-source.ts";
import type { ColumnType } from "../types.ts";
import { LITTLE_ENDIAN, wordsOf } from "../words.ts";

export class StampCodec {
  readonly strings: boolean;
  readonly #big: boolean;
  a: Float64Array;
  b: Float64Array;
  /** The string stamps; "" for other types. */
  s: string[];
  /** 1 where the stamp is null. */
  isNull: Uint8Array;

  constructor(type: ColumnType, capacity: number) {
    this.strings = type === "string";
    this.#big = type === "int64" || type === "instant";
    this.a = new Float64Array(capacity);
    this.b = new Float64Array(capacity);
    // Filled for every type, so `s[i]` is always an in-bounds read ("" for non-string stamps).
    this.s = new Array<string>(capacity).fill("");
    this.isNull = new Uint8Array(capacity);
  }

  /** Encodes `vec[0..n)`. */
  read(vec: Vec, n: number): void {
    if (n > this.a.length) {
      this.a = new Float64Array(n);
      this.b = new Float64Array(n);
      this.isNull = new Uint8Array(n);
      this.s = new Array<string>(n).fill("");
    }
    const valid = vec.valid;
    const nul = this.isNull;
    if (valid === null) nul.fill(0, 0, n);
    else for (let i = 0; i < n; i++) nul[i] = valid[i] === 0 ? 1 : 0;
    const a = this.a;
    const b = this.b;
    if (this.strings) {
      const data = vec.data as ArrayLike<string>;
      const s = this.s;
      for (let i = 0; i < n; i++) s[i] = nul[i] ? "" : data[i]!;
      return;
    }
    if (this.#big) {
      const data = vec.data as BigInt64Array;
      if (LITTLE_ENDIAN) {
        const w = wordsOf(data);
        for (let i = 0; i < n; i++) {
          a[i] = w[2 * i + 1]!;
          b[i] = w[2 * i]! >>> 0;
        }
      } else {
        for (let i = 0; i < n; i++) {
          const v = data[i]!;
          a[i] = Number(BigInt.asIntN(32, v >> 32n));
          b[i] = Number(BigInt.asUintN(32, v));
        }
      }
      return;
    }
    const data = vec.data as ArrayLike<number>;
    for (let i = 0; i < n; i++) {
      const v = data[i]!;
      if (v !== v) {
        a[i] = Number.POSITIVE_INFINITY;
        b[i] = 1;
      } else {
        a[i] = v;
        b[i] = 0;
      }
    }
  }
}
