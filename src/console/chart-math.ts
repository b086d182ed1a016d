/**
 * The chart's arithmetic, DOM-free so it is tested in plain Node: reading a numeric column into a
 * Float64Array, M4 decimation (per bucket of consecutive points keep the first, lowest, highest
 * and last, so a line drawn through the kept points looks the same at pixel resolution), a y range
 * that ignores rare huge outliers (tan(x) near π/2), and "nice" axis ticks.
 */
import { PAGE_SIZE } from "../engine/column.ts";
import { Chunk, runKeys } from "../engine/column-source.ts";
import type { Table } from "../engine/index.ts";

/**
 * Values of column `name` in row-key order as float64 (null and NaN give NaN; int64 is rounded,
 * instants become epoch milliseconds). `name === null` gives the row positions 0, 1, 2, ...
 * Reads whole runs of a page at a time (zero-copy views), not cell by cell.
 */
export function readNumbers(table: Table, name: string | null, out?: Float64Array): Float64Array {
  const n = table.size;
  const res = out && out.length >= n ? out : new Float64Array(Math.max(n, 1024));
  if (name === null) {
    for (let i = 0; i < n; i++) res[i] = i;
    return res;
  }
  const col = table.column(name);
  const instant = col.type === "instant";
  const chunk = new Chunk(col.type);
  let p = 0;
  table.rowSet.forEachRange((start, end) => {
    let k = start;
    while (k < end) {
      const len = Math.min(end - k, PAGE_SIZE - (k % PAGE_SIZE));
      const vec = col.getChunk(runKeys(k, len), false, chunk);
      const data = vec.data as ArrayLike<number | bigint>;
      const valid = vec.valid;
      if (data instanceof BigInt64Array) {
        for (let i = 0; i < len; i++) {
          const v = Number(data[i]!);
          res[p + i] = valid && valid[i] === 0 ? Number.NaN : instant ? v / 1e6 : v;
        }
      } else {
        for (let i = 0; i < len; i++)
          res[p + i] = valid && valid[i] === 0 ? Number.NaN : (data[i] as number);
      }
      p += len;
      k += len;
    }
  });
  return res;
}

/**
 * M4 decimation of points `0..n` into `buckets` buckets of consecutive indices: returns the kept
 * indices in ascending order (at most 4 per bucket, plus one NaN per bucket that holds a gap, so
 * lines still break there). With `n <= 4 * buckets` every index is kept.
 */
export function m4(ys: Float64Array, n: number, buckets: number): Int32Array {
  if (n <= 4 * buckets) {
    const all = new Int32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    return all;
  }
  const out = new Int32Array(5 * buckets);
  let m = 0;
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * n) / buckets);
    const to = Math.floor(((b + 1) * n) / buckets);
    if (to <= from) continue;
    let lo = -1;
    let hi = -1;
    let gap = -1;
    let first = -1;
    let last = -1;
    for (let i = from; i < to; i++) {
      const y = ys[i]!;
      if (Number.isNaN(y)) {
        if (gap < 0) gap = i;
        continue;
      }
      if (first < 0) first = i;
      last = i;
      if (lo < 0 || y < ys[lo]!) lo = i;
      if (hi < 0 || y > ys[hi]!) hi = i;
    }
    const kept = [first, lo, hi, last, gap].filter((i) => i >= 0).sort((a, c) => a - c);
    let prev = -1;
    for (const i of kept) {
      if (i !== prev) out[m++] = i;
      prev = i;
    }
  }
  return out.subarray(0, m);
}

export interface YRange {
  min: number;
  max: number;
  /** True when rare outliers lie outside [min, max] (their lines are clipped). */
  clipped: boolean;
}

/**
 * The y range to show for the given series (finite values only, padded a little). When the full
 * range is more than 8 times the 2nd..98th percentile range, rare spikes would flatten everything
 * else, so the percentile range is shown and `clipped` is set.
 */
export function yRange(series: readonly Float64Array[], n: number): YRange | null {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const sample: number[] = [];
  const stride = Math.max(1, Math.floor((n * series.length) / 4000));
  for (const ys of series) {
    for (let i = 0; i < n; i++) {
      const y = ys[i]!;
      if (!Number.isFinite(y)) continue;
      if (y < min) min = y;
      if (y > max) max = y;
      if (i % stride === 0) sample.push(y);
    }
  }
  if (min > max) return null;
  let clipped = false;
  if (sample.length >= 50) {
    sample.sort((a, b) => a - b);
    const p02 = sample[Math.floor(sample.length * 0.02)]!;
    const p98 = sample[Math.ceil(sample.length * 0.98) - 1]!;
    if (p98 > p02 && max - min > 8 * (p98 - p02)) {
      min = p02;
      max = p98;
      clipped = true;
    }
  }
  if (min === max) {
    const d = min === 0 ? 1 : Math.abs(min) * 0.1;
    return { min: min - d, max: max + d, clipped };
  }
  const pad = (max - min) * (clipped ? 0.12 : 0.05);
  return { min: min - pad, max: max + pad, clipped };
}

/** About `count` round tick values covering [min, max] (steps of 1, 2 or 5 times a power of 10). */
export function niceTicks(min: number, max: number, count: number): number[] {
  if (!(max > min) || !Number.isFinite(min) || !Number.isFinite(max)) return [min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) {
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  return ticks;
}

/** Tick label: enough decimals for the step, no float noise. */
export function tickLabel(v: number, step: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e9 || a < 1e-4)) return v.toExponential(1);
  const decimals = Math.max(0, Math.min(8, -Math.floor(Math.log10(step) + 1e-9)));
  return v.toFixed(decimals);
}
