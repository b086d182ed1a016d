/**
 * Starts the real `wrangler dev` on a free 127.0.0.1 port (its own process group, so the whole
 * tree — wrangler, workerd — is killed together), waits for `/health`, and kills it on demand,
 * on test failure, and when this process exits. Used by the end-to-end tests and `npm run
 * bench:e2e`.
 *
 * wrangler dev always watches its sources and reloads the Worker (dropping every socket) when
 * one changes; to run against one fixed version of the code, the server runs from a copy of
 * `src/`, `wrangler.toml`, `package.json` and `tsconfig.json` taken at start (node_modules is
 * linked), kept across restarts.
 */
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { mintToken } from "../../src/worker/token.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const WRANGLER = join(ROOT, "node_modules/.bin/wrangler");

/** A free TCP port on 127.0.0.1 (bound and released; a tiny race is accepted). */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => ok(port));
    });
  });
}

export interface DevServerOptions {
  /** Persistence directory (kept across restarts); a new temp dir by default. */
  persistTo?: string;
  port?: number;
  /**
   * `--var` values, e.g. `{ AUTH: "on", TOKEN_SECRET: "..." }`, over DEV_VARS (what `npm run dev`
   * passes: AUTH off).
   */
  vars?: Record<string, string>;
  /** False: no DEV_VARS, so the server runs with wrangler.toml's deployed settings (AUTH on). */
  devVars?: boolean;
  /** The `/health` status that means the server is up (default 200; 503 when misconfigured). */
  healthStatus?: number;
  /** How long to wait for /health (default 90 s: a loaded 2-core machine bundles slowly). */
  startTimeoutMs?: number;
  /**
   * Another wrangler config to run instead of wrangler.toml: written as `file` into the server's
   * copy of the sources and passed with `--config` (the fan-out bench runs relays from one).
   */
  config?: { file: string; text: string };
  /** More environment variables for wrangler (e.g. CLOUDFLARE_DEV_REGISTRY_PATH). */
  env?: Record<string, string>;
}

/**
 * The local dev server's overrides of wrangler.toml, as `npm run dev` passes them. With
 * TICKFLARE_RELAY_SUBSCRIBERS=N in the environment, every dev server the tests start also serves
 * plain subscriptions through relays of N (`TICKFLARE_RELAY_SUBSCRIBERS=2 npx vitest run
 * --project e2e test/e2e/stream.test.ts` runs those tests through relays).
 */
export const DEV_VARS: Readonly<Record<string, string>> = { AUTH: "off" };

const RELAY_VARS: Readonly<Record<string, string>> =
  process.env.TICKFLARE_RELAY_SUBSCRIBERS === undefined
    ? {}
    : { RELAY_SUBSCRIBERS: process.env.TICKFLARE_RELAY_SUBSCRIBERS };

const live = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

// Never leave a dev server behind, whatever happens to this process.
process.once("exit", () => {
  for (const c of live) killGroup(c);
});

export class DevServer {
  readonly persistTo: string;
  readonly port: number;
  readonly url: string;
  readonly #vars: Record<string, string>;
  readonly #timeout: number;
  readonly #healthStatus: number;
  readonly #ownsDir: boolean;
  readonly #config: string | undefined;
  readonly #env: Record<string, string>;
  /** The copy of the sources the server runs. */
  readonly #app: string;
  #child: ChildProcess | null = null;
  #log: string[] = [];

  private constructor(opts: Required<Pick<DevServerOptions, "port">> & DevServerOptions) {
    this.#ownsDir = opts.persistTo === undefined;
    this.persistTo = opts.persistTo ?? mkdtempSync(join(tmpdir(), "tickflare-e2e-"));
    this.port = opts.port;
    this.url = `http://127.0.0.1:${opts.port}`;
    this.#vars = { ...(opts.devVars === false ? {} : DEV_VARS), ...RELAY_VARS, ...opts.vars };
    this.#timeout = opts.startTimeoutMs ?? 90_000;
    this.#healthStatus = opts.healthStatus ?? 200;
    this.#app = mkdtempSync(join(tmpdir(), "tickflare-app-"));
    for (const f of ["src", "wrangler.toml", "package.json", "tsconfig.json"]) {
      cpSync(join(ROOT, f), join(this.#app, f), { recursive: true });
    }
    symlinkSync(join(ROOT, "node_modules"), join(this.#app, "node_modules"), "dir");
    this.#config = opts.config?.file;
    if (opts.config) writeFileSync(join(this.#app, opts.config.file), opts.config.text);
    this.#env = opts.env ?? {};
  }

  /** Starts a dev server and waits until it answers /health. */
  static async start(opts: DevServerOptions = {}): Promise<DevServer> {
    const s = new DevServer({ ...opts, port: opts.port ?? (await freePort()) });
    try {
      await s.start();
    } catch (e) {
      await s.dispose();
      throw e;
    }
    return s;
  }

  /** The last lines wrangler printed (for failure messages). */
  get log(): string {
    return this.#log.join("").slice(-8000);
  }

  get running(): boolean {
    return this.#child !== null;
  }

  /** The process id of wrangler, which leads the server's process group; undefined when stopped. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** (Re)starts wrangler dev on the same port and persistence directory. */
  async start(): Promise<void> {
    if (this.#child) throw new Error("the dev server is already running");
    const args = [
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(this.port),
      "--inspector-port",
      String(await freePort()),
      "--persist-to",
      this.persistTo,
      "--show-interactive-dev-session=false",
      "--log-level",
      "warn",
    ];
    if (this.#config !== undefined) args.push("--config", this.#config);
    for (const [k, v] of Object.entries(this.#vars)) args.push("--var", `${k}:${v}`);
    const child = spawn(WRANGLER, args, {
      cwd: this.#app,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        // wrangler dev's local observability (on by default) streams a trace of every event,
        // each publish frame included, to a collector Worker in the same workerd, which stores
        // it in SQLite: about 0.5-0.9 ms of the Worker process's CPU per 10,000-row publish
        // frame, for a tool only local development has. Off unless the environment says
        // otherwise (X_LOCAL_OBSERVABILITY=true).
        X_LOCAL_OBSERVABILITY: "false",
        ...process.env,
        // node_modules/.bin first: wrangler needs the project's Node 22.
        PATH: `${join(ROOT, "node_modules/.bin")}:${process.env.PATH ?? ""}`,
        WRANGLER_SEND_METRICS: "false",
        // As `npm run dev`: no download of the request.cf sample (offline, a stack trace).
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        WRANGLER_HIDE_BANNER: "true",
        NO_COLOR: "1",
        CI: "true",
        ...this.#env,
      },
    });
    live.add(child);
    this.#child = child;
    const keep = (d: Buffer) => {
      this.#log.push(d.toString());
      if (this.#log.length > 400) this.#log.splice(0, 200);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    child.once("exit", () => live.delete(child));
    const deadline = Date.now() + this.#timeout;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        this.#child = null;
        throw new Error(
          `wrangler dev exited (${child.exitCode ?? child.signalCode}):\n${this.log}`,
        );
      }
      try {
        const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2000) });
        await res.body?.cancel();
        if (res.status === this.#healthStatus) return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`wrangler dev did not answer /health in ${this.#timeout} ms:\n${this.log}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Kills the whole process tree at once (a crash, as far as the server can tell). */
  async kill(): Promise<void> {
    await this.#end("SIGKILL");
  }

  /** Stops the server (SIGTERM, then SIGKILL after 5 s). */
  async stop(): Promise<void> {
    await this.#end("SIGTERM");
  }

  /** Stops the server and deletes its copy of the sources (and persistence, if it made it). */
  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.#app, { recursive: true, force: true });
    if (this.#ownsDir) rmSync(this.persistTo, { recursive: true, force: true });
  }

  async #end(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (!child) return;
    const exited = new Promise<void>((ok) => {
      if (child.exitCode !== null || child.signalCode !== null) ok();
      else child.once("exit", () => ok());
    });
    killGroup(child, signal);
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
    // The group may outlive its leader for a moment (workerd); make sure it is gone.
    killGroup(child, "SIGKILL");
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    } catch {
      // the group is gone
    }
    await waitPortFree(this.port);
  }
}

/** Waits until nothing accepts connections on the port (the old server is gone). */
async function waitPortFree(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(500) });
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A dev server that requires tokens (AUTH on, a fresh random secret) plus any other `vars`, and a
 * token with every scope for the tables matching `tables`, valid for an hour.
 */
export async function startSecured(
  tables: string,
  vars: Record<string, string> = {},
): Promise<{ server: DevServer; token: string }> {
  const secret = randomBytes(24).toString("hex");
  const server = await DevServer.start({ vars: { AUTH: "on", TOKEN_SECRET: secret, ...vars } });
  const token = await mintToken(secret, {
    scopes: ["admin", "publish", "read"],
    tables,
    exp: Math.floor(Date.now() / 1000) + 3600,
  });
  return { server, token };
}
