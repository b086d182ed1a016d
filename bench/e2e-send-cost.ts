/**
 * `npm run bench:e2e -- sendcost`: what one WebSocket send costs workerd, the floor under a
 * relay's (and the family's) fan-out (docs/architecture.md, "Fan-out: relays"). A throwaway
 * Worker (written to a temporary directory, not tickflare's) holds `BENCH_SOCKETS` sockets
 * (default 1,000) from `ws` clients in this process in one Durable Object and sends each a
 * tickflare-sized JSON delta `BENCH_ROUNDS` times (default 30, one macrotask apart, as cycles),
 * in four ways: sockets accepted with the Hibernation API or plainly, text or binary frames, and
 * the sockets walked from an in-memory Set or from `ctx.getWebSockets()` each round; and once
 * with every socket passed through one more Worker invocation (a service binding to itself) on
 * its way to the object, which prices one in-process hop (a client's socket to an object always
 * passes through the router Worker, and under `wrangler dev` also through miniflare's entry
 * Worker, a hop deployed Workers do not have). The figure is
 * the worker process's utime + stime (/proc, proc-cpu.ts) per 1,000 sends, until every client
 * got every message. Clients connect past wrangler's proxy. Linux only.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import WS from "ws";
import { DevServer } from "../test/e2e/dev-server.ts";
import { devObservabilityEnv, devObservabilityLabel } from "./dev-observability.ts";
import { cpuSeconds, workerdPids, workerUrl } from "./proc-cpu.ts";
import { printTable } from "./util.ts";

const WORKER = `import { DurableObject } from "cloudflare:workers";
export class Hub extends DurableObject {
  live = new Set();
  async fetch(req) {
    const url = new URL(req.url);
    if (url.pathname === "/blast") {
      const rounds = Number(url.searchParams.get("rounds"));
      const text = JSON.stringify({ type: "delta", cycle: 1, addedRows: Array.from({ length: 5 },
        (_, i) => ({ Seq: i, SentAt: "2026-12-03T21:00:00.123456789Z" })) });
      const msg = url.searchParams.get("binary") === "1" ? new TextEncoder().encode(text).buffer : text;
      const all = url.searchParams.get("all") === "1";
      for (let r = 0; r < rounds; r++) {
        for (const ws of all ? this.ctx.getWebSockets() : this.live) ws.send(msg);
        await scheduler.wait(0);
      }
      return new Response("sent");
    }
    const pair = new WebSocketPair();
    if (url.searchParams.get("hibernate") === "1") this.ctx.acceptWebSocket(pair[1]);
    else pair[1].accept();
    this.live.add(pair[1]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }
  webSocketMessage() {}
  webSocketClose(ws) { this.live.delete(ws); }
}
export default {
  fetch(req, env) {
    const u = new URL(req.url);
    if (u.pathname === "/health") return new Response("ok");
    if (u.searchParams.get("via") === "self") {
      // One more in-process hop: the socket passes through a second Worker invocation.
      u.searchParams.delete("via");
      return env.SELF.fetch(new Request(u, req));
    }
    return env.HUB.get(env.HUB.idFromName(u.searchParams.get("hub") ?? "a")).fetch(req);
  },
};
`;

const CONFIG = `name = "tickflare-sendcost"
main = "worker.js"
compatibility_date = "2025-09-01"
[[services]]
binding = "SELF"
service = "tickflare-sendcost"
[[durable_objects.bindings]]
name = "HUB"
class_name = "Hub"
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Hub"]
`;

export async function sendCost(): Promise<void> {
  const sockets = Number(process.env.BENCH_SOCKETS ?? 1000);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 30);
  // DevServer runs a copy of tickflare's sources; the config points it at the throwaway Worker.
  const dir = mkdtempSync(join(os.tmpdir(), "tickflare-sendcost-"));
  writeFileSync(join(dir, "worker.js"), WORKER);
  const server = await DevServer.start({
    env: devObservabilityEnv(),
    config: {
      file: "wrangler.sendcost.toml",
      text: CONFIG.replace("worker.js", resolve(dir, "worker.js")),
    },
  });
  const out: string[][] = [];
  try {
    const pids = workerdPids(server.pid!, server.port);
    const url = await workerUrl(pids.worker);
    // [label, hub, hibernate, one more Worker hop, ways ([binary, walk getWebSockets()])].
    const setups: [string, string, boolean, boolean, [boolean, boolean][]][] = [
      [
        "Hibernation API",
        "hibernate",
        true,
        false,
        [
          [false, false],
          [true, false],
          [false, true],
        ],
      ],
      [
        "accept()",
        "plain",
        false,
        false,
        [
          [false, false],
          [true, false],
        ],
      ],
      ["Hibernation API, one more Worker hop", "hop", true, true, [[false, false]]],
    ];
    for (const [label, hub, hibernate, hop, ways] of setups) {
      let got = 0;
      const clients: WS[] = [];
      for (let i = 0; i < sockets; i++) {
        const ws = new WS(
          `${url.replace("http", "ws")}/sub?hub=${hub}&hibernate=${hibernate ? 1 : 0}${hop ? "&via=self" : ""}`,
          { perMessageDeflate: false },
        );
        ws.on("message", () => got++);
        await new Promise((ok, fail) => {
          ws.once("open", ok);
          ws.once("error", fail);
        });
        clients.push(ws);
      }
      for (const [binary, all] of ways) {
        got = 0;
        const cpu0 = cpuSeconds(pids.worker);
        const load = os.loadavg()[0]!;
        const q = `hub=${hub}&rounds=${rounds}&binary=${binary ? 1 : 0}&all=${all ? 1 : 0}`;
        await (await fetch(`${url}/blast?${q}`)).text();
        while (got < sockets * rounds) await new Promise((r) => setTimeout(r, 10));
        const ms = (cpuSeconds(pids.worker) - cpu0) * 1000;
        out.push([
          label,
          binary ? "binary" : "text",
          all ? "ctx.getWebSockets()" : "in-memory Set",
          (ms / ((sockets * rounds) / 1000)).toFixed(1),
          load.toFixed(1),
        ]);
        console.log(out.at(-1)!.join(" | "));
      }
      for (const ws of clients) ws.close();
    }
  } finally {
    await server.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(
    `WebSocket send cost in workerd (${sockets} sockets in one object, ${rounds} rounds, a 300-byte JSON delta; ${devObservabilityLabel()})`,
    ["sockets", "frame", "walked from", "worker ms per 1,000 sends", "load avg (1 min)"],
    out,
  );
}
