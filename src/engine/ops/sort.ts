/**
 * sort / sortDescending: the parent's rows ordered by one or more columns, each ascending or
 * descending (Deephaven's `sort`). Stable: ties keep the parent's order (parent row-key order).
 * Nulls sort first ascending and last descending, NaN above +Infinity, -0 equal to 0, strings by
 * UTF-16 code units, `false < true` (sort-columns.ts).
 *
 * The result copies no values: every column is a RedirectedColumnSource over the parent's column
 * through a redirection result key -> parent key, and the result's ascending row keys are its
 * order (toRows, snapshots, the wire and subscribers' mirrors iterate keys ascending).
 *
 * - A static parent: keys 0..n-1, redirected through one typed array (DenseRedirection: 4 bytes
 *   a row, 8 when a parent key is 2^32 or more).
 * - A blink parent: a blink result holding the current cycle's rows sorted, keys 0..n-1, the
 *   order rebuilt every cycle (cost proportional to the cycle's rows).
 * - Any other refreshing parent: a standard result with sparse keys kept incrementally
 *   (sort-state.ts: gaps between keys, re-spread when a gap runs out, 12 bytes a row in a
 *   SortedRedirection whose key arrays are also the result's sparse RowSet). A change at the
 *   top of the order is one removed and one added key. The result is dormant until its rows,
 *   update or listeners are first read (table-node.ts `setDemand`): a head or tail over it reads
 *   the parent itself (top-n.ts), so a sort used only under one keeps no order.
 *
 * Positions move, so `i`/`ii` formulas stay refused downstream of a standard sort result (eval.ts's
 * checkPositionUse: it is neither blink nor append-only); a blink sort result allows them.
 */

import type { ColumnSource } from "../column-source.ts";
import { compactKeys, DenseRedirection } from "../dense-redirection.ts";
import { defineMethod, kinds, optional, param } from "../operation.ts";
import { Operator } from "../operator.ts";
import type { Redirection } from "../redirected-column-source.ts";
import { RedirectedColumnSource } from "../redirected-column-source.ts";
import { RowSet } from "../row-set.ts";
import type { TableAttributes } from "../table-core.ts";
import { assertUsable, nodeOf, STATIC_ATTRIBUTES, Table } from "../table-core.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import type { UpdateGraph } from "../update-graph.ts";
import type { SortColumn, SortOrder } from "./sort-columns.ts";
import { keysOf, SortValues, sortColumns } from "./sort-columns.ts";
import { SparseSortState } from "./sort-state.ts";
import { sortedPositions } from "./stable-sort.ts";
import { registerSortSource } from "./top-n.ts";

const STANDARD: TableAttributes = {
  refreshing: true,
  blink: false,
  appendOnly: false,
  addOnly: false,
};
const BLINK: TableAttributes = { refreshing: true, blink: true, appendOnly: false, addOnly: false };

/**
 * The parent keys of `rows` in sorted order, in the smallest array that holds them (the sorted
 * positions themselves when the rows are keys 0..n-1).
 */
function sortedParents(cols: readonly SortColumn[], rows: RowSet): Uint32Array | Float64Array {
  const n = rows.size;
  const vals = new SortValues(cols).readSegments(rows, false);
  const order = sortedPositions(cols, vals, n);
  const first = rows.first();
  if (rows.isContiguous && first + n <= 2 ** 32) {
    if (first > 0) for (let i = 0; i < n; i++) order[i] = order[i]! + first;
    return order;
  }
  const parents = keysOf(rows);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = parents[order[i]!]!;
  return compactKeys(out, n);
}

/** One redirected view per parent column; only the first counts the redirection's memory. */
function views(parent: Table, redirection: Redirection): Map<string, ColumnSource> {
  const columns = new Map<string, ColumnSource>();
  let owned = true;
  for (const [name, col] of parent.columnMap) {
    columns.set(name, new RedirectedColumnSource(col, redirection, owned));
    owned = false;
  }
  return columns;
}

/** A sort of a blink parent: each cycle's rows sorted, keyed 0..n-1. */
class BlinkSortOperator extends Operator {
  readonly #cols: readonly SortColumn[];
  readonly #redirection: DenseRedirection;
  constructor(result: Table, parent: Table, cols: readonly SortColumn[], r: DenseRedirection) {
    super(result, [parent]);
    this.#cols = cols;
    this.#redirection = r;
  }
  protected onUpdate(): TableUpdate | null {
    const rows = this.parents[0]!.rowSet;
    const before = this.result.rowSet;
    this.#redirection.replace(sortedParents(this.#cols, rows));
    const now = RowSet.flat(rows.size);
    nodeOf(this.result).setRowSet(now);
    return makeUpdate(now, before);
  }
}

/**
 * A sort of any other refreshing parent: the order kept incrementally, from the first read of the
 * result's rows, update or listeners on (until then the result is dormant and costs nothing a
 * cycle: a head or tail over it reads the parent itself, ops/top-n.ts).
 */
class SortOperator extends Operator {
  readonly state: SparseSortState;
  #live = false;
  /** The cycle whose parent update the state already holds (built after the parent changed). */
  #heldCycle = -1;
  constructor(result: Table, parent: Table, state: SparseSortState) {
    super(result, [parent]);
    this.state = state;
  }
  /** Builds the order from the parent's rows as they are now (the dormant result's first read). */
  wake(): void {
    if (this.result.isFailed) return;
    const parent = this.parents[0]!;
    const node = nodeOf(parent);
    // A parent that already changed this cycle: its rows hold that change, so skip its update.
    if (node.currentUpdate() !== null) this.#heldCycle = node.graph!.cycle;
    nodeOf(this.result).setRowSet(this.state.build(parent.rowSet));
    this.#live = true;
  }
  protected onUpdate(updates: readonly (TableUpdate | null)[]): TableUpdate | null {
    const u = updates[0] ?? null;
    if (!this.#live || this.#heldCycle === this.result.graph!.cycle) return null;
    const { update, rows } = this.state.apply(u!);
    nodeOf(this.result).setRowSet(rows);
    return update;
  }
}

/** The incremental state behind each refreshing non-blink sort result, for `sortStats`. */
const STATES = new WeakMap<Table, SparseSortState>();

/**
 * @internal Counters of a refreshing sort (benchmarks, tests): rows that re-spreads gave new keys
 * since it was made. Null for static and blink sorts (keys 0..n-1) and for other tables.
 */
export function sortStats(t: Table): { respreadRows: number } | null {
  const s = STATES.get(t);
  return s ? { respreadRows: s.respreadRows } : null;
}

/**
 * `parent`'s rows ordered by `orderBy` ("A, B" or ["A", "B"]), each column `"asc"` or `"desc"`
 * (`order`: one for all, or one per column; default ascending).
 *
 * @example
 * t.sort("Sym");                              // by Sym, ascending
 * t.sort(["Sym", "Price"], ["asc", "desc"]);  // by Sym, then by Price descending
 */
export function sort(
  parent: Table,
  orderBy: string | readonly string[],
  order: SortOrder | readonly SortOrder[] = "asc",
  op = "sort",
): Table {
  assertUsable(parent);
  const cols = sortColumns(parent, orderBy, order, op);
  if (!parent.isRefreshing) {
    const r = new DenseRedirection(sortedParents(cols, parent.rowSet));
    return new Table(views(parent, r), RowSet.flat(r.size), STATIC_ATTRIBUTES, null, op);
  }
  const graph = parent.graph as UpdateGraph;
  if (parent.isBlink) {
    const r = new DenseRedirection(sortedParents(cols, parent.rowSet), graph);
    const result = new Table(views(parent, r), RowSet.flat(r.size), BLINK, graph, op);
    nodeOf(result).attach(new BlinkSortOperator(result, parent, cols, r));
    return result;
  }
  const state = new SparseSortState(cols, parent.columnNames, graph);
  const result = new Table(views(parent, state.redirection), RowSet.EMPTY, STANDARD, graph, op);
  STATES.set(result, state);
  const operator = new SortOperator(result, parent, state);
  nodeOf(result).attach(operator);
  nodeOf(result).setDemand(() => operator.wake());
  registerSortSource(result, parent, cols);
  return result;
}

/** `parent`'s rows ordered by `orderBy`, every column descending. */
export function sortDescending(parent: Table, orderBy: string | readonly string[]): Table {
  return sort(parent, orderBy, "desc", "sortDescending");
}

// ---- descriptors (registered in operations.ts) ---------------------------------------------------

const orderByParam = param("orderBy", kinds.columns, "sort columns");

export const sortOp = defineMethod({
  name: "sort",
  params: [
    orderByParam,
    optional(param("order", kinds.oneOrList(kinds.oneOf(["asc", "desc"] as const)), "order")),
  ],
  apply: (t: Table, orderBy: string | string[], order?: SortOrder | SortOrder[]): Table =>
    sort(t, orderBy, order ?? "asc"),
  doc: 'rows ordered by the columns, `"asc"` (default) or `"desc"` each; stable, nulls first ascending, NaN above +Infinity',
});

export const sortDescendingOp = defineMethod({
  name: "sortDescending",
  params: [orderByParam],
  apply: (t: Table, orderBy: string | string[]): Table => sortDescending(t, orderBy),
  doc: "rows ordered by the columns, descending (nulls last); stable",
});
