/**
 * Downsampling a table for a line chart: the x range is cut into `width` equal pixel columns and,
 * for every series (a y column, or a y column for one value of a `by` key column), each pixel
 * column keeps the lowest and the highest y of the rows whose x falls in it. A line drawn
 * through those pairs looks the same at that width as one drawn through every row, so a chart
 * of a 10-million-row history needs `width` min/max pairs per series, not the rows. This is how
 * Deephaven plots big tables; the server's `GET .../views/:view/downsample` answers with it.
 *
 * Reads whole runs of pages (zero-copy chunk reads), never cell by cell. Rows whose x or y is
 * null or NaN are left out; instants are epoch milliseconds (float64, to the microsecond), int64 values are rounded
 * to the nearest float64.
 */
import { PAGE_SIZE } from "./column.ts";
import type { ColumnSource } from "./column-source.ts";
import { Chunk, runKeys } from "./column-source.ts";
import { ArgumentError } from "./errors.ts";
import type { Table } from "./table.ts";
import type { ColumnType } from "./types.ts";

/** Most pixel columns one request may ask for. */
export const MAX_DOWNSAMPLE_WIDTH = 4096;
/** Most y columns one request may ask for. */
export const MAX_DOWNSAMPLE_Y = 8;
/** Most distinct `by` values (series per y column). */
export const MAX_DOWNSAMPLE_KEYS = 64;

const PLOTTABLE = /^(int8|int16|int32|int64|float32|float64|instant)$/;

export interface DownsampleOptions {
  /** x column (numeric or instant); null: the row position. */
  x: string | null;
  /** y columns (numeric), 1 to MAX_DOWNSAMPLE_Y, distinct. */
  y: readonly string[];
  /** Key column whose values split every y column into one series each; null: no split. */
  by: string | null;
  /** Pixel columns, 1 to MAX_DOWNSAMPLE_WIDTH. */
  width: number;
}

/** One series: a y column, for one `by` value when split. */
export interface DownsampledSeries {
  y: string;
  /** The `by` value as text; null for the null value, and when not split. */
  key: string | null;
  /** Rows that fell in this series (finite x and y). */
  rows: number;
  /** Per pixel column the lowest y, null where the column holds no row of the series. */
  min: (number | null)[];
  /** Per pixel column the highest y, null where the column holds no row of the series. */
  max: (number | null)[];
}

export interface Downsampled {
  x: string | null;
  /** The x column's type ("position" for the row position). */
  xType: ColumnType | "position";
  by: string | null;
  width: number;
  /** Rows of the table. */
  total: number;
  /** The x range (epoch ms for instants); null when no row has a finite x. */
  xMin: number | null;
  xMax: number | null;
  /** Series in order: y columns as asked, and for each one the keys in order of first appearance. */
  series: DownsampledSeries[];
}

/**
 * Checks `opts` against `table`'s columns. Every refusal is an ArgumentError whose message starts
 * with the parameter at fault (`x`, `y`, `by` or `width`), so a caller can name it.
 */
export function checkDownsample(table: Table, opts: DownsampleOptions): void {
  const cols = table.columns;
  const names = Object.keys(cols).join(", ");
  if (!Number.isInteger(opts.width) || opts.width < 1 || opts.width > MAX_DOWNSAMPLE_WIDTH) {
    throw new ArgumentError(
      `width must be an integer from 1 to ${MAX_DOWNSAMPLE_WIDTH}, got ${opts.width}`,
    );
  }
  if (opts.x !== null) {
    const t = cols[opts.x];
    if (t === undefined)
      throw new ArgumentError(`x: no column "${opts.x}"; columns are [${names}]`);
    if (!PLOTTABLE.test(t))
      throw new ArgumentError(`x: column "${opts.x}" is ${t}; x must be numeric or an instant`);
  }
  if (opts.y.length === 0 || opts.y.length > MAX_DOWNSAMPLE_Y) {
    throw new ArgumentError(`y must name 1 to ${MAX_DOWNSAMPLE_Y} columns, got ${opts.y.length}`);
  }
  const seen = new Set<string>();
  for (const y of opts.y) {
    const t = cols[y];
    if (t === undefined) throw new ArgumentError(`y: no column "${y}"; columns are [${names}]`);
    if (!PLOTTABLE.test(t) || t === "instant")
      throw new ArgumentError(`y: column "${y}" is ${t}; y columns must be numeric`);
    if (seen.has(y)) throw new ArgumentError(`y: column "${y}" is named twice`);
    seen.add(y);
  }
  if (opts.by !== null) {
    const t = cols[opts.by];
    if (t === undefined)
      throw new ArgumentError(`by: no column "${opts.by}"; columns are [${names}]`);
    if (t.endsWith("[]"))
      throw new ArgumentError(`by: column "${opts.by}" is ${t}; a key column must be scalar`);
  }
}

/** Downsamples `table` (see the module comment); throws ArgumentError for bad options. */
export function downsample(table: Table, opts: DownsampleOptions): Downsampled {
  checkDownsample(table, opts);
  const n = table.size;
  const width = opts.width;
  const xs = readFloats(table, opts.x, n);
  let xMin = Number.POSITIVE_INFINITY;
  let xMax = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const x = xs[i]!;
    if (x < xMin) xMin = x;
    if (x > xMax) xMax = x;
  }
  const xType = opts.x === null ? "position" : table.columns[opts.x]!;
  const base = { x: opts.x, xType, by: opts.by, width, total: n } as const;
  if (!(xMax >= xMin)) {
    return { ...base, xMin: null, xMax: null, series: [] };
  }
  // Pixel column of every row (-1: no finite x).
  const bucket = new Int32Array(n);
  const span = xMax - xMin;
  for (let i = 0; i < n; i++) {
    const x = xs[i]!;
    if (!Number.isFinite(x)) bucket[i] = -1;
    else bucket[i] = span === 0 ? 0 : Math.min(width - 1, Math.floor(((x - xMin) / span) * width));
  }
  const { keyOf, keys } = readKeys(table, opts.by, n);
  const series: DownsampledSeries[] = [];
  for (const y of opts.y) {
    const ys = readFloats(table, y, n);
    const lo = new Float64Array(keys.length * width).fill(Number.POSITIVE_INFINITY);
    const hi = new Float64Array(keys.length * width).fill(Number.NEGATIVE_INFINITY);
    const rows = new Float64Array(keys.length);
    for (let i = 0; i < n; i++) {
      const b = bucket[i]!;
      const v = ys[i]!;
      if (b < 0 || Number.isNaN(v)) continue;
      const k = keyOf[i]!;
      const at = k * width + b;
      if (v < lo[at]!) lo[at] = v;
      if (v > hi[at]!) hi[at] = v;
      rows[k]!++;
    }
    keys.forEach((key, k) => {
      const min: (number | null)[] = new Array(width);
      const max: (number | null)[] = new Array(width);
      for (let b = 0; b < width; b++) {
        const l = lo[k * width + b]!;
        const h = hi[k * width + b]!;
        const empty = l > h;
        min[b] = empty ? null : l;
        max[b] = empty ? null : h;
      }
      series.push({ y, key, rows: rows[k]!, min, max });
    });
  }
  return { ...base, xMin, xMax, series };
}

/** The x value at the centre of pixel column `b` of a downsampled result. */
export function bucketCentre(d: Downsampled, b: number): number {
  if (d.xMin === null || d.xMax === null) return Number.NaN;
  return d.xMin + ((b + 0.5) / d.width) * (d.xMax - d.xMin);
}

/** Column `name` as float64 in row-key order (NaN for null; null name: positions). */
function readFloats(table: Table, name: string | null, n: number): Float64Array {
  const out = new Float64Array(n);
  if (name === null) {
    for (let i = 0; i < n; i++) out[i] = i;
    return out;
  }
  const col = table.column(name);
  const instant = col.type === "instant";
  readRuns(table, col, (data, valid, at, len) => {
    if (data instanceof BigInt64Array) readLongs(data, len, out, at, instant);
    // A typed-array copy converts every numeric type natively (and stays fast: one call per run).
    else out.set((data as Float64Array).subarray(0, len), at);
    if (valid) {
      for (let i = 0; i < len; i++) if (valid[i] === 0) out[at + i] = Number.NaN;
    }
  });
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

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
    const v = hi[2 * i + 1]! * 4294967296 + lo[2 * i]!;
    out[at + i] = instant ? Math.round(v / 1e3) / 1e3 : v;
  }
}

/** Per row the index of its `by` value in `keys` (all 0 without a key column). */
function readKeys(
  table: Table,
  name: string | null,
  n: number,
): { keyOf: Int32Array; keys: (string | null)[] } {
  const keyOf = new Int32Array(n);
  if (name === null) return { keyOf, keys: [null] };
  const col = table.column(name);
  const index = new Map<string | null, number>();
  const keys: (string | null)[] = [];
  readRuns(table, col, (data, valid, at, len) => {
    const d = data as ArrayLike<unknown>;
    for (let i = 0; i < len; i++) {
      const text = valid && valid[i] === 0 ? null : keyText(col.type, d[i]);
      let k = index.get(text);
      if (k === undefined) {
        if (keys.length === MAX_DOWNSAMPLE_KEYS) {
          throw new ArgumentError(
            `by: column "${name}" has more than ${MAX_DOWNSAMPLE_KEYS} distinct values; filter the view or split by a column with fewer`,
          );
        }
        k = keys.length;
        index.set(text, k);
        keys.push(text);
      }
      keyOf[at + i] = k;
    }
  });
  return { keyOf, keys };
}

function keyText(type: ColumnType, v: unknown): string {
  if (type === "bool") return v ? "true" : "false";
  if (type === "char") return String.fromCharCode(v as number);
  return String(v);
}

/** Calls `fn` for every run of consecutive row keys within one page, in row-key order. */
function readRuns(
  table: Table,
  col: ColumnSource,
  fn: (data: unknown, valid: Uint8Array | null, at: number, len: number) => void,
): void {
  const chunk = new Chunk(col.type);
  let at = 0;
  table.rowSet.forEachRange((start, end) => {
    let k = start;
    while (k < end) {
      const len = Math.min(end - k, PAGE_SIZE - (k % PAGE_SIZE));
      const vec = col.getChunk(runKeys(k, len), false, chunk);
      fn(vec.data, vec.valid, at, len);
      at += len;
      k += len;
    }
  });
}
