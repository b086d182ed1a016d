/**
 * Accumulator: the per-series min/max state of one downsample (downsample.ts). Rows come in
 * loaded runs (`load`: x, key and y values of up to one page, converted to float64 once) and are
 * folded in row order (`fold`: one loop puts each row in its pixel column and folds every y
 * column into it); a block of rows known from a page summary to fall in one pixel column is
 * folded from its min/max (`addSummary`). Folding in row order keeps the answer identical
 * whichever way a block was read (even which of -0 and 0 is kept as a minimum).
 */
import { floatsInto } from "./as-floats.ts";
import { PAGE_SIZE } from "./column.ts";
import type { Vec } from "./column-source.ts";
import type { DownsampledSeries, DownsampleOptions } from "./downsample.ts";
import { ArgumentError } from "./errors.ts";
import type { Table } from "./table.ts";
import type { ColumnType } from "./types.ts";

/** Most distinct `by` values (series per y column). */
export const MAX_DOWNSAMPLE_KEYS = 64;

export class Accumulator {
  /** The columns a run must hold, in order: x (unless positions), the key (if split), y columns. */
  readonly names: string[];
  readonly #types: ColumnType[];
  readonly #opts: DownsampleOptions;
  readonly #width: number;
  readonly #xMin: number;
  readonly #span: number;
  readonly #xs = new Float64Array(PAGE_SIZE);
  readonly #ys: Float64Array[];
  readonly #keyOf = new Int32Array(PAGE_SIZE);
  /** Position of the loaded run's first row. */
  #at = 0;
  readonly #keys: (string | null)[] = [];
  readonly #index = new Map<string | null, number>();
  /** Per key: lowest / highest y per (y column, pixel column); rows per y column. */
  readonly #lo: Float64Array[] = [];
  readonly #hi: Float64Array[] = [];
  readonly #rows: Float64Array[] = [];

  constructor(table: Table, opts: DownsampleOptions, xMin: number, xMax: number) {
    this.#opts = opts;
    this.#width = opts.width;
    this.#xMin = xMin;
    this.#span = xMax - xMin;
    this.names = [
      ...(opts.x === null ? [] : [opts.x]),
      ...(opts.by === null ? [] : [opts.by]),
      ...opts.y,
    ];
    this.#types = this.names.map((n) => table.columns[n]!);
    this.#ys = opts.y.map(() => new Float64Array(PAGE_SIZE));
    if (opts.by === null) this.#key(null);
  }

  /** The pixel column of a finite x. */
  bucket(x: number): number {
    const span = this.#span;
    // `| 0` as the Int32Array the first version stored buckets in did (NaN -> 0).
    return span === 0
      ? 0
      : Math.min(this.#width - 1, Math.floor(((x - this.#xMin) / span) * this.#width)) | 0;
  }

  /** Loads a run of `len` rows at position `at`: `vecs` holds the columns `names`. */
  load(vecs: readonly Vec[], at: number, len: number): void {
    this.#at = at;
    let c = 0;
    if (this.#opts.x !== null) floatsInto(this.#types[c]!, vecs[c++]!, len, this.#xs, 0);
    if (this.#opts.by !== null) this.#loadKeys(vecs[c]!, this.#types[c++]!, len);
    for (const ys of this.#ys) floatsInto(this.#types[c]!, vecs[c++]!, len, ys, 0);
  }

  /** Folds rows `[from, to)` of the loaded run. */
  fold(from: number, to: number): void {
    const positions = this.#opts.x === null;
    const keyed = this.#opts.by !== null;
    const xs = this.#xs;
    const ys = this.#ys;
    const ny = ys.length;
    const width = this.#width;
    for (let i = from; i < to; i++) {
      const x = positions ? this.#at + i : xs[i]!;
      if (!Number.isFinite(x)) continue;
      const b = this.bucket(x);
      const k = keyed ? this.#keyOf[i]! : 0;
      const lo = this.#lo[k]!;
      const hi = this.#hi[k]!;
      const rows = this.#rows[k]!;
      for (let y = 0; y < ny; y++) {
        const v = ys[y]![i]!;
        if (v !== v) continue; // NaN or null
        const j = y * width + b;
        if (v < lo[j]!) lo[j] = v;
        if (v > hi[j]!) hi[j] = v;
        rows[y]!++;
      }
    }
  }

  /** Folds `count` rows of y column `y` (unsplit) whose values span [min, max], all in column `b`. */
  addSummary(y: number, b: number, min: number, max: number, count: number): void {
    const j = y * this.#width + b;
    const lo = this.#lo[0]!;
    const hi = this.#hi[0]!;
    if (min < lo[j]!) lo[j] = min;
    if (max > hi[j]!) hi[j] = max;
    this.#rows[0]![y]! += count;
  }

  /** The series: y columns as asked, each with its keys in order of first appearance. */
  series(): DownsampledSeries[] {
    const out: DownsampledSeries[] = [];
    const width = this.#width;
    this.#opts.y.forEach((y, yi) => {
      this.#keys.forEach((key, k) => {
        const min: (number | null)[] = new Array(width);
        const max: (number | null)[] = new Array(width);
        for (let b = 0; b < width; b++) {
          const l = this.#lo[k]![yi * width + b]!;
          const h = this.#hi[k]![yi * width + b]!;
          const empty = l > h;
          min[b] = empty ? null : l;
          max[b] = empty ? null : h;
        }
        out.push({ y, key, rows: this.#rows[k]![yi]!, min, max });
      });
    });
    return out;
  }

  #key(text: string | null): number {
    let k = this.#index.get(text);
    if (k !== undefined) return k;
    if (this.#keys.length === MAX_DOWNSAMPLE_KEYS) {
      throw new ArgumentError(
        `by: column "${this.#opts.by}" has more than ${MAX_DOWNSAMPLE_KEYS} distinct values; filter the view or split by a column with fewer`,
      );
    }
    k = this.#keys.length;
    this.#index.set(text, k);
    this.#keys.push(text);
    const cells = this.#opts.y.length * this.#width;
    this.#lo.push(new Float64Array(cells).fill(Number.POSITIVE_INFINITY));
    this.#hi.push(new Float64Array(cells).fill(Number.NEGATIVE_INFINITY));
    this.#rows.push(new Float64Array(this.#opts.y.length));
    return k;
  }

  #loadKeys(vec: Vec, type: ColumnType, len: number): void {
    const d = vec.data as ArrayLike<unknown>;
    const valid = vec.valid;
    for (let i = 0; i < len; i++) {
      this.#keyOf[i] = this.#key(valid && valid[i] === 0 ? null : keyText(type, d[i]));
    }
  }
}

function keyText(type: ColumnType, v: unknown): string {
  if (type === "bool") return v ? "true" : "false";
  if (type === "char") return String.fromCharCode(v as number);
  return String(v);
}
