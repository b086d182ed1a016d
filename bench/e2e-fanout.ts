/**
 * `npm run bench:e2e -- fanout`: the publish-to-subscriber latency run (e2e-latency.ts) with many
 * plain WebSocket subscribers of one view (no compression, each delta parsed), cycleMs 100, one
 * row every 20 ms over HTTP POST (up to 8 in flight, so a slow answer does not thin the rows),
 * served directly by the family object and through relays.
 * `BENCH_FANOUT` lists the subscriber counts (default 200,1000,2000,5000), `BENCH_THREADS` the
 * subscriber threads (default 2), `BENCH_PER_RELAY` the subscribers per relay (default 250),
 * `BENCH_MODES` which runs (default `direct,relays`), `BENCH_RELAY_SERVERS` the relay dev servers
 * (default 2; subscriber thread i connects to relay server i mod K, so BENCH_THREADS must be at
 * least K). Not a test; Linux only (it reads /proc).
 *
 * `wrangler dev` runs all of a Worker's Durable Objects in one workerd process, so relays in the
 * family's own process would only add a hop. The bench runs two dev servers that reach each
 * other through wrangler's local dev registry (a private one, CLOUDFLARE_DEV_REGISTRY_PATH):
 *
 * - "family": wrangler.toml as is (router, table families, catalog), RELAY_SUBSCRIBERS=0. The
 *   publisher always posts here; direct subscribers connect here.
 * - "relays" (K of them, `BENCH_RELAY_SERVERS`): a generated config (`tickflare-relays-<k>`)
 *   running the same Worker with the Relay class and RELAY_SUBSCRIBERS = N, its TABLES and
 *   CATALOG bound to the family server's objects (`script_name = "tickflare"`). Subscribers
 *   through relays connect here: each server's router sends them to relays in its own process
 *   (its own relay objects: K servers are K independent groups of relays, each on its own workerd
 *   thread, as each relay object has its own thread on the platform), whose one upstream each
 *   reaches the family across processes.
 *
 * For each count the direct run and the relay run alternate, minutes apart at most. Over each
 * run's measured 10 s the bench reads the CPU of each workerd process from /proc (proc-cpu.ts)
 * and the family's cycle counter (`describe`): "family ms/cycle" is the family process's CPU
 * divided by the cycles it ran, the honest figure for the family object's work per cycle, since
 * an object cannot time itself (workerd's clocks stand still while it runs). That process also
 * answers the publisher's POSTs (50 a second), the same in both modes. "relay ms/cycle per 1,000"
 * is the relay processes' CPU per 1,000 deltas the subscribers received (a cycle per 1,000
 * subscribers when the relays keep up; their routers are idle once subscribers are connected). "first p99" is the p99 from publish to the first
 * subscriber to get each cycle (publish, the wait for the next cycle, the cycle, the hop): the
 * floor under the p99 of every subscriber. "bench ms per 1,000 deltas" is this process's CPU (the
 * subscriber threads and the publisher, which is the same in every run) per 1,000 deltas the
 * subscribers received: what the subscribers cost, comparable across runs that deliver more or
 * fewer cycles.
 *
 * The publisher and the subscribers connect straight to the workerd process running each
 * server's Worker, not to the public port: that goes through wrangler's proxy, a second workerd
 * process that exists only under `wrangler dev`, forwards every frame, and runs out of file
 * descriptors near 5,000 WebSockets.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { connect } from "../src/client/index.ts";
import { mintToken } from "../src/worker/token.ts";
import { DevServer } from "../test/e2e/dev-server.ts";
import { devObservabilityEnv, devObservabilityLabel } from "./dev-observability.ts";
import { percentile, runLatency } from "./e2e-latency.ts";
import { cpuSeconds, workerdPids, workerUrl } from "./proc-cpu.ts";
import { printTable } from "./util.ts";

/** Relays the router's policy should end up with for `n` subscribers (worker/relays.ts). */
const relaysFor = (n: number, per: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n / per)));

/**
 * Relay objects the relay server has created so far: each keeps a watchdog alarm, so each has a
 * SQLite file in the server's persistence directory (miniflare's layout: a directory per class).
 */
function relaysCreated(persistTo: string[]): number {
  let n = 0;
  for (const dir of persistTo) {
    for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (e.isFile() && e.name.endsWith(".sqlite") && /Relay$/.test(e.parentPath)) n++;
    }
  }
  return n;
}

/** Relay server k's wrangler config: the Worker and Relay; families and catalog bound remotely. */
function relayConfig(perRelay: number, k: number): string {
  const root = join(import.meta.dirname, "..");
  const main = readFileSync(join(root, "wrangler.toml"), "utf8");
  const name = /^name = "([^"]+)"/m.exec(main)?.[1];
  const date = /^compatibility_date = "([^"]+)"/m.exec(main)?.[1];
  if (!name || !date) throw new Error("wrangler.toml: no name or compatibility_date");
  return `name = "${name}-relays-${k}"
main = "src/worker/index.ts"
compatibility_date = "${date}"

[vars]
AUTH = "on"
CORS_ORIGINS = ""
RELAY_SUBSCRIBERS = "${perRelay}"

[[durable_objects.bindings]]
name = "TABLES"
class_name = "TableFamily"
script_name = "${name}"

[[durable_objects.bindings]]
name = "CATALOG"
class_name = "Catalog"
script_name = "${name}"

[[durable_objects.bindings]]
name = "RELAYS"
class_name = "Relay"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Relay"]

[[r2_buckets]]
binding = "DATA"
bucket_name = "tickflare-data"
`;
}

/** The table's columns. */
const HEADER = [
  "served",
  "subscribers",
  "family sockets (relays: expected / created)",
  "samples",
  "p50 ms",
  "p99 ms",
  "first p99 ms",
  "p50 first / last quarter ms",
  "period ms",
  "spread p50 / p99 ms",
  "rows/s sent / publish ms",
  "cycles",
  "family ms/cycle",
  "family process (cores)",
  "relay ms/cycle per 1,000",
  "relay processes (cores: all / busiest)",
  "bench (cores)",
  "bench ms per 1,000 deltas",
  "load avg (1 min)",
];

/** CPU seconds of every process the bench watches. */
interface CpuReading {
  familyWorker: number;
  /** Per relay server. */
  relayWorkers: number[];
  bench: number;
  cycle: number;
  at: number;
}

export async function fanout(): Promise<void> {
  const counts = (process.env.BENCH_FANOUT ?? "200,1000,2000,5000").split(",").map(Number);
  const threads = Number(process.env.BENCH_THREADS ?? 2);
  const per = Number(process.env.BENCH_PER_RELAY ?? 250);
  const modes = (process.env.BENCH_MODES ?? "direct,relays").split(",");
  const servers = Number(process.env.BENCH_RELAY_SERVERS ?? 2);
  if (!Number.isInteger(servers) || servers < 1 || threads < servers) {
    throw new Error(
      `BENCH_RELAY_SERVERS must be a whole number from 1 to BENCH_THREADS (${threads}), got ${servers}`,
    );
  }
  const secret = randomBytes(24).toString("hex");
  const registry = join(os.tmpdir(), `tickflare-registry-${randomBytes(6).toString("hex")}`);
  const env = { CLOUDFLARE_DEV_REGISTRY_PATH: registry, ...devObservabilityEnv() };
  const vars = { AUTH: "on", TOKEN_SECRET: secret };
  const family = await DevServer.start({ vars: { ...vars, RELAY_SUBSCRIBERS: "0" }, env });
  const relays: DevServer[] = [];
  try {
    for (let k = 0; k < servers; k++) {
      relays.push(
        await DevServer.start({
          vars,
          env,
          config: { file: "wrangler.relays.toml", text: relayConfig(per, k) },
        }),
      );
    }
    const token = await mintToken(secret, {
      scopes: ["admin", "publish", "read"],
      tables: "bench-*",
      exp: Math.floor(Date.now() / 1000) + 3600,
    });
    const fp = workerdPids(family.pid!, family.port);
    const rp = relays.map((r) => workerdPids(r.pid!, r.port));
    const relayDirs = relays.map((r) => r.persistTo);
    // Past wrangler's proxies, straight to the processes running the Worker (proc-cpu.ts).
    const familyUrl = await workerUrl(fp.worker);
    const relayUrls = await Promise.all(rp.map((p) => workerUrl(p.worker)));
    const tf = connect(familyUrl, { token });
    const out: string[][] = [];
    const failures: string[] = [];
    for (const n of counts) {
      for (const perRelay of [0, per]) {
        if (!modes.includes(perRelay === 0 ? "direct" : "relays")) continue;
        const name = `bench-fanout-${perRelay}-${n}-${out.length}`;
        const read = async (): Promise<CpuReading> => {
          const bench = process.cpuUsage();
          return {
            familyWorker: cpuSeconds(fp.worker),
            relayWorkers: rp.map((p) => cpuSeconds(p.worker)),
            bench: (bench.user + bench.system) / 1e6,
            cycle: (await tf.describe(name)).cycle,
            at: performance.now(),
          };
        };
        let r0: CpuReading | null = null;
        let r1: CpuReading | null = null;
        const load = os.loadavg()[0]!;
        const created0 = relaysCreated(relayDirs);
        const served = perRelay === 0 ? "direct" : `relays of ${perRelay}`;
        let r: Awaited<ReturnType<typeof runLatency>>;
        try {
          r = await runLatency({
            url: perRelay === 0 ? familyUrl : relayUrls,
            token,
            tf,
            name,
            cycleMs: 100,
            subscribers: n,
            threads,
            raw: true,
            transport: "ws",
            via: "HTTP POST",
            inFlight: 8,
            window: {
              start: async () => {
                r0 = await read();
              },
              end: async () => {
                r1 = await read();
              },
            },
          });
        } catch (e) {
          // Keep the other runs (e.g. subscribers refused at 5,000): the row says why.
          failures.push(`${served}, ${n} subscribers: ${(e as Error).message}`);
          out.push([served, n.toLocaleString("en-US"), `failed (${failures.length})`]);
          while (out.at(-1)!.length < HEADER.length) out.at(-1)!.push("");
          console.log(out.at(-1)!.join(" | "));
          continue;
        }
        const a = r0 as CpuReading | null;
        const b = r1 as CpuReading | null;
        if (!a || !b) throw new Error("the latency run did not report its measured window");
        const secs = (b.at - a.at) / 1000;
        const cores = (k: "familyWorker" | "bench") => ((b[k] - a[k]) / secs).toFixed(2);
        const relayCpu = b.relayWorkers.map((x, i) => x - a.relayWorkers[i]!);
        const relayAll = relayCpu.reduce((x, y) => x + y, 0);
        const cycles = b.cycle - a.cycle;
        const f = (x: number) => x.toFixed(1);
        // Each relay server's router places its share of the subscribers on its own relays.
        const relaysUsed = servers * relaysFor(n / servers, perRelay);
        out.push([
          served,
          n.toLocaleString("en-US"),
          perRelay === 0
            ? n.toLocaleString("en-US")
            : `${relaysUsed} / ${relaysCreated(relayDirs) - created0}`,
          r.received.length.toLocaleString("en-US"),
          f(percentile(r.received, 50)),
          f(percentile(r.received, 99)),
          f(percentile(r.first, 99)),
          `${f(r.trend.early)} / ${f(r.trend.late)}`,
          f(r.period),
          `${f(percentile(r.spread, 50))} / ${f(percentile(r.spread, 99))}`,
          `${f(r.rowsPerSecond)} / ${f(r.meanPublishMs)}`,
          String(cycles),
          f(((b.familyWorker - a.familyWorker) * 1000) / cycles),
          cores("familyWorker"),
          perRelay === 0 ? "—" : f((relayAll * 1000) / (r.deltas / 1000)),
          perRelay === 0
            ? "—"
            : `${(relayAll / secs).toFixed(2)} / ${(Math.max(...relayCpu) / secs).toFixed(2)}`,
          cores("bench"),
          f(((b.bench - a.bench) * 1000) / (r.deltas / 1000)),
          load.toFixed(1),
        ]);
        console.log(out.at(-1)!.join(" | "));
      }
    }
    printTable(
      `Fan-out: publish-to-subscriber latency (cycleMs 100, plain WebSocket subscribers in ${threads} threads, JSON, 1 row every 20 ms over HTTP POST; the family in one dev server, relays in ${servers}; ${devObservabilityLabel()})`,
      HEADER,
      out,
    );
    for (const [i, f] of failures.entries()) console.log(`\n(${i + 1}) ${f}`);
  } finally {
    for (const r of relays) await r.dispose();
    await family.dispose();
    rmSync(registry, { recursive: true, force: true });
  }
}
