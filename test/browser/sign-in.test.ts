/**
 * Signing in to the console of a deployment that requires tokens (AUTH on, a random secret):
 * refusals show next to the token field, the token lives in sessionStorage only (it survives a
 * reload, never reaches localStorage or the address), a token without the admin scope can still
 * open a family by name, and signing out forgets it.
 */
import { randomBytes } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/client/index.ts";
import { mintToken } from "../../src/worker/token.ts";
import { DevServer } from "../e2e/dev-server.ts";
import { closeAll, launchBrowser, openConsole, pageErrors } from "./harness.ts";

const SECRET = randomBytes(24).toString("hex");
const exp = () => Math.floor(Date.now() / 1000) + 3600;

let server: DevServer;
let browser: Browser;
const pages: Page[] = [];

beforeAll(async () => {
  const [s, b] = await Promise.all([
    DevServer.start({ vars: { AUTH: "on", TOKEN_SECRET: SECRET } }),
    launchBrowser(),
  ]);
  server = s;
  browser = b;
  const admin = await mintToken(SECRET, { scopes: ["admin", "publish"], tables: "*", exp: exp() });
  const client = connect(server.url, { token: admin });
  await client.createTable("secured", { columns: { Sym: "string" }, cycleMs: 100 });
}, 150_000);

afterAll(() => closeAll(pages, browser, server));

describe("sign-in with AUTH on", () => {
  it("shows refusals next to the token field", async () => {
    const page = await openConsole(browser, server.url, { token: false });
    pages.push(page);
    const token = page.getByLabel("Access token");
    const error = page.locator("#token-error");

    await page.getByRole("button", { name: "Sign in" }).click();
    await error.waitFor({ state: "visible" });
    expect(await error.textContent()).toMatch(/^unauthenticated: /);
    expect(await token.getAttribute("aria-invalid")).toBe("true");

    await token.fill("not.a-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForFunction(
      "document.getElementById('token-error').textContent.startsWith('invalid_token')",
    );
    expect(await page.locator("#workspace").isVisible()).toBe(false);
    expect(await page.evaluate("sessionStorage.length")).toBe(0);
  });

  it("keeps a good token in sessionStorage only, across a reload, until sign-out", async () => {
    const admin = await mintToken(SECRET, { scopes: ["admin", "read"], tables: "*", exp: exp() });
    const page = await openConsole(browser, server.url, { token: admin });
    pages.push(page);
    await page.locator('button[data-family="secured"][data-view="source"]').waitFor();
    expect(await page.evaluate("sessionStorage.getItem('tickflare.token')")).toBe(admin);
    expect(await page.evaluate("localStorage.length")).toBe(0);
    expect(page.url()).not.toContain(admin.slice(0, 20));

    await page.reload();
    await page.locator('button[data-family="secured"][data-view="source"]').click();
    await page.waitForFunction("document.getElementById('st-state').textContent === 'open'");
    expect(await page.locator("#signin").isVisible()).toBe(false);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.locator("#signin").waitFor({ state: "visible" });
    expect(await page.evaluate("sessionStorage.length")).toBe(0);
    expect(pageErrors(page)).toEqual([]);
  });

  it("lets a token without the admin scope open a family by name", async () => {
    const reader = await mintToken(SECRET, { scopes: ["read"], tables: "sec*", exp: exp() });
    const page = await openConsole(browser, server.url, { token: reader });
    pages.push(page);
    await page.locator("#tables-note").waitFor({ state: "visible" });
    await page.getByLabel("Open a family by name").fill("secured");
    await page.getByRole("button", { name: "Open", exact: true }).click();
    await page.waitForFunction("document.getElementById('st-state').textContent === 'open'");
    expect(await page.locator("#view-title").textContent()).toBe("secured / source");

    await page.getByLabel("Open a family by name").fill("other");
    await page.getByRole("button", { name: "Open", exact: true }).click();
    await page.locator("#open-error").waitFor({ state: "visible" });
    expect(await page.locator("#open-error").textContent()).toMatch(/^forbidden: /);
    expect(pageErrors(page)).toEqual([]);
  });
});
