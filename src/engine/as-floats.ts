/**
 * Numeric values as float64, the way charts read them (downsample.ts, persist/page-summary.ts):
 * null reads as NaN, instants as epoch milliseconds to the microsecond, int64 values rounded to
 * the nearest float64. The conversion never decreases an order (a <= b gives f(a) <= f(b)), so
 * the lowest and highest converted values are the conversions of the lowest and highest.
 */
import type { Vec } from "./column-source.ts";
import type { ColumnType } from "./types.ts";
import { LITTLE_ENDIAN, TWO_32 } from "./words.ts";

/** Column types a chart can plot (instants only as x). */
export const PLOTTABLE = /^(int8|int16|int32|int64|float32|float64|instant)$/;

/** Writes `vec`'s first `len` values (of column type `type`) as float64 into `out` at `at`. */
export function floatsInto(
  type: ColumnType,
  vec: Vec,
  len: number,
  out: Float64Array,
  at: number,
): void {
  const data = vec.data;
  if (data instanceof BigInt64Array) readLongs(data, len, out, at, type === "instant");
  // A typed-array copy converts every numeric type natively (and stays fast: one call per run).
  else out.set((data as Float64Array).subarray(0, len), at);
  const valid = vec.valid;
  if (valid) {
    for (let i = 0; i < len; i++) if (valid[i] === 0) out[at + i] = Number.NaN;
  }
}

/**
 * int64 values as float64 from their two 32-bit halves (no BigInt per value: 10M conversions
 * would cost more than the rest of a downsample). Instants: ns -> ms at microsecond precision.
 */
function readLongs(
  data: BigInt64Array,
  len: number,
  out: Float64Array,
  at: number,
  instant: boolean,
): void {
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < len; i++) {
      const v = Number(data[i]!);
      out[at + i] = instant ? Math.round(v / 1e3) / 1e3 : v;
    }
    return;
  }
  const lo = new Uint32Array(data.buffer, data.byteOffset, len * 2);
  const hi = new Int32Array(data.buffer, data.byteOffset, len * 2);
  for (let i = 0; i < len; i++) {
    const v = hi[2 * i + 1]! * TWO_32 + lo[2 * i]!;
    out[at + i] = instant ? Math.round(v / 1e3) / 1e3 : v;
  }
}
