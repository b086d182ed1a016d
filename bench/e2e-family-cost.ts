/**
 * `npm run bench:e2e -- familycost`: where the family process's CPU per cycle goes in the
 * fan-out bench (e2e-fanout.ts), by what drives it. One dev server (AUTH on), one table at
 * cycleMs 100; the fan-out bench's publisher (one row every 20 ms over HTTP POST, up to 8 in
 * flight) and `BENCH_SOCKETS` plain subscribers (default 8, as many as the relays the family
 * writes to at 2,000 subscribers) in three phases of 8 s each: posts alone, subscribers alone
 * (the family cycles every 100 ms while anyone is subscribed, sending nothing when nothing
 * changed), and both. Each phase reports the worker process's utime and stime (/proc,
 * proc-cpu.ts) per cycle and per second. The process holds miniflare's entry Worker, the router,
 * the catalog and the family object; clients connect past wrangler's proxy. Run it with
 * `BENCH_OBSERVABILITY=on` and without (dev-observability.ts) to see what wrangler's local
 * traces cost. Linux only.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import os from "node:os";
import { connect } from "../src/client/index.ts";
import { mintToken } from "../src/worker/token.ts";
import { DevServer } from "../test/e2e/dev-server.ts";
import { devObservabilityEnv, devObservabilityLabel } from "./dev-observability.ts";
import { workerdPids, workerUrl } from "./proc-cpu.ts";
import type { RawSocket } from "./raw-socket.ts";
import { openRawSocket } from "./raw-socket.ts";
import { printTable } from "./util.ts";

const now = () => performance.timeOrigin + performance.now();

/** utime and stime of a process, in seconds. */
function times(pid: number): [number, number] {
  const s = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
  return [Number(f[11]) / 100, Number(f[12]) / 100];
}

export async function familyCost(): Promise<void> {
  const sockets = Number(process.env.BENCH_SOCKETS ?? 8);
  const secret = randomBytes(24).toString("hex");
  const server = await DevServer.start({
    vars: { AUTH: "on", TOKEN_SECRET: secret, RELAY_SUBSCRIBERS: "0" },
    env: devObservabilityEnv(),
  });
  const token = await mintToken(secret, {
    scopes: ["admin", "publish", "read"],
    tables: "bench-*",
    exp: Math.floor(Date.now() / 1000) + 3600,
  });
  const out: string[][] = [];
  const subs: RawSocket[] = [];
  try {
    const pid = workerdPids(server.pid!, server.port).worker;
    const url = await workerUrl(pid);
    const tf = connect(url, { token });
    const name = "bench-family-cost";
    await tf.createTable(name, { columns: { Seq: "int64", SentAt: "instant" }, cycleMs: 100 });
    let seq = 0;
    const publishFor = async (ms: number, on: boolean) => {
      const t0 = now();
      const inFlight = new Set<Promise<unknown>>();
      while (now() - t0 < ms) {
        const p0 = now();
        if (on) {
          const p = tf.publish(name, [{ Seq: seq++, SentAt: BigInt(Math.round(p0 * 1e6)) }]);
          inFlight.add(p);
          const done = () => inFlight.delete(p);
          p.then(done, done);
          while (inFlight.size >= 8) await Promise.race(inFlight);
        }
        const wait = 20 - (now() - p0);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      await Promise.all(inFlight);
    };
    const phase = async (label: string, posts: boolean) => {
      await publishFor(1500, posts); // settle
      const [u0, s0] = times(pid);
      const c0 = (await tf.describe(name)).cycle;
      const t0 = now();
      const load = os.loadavg()[0]!;
      await publishFor(8000, posts);
      const [u1, s1] = times(pid);
      const cycles = (await tf.describe(name)).cycle - c0;
      const secs = (now() - t0) / 1000;
      const cpu = u1 - u0 + (s1 - s0);
      out.push([
        label,
        String(cycles),
        ((cpu * 1000) / Math.max(1, cycles)).toFixed(1),
        ((cpu * 1000) / secs).toFixed(0),
        `${((u1 - u0) / secs).toFixed(2)} / ${((s1 - s0) / secs).toFixed(2)}`,
        load.toFixed(1),
      ]);
      console.log(out.at(-1)!.join(" | "));
    };
    await phase("posts (50 a second), no subscribers", true);
    const wsUrl = `${url.replace(/^http/, "ws")}/v1/tables/${name}/views/source/subscribe?format=json&token=${encodeURIComponent(token)}`;
    for (let i = 0; i < sockets; i++) subs.push(await openRawSocket(wsUrl, () => {}));
    await phase(`${sockets} subscribers, no posts`, false);
    await phase(`${sockets} subscribers and posts`, true);
  } finally {
    for (const s of subs) s.close();
    await server.dispose();
  }
  printTable(
    `Family process CPU by what drives it (cycleMs 100; ${devObservabilityLabel()})`,
    ["phase", "cycles", "ms per cycle", "ms per s", "utime / stime (cores)", "load avg (1 min)"],
    out,
  );
}
