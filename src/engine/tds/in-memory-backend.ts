/**
 * InMemoryBackend: the seed's example backend (TestBackend + TestTable), done right. It holds
 * Arrow data per (table key, location key) with each location's partition values, serves all
 * six backend methods, and pushes new locations and sizes to every live subscriber (any number
 * of them) as data is added, so the seed's `add_ticker_data` flow works against open tables.
 *
 * Options make it a test double: callbacks delivered synchronously or later (`delivery`),
 * `columnValues` answering with as many rows as it has up to `maxRows` or exactly `minRows`
 * (`rows`), one-shot failure injection (`failNext`) and failure of live subscriptions
 * (`failSubscriptions`).
 *
 * @example
 * const backend = new InMemoryBackend();
 * backend.addTable(key, dataSchema, partitionSchema);
 * backend.addLocation(key, loc, partitionValues, data);   // later: backend.appendRows(key, loc, more)
 */
import type { Schema as ArrowSchema, Table as ArrowTable } from "apache-arrow";
import { Table as ArrowTableClass } from "apache-arrow";
import { ArgumentError } from "../errors.ts";
import type {
  FailureCallback,
  LocationCallback,
  SchemaCallback,
  SizeCallback,
  TableDataServiceBackend,
  Unsubscribe,
  ValuesCallback,
} from "./backend.ts";
import { KeyedMap } from "./keyed-map.ts";
import type { TableKey, TableLocationKey } from "./table-key.ts";

export interface InMemoryBackendOptions {
  /**
   * When callbacks run: "sync" (before the method returns; the default), "microtask", or
   * "macrotask" (a zero-delay timer). Deliveries keep their order.
   */
  delivery?: "sync" | "microtask" | "macrotask";
  /** Rows `columnValues` returns: "max" (all it has, up to maxRows; default) or "min" (minRows). */
  rows?: "max" | "min";
}

export type BackendMethod = keyof TableDataServiceBackend;

interface LocationSub {
  active: boolean;
  readonly locationCb: LocationCallback;
  readonly failureCb: FailureCallback;
}

interface SizeSub {
  active: boolean;
  readonly sizeCb: SizeCallback;
  readonly failureCb: FailureCallback;
}

interface MemLocation {
  readonly key: TableLocationKey;
  readonly partitionValues: ArrowTable | null;
  data: ArrowTable | null;
  readonly sizeSubs: Set<SizeSub>;
}

interface MemTable {
  readonly schema: ArrowSchema;
  readonly partitionSchema: ArrowSchema | null;
  readonly locations: KeyedMap<TableLocationKey, MemLocation>;
  readonly locationSubs: Set<LocationSub>;
}

const noop = () => {};

export class InMemoryBackend implements TableDataServiceBackend {
  readonly #tables = new KeyedMap<TableKey, MemTable>();
  readonly #failures = new Map<BackendMethod, unknown[]>();
  readonly #delivery: "sync" | "microtask" | "macrotask";
  readonly #rows: "max" | "min";
  #pending = 0;

  constructor(options: InMemoryBackendOptions = {}) {
    this.#delivery = options.delivery ?? "sync";
    this.#rows = options.rows ?? "max";
  }

  // ---- managing data -------------------------------------------------------------------------

  /** Adds a table (data schema, and the partitioning columns' schema if partitioned). */
  addTable(key: TableKey, schema: ArrowSchema, partitionSchema: ArrowSchema | null = null): void {
    if (this.#tables.has(key)) throw new ArgumentError(`${String(key)} already exists`);
    this.#tables.set(key, {
      schema,
      partitionSchema,
      locations: new KeyedMap(),
      locationSubs: new Set(),
    });
  }

  hasTable(key: TableKey): boolean {
    return this.#tables.has(key);
  }

  hasLocation(key: TableKey, location: TableLocationKey): boolean {
    return this.#tables.get(key)?.locations.has(location) ?? false;
  }

  /**
   * Adds a location with its partition values (a one-row table; null if unpartitioned; not
   * checked here, so tests can hand the engine bad ones) and optional first rows, and tells the
   * location subscribers (then the size subscribers, if there are rows).
   */
  addLocation(
    key: TableKey,
    location: TableLocationKey,
    partitionValues: ArrowTable | null,
    data?: ArrowTable,
  ): void {
    const t = this.#table(key);
    if (t.locations.has(location)) {
      throw new ArgumentError(`Cannot add table location ${String(location)}: it already exists`);
    }
    const loc: MemLocation = { key: location, partitionValues, data: null, sizeSubs: new Set() };
    t.locations.set(location, loc);
    for (const s of [...t.locationSubs]) {
      this.#deliver(() => {
        if (s.active) s.locationCb(location, partitionValues);
      });
    }
    if (data) this.appendRows(key, location, data);
  }

  /** Appends rows (columns as the data schema) and tells the location's size subscribers. */
  appendRows(key: TableKey, location: TableLocationKey, data: ArrowTable): void {
    const t = this.#table(key);
    const loc = t.locations.get(location);
    if (!loc) {
      throw new ArgumentError(
        `Cannot append to non-existent table location ${String(location)} of ${String(key)}`,
      );
    }
    const rows = this.#conform(key, t.schema, data);
    if (rows.numRows === 0) return;
    loc.data = loc.data ? loc.data.concat(rows) : rows;
    const size = loc.data.numRows;
    for (const s of [...loc.sizeSubs]) {
      this.#deliver(() => {
        if (s.active) s.sizeCb(size);
      });
    }
  }

  /** Rows held for a location. */
  sizeOf(key: TableKey, location: TableLocationKey): number {
    return this.#table(key).locations.get(location)?.data?.numRows ?? 0;
  }

  // ---- test hooks ----------------------------------------------------------------------------

  /** The next call of `method` calls its failure callback with `error` instead of answering. */
  failNext(method: BackendMethod, error: unknown = `injected failure of ${method}`): void {
    const q = this.#failures.get(method) ?? [];
    q.push(error);
    this.#failures.set(method, q);
  }

  /**
   * Fails the live subscriptions of `key`: its location subscriptions, or with `location` that
   * location's size subscriptions (a permanent loss of the subscription).
   */
  failSubscriptions(key: TableKey, error: unknown, location?: TableLocationKey): void {
    const t = this.#table(key);
    const subs: (LocationSub | SizeSub)[] = location
      ? [...(t.locations.get(location)?.sizeSubs ?? [])]
      : [...t.locationSubs];
    for (const s of subs) {
      this.#deliver(() => {
        if (s.active) s.failureCb(error);
      });
    }
  }

  /** Live subscriptions (locations and sizes, over every table). */
  get subscriptionCount(): number {
    let n = 0;
    for (const t of this.#tables.values()) {
      n += t.locationSubs.size;
      for (const l of t.locations.values()) n += l.sizeSubs.size;
    }
    return n;
  }

  /** Resolves once no delivery is pending (including those that deliveries caused). */
  async idle(): Promise<void> {
    do {
      await new Promise((r) => setTimeout(r, 0));
    } while (this.#pending > 0);
  }

  // ---- TableDataServiceBackend -----------------------------------------------------------------

  tableSchema(key: TableKey, schemaCb: SchemaCallback, failureCb: FailureCallback): void {
    if (this.#injected("tableSchema", failureCb)) return;
    const t = this.#tables.get(key);
    this.#deliver(() => {
      if (!t) failureCb(`${String(key)} does not exist`);
      else schemaCb(t.schema, t.partitionSchema);
    });
  }

  tableLocations(
    key: TableKey,
    locationCb: LocationCallback,
    successCb: () => void,
    failureCb: FailureCallback,
  ): void {
    if (this.#injected("tableLocations", failureCb)) return;
    const t = this.#tables.get(key);
    this.#deliver(() => {
      if (!t) {
        failureCb(`${String(key)} does not exist`);
        return;
      }
      for (const loc of t.locations.values()) locationCb(loc.key, loc.partitionValues);
      successCb();
    });
  }

  tableLocationSize(
    key: TableKey,
    location: TableLocationKey,
    sizeCb: SizeCallback,
    failureCb: FailureCallback,
  ): void {
    if (this.#injected("tableLocationSize", failureCb)) return;
    this.#deliver(() => {
      const loc = this.#location(key, location, failureCb);
      if (loc) sizeCb(loc.data?.numRows ?? 0);
    });
  }

  columnValues(
    key: TableKey,
    location: TableLocationKey,
    column: string,
    offset: number,
    minRows: number,
    maxRows: number,
    valuesCb: ValuesCallback,
    failureCb: FailureCallback,
  ): void {
    if (this.#injected("columnValues", failureCb)) return;
    this.#deliver(() => {
      const loc = this.#location(key, location, failureCb);
      if (!loc) return;
      const have = (loc.data?.numRows ?? 0) - offset;
      if (!loc.data || have < minRows) {
        failureCb(
          `${String(key)}:${String(location)}: rows [${offset}, ${offset + minRows}) do not exist (size ${loc.data?.numRows ?? 0})`,
        );
        return;
      }
      if (!loc.data.schema.fields.some((f) => f.name === column)) {
        failureCb(`${String(key)}: no column ${column}`);
        return;
      }
      const n = this.#rows === "min" ? minRows : Math.min(maxRows, have);
      valuesCb(loc.data.select([column]).slice(offset, offset + n));
    });
  }

  subscribeToTableLocations(
    key: TableKey,
    locationCb: LocationCallback,
    successCb: () => void,
    failureCb: FailureCallback,
  ): Unsubscribe {
    if (this.#injected("subscribeToTableLocations", failureCb)) return noop;
    const t = this.#tables.get(key);
    if (!t) {
      this.#deliver(() => failureCb(`${String(key)} does not exist`));
      return noop;
    }
    const sub: LocationSub = { active: true, locationCb, failureCb };
    t.locationSubs.add(sub);
    // The locations existing now, then success; later ones come as they are added.
    const existing = [...t.locations.values()];
    this.#deliver(() => {
      if (!sub.active) return;
      for (const loc of existing) locationCb(loc.key, loc.partitionValues);
      successCb();
    });
    return () => {
      sub.active = false;
      t.locationSubs.delete(sub);
    };
  }

  subscribeToTableLocationSize(
    key: TableKey,
    location: TableLocationKey,
    sizeCb: SizeCallback,
    successCb: () => void,
    failureCb: FailureCallback,
  ): Unsubscribe {
    if (this.#injected("subscribeToTableLocationSize", failureCb)) return noop;
    const loc = this.#tables.get(key)?.locations.get(location);
    if (!loc) {
      this.#deliver(() =>
        failureCb(`${String(location)} does not exist in table_key ${String(key)}`),
      );
      return noop;
    }
    const sub: SizeSub = { active: true, sizeCb, failureCb };
    loc.sizeSubs.add(sub);
    this.#deliver(() => {
      if (!sub.active) return;
      // The current size, then success.
      sizeCb(loc.data?.numRows ?? 0);
      successCb();
    });
    return () => {
      sub.active = false;
      loc.sizeSubs.delete(sub);
    };
  }

  // ---- internals -----------------------------------------------------------------------------

  #table(key: TableKey): MemTable {
    const t = this.#tables.get(key);
    if (!t) throw new ArgumentError(`${String(key)} does not exist`);
    return t;
  }

  #location(key: TableKey, location: TableLocationKey, failureCb: FailureCallback) {
    const t = this.#tables.get(key);
    if (!t) {
      failureCb(`${String(key)} does not exist`);
      return undefined;
    }
    const loc = t.locations.get(location);
    if (!loc) failureCb(`${String(location)} does not exist in table_key ${String(key)}`);
    return loc;
  }

  /** Data with exactly the schema's columns, in its order, of the same Arrow types. */
  #conform(key: TableKey, schema: ArrowSchema, data: ArrowTable): ArrowTable {
    if (!ArrowTableClass.isTable(data)) {
      throw new ArgumentError(`${String(key)}: rows must be an apache-arrow Table`);
    }
    const names = schema.fields.map((f) => f.name);
    const have = new Map(data.schema.fields.map((f) => [f.name, f]));
    for (const f of schema.fields) {
      const g = have.get(f.name);
      if (!g) {
        throw new ArgumentError(
          `${String(key)}: rows lack column "${f.name}"; they have [${[...have.keys()].join(", ")}]`,
        );
      }
      if (String(g.type) !== String(f.type)) {
        throw new ArgumentError(
          `${String(key)}: column "${f.name}" is ${String(g.type)} in the rows but ${String(f.type)} in the schema`,
        );
      }
    }
    for (const n of have.keys()) {
      if (!names.includes(n)) {
        throw new ArgumentError(
          `${String(key)}: rows have column "${n}", which is not in the schema [${names.join(", ")}]`,
        );
      }
    }
    return data.select(names);
  }

  #injected(method: BackendMethod, failureCb: FailureCallback): boolean {
    const q = this.#failures.get(method);
    if (!q || q.length === 0) return false;
    const error = q.shift();
    this.#deliver(() => failureCb(error));
    return true;
  }

  #deliver(fn: () => void): void {
    if (this.#delivery === "sync") {
      fn();
      return;
    }
    this.#pending++;
    const run = () => {
      this.#pending--;
      fn();
    };
    if (this.#delivery === "microtask") queueMicrotask(run);
    else setTimeout(run, 0);
  }
}
