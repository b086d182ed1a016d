/**
 * Exploring views in the console, in Debian's chromium against the real `wrangler dev` (AUTH off,
 * as `npm run dev`): no sign-in step; sort by header clicks, quick filters, hidden and reordered
 * columns, copied cells, all kept in the address and restored from it; a chart split by a key
 * column with a second y axis and instants as times; blink views that explain themselves and
 * follow their ring; and the bugs a new user hit (a chart after switching views, the clipped
 * chart placeholder, cut-off instants, sidebar counts that lagged the cycles). The grid reads a
 * viewport subscription: its sort and filters run on the server (describe lists the ad-hoc view),
 * and a 1,000,000-row history opens at its end and scrolls anywhere while the page holds only
 * the viewport's rows. Screenshots go to .ci-results/screenshots/.
 *
 * Waits poll against deadlines; nothing sleeps as an assertion.
 */
import { statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TickflareClient } from "../../src/client/index.ts";
import { connect } from "../../src/client/index.ts";
import { col, newTable } from "../../src/engine/index.ts";
import { DevServer } from "../e2e/dev-server.ts";
import { closeAll, ensureDir, launchBrowser, openConsole, pageErrors, waitFor } from "./harness.ts";

const SHOTS = resolve(import.meta.dirname, "../../.ci-results/screenshots");

let server: DevServer;
let browser: Browser;
let client: TickflareClient;
const pages: Page[] = [];

const SYMS = ["AAPL", "MSFT", "GOOG"];
/** 60 trades: 20 per symbol, one a second from 13:30, with nanosecond instants. */
const TRADES = Array.from({ length: 60 }, (_, i) => ({
  Sym: SYMS[i % 3]!,
  Price: 100 + (i % 3) * 50 + Math.sin(i / 4) * 10,
  Size: 100 + i,
  Ts: `2024-05-01T13:${String(30 + Math.floor(i / 60)).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}.123456789Z`,
}));

async function open(hash?: string): Promise<Page> {
  const page = await openConsole(browser, server.url, { hash });
  pages.push(page);
  await waitFor(
    "the view",
    () => page.locator("#st-state").textContent(),
    (s) => !hash || s === "open",
  );
  return page;
}

interface GridState {
  rows: number;
  /** Position of the first row on screen. */
  first: number;
  head: string[];
  sort: string[];
  visible: string[][];
}
const readGrid = (page: Page): Promise<GridState> =>
  page.evaluate(`(() => {
    const g = document.querySelector(".grid");
    const shown = [...g.querySelectorAll(".grid-row:not([hidden])")];
    shown.sort((a, b) => Number(a.dataset.pos) - Number(b.dataset.pos));
    const heads = [...g.querySelectorAll(".grid-head .head")];
    return {
      rows: Number(g.dataset.rows),
      first: shown.length > 0 && g.scrollTop === 0 ? Number(shown[0].dataset.pos) : -1,
      head: heads.map((h) => h.dataset.column),
      sort: heads.map((h) => h.getAttribute("aria-sort") + (h.querySelector(".sort-ind")?.textContent ?? "")),
      visible: shown.map((r) => [...r.children].slice(1).map((c) => c.textContent)),
    };
  })()`);

/** The rows on screen with their positions (values without the key column). */
const readGridAt = (
  page: Page,
): Promise<{ rows: number; visible: { pos: number; cells: string[] }[] }> =>
  page.evaluate(`(() => {
    const g = document.querySelector(".grid");
    const shown = [...g.querySelectorAll(".grid-row:not([hidden])")];
    shown.sort((a, b) => Number(a.dataset.pos) - Number(b.dataset.pos));
    const top = g.getBoundingClientRect().top + g.querySelector(".grid-headwrap").offsetHeight;
    const bottom = g.getBoundingClientRect().bottom;
    const onScreen = shown.filter((r) => {
      const b = r.getBoundingClientRect();
      return b.top >= top - 1 && b.bottom <= bottom + 1;
    });
    return {
      rows: Number(g.dataset.rows),
      visible: onScreen.map((r) => ({
        pos: Number(r.dataset.pos),
        cells: [...r.children].slice(1).map((c) => c.textContent),
      })),
    };
  })()`);

const headButton = (page: Page, column: string) =>
  page.locator(`.grid-head .head[data-column="${column}"] .sort-btn`);

const hashOf = (page: Page) => new URL(page.url()).hash;

async function shot(page: Page, name: string, target?: string): Promise<void> {
  const file = join(SHOTS, name);
  ensureDir(file);
  if (target) await page.locator(target).screenshot({ path: file });
  else await page.screenshot({ path: file });
  expect(statSync(file).size).toBeGreaterThan(4000);
}

/** Distinct series colours drawn on the chart's canvas (pixels far from grey). */
const inkColours = (page: Page): Promise<number> =>
  page.evaluate(`(() => {
    const c = document.querySelector("#chart canvas");
    if (!c) return 0;
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    const seen = new Map();
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] < 200) continue;
      const r = d[i], g = d[i + 1], b = d[i + 2];
      if (Math.max(r, g, b) - Math.min(r, g, b) < 60) continue;
      const k = (r >> 5) + "," + (g >> 5) + "," + (b >> 5);
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    return [...seen.values()].filter((n) => n > 40).length;
  })()`);

beforeAll(async () => {
  const [s, b] = await Promise.all([DevServer.start(), launchBrowser()]);
  server = s;
  browser = b;
  client = connect(server.url);
  await client.createTable("mkt", {
    columns: { Sym: "string", Price: "float64", Size: "int32", Ts: "instant" },
    cycleMs: 200,
    derived: { recent: "ringTable(source, 500)", history: "blinkToAppendOnly(source)" },
  });
  await client.createTable("flash", { columns: { N: "int32", V: "float64" }, cycleMs: 200 });
  await client.createTable("pairs", {
    columns: { Q: "int32", W: "float64" },
    cycleMs: 200,
    derived: { all: "blinkToAppendOnly(source)" },
  });
  const sent = await client.publish("mkt", TRADES);
  await client.publish("pairs", [
    { Q: 1, W: 0.5 },
    { Q: 2, W: 1.5 },
    { Q: 3, W: 1 },
  ]);
  await waitFor(
    "the trades to be applied",
    () => client.describe("mkt"),
    (d) => d.cycle > sent.cycle && d.views.history!.size === 60,
  );
}, 150_000);

afterAll(() => closeAll(pages, browser, server));

describe("exploring views", () => {
  it("needs no sign-in step when the server runs with AUTH off", async () => {
    const page = await open();
    expect(await page.locator("#signin").isHidden()).toBe(true);
    expect(await page.locator("#workspace").isVisible()).toBe(true);
    await waitFor(
      "the table list",
      () => page.locator('button[data-family="mkt"]').count(),
      (n) => n === 3,
    );
    expect(pageErrors(page)).toEqual([]);
  });

  it("sorts by header clicks and filters with quick filters, keeping both in the address", async () => {
    const page = await open("#/mkt/history");
    await waitFor(
      "all rows",
      () => readGrid(page),
      (g) => g.rows === 60,
    );
    await headButton(page, "Size").click();
    let g = await waitFor(
      "ascending Size",
      () => readGrid(page),
      (s) => s.sort[2] === "ascending▲",
    );
    expect(g.visible[0]).toEqual([
      "AAPL",
      TRADES[0]!.Price.toFixed(4).replace(/\.?0+$/, ""),
      "100",
      TRADES[0]!.Ts,
    ]);
    await headButton(page, "Size").click();
    g = await waitFor(
      "descending Size",
      () => readGrid(page),
      (s) => s.sort[2] === "descending▼" && s.visible[0]?.[2] === "159",
    );
    // Shift-click adds a second sort column; a plain click replaces the sort.
    await headButton(page, "Sym").click({ modifiers: ["Shift"] });
    g = await waitFor(
      "two sort columns",
      () => readGrid(page),
      (s) => s.sort.join() === "ascending▲2,none,descending▼1,none",
    );
    expect(hashOf(page)).toBe("#/mkt/history?sort=-Size%2CSym&x=Ts&y=Price%2CSize");
    // A plain click on Sym (ascending) moves it on to descending, alone.
    await headButton(page, "Sym").click();
    g = await waitFor(
      "Sym alone",
      () => readGrid(page),
      (s) => s.sort.join() === "descending▼,none,none,none",
    );
    expect(g.visible[0]?.[0]).toBe("MSFT");

    // Quick filters: a value, a comparison; a bad one is refused next to its field.
    const symFilter = page.getByLabel("Filter Sym");
    await symFilter.fill("MSFT");
    await symFilter.press("Enter");
    g = await waitFor(
      "only MSFT",
      () => readGrid(page),
      (s) => s.rows === 20,
    );
    expect(new Set(g.visible.map((r) => r[0]))).toEqual(new Set(["MSFT"]));
    await waitFor(
      "the filtered count",
      () => page.locator("#st-rows").textContent(),
      (t) => t === "20 of 60",
    );
    const sizeFilter = page.getByLabel("Filter Size");
    await sizeFilter.fill("> 150");
    await sizeFilter.press("Enter");
    g = await waitFor(
      "MSFT above 150",
      () => readGrid(page),
      (s) => s.rows === 3,
    );
    expect(g.visible.map((r) => r[2])).toEqual(["152", "155", "158"]);
    const priceFilter = page.getByLabel("Filter Price");
    await priceFilter.fill("> abc");
    await priceFilter.press("Enter");
    await page.locator("#where-error").waitFor({ state: "visible" });
    expect(await page.locator("#where-error").textContent()).toBe(
      'filter on Price: "abc" is not a number (the column is float64)',
    );
    expect(await page.getByLabel("Filter Price").getAttribute("aria-invalid")).toBe("true");
    expect((await readGrid(page)).rows).toBe(3);
    await page.getByLabel("Filter Price").fill("");
    await page.getByLabel("Filter Price").press("Enter");
    await page.locator("#where-error").waitFor({ state: "hidden" });

    // A full formula.
    await page.getByLabel("Filter formula").fill("Size % 2 == 0");
    await page.getByLabel("Filter formula").press("Enter");
    g = await waitFor(
      "even sizes",
      () => readGrid(page),
      (s) => s.rows === 2,
    );
    expect(g.visible.map((r) => r[2])).toEqual(["152", "158"]);
    expect(hashOf(page)).toBe(
      "#/mkt/history?sort=-Sym&f.Sym=MSFT&f.Size=%3E+150&where=Size+%25+2+%3D%3D+0&x=Ts&y=Price%2CSize",
    );
    await shot(page, "grid-sorted-filtered.png", ".view");
    expect(pageErrors(page)).toEqual([]);
  });

  it("hides, reorders and copies columns, and a shared address opens the same view", async () => {
    const page = await open("#/mkt/history");
    await waitFor(
      "all rows",
      () => readGrid(page),
      (g) => g.rows === 60,
    );
    // Hide Size from its column menu; move Ts first by dragging its header onto Sym's.
    await page.getByRole("button", { name: "Column Size menu" }).click();
    await page.getByRole("menuitem", { name: "Hide column" }).click();
    await waitFor(
      "Size hidden",
      () => readGrid(page),
      (g) => g.head.join() === "Sym,Price,Ts",
    );
    await page
      .locator('.grid-head .head[data-column="Ts"]')
      .dragTo(page.locator('.grid-head .head[data-column="Sym"]'));
    await waitFor(
      "Ts first",
      () => readGrid(page),
      (g) => g.head.join() === "Ts,Sym,Price",
    );
    // The menu moves columns too (the keyboard's way).
    await page.getByRole("button", { name: "Column Price menu" }).click();
    await page.getByRole("menuitem", { name: "Move left" }).click();
    let g = await waitFor(
      "Price second",
      () => readGrid(page),
      (s) => s.head.join() === "Ts,Price,Sym",
    );
    expect(await page.locator("#columns summary").textContent()).toBe("Columns (1 hidden)");
    const hash = hashOf(page);
    expect(hash).toBe("#/mkt/history?hide=Size&order=Ts%2CPrice%2CSym%2CSize&x=Ts&y=Price%2CSize");

    // Copy a block: click one cell, shift-click another; the copy is tab-separated text.
    const cellAt = (row: number, col: number) =>
      page.locator(`.grid-row[data-pos="${row}"] .grid-cell[data-col="${col}"]`);
    await page.getByRole("checkbox", { name: "Follow newest rows" }).uncheck();
    await page.locator(".grid").focus();
    await page.keyboard.press("Home");
    g = await waitFor(
      "the top",
      () => readGrid(page),
      (s) => s.first === 0,
    );
    await cellAt(0, 1).click();
    await cellAt(2, 2).click({ modifiers: ["Shift"] });
    const copied = await page.evaluate(`(() => {
      const dt = new DataTransfer();
      document.querySelector(".grid").dispatchEvent(new ClipboardEvent("copy", { clipboardData: dt, bubbles: true, cancelable: true }));
      return dt.getData("text/plain");
    })()`);
    expect(copied).toBe(
      g.visible
        .slice(0, 3)
        .map((r) => `${r[1]}\t${r[2]}`)
        .join("\n"),
    );
    // The block is marked on the next frame after the click.
    await waitFor(
      "the selected block",
      () => page.locator(".grid-cell.selected").count(),
      (n) => n === 6,
    );

    // The same address in a new tab: the same columns, in the same order.
    const again = await open(hash);
    const same = await waitFor(
      "the restored view",
      () => readGrid(again),
      (s) => s.rows === 60,
    );
    expect(same.head).toEqual(["Ts", "Price", "Sym"]);
    expect(await again.locator("#columns summary").textContent()).toBe("Columns (1 hidden)");
    expect(hashOf(again)).toBe(hash);
    // Restore everything from the Columns menu.
    await again.locator("#columns summary").click();
    await again.getByRole("button", { name: "Reset columns" }).click();
    await waitFor(
      "all columns",
      () => readGrid(again),
      (s) => s.head.join() === "Sym,Price,Size,Ts",
    );
    expect(hashOf(again)).toBe("#/mkt/history?x=Ts&y=Price%2CSize");
    await shot(page, "grid-columns.png", ".view");
    expect(pageErrors(page)).toEqual([]);
  });

  it("round-trips sort, filters and chart settings through the address", async () => {
    const hash = "#/mkt/history?sort=-Price&f.Sym=GOOG&hide=Size&x=Ts&y=Price&y2=Size&by=Sym";
    const page = await open(hash);
    const g = await waitFor(
      "the filtered, sorted view",
      () => readGrid(page),
      (s) => s.rows === 20 && s.head.join() === "Sym,Price,Ts",
    );
    expect(g.sort).toEqual(["none", "descending▼", "none"]);
    const prices = g.visible.map((r) => Number(r[1]!.replaceAll(",", "")));
    expect(prices).toEqual([...prices].sort((a, b) => b - a));
    expect(await page.getByLabel("Filter Sym").inputValue()).toBe("GOOG");
    expect(await page.locator("#chart-x").inputValue()).toBe("Ts");
    expect(await page.locator("#chart-y2").inputValue()).toBe("Size");
    expect(await page.locator("#chart-by").inputValue()).toBe("Sym");
    expect(hashOf(page)).toBe(hash);
  });

  it("splits a chart by a key column, with a second y axis and instants as times", async () => {
    const page = await open("#/mkt/history");
    await page.locator("#chart-y input[value=Size]").uncheck();
    await page.locator("#chart-by").selectOption("Sym");
    const box = page.locator("#chart");
    await waitFor(
      "one line per symbol",
      () => box.getAttribute("data-series"),
      (s) => s === "Price · AAPL|Price · MSFT|Price · GOOG",
    );
    expect(
      await waitFor(
        "three colours",
        () => inkColours(page),
        (n) => n >= 3,
      ),
    ).toBeGreaterThanOrEqual(3);
    await page.locator("#chart-y2").selectOption("Size");
    await waitFor(
      "Size on the right axis",
      () => box.getAttribute("data-series"),
      (s) => s === "Price · AAPL|Price · MSFT|Price · GOOG|Size · AAPL|Size · MSFT|Size · GOOG",
    );
    expect(await page.locator(".u-legend").textContent()).toContain("Size · GOOG (right)");
    expect(hashOf(page)).toBe("#/mkt/history?x=Ts&y=Price&y2=Size&by=Sym");
    // Hovering shows the x value as a time.
    const over = await page.locator("#chart .u-over").boundingBox();
    await page.mouse.move(over!.x + over!.width / 2, over!.y + over!.height / 2);
    const x = await waitFor(
      "the hovered time",
      () => page.locator(".u-legend .u-series").first().locator(".u-value").textContent(),
      (t) => /2024/.test(t ?? ""),
    );
    expect(x).toMatch(/^2024-05-01T13:30:\d\d\.\d{3}Z$/);
    expect(Number(await box.getAttribute("data-points"))).toBe(120);
    await shot(page, "chart-split.png", "#chart-panel");
    expect(pageErrors(page)).toEqual([]);
  });

  it("plots the new view's series after switching views", async () => {
    const page = await open("#/mkt/history");
    await waitFor(
      "a chart",
      () => page.locator("#chart").getAttribute("data-points"),
      (p) => Number(p) > 0,
    );
    // The chart appearing shrinks the grid; the grid still follows the newest rows.
    await waitFor(
      "the newest row",
      () => readGrid(page),
      (g) => g.visible.at(-1)?.[2] === "159",
    );
    expect(await page.locator("#follow").isChecked()).toBe(true);
    await page.locator('button[data-family="pairs"][data-view="all"]').click();
    await waitFor(
      "the pairs view",
      () => page.locator("#view-title").textContent(),
      (t) => t === "pairs / all",
    );
    const checked = await waitFor(
      "the new view's series",
      () =>
        page
          .locator("#chart-y input:checked")
          .evaluateAll((bs) => bs.map((b) => (b as unknown as { value: string }).value)),
      (v) => v.join() !== "Price,Size",
    );
    expect(checked).toEqual(["Q", "W"]);
    await waitFor(
      "points of the new view",
      () => page.locator("#chart").getAttribute("data-points"),
      (p) => p === "6",
    );
    expect(await page.locator("#chart").getAttribute("data-series")).toBe("Q|W");
  });

  it("shows the chart placeholder whole, and instants whole with a tooltip", async () => {
    const page = await open("#/mkt/history");
    for (const name of ["Price", "Size"]) {
      await page.locator(`#chart-y input[value=${name}]`).uncheck();
    }
    const empty = page.locator(".chart-empty");
    await empty.waitFor({ state: "visible" });
    expect(await empty.textContent()).toBe("Choose a series to plot");
    const fits = await empty.evaluate((e) => {
      const r = e.getBoundingClientRect();
      const box = e.parentElement!.getBoundingClientRect();
      return e.scrollWidth <= e.clientWidth && r.left >= box.left && r.right <= box.right;
    });
    expect(fits).toBe(true);

    const ts = page.locator('.grid-row:not([hidden]) .grid-cell[data-col="3"]').first();
    await waitFor(
      "an instant",
      () => ts.textContent(),
      (t) => /^2024-05-01T13:30:\d\d\.123456789Z$/.test(t ?? ""),
    );
    const cut = await ts.evaluate((e) => e.scrollWidth > e.clientWidth);
    expect(cut).toBe(false);
    expect(await ts.getAttribute("title")).toBe(await ts.textContent());
    await shot(page, "instants.png", ".grid");
  });

  it("explains blink views and follows their ring in one click", async () => {
    const page = await open("#/mkt/source");
    expect(await page.locator("#view-type").textContent()).toBe("blink");
    const hint = page.locator("#blink-hint");
    expect(await hint.isVisible()).toBe(true);
    expect(await page.locator("#blink-text").textContent()).toBe(
      "A blink view shows only the current cycle's rows: each cycle replaces them. To keep watching rows after their cycle, follow recent, the family's ring of this view.",
    );
    await shot(page, "blink.png", "#blink-hint");
    await page.getByRole("button", { name: "Follow as ring (recent)" }).click();
    await waitFor(
      "the ring",
      () => page.locator("#view-title").textContent(),
      (t) => t === "mkt / recent",
    );
    expect(hashOf(page)).toMatch(/^#\/mkt\/recent/);
    expect(await hint.isHidden()).toBe(true);
    await waitFor(
      "the ring's rows",
      () => readGrid(page),
      (g) => g.rows === 60,
    );

    // A family with no ring or history of its blink view says so, and offers no button.
    const flash = await open("#/flash/source");
    expect(await flash.locator("#blink-text").textContent()).toMatch(
      /This family keeps no ring or history of source; a spec with "recent": "ringTable\(source, 1000\)"/,
    );
    expect(await flash.locator("#follow-ring").isHidden()).toBe(true);
  });

  it("updates the sidebar's counts of the open family as its cycles pass", async () => {
    const page = await open("#/mkt/recent");
    const history = page.locator('button[data-family="mkt"][data-view="history"]');
    await waitFor(
      "the listed size",
      () => history.locator(".view-size").textContent(),
      (t) => t === "60",
    );
    // Tag the list's element: a 10-second list refresh would replace it, an in-place update not.
    await history.evaluate((b) => b.setAttribute("data-tag", "kept"));
    await client.publish("mkt", TRADES.slice(0, 7));
    await waitFor(
      "the new size",
      () => history.locator(".view-size").textContent(),
      (t) => t === "67",
    );
    expect(await history.getAttribute("data-tag")).toBe("kept");
    expect(pageErrors(page)).toEqual([]);
  });
  it("sorts and filters on the server: the subscription's ad-hoc view is in describe", async () => {
    const page = await open("#/mkt/history");
    await waitFor(
      "all rows",
      () => readGrid(page),
      (g) => g.rows >= 60,
    );
    await headButton(page, "Size").click();
    await waitFor(
      "rows sorted by Size",
      () => readGrid(page),
      (g) => g.sort[2] === "ascending▲" && g.visible[0]?.[2] === "100",
    );
    const sortOnly = await waitFor(
      "the sort's ad-hoc view",
      () => client.describe("mkt").then((d) => d.transient),
      (t) => t.some((x) => x.view === "history" && x.where.length === 0 && x.sort.length === 1),
    );
    expect(sortOnly.find((x) => x.view === "history" && x.where.length === 0)).toMatchObject({
      sort: [{ column: "Size", order: "asc" }],
      size: (await client.describe("mkt")).views.history!.size,
    });
    const symFilter = page.getByLabel("Filter Sym");
    await symFilter.fill("GOOG");
    await symFilter.press("Enter");
    const g = await waitFor(
      "only GOOG",
      () => readGrid(page),
      (s) => s.visible.length > 0 && s.visible.every((r) => r[0] === "GOOG"),
    );
    // The same ad-hoc view read as a snapshot: the grid shows exactly its rows.
    const snap = await client.snapshot("mkt", "history", {
      where: "Sym == `GOOG`",
      sort: ["Size"],
    });
    expect(g.rows).toBe(snap.rows.length);
    expect(g.visible.length).toBeGreaterThan(4);
    expect(g.visible.map((r) => r[2])).toEqual(
      snap.rows.slice(0, g.visible.length).map((r) => String(r.Size)),
    );
    // The filtered, sorted view is computed by the server; the sort-only one is released.
    const isSizeSort = (x: { sort: { column: string; order: string }[] }) =>
      JSON.stringify(x.sort) === JSON.stringify([{ column: "Size", order: "asc" }]);
    const after = await waitFor(
      "the filter's ad-hoc view, and the sort-only one released",
      () => client.describe("mkt").then((d) => d.transient.filter((x) => x.view === "history")),
      (t) =>
        t.some((x) => isSizeSort(x) && x.where.length === 1 && x.subscribers === 2) &&
        !t.some((x) => isSizeSort(x) && x.where.length === 0),
    );
    // The grid's viewport and the chart's whole-view subscription share the one table.
    expect(after.find((x) => isSizeSort(x))).toEqual({
      view: "history",
      where: ["Sym == `GOOG`"],
      sort: [{ column: "Size", order: "asc" }],
      subscribers: 2,
      size: snap.rows.length,
    });
    expect(pageErrors(page)).toEqual([]);
  });

  it("opens a 1,000,000-row history at its end and scrolls anywhere, holding only the viewport", async () => {
    const N = 1_000_000;
    await client.createTable("big", {
      columns: { Id: "int32", Price: "float64" },
      cycleMs: 100,
      derived: { history: "blinkToAppendOnly(source)" },
    });
    for (let from = 0; from < N; from += 250_000) {
      const ids = Array.from({ length: 250_000 }, (_, k) => from + k);
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
    await waitFor(
      "the history",
      () => client.describe("big"),
      (d) => d.views.history!.size === N,
      60_000,
    );
    const page = await open("#/big/history");
    const fmt = (i: number) => i.toLocaleString("en-US");
    // Following the newest rows: the last row is on screen.
    let g = await waitFor(
      "the last rows",
      () => readGridAt(page),
      (s) => s.rows === N && s.visible.at(-1)?.cells[0] === fmt(N - 1),
    );
    for (const r of g.visible) expect(r.cells[0]).toBe(fmt(r.pos));
    const loaded = async () => Number(await page.locator("#grid-host").getAttribute("data-loaded"));
    expect(await loaded()).toBeLessThanOrEqual(400);
    expect(await page.locator(".grid-row").count()).toBeLessThan(80);
    await shot(page, "grid-1m-end.png", ".view");
    // The middle, then the start: each shows its rows, loaded by moving the viewport.
    await page.locator(".grid").evaluate((el) => {
      el.scrollTop = (el.scrollHeight - el.clientHeight) / 2;
    });
    g = await waitFor(
      "rows from the middle",
      () => readGridAt(page),
      (s) =>
        s.visible.length > 5 &&
        s.visible[0]!.pos > 400_000 &&
        s.visible[0]!.pos < 600_000 &&
        s.visible.every((r) => r.cells[0] === fmt(r.pos)),
    );
    expect(await loaded()).toBeLessThanOrEqual(400);
    await page.locator(".grid").evaluate((el) => {
      el.scrollTop = 0;
    });
    g = await waitFor(
      "the first rows",
      () => readGridAt(page),
      (s) => s.visible[0]?.pos === 0 && s.visible.every((r) => r.cells[0] === fmt(r.pos)),
    );
    expect(g.visible[0]).toEqual({ pos: 0, cells: ["0", "0"] });
    expect(await loaded()).toBeLessThanOrEqual(400);
    expect(pageErrors(page)).toEqual([]);
  }, 120_000);
});
