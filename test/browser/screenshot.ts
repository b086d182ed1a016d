/**
 * `npm run screenshot:console`: writes docs/console.png, the console showing the seed's trig
 * example ticking (the append-only history of X, SinX, CosX, TanX as a grid and a live chart),
 * and docs/console-explore.png, a trades history sorted, filtered and charted one line per
 * symbol with a second y axis (opened from an address that holds that state).
 * Same machinery as the browser tests: a real `wrangler dev` on a free loopback port and Debian's
 * chromium; both are killed at the end. `--out FILE` writes elsewhere.
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { connect } from "../../src/client/index.ts";
import { DevServer } from "../e2e/dev-server.ts";
import {
  ensureDir,
  launchBrowser,
  openConsole,
  startFeed,
  TRIG_SPEC,
  trigRows,
} from "./harness.ts";

const outArg = process.argv.indexOf("--out");
const OUT = resolve(
  outArg > 0 ? process.argv[outArg + 1]! : resolve(import.meta.dirname, "../../docs/console.png"),
);

const server = await DevServer.start();
const browser = await launchBrowser().catch(async (e) => {
  await server.dispose();
  throw e;
});
try {
  const client = connect(server.url);
  await client.createTable("trig", TRIG_SPEC);
  // A little over one period of the functions, then a slow steady feed so the page is ticking.
  for (let i = 0; i < 680; i += 170) await client.publish("trig", trigRows(i, 170));
  const feed = startFeed(client, "trig", { from: 680, batch: 2, everyMs: 100 });
  try {
    const page = await openConsole(browser, server.url, { hash: "#/trig/history" });
    const deadline = Date.now() + 30_000;
    while ((await page.locator("#st-state").textContent()) !== "open") {
      if (Date.now() > deadline) throw new Error("the view did not open");
      await new Promise((r) => setTimeout(r, 50));
    }
    // Let a few cycles tick (rows per second, the grid following the newest rows).
    await new Promise((r) => setTimeout(r, 2500));
    ensureDir(OUT);
    await page.screenshot({ path: OUT });
    console.log(`wrote ${OUT} (${statSync(OUT).size} bytes)`);

    await client.createTable("trades", {
      columns: { Sym: "string", Price: "float64", Size: "int32", Ts: "instant" },
      cycleMs: 200,
      derived: { recent: "ringTable(source, 1000)", history: "blinkToAppendOnly(source)" },
    });
    const syms = ["AAPL", "MSFT", "GOOG", "AMZN"];
    const t0 = Date.UTC(2024, 4, 1, 13, 30);
    await client.publish(
      "trades",
      Array.from({ length: 400 }, (_, i) => ({
        Sym: syms[i % 4]!,
        Price: 100 + (i % 4) * 40 + Math.sin(i / 30 + (i % 4)) * 12,
        Size: 100 + ((i * 37) % 900),
        Ts: new Date(t0 + i * 1000).toISOString(),
      })),
    );
    const explore = await openConsole(browser, server.url, {
      hash: "#/trades/history?sort=-Size&f.Sym=%21%3D+AMZN&hide=Ts&x=Ts&y=Price&y2=Size&by=Sym",
    });
    while ((await explore.locator(".grid").getAttribute("data-rows")) !== "300") {
      if (Date.now() > deadline + 30_000) throw new Error("the trades did not show");
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 1000));
    const out2 = resolve(OUT, "../console-explore.png");
    await explore.screenshot({ path: out2 });
    console.log(`wrote ${out2} (${statSync(out2).size} bytes)`);
  } finally {
    await feed.stop();
  }
} finally {
  await browser.close();
  await server.dispose();
}
