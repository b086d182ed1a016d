/**
 * SourceNode: the graph node behind a source table (publisher, writer, time table). It owns the
 * table's columns, buffers input until the cycle, and handles failure and shutdown.
 */

import type { Vec } from "../column.ts";
import { PagedColumn } from "../column.ts";
import type { ColumnSource } from "../column-source.ts";
import { UnsupportedOperationError } from "../errors.ts";
import { copyRowsTo } from "../ops/copy.ts";
import { RowSet } from "../row-set.ts";
import type { TableAttributes } from "../table.ts";
import { nodeOf, Table } from "../table.ts";
import type { TableUpdate } from "../table-update.ts";
import { isEmptyUpdate } from "../table-update.ts";
import type { Schema } from "../types.ts";
import type { GraphNode, UpdateGraph } from "../update-graph.ts";

/**
 * A batch of rows: one vector per column, in schema order; or the rows of an immutable (static)
 * table's columns, copied straight into the source's pages when the cycle takes them (pages that
 * line up are borrowed instead: the source copies such a page only if it writes to it).
 */
export type Batch =
  | {
      readonly vecs: readonly Vec[];
      readonly length: number;
      readonly cols?: undefined;
      /** Called once the rows are copied into the source's pages (the vectors' buffers are free). */
      release?(): void;
    }
  | { readonly cols: readonly ColumnSource[]; readonly rows: RowSet; readonly length: number };

export abstract class SourceNode implements GraphNode {
  readonly table: Table;
  readonly graph: UpdateGraph;
  protected readonly cols: PagedColumn[];
  /** The table's own storage, by column name. */
  protected readonly columnsByName: ReadonlyMap<string, PagedColumn>;
  #pendingFailure: unknown = undefined;
  #hasPendingFailure = false;
  #shutdownDue = false;
  #onShutdown: (() => void) | undefined;

  constructor(
    graph: UpdateGraph,
    schema: Schema,
    attrs: TableAttributes,
    kind: string,
    onShutdown?: () => void,
    views?: (storage: ReadonlyMap<string, PagedColumn>) => Map<string, ColumnSource>,
  ) {
    this.graph = graph;
    const columns = new Map<string, PagedColumn>();
    for (const [name, type] of Object.entries(schema))
      columns.set(name, new PagedColumn(type, graph));
    this.cols = [...columns.values()];
    this.columnsByName = columns;
    // `views`: the table's columns read the storage some other way (a mirror's slots).
    const tableColumns: Map<string, ColumnSource> = views ? views(columns) : columns;
    this.table = new Table(tableColumns, RowSet.EMPTY, attrs, graph, kind);
    nodeOf(this.table).attach(this);
    nodeOf(this.table).setPort({
      addBatch: () => {
        throw new UnsupportedOperationError(`A ${kind.split(":")[0]} source takes no row batches`);
      },
      requestFailure: (error) => this.requestFailure(error),
    });
    this.#onShutdown = onShutdown;
  }

  /** Source-specific flush: returns this cycle's update, or null. */
  protected abstract flush(): TableUpdate | null;

  /** Fails the source at the next cycle (or this one, if called during flush callbacks). */
  protected failNext(error: unknown): void {
    if (this.#hasPendingFailure || this.table.isFailed) return;
    this.#hasPendingFailure = true;
    this.#pendingFailure = error;
  }

  /** Fails the source at the next cycle (the host's shutdown, a mirror's remote failure). */
  requestFailure(error: unknown): void {
    this.failNext(error);
  }

  protected get failurePending(): boolean {
    return this.#hasPendingFailure;
  }

  process(): void {
    if (this.table.isFailed) return;
    if (this.#hasPendingFailure) {
      nodeOf(this.table).fail(this.#pendingFailure);
      this.#shutdownDue = true;
      this.onFailed();
      return;
    }
    try {
      const u = this.flush();
      if (u && !isEmptyUpdate(u)) nodeOf(this.table).setUpdate(u);
    } catch (e) {
      nodeOf(this.table).fail(e);
      this.#shutdownDue = true;
      this.onFailed();
    }
  }

  /** Called once when the source fails (drop buffers). */
  protected onFailed(): void {}

  notify(): void {
    nodeOf(this.table).notify();
  }

  postCycle(): void {
    if (!this.#shutdownDue) return;
    this.#shutdownDue = false;
    const cb = this.#onShutdown;
    this.#onShutdown = undefined;
    cb?.();
  }

  /** Writes batches to consecutive keys from `start`; returns the next free key. */
  protected writeBatches(batches: readonly Batch[], start: number): number {
    let at = start;
    for (let i = 0; i < batches.length; i++) {
      const b = batches[i]!;
      // A static table's columns: pages are borrowed, not copied, where they line up.
      if (b.cols) copyRowsTo(b.cols, b.rows, this.cols, at, true);
      else {
        for (let j = 0; j < this.cols.length; j++)
          this.cols[j]!.writeRun(at, b.vecs[j]!, 0, b.length);
        if (b.release !== undefined) b.release();
      }
      at += b.length;
    }
    return at;
  }
}
