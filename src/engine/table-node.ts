/**
 * TableNode: the internal side of a table. The public `Table` (table-core.ts) is what users hold;
 * its node holds the wiring the engine changes underneath it: the current row set, this cycle's
 * update, the failure, listeners, the graph node that computes it and its release hooks. Only
 * engine modules reach it, through `nodeOf(table)`; other folders feed tables through typed
 * ports (`sources/source-port.ts`).
 *
 * A node may be dormant (`setDemand`): its operator keeps no state until something reads its rows,
 * its update or listens to it; the first such read runs the demand hook once, which builds the
 * state from the parent's current rows (a sort under a head: ops/top-n.ts).
 */
import { TableFailedError } from "./errors.ts";
import type { RowSet } from "./row-set.ts";
import type { SourcePort } from "./sources/source-port.ts";
import type { TableUpdate } from "./table-update.ts";
import type { GraphNode, UpdateGraph } from "./update-graph.ts";

export type UpdateListener = (update: TableUpdate) => void;
export type FailureListener = (error: unknown) => void;

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class TableNode {
  readonly graph: UpdateGraph | null;
  #rowSet: RowSet;
  #failed = false;
  #failure: unknown = undefined;
  #failedCycle = -1;
  #update: TableUpdate | null = null;
  #updateCycle = -1;
  #listeners: { onUpdate: UpdateListener; onFailure?: FailureListener }[] = [];
  #graphNode: GraphNode | null = null;
  #closers: (() => void)[] = [];
  #closed = false;
  #port: SourcePort | null = null;
  #demand: (() => void) | null = null;
  /** Operators made over this table (`noteReader`): those that keep UTF-8 rows as bytes, others. */
  #bytesReaders = 0;
  #otherReaders = 0;

  constructor(graph: UpdateGraph | null, rowSet: RowSet) {
    this.graph = graph;
    this.#rowSet = rowSet;
  }

  /** The row keys present now. */
  get rowSet(): RowSet {
    if (this.#demand !== null) this.#wake();
    return this.#rowSet;
  }

  /**
   * Makes the node dormant: `materialise` runs once, before the first read of its rows or update
   * and before its first listener, and must set the row set the table has by then.
   */
  setDemand(materialise: () => void): void {
    this.#demand = materialise;
  }

  /**
   * Notes an operator made over this table: `bytes` when it keeps the table's UTF-8 rows as their
   * bytes (a ring, `blinkToAppendOnly`: `Operator.keepsUtf8Rows`).
   */
  noteReader(bytes: boolean): void {
    if (bytes) this.#bytesReaders++;
    else this.#otherReaders++;
  }

  /** Forgets a reader `noteReader` noted (its table was closed: it reads this one no more). */
  forgetReader(bytes: boolean): void {
    if (bytes) this.#bytesReaders = Math.max(0, this.#bytesReaders - 1);
    else this.#otherReaders = Math.max(0, this.#otherReaders - 1);
  }

  /**
   * Whether every operator made over this table keeps its UTF-8 rows as their bytes, and there is
   * one: a publisher feeding it then hands every non-key string column over as UTF-8
   * (`Utf8Mode` "nonkey"), which a decode through the string cache would only cost. Listeners are
   * not counted (the Durable Object's record each update; a reader of values decodes the rows it
   * reads).
   */
  get bytesReadersOnly(): boolean {
    return this.#otherReaders === 0 && this.#bytesReaders > 0;
  }

  /**
   * Whether no operator made over this table decodes its UTF-8 rows (none is made, or only
   * rings): for a host whose own listeners read the rows only to encode them (the Durable
   * Object's subscriptions and snapshots take a UTF-8 page's bytes as they are).
   */
  get noDecodingReaders(): boolean {
    return this.#otherReaders === 0;
  }

  /** Whether the node is dormant (no read has demanded it yet). */
  get isDormant(): boolean {
    return this.#demand !== null;
  }

  #wake(): void {
    const f = this.#demand;
    this.#demand = null;
    f?.();
  }
  /** Replaces the row set (the caller also reports the change via `setUpdate`). */
  setRowSet(rows: RowSet): void {
    this.#rowSet = rows;
  }

  get isFailed(): boolean {
    return this.#failed;
  }
  get failure(): unknown {
    return this.#failure;
  }
  get isClosed(): boolean {
    return this.#closed;
  }

  /** Registers the graph node (operator or source) that computes this table each cycle. */
  attach(node: GraphNode): void {
    this.#graphNode = node;
    this.graph?.addNode(node);
  }

  /** The port that feeds this table, if it is a source (see `sources/source-port.ts`). */
  get port(): SourcePort | null {
    return this.#port;
  }
  /** Sources register their port here. */
  setPort(port: SourcePort): void {
    this.#port = port;
  }

  /** Adds a hook that `close()` runs (e.g. a data-service unsubscribe). */
  onClose(fn: () => void): void {
    this.#closers.push(fn);
  }

  /** Records this cycle's update. */
  setUpdate(u: TableUpdate): void {
    this.#update = u;
    this.#updateCycle = this.graph ? this.graph.cycle : -1;
  }

  /** The update of the cycle running now, or null. */
  currentUpdate(): TableUpdate | null {
    if (this.#demand !== null) this.#wake();
    return this.#current();
  }

  #current(): TableUpdate | null {
    return this.graph && this.#updateCycle === this.graph.cycle ? this.#update : null;
  }

  /** Marks the table failed in this cycle. */
  fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#failure = error;
    this.#failedCycle = this.graph ? this.graph.cycle : -1;
  }

  /** Phase 3 of a cycle: calls the listeners with this cycle's update, or its failure. */
  notify(): void {
    if (this.#failed) {
      if (this.graph && this.#failedCycle === this.graph.cycle) {
        const ls = this.#listeners;
        this.#listeners = [];
        for (const l of ls) l.onFailure?.(this.#failure);
      }
      return;
    }
    const u = this.#current();
    if (!u) return;
    // The array is never changed in place (listen and its undo make a new one), so a listener
    // that adds or removes listeners does not change this loop's.
    const ls = this.#listeners;
    for (let i = 0; i < ls.length; i++) ls[i]!.onUpdate(u);
  }

  /** See `Table.listen`. */
  listen(onUpdate: UpdateListener, onFailure?: FailureListener): () => void {
    if (this.#demand !== null) this.#wake();
    if (this.#failed) {
      throw new TableFailedError(
        `Cannot listen to a failed table: ${errorText(this.#failure)}`,
        this.#failure,
      );
    }
    const entry = { onUpdate, onFailure };
    this.#listeners = [...this.#listeners, entry];
    return () => {
      this.#listeners = this.#listeners.filter((x) => x !== entry);
    };
  }

  /** See `Table.close`. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#graphNode && this.graph) this.graph.removeNode(this.#graphNode);
    this.#listeners = [];
    const closers = this.#closers;
    this.#closers = [];
    for (const c of closers) c();
  }
}
