/**
 * Browser-test machinery, shared by the console tests and `npm run screenshot:console`: Debian's
 * chromium driven by playwright-core (never a downloaded browser: PLATFORM.md), the seed's trig
 * example as a table family, a feed that publishes its rows, and a signed-in console page.
 */
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Browser, Page } from "playwright-core";
import { chromium } from "playwright-core";
import type { TickflareClient } from "../../src/client/index.ts";

/** Debian's chromium (`apt-get install chromium`; `.ci/run` installs it). */
export const CHROMIUM = process.env.TICKFLARE_CHROMIUM ?? "/usr/bin/chromium";

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no browser at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium), as .ci/run does`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/**
 * The seed's trig example (X, SinX, CosX, TanX), plus a quadrant to aggregate by: a ring of
 * the latest rows, the whole history, and per-quadrant statistics.
 */
export const TRIG_SPEC = {
  columns: {
    X: "float64",
    SinX: "float64",
    CosX: "float64",
    TanX: "float64",
    Quadrant: "string",
  },
  cycleMs: 200,
  derived: {
    recent: "ringTable(source, 500)",
    history: "blinkToAppendOnly(source)",
    byQuadrant:
      'source.aggBy([agg.count("N"), agg.avg("AvgSin = SinX"), agg.last("LastX = X")], "Quadrant")',
  },
};

/** Rows `from .. from + n` of the trig example (X = 0.01 i, as in the seed). */
export function trigRows(from: number, n: number): Record<string, number | string>[] {
  const rows: Record<string, number | string>[] = [];
  for (let i = from; i < from + n; i++) {
    const x = Math.round(i) / 100;
    const q = Math.floor((x % (2 * Math.PI)) / (Math.PI / 2)) + 1;
    rows.push({ X: x, SinX: Math.sin(x), CosX: Math.cos(x), TanX: Math.tan(x), Quadrant: `Q${q}` });
  }
  return rows;
}

/** Publishes `batch` trig rows every `everyMs` until stopped; resolves `stop` after the last. */
export function startFeed(
  client: TickflareClient,
  family: string,
  opts: { from?: number; batch?: number; everyMs?: number } = {},
): { stop(): Promise<void>; readonly next: number } {
  let next = opts.from ?? 0;
  let stopped = false;
  const batch = opts.batch ?? 5;
  const loop = (async () => {
    while (!stopped) {
      await client.publish(family, trigRows(next, batch));
      next += batch;
      await new Promise((r) => setTimeout(r, opts.everyMs ?? 100));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
    get next() {
      return next;
    },
  };
}

/**
 * Opens the console at `url` (optionally `#/family/view...`) and signs in with `token` (default:
 * none, the console signs in by itself as it does with AUTH=off; `false` stays on the sign-in
 * form).
 */
export async function openConsole(
  browser: Browser,
  url: string,
  opts: {
    width?: number;
    height?: number;
    hash?: string;
    mobile?: boolean;
    token?: string | false;
  } = {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
    deviceScaleFactor: 1,
    isMobile: opts.mobile ?? false,
    hasTouch: opts.mobile ?? false,
    colorScheme: "light",
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  (page as Page & { consoleErrors?: string[] }).consoleErrors = errors;
  await page.goto(`${url}/${opts.hash ?? ""}`);
  if (opts.token === false) return page;
  if (opts.token !== undefined) {
    await page.getByLabel("Access token").fill(opts.token);
    await page.getByRole("button", { name: "Sign in" }).click();
  }
  // Without a token (AUTH=off) the console finds the table list open and signs in by itself.
  await page.locator("#workspace").waitFor({ state: "visible" });
  return page;
}

/** Uncaught errors the page reported (should stay empty). */
export function pageErrors(page: Page): string[] {
  return (page as Page & { consoleErrors?: string[] }).consoleErrors ?? [];
}

/** Closes what a browser test opened: its pages' contexts, the browser, the dev server. */
export async function closeAll(
  pages: readonly Page[],
  browser: Browser | undefined,
  server: { dispose(): Promise<void> } | undefined,
): Promise<void> {
  for (const p of pages)
    await p
      .context()
      .close()
      .catch(() => {});
  await browser?.close();
  await server?.dispose();
}

export function ensureDir(file: string): void {
  mkdirSync(dirname(file), { recursive: true });
}

/**
 * Polls `probe` until `ok` holds and returns that value; throws naming `what` and the last value
 * past the deadline. Generous by default: on a loaded 2-core machine a subscription switch can
 * take seconds. Not timed: a timeout only means the state never came.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 45_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (ok(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last).slice(0, 600)}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
