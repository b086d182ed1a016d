/**
 * Downsampling a table for a line chart: the x range is cut into `width` equal pixel columns and,
 * for every series (a y column, or a y column for one value of a `by` key column), each pixel
 * column keeps the lowest and the highest y of the rows whose x falls in it. A line drawn
 * through those pairs looks the same at that width as one drawn through every row, so a chart
 * of a 10-million-row history needs `width` min/max pairs per series, not the rows. This is how
 * Deephaven plots big tables; the server's `GET .../views/:view/downsample` answers with it.
 *
 * Reads whole runs of pages (zero-copy chunk reads), never cell by cell, in two passes: the x
 * range, then one fused loop per page that puts each row in its pixel column and folds every y
 * column into it (downsample-accumulator.ts). A persisted append-only history is read page by
 * page without bringing stored pages into memory, and, without `by`, from its page summaries
 * wherever a block of rows falls in one pixel column (downsample-pages.ts): the answer is the
 * same as the scan's. Rows whose x or y is null or NaN are left out; instants are epoch
 * milliseconds (float64, to the microsecond), int64 values are rounded to the nearest float64.
 */
import { PLOTTABLE } from "./as-floats.ts";
import { Accumulator } from "./downsample-accumulator.ts";
import { historyOf, scanXRange, summaryPlan, walk } from "./downsample-pages.ts";
import { ArgumentError } from "./errors.ts";
import type { Table } from "./table.ts";
import type { ColumnType } from "./types.ts";

/** Most pixel columns one request may ask for. */
export const MAX_DOWNSAMPLE_WIDTH = 4096;
/** Most y columns one request may ask for. */
export const MAX_DOWNSAMPLE_Y = 8;
export { MAX_DOWNSAMPLE_KEYS } from "./downsample-accumulator.ts";

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
  const xType = opts.x === null ? "position" : table.columns[opts.x]!;
  const base = { x: opts.x, xType, by: opts.by, width: opts.width, total: n } as const;
  const history = historyOf(table);
  const summaries = history && opts.by === null ? summaryPlan(table, history, opts) : null;
  const { xMin, xMax } = summaries
    ? summaries.xRange(history!, opts.x, n)
    : scanXRange(table, history, opts.x, n);
  if (!(xMax >= xMin)) return { ...base, xMin: null, xMax: null, series: [] };
  const acc = new Accumulator(table, opts, xMin, xMax);
  if (summaries && Number.isFinite(xMax - xMin)) summaries.run(history!, acc, n);
  else {
    walk(table, history, acc.names, (vecs, at, len) => {
      acc.load(vecs, at, len);
      acc.fold(0, len);
    });
  }
  return { ...base, xMin, xMax, series: acc.series() };
}

/** The x value at the centre of pixel column `b` of a downsampled result. */
export function bucketCentre(d: Downsampled, b: number): number {
  if (d.xMin === null || d.xMax === null) return Number.NaN;
  return d.xMin + ((b + 0.5) / d.width) * (d.xMax - d.xMin);
}
