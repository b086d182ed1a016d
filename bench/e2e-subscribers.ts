/**
 * Worker thread of `npm run bench:e2e` (latency): holds `count` tickflare/client subscriptions
 * to one view and records, for each row, receipt time (the message event) and applied time
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
if (raw) {
  // The server's delivery alone: each socket records when a delta arrived, minus each row's SentAt.
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
