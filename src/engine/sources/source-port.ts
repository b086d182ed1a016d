/**
 * SourcePort: how a host (the Durable Object's publish path, a test harness) feeds a source
 * table and fails it, without reaching into the engine's internals. Every source registers one
 * for its table; `sourcePort(table)` finds it.
 */
import type { Utf8Mode } from "../arrow/utf8.ts";
import type { Vec } from "../column.ts";
import { ArgumentError } from "../errors.ts";
import type { Table } from "../table-core.ts";
import { nodeOf } from "../table-core.ts";

export interface SourcePort {
  /**
   * Enqueues a batch already validated against the source's schema: one vector per column, in
   * schema order. Its rows appear at the next cycle. Sources that take no rows throw. A source
   * reads the vectors (copying the rows into its own storage) and never writes or keeps them:
   * they may be views of the bytes a publish stored.
   */
  addBatch(vecs: readonly Vec[], length: number): void;
  /**
   * Which string columns `addBatch` may be given as their UTF-8 (`Vec.utf8`; see `Utf8Mode`): a
   * publisher's blink table keeps them so in its pages. For a host whose listeners only encode
   * the rows they are told of (the Durable Object). Absent: none (every string decoded).
   */
  readonly utf8Mode?: Utf8Mode;
  /**
   * Input tables with keys only: enqueues a delete of the rows with these keys (one vector per
   * key column, in key order); absent keys are no-ops. Other sources have no `deleteBatch`.
   * The vectors are read only, as `addBatch`'s.
   */
  deleteBatch?(vecs: readonly Vec[], length: number): void;
  /** Fails the source, and every table downstream, at the next cycle. */
  requestFailure(error: unknown): void;
}

/**
 * The `utf8Mode` of a port whose source keeps UTF-8 rows in its pages (a publisher's blink table,
 * a writer's append-only one), for a host whose own listeners only encode rows (the Durable
 * Object): every non-key string column while no operator decodes `table`, else those of mostly
 * distinct values.
 */
export function hostUtf8Mode(table: Table): Utf8Mode {
  return nodeOf(table).noDecodingReaders ? "nonkey" : "values";
}

/** The port of a source table (publisher, writer, time table, mirror); throws for other tables. */
export function sourcePort(table: Table): SourcePort {
  const port = nodeOf(table).port;
  if (!port) throw new ArgumentError(`Table "${table.kind}" is not a source table`);
  return port;
}
