/**
 * `npm run bench:console [-- rows]`: the console's grid over a viewport subscription, opening a
 * large append-only history (default 10,000,000 rows of `Id int32, Price float64`, published as
 * Arrow batches of 250,000 rows) in Debian's chromium against a local `wrangler dev` this script
 * starts (AUTH off). Not a test.
 *
 * - First paint: from setting the address to `#/big/history` in a loaded console to the last row
 *   being on screen (polled every animation frame), and the WebSocket bytes received meanwhile;
 *   then until the chart is drawn from the server's downsample (which keeps the family object
 *   busy for about a second at 10M rows, so the scrolling below starts after it).
 * - Scrolling: 150 animation frames scrolling up 3 rows a frame, then 150 frames each jumping to
 *   a random position; the intervals between frames, the bytes received, and how long after a
 *   final jump to the middle every row on screen is filled (no "…").
 *
 * Prints a markdown table; copy it into BENCHMARKS.md with the machine description.
 */
import os from "node:os";
import { connect } from "../src/client/index.ts";
import { col, newTable } from "../src/engine/index.ts";
import { launchBrowser, openConsole } from "../test/browser/harness.ts";
import { DevServer } from "../test/e2e/dev-server.ts";
import { printTable } from "./util.ts";

const N = Number(process.argv[2] ?? 10_000_000);
const BATCH = 250_000;
const fmt = (i: number) => i.toLocaleString("en-US");
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

const server = await DevServer.start({ startTimeoutMs: 180_000 });
const browser = await launchBrowser();
try {
  const client = connect(server.url);
  await client.createTable("big", {
    columns: { Id: "int32", Price: "float64" },
    cycleMs: 100,
    derived: { history: "blinkToAppendOnly(source)" },
  });
  const t0 = performance.now();
  for (let from = 0; from < N; from += BATCH) {
    const n = Math.min(BATCH, N - from);
    const ids = Array.from({ length: n }, (_, k) => from + k);
    await client.publish(
      "big",
      newTable([
        col("Id", "int32", ids),
        col(
          "Price",
          "float64",
          ids.map((i) => i / 4),
        ),
      ]),
    );
  }
  for (;;) {
    const d = await client.describe("big");
    if (d.views.history!.size === N) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const buildS = (performance.now() - t0) / 1000;
  console.error(`built ${fmt(N)} rows in ${buildS.toFixed(1)} s`);

  const page = await openConsole(browser, server.url);
  let wsBytes = 0;
  let moves = 0;
  page.on("websocket", (ws) => {
    ws.on("framesent", (f) => {
      if (typeof f.payload === "string" && f.payload.includes('"viewport"')) moves++;
    });
    ws.on("framereceived", (f) => {
      wsBytes += typeof f.payload === "string" ? Buffer.byteLength(f.payload) : f.payload.length;
    });
  });
  let downsampleBytes = 0;
  let downsamples = 0;
  page.on("response", async (r) => {
    if (!r.url().includes("/downsample")) return;
    downsamples++;
    downsampleBytes += await r.body().then(
      (b) => b.length,
      () => 0, // the page closed first
    );
  });
  await page.evaluate(
    `(() => { window.__t0 = performance.now(); location.hash = "#/big/history"; })()`,
  );
  const firstPaintMs = (await (
    await page.waitForFunction(
      `(() => {
        const rows = [...document.querySelectorAll(".grid-row:not([hidden])")];
        return rows.some((r) => r.children[1]?.textContent === ${JSON.stringify(fmt(N - 1))})
          ? performance.now() - window.__t0
          : false;
      })()`,
      undefined,
      { polling: "raf", timeout: 300_000 },
    )
  ).jsonValue()) as number;
  const firstBytes = wsBytes;
  const loaded = Number(await page.locator("#grid-host").getAttribute("data-loaded"));
  // The chart's downsample of the whole history occupies the family object meanwhile: scroll
  // after it, so the frames below measure the grid alone.
  const chartMs = (await (
    await page.waitForFunction(
      `(() => /downsampled on the server/.test(document.querySelector("#chart-note")?.textContent ?? "")
        ? performance.now() - window.__t0
        : false)()`,
      undefined,
      { polling: "raf", timeout: 300_000 },
    )
  ).jsonValue()) as number;

  const before = wsBytes;
  const chartAnswers = downsamples;
  const frames = (await page.evaluate(`(async () => {
    const g = document.querySelector(".grid");
    const max = g.scrollHeight - g.clientHeight;
    const out = [];
    let last = performance.now();
    for (let i = 0; i < 300; i++) {
      await new Promise((r) => requestAnimationFrame(r));
      const now = performance.now();
      out.push(now - last);
      last = now;
      g.scrollTop = i < 150 ? g.scrollTop - 72 : Math.random() * max;
    }
    return out;
  })()`)) as number[];
  const scrollBytes = wsBytes - before;
  const scrollMoves = moves;
  const fillMs = (await page.evaluate(`(async () => {
    const g = document.querySelector(".grid");
    const t = performance.now();
    g.scrollTop = (g.scrollHeight - g.clientHeight) / 2;
    for (;;) {
      await new Promise((r) => requestAnimationFrame(r));
      const rows = [...g.querySelectorAll(".grid-row:not([hidden])")];
      if (rows.length > 0 && rows.every((r) => r.children[1].textContent !== "…")) return performance.now() - t;
    }
  })()`)) as number;

  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  printTable(
    `${fmt(N)}-row history, console grid in chromium (${cpu}, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}), build ${buildS.toFixed(0)} s`,
    ["measure", "value"],
    [
      ["first paint (address set to last row on screen)", `${firstPaintMs.toFixed(0)} ms`],
      ["WebSocket bytes received until first paint", fmt(firstBytes)],
      ["rows the client holds after opening", fmt(loaded)],
      [
        "chart drawn from the server's downsample (from the address set)",
        `${chartMs.toFixed(0)} ms`,
      ],
      ["downsample answer for the chart (HTTP bytes)", fmt(downsampleBytes)],
      [
        "frame interval while scrolling, p50 / p95 / max",
        `${pct(frames, 50).toFixed(1)} / ${pct(frames, 95).toFixed(1)} / ${Math.max(...frames).toFixed(1)} ms`,
      ],
      ["frames over 50 ms (of 300)", String(frames.filter((f) => f > 50).length)],
      ["WebSocket bytes received while scrolling (300 frames)", fmt(scrollBytes)],
      ["viewport moves sent while scrolling", fmt(scrollMoves)],
      ["jump to the middle until every row on screen is filled", `${fillMs.toFixed(0)} ms`],
      [
        "downsample answers: until the chart, then while scrolling and jumping",
        `${chartAnswers}, ${downsamples - chartAnswers}`,
      ],
    ],
  );
} finally {
  await browser.close();
  await server.dispose();
}
