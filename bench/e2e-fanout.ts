/**
 * `npm run bench:e2e -- fanout`: the publish-to-subscriber latency run (e2e-latency.ts) with many
 * plain WebSocket subscribers of one view (no compression, each delta parsed), cycleMs 100, one
 * row every 20 ms over HTTP POST: first served directly by the family object
 * (RELAY_SUBSCRIBERS=0), then through relays (RELAY_SUBSCRIBERS = `BENCH_PER_RELAY`, 250 by
 * default). `BENCH_FANOUT` lists the subscriber counts (default 200,1000,2000,5000),
 * `BENCH_THREADS` the subscriber threads (default 2). Each mode gets its own `wrangler dev`.
 * Not a test.
 */
import os from "node:os";
import { connect } from "../src/client/index.ts";
import { startSecured } from "../test/e2e/dev-server.ts";
import { percentile, runLatency } from "./e2e-latency.ts";
import { printTable } from "./util.ts";

/** Relays the router's policy ends up with for `n` subscribers (worker/relays.ts). */
const relaysFor = (n: number, per: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n / per)));

export async function fanout(): Promise<void> {
  const counts = (process.env.BENCH_FANOUT ?? "200,1000,2000,5000").split(",").map(Number);
  const threads = Number(process.env.BENCH_THREADS ?? 2);
  const per = Number(process.env.BENCH_PER_RELAY ?? 250);
  const out: string[][] = [];
  for (const perRelay of [0, per]) {
    const { server, token } = await startSecured("bench-*", {
      RELAY_SUBSCRIBERS: String(perRelay),
    });
    try {
      const tf = connect(server.url, { token });
      for (const n of counts) {
        const load = os.loadavg()[0]!;
        const r = await runLatency({
          url: server.url,
          token,
          tf,
          name: `bench-fanout-${perRelay}-${n}`,
          cycleMs: 100,
          subscribers: n,
          threads,
          raw: true,
          transport: "ws",
          via: "HTTP POST",
        });
        const f = (x: number) => x.toFixed(1);
        out.push([
          perRelay === 0 ? "direct" : `relays of ${perRelay}`,
          n.toLocaleString("en-US"),
          perRelay === 0 ? "—" : `≤ ${relaysFor(n, perRelay)}`,
          perRelay === 0 ? n.toLocaleString("en-US") : `≤ ${relaysFor(n, perRelay)}`,
          r.received.length.toLocaleString("en-US"),
          f(percentile(r.received, 50)),
          f(percentile(r.received, 99)),
          f(r.period),
          `${f(percentile(r.spread, 50))} / ${f(percentile(r.spread, 99))}`,
          r.cpu.toFixed(2),
          load.toFixed(1),
        ]);
        console.log(out.at(-1)!.join(" | "));
      }
    } finally {
      await server.dispose();
    }
  }
  printTable(
    `Fan-out: publish-to-subscriber latency (cycleMs 100, plain WebSocket subscribers in ${threads} threads, JSON, 1 row every 20 ms over HTTP POST)`,
    [
      "served",
      "subscribers",
      "relays",
      "family sockets (sends per cycle)",
      "samples",
      "p50 ms",
      "p99 ms",
      "period ms",
      "spread p50 / p99 ms",
      "bench CPU (cores)",
      "load avg (1 min)",
    ],
    out,
  );
}
