/**
 * FamilyHost: everything a TableFamily Durable Object does, minus the platform. It keeps the
 * spec, the cycle number, pending batches and idempotency keys in SQLite (through a SqlPort),
 * rebuilds the family's tables from storage on wake, and runs one cycle as one synchronous
 * transaction. The Durable Object class (table-family.ts) adds RPC, alarms and sockets; tests run
 * this class over node:sqlite as well as inside workerd.
 *
 * Durability: `publish` writes the batch (Arrow IPC parts of at most 1 MB) before it returns, so
 * the object's output gate holds the acknowledgement until the write is durable. A cycle consumes
 * pending batches, runs the engine, persists stateful tables and deletes the consumed batches in
 * one transaction: it applies entirely or not at all, and a retried alarm finds the same input.
 *
 * Nothing is acknowledged that a cycle cannot apply: an Arrow body stored as received has had
 * every buffer checked (`validateArrowBuffers`), everything else was decoded and re-encoded. As
 * defence in depth, a stored batch that still fails to decode at a cycle is set aside (kept in
 * `host_set_aside` with its error, listed by `describe`) and the cycle applies the other batches,
 * so one bad batch can never stop a family.
 */
import { isArrowFile } from "../engine/arrow/framing.ts";
import type { Utf8Mode } from "../engine/arrow/utf8.ts";
import {
  arrowIPCToVecs,
  arrowTypeOf,
  decodeIPC,
  exactIPCShape,
  validateArrowBuffers,
  writeIPC,
} from "../engine/arrow.ts";
import type { Vec } from "../engine/column.ts";
import type { CsvRecords } from "../engine/csv-forms.ts";
import { csvToRows, rowsToCsv } from "../engine/csv-forms.ts";
import { showValue } from "../engine/errors.ts";
import type { BuiltFamily, BuiltSource, InputShape } from "../engine/family/family.ts";
import { buildFamily } from "../engine/family/family.ts";
import type { FamilySpec, SourceSpec } from "../engine/family/spec.ts";
import { canonicalSpec, normalizeSpec } from "../engine/family/spec.ts";
import type { Schema, Table, TableUpdate } from "../engine/index.ts";
import { isTickflareError, UpdateGraph, ValueError } from "../engine/index.ts";
import type { JsonValue } from "../engine/json-forms.ts";
import { rowsToJson } from "../engine/json-forms.ts";
import { readJsonRows } from "../engine/json-rows.ts";
import { readRows } from "../engine/ops/copy.ts";
import type { SqlPort } from "../engine/persist/sql-port.ts";
import {
  rows as allRows,
  bytesOf,
  checkBlob,
  MAX_BLOB_BYTES,
  one,
} from "../engine/persist/sql-port.ts";
import { encodeParts, SqlStateStore } from "../engine/persist/state-store.ts";
import { checkKeyRows } from "../engine/sources/input-table.ts";
import type { SourcePort } from "../engine/sources/source-port.ts";
import { isArrayType } from "../engine/types.ts";
import { vecFromRows } from "../engine/values-to-vec.ts";
import type {
  InputDescription,
  PublishResult,
  SetAsideBatch,
  SourceDescription,
  TableDescription,
  ViewDescription,
} from "../engine/wire.ts";
import { errorResult, HostError } from "./errors.ts";
import type { HeldPart } from "./held-batches.ts";
import { HeldBatches } from "./held-batches.ts";
import { checkIdempotencyKey, IDEMPOTENCY_TTL_MS, IdempotencyIndex } from "./idempotency.ts";
import type { InputPull } from "./input-links.ts";
import { InputLinks, inputShapeOf } from "./input-links.ts";
import type { InputState, PullOutcome } from "./inputs.ts";
import { applyPull, inputFailure } from "./inputs.ts";
import { parseJsonText } from "./json-text.ts";
import type { SortKey, Transform } from "./transients.ts";
import { buildTransient, needsTable, TransientViews, transientKey } from "./transients.ts";

export interface HostOptions {
  /** Epoch milliseconds. */
  now?: () => number;
  /** Runs `fn` atomically (Durable Objects: `ctx.storage.transactionSync`). */
  transaction?: <T>(fn: () => T) => T;
  /** Rows a cycle takes from the pending queue at most (whole batches; at least one). */
  maxRowsPerCycle?: number;
  /**
   * The family's name, for errors about a family that does not exist (Durable Objects:
   * `ctx.id.name`). Once created, the stored name is used.
   */
  name?: string;
}

/**
 * A batch: JSON rows, the text of a JSON array of rows (read by `readJsonRows` without making the
 * row objects, or parsed), Arrow IPC bytes, or a parsed `text/csv` body (the router parses it).
 */
export type PublishInput =
  | { rows: unknown[] }
  | { json: string | Uint8Array }
  | { arrow: Uint8Array | ArrayBuffer }
  | { csv: CsvRecords };

export interface PublishOptions {
  /** The source the rows are for (default `source`, the one-source form's). */
  source?: string;
  /** A valid idempotency key (idempotency.ts); needs `bodyDigest`. */
  idempotencyKey?: string;
  /** `batchDigest(input)`, computed by the caller (it is asynchronous; publish is not). */
  bodyDigest?: string;
}

export interface SnapshotOptions {
  format?: "json" | "arrow" | "csv";
  offset?: number;
  limit?: number;
  /** Filters (engine formulas, ANDed) applied before `offset`/`limit`. */
  where?: string[];
  /** An order applied before `offset`/`limit`. */
  sort?: SortKey[];
  /** The columns returned, in this order (default every column). */
  columns?: string[];
}

export type Snapshot =
  | {
      format: "json";
      schema: Schema;
      cycle: number;
      total: number;
      offset: number;
      keys: number[];
      rows: Record<string, JsonValue>[];
    }
  | { format: "arrow"; cycle: number; total: number; offset: number; bytes: Uint8Array }
  | { format: "csv"; cycle: number; total: number; offset: number; text: string };

export type { PublishResult, SetAsideBatch, ViewDescription };
/** What `describe()` returns: the wire form of `GET /v1/tables/:name`. */
export type Description = TableDescription;

export const DEFAULT_MAX_ROWS_PER_CYCLE = 250_000;
export const MAX_ROWS_PER_PUBLISH = 1_000_000;
export const DEFAULT_SNAPSHOT_LIMIT = 100_000;
export const MAX_SNAPSHOT_LIMIT = 1_000_000;
/** Set-aside batches kept (the most recent ones); older ones are deleted when more are set aside. */
export const MAX_SET_ASIDE_BATCHES = 16;

/**
 * host_meta keys read on every publish or cycle, cached once read or written. Only FamilyHost
 * writes them; a transaction that throws, and `reset`, forget the cache.
 */
const CACHED_META: ReadonlySet<string> = new Set([
  "name",
  "cycle",
  "shutdown",
  "lastCycleAt",
  "cycleClock",
  "nextChangeAt",
  "notifyDue",
]);

export class FamilyHost {
  readonly #sql: SqlPort;
  readonly #now: () => number;
  readonly #tx: <T>(fn: () => T) => T;
  readonly #maxRows: number;
  readonly #idem: IdempotencyIndex;
  readonly #name: string | undefined;
  #family: BuiltFamily | null = null;
  #spec: FamilySpec | null = null;
  #store: SqlStateStore | null = null;
  /** Each view's update in the last cycle that ran (for subscribers). */
  #updates = new Map<string, TableUpdate>();
  /** Views that failed in the last cycle that ran. */
  #failures = new Map<string, unknown>();
  /** Ad-hoc views (sort, where) held for subscribers; never persisted. */
  readonly transients = new TransientViews();
  /** Stored batches not applied yet, kept in memory for their cycle (held-batches.ts). */
  readonly #held = new HeldBatches();
  /** Values of CACHED_META keys as stored (undefined: absent), read or written since a reset. */
  readonly #metaCache = new Map<string, unknown>();
  /** Rows in host_pending, or null when not known (read it from storage). */
  #pendingRows: number | null = null;
  /** Other families reading this one's views (the producer's side of inputs). */
  readonly links: InputLinks;
  /** An input's producer changed (or this family was just created or woke with a failed input). */
  #inputsDue = false;
  /**
   * Notices that made inputs due, counted, and the count when the running cycle asked its
   * producers: a notice that arrives while a cycle awaits its answers keeps the next one due.
   */
  #notices = 0;
  #noticesAtPull = -1;

  constructor(sql: SqlPort, options: HostOptions = {}) {
    this.#sql = sql;
    this.#now = options.now ?? (() => Date.now());
    const tx = options.transaction ?? (<T>(fn: () => T): T => fn());
    // Storage rolls back a transaction that throws; what is cached of it goes with it.
    this.#tx = (fn) => {
      try {
        return tx(fn);
      } catch (e) {
        this.#forgetCached();
        throw e;
      }
    };
    this.#maxRows = options.maxRowsPerCycle ?? DEFAULT_MAX_ROWS_PER_CYCLE;
    this.#name = options.name;
    sql.exec("CREATE TABLE IF NOT EXISTS host_meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)");
    sql.exec(
      "CREATE TABLE IF NOT EXISTS host_pending (seq INTEGER NOT NULL, part INTEGER NOT NULL, rows INTEGER NOT NULL, data BLOB NOT NULL, source TEXT NOT NULL DEFAULT 'source', op TEXT NOT NULL DEFAULT 'add', PRIMARY KEY (seq, part))",
    );
    this.#idem = new IdempotencyIndex(sql);
    this.links = new InputLinks(sql);
    sql.exec(
      "CREATE TABLE IF NOT EXISTS host_set_aside (seq INTEGER NOT NULL, part INTEGER NOT NULL, rows INTEGER NOT NULL, data BLOB NOT NULL, cycle INTEGER NOT NULL, at INTEGER NOT NULL, error TEXT NOT NULL, detail TEXT NOT NULL, source TEXT NOT NULL DEFAULT 'source', op TEXT NOT NULL DEFAULT 'add', PRIMARY KEY (seq, part))",
    );
    // Objects created when a family had one source store batches without these columns: every
    // such batch is an add for the source named `source`, which is what the defaults say.
    for (const t of ["host_pending", "host_set_aside"]) {
      try {
        sql.exec(`SELECT source, op FROM ${t} LIMIT 0`);
      } catch {
        sql.exec(`ALTER TABLE ${t} ADD COLUMN source TEXT NOT NULL DEFAULT 'source'`);
        sql.exec(`ALTER TABLE ${t} ADD COLUMN op TEXT NOT NULL DEFAULT 'add'`);
      }
    }
  }

  // ---- meta -----------------------------------------------------------------------------------

  #meta<T>(k: string): T | undefined {
    const cached = CACHED_META.has(k);
    if (cached && this.#metaCache.has(k)) return this.#metaCache.get(k) as T | undefined;
    const r = one(this.#sql, "SELECT v FROM host_meta WHERE k = ?", k);
    const v = r ? (JSON.parse(String(r.v)) as T) : undefined;
    if (cached) this.#metaCache.set(k, v);
    return v;
  }
  #setMeta(k: string, v: unknown): void {
    const text = JSON.stringify(v);
    this.#sql.exec(
      "INSERT INTO host_meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
      k,
      text,
    );
    if (CACHED_META.has(k)) this.#metaCache.set(k, JSON.parse(text));
  }

  /** Forgets cached meta values and the pending row count; the next reads go to storage. */
  #forgetCached(): void {
    this.#metaCache.clear();
    this.#pendingRows = null;
  }

  /** True once a spec is stored. */
  get exists(): boolean {
    return this.#meta("spec") !== undefined;
  }
  get cycle(): number {
    return this.#meta<number>("cycle") ?? 0;
  }
  get isShutdown(): boolean {
    return this.#meta("shutdown") !== undefined;
  }
  /**
   * The stored spec in canonical form. A spec stored before families had several sources (top
   * level `columns` and `source`) normalizes to its one source named `source`.
   */
  get spec(): FamilySpec | null {
    if (this.#spec) return this.#spec;
    const stored = this.#meta<unknown>("spec");
    this.#spec = stored === undefined ? null : normalizeSpec(stored);
    return this.#spec;
  }

  /** The live family, rebuilt from storage when the object woke up. */
  family(): BuiltFamily {
    if (this.#family) return this.#family;
    const spec = this.spec;
    if (!spec) throw this.#notFound();
    const store = new SqlStateStore(this.#sql);
    // A time window rebuilt after a wake starts from the last cycle's clock reading, so rows that
    // aged out meanwhile change (and reach subscribers) in the next cycle.
    const graph = new UpdateGraph({
      store,
      initialCycle: this.cycle,
      clock: this.#now,
      ...(this.#meta<number>("cycleClock") === undefined
        ? {}
        : { initialCycleTimeMs: this.#meta<number>("cycleClock")! }),
    });
    const fam = buildFamily(
      spec,
      graph,
      this.#meta<string>("name") ?? "family",
      this.#meta<Record<string, InputShape>>("inputShapes") ?? {},
    );
    // A failed input stays failed: its table fails again at the next cycle.
    for (const [iname, st] of Object.entries(this.inputStates)) {
      const input = fam.inputs.get(iname);
      if (!input || !st.failed) continue;
      input.mirror.fail(inputFailure(input, st.failed));
      this.#due();
    }
    for (const [name, t] of fam.views) {
      if (!t.isRefreshing) continue;
      t.listen(
        (u) => this.#updates.set(name, u),
        (e) => this.#failures.set(name, e),
      );
    }
    this.#store = store;
    this.#family = fam;
    return fam;
  }

  /** 404 for a family that does not exist (never created, or deleted), naming it when known. */
  #notFound(): HostError {
    const name = this.#meta<string>("name") ?? this.#name;
    return new HostError(
      404,
      "not_found",
      name === undefined
        ? "no table family has been created here"
        : `no table family "${name}" (never created, or deleted)`,
    );
  }

  /** Forgets the in-memory tables (after a failed cycle); the next use rebuilds from storage. */
  reset(): void {
    this.#held.clear();
    this.#forgetCached();
    this.#family = null;
    this.#spec = null;
    this.#store = null;
    this.#updates = new Map();
    this.#failures = new Map();
  }

  /** The updates of the last cycle, by view (views that did not change are absent). */
  get lastUpdates(): ReadonlyMap<string, TableUpdate> {
    return this.#updates;
  }

  /** The views that failed in the last cycle, with their errors. */
  get lastFailures(): ReadonlyMap<string, unknown> {
    return this.#failures;
  }

  // ---- create / describe / destroy -----------------------------------------------------------

  /**
   * Creates the family; the same spec again is a no-op; a different one is a 409. A spec with
   * inputs from other families needs their shapes (the catalog asks the producers for them).
   */
  create(
    name: string,
    specInput: unknown,
    inputShapes: Readonly<Record<string, InputShape>> = {},
  ): { created: boolean } {
    const spec = normalizeSpec(specInput);
    const existing = this.spec;
    if (existing) {
      if (canonicalSpec(existing) === canonicalSpec(spec)) return { created: false };
      throw new HostError(
        409,
        "conflict",
        `table family "${name}" exists with a different spec; delete it first`,
      );
    }
    // Build once without storage: every formula, type and reference is checked before anything is stored.
    buildFamily(spec, new UpdateGraph({ clock: this.#now }), name, inputShapes);
    const inputs = Object.keys(spec.inputs ?? {});
    this.#tx(() => {
      this.#setMeta("name", name);
      this.#setMeta("spec", spec);
      if (inputs.length > 0) {
        this.#setMeta("inputShapes", Object.fromEntries(inputs.map((i) => [i, inputShapes[i]!])));
        this.#setMeta(
          "inputs",
          Object.fromEntries(inputs.map((i) => [i, { since: null, failed: null }])),
        );
      }
      this.#setMeta("cycle", 0);
      this.#setMeta("nextSeq", 1);
      this.#setMeta("created", this.#now());
      this.#setMeta("lastCycleAt", this.#now());
      this.reset();
      this.family();
      this.#store!.saveAll();
    });
    // The first cycle takes each input's snapshot.
    if (inputs.length > 0) this.#due();
    return { created: true };
  }

  describe(): Description {
    const fam = this.family();
    const stored = this.#store!.storedBytes();
    const byTable = new Map<Table, number>();
    for (const r of this.#store!.registered)
      byTable.set(r.table, (byTable.get(r.table) ?? 0) + (stored.get(r.id) ?? 0));
    const pending = one(
      this.#sql,
      "SELECT COUNT(DISTINCT seq) AS b, COALESCE(SUM(rows), 0) AS r FROM host_pending",
    )!;
    const views: Record<string, ViewDescription> = {};
    for (const [name, t] of fam.views) {
      let heap = 0;
      for (const c of t.columnMap.values()) heap += c.heapBytes;
      views[name] = {
        kind: t.kind,
        columns: t.columns,
        size: t.size,
        refreshing: t.isRefreshing,
        blink: t.isBlink,
        appendOnly: t.isAppendOnly,
        addOnly: t.isAddOnly,
        failed: t.isFailed,
        heapBytes: heap,
        storedBytes: byTable.get(t) ?? 0,
      };
    }
    const shutdown = this.#meta<{ reason: string }>("shutdown");
    const sources: Record<string, SourceDescription> = {};
    for (const [sname, src] of Object.entries(fam.spec.sources)) {
      sources[sname] = {
        type: src.type,
        columns: src.columns,
        ...(src.type === "input" ? { keys: src.keys } : {}),
      };
    }
    return {
      name: this.#meta<string>("name") ?? "",
      spec: fam.spec,
      sources,
      cycle: this.cycle,
      cycleMs: fam.spec.cycleMs,
      state: shutdown ? "shutdown" : "live",
      shutdownReason: shutdown?.reason ?? null,
      pending: { batches: Number(pending.b), rows: Number(pending.r) },
      setAside: this.setAside(),
      views,
      transient: this.transients.describe(),
      ...(fam.spec.inputs ? { inputs: this.#describeInputs(fam.spec.inputs) } : {}),
    };
  }

  #describeInputs(inputs: Record<string, string>): Record<string, InputDescription> {
    const states = this.inputStates;
    const out: Record<string, InputDescription> = {};
    for (const [iname, from] of Object.entries(inputs)) {
      const st = states[iname] ?? { since: null, failed: null };
      out[iname] = {
        from,
        producerCycle: st.since,
        state: st.failed ? "failed" : "live",
        error: st.failed?.error ?? null,
        detail: st.failed?.detail ?? null,
      };
    }
    return out;
  }

  /** Deletes every row this object stored. */
  destroy(): void {
    this.#tx(() => {
      for (const t of ["host_meta", "host_pending", "host_idem", "host_set_aside"])
        this.#sql.exec(`DELETE FROM ${t}`);
      new SqlStateStore(this.#sql).clear();
      this.links.clear();
    });
    this.transients.clear();
    this.reset();
  }

  // ---- publish --------------------------------------------------------------------------------

  /**
   * Validates a batch, stores it durably and returns the cycle it will appear in. With an
   * idempotency key, a batch seen before under that key is answered as a duplicate and a
   * different batch under it is refused (idempotency.ts); the key is stored with the batch.
   * `options.source` names the source (default `source`); for an input table the rows upsert.
   */
  publish(input: PublishInput, options: PublishOptions = {}): PublishResult {
    return this.#accept("add", input, options);
  }

  /**
   * Deletes rows by key from an input-table source (the body holds rows of its key columns);
   * stored and acknowledged like a publish, applied at a cycle. Absent keys are no-ops.
   */
  deleteRows(input: PublishInput, options: PublishOptions = {}): PublishResult {
    return this.#accept("delete", input, options);
  }

  /** The source a publish or delete names: 404 when there is none, 409 for a time table. */
  publishTarget(sourceName = "source", op: BatchOp = "add"): SourceSpec {
    const fam = this.family();
    const src = fam.spec.sources[sourceName];
    const familyName = this.#meta<string>("name") ?? this.#name;
    if (!src) {
      throw new HostError(
        404,
        "unknown_source",
        `no source "${sourceName}" in table family "${familyName}"; sources are [${Object.keys(fam.spec.sources).join(", ")}]`,
      );
    }
    if (this.isShutdown)
      throw new HostError(
        409,
        "shut_down",
        "the table family is shut down; it accepts no more rows",
      );
    if (op === "delete" && (src.type !== "input" || src.keys.length === 0)) {
      throw new HostError(
        400,
        "not_deletable",
        `source "${sourceName}" is ${src.type === "input" ? "an input table without keys (append-only)" : `a ${src.type} source`}; only an input table with keys takes deletes`,
      );
    }
    if (src.type === "timeTable") {
      throw new HostError(
        409,
        "not_publishable",
        `source "${sourceName}" is a time table; it makes its own rows and accepts none`,
      );
    }
    return src;
  }

  #accept(op: BatchOp, input: PublishInput, options: PublishOptions): PublishResult {
    const sourceName = options.source ?? "source";
    const src = this.publishTarget(sourceName, op);
    const key =
      options.idempotencyKey === undefined
        ? undefined
        : checkIdempotencyKey(options.idempotencyKey);
    const digest = options.bodyDigest;
    if (key !== undefined) {
      if (digest === undefined)
        throw new TypeError("publish: an idempotency key needs the batch's digest (batchDigest)");
      const seen = this.#idem.find(key, digest, this.#now());
      if (seen) return seen;
    }
    const keys = src.type === "input" ? src.keys : [];
    const schema = batchSchema(src, op);
    const asIs = "arrow" in input ? storableAsIs(input.arrow, schema) : null;
    let parts: { bytes: Uint8Array; rows: number }[] = [];
    let held: HeldPart[] = [];
    let length: number;
    if (asIs) {
      length = asIs.rows;
      if (length > 0) {
        parts = [asIs];
        held = [asIs];
      }
    } else {
      // Converted to the Arrow stored: a JSON body's strings (checked printable ASCII by the
      // reader) go into it as their UTF-8, none decoded here to be encoded again; an Arrow
      // body's as the cycle would take them.
      const utf8 =
        "json" in input ? "all" : op === "add" && src.type === "publisher" ? "values" : "none";
      const converted = toVecs(schema, input, keys, utf8);
      length = converted.length;
      if (length > MAX_ROWS_PER_PUBLISH) {
        throw new HostError(
          413,
          "too_large",
          `a batch may hold at most ${MAX_ROWS_PER_PUBLISH} rows, got ${length}`,
        );
      }
      if (length > 0) {
        try {
          parts = encodeParts(schema, converted.vecs, 0, length);
        } catch (e) {
          if (e instanceof RangeError) throw new HostError(413, "too_large", e.message);
          throw e;
        } finally {
          // The parts are copies: a JSON body's buffers go back for the next body.
          converted.release?.();
        }
        held = parts.map((p) => ({
          rows: p.rows,
          decode: (utf8) => arrowIPCToVecs(p.bytes, schema, utf8),
        }));
      }
    }
    const cycle = this.#expectedCycle();
    let seq = 0;
    this.#tx(() => {
      if (length > 0) {
        seq = this.#meta<number>("nextSeq") ?? 1;
        this.#setMeta("nextSeq", seq + 1);
        for (const [i, p] of parts.entries()) {
          this.#sql.exec(
            "INSERT INTO host_pending (seq, part, rows, data, source, op) VALUES (?, ?, ?, ?, ?, ?)",
            seq,
            i,
            p.rows,
            checkBlob(p.bytes),
            sourceName,
            op,
          );
        }
      }
      if (key !== undefined) this.#idem.remember(key, digest!, length, cycle, this.#now());
    });
    if (length > 0) {
      if (this.#pendingRows !== null) this.#pendingRows += length;
      const bytes = parts.reduce((n, p) => n + p.bytes.buffer.byteLength, 0);
      this.#held.hold(seq, { source: sourceName, op, parts: held, bytes });
    }
    return { accepted: length, cycle, duplicate: false };
  }

  #expectedCycle(): number {
    return this.cycle + 1 + Math.floor(this.pendingRows / this.#maxRows);
  }

  /** Number of rows waiting for a cycle. */
  get pendingRows(): number {
    this.#pendingRows ??= Number(
      one(this.#sql, "SELECT COALESCE(SUM(rows), 0) AS r FROM host_pending")!.r,
    );
    return this.#pendingRows;
  }

  // ---- cycles ---------------------------------------------------------------------------------

  /**
   * Runs one cycle: takes pending batches (up to the per-cycle budget) and the producers' answers
   * for inputs from other families (`pulls`, by input name; see inputs.ts), runs the engine,
   * persists, and deletes what it consumed, atomically. Returns null when there is nothing to host.
   */
  runCycle(
    pulls: ReadonlyMap<string, PullOutcome> = new Map(),
  ): { cycle: number; rows: number; backlog: boolean; setAside: number } | null {
    if (!this.exists || this.isShutdown) return null;
    const fam = this.family();
    try {
      this.#updates = new Map();
      this.#failures = new Map();
      return this.#tx(() => {
        this.#feedInputs(fam, pulls);
        const batches = this.#takeBatches();
        let rows = 0;
        const setAside: { seq: number; error: unknown }[] = [];
        for (const b of batches) {
          // A batch applies whole or not at all: decode every part before feeding any.
          let decoded: { vecs: Vec[]; length: number }[];
          let port: SourcePort;
          try {
            const src = fam.sources.get(b.source);
            if (!src) throw new HostError(400, "unknown_source", `no source "${b.source}"`);
            if (b.op !== "add" && !(b.op === "delete" && src.port.deleteBatch))
              throw new HostError(400, "not_deletable", `source "${b.source}" takes no ${b.op}`);
            const schema = batchSchema(src.spec, b.op);
            const utf8 = utf8ModeOf(src, b.op);
            decoded = b.parts.map((part) =>
              part instanceof Uint8Array ? arrowIPCToVecs(part, schema, utf8) : part.decode(utf8),
            );
            port = src.port;
          } catch (error) {
            setAside.push({ seq: b.seq, error });
            continue;
          }
          for (const { vecs, length } of decoded) {
            rows += length;
            if (b.op === "delete") port.deleteBatch!(vecs, length);
            else port.addBatch(vecs, length);
          }
        }
        fam.graph.runCycleSync();
        this.links.afterCycle(this.#updates);
        if (fam.inputs.size === 0 || this.#noticesAtPull === this.#notices) this.#inputsDue = false;
        // Families reading a view that changed or failed are told so after the cycle; the flag
        // makes a retried alarm tell them if this one stops first.
        const touched = new Set([...this.#updates.keys(), ...this.#failures.keys()]);
        if (touched.size > 0 && this.links.dependents(touched).length > 0)
          this.#setMeta("notifyDue", true);
        for (const { seq, error } of setAside) this.#setAside(seq, fam.graph.cycle, error);
        if (batches.length > 0) {
          const last = batches[batches.length - 1]!.seq;
          this.#sql.exec("DELETE FROM host_pending WHERE seq <= ?", last);
          // A throw from here on rolls storage back and reset() forgets every held batch.
          this.#held.release(last);
          this.#pendingRows = null;
        }
        this.#setMeta("cycle", fam.graph.cycle);
        this.#setMeta("lastCycleAt", this.#cycleSlot(fam.spec.cycleMs));
        this.#setMeta("cycleClock", fam.graph.cycleTimeMs);
        const due = fam.graph.nextChangeMs();
        if (due !== (this.#meta<number | null>("nextChangeAt") ?? null))
          this.#setMeta("nextChangeAt", due);
        this.#sql.exec("DELETE FROM host_idem WHERE at < ?", this.#now() - IDEMPOTENCY_TTL_MS);
        return {
          cycle: fam.graph.cycle,
          rows,
          backlog: this.pendingRows > 0,
          setAside: setAside.length,
        };
      });
    } catch (e) {
      // Storage rolled back; the tables in memory are ahead of it. Rebuild from storage next time.
      this.reset();
      throw e;
    }
  }

  /**
   * Feeds each input's answer to its local table and records the producer cycle it brings (inside
   * the cycle's transaction). A refusal fails the input for good; a missing answer (the call
   * failed) leaves the input as it was, to be asked again at the next cycle.
   */
  #feedInputs(fam: BuiltFamily, pulls: ReadonlyMap<string, PullOutcome>): void {
    if (fam.inputs.size === 0) return;
    const states = this.inputStates;
    let changed = false;
    for (const [iname, outcome] of pulls) {
      const input = fam.inputs.get(iname);
      const st = states[iname];
      if (!input || !st || st.failed || !outcome) continue;
      let failed: { error: string; detail: string } | null = null;
      if (outcome.ok) {
        try {
          applyPull(input, outcome.value);
          st.since = outcome.value.cycle;
        } catch (e) {
          const r = errorResult(e);
          if (!r) throw e;
          failed = { error: r.error, detail: r.detail };
        }
      } else failed = { error: outcome.error, detail: outcome.detail };
      if (failed) {
        st.failed = failed;
        input.mirror.fail(inputFailure(input, failed));
      }
      changed = true;
    }
    if (changed) this.#setMeta("inputs", states);
  }

  /** Each input's progress (empty for a family without inputs). */
  get inputStates(): Record<string, InputState> {
    return this.#meta<Record<string, InputState>>("inputs") ?? {};
  }

  /** The inputs a cycle should ask their producers about, with the producer cycle each holds. */
  inputsToPull(): { input: string; family: string; view: string; since: number | null }[] {
    if (!this.exists || this.isShutdown) return [];
    const fam = this.family();
    const states = this.inputStates;
    this.#noticesAtPull = this.#notices;
    const out = [];
    for (const [iname, input] of fam.inputs) {
      const st = states[iname];
      if (!st || st.failed) continue;
      out.push({ input: iname, ...input.ref, since: st.since });
    }
    return out;
  }

  /**
   * A producer says a view this family reads changed: the next cycle is due. False when this
   * family does not read `producer` (it was deleted or re-created), so the producer forgets it.
   */
  inputChanged(producer: string): boolean {
    const spec = this.spec;
    if (!spec || this.isShutdown) return false;
    const reads = Object.values(spec.inputs ?? {}).some((r) => r.startsWith(`${producer}/`));
    if (reads) this.#due();
    return reads;
  }

  /** True when a cycle changed a view other families read and they have not been told yet. */
  get notifyDue(): boolean {
    return this.#meta<boolean>("notifyDue") === true;
  }

  /** The families reading this one were told (see `notifyDue`). */
  clearNotifyDue(): void {
    this.#sql.exec("DELETE FROM host_meta WHERE k = 'notifyDue'");
    this.#metaCache.set("notifyDue", undefined);
  }

  /** Makes the next cycle due (an input's producer could not be asked; ask again). */
  markInputsDue(): void {
    this.#due();
  }

  #due(): void {
    this.#inputsDue = true;
    this.#notices++;
  }

  /**
   * The producer's side: answers consumer family `consumer`'s input `input` reading `view`, as of
   * this family's latest complete cycle (input-links.ts). A family shut down (being deleted) or a
   * failed view is a refusal the consumer's input fails with.
   */
  inputPull(consumer: string, input: string, view: string, since: number | null): InputPull {
    const fam = this.family();
    if (this.isShutdown) {
      const reason = this.#meta<{ reason: string }>("shutdown")?.reason ?? "shut down";
      throw new HostError(409, "shut_down", `table family "${this.name}" is shut down: ${reason}`);
    }
    const t = this.view(view);
    if (t.isFailed) {
      const f = t.failure;
      const r = errorResult(f);
      throw new HostError(
        409,
        "table_failed",
        `view "${view}" of table family "${this.name}" failed: ${r ? r.detail : f instanceof Error ? f.message : String(f)}`,
      );
    }
    inputShapeOf(t, this.name, view);
    return this.links.pull(consumer, input, view, t, fam.graph.cycle, since);
  }

  /** The shape of view `view` for a family about to read it (404 when absent, 400 for blink). */
  inputShape(view: string): InputShape {
    return inputShapeOf(this.view(view), this.name, view);
  }

  /**
   * Moves pending batch `seq` to `host_set_aside` with the error that stopped `cycle` decoding it,
   * keeping the most recent MAX_SET_ASIDE_BATCHES. (The caller deletes it from the pending queue.)
   */
  #setAside(seq: number, cycle: number, error: unknown): void {
    const code = isTickflareError(error) ? error.code : "undecodable";
    const detail = error instanceof Error ? error.message : String(error);
    this.#sql.exec(
      "INSERT INTO host_set_aside (seq, part, rows, data, source, op, cycle, at, error, detail) SELECT seq, part, rows, data, source, op, ?, ?, ?, ? FROM host_pending WHERE seq = ?",
      cycle,
      this.#now(),
      code,
      detail,
      seq,
    );
    this.#sql.exec(
      "DELETE FROM host_set_aside WHERE seq NOT IN (SELECT DISTINCT seq FROM host_set_aside ORDER BY seq DESC LIMIT ?)",
      MAX_SET_ASIDE_BATCHES,
    );
  }

  /** The batches cycles set aside (the most recent MAX_SET_ASIDE_BATCHES), oldest first. */
  setAside(): SetAsideBatch[] {
    return allRows(
      this.#sql,
      "SELECT seq, SUM(rows) AS rows, MIN(cycle) AS cycle, MIN(at) AS at, MIN(error) AS error, MIN(detail) AS detail FROM host_set_aside GROUP BY seq ORDER BY seq",
    ).map((r) => ({
      seq: Number(r.seq),
      rows: Number(r.rows),
      cycle: Number(r.cycle),
      at: new Date(Number(r.at)).toISOString(),
      error: String(r.error),
      detail: String(r.detail),
    }));
  }

  /**
   * Where this cycle sits on the family's clock. Cycles start every `cycleMs` (start to start):
   * a cycle that runs a little late (an alarm fires some milliseconds after it was due) keeps the
   * slot it was due in, so the lateness does not push every later cycle back and the family
   * really cycles `1000 / cycleMs` times a second. A cycle run early (a backlog is drained at
   * once) or more than a whole period late (the first cycle after idling) starts the clock again
   * from now.
   */
  #cycleSlot(cycleMs: number): number {
    const now = this.#now();
    const last = this.#meta<number>("lastCycleAt");
    if (last === undefined) return now;
    const due = last + cycleMs;
    return now >= due && now - due < cycleMs ? due : now;
  }

  /**
   * Pending batches in the order they were acknowledged, whatever their source, up to the cycle's
   * row budget: batches of every source acknowledged before the cycle are applied in it together.
   */
  #takeBatches(): PendingBatch[] {
    // Sequence numbers and row counts first: they lie before each row's BLOB, so this reads
    // no overflow page. Batches held since their publish need nothing more from storage.
    const seqs: { seq: number; parts: number }[] = [];
    let rows = 0;
    for (const r of this.#sql.exec("SELECT seq, rows FROM host_pending ORDER BY seq, part")) {
      const seq = Number(r.seq);
      const last = seqs[seqs.length - 1];
      if (last?.seq === seq) last.parts++;
      else {
        if (seqs.length > 0 && rows >= this.#maxRows) break;
        seqs.push({ seq, parts: 1 });
      }
      rows += Number(r.rows);
    }
    return seqs.map(({ seq, parts }) => {
      const held = this.#held.get(seq);
      if (held && held.parts.length === parts)
        return { seq, source: held.source, op: held.op, parts: held.parts };
      const batch = { seq, source: "source", op: "add" as BatchOp, parts: [] as Uint8Array[] };
      for (const r of this.#sql.exec(
        "SELECT data, source, op FROM host_pending WHERE seq = ? ORDER BY part",
        seq,
      )) {
        batch.source = String(r.source);
        batch.op = String(r.op) as BatchOp;
        batch.parts.push(bytesOf(r.data!));
      }
      return batch;
    });
  }

  /**
   * When the next cycle should run (epoch ms), or null when idle: a family cycles while rows are
   * pending, while it has a time-table source, or while `active` (e.g. subscribers) says so.
   * Otherwise, while a time window holds rows that will age out, the next cycle is due when the
   * first of them does (not before the next period), so an idle family still flips them.
   */
  nextCycleAt(active = false): number | null {
    const spec = this.spec;
    if (!spec || this.isShutdown) return null;
    const last = this.#meta<number>("lastCycleAt") ?? this.#now();
    const pending = this.pendingRows;
    if (pending > this.#maxRows) return this.#now();
    // A blink view still showing rows needs one more cycle to clear, as it would in Deephaven.
    const showing =
      this.#family !== null &&
      [...this.#family.views.values()].some((t) => t.isBlink && t.size > 0);
    const ticking = Object.values(spec.sources).some((s) => s.type === "timeTable");
    if (pending > 0 || ticking || active || showing || this.#inputsDue || this.notifyDue) {
      return Math.max(this.#now(), last + spec.cycleMs);
    }
    const due =
      this.#family !== null
        ? this.#family.graph.nextChangeMs()
        : (this.#meta<number | null>("nextChangeAt") ?? null);
    if (due !== null) return Math.max(this.#now(), last + spec.cycleMs, due);
    return null;
  }

  // ---- reading --------------------------------------------------------------------------------

  view(name: string): Table {
    const t = this.family().views.get(name);
    if (!t) {
      throw new HostError(
        404,
        "unknown_view",
        `no view "${name}" in table family "${this.#meta<string>("name") ?? this.#name}"; views are [${[...this.family().views.keys()].join(", ")}]`,
      );
    }
    return t;
  }

  /**
   * Checks ad-hoc `columns` and `sort` columns against a view (400 `bad_query` naming the
   * parameter and the column); formulas are checked when the table is built.
   */
  checkShape(
    viewName: string,
    columns: readonly string[] | undefined,
    sort: readonly SortKey[],
  ): void {
    const t = this.view(viewName);
    const known = t.columns;
    const check = (param: string, c: string) => {
      if (!Object.hasOwn(known, c)) {
        throw new HostError(
          400,
          "bad_query",
          `${param}: no column "${c}" in view "${viewName}"; columns are [${t.columnNames.join(", ")}]`,
        );
      }
    };
    for (const c of columns ?? []) check("columns", c);
    for (const s of sort) check("sort", s.column);
  }

  /** The family's name (for errors). */
  get name(): string {
    return this.#meta<string>("name") ?? this.#name ?? "family";
  }

  snapshot(viewName: string, options: SnapshotOptions = {}): Snapshot {
    const transform: Transform = { where: options.where ?? [], sort: options.sort ?? [] };
    this.checkShape(viewName, options.columns, transform.sort);
    return this.readShaped(viewName, transform, (t) => this.#snapshotOf(t, options));
  }

  /**
   * Calls `read` with view `viewName` after `transform` (its `where` and `sort`): the view itself
   * when there is neither, a subscriber's ad-hoc view when one matches (at once), else one built
   * for this read only and closed after it.
   */
  readShaped<T>(viewName: string, transform: Transform, read: (t: Table) => T): T {
    if (!needsTable(transform)) return read(this.view(viewName));
    const fam = this.family();
    const held = this.transients.table(fam, transientKey(viewName, transform));
    if (held) return read(held);
    const t = buildTransient(this.view(viewName), transform);
    try {
      return read(t);
    } finally {
      t.close();
    }
  }

  #snapshotOf(t: Table, options: SnapshotOptions): Snapshot {
    const format = options.format ?? "json";
    if (!["json", "arrow", "csv"].includes(format)) {
      throw new HostError(400, "bad_format", `format must be json, arrow or csv, got "${format}"`);
    }
    const offset = options.offset ?? 0;
    const limit = options.limit ?? DEFAULT_SNAPSHOT_LIMIT;
    if (!Number.isInteger(offset) || offset < 0)
      throw new HostError(
        400,
        "bad_offset",
        `offset must be a non-negative integer, got ${offset}`,
      );
    if (!Number.isInteger(limit) || limit < 0 || limit > MAX_SNAPSHOT_LIMIT) {
      throw new HostError(
        400,
        "bad_limit",
        `limit must be an integer from 0 to ${MAX_SNAPSHOT_LIMIT}, got ${limit}`,
      );
    }
    const keys = t.rowSet.subSetByPosition(offset, offset + limit);
    const base = { cycle: this.cycle, total: t.size, offset };
    const names = options.columns ?? t.columnNames;
    const schema: Schema = Object.fromEntries(names.map((n) => [n, t.columns[n]!]));
    if (format === "arrow") {
      const vecs = readRows(
        names.map((n) => t.column(n)),
        keys,
      );
      return { format, ...base, bytes: writeIPC(schema, vecs, 0, keys.size) };
    }
    const rows = rowsToJson(t, keys, names);
    if (format === "csv") return { format, ...base, text: rowsToCsv(names, rows) };
    return { format: "json", schema, ...base, keys: keys.toArray(), rows };
  }

  // ---- shutdown -------------------------------------------------------------------------------

  /** Fails the source (publishFailure) at a cycle run now; the family then takes no more rows. */
  shutdown(reason: string): { cycle: number } {
    const fam = this.family();
    if (this.isShutdown) return { cycle: this.cycle };
    // Every source fails (a publisher through publishFailure, as a user would).
    for (const src of fam.sources.values()) {
      if (src.publisher) src.publisher.publishFailure(new Error(reason));
      else src.port.requestFailure(new Error(reason));
    }
    for (const input of fam.inputs.values()) input.mirror.fail(new Error(reason));
    this.#updates = new Map();
    this.#failures = new Map();
    try {
      this.#tx(() => {
        this.#sql.exec("DELETE FROM host_pending");
        this.#held.clear();
        this.#pendingRows = 0;
        fam.graph.runCycleSync();
        this.#setMeta("cycle", fam.graph.cycle);
        this.#setMeta("shutdown", { reason, at: this.#now() });
      });
    } catch (e) {
      this.reset();
      throw e;
    }
    return { cycle: this.cycle };
  }
}

/**
 * An Arrow IPC stream that can be stored exactly as received: at most MAX_BLOB_BYTES, every
 * field named and typed exactly as tickflare writes that column, and every buffer consistent with
 * the lengths, null counts and offsets the body declares (`validateArrowBuffers`; a body that is
 * not throws ArrowError), so reading it back in the cycle cannot fail. Anything else (file
 * format, dictionaries, other timestamp units, array columns, larger bodies) returns null and
 * goes through conversion, which decodes and validates it before it is stored. `decode` gives the
 * cycle its columns from what was read here (held-batches.ts).
 */
function storableAsIs(
  body: Uint8Array | ArrayBuffer,
  schema: Schema,
): ({ bytes: Uint8Array } & HeldPart) | null {
  const bytes = body instanceof Uint8Array ? body : new Uint8Array(body);
  if (bytes.byteLength > MAX_BLOB_BYTES || isArrowFile(bytes)) return null;
  // The direct reader's view of the stream; apache-arrow's for what it leaves to apache-arrow.
  const shape = exactIPCShape(bytes, schema);
  if (shape !== null) {
    if (!shape.fits || shape.rows > MAX_ROWS_PER_PUBLISH) return null;
    shape.validate();
    return { bytes, rows: shape.rows, decode: shape.decode };
  }
  const table = decodeIPC(bytes);
  const fields = table.schema.fields;
  const names = Object.keys(schema);
  if (fields.length !== names.length) return null;
  if (new Set(fields.map((f) => f.name)).size !== fields.length) return null;
  for (const f of fields) {
    const type = schema[f.name];
    if (type === undefined || isArrayType(type)) return null;
    if (String(f.type) !== String(arrowTypeOf(type))) return null;
  }
  if (table.numRows > MAX_ROWS_PER_PUBLISH) return null;
  validateArrowBuffers(table);
  return {
    bytes,
    rows: table.numRows,
    decode: (utf8) => arrowIPCToVecs(bytes, schema, utf8),
  };
}

/**
 * Which string columns `op`'s batches for source `src` may carry as their UTF-8 (`Vec.utf8`):
 * a publisher's adds, as its port takes them (its blink table keeps them so: engine/column.ts,
 * "open UTF-8 pages"); input tables and deletes read strings.
 */
function utf8ModeOf(src: BuiltSource | undefined, op: BatchOp): Utf8Mode {
  return op === "add" && src !== undefined ? (src.port.utf8Mode ?? "none") : "none";
}

/**
 * Converts a publish body to one vector per schema column, rejecting the whole batch on any error.
 * A JSON body read by `readJsonRows` comes with `release`: call it once the vectors are no longer
 * read, and the schema's next body refills their buffers. `utf8`: which string columns may come as
 * their UTF-8 (`Vec.utf8`: see `Utf8Mode`), for a publisher's batch or the Arrow a publish stores.
 */
export function toVecs(
  schema: Schema,
  input: PublishInput,
  keys: readonly string[] = [],
  utf8: Utf8Mode = "none",
): { vecs: Vec[]; length: number; release?(): void } {
  if ("arrow" in input) return arrowIPCToVecs(input.arrow, schema, utf8);
  if ("json" in input) {
    const read = readJsonRows(input.json, schema, keys, utf8);
    if (read !== null) return read;
  }
  const rows =
    "csv" in input
      ? csvToRows(schema, input.csv)
      : "json" in input
        ? parseJsonText(input.json)
        : input.rows;
  if (!Array.isArray(rows)) throw new ValueError("the body must be a JSON array of row objects");
  checkKeyRows(rows, keys); // an input table's rows must name their keys
  const names = Object.keys(schema);
  const known = new Set(names);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r === null || typeof r !== "object" || Array.isArray(r)) {
      throw new ValueError(
        `row ${i}: expected an object of column values, got ${Array.isArray(r) ? "an array" : showValue(r)}`,
        undefined,
        i,
      );
    }
    // for-in visits the own keys in Object.keys order (then inherited ones, skipped) without
    // making an array per row.
    for (const k in r) {
      if (!known.has(k) && Object.hasOwn(r, k)) {
        throw new ValueError(
          `row ${i}: unknown column ${showValue(k)}; columns are [${names.join(", ")}]`,
          k,
          i,
        );
      }
    }
  }
  const vecs = names.map((n) =>
    vecFromRows(schema[n]!, rows as readonly Record<string, unknown>[], n),
  );
  return { vecs, length: rows.length };
}

/** Lists stored pending batches (for tests and describe). */
export function pendingBatches(
  sql: SqlPort,
): { seq: number; part: number; rows: number; bytes: number }[] {
  return allRows(
    sql,
    "SELECT seq, part, rows, LENGTH(data) AS bytes FROM host_pending ORDER BY seq, part",
  ).map((r) => ({
    seq: Number(r.seq),
    part: Number(r.part),
    rows: Number(r.rows),
    bytes: Number(r.bytes),
  }));
}

/** What a stored batch does: add rows (upserts for a keyed input table) or delete by key. */
export type BatchOp = "add" | "delete";

interface PendingBatch {
  seq: number;
  source: string;
  op: BatchOp;
  /** Stored bytes read back, or parts held since the publish (held-batches.ts). */
  parts: readonly (Uint8Array | HeldPart)[];
}

/** The columns of a batch for `src`: all of them, or a delete's key columns. */
function batchSchema(src: SourceSpec, op: BatchOp): Schema {
  if (op === "delete" && src.type === "input")
    return Object.fromEntries(src.keys.map((k) => [k, src.columns[k]!]));
  return src.columns;
}
