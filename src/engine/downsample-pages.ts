/**
 * How a downsample (downsample.ts) reads a table: `walk` hands over runs of rows, a page at a
 * time, in row order: from a persisted append-only history through its HistoryPages port
 * (persist/history.ts: stored pages are decoded for the columns asked and not kept, so a chart of
 * a 10M-row history does not bring 10M rows into the object's memory), from any other table as
 * zero-copy chunk reads of its pages.
 *
 * Without `by`, a history is read from its page summaries (persist/page-summary.ts) instead: the
 * x range from the blocks' min/max, and every block whose rows all fall in one pixel column (x
 * never null or NaN, lowest and highest x in the same column; for row positions, first and last
 * row in the same column) is folded from its y min/max; only a page with a block straddling a
 * column boundary (or without a current summary) is read. Pixel columns grow with x (the bucket
 * function never decreases), so this is exact.
 */
import { floatsInto } from "./as-floats.ts";
import { PAGE_SIZE } from "./column.ts";
import { Chunk, runKeys, type Vec } from "./column-source.ts";
import type { DownsampleOptions } from "./downsample.ts";
import type { Accumulator } from "./downsample-accumulator.ts";
import type { HistoryPages } from "./persist/history.ts";
import { historyPagesOf } from "./persist/history.ts";
import { BLOCK_ROWS, PAGE_BLOCKS } from "./persist/page-summary.ts";
import type { Table } from "./table.ts";
import type { ColumnType } from "./types.ts";

/** The table's HistoryPages when its rows are keys `0..size-1` (a persisted history). */
export function historyOf(table: Table): HistoryPages | null {
  const h = historyPagesOf(table);
  if (!h) return null;
  const n = table.size;
  if (n > 0 && (table.rowSet.first() !== 0 || table.rowSet.last() !== n - 1)) return null;
  return h;
}

/** Calls `fn` for runs of rows in row order (each within one page): columns `names`. */
export function walk(
  table: Table,
  history: HistoryPages | null,
  names: readonly string[],
  fn: (vecs: readonly Vec[], at: number, len: number) => void,
): void {
  const n = table.size;
  if (history) {
    for (let p = 0; p * PAGE_SIZE < n; p++) {
      fn(history.columns(p, names), p * PAGE_SIZE, Math.min(PAGE_SIZE, n - p * PAGE_SIZE));
    }
    return;
  }
  const cols = names.map((c) => table.column(c));
  const chunks = cols.map((c) => new Chunk(c.type));
  let at = 0;
  table.rowSet.forEachRange((start, end) => {
    let k = start;
    while (k < end) {
      const len = Math.min(end - k, PAGE_SIZE - (k % PAGE_SIZE));
      const keys = runKeys(k, len);
      fn(
        cols.map((c, j) => c.getChunk(keys, false, chunks[j])),
        at,
        len,
      );
      at += len;
      k += len;
    }
  });
}

/** Lowest and highest x over all rows (NaN and null left out; +∞ / -∞ when none). */
export function scanXRange(
  table: Table,
  history: HistoryPages | null,
  x: string | null,
  n: number,
): { xMin: number; xMax: number } {
  if (x === null) return positionRange(n);
  const type = table.columns[x]!;
  const buf = new Float64Array(PAGE_SIZE);
  let xMin = Number.POSITIVE_INFINITY;
  let xMax = Number.NEGATIVE_INFINITY;
  walk(table, history, [x], (vecs, _at, len) => {
    floatsInto(type, vecs[0]!, len, buf, 0);
    for (let i = 0; i < len; i++) {
      const v = buf[i]!;
      if (v < xMin) xMin = v;
      if (v > xMax) xMax = v;
    }
  });
  return { xMin, xMax };
}

function positionRange(n: number): { xMin: number; xMax: number } {
  return n > 0
    ? { xMin: 0, xMax: n - 1 }
    : { xMin: Number.POSITIVE_INFINITY, xMax: Number.NEGATIVE_INFINITY };
}

/** A downsample of a history from its page summaries; null when they do not cover the columns. */
export function summaryPlan(
  table: Table,
  history: HistoryPages,
  opts: DownsampleOptions,
): SummaryPlan | null {
  const at = (name: string) => history.summarized.indexOf(name);
  const x = opts.x === null ? -1 : at(opts.x);
  const ys = opts.y.map(at);
  if ((opts.x !== null && x < 0) || ys.some((c) => c < 0)) return null;
  return new SummaryPlan(x, opts.x === null ? "int64" : table.columns[opts.x]!, ys);
}

export class SummaryPlan {
  /** Summarized column of x (-1: row positions) and of each y. */
  readonly #x: number;
  readonly #xType: ColumnType;
  readonly #ys: readonly number[];

  constructor(x: number, xType: ColumnType, ys: readonly number[]) {
    this.#x = x;
    this.#xType = xType;
    this.#ys = ys;
  }

  /** `scanXRange` from the summaries (pages without a current one are read). */
  xRange(history: HistoryPages, x: string | null, n: number): { xMin: number; xMax: number } {
    if (x === null) return positionRange(n);
    let xMin = Number.POSITIVE_INFINITY;
    let xMax = Number.NEGATIVE_INFINITY;
    const buf = new Float64Array(PAGE_SIZE);
    for (let p = 0; p * PAGE_SIZE < n; p++) {
      const s = history.summary(p);
      if (s) {
        for (let b = 0; b < PAGE_BLOCKS; b++) {
          if (s.count(this.#x, b) === 0) continue;
          const lo = s.min(this.#x, b);
          const hi = s.max(this.#x, b);
          if (lo < xMin) xMin = lo;
          if (hi > xMax) xMax = hi;
        }
        continue;
      }
      const len = Math.min(PAGE_SIZE, n - p * PAGE_SIZE);
      const vec = history.columns(p, [x])[0]!;
      floatsInto(this.#xType, vec, len, buf, 0);
      for (let i = 0; i < len; i++) {
        const v = buf[i]!;
        if (v < xMin) xMin = v;
        if (v > xMax) xMax = v;
      }
    }
    return { xMin, xMax };
  }

  /** Folds every row of the history into `acc`, from summaries where a block allows. */
  run(history: HistoryPages, acc: Accumulator, n: number): void {
    const cx = this.#x;
    const ys = this.#ys;
    for (let p = 0; p * PAGE_SIZE < n; p++) {
      const start = p * PAGE_SIZE;
      const len = Math.min(PAGE_SIZE, n - start);
      const s = history.summary(p);
      if (!s) {
        acc.load(history.columns(p, acc.names), start, len);
        acc.fold(0, len);
        continue;
      }
      let loaded = false;
      for (let j = 0; j * BLOCK_ROWS < len; j++) {
        const from = j * BLOCK_ROWS;
        const to = Math.min(len, from + BLOCK_ROWS);
        let b = -1;
        if (cx < 0) {
          const b0 = acc.bucket(start + from);
          if (b0 === acc.bucket(start + to - 1)) b = b0;
        } else if (s.count(cx, j) === to - from) {
          const lo = s.min(cx, j);
          const hi = s.max(cx, j);
          if (Number.isFinite(lo) && Number.isFinite(hi)) {
            const b0 = acc.bucket(lo);
            if (b0 === acc.bucket(hi)) b = b0;
          }
        }
        if (b >= 0) {
          ys.forEach((c, y) => {
            const count = s.count(c, j);
            if (count > 0) acc.addSummary(y, b, s.min(c, j), s.max(c, j), count);
          });
          continue;
        }
        if (!loaded) {
          acc.load(history.columns(p, acc.names), start, len);
          loaded = true;
        }
        acc.fold(from, to);
      }
    }
  }
}
