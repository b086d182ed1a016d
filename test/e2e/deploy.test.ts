/**
 * What a deploy ships, checked without an account: `wrangler deploy --dry-run` (offline) bundles
 * the Worker and prints its bindings, which must be exactly those docs/deploy.md lists (auth on,
 * no foreign origins); `npm run dev` alone turns auth off; and a bare `wrangler dev` (wrangler.toml
 * as deployed, no TOKEN_SECRET) refuses every request with 503 naming the missing secret.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { DEV_VARS, DevServer } from "./dev-server.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");

/** Table rows with their padding collapsed: `env.AUTH ("on") Environment Variable`. */
const rows = (lines: string[]) =>
  lines.map((l) => l.trim().replace(/\s{2,}/g, " ")).filter(Boolean);

/** The bindings block of docs/deploy.md (the fenced block after its marker comment). */
function documentedBindings(): string[] {
  const doc = read("docs/deploy.md");
  const m = /<!-- dry-run bindings -->\s*```text\n([\s\S]*?)```/.exec(doc);
  if (!m) throw new Error("docs/deploy.md has no '<!-- dry-run bindings -->' block");
  return rows(m[1]!.split("\n"));
}

describe("wrangler deploy --dry-run", () => {
  const outdir = mkdtempSync(join(tmpdir(), "tickflare-dry-run-"));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it("ships auth on, no foreign origins, and the bindings docs/deploy.md lists", async () => {
    const { stdout } = await promisify(execFile)(
      join(ROOT, "node_modules/.bin/wrangler"),
      ["deploy", "--dry-run", "--outdir", outdir],
      {
        cwd: ROOT,
        timeout: 120_000,
        env: {
          ...process.env,
          PATH: `${join(ROOT, "node_modules/.bin")}:${process.env.PATH ?? ""}`,
          WRANGLER_SEND_METRICS: "false",
          WRANGLER_HIDE_BANNER: "true",
          NO_COLOR: "1",
          CI: "true",
        },
      },
    );
    const lines = stdout.split("\n");
    const header = lines.findIndex((l) => /^Binding\s+Resource\s*$/.test(l));
    expect(header, stdout).toBeGreaterThan(0);
    const end = lines.indexOf("", header);
    const bindings = rows(lines.slice(header + 1, end));
    expect(bindings).toEqual([
      "env.TABLES (TableFamily) Durable Object",
      "env.CATALOG (Catalog) Durable Object",
      "env.RELAYS (Relay) Durable Object",
      "env.DATA (tickflare-data) R2 Bucket",
      'env.AUTH ("on") Environment Variable',
      'env.CORS_ORIGINS ("") Environment Variable',
      'env.RELAY_SUBSCRIBERS ("0") Environment Variable',
    ]);
    expect(documentedBindings()).toEqual(bindings);
    expect(stdout).toContain("--dry-run: exiting now.");
    expect(existsSync(join(outdir, "index.js"))).toBe(true);
  });

  it("docs/deploy.md names every Durable Object migration and the observability setting", () => {
    const toml = read("wrangler.toml");
    const doc = read("docs/deploy.md");
    const tags = [...toml.matchAll(/^tag = "([^"]+)"$/gm)].map((m) => m[1]!);
    expect(tags).toEqual(["v1", "v2", "v3"]);
    for (const tag of tags) expect(doc).toContain(`tag = "${tag}"`);
    expect(toml).toMatch(/^\[observability\]\nenabled = true$/m);
    expect(doc).toContain("[observability]\nenabled = true");
  });

  it("only npm run dev turns auth off", () => {
    const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> })
      .scripts;
    expect(DEV_VARS).toEqual({ AUTH: "off" });
    expect(scripts.dev).toMatch(/ wrangler dev .*--var AUTH:off$/);
    expect(scripts.deploy).toBe("wrangler deploy");
  });
});

describe("a bare wrangler dev (the deployed configuration, no TOKEN_SECRET)", () => {
  let server: DevServer | undefined;
  afterAll(() => server?.dispose());

  it("answers every request 503 auth_misconfigured, naming TOKEN_SECRET", async () => {
    // Even /health answers 503: that is how the server is known to be up.
    server = await DevServer.start({ devVars: false, healthStatus: 503 });
    for (const [method, path] of [
      ["GET", "/health"],
      ["GET", "/v1/tables"],
      ["PUT", "/v1/tables/deploy-t"],
      ["POST", "/v1/tables/deploy-t/rows"],
      ["GET", "/v1/tables/deploy-t/views/source"],
      ["GET", "/v1/data/deploy-t%2Fall/schema"],
    ] as const) {
      // The deployment's own origin passes the origin check under wrangler dev's proxy too.
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { Origin: server.url, Authorization: "Bearer x.y" },
      });
      expect(res.status, `${method} ${path}`).toBe(503);
      expect(await res.json()).toEqual({
        error: "auth_misconfigured",
        detail:
          "this deployment requires tokens (AUTH is on) but the secret TOKEN_SECRET is not set; " +
          "set it with `wrangler secret put TOKEN_SECRET` (see docs/deploy.md)",
      });
    }
    const foreign = await fetch(`${server.url}/health`, {
      headers: { Origin: "https://evil.example" },
    });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ error: "origin_not_allowed" });
  });
});
