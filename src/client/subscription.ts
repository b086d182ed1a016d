/**
 * Subscription: a local mirror of a server view, ticking with the server's deltas. It owns a
 * WebSocket to `/v1/tables/:name/views/:view/subscribe`, runs one local cycle of its UpdateGraph
 * per snapshot or delta received (so tables derived from `table` tick too), and reconnects by
 * itself with exponential backoff, resuming with `since=<last cycle applied>`: the server answers
 * `resume` and the missed deltas, or a fresh snapshot, which replaces the mirror's contents.
 *
 * A connection that fails before any message is checked with an HTTP probe of the view: a 4xx
 * (unknown table or view, bad token, a bad `where` formula or column) ends the subscription with
 * that error; anything else (server down, restarting) is retried. So is a subscription the
 * family refused for its bound on ad-hoc views (409 `transient_limit`, which the handshake hides
 * from WebSocket clients): it connects once a slot frees.
 */
import type { KeyedRows, Mirror, Schema, Table, TableUpdate, Viewport } from "../engine/index.ts";
import { mirrorTable, RowSet, UpdateGraph } from "../engine/index.ts";
import { vecFromValues } from "../engine/new-table.ts";
import { TickflareClientError } from "./errors.ts";
import type { DeltaEvent, ReaderEvent, SnapshotEvent } from "./frames.ts";
import { FrameReader, ProtocolError } from "./frames.ts";
import type { ShapeOptions } from "./shape.ts";
import { addShapeQuery } from "./shape.ts";

export type SubscriptionState = "connecting" | "open" | "reconnecting" | "closed";

/** A WebSocket as the client uses it: the browser / Node / Deno / workerd WebSocket fits. */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType?: string;
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  // biome-ignore lint/suspicious/noExplicitAny: each runtime types its events differently
  addEventListener(type: string, listener: (event: any) => void): void;
  // biome-ignore lint/suspicious/noExplicitAny: each runtime types its events differently
  removeEventListener(type: string, listener: (event: any) => void): void;
}

export type SocketFactory = (url: string) => WebSocketLike | Promise<WebSocketLike>;

export interface SubscribeOptions extends ShapeOptions {
  /**
   * Only the rows at these positions of the view's order (both ends included): `table` holds
   * them, `size` is the whole view's; move it with `setViewport`.
   */
  viewport?: { first: number; last: number };
  /** Wire format: `arrow` (default; binary frames) or `json`. */
  format?: "arrow" | "json";
  /** Graph the mirror joins; by default the subscription owns one. */
  graph?: UpdateGraph;
  /** Run a cycle of the graph per message received (default true). */
  autoCycle?: boolean;
  /** Reconnect backoff: first delay and cap, in ms (defaults 100 and 5000). */
  minReconnectMs?: number;
  maxReconnectMs?: number;
  /** Ping period; a connection silent for two periods is dropped and reconnected (default 30000). */
  heartbeatMs?: number;
  /** How long `subscribe` waits for the first snapshot before rejecting (default 60000). */
  timeoutMs?: number;
  onUpdate?: (event: UpdateEvent) => void;
  onStateChange?: (state: SubscriptionState) => void;
  onError?: (error: TickflareClientError) => void;
}

/** Emitted after each local cycle that applied a server message. */
export interface UpdateEvent {
  kind: "snapshot" | "delta";
  /** The server cycle now applied. */
  cycle: number;
  /** The mirror's update in this local cycle (null when nothing changed). */
  update: TableUpdate | null;
  /** When the message's last frame arrived (epoch ms, sub-millisecond where the clock allows). */
  receivedAt: number;
  /**
   * True when the message answered `setViewport`: the rows held moved to the new positions and
   * the view itself did not change (a change is sent before, in its own event).
   */
  moved: boolean;
}

/** Counters, for diagnostics and tests. */
export interface SubscriptionStats {
  connections: number;
  snapshots: number;
  resumes: number;
  deltas: number;
  /** Deltas dropped because their cycle was already applied. */
  duplicates: number;
}

/** What the subscription needs from its client. */
export interface SubscriptionTransport {
  /** ws(s):// URL of the subscribe endpoint with the given query (token added by the client). */
  socketUrl(query: URLSearchParams): string;
  openSocket: SocketFactory;
  /**
   * HTTP probe of the view (a snapshot of no rows, with the subscription's `sort`, `where` and
   * `columns` in `query`): resolves when reachable, rejects with a TickflareClientError.
   */
  probe(query: URLSearchParams): Promise<void>;
}

const OPEN = 1;

export class Subscription {
  readonly name: string;
  readonly view: string;
  readonly format: "arrow" | "json";
  readonly graph: UpdateGraph;
  readonly stats: SubscriptionStats = {
    connections: 0,
    snapshots: 0,
    resumes: 0,
    deltas: 0,
    duplicates: 0,
  };
  readonly #transport: SubscriptionTransport;
  readonly #opts: SubscribeOptions;
  #state: SubscriptionState = "connecting";
  #mirror: Mirror | null = null;
  #schema: Schema | null = null;
  #cycle = -1;
  #lastUpdate: TableUpdate | null = null;
  #failure: { cycle: number; error: string; detail: string } | null = null;
  /** The viewport asked for (kept across reconnects), and its columns. */
  #viewport: Viewport | null;
  #columns: readonly string[] | undefined;
  /** The whole view's size, as the server last said (viewports), else -1. */
  #size = -1;
  /** `setViewport` calls waiting for the server to answer. */
  #pendingViewports: { vp: Viewport; resolve: () => void; reject: (e: Error) => void }[] = [];
  #socket: WebSocketLike | null = null;
  #generation = 0;
  #attempt = 0;
  #chain: Promise<void> = Promise.resolve();
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #heartbeat: ReturnType<typeof setInterval> | null = null;
  #lastHeard = 0;
  readonly #listeners = {
    update: new Set<(e: UpdateEvent) => void>(),
    state: new Set<(s: SubscriptionState) => void>(),
    error: new Set<(e: TickflareClientError) => void>(),
  };
  readonly #ready: Promise<void>;
  #settleReady!: (err?: TickflareClientError) => void;

  constructor(
    name: string,
    view: string,
    transport: SubscriptionTransport,
    options: SubscribeOptions = {},
  ) {
    this.name = name;
    this.view = view;
    this.format = options.format ?? "arrow";
    this.graph = options.graph ?? new UpdateGraph();
    this.#transport = transport;
    this.#opts = options;
    this.#viewport = options.viewport ? { ...options.viewport } : null;
    this.#columns = options.columns;
    if (options.onUpdate) this.#listeners.update.add(options.onUpdate);
    if (options.onStateChange) this.#listeners.state.add(options.onStateChange);
    if (options.onError) this.#listeners.error.add(options.onError);
    this.#ready = new Promise<void>((resolve, reject) => {
      this.#settleReady = (err) => (err ? reject(err) : resolve());
    });
    // Nobody may await `ready` (e.g. after close()); never report it as unhandled.
    this.#ready.catch(() => {});
  }

  /** The mirror table (available once the first snapshot is applied; `subscribe` awaits that). */
  get table(): Table {
    if (!this.#mirror) throw new TickflareClientError(0, "not_ready", "no snapshot received yet");
    return this.#mirror.table;
  }
  /**
   * The whole view's size (after `where`): with a viewport, the server's count (the table holds
   * only the viewport's rows); without one, the table's size.
   */
  get size(): number {
    if (this.#viewport && this.#size >= 0) return this.#size;
    return this.#mirror ? this.#mirror.table.size : 0;
  }

  /** The viewport asked for last, or null. */
  get viewport(): Viewport | null {
    return this.#viewport ? { ...this.#viewport } : null;
  }

  /**
   * Sets or moves the viewport on the open socket (no reconnect): the server sends only the rows
   * newly visible, or a snapshot when `columns` change (then `table` is a new table). Resolves
   * once the server's answer is applied; rejects if it refuses (e.g. `bad_viewport`).
   */
  setViewport(first: number, last: number, columns?: readonly string[]): Promise<void> {
    const vp = { first, last };
    this.#viewport = vp;
    if (columns) this.#columns = columns;
    const done = new Promise<void>((resolve, reject) =>
      this.#pendingViewports.push({ vp, resolve, reject }),
    );
    const s = this.#socket;
    if (s && s.readyState === OPEN && this.#mirror) {
      const msg: Record<string, unknown> = { type: "viewport", first, last };
      if (columns) msg.columns = columns;
      s.send(JSON.stringify(msg));
    }
    // Otherwise the next connection asks for it in its query.
    return done;
  }

  /** The last server cycle applied (-1 before the first snapshot). */
  get cycle(): number {
    return this.#cycle;
  }
  get state(): SubscriptionState {
    return this.#state;
  }
  /** Set when the server reported that the view failed (e.g. the table family was deleted). */
  get failure(): { cycle: number; error: string; detail: string } | null {
    return this.#failure;
  }
  /** Resolves when the first snapshot is applied; rejects if the subscription cannot start. */
  get ready(): Promise<void> {
    return this.#ready;
  }

  /** Calls `fn` after every applied message; returns a function that stops it. */
  onUpdate(fn: (e: UpdateEvent) => void): () => void {
    this.#listeners.update.add(fn);
    return () => this.#listeners.update.delete(fn);
  }
  onStateChange(fn: (s: SubscriptionState) => void): () => void {
    this.#listeners.state.add(fn);
    return () => this.#listeners.state.delete(fn);
  }
  onError(fn: (e: TickflareClientError) => void): () => void {
    this.#listeners.error.add(fn);
    return () => this.#listeners.error.delete(fn);
  }

  /** Resolves once server cycle `cycle` (or a later one) is applied. */
  waitForCycle(cycle: number, timeoutMs = 30_000): Promise<void> {
    if (this.#cycle >= cycle) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const stop = this.onUpdate((e) => {
        if (e.cycle >= cycle) done();
      });
      const stopState = this.onStateChange((s) => {
        if (s === "closed") done(new TickflareClientError(0, "closed", "the subscription closed"));
      });
      const timer = setTimeout(
        () =>
          done(
            new TickflareClientError(0, "timeout", `cycle ${cycle} not reached in ${timeoutMs} ms`),
          ),
        timeoutMs,
      );
      const done = (err?: Error) => {
        clearTimeout(timer);
        stop();
        stopState();
        if (err) reject(err);
        else resolve();
      };
    });
  }

  /** Closes the socket for good. */
  close(): void {
    if (this.#state === "closed") return;
    this.#stopTimers();
    this.#generation++;
    const s = this.#socket;
    this.#socket = null;
    try {
      s?.close(1000, "closed by client");
    } catch {
      // already closed
    }
    this.#setState("closed");
    const err = new TickflareClientError(0, "closed", "the subscription was closed");
    this.#settleReady(err);
    for (const p of this.#pendingViewports.splice(0)) p.reject(err);
  }

  /** Starts connecting (called by the client). */
  start(): void {
    const timeout = this.#opts.timeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      if (this.#mirror) return;
      this.#fatal(
        new TickflareClientError(0, "timeout", `no snapshot within ${timeout} ms of subscribing`),
      );
    }, timeout);
    this.#ready.then(
      () => clearTimeout(timer),
      () => clearTimeout(timer),
    );
    void this.#connect();
  }

  async #connect(): Promise<void> {
    if (this.#state === "closed") return;
    // Apply everything the previous socket delivered before choosing `since`.
    await this.#chain;
    const generation = ++this.#generation;
    const q = new URLSearchParams({ format: this.format });
    if (this.#mirror && this.#cycle >= 0) q.set("since", String(this.#cycle));
    addShapeQuery(q, { ...this.#opts, columns: this.#columns });
    if (this.#viewport) {
      q.set("first", String(this.#viewport.first));
      q.set("last", String(this.#viewport.last));
    }
    let socket: WebSocketLike;
    try {
      socket = await this.#transport.openSocket(this.#transport.socketUrl(q));
    } catch {
      if (generation === this.#generation) await this.#lost(generation, false);
      return;
    }
    if (generation !== this.#generation) {
      socket.close(1000, "superseded");
      return;
    }
    this.#socket = socket;
    this.stats.connections++;
    if ("binaryType" in socket) socket.binaryType = "arraybuffer";
    const reader = new FrameReader(this.#schema);
    let heard = false;
    const onMessage = (ev: { data: unknown }) => {
      if (generation !== this.#generation) return;
      heard = true;
      this.#lastHeard = Date.now();
      const at = epochMs();
      const data = ev.data;
      this.#chain = this.#chain.then(async () => {
        if (generation !== this.#generation) return;
        try {
          const frame = await asFrame(data);
          const event = reader.read(frame);
          if (event) this.#apply(event, at);
        } catch (e) {
          this.#protocolError(e, generation);
        }
      });
    };
    let ended = false;
    const onClose = () => {
      if (ended) return;
      ended = true;
      socket.removeEventListener("message", onMessage);
      socket.removeEventListener("close", onClose);
      socket.removeEventListener("error", onError);
      if (generation === this.#generation) void this.#lost(generation, heard);
    };
    const onError = () => {
      // A close event follows; some runtimes skip it when the handshake fails.
      setTimeout(() => {
        if (socket.readyState !== OPEN) onClose();
      }, 1000);
    };
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", onClose);
    socket.addEventListener("error", onError);
    this.#startHeartbeat(socket, generation);
  }

  /** The socket closed or could not open: retry with backoff, or give up on a 4xx. */
  async #lost(generation: number, heard: boolean): Promise<void> {
    if (this.#stale(generation)) return;
    this.#stopTimers();
    this.#socket = null;
    this.#setState(this.#mirror ? "reconnecting" : "connecting");
    if (!heard) {
      try {
        const q = new URLSearchParams();
        addShapeQuery(q, { ...this.#opts, columns: this.#columns });
        await this.#transport.probe(q);
      } catch (e) {
        if (TickflareClientError.isClientError(e) && e.status >= 400 && e.status < 500) {
          this.#fatal(e);
          return;
        }
      }
    } else {
      this.#attempt = 0;
    }
    if (this.#stale(generation)) return;
    const min = this.#opts.minReconnectMs ?? 100;
    const max = this.#opts.maxReconnectMs ?? 5000;
    const delay = Math.min(max, min * 2 ** this.#attempt) * (0.5 + Math.random() / 2);
    this.#attempt = Math.min(this.#attempt + 1, 30);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      void this.#connect();
    }, delay);
  }

  /** True when the subscription closed or a newer connection superseded `generation`. */
  #stale(generation: number): boolean {
    return this.#state === "closed" || generation !== this.#generation;
  }

  #apply(event: ReaderEvent, at: number): void {
    switch (event.type) {
      case "snapshot":
        this.#applySnapshot(event, at);
        break;
      case "delta":
        this.#applyDelta(event, at);
        break;
      case "resume":
        if (event.since !== this.#cycle) {
          throw new ProtocolError(
            `resumed from ${event.since}, but cycle ${this.#cycle} is applied`,
          );
        }
        this.stats.resumes++;
        this.#opened();
        break;
      case "failure": {
        this.#failure = { cycle: event.cycle, error: event.error, detail: event.detail };
        const err = new TickflareClientError(0, event.error, event.detail);
        // The mirror (and every table derived from it) fails too, as the server's view did.
        if (this.#mirror && !this.#mirror.table.isFailed) {
          this.#mirror.fail(err);
          if (this.#opts.autoCycle !== false) this.graph.runCycleSync();
        }
        this.#emitError(err);
        break;
      }
      case "error": {
        const err = new TickflareClientError(0, event.error, event.detail);
        // A refused viewport message: the last one asked for is refused.
        const p = this.#pendingViewports.pop();
        if (p) p.reject(err);
        this.#emitError(err);
        break;
      }
      case "pong":
        break;
    }
  }

  #applySnapshot(e: SnapshotEvent, at: number): void {
    if (!this.#mirror) {
      this.#schema = e.schema;
      this.#mirror = mirrorTable(this.graph, e.schema, e.attributes);
      this.#mirror.table.listen((u) => {
        this.#lastUpdate = u;
      });
    } else if (!sameSchema(this.#schema!, e.schema) && this.#columns) {
      // New columns for the viewport: a new mirror table of them.
      this.#schema = e.schema;
      this.#mirror = mirrorTable(this.graph, e.schema, e.attributes);
      this.#mirror.table.listen((u) => {
        this.#lastUpdate = u;
      });
    } else if (!sameSchema(this.#schema!, e.schema)) {
      this.#fatal(
        new TickflareClientError(
          0,
          "schema_changed",
          `the view's schema changed from ${JSON.stringify(this.#schema)} to ${JSON.stringify(e.schema)}; subscribe again`,
        ),
      );
      return;
    }
    const [first, ...rest] = e.parts;
    this.#mirror.reset(first!);
    for (const part of rest) this.#mirror.delta(RowSet.EMPTY, part, emptyRows(e.schema));
    this.stats.snapshots++;
    this.#shown(e.size, e.viewport);
    this.#cycleDone("snapshot", e.cycle, at, false);
    this.#opened();
  }

  #applyDelta(e: DeltaEvent, at: number): void {
    if (!this.#mirror) throw new ProtocolError("a delta arrived before any snapshot");
    // A viewport's answer to a move comes at the cycle already applied; it is never a repeat.
    if (e.cycle <= this.#cycle && !(e.viewport && e.cycle === this.#cycle)) {
      this.stats.duplicates++;
      return;
    }
    const n = Math.max(e.added.length, e.modified.length, 1);
    const none = emptyRows(this.#schema!);
    for (let i = 0; i < n; i++) {
      this.#mirror.delta(
        i === 0 ? e.removed : RowSet.EMPTY,
        e.added[i] ?? none,
        e.modified[i] ?? none,
        e.modifiedColumns,
      );
    }
    this.stats.deltas++;
    const moved = this.#shown(e.size, e.viewport);
    this.#cycleDone("delta", e.cycle, at, moved);
  }

  /**
   * Records the server's view size and settles `setViewport` calls its viewport answers; true
   * when it answered one.
   */
  #shown(size: number | undefined, vp: Viewport | undefined): boolean {
    if (size !== undefined) this.#size = size;
    if (!vp) return false;
    const i = this.#pendingViewports.findIndex(
      (p) => p.vp.first === vp.first && p.vp.last === vp.last,
    );
    if (i < 0) return false;
    // Earlier requests were overtaken by this one.
    for (const p of this.#pendingViewports.splice(0, i + 1)) p.resolve();
    return true;
  }

  #cycleDone(kind: "snapshot" | "delta", cycle: number, receivedAt: number, moved: boolean): void {
    this.#lastUpdate = null;
    if (this.#opts.autoCycle !== false) this.graph.runCycleSync();
    this.#cycle = cycle;
    const event: UpdateEvent = { kind, cycle, update: this.#lastUpdate, receivedAt, moved };
    for (const fn of this.#listeners.update) {
      try {
        fn(event);
      } catch (err) {
        console.error("tickflare client: an onUpdate listener threw", err);
      }
    }
  }

  #opened(): void {
    this.#attempt = 0;
    this.#setState("open");
    this.#settleReady();
  }

  #protocolError(e: unknown, generation: number): void {
    if (e instanceof ProtocolError || (e instanceof Error && "code" in e)) {
      // Drop the connection and start again from a fresh snapshot.
      this.#emitError(new TickflareClientError(0, "protocol", (e as Error).message));
      this.#cycle = -1;
      const s = this.#socket;
      if (generation === this.#generation) {
        this.#generation++;
        try {
          s?.close(4000, "protocol error");
        } catch {
          // already closed
        }
        void this.#lost(this.#generation, true);
      }
      return;
    }
    this.#fatal(
      new TickflareClientError(0, "client_error", e instanceof Error ? e.message : String(e)),
    );
  }

  #fatal(err: TickflareClientError): void {
    if (this.#state === "closed") return;
    this.#emitError(err);
    this.#settleReady(err);
    this.close();
  }

  #emitError(err: TickflareClientError): void {
    for (const fn of this.#listeners.error) {
      try {
        fn(err);
      } catch (e) {
        console.error("tickflare client: an onError listener threw", e);
      }
    }
  }

  #setState(s: SubscriptionState): void {
    if (this.#state === s) return;
    this.#state = s;
    for (const fn of this.#listeners.state) {
      try {
        fn(s);
      } catch (e) {
        console.error("tickflare client: an onStateChange listener threw", e);
      }
    }
  }

  #startHeartbeat(socket: WebSocketLike, generation: number): void {
    const period = this.#opts.heartbeatMs ?? 30_000;
    this.#lastHeard = Date.now();
    this.#heartbeat = setInterval(() => {
      if (generation !== this.#generation) return;
      if (Date.now() - this.#lastHeard > 2 * period) {
        // Silent for too long: treat as lost (the close event may never come).
        this.#generation++;
        try {
          socket.close(4001, "heartbeat timeout");
        } catch {
          // already closed
        }
        void this.#lost(this.#generation, true);
        return;
      }
      if (socket.readyState === OPEN) {
        try {
          socket.send("ping");
        } catch {
          // the close event follows
        }
      }
    }, period);
  }

  #stopTimers(): void {
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#heartbeat = null;
    this.#retryTimer = null;
  }
}

/** Epoch milliseconds, with sub-millisecond precision where `performance` exists. */
function epochMs(): number {
  const p = (globalThis as { performance?: { timeOrigin: number; now(): number } }).performance;
  return p ? p.timeOrigin + p.now() : Date.now();
}

function sameSchema(a: Schema, b: Schema): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

function emptyRows(schema: Schema): KeyedRows {
  return {
    keys: RowSet.EMPTY,
    vecs: Object.entries(schema).map(([n, t]) => vecFromValues(t, [], n)),
  };
}

/** A received message as a string or bytes (Blobs are read; Buffers and views are wrapped). */
async function asFrame(data: unknown): Promise<string | Uint8Array> {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (typeof Blob !== "undefined" && data instanceof Blob)
    return new Uint8Array(await data.arrayBuffer());
  throw new ProtocolError(`unexpected frame type ${typeof data}`);
}
