/**
 * Table: a set of row keys and one column per name, addressed by row key. Static tables never
 * change; refreshing tables belong to an UpdateGraph and change once per cycle, emitting one
 * TableUpdate that their children and listeners see. Type attributes (blink, append-only,
 * add-only) travel through operations as in Deephaven.
 *
 * This module is the core every operation builds on: it knows no operation. The operation
 * methods (`t.where(...)`, `t.sumBy(...)`, ...) are declared once each, next to their
 * implementation, and installed on this class by `table.ts` from the registry in
 * `operations.ts`. The internal wiring (row set, update, failure, listeners) lives on a
 * `TableNode`, reached only inside the engine through `nodeOf(table)`.
 */

import type { Table as ArrowTable } from "apache-arrow";
import { tableToArrow } from "./arrow/table-to-arrow.ts";
import type { ColumnSource } from "./column-source.ts";
import { ArgumentError, TableFailedError, UnsupportedOperationError } from "./errors.ts";
import { tableToRows } from "./ops/to-rows.ts";
import { RowSet } from "./row-set.ts";
import type { FailureListener, UpdateListener } from "./table-node.ts";
import { errorText, TableNode } from "./table-node.ts";
import type { ColumnType, Schema, Value } from "./types.ts";
import { checkNumberType } from "./types.ts";
import type { UpdateGraph } from "./update-graph.ts";

export type { FailureListener, UpdateListener } from "./table-node.ts";
export { errorText } from "./table-node.ts";

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

const TABLE_BRAND = Symbol.for("tickflare.Table");

/** Set once by the class's static block: reads a table's private node. */
let readNode: (t: Table) => TableNode;

export class Table {
  readonly graph: UpdateGraph | null;
  readonly #columns: Map<string, ColumnSource>;
  readonly #schema: Schema;
  readonly #attrs: TableAttributes;
  readonly #node: TableNode;
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
    this.#node = new TableNode(graph, rowSet);
    this.#attrs = attrs;
    this.graph = graph;
    this.kind = kind;
    if (attrs.refreshing && graph) for (const c of columns.values()) c.setTracker(graph);
    (this as unknown as Record<symbol, boolean>)[TABLE_BRAND] = true;
  }

  static {
    readNode = (t) => t.#node;
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
    return this.#node.rowSet.size;
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
    return this.#node.rowSet;
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
    return this.#node.isFailed;
  }
  /** The error that failed this table, if it failed. */
  get failure(): unknown {
    return this.#node.failure;
  }
  get isClosed(): boolean {
    return this.#node.isClosed;
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

  /**
   * Value of one cell of a numeric column as a number, or null (an int64 past ±2^53 rounded to
   * the nearest double; read without making a BigInt). Any other column throws ArgumentError.
   */
  getNumber(column: string, key: number): number | null {
    const c = this.column(column);
    checkNumberType(c.type, column);
    return c.getNumber(key);
  }

  // ---- listening ---------------------------------------------------------------------------

  /**
   * Calls `onUpdate` after every cycle in which the table changed, and `onFailure` once if it
   * fails. Returns a function that stops listening. Listening to a failed table throws.
   */
  listen(onUpdate: UpdateListener, onFailure?: FailureListener): () => void {
    return this.#node.listen(onUpdate, onFailure);
  }

  /** Releases the table: it stops updating and calls every release hook it holds. */
  close(): void {
    this.#node.close();
  }
}

/**
 * @internal The internal node of a table (row set, update, failure, listeners, graph node).
 * For engine modules only; other folders use typed ports (`sources/source-port.ts`).
 */
export function nodeOf(t: Table): TableNode {
  return readNode(t);
}

/** @internal Throws if `t` failed (new derived tables need a live parent). */
export function assertUsable(t: Table): void {
  if (t.isFailed) {
    throw new TableFailedError(
      `Cannot derive from a failed table: ${errorText(t.failure)}`,
      t.failure,
    );
  }
}

/** @internal Throws the blink-unsupported error for `op` if `t` is a blink table. */
export function assertNotBlink(t: Table, op: string): void {
  if (t.isBlink) {
    throw new UnsupportedOperationError(
      `Blink tables do not support ${op}; use blinkToAppendOnly to accumulate full history`,
    );
  }
}

/** Attributes of a table derived row-for-row from `parent` (where, update, view, ...). */
export function inheritAttributes(parent: Table): TableAttributes {
  const a = parent.attributes;
  return { refreshing: a.refreshing, blink: a.blink, appendOnly: a.appendOnly, addOnly: a.addOnly };
}

/** @internal Empty row set helper re-exported for ops. */
export const NO_ROWS = RowSet.EMPTY;
