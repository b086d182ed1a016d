/**
 * Relay: a Durable Object that fans one view of one table family out to many subscribers
 * (docs/architecture.md, "Fan-out"). It is addressed by name,
 * `relay:<family>:<view>:<format>:<n>`, holds ONE upstream subscription to the family object
 * (`/subscribe?relay=1`, frames in announced groups: relay-frames.ts) and serves its own
 * subscribers the very frames a direct subscriber gets: a snapshot (or `resume` and the missed
 * deltas for `since`), then each cycle's delta, then a failure. The family encodes a cycle once per
 * (view, format) and sends it once per relay, whatever the number of subscribers.
 *
 * Subscriber sockets use the Hibernation API (pings answered without waking the object). The
 * upstream opens with the first subscriber and closes with the last, so an idle relay holds
 * nothing and costs nothing. A relay with subscribers never hibernates (its upstream receives
 * every cycle) and a fresh instance closes the sockets it finds, so the relay tracks its
 * subscribers in memory: a cycle's fan-out walks the in-sync sockets and sends each the frames
 * received from the family, the same string or ArrayBuffer to all (no per-subscriber encoding,
 * no storage), and neither a cycle nor a connection or a close builds `ctx.getWebSockets()`'s
 * array of every socket (per connection, that made filling a relay quadratic). A subscriber with
 * more than SLOW_SUBSCRIBER_BYTES queued unsent (`bufferedAmount`) when a cycle's frames are due
 * is closed with SLOW_SUBSCRIBER_CODE (slow.ts); it resumes with `since`. A `viewport` message closes the socket with RELAY_VIEWPORT_CODE: viewport
 * and ad-hoc subscriptions are served by the family object, so the client reconnects with
 * `first`/`last` (the TypeScript client does). A relay that restarts (eviction, deploy) loses its upstream and history:
 * its subscribers are closed with 1012 and resume with `since`, which the relay answers by
 * resuming upstream from that cycle, so nothing is missed or repeated.
 */
import { DurableObject } from "cloudflare:workers";
import { RELAY_SNAPSHOT_REQUEST } from "./relay-frames.ts";
import type { RelayFrame, RelayGroup } from "./relay-stream.ts";
import { RelayStream } from "./relay-stream.ts";
import { SlowGuard } from "./slow.ts";

export { SLOW_SUBSCRIBER_BYTES, SLOW_SUBSCRIBER_CODE } from "./slow.ts";

/** Close code when the relay restarted or lost the family's history: resume with `since`. */
export const RELAY_RESTART_CODE = 1012;
/** Close code answering a `viewport` message: reconnect with `first`/`last` (served directly). */
export const RELAY_VIEWPORT_CODE = 4409;
/** While subscribers are connected, the relay wakes this often to check its upstream. */
const WATCHDOG_MS = 60_000;

/** The view a relay serves. */
export interface RelayTarget {
  family: string;
  view: string;
  format: "json" | "arrow";
}

/** The name a relay is addressed by (`idFromName`). */
export function relayName(t: RelayTarget, n: number): string {
  return `relay:${t.family}:${t.view}:${t.format}:${n}`;
}

/** The target named by a relay name, or null. */
export function relayTargetOf(name: string | undefined): RelayTarget | null {
  const parts = name?.split(":") ?? [];
  if (parts.length !== 5 || parts[0] !== "relay") return null;
  const [, family, view, format] = parts as [string, string, string, string, string];
  if (format !== "json" && format !== "arrow") return null;
  return { family, view, format };
}

/** True for a text message that parses as `{"type":"viewport",...}`. */
function isViewportMessage(text: string): boolean {
  try {
    const m = JSON.parse(text) as { type?: unknown } | null;
    return m !== null && typeof m === "object" && m.type === "viewport";
  } catch {
    return false;
  }
}

const close = (ws: WebSocket, code: number, reason: string) => {
  try {
    ws.close(code, reason);
  } catch {
    // already closing
  }
};

/** The family's answer to an upstream that it refused (sent on to the subscriber as is). */
interface Refusal {
  status: number;
  body: unknown;
}

/** An upstream subscription and the sockets not yet served from it. */
interface Upstream {
  ws: WebSocket;
  stream: RelayStream;
  /** Subscribers accepted before the stream was in sync, with their `since`. */
  waiting: Map<WebSocket, number | null>;
  /** Subscribers waiting for the snapshot asked for. */
  wantSnapshot: Set<WebSocket>;
  asked: boolean;
}

export class Relay extends DurableObject<Env> {
  #target: RelayTarget | null;
  #up: Upstream | null = null;
  #opening: Promise<Refusal | null> | null = null;
  readonly #slow = new SlowGuard();
  /** Subscriber sockets this instance accepted and has not closed or seen close. */
  readonly #subs = new Set<WebSocket>();
  /** Those of #subs that were sent their snapshot or resume: each cycle's frames go to these. */
  readonly #live = new Set<WebSocket>();
  /** The most relays a router has said the view uses (told back to routers when full). */
  #relaysSeen = 1;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#target = relayTargetOf(ctx.id.name);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    // Sockets kept across a restart: the upstream and the history are gone; they resume.
    for (const ws of ctx.getWebSockets())
      close(ws, RELAY_RESTART_CODE, "relay restarted; resume with since");
  }

  /**
   * `/subscribe?family=&view=&format=[&since=][&cap=][&relays=]` with `Upgrade: websocket`, from the router
   * (which has authenticated the request and checked the parameters). An error opening the
   * upstream (404 for a deleted family or an unknown view) is answered as the family answered it;
   * a relay that has `cap` subscribers answers 409 `relay_full` with the most relays in use it
   * has heard of (`relays`, from the routers), and the router tries another.
   */
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (
      url.pathname !== "/subscribe" ||
      request.headers.get("Upgrade")?.toLowerCase() !== "websocket"
    ) {
      return Response.json(
        { error: "not_found", detail: `no route for ${request.method} ${url.pathname}` },
        { status: 404 },
      );
    }
    const p = url.searchParams;
    const format = p.get("format");
    const target = {
      family: p.get("family") ?? "",
      view: p.get("view") ?? "",
      format: format === "arrow" ? ("arrow" as const) : ("json" as const),
    };
    this.#target ??= target;
    const t = this.#target;
    if (t.family !== target.family || t.view !== target.view || t.format !== format) {
      return Response.json(
        { error: "wrong_relay", detail: `this relay serves ${relayName(t, 0)}` },
        { status: 400 },
      );
    }
    const cap = Number(p.get("cap") ?? "0");
    const relays = Number(p.get("relays") ?? "1");
    if (Number.isInteger(relays) && relays > this.#relaysSeen) this.#relaysSeen = relays;
    if (cap > 0 && this.#subs.size >= cap) {
      return Response.json(
        { error: "relay_full", detail: `this relay serves ${cap} subscribers already` },
        {
          status: 409,
          headers: { "X-Tickflare-Relay": "full", "X-Tickflare-Relays": String(this.#relaysSeen) },
        },
      );
    }
    const sinceText = p.get("since");
    const since = sinceText === null ? null : Number(sinceText);
    // Open the upstream (twice at most: it may close again before this subscriber is accepted).
    for (let attempt = 0; !this.#up && attempt < 2; attempt++) {
      this.#opening ??= this.#open(since).finally(() => {
        this.#opening = null;
      });
      const refused = await this.#opening;
      if (refused) return Response.json(refused.body, { status: refused.status });
    }
    const up = this.#up as Upstream | null;
    if (!up) {
      return Response.json(
        { error: "overloaded", detail: "the table family keeps closing this relay; retry" },
        { status: 503 },
      );
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, ["sub"]);
    this.#subs.add(server);
    if (up.stream.cycle === null || up.stream.resuming) up.waiting.set(server, since);
    else this.#admit(up, server, since);
    if ((await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(Date.now() + WATCHDOG_MS);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Opens the upstream; resolves to the family's refusal, or null once open. */
  async #open(since: number | null): Promise<Refusal | null> {
    const t = this.#target!;
    const q = new URLSearchParams({ view: t.view, format: t.format, relay: "1" });
    if (since !== null) q.set("since", String(since));
    const stub = this.env.TABLES.get(this.env.TABLES.idFromName(t.family));
    const res = await stub.fetch(
      new Request(`https://table-family/subscribe?${q}`, { headers: { Upgrade: "websocket" } }),
    );
    if (res.status !== 101 || !res.webSocket) {
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = { error: "overloaded", detail: text.slice(0, 200) };
      }
      return { status: res.status, body };
    }
    const ws = res.webSocket;
    ws.accept();
    ws.binaryType = "arraybuffer";
    const up: Upstream = {
      ws,
      stream: new RelayStream(),
      waiting: new Map(),
      wantSnapshot: new Set(),
      asked: false,
    };
    ws.addEventListener("message", (e) => this.#onUpstream(up, e.data as RelayFrame));
    ws.addEventListener("close", (e) => this.#onUpstreamClose(up, e.code, e.reason));
    ws.addEventListener("error", () => this.#onUpstreamClose(up, 1011, "upstream error"));
    this.#up = up;
    return null;
  }

  #onUpstream(up: Upstream, data: RelayFrame): void {
    if (this.#up !== up) return;
    let g: RelayGroup | null;
    try {
      g = up.stream.take(data);
    } catch (e) {
      console.error("tickflare: relay upstream", e);
      this.#fail(1011, "relay upstream broke the protocol");
      return;
    }
    if (g) this.#apply(up, g);
  }

  /** Applies one complete group from the family. */
  #apply(up: Upstream, { header: h, frames }: RelayGroup): void {
    const s = up.stream;
    switch (h.kind) {
      case "tick":
        if (!s.resuming) s.cycle = h.cycle;
        break;
      case "resume":
        if (s.cycle === null) s.from = h.since!;
        s.resuming = { cycle: h.cycle, remaining: h.deltas! };
        if (s.cycle === null) s.cycle = h.since!;
        if (h.deltas === 0) this.#resumed(up);
        break;
      case "delta": {
        const previous = s.entries.at(-1)?.bytes ?? 0;
        s.hold(h.cycle, frames);
        s.cycle = h.cycle;
        this.#fanOut(frames, previous);
        if (s.resuming && --s.resuming.remaining === 0) this.#resumed(up);
        break;
      }
      case "snapshot": {
        const inSync = s.cycle !== null && !s.resuming;
        if (inSync && up.asked) {
          // The snapshot asked for: in order with the deltas, at the family's cycle.
          s.cycle = h.cycle;
          s.snapshot = { cycle: h.cycle, frames };
          up.asked = false;
          for (const ws of up.wantSnapshot) this.#start(ws, frames);
          up.wantSnapshot.clear();
          break;
        }
        // The family could not resume this relay: its subscribers cannot be continued.
        const hadHistory = s.cycle !== null;
        s.restart(h.cycle, frames);
        if (hadHistory) {
          for (const ws of [...this.#subs])
            if (!up.waiting.has(ws))
              this.#closeSub(
                ws,
                RELAY_RESTART_CODE,
                "relay lost the family's history; resume with since",
              );
        }
        this.#serveWaiting(up);
        break;
      }
    }
  }

  /** A resume's missed deltas have all arrived: the stream is in sync. */
  #resumed(up: Upstream): void {
    up.stream.cycle = up.stream.resuming!.cycle;
    up.stream.resuming = null;
    this.#serveWaiting(up);
  }

  #serveWaiting(up: Upstream): void {
    const waiting = [...up.waiting];
    up.waiting.clear();
    for (const [ws, since] of waiting) this.#admit(up, ws, since);
  }

  /** Starts a subscriber exactly as the family would: resume when it can, else a snapshot. */
  #admit(up: Upstream, ws: WebSocket, since: number | null): void {
    const s = up.stream;
    const cycle = s.cycle!;
    if (since !== null && since === cycle) {
      this.#start(ws, [JSON.stringify({ type: "resume", since, cycle })]);
    } else if (since !== null && since < cycle && s.canResume(since)) {
      const missed = s.entries.filter((e) => e.cycle > since).flatMap((e) => e.frames);
      this.#start(ws, [JSON.stringify({ type: "resume", since, cycle }), ...missed]);
    } else if (s.snapshot && s.snapshot.cycle === cycle) {
      this.#start(ws, s.snapshot.frames);
    } else {
      up.wantSnapshot.add(ws);
      if (!up.asked) {
        up.asked = true;
        up.ws.send(RELAY_SNAPSHOT_REQUEST);
      }
    }
  }

  /** Sends a subscriber its snapshot or resume; from then on it gets every cycle's frames. */
  #start(ws: WebSocket, frames: RelayFrame[]): void {
    if (!this.#subs.has(ws)) return; // closed while waiting
    try {
      for (const f of frames) ws.send(f);
    } catch {
      // A socket closing under us is cleaned up by webSocketClose.
    }
    this.#slow.started(ws);
    this.#live.add(ws);
  }

  /**
   * Sends a cycle's frames, as received, to every subscriber in step with the stream, closing
   * instead those with too much unsent (slow.ts; `previous`: the bytes of the previous cycle's
   * delta). Per subscriber: one `bufferedAmount` read and one send per frame.
   */
  #fanOut(frames: RelayFrame[], previous: number): void {
    for (const ws of this.#live) {
      if (this.#slow.closedAsSlow(ws, previous)) {
        this.#drop(ws);
        continue;
      }
      try {
        for (const f of frames) ws.send(f);
      } catch {
        // A socket closing under us is cleaned up by webSocketClose.
      }
    }
  }

  #onUpstreamClose(up: Upstream, code: number, reason: string): void {
    if (this.#up !== up) return;
    this.#up = null;
    if (code === 4404) {
      this.#closeAll(4404, reason || "table family deleted");
      return;
    }
    // Reconnect from the cycle the relay reached; the family resumes it or sends a snapshot.
    if (this.#subs.size === 0) return;
    const resumeFrom = up.stream.resuming || up.stream.cycle === null ? null : up.stream.cycle;
    this.#opening = this.#open(resumeFrom).finally(() => {
      this.#opening = null;
    });
    void this.#opening.then(
      (refused) => {
        const next = this.#up as Upstream | null;
        if (refused || !next) {
          const detail = (refused?.body as { detail?: unknown } | undefined)?.detail;
          const code = refused?.status === 404 ? 4404 : 1011;
          this.#closeAll(code, `the family refused the relay: ${String(detail)}`.slice(0, 120));
          return;
        }
        // Carry over what the relay held; the family's answer continues it or restarts it.
        next.stream.cycle = up.stream.cycle;
        next.stream.from = up.stream.from;
        next.stream.entries.push(...up.stream.entries);
        next.stream.snapshot = up.stream.snapshot;
        for (const [ws, since] of up.waiting) next.waiting.set(ws, since);
        for (const ws of up.wantSnapshot) next.waiting.set(ws, null);
      },
      () => this.#closeAll(1011, "relay could not reach the family"),
    );
  }

  #fail(code: number, reason: string): void {
    const up = this.#up;
    this.#up = null;
    if (up) close(up.ws, 1011, reason);
    this.#closeAll(code, reason);
  }

  #closeAll(code: number, reason: string): void {
    this.#subs.clear();
    this.#live.clear();
    for (const ws of this.ctx.getWebSockets()) close(ws, code, reason);
  }

  /** Closes one subscriber and forgets it. */
  #closeSub(ws: WebSocket, code: number, reason: string): void {
    close(ws, code, reason);
    this.#drop(ws);
  }

  /**
   * Forgets a subscriber (closed, or seen closing); after the last one, closes the upstream (an
   * idle relay holds nothing).
   */
  #drop(ws: WebSocket): void {
    this.#subs.delete(ws);
    this.#live.delete(ws);
    const up = this.#up;
    if (up) {
      up.waiting.delete(ws);
      up.wantSnapshot.delete(ws);
    }
    if (this.#subs.size === 0 && up) {
      this.#up = null;
      close(up.ws, 1000, "no subscribers");
    }
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (typeof message === "string" && message === "ping") return;
    if (typeof message === "string" && isViewportMessage(message)) {
      // A viewport is served by the family object: the client reconnects asking for it.
      this.#closeSub(
        ws,
        RELAY_VIEWPORT_CODE,
        "a viewport is not relayed; reconnect with first and last",
      );
      return;
    }
    ws.send(
      JSON.stringify({
        type: "error",
        error: "read_only",
        detail:
          'a subscription socket accepts only "ping" and {"type":"viewport","first":F,"last":L,"columns"?:[...]}',
      }),
    );
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.#drop(ws);
    close(ws, code === 1005 ? 1000 : code, reason);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.#drop(ws);
    close(ws, 1011, "socket error");
  }

  /** Watchdog: while subscribers are connected, wakes now and then (a fresh instance resumes them). */
  override async alarm(): Promise<void> {
    if (this.#subs.size > 0) await this.ctx.storage.setAlarm(Date.now() + WATCHDOG_MS);
  }
}
