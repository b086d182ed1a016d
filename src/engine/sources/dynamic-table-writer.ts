/**
 * DynamicTableWriter: an append-only table fed one row at a time (Deephaven's
 * DynamicTableWriter). Values convert permissively, as `write_row` does (11.1 into an int column
 * gives 11). Rows appear at the next cycle; a transaction's rows appear together when committed.
 */
import type { Utf8Mode } from "../arrow/utf8.ts";
import type { Vec } from "../column.ts";
import { ArgumentError, TickflareError } from "../errors.ts";
import { attachHistory, evictHistory, saveHistoryPages } from "../persist/history.ts";
import type { StateHandle } from "../persist/state-store.ts";
import { RowSet } from "../row-set.ts";
import type { Table } from "../table.ts";
import { nodeOf } from "../table.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import type { ColumnType, RawValue, Schema } from "../types.ts";
import { allocStorage, coercePermissive, validateSchema } from "../types.ts";
import type { UpdateGraph } from "../update-graph.ts";
import type { Batch } from "./source-node.ts";
import { SourceNode } from "./source-node.ts";
import { hostUtf8Mode } from "./source-port.ts";

const APPEND_ONLY = { refreshing: true, blink: false, appendOnly: true, addOnly: true };

type Row = RawValue[];

class WriterNode extends SourceNode {
  pending: Row[] = [];
  batches: Batch[] = [];
  readonly types: ColumnType[];
  #fresh = true;

  constructor(graph: UpdateGraph, schema: Schema) {
    super(graph, schema, APPEND_ONLY, "dynamicTableWriter");
    this.types = Object.values(schema);
    // Rows are only ever appended: a full page never changes again.
    for (const c of this.cols) c.sealFullPages();
    const h = graph.store?.register("writer", {
      table: this.table,
      save: (handle) => this.save(handle),
    });
    if (h) {
      if (h.restored) {
        nodeOf(this.table).setRowSet(RowSet.flat(h.getMeta<number>("size") ?? 0));
        this.#fresh = false;
      }
      attachHistory(h, this.table);
    }
  }

  save(h: StateHandle): void {
    h.putMeta("size", this.table.size);
    const u = this.#fresh ? null : nodeOf(this.table).currentUpdate();
    this.#fresh = false;
    saveHistoryPages(h, this.table, u ? u.added : this.table.rowSet);
    evictHistory(this.table, h.historyBytes);
  }

  /** Queues a whole batch (after the rows written so far). */
  addBatch(b: Batch): void {
    this.#rowsToBatch();
    if (b.length > 0) this.batches.push(b);
  }

  protected flush(): TableUpdate | null {
    this.#rowsToBatch();
    const batches = this.batches;
    if (batches.length === 0) return null;
    this.batches = [];
    const start = this.table.size;
    const end = this.writeBatches(batches, start);
    nodeOf(this.table).setRowSet(RowSet.flat(end));
    return makeUpdate(RowSet.range(start, end));
  }

  #rowsToBatch(): void {
    const rows = this.pending;
    if (rows.length === 0) return;
    this.pending = [];
    const n = rows.length;
    const vecs: Vec[] = this.types.map((type, j) => {
      const data = allocStorage(type, n) as unknown as unknown[];
      let valid: Uint8Array | null = null;
      for (let i = 0; i < n; i++) {
        const v = rows[i]![j]!;
        if (v === null) {
          if (!valid) valid = new Uint8Array(n).fill(1);
          valid[i] = 0;
        } else data[i] = v;
      }
      return { data: data as unknown as Vec["data"], valid, length: n };
    });
    this.batches.push({ vecs, length: n });
  }
}

/** Thrown when writing to a closed DynamicTableWriter. */
export class WriterClosedError extends TickflareError {
  constructor() {
    super("writer_closed", "DynamicTableWriter is closed");
  }
}

export class DynamicTableWriter {
  readonly #node: WriterNode;
  readonly #names: string[];
  #txn: Row[] | null = null;
  #closed = false;

  constructor(graph: UpdateGraph, columns: Record<string, string>) {
    const schema = validateSchema(columns);
    this.#node = new WriterNode(graph, schema);
    this.#names = Object.keys(schema);
    const node = this.#node;
    const table = node.table;
    nodeOf(table).setPort({
      addBatch: (vecs, length) => {
        if (this.#closed) throw new WriterClosedError();
        node.addBatch({ vecs, length });
      },
      // Its columns append UTF-8 rows to open pages and seal them by their bytes.
      get utf8Mode(): Utf8Mode {
        return hostUtf8Mode(table);
      },
      requestFailure: (error) => node.requestFailure(error),
    });
  }

  /** The append-only table the writer feeds. */
  get table(): Table {
    return this.#node.table;
  }

  /** Writes one row: exactly one value per column, in column order; `null` means null. */
  writeRow(...values: unknown[]): void {
    if (this.#closed) throw new WriterClosedError();
    const n = this.#names.length;
    if (values.length !== n) {
      throw new ArgumentError(
        `writeRow expects ${n} values (${this.#names.join(", ")}), got ${values.length}`,
      );
    }
    const row: Row = new Array(n);
    for (let j = 0; j < n; j++) {
      row[j] = coercePermissive(this.#node.types[j]!, values[j], { column: this.#names[j]! });
    }
    (this.#txn ?? this.#node.pending).push(row);
  }

  /** Starts grouping rows; a new transaction discards the rows of an uncommitted one. */
  beginTransaction(): void {
    if (this.#closed) throw new WriterClosedError();
    this.#txn = [];
  }

  /** Releases the transaction's rows to appear together at the next cycle. */
  commitTransaction(): void {
    if (!this.#txn) throw new ArgumentError("commitTransaction without beginTransaction");
    for (const r of this.#txn) this.#node.pending.push(r);
    this.#txn = null;
  }

  /** Stops accepting rows; rows already written (and committed) still appear. */
  close(): void {
    this.#closed = true;
    this.#txn = null;
  }

  get isClosed(): boolean {
    return this.#closed;
  }
}
