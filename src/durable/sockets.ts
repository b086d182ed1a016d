/**
 * SocketHub: the WebSockets of one table family, on the Hibernation API. Subscriber sockets are
 * tagged `sub:<view>` so a view's subscribers are found without scanning; publish sockets are
 * tagged `pub`. Attachments are validated after a wake (they are untrusted input). Pings are
 * answered by the runtime without waking the object.
 *
 * Resume: deltas sent since the object woke are kept per view and format (bounded), so a
 * subscriber reconnecting with `since=<cycle>` gets exactly the deltas it missed when they are
 * all still held, and a fresh snapshot otherwise.
 *
 * Relays (relay.ts) subscribe like any whole-view subscriber, with `relay=1`: each group of
 * frames is announced by a relay header (relay-frames.ts) naming its kind and cycle, every cycle
 * sends each relay at least a `tick`, and a relay may ask for a snapshot on its socket. A cycle's
 * frames are encoded once per (view, format) and sent once per relay socket.
 *
 * A whole-view subscriber or relay with too much unsent when a cycle's delta is due is closed as
 * slow (slow.ts) and resumes with `since`.
 */
import type { Frame, WireFormat } from "../engine/wire.ts";
import { deltaFrames, snapshotFrames } from "../engine/wire.ts";
import { errorResult, HostError, JsonTextError, VIEW_ERROR_STATUS } from "./errors.ts";
import type { FamilyHost } from "./host.ts";
import { batchDigest, checkIdempotencyKey } from "./idempotency.ts";
import { RELAY_SNAPSHOT_REQUEST, relayHeader } from "./relay-frames.ts";
import type { SubShape } from "./shaped.ts";
import { checkViewport, failureBody, isShaped, ShapedSubscribers } from "./shaped.ts";
import { SlowGuard } from "./slow.ts";

const HISTORY_CYCLES = 256;
const HISTORY_BYTES = 8 << 20;

interface SubAttachment {
  v: 1;
  role: "sub";
  view: string;
  format: WireFormat;
  /** A viewport, columns, where or sort (shaped.ts); absent for a whole-view subscriber. */
  shape?: SubShape;
  /** A relay object's upstream socket (relay.ts): frames come in announced groups. */
  relay?: true;
}
interface PubAttachment {
  v: 1;
  role: "pub";
  seq: number;
  /** The source the stream publishes to (absent on sockets opened before: `source`). */
  source?: string;
}
type Attachment = SubAttachment | PubAttachment;

/** Reads and validates a socket's attachment; null when it is not one of ours. */
export function attachmentOf(ws: WebSocket): Attachment | null {
  let a: unknown;
  try {
    a = ws.deserializeAttachment();
  } catch {
    return null;
  }
  if (a === null || typeof a !== "object") return null;
  const o = a as Record<string, unknown>;
  if (o.v !== 1) return null;
  if (
    o.role === "sub" &&
    typeof o.view === "string" &&
    (o.format === "json" || o.format === "arrow")
  ) {
    const base: SubAttachment = { v: 1, role: "sub", view: o.view, format: o.format };
    if (o.relay === true && o.shape === undefined) return { ...base, relay: true };
    if (o.shape === undefined) return base;
    const shape = shapeOf(o.shape);
    return shape ? { ...base, shape } : null;
  }
  if (
    o.role === "pub" &&
    typeof o.seq === "number" &&
    Number.isInteger(o.seq) &&
    o.seq >= 0 &&
    (o.source === undefined || typeof o.source === "string")
  ) {
    return { v: 1, role: "pub", seq: o.seq, source: o.source ?? "source" };
  }
  return null;
}

const isStrings = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === "string");

/** A shape read back from an attachment, or null when it is not a valid one. */
function shapeOf(v: unknown): SubShape | null {
  if (v === null || typeof v !== "object") return null;
  const o = v as Record<string, unknown>;
  if (!isStrings(o.where) || !Array.isArray(o.sort)) return null;
  if (o.columns !== null && !isStrings(o.columns)) return null;
  const sort: SubShape["sort"] = [];
  for (const k of o.sort as unknown[]) {
    const s = k as Record<string, unknown> | null;
    if (!s || typeof s.column !== "string" || (s.order !== "asc" && s.order !== "desc"))
      return null;
    sort.push({ column: s.column, order: s.order });
  }
  let viewport: SubShape["viewport"] = null;
  if (o.viewport !== null) {
    const vp = o.viewport as Record<string, unknown> | null;
    try {
      viewport = checkViewport(vp?.first, vp?.last);
    } catch {
      return null;
    }
  }
  return { where: o.where, sort, columns: o.columns as string[] | null, viewport };
}

interface Held {
  /** Every delta of cycles after `from` is held. */
  from: number;
  entries: { cycle: number; frames: Frame[]; bytes: number }[];
  bytes: number;
}

export class SocketHub {
  readonly #ctx: DurableObjectState;
  /** `${view}\u0000${format}` -> deltas held for resume. */
  readonly #held = new Map<string, Held>();
  /** Validated attachments, so a broadcast does not deserialize every socket's every cycle. */
  readonly #attachments = new WeakMap<WebSocket, Attachment | null>();
  /** The publish frame being handled; the next one waits for it. */
  #publishing: Promise<void> = Promise.resolve();
  /** Viewport and ad-hoc subscribers. */
  readonly #shaped = new ShapedSubscribers();
  /** Closes whole-view subscribers and relays that stopped reading. */
  readonly #slow = new SlowGuard();
  /**
   * Whether a subscriber is connected, as last found (every publish asks); undefined when not
   * known: a socket closed since.
   */
  #hasSubscribers: boolean | undefined = undefined;

  constructor(ctx: DurableObjectState) {
    this.#ctx = ctx;
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  /**
   * Accepts a subscriber: snapshot (or the missed deltas), then one delta per cycle. A shaped
   * subscriber (viewport, columns, where, sort) is checked first (a bad one is refused before the
   * upgrade) and always starts from a snapshot of its shape. A relay (`relay`) gets the same
   * frames in announced groups.
   */
  subscribe(
    host: FamilyHost,
    view: string,
    format: WireFormat,
    since: number | null,
    shape?: SubShape,
    relay = false,
  ): Response {
    const table = host.view(view); // throws a 404 HostError for an unknown view
    if (relay) return this.#acceptRelay(host, view, format, since, table);
    const shaped = isShaped(shape) ? shape : undefined;
    const key = shaped ? this.#shaped.prepare(host, view, shaped) : null;
    try {
      return this.#accept(host, view, format, since, table, shaped, key);
    } catch (e) {
      if (key !== null) host.transients.release(key);
      throw e;
    }
  }

  #accept(
    host: FamilyHost,
    view: string,
    format: WireFormat,
    since: number | null,
    table: ReturnType<FamilyHost["view"]>,
    shaped: SubShape | undefined,
    key: string | null,
  ): Response {
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.#ctx.acceptWebSocket(server, [`sub:${view}`]);
    this.#hasSubscribers = true;
    const attachment: SubAttachment = { v: 1, role: "sub", view, format };
    if (shaped) attachment.shape = shaped;
    server.serializeAttachment(attachment);
    this.#attachments.set(server, attachment);
    if (shaped) {
      this.#shaped.open(host, server, view, format, shaped, key);
      return new Response(null, { status: 101, webSocket: client });
    }
    const cycle = host.cycle;
    const held = this.#held.get(`${view}\u0000${format}`);
    if (since !== null && since === cycle) {
      server.send(JSON.stringify({ type: "resume", since, cycle }));
    } else if (since !== null && since < cycle && held && since >= held.from) {
      server.send(JSON.stringify({ type: "resume", since, cycle }));
      for (const e of held.entries) if (e.cycle > since) for (const f of e.frames) server.send(f);
    } else {
      for (const f of snapshotFrames(table, cycle, format)) server.send(f);
    }
    this.#slow.started(server);
    this.#track(view, format, cycle);
    return new Response(null, { status: 101, webSocket: client });
  }

  /**
   * Accepts a relay's upstream socket: a `resume` group and the missed deltas (one `delta` group
   * each) when `since` can be resumed exactly as a direct subscriber would be, else a `snapshot`.
   */
  #acceptRelay(
    host: FamilyHost,
    view: string,
    format: WireFormat,
    since: number | null,
    table: ReturnType<FamilyHost["view"]>,
  ): Response {
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.#ctx.acceptWebSocket(server, [`sub:${view}`]);
    this.#hasSubscribers = true;
    const attachment: SubAttachment = { v: 1, role: "sub", view, format, relay: true };
    server.serializeAttachment(attachment);
    this.#attachments.set(server, attachment);
    const cycle = host.cycle;
    const held = this.#held.get(`${view}\u0000${format}`);
    if (since !== null && since === cycle) {
      server.send(relayHeader("resume", cycle, 0, since, 0));
    } else if (since !== null && since < cycle && held && since >= held.from) {
      const missed = held.entries.filter((e) => e.cycle > since);
      server.send(relayHeader("resume", cycle, 0, since, missed.length));
      for (const e of missed) {
        server.send(relayHeader("delta", e.cycle, e.frames.length));
        for (const f of e.frames) server.send(f);
      }
    } else this.#sendSnapshot(server, host, table, format);
    this.#slow.started(server);
    this.#track(view, format, cycle);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Sends a relay a `snapshot` group of the view at the current cycle. */
  #sendSnapshot(
    ws: WebSocket,
    host: FamilyHost,
    table: ReturnType<FamilyHost["view"]>,
    format: WireFormat,
  ): void {
    const cycle = host.cycle;
    const frames = snapshotFrames(table, cycle, format);
    ws.send(relayHeader("snapshot", cycle, frames.length));
    for (const f of frames) ws.send(f);
  }

  /** Accepts a publish stream for `source`. */
  openPublish(source: string): Response {
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.#ctx.acceptWebSocket(server, ["pub"]);
    const attachment: PubAttachment = { v: 1, role: "pub", seq: 0, source };
    server.serializeAttachment(attachment);
    this.#attachments.set(server, attachment);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** A socket's validated attachment (cached for the life of this object instance). */
  attachment(ws: WebSocket): Attachment | null {
    let a = this.#attachments.get(ws);
    if (a === undefined) {
      a = attachmentOf(ws);
      this.#attachments.set(ws, a);
    }
    return a;
  }

  /** Closes every socket (the family was deleted) and forgets the deltas held for resume. */
  closeAll(code: number, reason: string): void {
    for (const ws of this.#ctx.getWebSockets()) {
      try {
        ws.close(code, reason);
      } catch {
        // already closing
      }
    }
    this.#held.clear();
    this.#hasSubscribers = undefined;
  }

  /** True while any subscriber is connected. */
  get hasSubscribers(): boolean {
    this.#hasSubscribers ??= this.#ctx
      .getWebSockets()
      .some((ws) => this.attachment(ws)?.role === "sub");
    return this.#hasSubscribers;
  }

  /** Starts holding deltas of (view, format) from `cycle` on, if not already. */
  #track(view: string, format: WireFormat, cycle: number): void {
    const k = `${view}\u0000${format}`;
    if (!this.#held.has(k)) this.#held.set(k, { from: cycle, entries: [], bytes: 0 });
  }

  /** Sends this cycle's deltas (and failures) to every subscriber of a changed view. */
  broadcast(host: FamilyHost, cycle: number): void {
    const fam = host.family();
    const formatsByView = new Map<string, Set<WireFormat>>();
    for (const k of this.#held.keys()) {
      const [view, format] = k.split("\u0000") as [string, WireFormat];
      if (!formatsByView.has(view)) formatsByView.set(view, new Set());
      formatsByView.get(view)!.add(format);
    }
    // Sockets that survived a wake are tracked again from now on.
    const shaped: [WebSocket, SubAttachment & { shape: SubShape }][] = [];
    /** Relay sockets not yet sent anything this cycle (each gets a tick at the end). */
    const relays = new Set<WebSocket>();
    for (const ws of this.#ctx.getWebSockets()) {
      const a = this.attachment(ws);
      if (a?.role === "sub" && a.shape) shaped.push([ws, a as SubAttachment & { shape: SubShape }]);
      else if (a?.role === "sub") {
        if (a.relay) relays.add(ws);
        if (!formatsByView.has(a.view)) formatsByView.set(a.view, new Set());
        formatsByView.get(a.view)!.add(a.format);
        this.#track(a.view, a.format, cycle - 1);
      }
    }
    for (const [view, formats] of formatsByView) {
      const t = fam.views.get(view);
      if (!t) continue;
      const failed = host.lastFailures.get(view);
      const u = host.lastUpdates.get(view);
      if (!failed && !u) continue;
      for (const format of formats) {
        const frames: Frame[] = failed
          ? [JSON.stringify({ type: "failure", cycle, ...failureBody(failed) })]
          : deltaFrames(t, u!, cycle, format);
        const previous = this.#held.get(`${view}\u0000${format}`)?.entries.at(-1)?.bytes ?? 0;
        this.#hold(view, format, cycle, frames);
        const header = relayHeader("delta", cycle, frames.length);
        for (const ws of this.#ctx.getWebSockets(`sub:${view}`)) {
          const a = this.attachment(ws);
          if (a?.role !== "sub" || a.format !== format || a.shape) continue;
          if (a.relay) relays.delete(ws);
          if (this.#slow.closedAsSlow(ws, previous)) continue; // a relay resumes from its last cycle
          try {
            if (a.relay) ws.send(header);
            for (const f of frames) ws.send(f);
          } catch {
            // A socket closing under us is cleaned up by webSocketClose.
          }
        }
      }
    }
    if (relays.size > 0) {
      const tick = relayHeader("tick", cycle, 0);
      for (const ws of relays) {
        try {
          ws.send(tick);
        } catch {
          // cleaned up by webSocketClose
        }
      }
    }
    const shared = new Map<string, Frame[]>();
    for (const [ws, a] of shaped) {
      if (fam.views.has(a.view)) this.#shaped.cycle(host, ws, a.view, a.format, a.shape, shared);
    }
  }

  /**
   * A text message on a subscriber socket: `ping` is answered by the runtime; a `viewport`
   * message sets or moves the viewport (docs/protocol.md); anything else is refused.
   */
  onSubscriberMessage(host: FamilyHost, ws: WebSocket, text: string): void {
    const a = this.attachment(ws);
    if (a?.role !== "sub") return;
    if (a.relay && text === RELAY_SNAPSHOT_REQUEST) {
      const table = host.family().views.get(a.view);
      if (table) this.#sendSnapshot(ws, host, table, a.format);
      return;
    }
    const refuse = (error: string, detail: string) =>
      ws.send(JSON.stringify({ type: "error", error, detail }));
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      msg = null;
    }
    const m = msg as Record<string, unknown> | null;
    if (m === null || typeof m !== "object" || m.type !== "viewport") {
      refuse(
        "read_only",
        'a subscription socket accepts only "ping" and {"type":"viewport","first":F,"last":L,"columns"?:[...]}',
      );
      return;
    }
    try {
      const viewport = checkViewport(m.first, m.last);
      if (m.columns !== undefined && !isStrings(m.columns))
        throw new HostError(
          VIEW_ERROR_STATUS.bad_viewport,
          "bad_viewport",
          "viewport columns must be an array of column names",
        );
      const columns = (m.columns as string[] | undefined) ?? null;
      const shape: SubShape = a.shape ?? { where: [], sort: [], columns: null, viewport: null };
      const next = this.#shaped.setViewport(host, ws, a.view, a.format, shape, viewport, columns);
      const attachment: SubAttachment = { ...a, shape: next };
      ws.serializeAttachment(attachment);
      this.#attachments.set(ws, attachment);
    } catch (e) {
      const err = errorResult(e);
      if (!err) throw e;
      refuse(err.error, err.detail);
    }
  }

  /**
   * After a wake: rebuilds the ad-hoc views the family's shaped subscribers hold (from their
   * attachments) and sends each a snapshot of its shape, since what it held is unknown now.
   */
  restore(host: FamilyHost): void {
    const fam = host.family();
    for (const ws of this.#ctx.getWebSockets()) {
      const a = this.attachment(ws);
      if (a?.role === "sub" && a.shape && fam.views.has(a.view))
        this.#shaped.adopt(host, ws, a.view, a.format, a.shape);
    }
  }

  /** A socket closed: releases the ad-hoc view it held. */
  closed(host: FamilyHost, ws: WebSocket): void {
    this.#shaped.close(host, ws);
    this.#hasSubscribers = undefined;
  }

  #hold(view: string, format: WireFormat, cycle: number, frames: Frame[]): void {
    const h = this.#held.get(`${view}\u0000${format}`)!;
    const bytes = frames.reduce((n, f) => n + (typeof f === "string" ? f.length : f.byteLength), 0);
    h.entries.push({ cycle, frames, bytes });
    h.bytes += bytes;
    while (h.entries.length > HISTORY_CYCLES || (h.bytes > HISTORY_BYTES && h.entries.length > 1)) {
      const dropped = h.entries.shift()!;
      h.bytes -= dropped.bytes;
      h.from = dropped.cycle;
    }
  }

  /**
   * Handles one frame of a publish stream: store durably, then ack with its sequence number.
   * Frames are handled one after another (a frame with an idempotency key awaits its digest), so
   * batches are stored, and answered, in the order they arrived. Resolves to the rows stored.
   */
  onPublishFrame(host: FamilyHost, ws: WebSocket, data: string | ArrayBuffer): Promise<number> {
    const run = this.#publishing.then(() => this.#publishFrame(host, ws, data));
    this.#publishing = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  async #publishFrame(
    host: FamilyHost,
    ws: WebSocket,
    data: string | ArrayBuffer,
  ): Promise<number> {
    const a = this.attachment(ws);
    if (a?.role !== "pub") {
      ws.send(
        JSON.stringify({
          type: "error",
          error: "bad_socket",
          detail: "this socket does not accept rows",
        }),
      );
      return 0;
    }
    const seq = a.seq + 1;
    const source = a.source ?? "source";
    const next: PubAttachment = { v: 1, role: "pub", seq, source };
    ws.serializeAttachment(next);
    this.#attachments.set(ws, next);
    const refuse = (error: string, detail: string): number => {
      ws.send(JSON.stringify({ type: "error", seq, error, detail }));
      return 0;
    };
    let input: { rows: unknown[] } | { arrow: Uint8Array } | { json: string };
    let key: string | undefined;
    if (typeof data === "string" && startsArray(data)) {
      // An array of rows: the host reads the text straight into columns (json-rows.ts) and
      // parses it only if that reader does not take it.
      input = { json: data };
    } else if (typeof data === "string") {
      let body: unknown;
      try {
        body = JSON.parse(data);
      } catch (e) {
        return refuse("bad_json", `frame ${seq} is not JSON: ${(e as Error).message}`);
      }
      const rows = Array.isArray(body) ? body : (body as { rows?: unknown })?.rows;
      const k = Array.isArray(body)
        ? undefined
        : (body as { idempotencyKey?: unknown })?.idempotencyKey;
      if (!Array.isArray(rows)) {
        return refuse(
          "bad_body",
          `frame ${seq}: expected a JSON array of rows or { "rows": [...] }`,
        );
      }
      input = { rows };
      try {
        key = k === undefined ? undefined : checkIdempotencyKey(k, `frame ${seq}: idempotencyKey`);
      } catch (e) {
        const err = errorResult(e);
        if (!err) throw e;
        return refuse(err.error, err.detail);
      }
    } else input = { arrow: new Uint8Array(data) };
    try {
      const bodyDigest = key === undefined ? undefined : await batchDigest(input, source);
      const r = host.publish(input, { idempotencyKey: key, bodyDigest, source });
      ws.send(JSON.stringify({ type: "ack", seq, ...r }));
      return r.duplicate ? 0 : r.accepted;
    } catch (e) {
      if (e instanceof JsonTextError)
        return refuse("bad_json", `frame ${seq} is not JSON: ${e.reason}`);
      const err = errorResult(e);
      if (!err) throw e;
      return refuse(err.error, err.detail);
    }
  }
}

/** Whether JSON text starts (after whitespace) with `[`: a publish frame of rows. */
function startsArray(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 91) return true;
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return false;
  }
  return false;
}
