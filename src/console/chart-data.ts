/**
 * The chart's data in the shape uPlot draws: one ascending x array and, per series, a y array of
 * the same length (null where the series has no point). Two sources, both DOM-free and tested in
 * plain Node:
 * - a local table (a view the client mirrors whole): rows in x order; with a split-by column, one
 *   series per y column and key value, each holding only its key's rows (lines span the gaps);
 * - the server's downsample (`GET .../downsample`, docs/protocol.md): per pixel column one
 *   min/max pair per series, drawn as two points at the column's centre.
 */
import type { Table } from "../engine/index.ts";
import { readNumbers } from "./chart-math.ts";
import type { ChartSettings } from "./url-state.ts";

/** Most series one chart draws (y columns times key values). */
export const MAX_SERIES = 64;

export interface ChartSeries {
  /** Legend label: `Price`, or `Price · AAPL` when split. */
  label: string;
  y: string;
  /** The split-by value (text), or null. */
  key: string | null;
  /** 1: the left y axis; 2: the right (second) one. */
  axis: 1 | 2;
  values: (number | null)[];
}

export interface ChartData {
  xs: number[];
  series: ChartSeries[];
  /** Rows the data stands for. */
  rows: number;
  /** Points handed to the chart (all series). */
  points: number;
  /** True when more key values existed than MAX_SERIES allows (the rest are not drawn). */
  truncated: boolean;
}

const axisOf = (s: ChartSettings, y: string): 1 | 2 => (s.y2.includes(y) ? 2 : 1);
const label = (y: string, key: string | null) => (key === null ? y : `${y} · ${key}`);

/** Text of a split-by value as the chart labels it (null: "null"). */
function keyText(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  return String(v);
}

/** Chart data from every row of `table` (see the module comment). */
export function localChartData(table: Table, s: ChartSettings): ChartData {
  const n = table.isFailed ? 0 : table.size;
  const ys = [...s.ys, ...s.y2.filter((y) => !s.ys.includes(y))];
  const xs = readNumbers(table, s.x);
  // Rows in x order (stable): most views are already in x order, so check before sorting.
  let order: Int32Array | null = null;
  for (let i = 1; i < n; i++) {
    if (xs[i]! < xs[i - 1]!) {
      order = Int32Array.from({ length: n }, (_, j) => j).sort((a, b) => xs[a]! - xs[b]! || a - b);
      break;
    }
  }
  const rowAt = (i: number) => (order ? order[i]! : i);
  const kept: number[] = [];
  for (let i = 0; i < n; i++) if (Number.isFinite(xs[rowAt(i)]!)) kept.push(rowAt(i));
  const outX = kept.map((r) => xs[r]!);
  let keyIndex: Int32Array | null = null;
  let keys: (string | null)[] = [null];
  let truncated = false;
  if (s.by !== null && Object.hasOwn(table.columns, s.by)) {
    keyIndex = new Int32Array(n).fill(-1);
    const seen = new Map<string, number>();
    keys = [];
    const limit = Math.max(1, Math.floor(MAX_SERIES / Math.max(1, ys.length)));
    let p = 0;
    for (const key of table.rowSet) {
      const text = keyText(table.getValue(s.by, key));
      let k = seen.get(text);
      if (k === undefined && keys.length < limit) {
        k = keys.length;
        seen.set(text, k);
        keys.push(text);
      }
      if (k === undefined) truncated = true;
      keyIndex[p++] = k ?? -1;
    }
  }
  const series: ChartSeries[] = [];
  let points = 0;
  for (const y of ys) {
    const vals = readNumbers(table, y);
    for (let k = 0; k < keys.length; k++) {
      const key = keyIndex ? keys[k]! : null;
      const values = kept.map((r) => {
        if (keyIndex && keyIndex[r] !== k) return null;
        const v = vals[r]!;
        return Number.isNaN(v) ? null : v;
      });
      for (const v of values) if (v !== null) points++;
      series.push({ label: label(y, key), y, key, axis: axisOf(s, y), values });
    }
  }
  return { xs: outX, series, rows: n, points, truncated };
}

/** The JSON of `GET .../downsample` (docs/protocol.md). */
export interface DownsampleAnswer {
  width: number;
  total: number;
  xMin: number | null;
  xMax: number | null;
  series: {
    y: string;
    key: string | null;
    rows: number;
    min: (number | null)[];
    max: (number | null)[];
  }[];
}

/** Chart data from a server downsample: two points (min, then max) per pixel column. */
export function downsampledChartData(d: DownsampleAnswer, s: ChartSettings): ChartData {
  const xs: number[] = [];
  if (d.xMin !== null && d.xMax !== null) {
    const step = (d.xMax - d.xMin) / d.width;
    for (let b = 0; b < d.width; b++) {
      const c = d.xMin + (b + 0.5) * step;
      xs.push(c, c + step * 1e-6);
    }
  }
  let points = 0;
  const series: ChartSeries[] = d.series.slice(0, MAX_SERIES).map((r) => {
    const values: (number | null)[] = [];
    for (let b = 0; b < d.width; b++) {
      values.push(r.min[b] ?? null, r.max[b] ?? null);
      if (r.min[b] !== null && r.min[b] !== undefined) points += 2;
    }
    // A null key value of a split series is labelled "null", as local data labels it.
    const key = r.key === null && s.by !== null ? "null" : r.key;
    return { label: label(r.y, key), y: r.y, key, axis: axisOf(s, r.y), values };
  });
  if (xs.length === 0) for (const se of series) se.values = [];
  return {
    xs,
    series,
    rows: d.total,
    points,
    truncated: d.series.length > MAX_SERIES,
  };
}
