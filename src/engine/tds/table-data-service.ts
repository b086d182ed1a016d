/**
 * TableDataService: makes engine tables from a TableDataServiceBackend (seed 001; Deephaven's
 * PythonTableDataService). Per table key it keeps, for its whole life, one schema (one
 * `tableSchema` call, retried only after a failure), one shared state per location (page cache,
 * size subscription) and, while refreshing tables of the key are open, one location
 * subscription. Every map is keyed by `hashCode()`/`equals()` (KeyedMap).
 *
 * @example
 * const svc = new TableDataService(backend, { graph });
 * const t = await svc.makeTable(new StringTableKey("sample"), { refreshing: true });
 * await graph.runCycle(); // the initial rows appear
 */
import type { PartitionedTable } from "../agg/partition.ts";
import { ArgumentError } from "../errors.ts";
import type { Table } from "../table.ts";
import type { UpdateGraph } from "../update-graph.ts";
import type { TableDataServiceBackend } from "./backend.ts";
import { failureText, TableDataServiceError } from "./errors.ts";
import { invokeBackend, oneShot } from "./invoke.ts";
import { hashOf, KeyedMap } from "./keyed-map.ts";
import { LocationState } from "./location-state.ts";
import { LocationSubscription } from "./location-subscription.ts";
import { DEFAULT_PAGE_CACHE_BYTES, PageCache } from "./page-cache.ts";
import { refreshingPartitioned, staticPartitioned } from "./partitioned-source.ts";
import { RefreshingSource } from "./refreshing-source.ts";
import { loadStatic } from "./static-source.ts";
import type { TableDefinition } from "./table-definition.ts";
import { makeDefinition } from "./table-definition.ts";
import type { TableKey, TableLocationKey } from "./table-key.ts";

export interface TableDataServiceOptions {
  /** The graph refreshing tables tick in (required for `refreshing: true`). */
  graph?: UpdateGraph;
  /** Rows per `columnValues` page: the most rows one call is asked for. Default 65536. */
  pageSize?: number;
  /**
   * Byte budget of the page cache (estimated from the Arrow buffers of `columnValues` answers),
   * shared by every key and location. Beyond it, least-recently-used pages that no pending read
   * or not-yet-updated table needs are evicted; an evicted page is read again when needed.
   * Default 32 MiB; `Infinity` never evicts.
   */
  pageCacheBytes?: number;
}

export interface MakeTableOptions {
  /** Whether the table follows new locations and sizes (default false: a static snapshot). */
  refreshing?: boolean;
}

const BACKEND_METHODS = [
  "tableSchema",
  "tableLocations",
  "tableLocationSize",
  "columnValues",
  "subscribeToTableLocations",
  "subscribeToTableLocationSize",
] as const;

interface KeyState {
  readonly key: TableKey;
  readonly keyText: string;
  definition: Promise<TableDefinition> | null;
  readonly locations: KeyedMap<TableLocationKey, LocationState>;
  subscription: LocationSubscription | null;
}

export class TableDataService {
  readonly #backend: TableDataServiceBackend;
  readonly #graph: UpdateGraph | null;
  readonly #pageSize: number;
  readonly #cache: PageCache;
  readonly #keys = new KeyedMap<TableKey, KeyState>();

  constructor(backend: TableDataServiceBackend, options: TableDataServiceOptions = {}) {
    const missing = BACKEND_METHODS.filter(
      (m) => typeof (backend as unknown as Record<string, unknown> | null)?.[m] !== "function",
    );
    if (missing.length > 0) {
      throw new ArgumentError(
        `TableDataService: the backend lacks the method(s) ${missing.join(", ")}`,
      );
    }
    const pageSize = options.pageSize ?? 65536;
    if (!Number.isInteger(pageSize) || pageSize <= 0 || pageSize > 2 ** 31) {
      throw new ArgumentError(
        `TableDataService: pageSize must be a positive integer up to 2^31, got ${pageSize}`,
      );
    }
    const pageCacheBytes = options.pageCacheBytes ?? DEFAULT_PAGE_CACHE_BYTES;
    if (typeof pageCacheBytes !== "number" || Number.isNaN(pageCacheBytes) || pageCacheBytes < 0) {
      throw new ArgumentError(
        `TableDataService: pageCacheBytes must be a non-negative number, got ${pageCacheBytes}`,
      );
    }
    this.#backend = backend;
    this.#graph = options.graph ?? null;
    this.#pageSize = pageSize;
    this.#cache = new PageCache(pageCacheBytes);
  }

  /** Rows per `columnValues` page. */
  get pageSize(): number {
    return this.#pageSize;
  }

  /** The page cache's byte budget. */
  get pageCacheBytes(): number {
    return this.#cache.maxBytes;
  }

  /** Bytes the page cache holds now (over the budget only while pages are in use). */
  get cachedBytes(): number {
    return this.#cache.bytes;
  }

  /**
   * A table of every location of `key`: partitioning columns first, then the data columns.
   * Static (default): a snapshot read now; rejects if the schema, the locations, a size or a
   * read fails. Refreshing: follows new locations and sizes; resolves once the initial rows are
   * read (they appear at the next cycle); later failures fail the table.
   */
  async makeTable(key: TableKey, options: MakeTableOptions = {}): Promise<Table> {
    const ks = this.#keyState(key);
    const def = await this.#definition(ks);
    if (options.refreshing) {
      const source = this.#refreshing(ks, def);
      await source.initialized;
      return source.table;
    }
    return (await loadStatic(this.#staticContext(ks, def), `tds:${ks.keyText}`)).table;
  }

  /**
   * A PartitionedTable with one constituent per location: `table` holds the partitioning
   * columns and `Constituent` (the index into `constituents`), `merge()` every row. Refreshing
   * ones gain a row and a constituent per new location; close `table` to release them.
   */
  async makePartitionedTable(
    key: TableKey,
    options: MakeTableOptions = {},
  ): Promise<PartitionedTable> {
    const ks = this.#keyState(key);
    const def = await this.#definition(ks);
    if (options.refreshing) {
      const source = this.#refreshing(ks, def);
      const pt = refreshingPartitioned(def, source);
      await source.initialized;
      return pt;
    }
    const { table, entries } = await loadStatic(this.#staticContext(ks, def), `tds:${ks.keyText}`);
    return staticPartitioned(def, table, entries);
  }

  // ---- per key state -----------------------------------------------------------------------

  #keyState(key: TableKey): KeyState {
    hashOf(key); // a key without hashCode/equals throws ArgumentError here
    let ks = this.#keys.get(key);
    if (!ks) {
      ks = {
        key,
        keyText: String(key),
        definition: null,
        locations: new KeyedMap(),
        subscription: null,
      };
      this.#keys.set(key, ks);
    }
    return ks;
  }

  #definition(ks: KeyState): Promise<TableDefinition> {
    if (ks.definition) return ks.definition;
    const p = new Promise<TableDefinition>((resolve, reject) => {
      const cb = oneShot(
        (schema: unknown, partitionSchema: unknown) => {
          try {
            resolve(
              makeDefinition(
                ks.keyText,
                schema as Parameters<typeof makeDefinition>[1],
                partitionSchema as Parameters<typeof makeDefinition>[2],
              ),
            );
          } catch (e) {
            reject(e);
          }
        },
        (e) =>
          reject(
            new TableDataServiceError(
              `${ks.keyText}: table_schema failed: ${failureText(e)}`,
              { tableKey: ks.keyText },
              e,
            ),
          ),
      );
      invokeBackend(() => this.#backend.tableSchema(ks.key, cb.result, cb.failure), cb.failure);
    });
    ks.definition = p;
    // A failed schema is not cached: the next makeTable asks again.
    p.catch(() => {
      if (ks.definition === p) ks.definition = null;
    });
    return p;
  }

  #stateOf(ks: KeyState, def: TableDefinition, location: TableLocationKey): LocationState {
    let s = ks.locations.get(location);
    if (!s) {
      s = new LocationState(this.#backend, ks.key, location, def, this.#pageSize, this.#cache);
      ks.locations.set(location, s);
    }
    return s;
  }

  #staticContext(ks: KeyState, def: TableDefinition) {
    return {
      backend: this.#backend,
      key: ks.key,
      def,
      stateOf: (loc: TableLocationKey) => this.#stateOf(ks, def, loc),
    };
  }

  #refreshing(ks: KeyState, def: TableDefinition): RefreshingSource {
    const graph = this.#graph;
    if (!graph) {
      throw new ArgumentError(
        `${ks.keyText}: a refreshing table needs an UpdateGraph: new TableDataService(backend, { graph })`,
      );
    }
    let sub = ks.subscription;
    if (!sub) {
      sub = new LocationSubscription(
        this.#backend,
        ks.key,
        def,
        (loc) => this.#stateOf(ks, def, loc),
        (ended) => {
          if (ks.subscription === ended) ks.subscription = null;
        },
      );
      ks.subscription = sub;
    }
    const source = new RefreshingSource(graph, def, sub, `tds:${ks.keyText}`);
    source.start();
    return source;
  }
}
