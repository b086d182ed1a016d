/**
 * `npm run bench:e2e`: end-to-end benchmarks against a local `wrangler dev` this script starts
 * (127.0.0.1, a free port, a temporary persistence directory, AUTH on). Not a test.
 *
 * - Publish throughput into one family, batches of 10,000 rows of 5 columns (int64, string,
 *   float64, int32, instant): HTTP POST as Arrow IPC and as JSON (bodies encoded before timing;
 *   1 and 4 requests in flight), and the WebSocket publish stream as Arrow (8 frames in flight).
 *   "acked" is until the last batch is durable; "applied" until a cycle has consumed it all.
 *   Each case also reports CPU milliseconds per batch of the workerd running the Worker, of
 *   wrangler dev's proxy and of this process (proc-cpu.ts). `BENCH_BATCHES` sets the batches per
 *   case (default 400: shorter runs measure mostly the first cycles and the wait for the last
 *   one, not the steady rate); `BENCH_CASES=JSON` (comma-separated substrings of the case
 *   labels) runs only those cases; `BENCH_DIRECT=1` publishes straight to the Worker's workerd, past the proxy.
 * - Publish-to-subscriber latency at cycleMs 100 with 200 subscribers (tickflare/client mirrors
 *   of the blink source, JSON, in a worker thread so they do not delay the publisher): each row
 *   carries the time it was published (before the request); every subscriber records the time
 *   the message arrived (and the time its local cycle had applied it) minus that; "period" is
 *   the mean time between cycles and "spread" the time from the first to the last subscriber
 *   to receive a cycle's delta. The publisher
 *   sends one row every 20 ms, over HTTP POST and over the publish stream. `BENCH_SUBSCRIBERS`
 *   and `BENCH_THREADS` change the subscriber count and threads; `BENCH_RAW=1` uses plain
 *   WebSockets that only parse each delta (the server's delivery, without client mirrors).
 *   Subscribers connect in two ways (`BENCH_TRANSPORT=global,ws` picks): Node's global
 *   WebSocket, which always offers permessage-deflate, so wrangler dev's proxy compresses every
 *   frame and the subscriber thread inflates it; and the `ws` package with compression off
 *   (through the client's `webSocket` option), which leaves the server's own delivery.
 *
 * Prints markdown tables; copy them into BENCHMARKS.md with the machine description.
 * - Fan-out (`-- fanout` only; e2e-fanout.ts): the latency run with 200 to 5,000 plain
 *   WebSocket subscribers, direct and through relays (in a second dev server), with each
 *   server's workerd CPU per cycle.
 * - Send cost (`-- sendcost` only; e2e-send-cost.ts): workerd CPU per WebSocket send, with the
 *   Hibernation API or not, text or binary, sockets walked from a Set or `ctx.getWebSockets()`,
 *   and through one more Worker hop.
 * - Family cost (`-- familycost` only; e2e-family-cost.ts): the fan-out family process's CPU per
 *   cycle split into what the publisher's POSTs and the cycles themselves cost.
 *
 * Every dev server runs without wrangler's local observability collector (test/e2e/dev-server.ts
 * sets `X_LOCAL_OBSERVABILITY=false` unless the environment says otherwise), a trace of every
 * invocation that deployed Workers do not record; the fan-out, send-cost and family-cost parts
 * take `BENCH_OBSERVABILITY=on` to keep wrangler's default (bench/dev-observability.ts).
 *
 * `npm run bench:e2e -- throughput`, `-- latency`, `-- fanout`, `-- sendcost` or `-- familycost`
 * runs one part; `-- stream` only the throughput part's publish-stream case.
 */
import os from "node:os";
import WS from "ws";
import type { TickflareClient, WebSocketLike } from "../src/client/index.ts";
import { connect } from "../src/client/index.ts";
import { col, newTable, toArrowIPC } from "../src/engine/index.ts";
import type { DevServer } from "../test/e2e/dev-server.ts";
import { startSecured } from "../test/e2e/dev-server.ts";
import { familyCost } from "./e2e-family-cost.ts";
import { fanout } from "./e2e-fanout.ts";
import { percentile, runLatency } from "./e2e-latency.ts";
import { sendCost } from "./e2e-send-cost.ts";
import { cpuSeconds, workerdPids, workerUrl } from "./proc-cpu.ts";
import { printTable } from "./util.ts";

const BATCH = 10_000;
const COLUMNS = { Id: "int64", Sym: "string", Price: "float64", Size: "int32", Ts: "instant" };
const SYMS = ["AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "META", "TSLA"];
const only = process.argv[2];

const now = () => performance.timeOrigin + performance.now();

function rows(from: number, n: number) {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return {
      Id: i,
      Sym: SYMS[i % SYMS.length]!,
      Price: 100 + (i % 1000) / 8,
      Size: i % 500,
      Ts: `2024-01-01T00:00:00.${String(i % 1e9).padStart(9, "0")}Z`,
    };
  });
}

function arrowBatch(from: number, n: number): Uint8Array {
  const rs = rows(from, n);
  return toArrowIPC(
    newTable(
      Object.entries(COLUMNS).map(([name, type]) =>
        col(
          name,
          type as never,
          rs.map((r) => r[name as keyof typeof r]),
        ),
      ),
    ),
  );
}

async function waitApplied(tf: TickflareClient, name: string, deadlineMs = 300_000) {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const d = await tf.describe(name);
    if (d.pending.rows === 0) return;
    if (Date.now() > end) throw new Error(`${name}: ${d.pending.rows} rows still pending`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** CPU milliseconds per batch of each process between two readings (10 ms ticks: approximate). */
function cpuPerBatch(
  a: ReturnType<typeof cpuNow>,
  b: ReturnType<typeof cpuNow>,
  batches: number,
): string[] {
  const per = (x: number, y: number) => (((y - x) * 1000) / batches).toFixed(2);
  return [per(a.worker, b.worker), per(a.proxy, b.proxy), per(a.bench, b.bench)];
}

const fmtRate = (rowsN: number, ms: number) =>
  `${Math.round((rowsN / ms) * 1000).toLocaleString("en-US")}`;

/** CPU seconds used so far by the Worker's workerd, wrangler's proxy, and this process. */
function cpuNow(server: DevServer): { worker: number; proxy: number; bench: number } {
  const pids = workerdPids(server.pid!, server.port);
  const own = process.cpuUsage();
  return {
    worker: cpuSeconds(pids.worker),
    proxy: cpuSeconds(pids.proxy),
    bench: (own.user + own.system) / 1e6,
  };
}

async function throughput(server: DevServer, tf: TickflareClient, token: string) {
  // 400 batches: 3,990,000 rows timed per case (about 4 s at 1M rows/s). With 40, a stream case
  // lasted about 150 ms, so "applied" was mostly the wait for the cycle after the last batch.
  const batches = Number(process.env.BENCH_BATCHES ?? 400);
  // BENCH_DIRECT=1: publish straight to the workerd process running the Worker, past wrangler
  // dev's proxy (a hop only local development has; proc-cpu.ts).
  const base =
    process.env.BENCH_DIRECT === "1"
      ? await workerUrl(workerdPids(server.pid!, server.port).worker)
      : server.url;
  const arrow = Array.from({ length: batches }, (_, b) => arrowBatch(b * BATCH, BATCH));
  const json =
    only === "stream"
      ? []
      : Array.from({ length: batches }, (_, b) => JSON.stringify(rows(b * BATCH, BATCH)));
  const mb = (xs: { length: number }[]) => xs.reduce((n, x) => n + x.length, 0) / 2 ** 20;
  const load = os.loadavg().map((l) => l.toFixed(2));
  console.error(
    `batch bodies: Arrow ${(mb(arrow) / batches).toFixed(2)} MiB, JSON ${(mb(json) / batches).toFixed(2)} MiB, load average ${load.join(" ")}`,
  );
  const out: string[][] = [];
  let run = 0;
  const cases: [string, number, (name: string, b: number) => Promise<void>][] = [];
  const post = async (name: string, body: Uint8Array | string, type: string) => {
    const res = await fetch(`${base}/v1/tables/${name}/rows`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": type },
      body,
    });
    if (res.status !== 202) throw new Error(`${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  };
  if (only !== "stream")
    cases.push(
      ["HTTP POST, Arrow", 1, (n, b) => post(n, arrow[b]!, "application/vnd.apache.arrow.stream")],
      ["HTTP POST, Arrow", 4, (n, b) => post(n, arrow[b]!, "application/vnd.apache.arrow.stream")],
      ["HTTP POST, Arrow", 8, (n, b) => post(n, arrow[b]!, "application/vnd.apache.arrow.stream")],
      ["HTTP POST, JSON", 1, (n, b) => post(n, json[b]!, "application/json")],
      ["HTTP POST, JSON", 4, (n, b) => post(n, json[b]!, "application/json")],
    );
  // BENCH_CASES: comma-separated substrings of the case labels to run (default all).
  const pick = (process.env.BENCH_CASES ?? "").split(",").filter((f) => f !== "");
  for (const [label, inFlight, send] of cases) {
    if (pick.length > 0 && !pick.some((f) => label.includes(f))) continue;
    const name = `bench-tp-${run++}`;
    await tf.createTable(name, { columns: COLUMNS, cycleMs: 100 });
    await send(name, 0); // warm the object up (not timed)
    await waitApplied(tf, name);
    const c0 = cpuNow(server);
    const t0 = now();
    let next = 1;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < batches) await send(name, next++);
      }),
    );
    const acked = now() - t0;
    await waitApplied(tf, name);
    const applied = now() - t0;
    const n = (batches - 1) * BATCH;
    out.push([
      label,
      String(inFlight),
      n.toLocaleString("en-US"),
      fmtRate(n, acked),
      fmtRate(n, applied),
      ...cpuPerBatch(c0, cpuNow(server), batches - 1),
    ]);
    console.error(`${label} x${inFlight}: ${fmtRate(n, acked)} rows/s acked`);
    await tf.deleteTable(name);
  }
  {
    const name = `bench-tp-${run++}`;
    await tf.createTable(name, { columns: COLUMNS, cycleMs: 100 });
    // The producer's socket: the \`ws\` package without permessage-deflate, masking each frame
    // natively (bufferutil, a devDependency); BENCH_STREAM_WS=global: Node's global WebSocket
    // (undici), which masks every byte of a frame in JavaScript and offers permessage-deflate,
    // so the bench process and the Worker both spend more CPU a batch (BENCHMARKS.md).
    const socket =
      process.env.BENCH_STREAM_WS === "global"
        ? undefined
        : (u: string) => new WS(u, { perMessageDeflate: false }) as unknown as WebSocketLike;
    const stream = await connect(base, { token, webSocket: socket }).publisher(name);
    await stream.send(arrow[0]!);
    await waitApplied(tf, name);
    const c0 = cpuNow(server);
    const t0 = now();
    const window = 8;
    const pending = new Set<Promise<unknown>>();
    for (let b = 1; b < batches; b++) {
      const p = stream.send(arrow[b]!).finally(() => pending.delete(p));
      pending.add(p);
      if (pending.size >= window) await Promise.race(pending);
    }
    await Promise.all(pending);
    const acked = now() - t0;
    await waitApplied(tf, name);
    const applied = now() - t0;
    const n = (batches - 1) * BATCH;
    out.push([
      "WebSocket stream, Arrow",
      String(window),
      n.toLocaleString("en-US"),
      fmtRate(n, acked),
      fmtRate(n, applied),
      ...cpuPerBatch(c0, cpuNow(server), batches - 1),
    ]);
    console.error(
      `WebSocket stream x${window}: ${fmtRate(n, acked)} rows/s acked, ${fmtRate(n, applied)} applied, load average ${os.loadavg()[0]!.toFixed(2)}`,
    );
    stream.close();
    await tf.deleteTable(name);
  }
  printTable(
    "Publish throughput into one family (batches of 10,000 rows, 5 columns)",
    [
      "path",
      "in flight",
      "rows",
      "rows/s acked (durable)",
      "rows/s applied (cycled)",
      "CPU ms / batch: worker",
      "proxy",
      "bench",
    ],
    out,
  );
}

/** Subscribers in worker threads; the publisher (this thread) stamps each row with SentAt. */
async function latency(server: DevServer, tf: TickflareClient, token: string) {
  const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 200);
  const THREADS = Number(process.env.BENCH_THREADS ?? 1);
  const RAW = process.env.BENCH_RAW === "1";
  const cycleMs = 100;
  const transports = (process.env.BENCH_TRANSPORT ?? "global,ws").split(",") as ("global" | "ws")[];
  const out: string[][] = [];
  for (const transport of transports)
    for (const via of ["HTTP POST", "WebSocket stream"] as const) {
      const name = `bench-latency-${via === "HTTP POST" ? "http" : "ws"}-${transport}`;
      const { received, applied, period, spread, meanPublishMs } = await runLatency({
        url: server.url,
        token,
        tf,
        name,
        cycleMs,
        subscribers: SUBSCRIBERS,
        threads: THREADS,
        raw: RAW,
        transport,
        via,
      });
      const f = (x: number) => x.toFixed(1);
      out.push([
        via,
        transport === "ws" ? "ws, no compression" : "Node WebSocket, deflate",
        received.length.toLocaleString("en-US"),
        f(percentile(received, 50)),
        f(percentile(received, 90)),
        f(percentile(received, 99)),
        f(received.at(-1) ?? Number.NaN),
        f(percentile(applied, 99)),
        f(period),
        `${f(percentile(spread, 50))} / ${f(percentile(spread, 99))}`,
        f(meanPublishMs),
      ]);
    }
  printTable(
    `Publish-to-subscriber latency (cycleMs ${cycleMs}, ${SUBSCRIBERS} ${RAW ? "plain WebSocket" : "tickflare/client"} subscribers in ${THREADS} thread(s), JSON, 1 row every 20 ms)`,
    [
      "publisher",
      "subscriber sockets",
      "samples",
      "p50 ms",
      "p90 ms",
      "p99 ms",
      "max ms",
      "p99 ms incl. mirror cycle",
      "period ms",
      "spread p50 / p99 ms",
      "mean publish RTT ms",
    ],
    out,
  );
}

console.log(
  `tickflare bench:e2e — node ${process.version}, ${os.cpus()[0]?.model ?? "cpu"} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${new Date().toISOString().slice(0, 10)}`,
);
if (only === "fanout") {
  await fanout();
  process.exit(0);
}
if (only === "sendcost") {
  await sendCost();
  process.exit(0);
}
if (only === "familycost") {
  await familyCost();
  process.exit(0);
}
const { server, token } = await startSecured("bench-*");
try {
  const tf = connect(server.url, { token });
  if (!only || only === "throughput" || only === "stream") await throughput(server, tf, token);
  if (!only || only === "latency") await latency(server, tf, token);
} catch (e) {
  await new Promise((r) => setTimeout(r, 1000)); // let the server's last lines arrive
  console.error(`wrangler dev's log:\n${server.log}`);
  throw e;
} finally {
  await server.dispose();
}
