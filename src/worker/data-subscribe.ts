/**
 * `GET /v1/data/:table/subscribe` (WebSocket): a data table's locations and sizes as they change
 * (docs/protocol.md, "Data subscribe WebSocket"). The Worker subscribes to the table's locations,
 * and to the size of every location it hears of, and sends JSON text frames:
 *
 * ```
 * { "type": "schema", "columns": {...}, "partitionColumns": {...} }     first
 * { "type": "location", "location": "Ticker=GOOG/Exchange=NYSE", "partitionValues": {...} }
 * { "type": "ready" }                       every location that existed at subscribe time was sent
 * { "type": "size", "location": "...", "size": 6 }   first: the size subscription succeeded; then growth
 * { "type": "failure", "location"?: "...", "status", "error", "detail" }
 * ```
 *
 * A failure with `location` ends that location's sizes only; without, the subscription (the
 * socket then closes with 1011). The client may send "ping" (answered "pong"). Closing the socket
 * ends every backend subscription. The backend is made for this socket (data-registry.ts), so its
 * timers and I/O live as long as the socket does.
 */
import type { IRequest } from "itty-router";
import type { TableLocationKey, Unsubscribe } from "../engine/index.ts";
import type { DataMessage, DataSchemaBody } from "../engine/tds/data-protocol.ts";
import { invokeBackend } from "../engine/tds/invoke.ts";
import type { DataTable } from "./data.ts";
import { ask, failureToHttp, partitionJson, resolveTable, schemaBody } from "./data.ts";
import { requireUpgrade } from "./upgrade.ts";

/** GET /v1/data/:table/subscribe (WebSocket). */
export async function subscribeData(request: IRequest, env: Env): Promise<Response> {
  const t = await resolveTable(request, env, { queryToken: true });
  requireUpgrade(request);
  // The schema first: a table that does not exist is a 404 here, not a failure on the socket.
  const [schema, partitions] = await ask((ok, fail) => t.backend.tableSchema(t.key, ok, fail));
  const body = schemaBody(t.name, schema, partitions).body;
  const pair = new WebSocketPair();
  const [client, server] = [pair[0], pair[1]];
  server.accept();
  new DataSession(server, t, body).start();
  return new Response(null, { status: 101, webSocket: client });
}

/** ms between relay runs for a shared backend's frames. */
const RELAY_MS = 10;

interface SizeState {
  ready: boolean;
  /** Largest size heard before the subscription succeeded. */
  held: number;
  /** Last size sent. */
  sent: number;
}

class DataSession {
  readonly #ws: WebSocket;
  readonly #t: DataTable;
  readonly #schema: DataSchemaBody;
  readonly #unsubscribes: Unsubscribe[] = [];
  readonly #seen = new Set<string>();
  #open = true;
  readonly #outbox: string[] = [];
  readonly #shared: boolean;
  /** Failed: close once the outbox is sent. */
  #closing = false;

  constructor(ws: WebSocket, t: DataTable, schema: DataSchemaBody) {
    this.#ws = ws;
    this.#shared = t.shared;
    this.#t = t;
    this.#schema = schema;
  }

  start(): void {
    if (this.#shared) this.#relay();
    const { columns, partitionColumns } = this.#schema;
    this.#send({ type: "schema", columns, partitionColumns });
    this.#ws.addEventListener("message", (e) => {
      if (e.data === "ping") this.#sendRaw("pong");
    });
    this.#ws.addEventListener("close", () => this.#end());
    this.#ws.addEventListener("error", () => this.#end());
    const fail = (e: unknown) => this.#fail(e);
    this.#hold(
      invokeBackend(
        () =>
          this.#t.backend.subscribeToTableLocations(
            this.#t.key,
            (loc, values) => this.#onLocation(loc, values),
            () => this.#send({ type: "ready" }),
            fail,
          ),
        fail,
      ),
    );
  }

  #hold(unsubscribe: unknown): void {
    if (typeof unsubscribe !== "function") return;
    if (this.#open) this.#unsubscribes.push(unsubscribe as Unsubscribe);
    else (unsubscribe as Unsubscribe)();
  }

  #onLocation(loc: TableLocationKey, values: unknown): void {
    if (!this.#open) return;
    const location = this.#t.locationName(loc);
    if (this.#seen.has(location)) return;
    this.#seen.add(location);
    let partitionValues: ReturnType<typeof partitionJson>;
    try {
      partitionValues = partitionJson(this.#t.name, location, values);
    } catch (e) {
      this.#fail(e);
      return;
    }
    this.#send({ type: "location", location, partitionValues });
    const s: SizeState = { ready: false, held: -1, sent: -1 };
    const sendSize = (size: number) => {
      if (size > s.sent) {
        s.sent = size;
        this.#send({ type: "size", location, size });
      }
    };
    let done = false;
    const failed = (e: unknown) => {
      if (done || !this.#open) return;
      done = true;
      const h = failureToHttp(e);
      this.#send({ type: "failure", location, status: h.status, error: h.code, detail: h.message });
    };
    this.#hold(
      invokeBackend(
        () =>
          this.#t.backend.subscribeToTableLocationSize(
            this.#t.key,
            loc,
            (size) => {
              if (done) return;
              const n = Number(size);
              if (!s.ready) s.held = Math.max(s.held, n);
              else sendSize(n);
            },
            () => {
              if (done || s.ready) return;
              s.ready = true;
              sendSize(Math.max(s.held, 0));
            },
            failed,
          ),
        failed,
      ),
    );
  }

  #fail(e: unknown): void {
    if (!this.#open || this.#closing) return;
    const h = failureToHttp(e);
    this.#send({ type: "failure", status: h.status, error: h.code, detail: h.message });
    this.#closing = true;
    this.#flush(!this.#shared);
  }

  #end(): void {
    if (!this.#open) return;
    this.#open = false;
    for (const u of this.#unsubscribes.splice(0)) {
      try {
        u();
      } catch {
        // a backend's unsubscribe that throws has nothing left to release
      }
    }
  }

  #send(m: DataMessage): void {
    this.#sendRaw(JSON.stringify(m));
  }

  /**
   * Sends a frame, in order. A backend shared by the isolate (a mount with `shared: true`) may
   * call back from another request's context, where this socket cannot be used ("Cannot perform
   * I/O on behalf of a different request"): such frames wait in the outbox for the relay, a
   * timer in the socket's own context.
   */
  #sendRaw(text: string): void {
    if (!this.#open || this.#closing) return;
    this.#outbox.push(text);
    this.#flush(!this.#shared);
  }

  /**
   * Sends what is queued, then closes if the session failed. When sending fails, `final` ends
   * the session; otherwise the frames wait for the relay.
   */
  #flush(final: boolean): void {
    while (this.#open && this.#outbox.length > 0) {
      try {
        this.#ws.send(this.#outbox[0]!);
      } catch {
        if (final) this.#end();
        return;
      }
      this.#outbox.shift();
    }
    if (this.#open && this.#closing) {
      try {
        this.#ws.close(1011, "the subscription failed");
      } catch {
        if (!final) return;
      }
      this.#end();
    }
  }

  #relay(): void {
    if (!this.#open) return;
    this.#flush(true);
    setTimeout(() => this.#relay(), RELAY_MS);
  }
}
