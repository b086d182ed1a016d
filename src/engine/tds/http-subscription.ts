/**
 * DataSubscription: HttpBackend's one WebSocket per remote table (`/v1/data/:table/subscribe`),
 * shared by every location and size subscription of that table. It remembers what the server
 * announced (locations in order, each location's largest size, failed locations), so a
 * subscription that joins later hears it all at once, and a reconnect, after which the server
 * announces everything again, delivers only what is new.
 *
 * A socket that closes without a `failure` message is reopened (with backoff, `retries` times in
 * a row); a `failure` message, a refusal that retrying cannot fix (a 4xx), or too many failed
 * attempts fail every subscription. The socket closes when the last subscription ends.
 */

import type { Table as ArrowTable } from "apache-arrow";
import type { ColumnType } from "../types.ts";
import type { FailureCallback, LocationCallback, SizeCallback, Unsubscribe } from "./backend.ts";
import { BackendError, backendStatusOf } from "./backend-error.ts";
import type { DataMessage } from "./data-protocol.ts";
import { partitionValuesFromJson } from "./data-protocol.ts";
import { failureText } from "./errors.ts";
import { StringTableLocationKey } from "./table-key.ts";
import type { TimerLike } from "./timer.ts";

/** The parts of a WebSocket event HttpBackend reads. */
export interface WebSocketEventLike {
  readonly type?: string;
  /** A message's data. */
  readonly data?: unknown;
  /** A close's code and reason. */
  readonly code?: number;
  readonly reason?: string;
}

/** What HttpBackend needs of a WebSocket (the standard one and Workers' both fit). */
export interface WebSocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(
    type: "message" | "close" | "error",
    listener: (event: WebSocketEventLike) => void,
  ): void;
  /** Workers' sockets from `fetch` must be accepted before use. */
  accept?(): void;
}

export interface SubscriptionOptions {
  timer: TimerLike;
  /** ms between "ping" frames (0: none). */
  pingMs: number;
  /** ms before the first reconnect; doubles each attempt. */
  retryMs: number;
  /** Reconnects in a row before giving up. */
  retries: number;
}

interface LocationSub {
  active: boolean;
  ready: boolean;
  delivered: number;
  readonly locationCb: LocationCallback;
  readonly successCb: () => void;
  readonly failureCb: FailureCallback;
}

interface SizeSub {
  active: boolean;
  ready: boolean;
  last: number;
  readonly sizeCb: SizeCallback;
  readonly successCb: () => void;
  readonly failureCb: FailureCallback;
}

export class DataSubscription {
  readonly table: string;
  readonly #open: () => Promise<WebSocketLike>;
  readonly #options: SubscriptionOptions;
  readonly #onIdle: () => void;
  #ws: WebSocketLike | null = null;
  #ended = false;
  #attempt = 0;
  #ping: unknown = null;
  #retry: unknown = null;
  #types: Record<string, ColumnType> = {};
  #ready = false;
  readonly #locations: { key: StringTableLocationKey; values: ArrowTable | null }[] = [];
  readonly #names = new Set<string>();
  readonly #sizes = new Map<string, number>();
  readonly #failedLocations = new Map<string, unknown>();
  readonly #locationSubs = new Set<LocationSub>();
  readonly #sizeSubs = new Map<string, Set<SizeSub>>();

  constructor(
    table: string,
    open: () => Promise<WebSocketLike>,
    options: SubscriptionOptions,
    onIdle: () => void,
  ) {
    this.table = table;
    this.#open = open;
    this.#options = options;
    this.#onIdle = onIdle;
    this.#connect();
  }

  /** Locations: every one announced so far, then success once the server said `ready`. */
  addLocationSub(
    locationCb: LocationCallback,
    successCb: () => void,
    failureCb: FailureCallback,
  ): Unsubscribe {
    const sub: LocationSub = {
      active: true,
      ready: false,
      delivered: 0,
      locationCb,
      successCb,
      failureCb,
    };
    this.#locationSubs.add(sub);
    this.#announce(sub);
    if (this.#ready && sub.active) {
      sub.ready = true;
      successCb();
    }
    return () => {
      sub.active = false;
      this.#locationSubs.delete(sub);
      this.#idleCheck();
    };
  }

  /** One location's size: the current size, success, then each larger size. */
  addSizeSub(
    location: string,
    sizeCb: SizeCallback,
    successCb: () => void,
    failureCb: FailureCallback,
  ): Unsubscribe {
    const sub: SizeSub = { active: true, ready: false, last: -1, sizeCb, successCb, failureCb };
    let subs = this.#sizeSubs.get(location);
    if (!subs) this.#sizeSubs.set(location, (subs = new Set()));
    subs.add(sub);
    const failed = this.#failedLocations.get(location);
    if (failed !== undefined) this.#fail(sub, failed);
    else this.#deliverSize(location, sub);
    return () => {
      sub.active = false;
      this.#sizeSubs.get(location)?.delete(sub);
      this.#idleCheck();
    };
  }

  // ---- the socket ----------------------------------------------------------------------------

  #connect(): void {
    this.#open().then(
      (ws) => {
        if (this.#ended) {
          closeQuietly(ws, 1000, "unsubscribed");
          return;
        }
        this.#ws = ws;
        ws.addEventListener("message", (e) => this.#onMessage(e.data));
        ws.addEventListener("close", (e) => this.#onClose(ws, e.code ?? 1005, e.reason ?? ""));
        ws.addEventListener("error", () => {}); // a close event follows
        ws.accept?.();
        this.#schedulePing();
      },
      (e) => {
        const status = backendStatusOf(e)?.status ?? 502;
        if (status < 500) this.#failAll(e);
        else this.#reconnect(e);
      },
    );
  }

  #onClose(ws: WebSocketLike, code: number, reason: string): void {
    if (ws !== this.#ws) return;
    this.#ws = null;
    this.#clearPing();
    if (this.#ended) return;
    this.#reconnect(
      new BackendError(
        "subscription_lost",
        502,
        `the subscription to ${this.table} closed (${code}${reason ? ` ${reason}` : ""})`,
      ),
    );
  }

  #reconnect(cause: unknown): void {
    if (this.#ended) return;
    this.#attempt++;
    if (this.#attempt > this.#options.retries) {
      this.#failAll(cause);
      return;
    }
    const delay = this.#options.retryMs * 2 ** (this.#attempt - 1);
    this.#retry = this.#options.timer.setTimeout(() => {
      this.#retry = null;
      if (!this.#ended) this.#connect();
    }, delay);
  }

  #schedulePing(): void {
    if (this.#options.pingMs <= 0 || this.#ended) return;
    this.#ping = this.#options.timer.setTimeout(() => {
      this.#ping = null;
      try {
        this.#ws?.send("ping");
      } catch {
        // not open (yet, or any more): the close event handles it
      }
      if (this.#ws) this.#schedulePing();
    }, this.#options.pingMs);
  }

  #clearPing(): void {
    if (this.#ping !== null) this.#options.timer.clearTimeout(this.#ping);
    this.#ping = null;
  }

  // ---- messages ------------------------------------------------------------------------------

  #onMessage(data: unknown): void {
    if (typeof data !== "string" || data === "pong") return;
    let m: DataMessage;
    try {
      m = JSON.parse(data) as DataMessage;
    } catch {
      return;
    }
    try {
      this.#handle(m);
    } catch (e) {
      this.#failAll(
        new BackendError(
          "bad_response",
          502,
          `the subscription to ${this.table} sent a bad ${String(m?.type)} message: ${failureText(e)}`,
          e,
        ),
      );
    }
  }

  #handle(m: DataMessage): void {
    switch (m.type) {
      case "schema":
        this.#types = m.partitionColumns;
        return;
      case "location": {
        if (typeof m.location !== "string") throw new Error("location must be a string");
        if (this.#names.has(m.location)) return; // announced again after a reconnect
        const values = partitionValuesFromJson(this.#types, m.partitionValues);
        this.#names.add(m.location);
        this.#locations.push({ key: new StringTableLocationKey(m.location), values });
        for (const s of [...this.#locationSubs]) this.#announce(s);
        return;
      }
      case "ready":
        this.#ready = true;
        this.#attempt = 0;
        for (const s of [...this.#locationSubs]) {
          if (s.active && !s.ready) {
            this.#announce(s);
            s.ready = true;
            s.successCb();
          }
        }
        return;
      case "size": {
        if (!Number.isSafeInteger(m.size) || m.size < 0) throw new Error(`size ${m.size}`);
        if (m.size <= (this.#sizes.get(m.location) ?? -1)) return;
        this.#sizes.set(m.location, m.size);
        for (const s of [...(this.#sizeSubs.get(m.location) ?? [])]) {
          this.#deliverSize(m.location, s);
        }
        return;
      }
      case "failure": {
        const e = new BackendError(
          String(m.error),
          typeof m.status === "number" ? m.status : 502,
          String(m.detail),
        );
        if (typeof m.location === "string") {
          this.#failedLocations.set(m.location, e);
          for (const s of [...(this.#sizeSubs.get(m.location) ?? [])]) this.#fail(s, e);
          this.#idleCheck();
        } else this.#failAll(e);
        return;
      }
    }
  }

  #announce(sub: LocationSub): void {
    while (sub.active && sub.delivered < this.#locations.length) {
      const l = this.#locations[sub.delivered++]!;
      sub.locationCb(l.key, l.values);
    }
  }

  #deliverSize(location: string, sub: SizeSub): void {
    const size = this.#sizes.get(location);
    if (!sub.active || size === undefined || size <= sub.last) return;
    sub.last = size;
    sub.sizeCb(size);
    if (!sub.ready && sub.active) {
      sub.ready = true;
      sub.successCb();
    }
  }

  #fail(sub: LocationSub | SizeSub, e: unknown): void {
    if (!sub.active) return;
    sub.active = false;
    sub.failureCb(e);
  }

  #failAll(e: unknown): void {
    if (this.#ended) return;
    const subs = [...this.#locationSubs, ...[...this.#sizeSubs.values()].flatMap((s) => [...s])];
    this.#end(1000, "failed"); // browsers let clients close with 1000 or 3000-4999 only
    for (const s of subs) this.#fail(s, e);
  }

  #idleCheck(): void {
    if (this.#locationSubs.size > 0) return;
    for (const subs of this.#sizeSubs.values()) for (const s of subs) if (s.active) return;
    this.#end(1000, "unsubscribed");
  }

  #end(code: number, reason: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#clearPing();
    if (this.#retry !== null) this.#options.timer.clearTimeout(this.#retry);
    this.#retry = null;
    const ws = this.#ws;
    this.#ws = null;
    if (ws) closeQuietly(ws, code, reason);
    this.#locationSubs.clear();
    this.#sizeSubs.clear();
    this.#onIdle();
  }
}

function closeQuietly(ws: WebSocketLike, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // already closed
  }
}
