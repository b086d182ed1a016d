/**
 * FamilyHistoryBackend: table families' append-only views as Table Data Service tables, so
 * `/v1/data/<family>/<view>` serves a family's history (and `HttpBackend` reads it from another
 * deployment). A view is a table with one location, `all`, without partitioning columns; its size
 * is the view's size; its rows are read by position through the family's `historyColumn` RPC.
 *
 * Size subscriptions learn of growth from the family's own subscribe socket: the backend reads
 * the size and the cycle (`historyInfo`), then subscribes with `since=<that cycle>`, which skips
 * the snapshot, and adds each delta's `added` count (Arrow format: the JSON header carries the
 * keys; the binary row frames are ignored). If the socket closes, it reads the size again and
 * resubscribes (three times in a row at most).
 */

import type { Table as ArrowTable } from "apache-arrow";
import { Schema } from "apache-arrow";
import { released } from "../durable/catalog.ts";
import type { RpcResult } from "../durable/errors.ts";
import type { HistoryInfo } from "../durable/history.ts";
import { arrowFieldOf, decodeIPC } from "../engine/arrow.ts";
import type {
  FailureCallback,
  LocationCallback,
  SizeCallback,
  TableKey,
  TableLocationKey,
  Unsubscribe,
} from "../engine/index.ts";
import { BackendError, StringTableLocationKey } from "../engine/index.ts";
import type { LocationResult, SchemaResult } from "../engine/tds/async-backend.ts";
import { AsyncBackend } from "../engine/tds/async-backend.ts";
import { failureText } from "../engine/tds/errors.ts";
import { ALL_LOCATION } from "../engine/tds/r2-layout.ts";

/** The only location of a family view. */
export const FAMILY_LOCATION = ALL_LOCATION;

/** Resubscriptions in a row after the family's socket closes. */
const RESUBSCRIBES = 3;

function rpcValue<T>(r: RpcResult<T>): T {
  if (r.ok) return r.value;
  throw new BackendError(r.error, r.status, r.detail);
}

export class FamilyHistoryBackend extends AsyncBackend {
  readonly #env: Env;

  constructor(env: Env) {
    super();
    this.#env = env;
  }

  #stub(family: string) {
    return this.#env.TABLES.get(this.#env.TABLES.idFromName(family));
  }

  /** `<family>/<view>` of a key named so. */
  #parse(key: TableKey): { family: string; view: string } {
    const name = String((key as { name?: unknown }).name ?? "");
    const slash = name.indexOf("/");
    if (slash <= 0) {
      throw new BackendError(
        "bad_table",
        400,
        `a family table is "<family>/<view>", not "${name}"`,
      );
    }
    return { family: name.slice(0, slash), view: name.slice(slash + 1) };
  }

  #checkLocation(location: TableLocationKey, family: string, view: string): void {
    const name = (location as { name?: unknown }).name;
    if (name !== FAMILY_LOCATION) {
      throw new BackendError(
        "unknown_location",
        404,
        `${family}/${view} has one location, "${FAMILY_LOCATION}"; not "${String(name ?? location)}"`,
      );
    }
  }

  async #info(family: string, view: string): Promise<HistoryInfo> {
    return rpcValue(await released(this.#stub(family).historyInfo(view)));
  }

  protected async schemaOf(key: TableKey): Promise<SchemaResult> {
    const { family, view } = this.#parse(key);
    const info = await this.#info(family, view);
    const fields = Object.entries(info.columns).map(([n, t]) => arrowFieldOf(n, t));
    return { schema: new Schema(fields), partitionSchema: null };
  }

  protected async locationsOf(key: TableKey): Promise<LocationResult[]> {
    const { family, view } = this.#parse(key);
    await this.#info(family, view);
    return [[new StringTableLocationKey(FAMILY_LOCATION), null]];
  }

  protected async sizeOf(key: TableKey, location: TableLocationKey): Promise<number> {
    const { family, view } = this.#parse(key);
    this.#checkLocation(location, family, view);
    return (await this.#info(family, view)).size;
  }

  protected async valuesOf(
    key: TableKey,
    location: TableLocationKey,
    column: string,
    offset: number,
    minRows: number,
    maxRows: number,
  ): Promise<ArrowTable> {
    const { family, view } = this.#parse(key);
    this.#checkLocation(location, family, view);
    const r = await released(
      this.#stub(family).historyColumn(view, column, offset, minRows, maxRows),
    );
    return decodeIPC(rpcValue(r).bytes);
  }

  subscribeToTableLocations(
    key: TableKey,
    locationCb: LocationCallback,
    successCb: () => void,
    failureCb: FailureCallback,
  ): Unsubscribe {
    // One location that never changes: the subscription is the one-shot listing.
    this.tableLocations(key, locationCb, successCb, failureCb);
    return () => {};
  }

  subscribeToTableLocationSize(
    key: TableKey,
    location: TableLocationKey,
    sizeCb: SizeCallback,
    successCb: () => void,
    failureCb: FailureCallback,
  ): Unsubscribe {
    const sub = new SizeFeed(() => this.#open(key, location), sizeCb, successCb, failureCb);
    sub.start().catch((e) => sub.fail(e));
    return () => sub.stop();
  }

  /** Reads the size and cycle, then subscribes to the view's deltas since that cycle. */
  async #open(key: TableKey, location: TableLocationKey): Promise<Opened> {
    const { family, view } = this.#parse(key);
    this.#checkLocation(location, family, view);
    const info = await this.#info(family, view);
    const q = new URLSearchParams({ view, format: "arrow", since: String(info.cycle) });
    const res = await this.#stub(family).fetch(
      new Request(`https://table-family/subscribe?${q}`, { headers: { Upgrade: "websocket" } }),
    );
    const ws = res.webSocket;
    if (res.status !== 101 || !ws) {
      let body: { error?: string; detail?: string } = {};
      try {
        body = await res.json();
      } catch {
        // no JSON body
      }
      throw new BackendError(
        body.error ?? "subscribe_failed",
        res.status >= 400 ? res.status : 502,
        body.detail ?? `subscribing to ${family}/${view} answered ${res.status}`,
      );
    }
    return { info, ws, name: `${family}/${view}` };
  }
}

interface Opened {
  info: HistoryInfo;
  ws: WebSocket;
  name: string;
}

/** One size subscription: the size now, then growth from the family's deltas. */
class SizeFeed {
  readonly #open: () => Promise<Opened>;
  readonly #sizeCb: SizeCallback;
  readonly #successCb: () => void;
  readonly #failureCb: FailureCallback;
  #active = true;
  #ready = false;
  #size = -1;
  #ws: WebSocket | null = null;
  #closes = 0;

  constructor(
    open: () => Promise<Opened>,
    sizeCb: SizeCallback,
    successCb: () => void,
    failureCb: FailureCallback,
  ) {
    this.#open = open;
    this.#sizeCb = sizeCb;
    this.#successCb = successCb;
    this.#failureCb = failureCb;
  }

  async start(): Promise<void> {
    const { info, ws, name } = await this.#open();
    if (!this.#active) {
      ws.accept();
      ws.close(1000, "unsubscribed");
      return;
    }
    this.#ws = ws;
    ws.addEventListener("message", (e) => this.#onFrame(e.data));
    ws.addEventListener("close", (e) => this.#onClose(ws, name, e.code, e.reason));
    ws.accept();
    this.#deliver(info.size);
    if (!this.#ready && this.#active) {
      this.#ready = true;
      this.#successCb();
    }
    if (info.failed) this.fail(new BackendError("table_failed", 409, `${name} has failed`));
  }

  #deliver(size: number): void {
    if (this.#active && size > this.#size) {
      this.#size = size;
      this.#sizeCb(size);
    }
  }

  #onFrame(data: unknown): void {
    if (typeof data !== "string" || data === "pong") return;
    let m: { type?: string; added?: unknown[]; total?: number; error?: string; detail?: string };
    try {
      m = JSON.parse(data);
    } catch {
      return;
    }
    if (m.type === "delta" && Array.isArray(m.added) && m.added.length > 0) {
      this.#closes = 0;
      this.#deliver(Math.max(this.#size, 0) + m.added.length);
    } else if (m.type === "snapshot" && typeof m.total === "number") {
      this.#deliver(m.total); // a resume that found the deltas gone: the size is the total
    } else if (m.type === "failure") {
      this.fail(new BackendError(m.error ?? "table_failed", 409, m.detail ?? "the view failed"));
    }
  }

  #onClose(ws: WebSocket, name: string, code: number, reason: string): void {
    if (ws !== this.#ws || !this.#active) return;
    this.#ws = null;
    if (++this.#closes > RESUBSCRIBES) {
      this.fail(
        new BackendError(
          "subscription_lost",
          502,
          `${name}: the family's socket closed (${code} ${reason})`,
        ),
      );
      return;
    }
    this.start().catch((e) => this.fail(e));
  }

  fail(e: unknown): void {
    if (!this.#active) return;
    this.stop();
    this.#failureCb(e instanceof Error ? e : new Error(failureText(e)));
  }

  stop(): void {
    this.#active = false;
    const ws = this.#ws;
    this.#ws = null;
    try {
      ws?.close(1000, "unsubscribed");
    } catch {
      // already closed
    }
  }
}
