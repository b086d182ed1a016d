/**
 * R2Backend: a Table Data Service backend over an R2 bucket of hive-partitioned Arrow IPC files
 * (layout in r2-layout.ts and docs/table-data-service.md). Table keys name a table directory,
 * location keys a partition directory (`Ticker=GOOG/Exchange=NYSE`, or `all` when unpartitioned);
 * a location's rows are its parts' rows, part after part in key order.
 *
 * The bucket is a structural `R2BucketLike` (`get` and `list`), so a Worker's or Durable
 * Object's R2 binding fits, and so does an in-memory stand-in in tests. Refreshing tables poll
 * `list()` every `pollMs` while anything is subscribed (the timer is injectable), announcing new
 * locations and larger sizes; parts are append-only: a part that changes, or a new part that
 * sorts before a known one, fails the location's subscriptions.
 *
 * @example
 * const backend = new R2Backend(env.DATA, { prefix: "tables/", pollMs: 5000 });
 * const t = await new TableDataService(backend, { graph }).makeTable(new StringTableKey("trades"));
 */
import type { Table as ArrowTable } from "apache-arrow";
import type { LocationResult, SchemaResult } from "./async-backend.ts";
import { AsyncBackend, keyName } from "./async-backend.ts";
import type { FailureCallback, LocationCallback, SizeCallback, Unsubscribe } from "./backend.ts";
import { BackendError } from "./backend-error.ts";
import { invokeBackend } from "./invoke.ts";
import { Poller } from "./poller.ts";
import { R2PartCache } from "./r2-part-cache.ts";
import type { R2BucketLike } from "./r2-store.ts";
import { R2Store } from "./r2-store.ts";
import type { R2Location, R2SizeSub } from "./r2-table.ts";
import { R2Table } from "./r2-table.ts";
import type { TableKey, TableLocationKey } from "./table-key.ts";
import type { TimerLike } from "./timer.ts";
import { globalTimer } from "./timer.ts";

export type {
  R2BucketLike,
  R2ObjectBodyLike,
  R2ObjectLike,
  R2ObjectsLike,
} from "./r2-store.ts";
export type { TimerLike } from "./timer.ts";

export interface R2BackendOptions {
  /** Key prefix of the tables' directories (default ""; e.g. "tables/"). */
  prefix?: string;
  /** How often refreshing tables list the bucket, in ms (default 5000). */
  pollMs?: number;
  /** Row counts and decoded parts; pass one cache to share it between backends. */
  cache?: R2PartCache;
  timer?: TimerLike;
  /** Parts fetched at once when counting rows (default 4). */
  concurrency?: number;
}

interface LocationSub {
  active: boolean;
  ready: boolean;
  /** Locations delivered so far (a prefix of the table's location list). */
  delivered: number;
  readonly locationCb: LocationCallback;
  readonly failureCb: FailureCallback;
}

interface TableState {
  readonly table: R2Table;
  readonly locationSubs: Set<LocationSub>;
  readonly poller: Poller;
  /** Failed polls in a row. */
  failures: number;
}

/** Consecutive failed scans (bucket errors) before subscriptions fail. */
const MAX_SCAN_FAILURES = 3;

/** The name a key carries (`StringTableKey`/`StringTableLocationKey` and look-alikes). */
function nameOf(key: unknown, what: string): string {
  return keyName(
    key,
    (k) =>
      `R2Backend needs ${what} keys with a name (StringTableKey, StringTableLocationKey); got ${k}`,
  );
}

export class R2Backend extends AsyncBackend {
  readonly #store: R2Store;
  readonly #prefix: string;
  readonly #pollMs: number;
  readonly #cache: R2PartCache;
  readonly #timer: TimerLike;
  readonly #tables = new Map<string, TableState>();

  constructor(bucket: R2BucketLike, options: R2BackendOptions = {}) {
    super();
    this.#prefix = options.prefix ?? "";
    this.#pollMs = options.pollMs ?? 5000;
    this.#cache = options.cache ?? new R2PartCache();
    this.#store = new R2Store(bucket, this.#cache, Math.max(1, options.concurrency ?? 4));
    this.#timer = options.timer ?? globalTimer;
  }

  /** The cache of row counts and decoded parts. */
  get cache(): R2PartCache {
    return this.#cache;
  }

  /** Lists every subscribed table now (instead of at the next poll); resolves when delivered. */
  async refresh(): Promise<void> {
    const live = [...this.#tables.values()].filter((t) => this.#subscribed(t));
    await Promise.all(live.map((t) => t.poller.now().catch(() => {})));
  }

  /** Stops polling and ends every subscription without calling back. */
  close(): void {
    for (const t of this.#tables.values()) {
      for (const s of t.locationSubs) s.active = false;
      t.locationSubs.clear();
      for (const l of t.table.locations) {
        for (const s of l.sizeSubs) s.active = false;
        l.sizeSubs.clear();
      }
      t.poller.stop();
    }
  }

  // ---- AsyncBackend -----------------------------------------------------------------

  protected async schemaOf(key: TableKey): Promise<SchemaResult> {
    const t = this.#table(key);
    t.table.resetLayout(); // a schema request reads the layout afresh
    const layout = await t.table.layout();
    return { schema: layout.schema, partitionSchema: layout.partitionSchema };
  }

  protected async locationsOf(key: TableKey): Promise<LocationResult[]> {
    const t = this.#table(key);
    await t.table.scan();
    return t.table.locations.filter((l) => !l.broken).map((l) => [l.key, l.partitionValues]);
  }

  protected async sizeOf(key: TableKey, location: TableLocationKey): Promise<number> {
    const t = this.#table(key);
    const l = await t.table.location(nameOf(location, "location"));
    await t.table.relist(l);
    return t.table.sizeOf(l);
  }

  protected async valuesOf(
    key: TableKey,
    location: TableLocationKey,
    column: string,
    offset: number,
    minRows: number,
    maxRows: number,
  ): Promise<ArrowTable> {
    const t = this.#table(key);
    const l = await t.table.location(nameOf(location, "location"));
    return t.table.values(l, column, offset, minRows, maxRows);
  }

  subscribeToTableLocations(
    key: TableKey,
    locationCb: LocationCallback,
    successCb: () => void,
    failureCb: FailureCallback,
  ): Unsubscribe {
    return this.subscribeParsed(
      () => this.#table(key),
      failureCb,
      (t) => this.#subscribeLocations(t, locationCb, successCb, failureCb),
    );
  }

  #subscribeLocations(
    t: TableState,
    locationCb: LocationCallback,
    successCb: () => void,
    failureCb: FailureCallback,
  ): Unsubscribe {
    const sub: LocationSub = { active: true, ready: false, delivered: 0, locationCb, failureCb };
    t.locationSubs.add(sub);
    t.poller.now().then(
      () => {
        if (!sub.active) return;
        this.#announce(t, sub);
        sub.ready = true;
        successCb();
      },
      (e) => this.#failLocationSub(t, sub, e),
    );
    return () => {
      sub.active = false;
      t.locationSubs.delete(sub);
      t.poller.idle();
    };
  }

  subscribeToTableLocationSize(
    key: TableKey,
    location: TableLocationKey,
    sizeCb: SizeCallback,
    successCb: () => void,
    failureCb: FailureCallback,
  ): Unsubscribe {
    const sub: R2SizeSub = { active: true, ready: false, last: -1, sizeCb, failureCb };
    let state: { t: TableState; l: R2Location } | null = null;
    const unsubscribe = () => {
      sub.active = false;
      if (state) {
        state.l.sizeSubs.delete(sub);
        state.t.poller.idle();
      }
    };
    invokeBackend(
      async () => {
        const t = this.#table(key);
        const l = await t.table.location(nameOf(location, "location"));
        if (!sub.active) return;
        state = { t, l };
        l.sizeSubs.add(sub);
        t.poller.ensure();
        const size = await t.table.sizeOf(l);
        if (!sub.active) return;
        sub.last = Math.max(sub.last, size);
        sizeCb(sub.last);
        sub.ready = true;
        successCb();
      },
      (e) => {
        if (!sub.active) return;
        unsubscribe();
        failureCb(e);
      },
    );
    return unsubscribe;
  }

  // ---- tables and layout ---------------------------------------------------------------------

  #table(key: TableKey): TableState {
    const name = nameOf(key, "table");
    if (
      name.startsWith("/") ||
      name.endsWith("/") ||
      name.split("/").some((s) => /^\.*$/.test(s))
    ) {
      throw new BackendError("bad_table", 400, `R2 table name "${name}" is not a directory name`);
    }
    let t = this.#tables.get(name);
    if (!t) {
      const state: TableState = {
        table: new R2Table(name, `${this.#prefix}${name}/`, this.#store, (l, e) => {
          for (const s of [...l.sizeSubs]) this.#failSizeSub(state, l, s, e);
        }),
        locationSubs: new Set(),
        failures: 0,
        poller: new Poller(() => this.#poll(state), {
          ms: this.#pollMs,
          timer: this.#timer,
          wanted: () => this.#subscribed(state),
          onSuccess: () => {
            state.failures = 0;
          },
          onError: (e) => this.#pollFailed(state, e),
        }),
      };
      t = state;
      this.#tables.set(name, t);
    }
    return t;
  }

  // ---- polling -------------------------------------------------------------------------------

  #subscribed(t: TableState): boolean {
    return t.locationSubs.size > 0 || t.table.locations.some((l) => l.sizeSubs.size > 0);
  }

  /**
   * A poll that failed: a broken layout or a vanished table fails every subscription at once; a
   * failing bucket does so after MAX_SCAN_FAILURES polls in a row.
   */
  #pollFailed(t: TableState, e: unknown): void {
    t.failures++;
    const code = (e as { code?: unknown }).code;
    if (t.failures >= MAX_SCAN_FAILURES || code === "bad_layout" || code === "unknown_table") {
      this.#failAll(t, e);
    }
  }

  /** One poll: list, announce new locations, then deliver larger sizes. */
  async #poll(t: TableState): Promise<void> {
    await t.table.scan();
    for (const s of [...t.locationSubs]) if (s.ready) this.#announce(t, s);
    for (const l of t.table.locations) {
      if (l.sizeSubs.size === 0 || l.broken) continue;
      let size: number;
      try {
        size = await t.table.sizeOf(l);
      } catch (e) {
        for (const s of [...l.sizeSubs]) this.#failSizeSub(t, l, s, e);
        continue;
      }
      for (const s of [...l.sizeSubs]) {
        if (s.active && s.ready && size > s.last) {
          s.last = size;
          s.sizeCb(size);
        }
      }
    }
  }

  #announce(t: TableState, sub: LocationSub): void {
    while (sub.active && sub.delivered < t.table.locations.length) {
      const l = t.table.locations[sub.delivered++]!;
      if (!l.broken) sub.locationCb(l.key, l.partitionValues);
    }
  }

  #failLocationSub(t: TableState, sub: LocationSub, e: unknown): void {
    if (!sub.active) return;
    sub.active = false;
    t.locationSubs.delete(sub);
    t.poller.idle();
    sub.failureCb(e);
  }

  #failSizeSub(t: TableState, l: R2Location, sub: R2SizeSub, e: unknown): void {
    if (!sub.active) return;
    sub.active = false;
    l.sizeSubs.delete(sub);
    t.poller.idle();
    sub.failureCb(e);
  }

  #failAll(t: TableState, e: unknown): void {
    for (const s of [...t.locationSubs]) if (s.ready) this.#failLocationSub(t, s, e);
    for (const l of t.table.locations)
      for (const s of [...l.sizeSubs]) this.#failSizeSub(t, l, s, e);
  }
}
