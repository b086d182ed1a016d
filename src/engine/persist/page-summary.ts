/**
 * PageSummary: for one page of an append-only history, per block of BLOCK_ROWS rows, how many
 * rows the block held and, per numeric column, the lowest and highest value and how many values
 * were neither null nor NaN (values read as charts read them, as-floats.ts). Written next to the
 * page once, when the page is full and saved (history.ts): an append-only page never changes
 * after that, so one row written per 4096 rows appended; the partial last page has none.
 *
 * A chart's downsample (downsample.ts) takes a block's min/max from here instead of its rows when
 * every row of the block falls in one pixel column (its x is never null or NaN and its lowest and
 * highest x land in the same column), and reads rows only for blocks that straddle a column
 * boundary: over a 10M-row history at 800 pixels that reads a third of the pages, not all.
 *
 * Encoded as float64s: [VERSION, columns, rows per block × PAGE_BLOCKS, then per column min ×
 * PAGE_BLOCKS, max × PAGE_BLOCKS, count × PAGE_BLOCKS].
 */
import { floatsInto, PLOTTABLE } from "../as-floats.ts";
import { PAGE_SIZE } from "../column.ts";
import { runKeys } from "../column-source.ts";
import type { Table } from "../table-core.ts";
import type { Schema } from "../types.ts";

/** Rows per summarized block. */
export const BLOCK_ROWS = 256;
/** Blocks per page. */
export const PAGE_BLOCKS = PAGE_SIZE / BLOCK_ROWS;

const VERSION = 1;
const HEAD = 2 + PAGE_BLOCKS;
const PER_COLUMN = 3 * PAGE_BLOCKS;

/** The columns a summary covers: `schema`'s numeric and instant columns, in order. */
export function summarizedColumns(schema: Schema): string[] {
  return Object.keys(schema).filter((n) => PLOTTABLE.test(schema[n]!));
}

export class PageSummary {
  readonly #f: Float64Array;

  private constructor(f: Float64Array) {
    this.#f = f;
  }

  /** Rows block `b` held when summarized. */
  rows(b: number): number {
    return this.#f[2 + b]!;
  }

  /** Lowest value of summarized column `c` in block `b` (+Infinity when count is 0). */
  min(c: number, b: number): number {
    return this.#f[HEAD + c * PER_COLUMN + b]!;
  }

  /** Highest value of summarized column `c` in block `b` (-Infinity when count is 0). */
  max(c: number, b: number): number {
    return this.#f[HEAD + c * PER_COLUMN + PAGE_BLOCKS + b]!;
  }

  /** Values of column `c` in block `b` that are neither null nor NaN. */
  count(c: number, b: number): number {
    return this.#f[HEAD + c * PER_COLUMN + 2 * PAGE_BLOCKS + b]!;
  }

  /** True when every block holds the rows a page of `pageRows` rows holds. */
  covers(pageRows: number): boolean {
    for (let b = 0; b < PAGE_BLOCKS; b++) {
      const want = Math.max(0, Math.min(BLOCK_ROWS, pageRows - b * BLOCK_ROWS));
      if (this.#f[2 + b] !== want) return false;
    }
    return true;
  }

  /** The stored form. */
  encode(): Uint8Array {
    return new Uint8Array(this.#f.buffer, this.#f.byteOffset, this.#f.byteLength);
  }

  /** A stored summary of `columns` columns; null when it is of another version or shape. */
  static decode(bytes: Uint8Array, columns: number): PageSummary | null {
    if (bytes.byteLength !== (HEAD + columns * PER_COLUMN) * 8) return null;
    // A copy: the stored bytes need not be 8-byte aligned.
    const f = new Float64Array(HEAD + columns * PER_COLUMN);
    new Uint8Array(f.buffer).set(bytes);
    if (f[0] !== VERSION || f[1] !== columns) return null;
    return new PageSummary(f);
  }

  /**
   * Summarizes page `page` of `table` (whose row set is `[0, size)`, as an append-only history's
   * is) over the columns `names`; the page must be in memory, as it is when just written.
   */
  static of(table: Table, page: number, names: readonly string[]): PageSummary {
    const f = new Float64Array(HEAD + names.length * PER_COLUMN);
    f[0] = VERSION;
    f[1] = names.length;
    const start = page * PAGE_SIZE;
    const len = Math.max(0, Math.min(PAGE_SIZE, table.size - start));
    for (let b = 0; b < PAGE_BLOCKS; b++) {
      f[2 + b] = Math.max(0, Math.min(BLOCK_ROWS, len - b * BLOCK_ROWS));
    }
    const vals = new Float64Array(PAGE_SIZE);
    names.forEach((name, c) => {
      const col = table.column(name);
      if (len > 0) floatsInto(col.type, col.getChunk(runKeys(start, len)), len, vals, 0);
      const base = HEAD + c * PER_COLUMN;
      for (let b = 0; b < PAGE_BLOCKS; b++) {
        let lo = Number.POSITIVE_INFINITY;
        let hi = Number.NEGATIVE_INFINITY;
        let n = 0;
        const end = Math.min(len, (b + 1) * BLOCK_ROWS);
        for (let i = b * BLOCK_ROWS; i < end; i++) {
          const v = vals[i]!;
          if (v !== v) continue; // NaN or null
          n++;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        f[base + b] = lo;
        f[base + PAGE_BLOCKS + b] = hi;
        f[base + 2 * PAGE_BLOCKS + b] = n;
      }
    });
    return new PageSummary(f);
  }
}
