/**
 * The package as a user gets it: `npm pack` (its `prepare` script builds dist/), the tarball installed
 * with `npm install` in a fresh temporary directory that has its own package.json, and then, from
 * that directory and against the real `wrangler dev` (AUTH off):
 * - a TypeScript consumer typechecks against the shipped `.d.ts` files;
 * - test/e2e/package/roundtrip.mjs (create, subscribe, publish JSON and Arrow, read the mirror)
 *   runs in plain Node 22 with type stripping switched off, in Deno through `npm:` specifiers
 *   resolved from that node_modules, and as an esbuild browser bundle (run from a directory with
 *   no node_modules, so it can only work if the bundle is self-contained);
 * - the README's client snippet runs exactly as pasted (only the server address changes).
 * It also prints the gzip size of a browser bundle of `tickflare/client` (recorded in
 * BENCHMARKS.md; not asserted).
 *
 * Installing needs the npm registry (or npm's cache) for apache-arrow and its dependencies.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DevServer } from "./dev-server.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "node_modules/.bin");
const FIXTURES = join(import.meta.dirname, "package");
const ENV = {
  ...process.env,
  // The project's Node 22 (the `node` devDependency) runs npm, tsc and esbuild.
  PATH: `${BIN}:${process.env.PATH ?? ""}`,
  DENO_NO_UPDATE_CHECK: "1",
  NO_COLOR: "1",
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
};

/** Runs a program to completion; rejects with its output when it fails or outlives the timeout. */
function run(
  file: string,
  args: string[],
  cwd: string,
  timeoutMs = 60_000,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((ok, fail) => {
    execFile(
      file,
      args,
      { cwd, env: ENV, timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        if (err) fail(new Error(`${file} ${args.join(" ")} failed: ${err.message}\n${stderr}`));
        else ok({ stdout, stderr });
      },
    );
  });
}

/** What roundtrip.mjs prints once its mirror holds both batches. */
const ROUNDTRIP = `${JSON.stringify({
  rows: ["AAPL:bigint:100", "MSFT:bigint:50", "IBM:bigint:7"],
})}\n`;

let work: string;
let app: string;
let packed: { filename: string; files: { path: string }[] };
let server: DevServer | undefined;

/** Writes the fixture's config module (server address and a table name) next to the scripts. */
function configure(dir: string, table: string): void {
  writeFileSync(
    join(dir, "config.mjs"),
    `export const url = ${JSON.stringify(server!.url)};\nexport const table = ${JSON.stringify(table)};\n`,
  );
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "tickflare-pkg-"));
  const pack = await run("npm", ["pack", "--json", "--pack-destination", work], ROOT, 120_000);
  [packed] = JSON.parse(pack.stdout) as (typeof packed)[];
  app = join(work, "app");
  mkdirSync(app);
  writeFileSync(
    join(app, "package.json"),
    `${JSON.stringify({ name: "tickflare-consumer", private: true, type: "module" }, null, 2)}\n`,
  );
  await run("npm", ["install", "--prefer-offline", join(work, packed.filename)], app, 120_000);
  server = await DevServer.start({ vars: { AUTH: "off" } });
}, 300_000); // packing, installing and starting wrangler dev, on a loaded machine

afterAll(async () => {
  await server?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the packed tarball", () => {
  it("holds built JavaScript with .d.ts types for both entry points, and no TypeScript sources", () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(["package.json", "README.md"]));
    for (const entry of ["engine", "client"]) {
      expect(paths).toContain(`dist/${entry}/index.js`);
      expect(paths).toContain(`dist/${entry}/index.d.ts`);
    }
    const others = paths.filter(
      (p) => !["package.json", "README.md"].includes(p) && !/^dist\/(engine|client)\//.test(p),
    );
    expect(others).toEqual([]);
    // Besides the built modules, the engine's WebAssembly, for a Worker to import
    // (docs/engine.md: `useEngineWasm`).
    const notBuilt = paths.filter(
      (p) => p.startsWith("dist/") && !p.endsWith(".js") && !p.endsWith(".d.ts"),
    );
    expect(notBuilt).toEqual(["dist/engine/wasm/engine.wasm"]);
    const wasm = readFileSync(join(app, "node_modules/tickflare/dist/engine/wasm/engine.wasm"));
    expect(WebAssembly.validate(wasm)).toBe(true);
    expect(wasm.equals(readFileSync(join(ROOT, "src/engine/wasm/engine.wasm")))).toBe(true);
    const manifest = JSON.parse(
      readFileSync(join(app, "node_modules/tickflare/package.json"), "utf8"),
    ) as { sideEffects: unknown; exports: Record<string, Record<string, string> | string> };
    expect(manifest.sideEffects).toBe(false);
    expect(manifest.exports["./engine/engine.wasm"]).toBe("./dist/engine/wasm/engine.wasm");
    expect(manifest.exports["./client"]).toEqual({
      types: "./dist/client/index.d.ts",
      import: "./dist/client/index.js",
      default: "./dist/client/index.js",
    });
  });

  it("typechecks a TypeScript consumer against the shipped .d.ts files", async () => {
    copyFileSync(join(FIXTURES, "typed.ts"), join(app, "typed.ts"));
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: "ES2023",
          lib: ["ES2023", "DOM"],
          module: "NodeNext",
          moduleResolution: "NodeNext",
          types: [],
        },
        files: ["typed.ts"],
      }),
    );
    // typed.ts holds @ts-expect-error lines: they fail the check if the types were `any`.
    const { stdout } = await run(join(BIN, "tsc"), ["-p", "."], app);
    expect(stdout).toBe("");
  });
});

describe("the installed package against wrangler dev", () => {
  it("runs in plain Node 22 with type stripping off", async () => {
    const node = join(BIN, "node");
    expect((await run(node, ["--version"], app)).stdout).toMatch(/^v22\./);
    const dir = join(app, "node-run");
    mkdirSync(dir);
    copyFileSync(join(FIXTURES, "roundtrip.mjs"), join(dir, "roundtrip.mjs"));
    configure(dir, "pkg-node");
    const { stdout } = await run(node, ["--no-experimental-strip-types", "roundtrip.mjs"], dir);
    expect(stdout).toBe(ROUNDTRIP);
  });

  it("runs in Deno through npm: specifiers resolved from the local node_modules", async () => {
    const dir = join(app, "deno-run");
    mkdirSync(dir);
    const script = readFileSync(join(FIXTURES, "roundtrip.mjs"), "utf8");
    const withNpm = script.replaceAll('from "tickflare/', 'from "npm:tickflare/');
    expect(withNpm.match(/"npm:tickflare\/(engine|client)"/g)).toHaveLength(2);
    writeFileSync(join(dir, "roundtrip.mjs"), withNpm);
    configure(dir, "pkg-deno");
    const host = new URL(server!.url).host;
    const { stdout } = await run(
      join(BIN, "deno"),
      [
        "run",
        "--no-prompt",
        "--cached-only",
        "--node-modules-dir=manual",
        `--allow-net=${host}`,
        "roundtrip.mjs",
      ],
      dir,
    );
    expect(stdout).toBe(ROUNDTRIP);
  });

  it("bundles for the browser with esbuild: no node: imports, and the bundle runs on its own", async () => {
    const out = join(work, "browser");
    const esbuild = (entry: string, file: string) =>
      run(
        join(BIN, "esbuild"),
        [
          entry,
          "--bundle",
          "--minify",
          "--format=esm",
          "--platform=browser",
          "--target=es2022",
          `--outfile=${join(out, file)}`,
          "--log-level=warning",
        ],
        app,
      );
    copyFileSync(join(FIXTURES, "size-entry.mjs"), join(app, "size-entry.mjs"));
    await esbuild("size-entry.mjs", "client.js");
    const client = readFileSync(join(out, "client.js"), "utf8");
    expect(client.match(/["']node:[\w/]+["']/g)).toBeNull();
    expect(client.match(/\brequire\(/g)).toBeNull();
    const gzip = gzipSync(client, { level: 9 }).length;
    console.log(
      `browser bundle of tickflare/client (connect): ${client.length} bytes minified, ${gzip} bytes gzip -9`,
    );

    const dir = join(app, "browser-run");
    mkdirSync(dir);
    copyFileSync(join(FIXTURES, "roundtrip.mjs"), join(dir, "roundtrip.mjs"));
    configure(dir, "pkg-browser");
    await esbuild(join("browser-run", "roundtrip.mjs"), "roundtrip.js");
    const bundle = readFileSync(join(out, "roundtrip.js"), "utf8");
    expect(bundle.match(/^\s*import\b/m)).toBeNull();
    const { stdout } = await run(
      join(BIN, "node"),
      ["--no-experimental-strip-types", "roundtrip.js"],
      out,
    );
    expect(stdout).toBe(ROUNDTRIP);
  });

  it("runs the README's client snippet as pasted", async () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("The client (`tickflare/client`"));
    const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code).toContain('from "tickflare/client"');
    const expected = [...code!.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((m) => m[1]);
    expect(expected.length).toBeGreaterThan(0);
    expect(code).toContain('"http://127.0.0.1:8787"');
    // The README's curl example creates "trades" first; the snippet's spec is the same one, so
    // running both, in that order, must work too.
    const curl = /curl -X PUT localhost:8787\/v1\/tables\/trades [\s\S]*?-d '([^']*)'/.exec(readme);
    expect(curl).not.toBeNull();
    const put = await fetch(`${server!.url}/v1/tables/trades`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: curl![1],
    });
    expect(put.status).toBe(201);
    const dir = join(app, "readme-run");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "snippet.mjs"),
      code!.replace('"http://127.0.0.1:8787"', JSON.stringify(server!.url)),
    );
    const { stdout } = await run(
      join(BIN, "node"),
      ["--no-experimental-strip-types", "snippet.mjs"],
      dir,
    );
    // Lines from onUpdate ("cycle N: K above 100") depend on timing; the rest is exact.
    const lines = stdout.trimEnd().split("\n");
    const ticks = lines.filter((l) => l.startsWith("cycle "));
    expect(ticks.length).toBeGreaterThan(0);
    for (const t of ticks) expect(t).toMatch(/^cycle \d+: [01] above 100$/);
    expect(ticks.at(-1)).toMatch(/: 1 above 100$/);
    expect(lines.filter((l) => !l.startsWith("cycle "))).toEqual(expected);
  });
});
