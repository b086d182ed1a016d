/**
 * LocationState: what the service knows of one location of one table key, shared by every table
 * of that key: the page cache (LocationData) and, while some refreshing table needs it, one size
 * subscription (`subscribeToTableLocationSize`).
 *
 * A size larger than any before starts reading the missing rows; once they are cached the new
 * size is "ready" and every attached listener hears `onReady(rows)`. A size not larger than the
 * largest seen is ignored (sizes only grow). The location is "initialized" once the subscription
 * succeeded and the rows of the size known at that moment are ready. A failure (the backend's
 * failure callback, an invalid size, a failed read) goes to every listener and ends the
 * subscription; the next attach subscribes again.
 */
import type { TableDataServiceBackend } from "./backend.ts";
import { failureText, TableDataServiceError } from "./errors.ts";
import { invokeBackend } from "./invoke.ts";
import type { Lease } from "./location-data.ts";
import { LocationData } from "./location-data.ts";
import type { PageCache } from "./page-cache.ts";
import type { TableDefinition } from "./table-definition.ts";
import type { TableKey, TableLocationKey } from "./table-key.ts";

/** Rows one location can hold: its row keys are `index * 2^32 + position`. */
export const LOCATION_CAPACITY = 2 ** 32;

export interface LocationListener {
  /**
   * Rows `[0, rows)` are cached and may be shown. `lease` holds the rows not announced to this
   * listener before in the cache; release it once they are copied (or not needed).
   */
  onReady(rows: number, lease: Lease): void;
  /** The initial size's rows are ready (called once per listener). */
  onInitialized(): void;
  onFailure(error: unknown): void;
}

/** Checks a size from a backend; returns it as a number or throws naming key and location. */
export function checkSize(keyText: string, locText: string, raw: unknown, call: string): number {
  const n = typeof raw === "bigint" ? Number(raw) : raw;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
    throw new TableDataServiceError(
      `${keyText}:${locText}: ${call} delivered size ${String(raw)}; expected a non-negative integer`,
      { tableKey: keyText, location: locText },
    );
  }
  if (n > LOCATION_CAPACITY) {
    throw new TableDataServiceError(
      `${keyText}:${locText}: ${call} delivered size ${n}; a location holds at most 2^32 rows`,
      { tableKey: keyText, location: locText },
    );
  }
  return n;
}

interface Listening {
  /** Rows announced to the listener (`onReady`). */
  announced: number;
  /** A read of rows it has not heard of is pending. */
  catchingUp: boolean;
  /** It heard `onInitialized`. */
  initialized: boolean;
}

export class LocationState {
  readonly location: TableLocationKey;
  readonly text: string;
  readonly data: LocationData;
  readonly #backend: TableDataServiceBackend;
  readonly #key: TableKey;
  readonly #def: TableDefinition;
  /** Listeners, with the rows announced to each and whether it heard `onInitialized`. */
  readonly #listeners = new Map<LocationListener, Listening>();
  #token = 0;
  #active = false;
  #unsubscribe: (() => void) | null = null;
  #size = 0;
  #ready = 0;
  #succeeded = false;
  #initialSize = 0;
  #initialized = false;

  constructor(
    backend: TableDataServiceBackend,
    key: TableKey,
    location: TableLocationKey,
    def: TableDefinition,
    pageSize: number,
    cache: PageCache,
  ) {
    this.#backend = backend;
    this.#key = key;
    this.location = location;
    this.text = String(location);
    this.#def = def;
    this.data = new LocationData(backend, key, location, def, this.text, pageSize, cache);
  }

  /**
   * Attaches a listener; the first one subscribes to sizes. A late one hears the state so far,
   * once the rows ready so far are cached (again, if they were evicted).
   */
  attach(l: LocationListener): void {
    const rec: Listening = { announced: 0, catchingUp: false, initialized: false };
    this.#listeners.set(l, rec);
    if (!this.#active) {
      this.#subscribe();
      return;
    }
    this.#catchUp(l, rec);
  }

  /** Detaches a listener; the last one ends the size subscription. */
  detach(l: LocationListener): void {
    if (!this.#listeners.delete(l)) return;
    if (this.#listeners.size === 0) this.#end();
  }

  #subscribe(): void {
    const token = ++this.#token;
    this.#active = true;
    this.#size = 0;
    this.#ready = 0;
    this.#succeeded = false;
    this.#initialized = false;
    const live = () => this.#active && this.#token === token;
    const keyText = this.#def.keyText;
    const fail = (error: unknown) => {
      if (!live()) return;
      this.#failAll(
        new TableDataServiceError(
          `${keyText}:${this.text}: subscribe_to_table_location_size failed: ${failureText(error)}`,
          { tableKey: keyText, location: this.text },
          error,
        ),
      );
    };
    const unsubscribe = invokeBackend(
      () =>
        this.#backend.subscribeToTableLocationSize(
          this.#key,
          this.location,
          (size) => {
            if (live()) this.#onSize(size);
          },
          () => {
            if (!live() || this.#succeeded) return;
            this.#succeeded = true;
            this.#initialSize = this.#size;
            this.#checkInitialized();
          },
          fail,
        ),
      fail,
    );
    const fn = typeof unsubscribe === "function" ? (unsubscribe as () => void) : () => {};
    if (live()) this.#unsubscribe = fn;
    else fn(); // it failed while subscribing: release it at once
  }

  #onSize(raw: unknown): void {
    let size: number;
    try {
      size = checkSize(this.#def.keyText, this.text, raw, "subscribe_to_table_location_size");
    } catch (e) {
      this.#failAll(e);
      return;
    }
    if (size <= this.#size) return;
    this.#size = size;
    const token = this.#token;
    this.data.read(this.#ready, size, (error, lease) => {
      if (!this.#active || this.#token !== token) {
        lease.release();
        return;
      }
      if (error !== undefined) {
        this.#failAll(error);
        return;
      }
      if (size > this.#ready) {
        this.#ready = size;
        for (const [l, rec] of [...this.#listeners]) {
          if (rec.catchingUp || rec.announced >= size || this.#listeners.get(l) !== rec) continue;
          const from = rec.announced;
          rec.announced = size;
          l.onReady(size, this.data.hold(from, size));
        }
      }
      lease.release();
      this.#checkInitialized();
    });
  }

  /** Reads the rows ready so far that `l` has not heard of, then announces them to it. */
  #catchUp(l: LocationListener, rec: Listening): void {
    if (rec.announced >= this.#ready) {
      this.#checkInitialized();
      return;
    }
    const token = this.#token;
    const to = this.#ready;
    rec.catchingUp = true;
    this.data.read(rec.announced, to, (error, lease) => {
      rec.catchingUp = false;
      if (!this.#active || this.#token !== token || this.#listeners.get(l) !== rec) {
        lease.release();
        return;
      }
      if (error !== undefined) {
        this.#failAll(error);
        return;
      }
      rec.announced = to;
      l.onReady(to, lease);
      this.#catchUp(l, rec); // rows that became ready meanwhile
    });
  }

  #checkInitialized(): void {
    if (!this.#initialized && this.#succeeded && this.#ready >= this.#initialSize) {
      this.#initialized = true;
    }
    if (!this.#initialized) return;
    for (const [l, rec] of [...this.#listeners]) {
      if (rec.initialized || rec.announced < this.#initialSize) continue;
      if (this.#listeners.get(l) !== rec) continue;
      rec.initialized = true;
      l.onInitialized();
    }
  }

  #failAll(error: unknown): void {
    const ls = [...this.#listeners.keys()];
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
  }
}
