/**
 * Table: a set of row keys and one column per name, addressed by row key. Static tables never
 * change; refreshing tables belong to an UpdateGraph and change once per cycle, emitting one
 * TableUpdate that their children and listeners see. Type attributes (blink, append-only,
 * add-only) travel through operations as in Deephaven.
 *
 * The operations themselves live one per file under `ops/`; this class forwards to them.
 */

import type { Table as ArrowTable } from "apache-arrow";
import type { AggSpec, PartitionedTable } from "./agg/index.ts";
import * as aggs from "./agg/index.ts";
import { tableToArrow } from "./arrow.ts";
import type { ColumnSource } from "./column-source.ts";
import { ArgumentError, TableFailedError, UnsupportedOperationError } from "./errors.ts";
import { dropColumns, renameColumns } from "./ops/columns.ts";
import { head, headPct, slice, slicePct, tail, tailPct } from "./ops/head-tail.ts";
import { removeBlink } from "./ops/remove-blink.ts";
import { select, update, updateView, view } from "./ops/select.ts";
import { snapshot } from "./ops/snapshot.ts";
import { tableToRows } from "./ops/to-rows.ts";
import { where } from "./ops/where.ts";
import { RowSet } from "./row-set.ts";
import type { TableUpdate } from "./table-update.ts";
import type { ColumnType, Schema, Value } from "./types.ts";
import type { GraphNode, UpdateGraph } from "./update-graph.ts";

/** Type attributes of a table. */
export interface TableAttributes {
  readonly refreshing: boolean;
  readonly blink: boolean;
  readonly appendOnly: boolean;
  readonly addOnly: boolean;
}

export const STATIC_ATTRIBUTES: TableAttributes = {
  refreshing: false,
  blink: false,
  appendOnly: false,
  addOnly: false,
};

export type UpdateListener = (update: TableUpdate) => void;
export type FailureListener = (error: unknown) => void;

const TABLE_BRAND = Symbol.for("tickflare.Table");

export class Table {
  readonly graph: UpdateGraph | null;
  readonly #columns: Map<string, ColumnSource>;
  readonly #schema: Schema;
  #rowSet: RowSet;
  readonly #attrs: TableAttributes;
  #failed = false;
  #failure: unknown = undefined;
  #failedCycle = -1;
  #update: TableUpdate | null = null;
  #updateCycle = -1;
  #listeners: { onUpdate: UpdateListener; onFailure?: FailureListener }[] = [];
  #node: GraphNode | null = null;
  #closers: (() => void)[] = [];
  #closed = false;
  /** Name of a ring table's capacity etc., for describe(). */
  readonly kind: string;

  /** @internal Tables are made by factories and operations, not by `new`. */
  constructor(
    columns: Map<string, ColumnSource>,
    rowSet: RowSet,
    attrs: TableAttributes,
    graph: UpdateGraph | null,
    kind = "table",
  ) {
    this.#columns = columns;
    const schema: Record<string, ColumnType> = {};
    for (const [name, col] of columns) schema[name] = col.type;
    this.#schema = Object.freeze(schema);
    this.#rowSet = rowSet;
    this.#attrs = attrs;
    this.graph = graph;
    this.kind = kind;
    if (attrs.refreshing && graph) for (const c of columns.values()) c.setTracker(graph);
    (this as unknown as Record<symbol, boolean>)[TABLE_BRAND] = true;
  }

  /** Brand check that works when the engine is loaded twice. */
  static isTable(x: unknown): x is Table {
    return (
      typeof x === "object" && x !== null && (x as Record<symbol, unknown>)[TABLE_BRAND] === true
    );
  }

  // ---- shape -------------------------------------------------------------------------------

  /** Number of rows. */
  get size(): number {
    return this.#rowSet.size;
  }
  /** Column name -> type, in column order. */
  get columns(): Schema {
    return this.#schema;
  }
  get columnNames(): string[] {
    return [...this.#columns.keys()];
  }
  /** The row keys present now. */
  get rowSet(): RowSet {
    return this.#rowSet;
  }
  /** @internal Column source by name (throws naming the column if missing). */
  column(name: string): ColumnSource {
    const c = this.#columns.get(name);
    if (!c)
      throw new ArgumentError(
        `Unknown column "${name}"; available columns are [${this.columnNames.join(", ")}]`,
      );
    return c;
  }
  /** @internal */
  get columnMap(): ReadonlyMap<string, ColumnSource> {
    return this.#columns;
  }
  hasColumn(name: string): boolean {
    return this.#columns.has(name);
  }

  // ---- type attributes ---------------------------------------------------------------------

  get attributes(): TableAttributes {
    return this.#attrs;
  }
  get isRefreshing(): boolean {
    return this.#attrs.refreshing;
  }
  get isBlink(): boolean {
    return this.#attrs.blink;
  }
  get isAppendOnly(): boolean {
    return this.#attrs.appendOnly;
  }
  get isAddOnly(): boolean {
    return this.#attrs.addOnly || this.#attrs.appendOnly;
  }
  get isFailed(): boolean {
    return this.#failed;
  }
  /** The error that failed this table, if it failed. */
  get failure(): unknown {
    return this.#failure;
  }
  get isClosed(): boolean {
    return this.#closed;
  }

  // ---- reading -----------------------------------------------------------------------------

  /** Rows as plain objects in row-key order (int64/instant as bigint, char as string). */
  toRows(): Record<string, Value>[] {
    return tableToRows(this);
  }

  /** The current rows as an apache-arrow Table (every type maps exactly; see docs/engine.md). */
  toArrow(): ArrowTable {
    return tableToArrow(this);
  }

  /** Value of one cell. */
  getValue(column: string, key: number): Value {
    return this.column(column).get(key);
  }

  // ---- listening ---------------------------------------------------------------------------

  /**
   * Calls `onUpdate` after every cycle in which the table changed, and `onFailure` once if it
   * fails. Returns a function that stops listening. Listening to a failed table throws.
   */
  listen(onUpdate: UpdateListener, onFailure?: FailureListener): () => void {
    if (this.#failed) {
      throw new TableFailedError(
        `Cannot listen to a failed table: ${errorText(this.#failure)}`,
        this.#failure,
      );
    }
    const entry = { onUpdate, onFailure };
    this.#listeners.push(entry);
    return () => {
      const i = this.#listeners.indexOf(entry);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  /** Releases the table: it stops updating and calls every release hook it holds. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#node && this.graph) this.graph.removeNode(this.#node);
    this.#listeners = [];
    const closers = this.#closers;
    this.#closers = [];
    for (const c of closers) c();
  }

  // ---- operations (one file each under ops/) ------------------------------------------------

  update(...formulas: (string | string[])[]): Table {
    return update(this, formulas.flat());
  }
  updateView(...formulas: (string | string[])[]): Table {
    return updateView(this, formulas.flat());
  }
  view(...formulas: (string | string[])[]): Table {
    return view(this, formulas.flat());
  }
  select(...formulas: (string | string[])[]): Table {
    return select(this, formulas.flat());
  }
  where(...filters: (string | string[])[]): Table {
    return where(this, filters.flat());
  }
  dropColumns(...names: (string | string[])[]): Table {
    return dropColumns(this, names.flat());
  }
  renameColumns(...pairs: (string | string[])[]): Table {
    return renameColumns(this, pairs.flat());
  }
  head(n: number): Table {
    return head(this, n);
  }
  tail(n: number): Table {
    return tail(this, n);
  }
  headPct(pct: number): Table {
    return headPct(this, pct);
  }
  tailPct(pct: number): Table {
    return tailPct(this, pct);
  }
  slice(start: number, end: number): Table {
    return slice(this, start, end);
  }
  slicePct(startPct: number, endPct: number): Table {
    return slicePct(this, startPct, endPct);
  }
  /** The same table without blink semantics (aggregations then cover each cycle only). */
  removeBlink(): Table {
    return removeBlink(this);
  }
  /** A static copy of the current contents. */
  snapshot(): Table {
    return snapshot(this);
  }

  // ---- aggregations (agg/); keys as varargs or arrays -----------------------------------------

  /** One row per key tuple with each aggregation's outputs: `t.aggBy([agg.sum("Total = Size")], "Sym")`. */
  aggBy(specs: AggSpec | readonly AggSpec[], ...keys: (string | string[])[]): Table {
    return aggs.aggBy(this, specs, keys.flat());
  }
  /** Sum of every non-key column (int64 for integers, float64 for floats). */
  sumBy(...keys: (string | string[])[]): Table {
    return aggs.sumBy(this, keys.flat());
  }
  absSumBy(...keys: (string | string[])[]): Table {
    return aggs.absSumBy(this, keys.flat());
  }
  /** Rows per group, in int64 column `name`. */
  countBy(name: string, ...keys: (string | string[])[]): Table {
    return aggs.countBy(this, name, keys.flat());
  }
  avgBy(...keys: (string | string[])[]): Table {
    return aggs.avgBy(this, keys.flat());
  }
  minBy(...keys: (string | string[])[]): Table {
    return aggs.minBy(this, keys.flat());
  }
  maxBy(...keys: (string | string[])[]): Table {
    return aggs.maxBy(this, keys.flat());
  }
  firstBy(...keys: (string | string[])[]): Table {
    return aggs.firstBy(this, keys.flat());
  }
  lastBy(...keys: (string | string[])[]): Table {
    return aggs.lastBy(this, keys.flat());
  }
  stdBy(...keys: (string | string[])[]): Table {
    return aggs.stdBy(this, keys.flat());
  }
  varBy(...keys: (string | string[])[]): Table {
    return aggs.varBy(this, keys.flat());
  }
  medianBy(...keys: (string | string[])[]): Table {
    return aggs.medianBy(this, keys.flat());
  }
  /** Array-valued groups (throws: the engine has no array columns yet; blink tables never). */
  groupBy(...keys: (string | string[])[]): Table {
    return aggs.groupBy(this, keys.flat());
  }
  /** One constituent table per key tuple (not on blink tables). */
  partitionBy(...keys: (string | string[])[]): PartitionedTable {
    return aggs.partitionBy(this, keys.flat());
  }
  /** aggBy whose result also indexes per-key constituents (not on blink tables). */
  partitionedAggBy(
    specs: AggSpec | readonly AggSpec[],
    ...keys: (string | string[])[]
  ): PartitionedTable {
    return aggs.partitionedAggBy(this, specs, keys.flat());
  }

  // ---- internal: used by operators and the graph ---------------------------------------------

  /** @internal */
  _setNode(node: GraphNode): void {
    this.#node = node;
    this.graph?.addNode(node);
  }
  /** @internal */
  _onClose(fn: () => void): void {
    this.#closers.push(fn);
  }
  /** @internal Replaces the row set (the caller also reports the change via `_setUpdate`). */
  _setRowSet(rows: RowSet): void {
    this.#rowSet = rows;
  }
  /** @internal Records this cycle's update. */
  _setUpdate(u: TableUpdate): void {
    this.#update = u;
    this.#updateCycle = this.graph ? this.graph.cycle : -1;
  }
  /** @internal The update of the cycle running now, or null. */
  _currentUpdate(): TableUpdate | null {
    return this.graph && this.#updateCycle === this.graph.cycle ? this.#update : null;
  }
  /** @internal Marks the table failed in this cycle. */
  _fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#failure = error;
    this.#failedCycle = this.graph ? this.graph.cycle : -1;
  }
  /** @internal Phase 3 of a cycle. */
  _notify(): void {
    if (this.#failed) {
      if (this.graph && this.#failedCycle === this.graph.cycle) {
        const ls = this.#listeners;
        this.#listeners = [];
        for (const l of ls) l.onFailure?.(this.#failure);
      }
      return;
    }
    const u = this._currentUpdate();
    if (!u) return;
    for (const l of this.#listeners.slice()) l.onUpdate(u);
  }
  /**
   * @internal Asks this table's source to fail at the next cycle (everything downstream fails
   * with it). Returns false when the table is not a source.
   */
  _requestFailure(error: unknown): boolean {
    const node = this.#node as { requestFailure?: (e: unknown) => void } | null;
    if (!node?.requestFailure) return false;
    node.requestFailure(error);
    return true;
  }
  /** @internal Throws the blink-unsupported error for `op`. */
  _assertNotBlink(op: string): void {
    if (this.#attrs.blink) {
      throw new UnsupportedOperationError(
        `Blink tables do not support ${op}; use blinkToAppendOnly to accumulate full history`,
      );
    }
  }
  /** @internal Throws if the table failed (new derived tables need a live parent). */
  _assertUsable(): void {
    if (this.#failed) {
      throw new TableFailedError(
        `Cannot derive from a failed table: ${errorText(this.#failure)}`,
        this.#failure,
      );
    }
  }
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Attributes of a table derived row-for-row from `parent` (where, update, view, ...). */
export function inheritAttributes(parent: Table): TableAttributes {
  const a = parent.attributes;
  return { refreshing: a.refreshing, blink: a.blink, appendOnly: a.appendOnly, addOnly: a.addOnly };
}

/** @internal Empty row set helper re-exported for ops. */
export const NO_ROWS = RowSet.EMPTY;
