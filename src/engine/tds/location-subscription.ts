/**
 * LocationSubscription: the one `subscribeToTableLocations` subscription a service keeps per
 * table key, shared by every refreshing table of that key. It validates each location's
 * partition values, drops repeated locations, keeps the locations in discovery order, and
 * replays them to tables that attach later. The last table to detach ends the subscription; a
 * failure (the backend's failure callback or invalid partition values) goes to every table and
 * ends it too, and the service makes a fresh one for the next table.
 */
import type { Vec } from "../column.ts";
import type { TableDataServiceBackend } from "./backend.ts";
import { failureText, TableDataServiceError } from "./errors.ts";
import { invokeBackend } from "./invoke.ts";
import { hashOf, KeyedSet } from "./keyed-map.ts";
import type { LocationState } from "./location-state.ts";
import type { TableDefinition } from "./table-definition.ts";
import { readPartitionValues } from "./table-definition.ts";
import type { TableKey, TableLocationKey } from "./table-key.ts";

/** A location as tables see it: its shared state and its partition values (length-1 Vecs). */
export interface LocationEntry {
  readonly state: LocationState;
  readonly partitionValues: readonly Vec[];
}

export interface LocationsListener {
  onLocation(entry: LocationEntry): void;
  /** Every location that existed at subscription time has been delivered (called once). */
  onLocationsSucceeded(): void;
  onFailure(error: unknown): void;
}

export class LocationSubscription {
  readonly #backend: TableDataServiceBackend;
  readonly #key: TableKey;
  readonly #def: TableDefinition;
  readonly #stateOf: (location: TableLocationKey) => LocationState;
  readonly #onEnd: (sub: LocationSubscription) => void;
  readonly #listeners = new Set<LocationsListener>();
  readonly #entries: LocationEntry[] = [];
  readonly #seen = new KeyedSet<TableLocationKey>();
  #started = false;
  #active = false;
  #succeeded = false;
  #unsubscribe: (() => void) | null = null;

  /**
   * @param stateOf the service's shared LocationState of a location key
   * @param onEnd called once when the subscription ends (so the service forgets it)
   */
  constructor(
    backend: TableDataServiceBackend,
    key: TableKey,
    def: TableDefinition,
    stateOf: (location: TableLocationKey) => LocationState,
    onEnd: (sub: LocationSubscription) => void,
  ) {
    this.#backend = backend;
    this.#key = key;
    this.#def = def;
    this.#stateOf = stateOf;
    this.#onEnd = onEnd;
  }

  /** Attaches a table: it hears every location so far, then new ones. The first subscribes. */
  attach(l: LocationsListener): void {
    this.#listeners.add(l);
    if (!this.#started) {
      this.#start();
      return;
    }
    for (const e of this.#entries) l.onLocation(e);
    if (this.#succeeded) l.onLocationsSucceeded();
  }

  detach(l: LocationsListener): void {
    if (!this.#listeners.delete(l)) return;
    if (this.#listeners.size === 0) this.#end();
  }

  #start(): void {
    this.#started = true;
    this.#active = true;
    const keyText = this.#def.keyText;
    const fail = (error: unknown) => {
      if (!this.#active) return;
      this.#failAll(
        new TableDataServiceError(
          `${keyText}: subscribe_to_table_locations failed: ${failureText(error)}`,
          { tableKey: keyText },
          error,
        ),
      );
    };
    const unsubscribe = invokeBackend(
      () =>
        this.#backend.subscribeToTableLocations(
          this.#key,
          (location, values) => {
            if (this.#active) this.#onLocation(location, values);
          },
          () => {
            if (!this.#active || this.#succeeded) return;
            this.#succeeded = true;
            for (const l of [...this.#listeners]) l.onLocationsSucceeded();
          },
          fail,
        ),
      fail,
    );
    const fn = typeof unsubscribe === "function" ? (unsubscribe as () => void) : () => {};
    if (this.#active) this.#unsubscribe = fn;
    else fn(); // failed while subscribing: release it at once (as Deephaven does)
  }

  #onLocation(location: TableLocationKey, values: unknown): void {
    let partitionValues: Vec[];
    try {
      hashOf(location);
      if (this.#seen.has(location)) return;
      partitionValues = readPartitionValues(
        this.#def,
        String(location),
        values as Parameters<typeof readPartitionValues>[2],
      );
    } catch (e) {
      this.#failAll(e);
      return;
    }
    this.#seen.add(location);
    const entry: LocationEntry = { state: this.#stateOf(location), partitionValues };
    this.#entries.push(entry);
    for (const l of [...this.#listeners]) l.onLocation(entry);
  }

  #failAll(error: unknown): void {
    const ls = [...this.#listeners];
    this.#listeners.clear();
    this.#end();
    for (const l of ls) l.onFailure(error);
  }

  #end(): void {
    if (!this.#active) return;
    this.#active = false;
    const u = this.#unsubscribe;
    this.#unsubscribe = null;
    u?.();
    this.#onEnd(this);
  }
}
