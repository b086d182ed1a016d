/**
 * The web console in a real browser: Debian's chromium (playwright-core) against the real
 * `wrangler dev` on a free 127.0.0.1 port, which serves the console at `/` from its static assets
 * (built by wrangler's `[build]` step from src/console). Rows are published through the API with
 * the Node client, and the page must show them: a ring view within two cycles, 100,000 rows
 * with only the visible ones in the DOM, an aggregation's changed cells highlighted, server errors
 * next to the field at fault, the chart drawn, a phone-sized layout, and a reconnect after the
 * server restarts. Screenshots of the grid and the chart go to .ci-results/screenshots/.
 *
 * Waits poll against deadlines; nothing sleeps as an assertion. The browser and the dev server's
 * whole process tree are killed at the end whatever happens.
 */
import { statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TickflareClient } from "../../src/client/index.ts";
import { connect, TickflareClientError } from "../../src/client/index.ts";
import { DevServer } from "../e2e/dev-server.ts";
import {
  closeAll,
  ensureDir,
  launchBrowser,
  openConsole,
  pageErrors,
  startFeed,
  TRIG_SPEC,
  trigRows,
  waitFor,
} from "./harness.ts";

const SHOTS = resolve(import.meta.dirname, "../../.ci-results/screenshots");

let server: DevServer;
let browser: Browser;
let client: TickflareClient;
const pages: Page[] = [];

/** What the grid shows now, read in one step: its cycle, row count and visible rows' cells. */
interface GridState {
  cycle: number;
  rows: number;
  domRows: number;
  visible: string[][];
  changed: string[];
}
const readGrid = (page: Page): Promise<GridState> =>
  page.evaluate(`(() => {
    const g = document.querySelector(".grid");
    const shown = [...g.querySelectorAll(".grid-row:not([hidden])")];
    shown.sort((a, b) => Number(a.getAttribute("aria-rowindex")) - Number(b.getAttribute("aria-rowindex")));
    return {
      cycle: Number(g.dataset.cycle),
      rows: Number(g.dataset.rows),
      domRows: g.querySelectorAll(".grid-row").length,
      visible: shown.map((r) => [...r.children].map((c) => c.textContent)),
      changed: [...g.querySelectorAll(".grid-row:not([hidden]) .changed")].map((c) => c.textContent),
    };
  })()`);

async function open(hash?: string, size?: { width: number; height: number }): Promise<Page> {
  const page = await openConsole(browser, server.url, { hash, ...size });
  pages.push(page);
  return page;
}

async function openView(page: Page, family: string, view: string): Promise<void> {
  await page.getByRole("button", { name: "Refresh the table list" }).click();
  const button = page.locator(`button[data-family="${family}"][data-view="${view}"]`);
  await button.click();
  await waitFor(
    "the view to open",
    () => page.locator("#st-state").textContent(),
    (s) => s === "open",
  );
}

beforeAll(async () => {
  const [s, b] = await Promise.all([DevServer.start(), launchBrowser()]);
  server = s;
  browser = b;
  client = connect(server.url);
  await client.createTable("trig", TRIG_SPEC);
  await client.publish("trig", trigRows(0, 10));
}, 150_000);

afterAll(() => closeAll(pages, browser, server));

describe("the console", () => {
  it("is served at / and lists families with their views, types, sizes and cycle period", async () => {
    const page = await open();
    await page.getByRole("button", { name: "Refresh the table list" }).click();
    const views = page.locator('button[data-family="trig"]');
    await waitFor(
      "the views of trig",
      () => views.count(),
      (n) => n === 4,
    );
    const labels = await views.evaluateAll((bs) => bs.map((b) => b.getAttribute("aria-label")));
    expect(labels).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^trig source: blink, \d+ rows$/),
        expect.stringMatching(/^trig recent: ring, \d+ rows$/),
        expect.stringMatching(/^trig history: append-only, \d+ rows$/),
        expect.stringMatching(/^trig byQuadrant: aggregation, \d+ rows$/),
      ]),
    );
    const meta = await page
      .locator(".family", { hasText: "trig" })
      .locator(".family-meta")
      .textContent();
    expect(meta).toMatch(/^every 200 ms · cycle \d+$/);
    expect(pageErrors(page)).toEqual([]);
  });

  it("opens a ring view, and rows published through the API show within two cycles", async () => {
    await client.createTable("ticks", {
      columns: { Sym: "string", Price: "float64", Seq: "int32" },
      cycleMs: 250,
      derived: { last5: "ringTable(source, 5)" },
    });
    const page = await open();
    await openView(page, "ticks", "last5");
    await waitFor(
      "an empty grid",
      () => readGrid(page),
      (g) => g.rows === 0 && g.cycle >= 0,
    );

    const sent = await client.publish("ticks", [
      { Sym: "ALPHA", Price: 1.25, Seq: 1 },
      { Sym: "BRAVO", Price: 2.5, Seq: 2 },
    ]);
    const shown = await waitFor(
      "the published rows in the grid",
      () => readGrid(page),
      (g) => g.visible.some((r) => r.includes("BRAVO")),
    );
    // `sent.cycle` is the cycle the rows were due in; the grid showed them then or one later.
    expect(shown.cycle).toBeGreaterThanOrEqual(sent.cycle);
    expect(shown.cycle).toBeLessThanOrEqual(sent.cycle + 1);
    expect(shown.visible.map((r) => r.slice(1))).toEqual([
      ["ALPHA", "1.25", "1"],
      ["BRAVO", "2.5", "2"],
    ]);
    expect(await page.locator("#st-cycle").textContent()).toMatch(/^\d+$/);

    // The ring scrolls: it keeps the newest 5 rows, oldest first.
    const more = await client.publish(
      "ticks",
      Array.from({ length: 8 }, (_, i) => ({ Sym: `S${i + 3}`, Price: i, Seq: i + 3 })),
    );
    const after = await waitFor(
      "the ring to hold the newest rows",
      () => readGrid(page),
      (g) => g.visible.at(-1)?.[1] === "S10",
    );
    expect(after.cycle).toBeLessThanOrEqual(more.cycle + 1);
    expect(after.rows).toBe(5);
    expect(after.visible.map((r) => r[1])).toEqual(["S6", "S7", "S8", "S9", "S10"]);
    expect(pageErrors(page)).toEqual([]);
  });

  it("keeps 100,000 rows virtualised: only the visible rows are in the DOM", async () => {
    await client.createTable("big", {
      columns: { I: "int32", V: "float64" },
      cycleMs: 100,
      derived: { all: "blinkToAppendOnly(source)" },
    });
    const N = 100_000;
    const rows = Array.from({ length: N }, (_, i) => ({ I: i, V: i / 2 }));
    await client.publish("big", rows.slice(0, N / 2));
    await client.publish("big", rows.slice(N / 2));
    const page = await open();
    await openView(page, "big", "all");
    const full = await waitFor(
      "all rows",
      () => readGrid(page),
      (g) => g.rows === N,
      40_000,
    );
    expect(full.domRows).toBeLessThan(60);
    // An append-only view follows its newest rows.
    expect(full.visible.at(-1)?.[1]).toBe("99,999");

    const grid = page.locator(".grid");
    await grid.focus();
    await page.keyboard.press("Home");
    const top = await waitFor(
      "the top",
      () => readGrid(page),
      (g) => g.visible[0]?.[1] === "0",
    );
    expect(top.visible[1]?.[1]).toBe("1");
    expect(await page.locator("#follow").isChecked()).toBe(false);

    await grid.evaluate((el) => {
      el.scrollTop = el.scrollHeight / 2;
    });
    const mid = await waitFor(
      "the middle",
      () => readGrid(page),
      (g) => Math.abs(Number(g.visible[0]?.[1]?.replaceAll(",", "")) - N / 2) < 100,
    );
    expect(mid.domRows).toBeLessThan(60);
    await page.keyboard.press("End");
    await waitFor(
      "the end",
      () => readGrid(page),
      (g) => g.visible.at(-1)?.[1] === "99,999",
    );
    expect(await page.locator("#follow").isChecked()).toBe(true);

    // A view this large is charted from the server's downsample: min/max pairs per pixel column.
    const note = await waitFor(
      "the chart",
      () => page.locator("#chart-note").textContent(),
      (t) => t?.startsWith("100,000 rows") ?? false,
    );
    expect(note).toMatch(
      /^100,000 rows · downsampled on the server to \d+ pixel columns in \d+ ms$/,
    );
    const points = Number(await page.locator("#chart").getAttribute("data-points"));
    expect(points).toBeGreaterThan(0);
    expect(points).toBeLessThanOrEqual(2 * 4096);
    expect(pageErrors(page)).toEqual([]);
  });

  it("highlights an aggregation's changed cells in place", async () => {
    const page = await open();
    await openView(page, "trig", "byQuadrant");
    const before = await readGrid(page);
    const feed = startFeed(client, "trig", { from: 10, batch: 3, everyMs: 60 });
    try {
      const lit = await waitFor(
        "highlighted cells",
        () => readGrid(page),
        (g) => g.changed.length > 0 && g.cycle > before.cycle,
      );
      // Only the changed columns of the group that changed: never the key column.
      expect(lit.changed).not.toContain("Q1");
      expect(lit.rows).toBeLessThanOrEqual(4);
    } finally {
      await feed.stop();
    }
  });

  it("shows the server's error next to the spec field for a bad spec", async () => {
    const bad = {
      columns: { X: "float64" },
      derived: { y: 'source.update("Y = nope(X)")' },
    };
    const expected = await client.createTable("badspec", bad).then(
      () => null,
      (e) => e as TickflareClientError,
    );
    expect(expected).toBeInstanceOf(TickflareClientError);
    expect(expected!.detail).toMatch(/nope/);

    const page = await open();
    await page.getByRole("button", { name: "New…" }).click();
    await page.getByLabel("Name", { exact: true }).fill("badspec");
    await page.getByLabel("Spec (JSON)").fill(JSON.stringify(bad, null, 2));
    await page.getByRole("button", { name: "Create" }).click();
    const specError = page.locator("#create-spec-error");
    await specError.waitFor({ state: "visible" });
    expect(await specError.textContent()).toBe(`${expected!.error}: ${expected!.detail}`);
    const spec = page.getByLabel("Spec (JSON)");
    expect(await spec.getAttribute("aria-invalid")).toBe("true");
    expect(await spec.getAttribute("aria-describedby")).toContain("create-spec-error");
    expect(await page.locator("#create-name-error").isVisible()).toBe(false);

    // A bad name is the name field's fault, not the spec's.
    await page.getByLabel("Name", { exact: true }).fill("no spaces allowed");
    await page.getByLabel("Spec (JSON)").fill('{ "columns": { "X": "float64" } }');
    await page.getByRole("button", { name: "Create" }).click();
    await page.locator("#create-name-error").waitFor({ state: "visible" });
    expect(await page.locator("#create-name-error").textContent()).toMatch(/^bad_name: /);
    expect(await specError.isVisible()).toBe(false);

    // JSON that does not parse never reaches the server; the message names line and column.
    await page.getByLabel("Name", { exact: true }).fill("typo");
    await page.getByLabel("Spec (JSON)").fill('{\n  "columns": { "X": "float64", }\n}');
    await page.getByRole("button", { name: "Create" }).click();
    await specError.waitFor({ state: "visible" });
    expect(await specError.textContent()).toMatch(/^bad_json: not valid JSON: .*line 2/);

    // A good spec creates the family and opens its source view.
    await page.getByLabel("Name", { exact: true }).fill("made");
    await page.getByLabel("Spec (JSON)").fill('{ "columns": { "Sym": "string", "N": "int64" } }');
    await page.getByRole("button", { name: "Create" }).click();
    await waitFor(
      "the new view",
      () => page.locator("#view-title").textContent(),
      (t) => t === "made / source",
    );
    expect(await page.locator("#create-dialog").isVisible()).toBe(false);
    expect((await client.describe("made")).spec.sources.source?.columns).toEqual({
      Sym: "string",
      N: "int64",
    });
    expect(pageErrors(page)).toEqual([]);
  });

  it("publishes rows by hand, with the server's error next to the rows field", async () => {
    await client.createTable("manual", {
      columns: { Sym: "string", N: "int64" },
      cycleMs: 100,
      derived: { all: "blinkToAppendOnly(source)" },
    });
    const page = await open("#/manual/all");
    await waitFor(
      "the view",
      () => page.locator("#st-state").textContent(),
      (s) => s === "open",
    );
    await page.locator("#publish-panel summary").click();
    const rows = page.getByLabel(/^Rows for manual/);
    expect(JSON.parse(await rows.inputValue())).toEqual([{ Sym: "text", N: 1 }]);

    const bad = [{ Sym: "A", N: 1.5 }];
    const expected = await client.publish("manual", bad).then(
      () => null,
      (e) => e as TickflareClientError,
    );
    expect(expected).toBeInstanceOf(TickflareClientError);
    await rows.fill(JSON.stringify(bad));
    await page.getByRole("button", { name: "Publish" }).click();
    const err = page.locator("#publish-rows-error");
    await err.waitFor({ state: "visible" });
    expect(await err.textContent()).toBe(`${expected!.error}: ${expected!.detail}`);
    expect(await rows.getAttribute("aria-invalid")).toBe("true");

    await rows.fill('[{ "Sym": "BYHAND", "N": 7 }]');
    await page.getByRole("button", { name: "Publish" }).click();
    await waitFor(
      "the ack",
      () => page.locator("#publish-result").textContent(),
      (t) => /^Accepted 1 row; expected in cycle \d+\.$/.test(t ?? ""),
    );
    expect(await err.isVisible()).toBe(false);
    await waitFor(
      "the row",
      () => readGrid(page),
      (g) => g.visible.some((r) => r[1] === "BYHAND"),
    );
  });

  it("edits an input table's cells in place, shows the server's error at the cell, deletes rows", async () => {
    await client.createTable("refdata", {
      sources: {
        names: {
          type: "input",
          columns: { Sym: "string", Name: "string", Lot: "int32" },
          keys: ["Sym"],
        },
      },
      cycleMs: 100,
    });
    await client.publish(
      "refdata",
      [
        { Sym: "AAPL", Name: "Apple", Lot: 100 },
        { Sym: "MSFT", Name: "Microsoft", Lot: 50 },
      ],
      { source: "names" },
    );
    const page = await open();
    await openView(page, "refdata", "names");
    const rows = () => readGrid(page).then((g) => g.visible.map((r) => r.slice(1)));
    await waitFor("the two rows", rows, (r) => r.length === 2);
    // Edit a value cell: double-click, type, Enter; the new value comes back through the stream.
    await page.locator('.grid-row[data-key="0"] .grid-cell[data-column="Name"]').dblclick();
    const name = page.getByLabel("Name of row 0");
    await name.fill("Apple Inc.");
    await name.press("Enter");
    await waitFor(
      "the edited name",
      rows,
      (r) =>
        JSON.stringify(r) ===
        JSON.stringify([
          ["AAPL", "Apple Inc.", "100"],
          ["MSFT", "Microsoft", "50"],
        ]),
    );
    // A value the server refuses: its error is shown in the cell, and nothing changes.
    await page.locator('.grid-row[data-key="1"] .grid-cell[data-column="Lot"]').dblclick();
    const lot = page.getByLabel("Lot of row 1");
    await lot.fill("lots");
    await lot.press("Enter");
    const error = page.locator('.grid-row[data-key="1"] .cell-error');
    await waitFor(
      "the error at the cell",
      () => error.textContent(),
      (t) => t !== null && t !== "",
    );
    expect(await error.textContent()).toBe('column "Lot": expected int32, got "lots"');
    expect(await lot.getAttribute("aria-invalid")).toBe("true");
    await lot.press("Escape");
    await waitFor(
      "the editor to close",
      () => page.locator(".cell-editor").count(),
      (n) => n === 0,
    );
    // Delete a row by its button.
    await page.getByRole("button", { name: "Delete row 1" }).click();
    await waitFor("the deleted row", rows, (r) => r.length === 1 && r[0]![0] === "AAPL");
    expect(await client.snapshot("refdata", "names")).toMatchObject({
      rows: [{ Sym: "AAPL", Name: "Apple Inc.", Lot: 100 }],
    });
    expect(pageErrors(page)).toEqual([]);
  });

  it("draws the chart, and saves screenshots of the grid and the chart", async () => {
    const feed = startFeed(client, "trig", { from: 100, batch: 40, everyMs: 50 });
    try {
      await waitFor(
        "rows to plot",
        () => client.describe("trig"),
        (d) => d.views.history!.size > 600,
      );
      const page = await open("#/trig/history");
      await waitFor(
        "the view",
        () => page.locator("#st-state").textContent(),
        (s) => s === "open",
      );
      const xs = await page.locator("#chart-x").inputValue();
      expect(xs).toBe("X");
      const series = await page
        .locator("#chart-y input:checked")
        .evaluateAll((bs) => bs.map((b) => (b as unknown as { value: string }).value));
      expect(series).toEqual(["SinX", "CosX", "TanX"]);
      // Coloured pixels (the lines) on the canvas, not just an empty frame.
      const inked = await waitFor(
        "lines on the canvas",
        () =>
          page.evaluate(`(() => {
            const c = document.querySelector("#chart canvas");
            if (!c) return 0; // drawn once the chart's subscription has its snapshot
            const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && Math.abs(d[i] - d[i + 2]) > 60) n++;
            return n;
          })()`) as Promise<number>,
        (n) => n > 500,
      );
      expect(inked).toBeGreaterThan(500);
      await waitFor(
        "a ticking rate",
        () => page.locator("#st-rate").textContent(),
        (t) => Number.parseFloat(t ?? "0") > 0,
      );

      const shots = {
        grid: join(SHOTS, "grid.png"),
        chart: join(SHOTS, "chart.png"),
        console: join(SHOTS, "console.png"),
      };
      ensureDir(shots.grid);
      await page.locator(".grid").screenshot({ path: shots.grid });
      await page.locator("#chart-panel").screenshot({ path: shots.chart });
      await page.screenshot({ path: shots.console });
      for (const file of Object.values(shots)) expect(statSync(file).size).toBeGreaterThan(8000);
      expect(pageErrors(page)).toEqual([]);
    } finally {
      await feed.stop();
    }
  });

  it("fits a phone: one column, no sideways scrolling of the page", async () => {
    const page = await open("#/trig/recent", { width: 390, height: 844 });
    await waitFor(
      "the view",
      () => page.locator("#st-state").textContent(),
      (s) => s === "open",
    );
    const overflow = await page.evaluate(
      "document.documentElement.scrollWidth - document.documentElement.clientWidth",
    );
    expect(overflow).toBe(0);
    const grid = await page.locator(".grid").boundingBox();
    const chart = await page.locator(".chart-box").boundingBox();
    expect(grid!.width).toBeGreaterThan(340);
    expect(chart!.y).toBeGreaterThan(grid!.y + grid!.height - 1);
    const shot = join(SHOTS, "phone.png");
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(8000);
  });

  it("reconnects by itself when the server restarts", async () => {
    await client.createTable("restart", {
      columns: { Sym: "string" },
      cycleMs: 100,
      derived: { all: "blinkToAppendOnly(source)" },
    });
    await client.publish("restart", [{ Sym: "BEFORE" }]);
    const page = await open("#/restart/all");
    await waitFor(
      "the row",
      () => readGrid(page),
      (g) => g.visible.some((r) => r[1] === "BEFORE"),
    );
    await server.kill();
    await waitFor(
      "the lost connection",
      () => page.locator("#st-state").textContent(),
      (s) => s === "reconnecting" || s === "connecting",
    );
    await server.start();
    await waitFor(
      "the reconnect",
      () => page.locator("#st-state").textContent(),
      (s) => s === "open",
      60_000,
    );
    await client.publish("restart", [{ Sym: "AFTER" }]);
    const g = await waitFor(
      "the new row",
      () => readGrid(page),
      (s) => s.visible.some((r) => r[1] === "AFTER"),
    );
    expect(g.visible.map((r) => r[1])).toEqual(["BEFORE", "AFTER"]);
    expect(pageErrors(page)).toEqual([]);
  });
});
