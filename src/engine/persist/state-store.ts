/**
 * SqlStateStore: persists the state of a family's stateful operators (ring, append-only
 * history, writer, time table, aggregations) through a SqlPort, inside the same synchronous
 * transaction as the cycle that produced it.
 *
 * Operators register at construction, in creation order, so the same spec gives every operator
 * the same id on every wake (`<ordinal>:<kind>`). A registered operator with saved state restores
 * from it instead of initialising from its parent. After each cycle the graph calls `afterCycle`,
 * and every operator whose table changed writes what changed:
 * - row pages: the rows of one PAGE_SIZE key range as an Arrow IPC stream, split into parts of at
 *   most MAX_BLOB_BYTES (each part a valid IPC stream of consecutive rows);
 * - for append-only histories, a small summary of each page next to it (page-summary.ts: min and
 *   max of every numeric column per block of rows, which charts downsample from);
 * - small JSON values (`meta`), e.g. a ring's next sequence number;
 * - per-slot BLOBs or JSON for aggregation state.
 */

import { writeIPCParts } from "../arrow/ipc-write.ts";
import { arrowIPCColumns, arrowIPCToUtf8Vecs, arrowIPCToVecs } from "../arrow.ts";
import type { Vec } from "../column.ts";
import { PAGE_SIZE } from "../column.ts";
import { ArgumentError } from "../errors.ts";
import { readRows } from "../ops/copy.ts";
import type { RowSet } from "../row-set.ts";
import type { Table } from "../table-core.ts";
import { nodeOf } from "../table-core.ts";
import type { ColumnType, Schema } from "../types.ts";
import { HISTORY_BYTES_IN_MEMORY } from "./history.ts";
import type { SqlPort } from "./sql-port.ts";
import { bytesOf, checkBlob, MAX_BLOB_BYTES, one, rows } from "./sql-port.ts";

/** What a stateful operator implements to be persisted. */
export interface Stateful {
  /** The table whose updates mark the operator dirty. */
  readonly table: Table;
  /** Writes what changed in the cycle that just ran. */
  save(h: StateHandle): void;
  /** True if `save` must run even without a table update this cycle. */
  readonly alwaysSave?: boolean;
}

/** The storage an operator sees; ids are stable across wakes. */
export interface StateHandle {
  readonly id: string;
  /** True when saved state exists for this operator. */
  readonly restored: boolean;
  /** Bytes of an append-only history's pages to keep in memory (`StateStoreOptions`). */
  readonly historyBytes: number;
  getMeta<T>(key: string): T | undefined;
  putMeta(key: string, value: unknown): void;
  /** Replaces stored page `page` with the rows of `table` whose keys fall in it. */
  savePage(table: Table, page: number): void;
  /** Saves every page that holds a key of `keys`. */
  savePagesOf(table: Table, keys: RowSet): void;
  /**
   * Loads page `page`: one Vec per column of `schema`, rows in key order; null if absent. `utf8`:
   * a string column of a page stored in one part comes as its UTF-8 (`Vec.utf8`, no strings: for
   * `PagedColumn.installPage` only).
   */
  loadPage(schema: Schema, page: number, utf8?: boolean): { vecs: Vec[]; length: number } | null;
  /**
   * Columns `names` of stored page `page` (rows in key order), decoding only those; null if
   * absent. Nothing is kept in memory.
   */
  loadColumns(schema: Schema, page: number, names: readonly string[]): Vec[] | null;
  /** Replaces the summary stored with page `page`. */
  putSummary(page: number, data: Uint8Array): void;
  /** Every stored page summary, by page. */
  summaries(): Map<number, Uint8Array>;
  /** Deletes stored pages (and their summaries) below `page`. */
  deletePagesBelow(page: number): void;
  putSlot(slot: number, data: Uint8Array | string): void;
  deleteSlot(slot: number): void;
  /** Every saved slot, in slot order. */
  slots(): { slot: number; data: Uint8Array | string }[];
}

export interface StateStore {
  /** Called by a stateful operator at construction. */
  register(kind: string, op: Stateful): StateHandle;
  /** Called by the graph after listeners ran, inside the cycle's transaction. */
  afterCycle(cycle: number): void;
  /**
   * Bytes of pages that can be read or computed again kept in memory per table (a history's, a
   * formula column's over one: `StateStoreOptions.historyBytes`); HISTORY_BYTES_IN_MEMORY if unset.
   */
  readonly historyBytes?: number;
}

export interface StateStoreOptions {
  /** Appended to every storage table name, for several stores in one database (tests). */
  prefix?: string;
  /**
   * Bytes of each append-only history's pages kept in memory at most, newest first (the page the
   * next rows go to always stays; older pages are read back from storage when read). Default
   * HISTORY_BYTES_IN_MEMORY (16 MiB); at most 16 pages are kept in any case.
   */
  historyBytes?: number;
}

export class SqlStateStore implements StateStore {
  readonly #sql: SqlPort;
  readonly #p: string;
  readonly #historyBytes: number;
  #ordinal = 0;
  readonly #ops: { op: Stateful; h: Handle }[] = [];

  constructor(sql: SqlPort, options: StateStoreOptions = {}) {
    this.#sql = sql;
    this.#p = options.prefix ?? "tf";
    const hb = options.historyBytes ?? HISTORY_BYTES_IN_MEMORY;
    if (typeof hb !== "number" || !Number.isFinite(hb) || hb < 0) {
      throw new ArgumentError(
        `SqlStateStore: historyBytes must be a number of bytes (0 or more), got ${String(hb)}`,
      );
    }
    this.#historyBytes = hb;
    const p = this.#p;
    sql.exec(
      `CREATE TABLE IF NOT EXISTS ${p}_meta (op TEXT NOT NULL, k TEXT NOT NULL, v TEXT NOT NULL, PRIMARY KEY (op, k))`,
    );
    sql.exec(
      `CREATE TABLE IF NOT EXISTS ${p}_page (op TEXT NOT NULL, page INTEGER NOT NULL, part INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (op, page, part))`,
    );
    sql.exec(
      `CREATE TABLE IF NOT EXISTS ${p}_summary (op TEXT NOT NULL, page INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (op, page))`,
    );
    sql.exec(
      `CREATE TABLE IF NOT EXISTS ${p}_slot (op TEXT NOT NULL, slot INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (op, slot))`,
    );
  }

  get historyBytes(): number {
    return this.#historyBytes;
  }

  register(kind: string, op: Stateful): StateHandle {
    const id = `${this.#ordinal++}:${kind}`;
    const restored =
      one(this.#sql, `SELECT 1 AS x FROM ${this.#p}_meta WHERE op = ? LIMIT 1`, id) !== undefined;
    const h = new Handle(this.#sql, this.#p, id, restored, this.#historyBytes);
    this.#ops.push({ op, h });
    return h;
  }

  afterCycle(_cycle: number): void {
    for (const { op, h } of this.#ops) {
      if (op.alwaysSave || nodeOf(op.table).currentUpdate()) {
        op.save(h);
        h.putMeta("saved", true);
      }
    }
  }

  /** Marks every registered operator as saved (after a fresh build), so a restart restores them. */
  saveAll(): void {
    for (const { op, h } of this.#ops) {
      op.save(h);
      h.putMeta("saved", true);
    }
  }

  /** Deletes everything this store saved. */
  clear(): void {
    for (const t of ["meta", "page", "summary", "slot"])
      this.#sql.exec(`DELETE FROM ${this.#p}_${t}`);
  }

  /** Bytes stored per operator id (pages + slots + meta), for describe(). */
  storedBytes(): Map<string, number> {
    const out = new Map<string, number>();
    const add = (op: string, n: number) => out.set(op, (out.get(op) ?? 0) + n);
    for (const r of rows(
      this.#sql,
      `SELECT op, SUM(LENGTH(data)) AS n FROM ${this.#p}_page GROUP BY op`,
    ))
      add(String(r.op), Number(r.n));
    for (const t of ["summary", "slot"]) {
      for (const r of rows(
        this.#sql,
        `SELECT op, SUM(LENGTH(data)) AS n FROM ${this.#p}_${t} GROUP BY op`,
      ))
        add(String(r.op), Number(r.n));
    }
    return out;
  }

  /** The operators registered so far, with their ids and tables. */
  get registered(): readonly { id: string; table: Table }[] {
    return this.#ops.map(({ op, h }) => ({ id: h.id, table: op.table }));
  }
}

class Handle implements StateHandle {
  readonly #sql: SqlPort;
  readonly #p: string;
  readonly id: string;
  readonly restored: boolean;
  readonly historyBytes: number;

  constructor(sql: SqlPort, p: string, id: string, restored: boolean, historyBytes: number) {
    this.#sql = sql;
    this.#p = p;
    this.id = id;
    this.restored = restored;
    this.historyBytes = historyBytes;
  }

  getMeta<T>(key: string): T | undefined {
    const r = one(this.#sql, `SELECT v FROM ${this.#p}_meta WHERE op = ? AND k = ?`, this.id, key);
    return r ? (JSON.parse(String(r.v)) as T) : undefined;
  }

  putMeta(key: string, value: unknown): void {
    this.#sql.exec(
      `INSERT INTO ${this.#p}_meta (op, k, v) VALUES (?, ?, ?) ON CONFLICT (op, k) DO UPDATE SET v = excluded.v`,
      this.id,
      key,
      JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
    );
  }

  savePage(table: Table, page: number): void {
    const keys = table.rowSet.subSetByKeyRange(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
    this.#sql.exec(`DELETE FROM ${this.#p}_page WHERE op = ? AND page = ?`, this.id, page);
    if (keys.isEmpty) return;
    const names = table.columnNames;
    const vecs = readRows(
      names.map((n) => table.column(n)),
      keys,
    );
    const parts = encodeParts(table.columns, vecs, 0, keys.size);
    parts.forEach(({ bytes }, part) => {
      this.#sql.exec(
        `INSERT INTO ${this.#p}_page (op, page, part, data) VALUES (?, ?, ?, ?)`,
        this.id,
        page,
        part,
        checkBlob(bytes),
      );
    });
  }

  savePagesOf(table: Table, keys: RowSet): void {
    let last = -1;
    keys.forEachRange((s, e) => {
      for (let p = Math.floor(s / PAGE_SIZE); p <= Math.floor((e - 1) / PAGE_SIZE); p++) {
        if (p !== last) this.savePage(table, p);
        last = p;
      }
    });
  }

  loadPage(schema: Schema, page: number, utf8 = false): { vecs: Vec[]; length: number } | null {
    const parts = rows(
      this.#sql,
      `SELECT data FROM ${this.#p}_page WHERE op = ? AND page = ? ORDER BY part`,
      this.id,
      page,
    );
    if (parts.length === 0) return null;
    if (utf8 && parts.length === 1) return arrowIPCToUtf8Vecs(bytesOf(parts[0]!.data!), schema);
    const decoded = parts.map((r) => arrowIPCToVecs(bytesOf(r.data!), schema));
    if (decoded.length === 1) return { vecs: decoded[0]!.vecs, length: decoded[0]!.length };
    const length = decoded.reduce((n, d) => n + d.length, 0);
    const names = Object.keys(schema);
    const vecs = names.map((_, j) =>
      concatVecs(
        schema[names[j]!]!,
        decoded.map((d) => d.vecs[j]!),
        length,
      ),
    );
    return { vecs, length };
  }

  loadColumns(schema: Schema, page: number, names: readonly string[]): Vec[] | null {
    const parts = rows(
      this.#sql,
      `SELECT data FROM ${this.#p}_page WHERE op = ? AND page = ? ORDER BY part`,
      this.id,
      page,
    );
    if (parts.length === 0) return null;
    const decoded = parts.map((r) => arrowIPCColumns(bytesOf(r.data!), schema, names));
    if (decoded.length === 1) return decoded[0]!.vecs;
    const length = decoded.reduce((n, d) => n + d.length, 0);
    return names.map((name, j) =>
      concatVecs(
        schema[name]!,
        decoded.map((d) => d.vecs[j]!),
        length,
      ),
    );
  }

  putSummary(page: number, data: Uint8Array): void {
    this.#sql.exec(
      `INSERT INTO ${this.#p}_summary (op, page, data) VALUES (?, ?, ?) ON CONFLICT (op, page) DO UPDATE SET data = excluded.data`,
      this.id,
      page,
      checkBlob(data),
    );
  }

  summaries(): Map<number, Uint8Array> {
    const out = new Map<number, Uint8Array>();
    for (const r of this.#sql.exec(
      `SELECT page, data FROM ${this.#p}_summary WHERE op = ?`,
      this.id,
    ))
      out.set(Number(r.page), bytesOf(r.data!));
    return out;
  }

  deletePagesBelow(page: number): void {
    this.#sql.exec(`DELETE FROM ${this.#p}_page WHERE op = ? AND page < ?`, this.id, page);
    this.#sql.exec(`DELETE FROM ${this.#p}_summary WHERE op = ? AND page < ?`, this.id, page);
  }

  putSlot(slot: number, data: Uint8Array | string): void {
    this.#sql.exec(
      `INSERT INTO ${this.#p}_slot (op, slot, data) VALUES (?, ?, ?) ON CONFLICT (op, slot) DO UPDATE SET data = excluded.data`,
      this.id,
      slot,
      typeof data === "string" ? data : checkBlob(data),
    );
  }

  deleteSlot(slot: number): void {
    this.#sql.exec(`DELETE FROM ${this.#p}_slot WHERE op = ? AND slot = ?`, this.id, slot);
  }

  slots(): { slot: number; data: Uint8Array | string }[] {
    return rows(
      this.#sql,
      `SELECT slot, data FROM ${this.#p}_slot WHERE op = ? ORDER BY slot`,
      this.id,
    ).map((r) => ({
      slot: Number(r.slot),
      data: typeof r.data === "string" ? r.data : bytesOf(r.data!),
    }));
  }
}

/** Encodes rows [from, to) of `vecs` as IPC streams of at most MAX_BLOB_BYTES each. */
export function encodeParts(
  schema: Schema,
  vecs: readonly Vec[],
  from: number,
  to: number,
): { bytes: Uint8Array; rows: number }[] {
  return writeIPCParts(schema, vecs, from, to, MAX_BLOB_BYTES);
}

function concatVecs(type: ColumnType, parts: Vec[], n: number): Vec {
  const first = parts[0]!;
  let data: Vec["data"];
  if (Array.isArray(first.data))
    data = parts.flatMap((p) => (p.data as string[]).slice(0, p.length));
  else {
    const Ctor = (first.data as Uint8Array).constructor as new (n: number) => Uint8Array;
    const out = new Ctor(n);
    let at = 0;
    for (const p of parts) {
      out.set((p.data as Uint8Array).subarray(0, p.length), at);
      at += p.length;
    }
    data = out as unknown as Vec["data"];
  }
  let valid: Uint8Array | null = null;
  if (parts.some((p) => p.valid)) {
    valid = new Uint8Array(n).fill(1);
    let at = 0;
    for (const p of parts) {
      if (p.valid) valid.set(p.valid.subarray(0, p.length), at);
      at += p.length;
    }
  }
  void type;
  return { data, valid, length: n };
}
