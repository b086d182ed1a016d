/**
 * `npm run bench:history [-- rows]`: a large append-only history read through the real family
 * object, whose history keeps only its last pages in memory and reads older ones back from
 * SQLite storage (docs/architecture.md). Starts a local `wrangler dev` (AUTH off), publishes
 * `rows` (default 10,000,000) rows of `Ts instant, Price float64` as Arrow batches of 250,000 into
 * `big` with `history: blinkToAppendOnly(source)`, then measures, each time after a one-row
 * publish has run a cycle (so the history's older pages are evicted again, as in a ticking
 * family):
 *
 * - a chart: `GET .../views/history/downsample?x=Ts&y=Price&width=800` (and with x the row
 *   position), request to answer, 3 runs each;
 * - far jumps: a viewport subscriber (126 rows) at the end moved to a random position in the
 *   first 90 % (`setViewport`, until the answer is applied), 10 jumps; then 3 jumps asked while
 *   a chart's downsample is being answered (the object answers one at a time, so the jump waits).
 *
 * The "answer" column shows the downsample's size and a hash of its series, to compare versions.
 *
 * Prints a markdown table; copy it into BENCHMARKS.md with the load average it prints. Not a test.
 */
import { createHash } from "node:crypto";
import os from "node:os";
import WS from "ws";
import type { WebSocketLike } from "../src/client/index.ts";
import { connect } from "../src/client/index.ts";
import { col, newTable } from "../src/engine/index.ts";
import { DevServer } from "../test/e2e/dev-server.ts";
import { printTable } from "./util.ts";

const N = Number(process.argv[2] ?? 10_000_000);
const BATCH = 250_000;
const VIEWPORT = 126;
const T0 = 1_714_570_200_000_000_000n;
const fmt = (i: number) => i.toLocaleString("en-US");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Row i: one row a millisecond, a slow wave plus a fast wiggle. */
function batch(from: number, n: number) {
  const ids = Array.from({ length: n }, (_, k) => from + k);
  return newTable([
    col(
      "Ts",
      "instant",
      ids.map((i) => T0 + BigInt(i) * 1_000_000n),
    ),
    col(
      "Price",
      "float64",
      ids.map((i) => 100 + Math.sin(i / 1e5) * 5 + (i % 7)),
    ),
  ]);
}

const server = await DevServer.start({ startTimeoutMs: 180_000 });
try {
  const client = connect(server.url, {
    webSocket: (u) => new WS(u, { perMessageDeflate: false }) as unknown as WebSocketLike,
  });
  await client.createTable("big", {
    columns: { Ts: "instant", Price: "float64" },
    cycleMs: 100,
    derived: { history: "blinkToAppendOnly(source)" },
  });
  let size = 0;
  const t0 = performance.now();
  for (; size < N; size += BATCH)
    await client.publish("big", batch(size, Math.min(BATCH, N - size)));
  size = N;
  const waitSize = async (n: number) => {
    while ((await client.describe("big")).views.history!.size !== n)
      await new Promise((r) => setTimeout(r, 100));
  };
  await waitSize(N);
  const buildS = (performance.now() - t0) / 1000;
  console.error(`built ${fmt(N)} rows in ${buildS.toFixed(1)} s`);
  /** One more row and its cycle: the history saves it and evicts all but its last pages. */
  const tick = async () => {
    await client.publish("big", batch(size, 1));
    size++;
    await waitSize(size);
  };

  const rows: string[][] = [];
  const base = `${server.url}/v1/tables/big/views/history/downsample?width=800&y=Price`;
  for (const [label, q] of [
    ["chart: downsample x=Ts y=Price width=800", "&x=Ts"],
    ["chart: downsample x=(position) y=Price width=800", ""],
  ] as const) {
    const times: number[] = [];
    let bytes = 0;
    let hash = "";
    for (let i = 0; i < 3; i++) {
      await tick();
      const t = performance.now();
      const res = await fetch(base + q);
      const body = await res.arrayBuffer();
      times.push(performance.now() - t);
      if (res.status !== 200)
        throw new Error(`downsample: ${res.status} ${new TextDecoder().decode(body)}`);
      bytes = body.byteLength;
      const { xMin, xMax, series } = JSON.parse(new TextDecoder().decode(body));
      hash = createHash("sha256")
        .update(JSON.stringify({ xMin, xMax, series }))
        .digest("hex")
        .slice(0, 12);
    }
    rows.push([label, times.map((t) => t.toFixed(0)).join(", "), `${fmt(bytes)} B, ${hash}`]);
  }

  const sub = await client.subscribe("big", "history", {
    viewport: { first: size - VIEWPORT, last: size - 1 },
  });
  const jumps: number[] = [];
  let seed = 7;
  for (let i = 0; i < 10; i++) {
    await tick();
    seed = (seed * 48271) % 2147483647;
    const first = Math.floor((seed / 2147483647) * size * 0.9);
    const t = performance.now();
    await sub.setViewport(first, first + VIEWPORT - 1);
    jumps.push(performance.now() - t);
    if (sub.table.size !== VIEWPORT) throw new Error(`viewport holds ${sub.table.size} rows`);
  }
  const busy: number[] = [];
  for (let i = 0; i < 3; i++) {
    await tick();
    const chart = fetch(`${base}&x=Ts`).then((r) => r.arrayBuffer());
    await new Promise((r) => setTimeout(r, 20)); // the downsample reaches the object first
    const first = Math.floor(size * (0.2 + 0.3 * i));
    const t = performance.now();
    await sub.setViewport(first, first + VIEWPORT - 1);
    busy.push(performance.now() - t);
    await chart;
  }
  sub.close();
  rows.push([
    `far jump of a ${VIEWPORT}-row viewport (setViewport to applied), median / max of 10`,
    `${median(jumps).toFixed(0)} / ${Math.max(...jumps).toFixed(0)}`,
    "",
  ]);
  rows.push([
    "far jump asked while a chart's downsample (x=Ts) is answered, 3 runs",
    busy.map((t) => t.toFixed(0)).join(", "),
    "",
  ]);
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  printTable(
    `${fmt(N)}-row history through wrangler dev (${cpu}, ${os.cpus().length} cores, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}), build ${buildS.toFixed(0)} s`,
    ["measure", "ms", "answer"],
    rows,
  );
} finally {
  await server.dispose();
}
