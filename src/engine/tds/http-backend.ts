/**
 * HttpBackend: a Table Data Service backend that reads the `/v1/data` endpoints of a tickflare
 * deployment (docs/protocol.md), so one deployment (or any program) builds engine tables from
 * another's backends and table-family histories. It uses only `fetch` and `WebSocket`.
 *
 * Schema, locations, sizes and column values are one GET each (column values as Arrow IPC).
 * Refreshing tables share one WebSocket per remote table (see http-subscription.ts), which is
 * reopened if it drops.
 *
 * Table keys are `StringTableKey`s naming the remote table (`trades/history`, `r2/sample`), or
 * any key with `tableName` mapping it; the location keys it delivers are
 * `StringTableLocationKey`s named as the server names them.
 *
 * @example
 * const remote = new HttpBackend("https://other.example.com", { token });
 * const svc = new TableDataService(remote, { graph });
 * const history = await svc.makeTable(new StringTableKey("trades/history"), { refreshing: true });
 */
import type { Table as ArrowTable } from "apache-arrow";
import { decodeIPC } from "../arrow.ts";
import type { LocationResult, SchemaResult } from "./async-backend.ts";
import { AsyncBackend, keyName } from "./async-backend.ts";
import type { FailureCallback, LocationCallback, SizeCallback, Unsubscribe } from "./backend.ts";
import { BackendError } from "./backend-error.ts";
import type { DataLocationsBody, DataSizeBody } from "./data-protocol.ts";
import { dataPath, partitionValuesFromJson, schemaFromArrow } from "./data-protocol.ts";
import { failureText } from "./errors.ts";
import type { WebSocketLike } from "./http-subscription.ts";
import { DataSubscription } from "./http-subscription.ts";
import type { TableKey, TableLocationKey } from "./table-key.ts";
import { StringTableLocationKey } from "./table-key.ts";
import type { TimerLike } from "./timer.ts";
import { globalTimer } from "./timer.ts";

export type { WebSocketEventLike, WebSocketLike } from "./http-subscription.ts";

/** What HttpBackend reads of a response (`Response` fits; Workers' carries `webSocket`). */
export interface ResponseLike {
  readonly ok: boolean;
  readonly status: number;
  json(): Promise<unknown>;
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
  readonly webSocket?: WebSocketLike | null;
}

/** A `fetch` (the global one, a service binding's, or a Worker's `exports.default.fetch`). */
export type FetchLike = (
  url: string,
  init: { method?: string; headers: Record<string, string> },
) => Promise<ResponseLike>;

/** A WebSocket constructor (the global one). */
export type WebSocketConstructorLike = new (url: string) => WebSocketLike;

export interface HttpBackendOptions {
  /** A token with the `read` scope, sent as `Authorization: Bearer` (or `?token=` on sockets). */
  token?: string;
  /** The fetch to use (default: the global fetch). */
  fetch?: FetchLike;
  /**
   * How subscription sockets open. With a WebSocket constructor, `new WebSocket(url)` (the token
   * goes in `?token=`). Without one, when `fetch` is given or there is no global WebSocket, a
   * `fetch` with `Upgrade: websocket` whose response carries `webSocket` (Cloudflare Workers);
   * otherwise the global WebSocket.
   */
  WebSocket?: WebSocketConstructorLike;
  /** The remote table name of a key (default: the key's `name`, as StringTableKey has). */
  tableName?: (key: TableKey) => string;
  /** ms between pings on subscription sockets (default 30000; 0: none). */
  pingMs?: number;
  /** ms before reconnecting a dropped socket, doubling per attempt (default 1000). */
  retryMs?: number;
  /** Reconnect attempts in a row before subscriptions fail (default 5). */
  retries?: number;
  timer?: TimerLike;
}

const defaultTableName = (key: TableKey): string =>
  keyName(key, (k) => `HttpBackend needs StringTableKey keys (or the tableName option); got ${k}`);

function locationName(key: TableLocationKey): string {
  return keyName(
    key,
    (k) => `HttpBackend needs the StringTableLocationKey keys it delivered; got ${k}`,
    true,
  );
}

export class HttpBackend extends AsyncBackend {
  readonly #base: string;
  readonly #token: string | undefined;
  readonly #fetch: FetchLike;
  readonly #socket: (table: string) => Promise<WebSocketLike>;
  readonly #tableName: (key: TableKey) => string;
  readonly #timer: TimerLike;
  readonly #pingMs: number;
  readonly #retryMs: number;
  readonly #retries: number;
  readonly #subscriptions = new Map<string, DataSubscription>();

  constructor(baseUrl: string, options: HttpBackendOptions = {}) {
    super();
    this.#base = baseUrl.replace(/\/+$/, "");
    this.#token = options.token;
    const g = globalThis as { fetch?: FetchLike; WebSocket?: WebSocketConstructorLike };
    const fetchFn = options.fetch ?? (g.fetch ? (url, init) => g.fetch!(url, init) : undefined);
    if (!fetchFn) throw new BackendError("bad_argument", 400, "HttpBackend needs a fetch");
    this.#fetch = fetchFn;
    const Ctor = options.WebSocket ?? (options.fetch ? undefined : g.WebSocket);
    this.#socket = Ctor ? (t) => this.#construct(Ctor, t) : (t) => this.#upgrade(t);
    this.#tableName = options.tableName ?? defaultTableName;
    this.#timer = options.timer ?? globalTimer;
    this.#pingMs = options.pingMs ?? 30_000;
    this.#retryMs = options.retryMs ?? 1000;
    this.#retries = options.retries ?? 5;
  }

  /** Remote tables with an open subscription socket. */
  get openSockets(): number {
    return this.#subscriptions.size;
  }

  // ---- one-shot calls ------------------------------------------------------------------------

  protected async schemaOf(key: TableKey): Promise<SchemaResult> {
    const table = this.#tableName(key);
    const bytes = (await this.#get(
      `${dataPath(table, "schema")}?format=arrow`,
      "arrow",
    )) as Uint8Array;
    try {
      const parsed = schemaFromArrow(decodeIPC(bytes).schema);
      return { schema: parsed.schema, partitionSchema: parsed.partitions };
    } catch (e) {
      throw this.#badResponse(`the schema of ${table}`, e);
    }
  }

  protected async locationsOf(key: TableKey): Promise<LocationResult[]> {
    const table = this.#tableName(key);
    const body = (await this.#get(dataPath(table, "locations"), "json")) as DataLocationsBody;
    try {
      return body.locations.map((l) => [
        new StringTableLocationKey(l.location),
        partitionValuesFromJson(body.partitionColumns, l.partitionValues),
      ]);
    } catch (e) {
      throw this.#badResponse(`the locations of ${table}`, e);
    }
  }

  protected async sizeOf(key: TableKey, location: TableLocationKey): Promise<number> {
    const path = dataPath(this.#tableName(key), "locations", locationName(location), "size");
    return ((await this.#get(path, "json")) as DataSizeBody).size;
  }

  protected async valuesOf(
    key: TableKey,
    location: TableLocationKey,
    column: string,
    offset: number,
    minRows: number,
    maxRows: number,
  ): Promise<ArrowTable> {
    const path = dataPath(
      this.#tableName(key),
      "locations",
      locationName(location),
      "columns",
      column,
    );
    const q = new URLSearchParams({
      offset: String(offset),
      minRows: String(minRows),
      maxRows: String(maxRows),
    });
    const bytes = (await this.#get(`${path}?${q}`, "arrow")) as Uint8Array;
    try {
      return decodeIPC(bytes);
    } catch (e) {
      throw this.#badResponse(`column ${column}`, e);
    }
  }

  // ---- subscriptions -------------------------------------------------------------------------

  subscribeToTableLocations(
    key: TableKey,
    locationCb: LocationCallback,
    successCb: () => void,
    failureCb: FailureCallback,
  ): Unsubscribe {
    return this.subscribeParsed(
      () => this.#tableName(key),
      failureCb,
      (table) => this.#subscription(table).addLocationSub(locationCb, successCb, failureCb),
    );
  }

  subscribeToTableLocationSize(
    key: TableKey,
    location: TableLocationKey,
    sizeCb: SizeCallback,
    successCb: () => void,
    failureCb: FailureCallback,
  ): Unsubscribe {
    return this.subscribeParsed(
      () => [this.#tableName(key), locationName(location)] as const,
      failureCb,
      ([table, loc]) => this.#subscription(table).addSizeSub(loc, sizeCb, successCb, failureCb),
    );
  }

  #subscription(table: string): DataSubscription {
    let s = this.#subscriptions.get(table);
    if (!s) {
      const sub: DataSubscription = new DataSubscription(
        table,
        () => this.#socket(table),
        {
          timer: this.#timer,
          pingMs: this.#pingMs,
          retryMs: this.#retryMs,
          retries: this.#retries,
        },
        () => {
          if (this.#subscriptions.get(table) === sub) this.#subscriptions.delete(table);
        },
      );
      s = sub;
      this.#subscriptions.set(table, s);
    }
    return s;
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  #headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.#token ? { ...extra, Authorization: `Bearer ${this.#token}` } : extra;
  }

  async #request(path: string, headers: Record<string, string>): Promise<ResponseLike> {
    const url = this.#base + path;
    try {
      return await this.#fetch(url, { method: "GET", headers });
    } catch (e) {
      throw new BackendError("remote_unreachable", 502, `GET ${url}: ${failureText(e)}`, e);
    }
  }

  async #get(path: string, kind: "json" | "arrow"): Promise<unknown> {
    const accept = kind === "json" ? "application/json" : "application/vnd.apache.arrow.stream";
    const res = await this.#request(path, this.#headers({ Accept: accept }));
    if (!res.ok) throw await this.#refusal(res, path);
    try {
      return kind === "json" ? await res.json() : new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      throw this.#badResponse(`GET ${path}`, e);
    }
  }

  /** The remote's `{ error, detail }` as a BackendError with its status and code. */
  async #refusal(res: ResponseLike, path: string): Promise<BackendError> {
    let code = "remote_error";
    let detail = "";
    try {
      const text = await res.text();
      try {
        const body = JSON.parse(text) as { error?: unknown; detail?: unknown };
        if (typeof body.error === "string") code = body.error;
        detail = typeof body.detail === "string" ? body.detail : text;
      } catch {
        detail = text;
      }
    } catch {
      // no body
    }
    const status = res.status >= 400 && res.status <= 599 ? res.status : 502;
    return new BackendError(
      code,
      status,
      `${detail || "no detail"} (${res.status} ${code} from ${this.#base}${path})`,
    );
  }

  #badResponse(what: string, e: unknown): BackendError {
    return new BackendError(
      "bad_response",
      502,
      `${this.#base} sent a bad response for ${what}: ${failureText(e)}`,
      e,
    );
  }

  async #upgrade(table: string): Promise<WebSocketLike> {
    const path = dataPath(table, "subscribe");
    const res = await this.#request(path, this.#headers({ Upgrade: "websocket" }));
    if (res.status === 101 && res.webSocket) return res.webSocket;
    if (!res.ok) throw await this.#refusal(res, path);
    throw new BackendError(
      "bad_response",
      502,
      `${this.#base}${path} answered ${res.status} without a WebSocket; pass the WebSocket option outside Workers`,
    );
  }

  async #construct(Ctor: WebSocketConstructorLike, table: string): Promise<WebSocketLike> {
    const url = new URL(this.#base + dataPath(table, "subscribe"));
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    if (this.#token) url.searchParams.set("token", this.#token);
    return new Ctor(url.toString());
  }
}
