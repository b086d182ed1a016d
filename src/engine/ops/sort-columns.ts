/**
 * The sort columns of `sort`/`sortDescending`: the parsed `orderBy`/`order` arguments, the parent's
 * column sources, chunked reads of their values at any parent keys, and the comparison of two
 * rows (Deephaven's order): nulls first ascending and last descending, NaN above +Infinity,
 * -0 equal to 0, strings by UTF-16 code units (Java's `compareTo`), `false < true`. A descending
 * column reverses its whole ascending order. Ties are broken by the caller (parent row key), which
 * makes the sort stable.
 */
import type { ColumnSource, Vec } from "../column-source.ts";
import { arrayKeys, Chunk } from "../column-source.ts";
import { ArgumentError } from "../errors.ts";
import type { RowSet } from "../row-set.ts";
import { forEachSpan } from "../spans.ts";
import type { Table } from "../table-core.ts";
import type { ColumnType } from "../types.ts";
import { isArrayType, isBigType } from "../types.ts";
import { columnEntries, requireColumns } from "./match-columns.ts";

/** The direction of one sort column. */
export type SortOrder = "asc" | "desc";

/** One sort column. */
export interface SortColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly source: ColumnSource;
  readonly descending: boolean;
}

/**
 * Parses `orderBy` ("A, B" or ["A", "B"]) and `order` (one direction for all, or one per column)
 * against `parent`'s columns; every mistake is an ArgumentError naming the column or argument.
 */
export function sortColumns(
  parent: Table,
  orderBy: string | readonly string[],
  order: SortOrder | readonly SortOrder[] = "asc",
  op = "sort",
): SortColumn[] {
  if (typeof orderBy !== "string" && !Array.isArray(orderBy))
    throw new ArgumentError(`${op}: orderBy must be a column name or a list of them`);
  const names = columnEntries(orderBy, op);
  if (names.length === 0) throw new ArgumentError(`${op}: orderBy names no column`);
  requireColumns(parent, names, op, "sort");
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new ArgumentError(`${op}: column "${n}" is named twice in orderBy`);
    seen.add(n);
  }
  const orders = typeof order === "string" ? names.map(() => order) : [...order];
  if (orders.length !== names.length) {
    throw new ArgumentError(
      `${op}: order has ${orders.length} entries for ${names.length} sort columns [${names.join(", ")}]`,
    );
  }
  return names.map((name, i) => {
    const o = orders[i];
    if (o !== "asc" && o !== "desc")
      throw new ArgumentError(
        `${op}: order for column "${name}" must be "asc" or "desc", got ${String(o)}`,
      );
    const type = parent.columns[name]!;
    if (isArrayType(type))
      throw new ArgumentError(`${op}: column "${name}" of type ${type} cannot be sorted`);
    return { name, type, source: parent.column(name), descending: o === "desc" };
  });
}

/** Compares two storage values of one type, ascending (nulls handled by the caller). */
function compareValues(x: number | bigint | string, y: number | bigint | string): number {
  if (x < y) return -1;
  if (x > y) return 1;
  if (x === y) return 0;
  // Only NaN is unordered: it sorts above everything, equal to itself.
  const xNaN = x !== x;
  return xNaN ? (y !== y ? 0 : 1) : -1;
}

/** Whether position `i` of `v` is null. */
function isNull(v: Vec, i: number): boolean {
  return v.valid !== null && v.valid[i] === 0;
}

/**
 * Compares row `i` of `a` with row `j` of `b` (one Vec per sort column each) on the sort columns
 * alone: negative when row i sorts first, 0 on a tie.
 */
export function compareRows(
  cols: readonly SortColumn[],
  a: readonly Vec[],
  i: number,
  b: readonly Vec[],
  j: number,
): number {
  for (let c = 0; c < cols.length; c++) {
    const va = a[c]!;
    const vb = b[c]!;
    const na = isNull(va, i);
    const nb = isNull(vb, j);
    let r: number;
    if (na || nb) r = na ? (nb ? 0 : -1) : 1;
    else r = compareValues(va.data[i] as number, vb.data[j] as number);
    if (r !== 0) return cols[c]!.descending ? -r : r;
  }
  return 0;
}

/** Compares row `i` of `a` with row `j` of `b` (one Vec per sort column each), as compareRows. */
export type RowComparator = (a: readonly Vec[], i: number, b: readonly Vec[], j: number) => number;

/**
 * compareRows for `cols`, specialised when there is one column of plain numbers (the common
 * `sort("Price")`): no column loop, and no null checks while neither side has nulls.
 */
export function rowComparator(cols: readonly SortColumn[]): RowComparator {
  const one = cols[0]!;
  if (cols.length !== 1 || one.type === "string" || isBigType(one.type))
    return (a, i, b, j) => compareRows(cols, a, i, b, j);
  const sign = one.descending ? -1 : 1;
  return (a, i, b, j) => {
    const va = a[0]!;
    const vb = b[0]!;
    if (va.valid !== null || vb.valid !== null) return compareRows(cols, a, i, b, j);
    const x = (va.data as Float64Array)[i]!;
    const y = (vb.data as Float64Array)[j]!;
    if (x < y) return -sign;
    if (x > y) return sign;
    if (x === y) return 0;
    // Only NaN is unordered: it sorts above everything, equal to itself.
    return x !== x ? (y !== y ? 0 : sign) : -sign;
  };
}

/** Reusable chunks, one per sort column, for reading values at parent keys. */
export class SortValues {
  readonly #cols: readonly SortColumn[];
  readonly #chunks: Chunk[];

  constructor(cols: readonly SortColumn[]) {
    this.#cols = cols;
    this.#chunks = cols.map((c) => new Chunk(c.type));
  }

  /**
   * The sort values at `keys[0..n)` (previous values with `prev`), one Vec per column, valid until
   * the next read.
   */
  read(keys: ArrayLike<number>, n: number, prev: boolean): Vec[] {
    const rows = arrayKeys(keys, n);
    return this.#cols.map((c, j) => {
      const chunk = this.#chunks[j]!.reset(n);
      c.source.fillChunk(rows, chunk, 0, prev);
      return chunk;
    });
  }

  /**
   * The sort values of every key of `rows` in key order (runs of keys are copied page by page,
   * not gathered key by key), valid until the next read. `release` drops the chunks afterwards.
   */
  readRows(rows: RowSet, prev: boolean): Vec[] {
    const n = rows.size;
    const out = this.#cols.map((_, j) => this.#chunks[j]!.reset(n));
    forEachSpan(rows, (span) => {
      for (let j = 0; j < out.length; j++)
        this.#cols[j]!.source.fillChunk(span, out[j]!, span.position, prev);
    });
    return out;
  }

  /**
   * The sort values of every key of `rows` in key order, one list per column of Vecs of
   * consecutive positions: views of the column's pages where its keys run within one (a static
   * table's column: nothing copied), else values copied into new chunks. Valid until the columns
   * are next written.
   */
  readSegments(rows: RowSet, prev: boolean): Vec[][] {
    const out: Vec[][] = this.#cols.map(() => []);
    forEachSpan(rows, (span) => {
      for (let j = 0; j < out.length; j++) out[j]!.push(this.#cols[j]!.source.getChunk(span, prev));
    });
    return out;
  }

  /** Lets the chunks' memory go (after a large one-off read). */
  release(): void {
    for (let j = 0; j < this.#chunks.length; j++) this.#chunks[j] = new Chunk(this.#cols[j]!.type);
  }
}

/** The keys of `rows` in ascending order, as a Float64Array. */
export function keysOf(rows: RowSet): Float64Array {
  const out = new Float64Array(rows.size);
  let w = 0;
  rows.forEachRange((s, e) => {
    for (let k = s; k < e; k++) out[w++] = k;
  });
  return out;
}
