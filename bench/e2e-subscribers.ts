/**
 * Worker thread of `npm run bench:e2e` (latency): holds `count` tickflare/client subscriptions
 * to one view (or, with `raw`, plain WebSockets; with the `ws` transport these are minimal
 * clients, raw-socket.ts, that read only a delta's cycle and SentAt values from the frame's
 * bytes, so 2,000 of them cost the thread as little as the measurement allows) and records, for each row, receipt time (the message event) and applied time
 * (after the local cycle) minus the row's `SentAt`. Subscribers live off the publisher's thread
 * so their work does not delay the publisher. Messages: in `{ url, token, name, view, count,
 * format, raw, transport }` (workerData); out "ready", then on "measure" starts recording and on "stop" posts
 * `{ received, applied, arrivals, rows }` (ms; arrivals as flattened (cycle, time) pairs, one per
 * delta per subscriber; rows as flattened (cycle, SentAt) pairs of the thread's first subscriber)
 * and exits.
 */
import { parentPort, workerData } from "node:worker_threads";
import WS from "ws";
import type { Subscription, WebSocketLike } from "../src/client/index.ts";
import { connect } from "../src/client/index.ts";
import { parseInstant } from "../src/engine/index.ts";
import type { RawSocket } from "./raw-socket.ts";
import { openRawSocket } from "./raw-socket.ts";

const { url, token, name, view, count, format, raw, transport } = workerData as {
  url: string;
  token: string;
  name: string;
  view: string;
  count: number;
  format: "json" | "arrow";
  /** Plain WebSockets that only parse each delta (no client library, no mirror). */
  raw?: boolean;
  /**
   * `global`: Node's WebSocket (undici), which always offers permessage-deflate, so every frame
   * is compressed by wrangler dev's proxy and inflated here. `ws`: the ws package without
   * compression.
   */
  transport: "global" | "ws";
};
const open = (u: string): WebSocketLike =>
  transport === "ws"
    ? (new WS(u, { perMessageDeflate: false }) as unknown as WebSocketLike)
    : (new WebSocket(u) as unknown as WebSocketLike);
const now = () => performance.timeOrigin + performance.now();
const tf = connect(url, { token, webSocket: open });
const received: number[] = [];
const applied: number[] = [];
/** (cycle, arrival time) of every delta at every subscriber, flattened. */
const arrivals: number[] = [];
/** (cycle, SentAt ms) of every row the first subscriber got, flattened. */
const rows: number[] = [];
let measuring = false;
const subs: Subscription[] = [];
const sockets: WebSocketLike[] = [];
const raws: RawSocket[] = [];
/** Epoch ms of the last whole second seen in a SentAt (`YYYY-MM-DDTHH:MM:SS`), cached. */
let lastSecond = "";
let lastSecondMs = 0;
/**
 * Epoch ms of an instant as the server writes it (`YYYY-MM-DDTHH:MM:SS[.fffffffff]Z`,
 * formatInstant): the second from a cache, the fraction as a number; parseInstant otherwise.
 */
function instantMs(s: string): number {
  const second = s.slice(0, 19);
  if (s.length >= 20 && s.charCodeAt(10) === 84 /* T */ && s.endsWith("Z")) {
    if (second !== lastSecond) {
      lastSecond = second;
      lastSecondMs = Date.parse(`${second}Z`);
    }
    const frac = s.length > 21 && s.charCodeAt(19) === 46 /* . */ ? s.slice(20, -1) : "";
    return lastSecondMs + (frac === "" ? 0 : Number(`0.${frac}`) * 1000);
  }
  return Number(parseInstant(s)!) / 1e6;
}

const DELTA_PREFIX = '{"type":"delta","cycle":';
const SENT_AT = '"SentAt":"';

/**
 * What the latency needs from a JSON frame, without parsing all of it: a delta's cycle and its
 * added rows' SentAt (the server writes `{"type":"delta","cycle":C,...,"addedRows":[{..."SentAt":"..."}]}`
 * with those keys in that order, and the table has no other text column); null for any other
 * message. Checked against JSON.parse on each socket's first delta.
 */
function scanDelta(text: string): { cycle: number; sent: number[] } | null {
  if (!text.startsWith(DELTA_PREFIX)) return null;
  const cycle = Number.parseInt(text.slice(DELTA_PREFIX.length, DELTA_PREFIX.length + 16), 10);
  const sent: number[] = [];
  let at = text.indexOf('"addedRows":[');
  while (at >= 0) {
    at = text.indexOf(SENT_AT, at);
    if (at < 0) break;
    const from = at + SENT_AT.length;
    const to = text.indexOf('"', from);
    sent.push(instantMs(text.slice(from, to)));
    at = to;
  }
  return { cycle, sent };
}

/** The same as scanDelta through JSON.parse (the check). */
function parseDelta(text: string): { cycle: number; sent: number[] } | null {
  const m = JSON.parse(text) as { type: string; cycle: number; addedRows?: { SentAt: string }[] };
  if (m.type !== "delta") return null;
  return {
    cycle: m.cycle,
    sent: (m.addedRows ?? []).map((r) => Number(parseInstant(r.SentAt)!) / 1e6),
  };
}

if (raw && transport === "ws") {
  // The server's delivery alone: each socket records when a delta arrived, minus each row's
  // SentAt. A minimal client (raw-socket.ts) hands over each frame's bytes (no stream, event or
  // MessageEvent; UTF-8 left unchecked: the server's frames are checked by the tests), and only
  // the cycle and the SentAt values are read from them.
  const wsUrl = `${url.replace(/^http/, "ws")}/v1/tables/${name}/views/${view}/subscribe?format=json&token=${encodeURIComponent(token)}`;
  for (let i = 0; i < count; i++) {
    let checked = false;
    const onMessage = (data: Buffer, text: boolean) => {
      if (!measuring || !text) return;
      const t = now();
      const s = data.toString("latin1");
      const d = scanDelta(s);
      if (!checked && d) {
        // Once per socket: the scan must agree with a full parse (ms within float rounding).
        const full = parseDelta(data.toString("utf8"))!;
        if (
          full.cycle !== d.cycle ||
          full.sent.length !== d.sent.length ||
          full.sent.some((x, k) => Math.abs(x - d.sent[k]!) > 1e-3)
        )
          throw new Error(
            `subscriber ${i}: the delta scan disagrees with JSON.parse: ${s.slice(0, 300)}`,
          );
        checked = true;
      }
      if (!d) return;
      arrivals.push(d.cycle, t);
      for (const ms of d.sent) {
        if (i === 0) rows.push(d.cycle, ms);
        received.push(t - ms);
        applied.push(t - ms);
      }
    };
    try {
      raws.push(await openRawSocket(wsUrl, onMessage));
    } catch (e) {
      throw new Error(`subscribe socket ${i} of ${count} failed: ${(e as Error).message}`);
    }
  }
} else if (raw) {
  // Node's WebSocket (MessageEvent, text already decoded): every message parsed in full.
  const wsUrl = `${url.replace(/^http/, "ws")}/v1/tables/${name}/views/${view}/subscribe?format=json&token=${encodeURIComponent(token)}`;
  for (let i = 0; i < count; i++) {
    const ws = open(wsUrl);
    ws.addEventListener("message", (e: MessageEvent) => {
      if (!measuring) return;
      const t = now();
      const m = JSON.parse(e.data as string) as {
        type: string;
        cycle: number;
        addedRows?: { SentAt: string }[];
      };
      if (m.type !== "delta") return;
      arrivals.push(m.cycle, t);
      for (const r of m.addedRows ?? []) {
        const ms = Number(parseInstant(r.SentAt)!) / 1e6;
        if (i === 0) rows.push(m.cycle, ms);
        received.push(t - ms);
        applied.push(t - ms);
      }
    });
    await new Promise<void>((ok, fail) => {
      const failed = (why: string) =>
        fail(new Error(`subscribe socket ${i} of ${count} failed: ${why}`));
      ws.addEventListener("open", () => ok());
      ws.addEventListener("error", (e) => failed((e as ErrorEvent).message));
      // ws: a refused upgrade, with the server's answer (the error event would only give the status).
      if (ws instanceof WS) {
        ws.once("unexpected-response", (_req, res) => {
          let body = "";
          res.on("data", (d: Buffer) => {
            body += d.toString();
          });
          res.on("end", () => failed(`${res.statusCode} ${body.slice(0, 300)}`));
          res.on("error", () => failed(`${res.statusCode}`));
        });
      }
    });
    sockets.push(ws);
  }
}

for (let i = 0; !raw && i < count; i += 20) {
  const batch = await Promise.all(
    Array.from({ length: Math.min(20, count - i) }, () =>
      tf.subscribe(name, view, { format, timeoutMs: 120_000 }),
    ),
  );
  subs.push(...batch);
}
for (const [i, s] of subs.entries()) {
  s.onUpdate((e) => {
    if (!measuring) return;
    const t = now();
    arrivals.push(e.cycle, e.receivedAt);
    const col = s.table.column("SentAt");
    s.table.rowSet.forEach((k) => {
      const sent = col.get(k) as bigint | null;
      if (sent === null) return;
      const ms = Number(sent) / 1e6;
      if (i === 0) rows.push(e.cycle, ms);
      received.push(e.receivedAt - ms);
      applied.push(t - ms);
    });
  });
}
parentPort!.on("message", (m: string) => {
  if (m === "measure") measuring = true;
  if (m === "stop") {
    measuring = false;
    for (const s of subs) s.close();
    for (const ws of sockets) ws.close();
    for (const ws of raws) ws.close();
    const r = Float64Array.from(received);
    const a = Float64Array.from(applied);
    const c = Float64Array.from(arrivals);
    const w = Float64Array.from(rows);
    parentPort!.postMessage({ received: r, applied: a, arrivals: c, rows: w }, [
      r.buffer,
      a.buffer,
      c.buffer,
      w.buffer,
    ]);
    parentPort!.close();
  }
});
parentPort!.postMessage("ready");
