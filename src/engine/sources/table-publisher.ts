/**
 * tablePublisher: a blink table fed by `add(table)` / `addRows(rows)` (Deephaven's
 * TablePublisher). Rows are copied when added and become visible together at the next cycle,
 * keyed 0..n-1; the previous cycle's rows are removed then.
 */
import type { Utf8Mode } from "../arrow/utf8.ts";
import { arrowIPCToVecViews } from "../arrow.ts";
import type { Vec } from "../column.ts";
import type { ColumnSource } from "../column-source.ts";
import { ArgumentError, SchemaError, ValueError } from "../errors.ts";
import { readJsonRows } from "../json-rows.ts";
import { readContiguous } from "../ops/copy.ts";
import { RowSet } from "../row-set.ts";
import type { Table } from "../table.ts";
import { nodeOf } from "../table.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import type { Schema } from "../types.ts";
import { validateSchema } from "../types.ts";
import type { UpdateGraph } from "../update-graph.ts";
import { vecFromRows } from "../values-to-vec.ts";
import type { Batch } from "./source-node.ts";
import { SourceNode } from "./source-node.ts";
import { hostUtf8Mode } from "./source-port.ts";

/** Decodes addJson's bytes when they need JSON.parse (invalid UTF-8 throws). */
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export interface TablePublisherOptions {
  name?: string;
  columns: Record<string, string>;
  /** Runs at the start of every cycle, before the rows are taken; rows it adds land in that cycle. */
  onFlush?: (publisher: TablePublisher) => void;
  /** Runs once, after the cycle in which the publisher failed. */
  onShutdown?: () => void;
  /** Rows per storage chunk; must be positive. */
  chunkSize?: number;
}

const BLINK = { refreshing: true, blink: true, appendOnly: false, addOnly: false };

class PublisherNode extends SourceNode {
  readonly schema: Schema;
  /** The schema's column names, in order. */
  readonly names: readonly string[];
  readonly publisher: TablePublisher;
  readonly onFlush: ((p: TablePublisher) => void) | undefined;
  pending: Batch[] = [];

  constructor(graph: UpdateGraph, schema: Schema, name: string, opts: TablePublisherOptions) {
    super(graph, schema, BLINK, `publisher:${name}`, opts.onShutdown);
    this.schema = schema;
    this.names = Object.keys(schema);
    this.onFlush = opts.onFlush;
    this.publisher = new TablePublisher(this, name);
    // Utf8 values of Arrow and JSON publishes stay UTF-8 into the blink table's pages.
    for (let i = 0; i < this.cols.length; i++) this.cols[i]!.takeUtf8();
    const table = this.table;
    nodeOf(table).setPort({
      addBatch: (vecs, length) => {
        if (this.failed || length === 0) return;
        this.pending.push({ vecs, length });
      },
      get utf8Mode(): Utf8Mode {
        return hostUtf8Mode(table);
      },
      requestFailure: (error) => this.fail(error),
    });
  }

  get failed(): boolean {
    return this.failurePending || this.table.isFailed;
  }

  /**
   * Which string columns of an Arrow or JSON publish come as their UTF-8 into the blink table's
   * pages: every non-key one when only operators that keep UTF-8 rows as bytes read the blink
   * table (rings, `blinkToAppendOnly`), else those of mostly distinct values (`Utf8Mode`).
   */
  get utf8Mode(): Utf8Mode {
    return nodeOf(this.table).bytesReadersOnly ? "nonkey" : "values";
  }

  fail(error: unknown): void {
    this.failNext(error);
  }

  preFlush(): void {
    if (this.failed || !this.onFlush) return;
    try {
      this.onFlush(this.publisher);
    } catch (e) {
      this.failNext(e);
    }
  }

  protected flush(): TableUpdate | null {
    const prev = this.table.size;
    const batches = this.pending;
    this.pending = [];
    if (prev === 0 && batches.length === 0) return null;
    // The rows of the cycle before: the table's row set is exactly [0, prev).
    const removed = this.table.rowSet;
    // Set the old pages aside first (kept as previous values, no copy); new rows get new pages.
    const cols = this.cols;
    for (let i = 0; i < cols.length; i++) cols[i]!.release(removed, RowSet.EMPTY);
    const n = this.writeBatches(batches, 0);
    const rows = RowSet.flat(n);
    nodeOf(this.table).setRowSet(rows);
    return makeUpdate(rows, removed);
  }

  protected override onFailed(): void {
    this.pending = [];
  }
}

/** Feeds a blink table. Made by `tablePublisher`. */
export class TablePublisher {
  readonly #node: PublisherNode;
  readonly name: string;

  /** @internal */
  constructor(node: PublisherNode, name: string) {
    this.#node = node;
    this.name = name;
  }

  /** The blink table this publisher feeds. */
  get table(): Table {
    return this.#node.table;
  }

  /** False from the cycle in which a published failure took effect. */
  get isAlive(): boolean {
    return !this.#node.table.isFailed;
  }

  /**
   * Copies `table`'s rows now; they appear at the next cycle. Columns are matched by name (extra
   * columns are ignored); a missing column or a type mismatch throws and enqueues nothing.
   */
  add(table: Table): void {
    const node = this.#node;
    if (node.failed) return;
    const names = node.names;
    for (let i = 0; i < names.length; i++) {
      if (table.hasColumn(names[i]!)) continue;
      const missing = names.filter((n) => !table.hasColumn(n));
      throw new ArgumentError(
        `Unknown column names [${missing.join(", ")}], available column names are [${table.columnNames.join(", ")}]`,
      );
    }
    const cols = new Array<ColumnSource>(names.length);
    for (let i = 0; i < names.length; i++) {
      const n = names[i]!;
      const c = table.column(n);
      if (c.type !== node.schema[n]) {
        throw new SchemaError(
          `Column "${n}" is ${c.type} in the added table but the publisher expects ${node.schema[n]}`,
          n,
        );
      }
      cols[i] = c;
    }
    if (table.size === 0) return;
    if (!table.isRefreshing) {
      // A static table never changes: keep a reference and copy once, into pages, at the cycle
      // (pages that line up with the blink table's are borrowed, not copied: source-node.ts).
      node.pending.push({ cols, rows: table.rowSet, length: table.size });
      return;
    }
    node.pending.push({ vecs: readContiguous(cols, table.rowSet), length: table.size });
  }

  /**
   * Adds plain row objects; every value is checked against its column's type. A bad value
   * rejects the whole call with an error naming the row index, the column and the type.
   */
  addRows(rows: readonly Record<string, unknown>[]): void {
    const node = this.#node;
    if (node.failed) return;
    if (!Array.isArray(rows)) throw new ValueError("addRows expects an array of row objects");
    rows.forEach((r, i) => {
      if (r === null || typeof r !== "object" || Array.isArray(r)) {
        throw new ValueError(`row ${i}: expected an object of column values`, undefined, i);
      }
    });
    const vecs: Vec[] = Object.entries(node.schema).map(([name, type]) =>
      vecFromRows(type, rows, name),
    );
    if (rows.length > 0) node.pending.push({ vecs, length: rows.length });
  }

  /**
   * Adds the rows of a JSON array of row objects, given as text or as its UTF-8 bytes: the same
   * rows, values and errors as `addRows(JSON.parse(text))`, read into columns without making the
   * row objects where the text allows (`json-rows.ts`). Text that is not JSON throws a ValueError.
   */
  addJson(text: string | Uint8Array): void {
    const node = this.#node;
    if (node.failed) return;
    if (typeof text !== "string" && !(text instanceof Uint8Array))
      throw new ValueError("addJson expects JSON text or its UTF-8 bytes");
    const read = readJsonRows(text, node.schema, [], node.utf8Mode);
    if (read !== null) {
      if (read.length > 0) node.pending.push(read);
      return;
    }
    let rows: unknown;
    try {
      rows = JSON.parse(typeof text === "string" ? text : strictUtf8.decode(text));
    } catch (e) {
      throw new ValueError(`addJson: the text is not valid JSON: ${(e as Error).message}`);
    }
    this.addRows(rows as Record<string, unknown>[]);
  }

  /**
   * Adds the rows of Arrow IPC bytes (stream or file format) whose columns are exactly the
   * publisher's (any order, each of the Arrow type its column reads from, as for an HTTP Arrow
   * publish); anything else throws ArrowError and adds nothing. The same rows as
   * `add(fromArrowIPC(bytes))`, without building a table: the columns are decoded straight into
   * vectors that the next cycle copies into the blink table's pages. Fixed-width columns without
   * nulls are read in place until then, so `bytes` must not be written to before the next cycle.
   */
  addArrow(bytes: Uint8Array | ArrayBuffer): void {
    const node = this.#node;
    if (node.failed) return;
    const read = arrowIPCToVecViews(bytes, node.schema, node.utf8Mode);
    if (read.length > 0) node.pending.push(read);
  }

  /** Fails the blink table (and everything downstream) at the next cycle; then shuts down. */
  publishFailure(error: unknown): void {
    this.#node.fail(error);
  }
}

/**
 * Creates a publisher and its blink table: `const [blink, pub] = tablePublisher(g, { name, columns })`.
 */
export function tablePublisher(
  graph: UpdateGraph,
  options: TablePublisherOptions,
): [Table, TablePublisher] {
  if (!options || typeof options !== "object")
    throw new ArgumentError("tablePublisher needs options { name, columns }");
  const schema = validateSchema(options.columns);
  if (
    options.chunkSize !== undefined &&
    !(Number.isInteger(options.chunkSize) && options.chunkSize > 0)
  ) {
    throw new ArgumentError(`chunkSize must be a positive integer, got ${options.chunkSize}`);
  }
  const node = new PublisherNode(graph, schema, options.name ?? "publisher", options);
  return [node.table, node.publisher];
}
