/**
 * TickflareClient: the HTTP endpoints as methods, plus `subscribe` (a ticking local mirror) and
 * `publisher` (a WebSocket publish stream). Web-standard only (fetch, WebSocket, URL), so it runs
 * in Node 22, Deno, browsers and Workers; both can be replaced through the options (e.g. a
 * service binding's fetch, or a socket factory in tests).
 */

import { Table as ArrowTable } from "apache-arrow";
import type { Schema } from "../engine/index.ts";
import { col, fromArrowIPC, newTable, Table, toArrowIPC } from "../engine/index.ts";
import { errorFromResponse, TickflareClientError } from "./errors.ts";
import { jsonRows, PublishStream } from "./publish-stream.ts";
import type { ShapeOptions } from "./shape.ts";
import { addShapeQuery } from "./shape.ts";
import type { SocketFactory, SubscribeOptions, WebSocketLike } from "./subscription.ts";
import { Subscription } from "./subscription.ts";
import type { PublishResult, TableDescription, TableListEntry, TableSpec } from "./types.ts";

export interface ConnectOptions {
  /** Bearer token (see `npm run token`); omit when the server runs with AUTH=off. */
  token?: string;
  /** fetch to use (default: the global one). */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  /**
   * Opens a WebSocket (default: `new WebSocket(url)`). In Node, a process holding many
   * subscriptions can pass e.g. `(u) => new WS(u, { perMessageDeflate: false })` (the `ws`
   * package): the global WebSocket always offers permessage-deflate, and inflating every small
   * delta costs more CPU than it saves (docs/protocol.md, "Compression").
   */
  webSocket?: SocketFactory;
}

export interface SnapshotOptions extends ShapeOptions {
  offset?: number;
  limit?: number;
}

interface SnapshotBase {
  cycle: number;
  /** Rows in the whole view (the answer holds at most `limit` of them, from `offset`). */
  total: number;
  offset: number;
}

/** A snapshot as JSON: rows in their JSON forms, plus a static engine table of them. */
export interface JsonSnapshot extends SnapshotBase {
  format: "json";
  schema: Schema;
  keys: number[];
  rows: Record<string, unknown>[];
  table: Table;
}
/** A snapshot as Arrow IPC bytes, plus a static engine table of them. */
export interface ArrowSnapshot extends SnapshotBase {
  format: "arrow";
  /** The response body, Arrow IPC stream bytes (`table` reads some columns of them in place). */
  bytes: Uint8Array;
  /** `fromArrowIPC(bytes)`: modifying `bytes` would change it. */
  table: Table;
}
export interface CsvSnapshot extends SnapshotBase {
  format: "csv";
  text: string;
}

/** What `publish` accepts: row objects (sent as JSON), an engine or apache-arrow Table, or Arrow IPC bytes. */
export type PublishData = readonly object[] | Table | ArrowTable | Uint8Array | ArrayBuffer;

const path = (name: string) => `/v1/tables/${encodeURIComponent(name)}`;
/** Where a family's source takes rows: the one-source routes, or `/sources/:source`. */
const sourcePath = (name: string, source: string | undefined) =>
  source === undefined ? path(name) : `${path(name)}/sources/${encodeURIComponent(source)}`;

/** Options of a publish or a delete. */
export interface PublishOptions {
  /** Makes a retried batch count once (docs/protocol.md, "Idempotency"). */
  idempotencyKey?: string;
  /** The source the rows are for; without it, the source named `source`. */
  source?: string;
}

export class TickflareClient {
  readonly url: string;
  readonly #token: string | undefined;
  readonly #fetch: (input: string, init?: RequestInit) => Promise<Response>;
  readonly #socket: SocketFactory;

  constructor(url: string, options: ConnectOptions = {}) {
    this.url = url.replace(/\/+$/, "");
    this.#token = options.token;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#socket =
      options.webSocket ??
      ((u) => {
        const WS = (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
        if (!WS) throw new TickflareClientError(0, "no_websocket", "no global WebSocket here");
        return new WS(u);
      });
  }

  /** Creates a table family; `created` is false when the same spec already existed. */
  async createTable(
    name: string,
    spec: TableSpec,
  ): Promise<{ created: boolean; description: TableDescription }> {
    const res = await this.#request("PUT", path(name), {
      body: JSON.stringify(spec),
      headers: { "Content-Type": "application/json" },
    });
    return { created: res.status === 201, description: (await res.json()) as TableDescription };
  }

  /** Schema, type attributes, sizes, derived tables and cycle of a family. */
  async describe(name: string): Promise<TableDescription> {
    return (await (await this.#request("GET", path(name))).json()) as TableDescription;
  }

  /** The live table families (those the token's table pattern covers). */
  async listTables(): Promise<TableListEntry[]> {
    const body = (await (await this.#request("GET", "/v1/tables")).json()) as {
      tables: TableListEntry[];
    };
    return body.tables;
  }

  /** Shuts a family down (subscribers get a failure) and deletes it. */
  async deleteTable(name: string): Promise<void> {
    await this.#request("DELETE", path(name));
  }

  /**
   * Publishes one batch; resolves once it is durable, with the cycle it will appear in. Row
   * objects go as JSON (bigints as numbers or strings, Dates as ISO instants); tables and bytes
   * as Arrow IPC. With `idempotencyKey`, a retried batch counts once; `source` names the source
   * of a family with several (an input table's rows upsert by key).
   */
  async publish(
    name: string,
    data: PublishData,
    options: PublishOptions = {},
  ): Promise<PublishResult> {
    return this.#send(name, data, options, "rows");
  }

  /**
   * Deletes rows of an input-table source by key: `keyRows` hold the key columns only (row
   * objects, or a table or Arrow bytes of them); absent keys are no-ops. Resolves once durable.
   */
  async deleteRows(
    name: string,
    source: string,
    keyRows: PublishData,
    options: Omit<PublishOptions, "source"> = {},
  ): Promise<PublishResult> {
    return this.#send(name, keyRows, { ...options, source }, "delete");
  }

  async #send(
    name: string,
    data: PublishData,
    options: PublishOptions,
    op: "rows" | "delete",
  ): Promise<PublishResult> {
    let body: string | Uint8Array;
    let type: string;
    if (Array.isArray(data)) {
      body = jsonRows(data);
      type = "application/json";
    } else if (data instanceof Uint8Array) {
      body = data;
      type = "application/vnd.apache.arrow.stream";
    } else if (data instanceof ArrayBuffer) {
      body = new Uint8Array(data);
      type = "application/vnd.apache.arrow.stream";
    } else if (Table.isTable(data) || ArrowTable.isTable(data)) {
      body = toArrowIPC(data as Table);
      type = "application/vnd.apache.arrow.stream";
    } else {
      throw new TickflareClientError(
        0,
        "bad_request",
        "publish takes an array of row objects, a Table, an apache-arrow Table or Arrow IPC bytes",
      );
    }
    const headers: Record<string, string> = { "Content-Type": type };
    if (options.idempotencyKey !== undefined) headers["Idempotency-Key"] = options.idempotencyKey;
    const res = await this.#request("POST", `${sourcePath(name, options.source)}/${op}`, {
      body,
      headers,
    });
    const r = (await res.json()) as PublishResult;
    return { accepted: r.accepted, cycle: r.cycle, duplicate: r.duplicate ?? false };
  }

  /** The current contents of a view (JSON by default; `arrow` and `csv` too). */
  snapshot(
    name: string,
    view: string,
    options?: SnapshotOptions & { format?: "json" },
  ): Promise<JsonSnapshot>;
  snapshot(
    name: string,
    view: string,
    options: SnapshotOptions & { format: "arrow" },
  ): Promise<ArrowSnapshot>;
  snapshot(
    name: string,
    view: string,
    options: SnapshotOptions & { format: "csv" },
  ): Promise<CsvSnapshot>;
  async snapshot(
    name: string,
    view: string,
    options: SnapshotOptions & { format?: "json" | "arrow" | "csv" } = {},
  ): Promise<JsonSnapshot | ArrowSnapshot | CsvSnapshot> {
    const format = options.format ?? "json";
    const q = new URLSearchParams({ format });
    if (options.offset !== undefined) q.set("offset", String(options.offset));
    if (options.limit !== undefined) q.set("limit", String(options.limit));
    addShapeQuery(q, options);
    const res = await this.#request("GET", `${path(name)}/views/${encodeURIComponent(view)}?${q}`);
    const base = {
      cycle: Number(res.headers.get("X-Tickflare-Cycle")),
      total: Number(res.headers.get("X-Tickflare-Total")),
      offset: Number(res.headers.get("X-Tickflare-Offset")),
    };
    if (format === "arrow") {
      const bytes = new Uint8Array(await res.arrayBuffer());
      return { format, ...base, bytes, table: fromArrowIPC(bytes) };
    }
    if (format === "csv") return { format, ...base, text: await res.text() };
    const body = (await res.json()) as Omit<JsonSnapshot, "format" | "table">;
    const table = newTable(
      Object.entries(body.schema).map(([n, t]) =>
        col(
          n,
          t,
          body.rows.map((r) => r[n] ?? null),
        ),
      ),
    );
    return { format: "json", ...body, table };
  }

  /**
   * Subscribes to a view: resolves with a Subscription once its first snapshot is applied. Its
   * `table` is a local engine table that ticks with the server (derive further tables from it);
   * it reconnects and resumes by itself until `close()`.
   */
  async subscribe(
    name: string,
    view: string,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    const viewPath = `${path(name)}/views/${encodeURIComponent(view)}`;
    const sub = new Subscription(
      name,
      view,
      {
        socketUrl: (q) => this.#socketUrl(`${viewPath}/subscribe`, q),
        openSocket: this.#socket,
        probe: async (shape) => {
          const q = new URLSearchParams({ format: "json", limit: "0" });
          for (const [k, v] of shape) q.append(k, v);
          await this.#request("GET", `${viewPath}?${q}`);
        },
      },
      options,
    );
    sub.start();
    await sub.ready;
    return sub;
  }

  /**
   * Opens a WebSocket publish stream to a family (for many batches in flight); `source` names
   * the source of a family with several.
   */
  async publisher(name: string, options: { source?: string } = {}): Promise<PublishStream> {
    let ws: WebSocketLike;
    try {
      const url = this.#socketUrl(
        `${sourcePath(name, options.source)}/publish`,
        new URLSearchParams(),
      );
      ws = await this.#socket(url);
      await opened(ws);
    } catch (e) {
      // The handshake hides the HTTP status: ask with an empty batch, which changes nothing.
      await this.publish(name, [], options);
      throw TickflareClientError.isClientError(e)
        ? e
        : new TickflareClientError(0, "network", String(e));
    }
    return new PublishStream(ws);
  }

  #socketUrl(p: string, q: URLSearchParams): string {
    if (this.#token !== undefined) q.set("token", this.#token);
    const s = q.toString();
    return `${this.url.replace(/^http/, "ws")}${p}${s ? `?${s}` : ""}`;
  }

  async #request(
    method: string,
    p: string,
    init: { body?: string | Uint8Array; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.#token !== undefined) headers.Authorization = `Bearer ${this.#token}`;
    let res: Response;
    try {
      res = await this.#fetch(`${this.url}${p}`, {
        method,
        headers,
        ...(init.body === undefined ? {} : { body: init.body as BodyInit }),
      });
    } catch (e) {
      throw new TickflareClientError(0, "network", e instanceof Error ? e.message : String(e));
    }
    if (!res.ok) throw await errorFromResponse(res);
    return res;
  }
}

/** Resolves when the socket is open; rejects if it closes first. */
function opened(ws: WebSocketLike): Promise<void> {
  if (ws.readyState === 1) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onOpen = () => {
      cleanup();
      resolve();
    };
    const onClose = () => {
      cleanup();
      reject(new TickflareClientError(0, "network", "the WebSocket closed before opening"));
    };
    const cleanup = () => {
      ws.removeEventListener("open", onOpen);
      ws.removeEventListener("close", onClose);
      ws.removeEventListener("error", onClose);
    };
    ws.addEventListener("open", onOpen);
    ws.addEventListener("close", onClose);
    ws.addEventListener("error", onClose);
  });
}

/** A client for the tickflare server at `url` (e.g. `https://tickflare.example.workers.dev`). */
export function connect(url: string, options: ConnectOptions = {}): TickflareClient {
  return new TickflareClient(url, options);
}
