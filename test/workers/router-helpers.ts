/**
 * Helpers for the router tests inside workerd: requests through the Worker's default export,
 * cycles stepped with runDurableObjectAlarm, and WebSockets opened through the Worker with the
 * frames they receive collected.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";

export const BASE = "http://tickflare.test";

/** A request through the router Worker. */
export function call(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(`${BASE}${path}`, init);
}

export const family = (name: string) => env.TABLES.get(env.TABLES.idFromName(name));

/** Runs the family's pending alarm (one cycle); true when one ran. */
export const step = (name: string) => runDurableObjectAlarm(family(name));

/** A spec whose alarms never fire on their own during a test (cycles are stepped). */
export const SPEC = {
  columns: { Sym: "string", Price: "float64", Size: "int64", Ts: "instant" },
  cycleMs: 3_600_000,
  derived: {
    all: "blinkToAppendOnly(source)",
    recent: "ringTable(source, 3)",
    bySym: 'source.view("Sym", "Size").sumBy("Sym")',
  },
};

export async function create(name: string, spec: unknown = SPEC, headers: HeadersInit = {}) {
  const res = await call(`/v1/tables/${name}`, {
    method: "PUT",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(spec),
  });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return res;
}

export function publish(name: string, rows: unknown, headers: Record<string, string> = {}) {
  return call(`/v1/tables/${name}/rows`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof rows === "string" ? rows : JSON.stringify(rows),
  });
}

export async function rowsOf(name: string, view: string): Promise<Record<string, unknown>[]> {
  const res = await call(`/v1/tables/${name}/views/${view}?format=json`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { rows: Record<string, unknown>[] }).rows;
}

/** Polls until `cond` holds (workerd delivers socket messages asynchronously). */
export async function until(cond: () => boolean, what = "condition", timeoutMs = 5000) {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A WebSocket opened through the Worker, collecting what it receives. */
export interface TestSocket {
  ws: WebSocket;
  frames: (string | ArrayBuffer)[];
  /** JSON text frames parsed (binary frames are left out). */
  messages(): Record<string, unknown>[];
  /** Waits until at least `n` frames have arrived. */
  frameCount(n: number): Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
}

export async function openSocket(path: string, headers: Record<string, string> = {}) {
  const res = await call(path, { headers: { Upgrade: "websocket", ...headers } });
  if (res.status !== 101 || !res.webSocket) {
    return { res, socket: null };
  }
  const ws = res.webSocket;
  ws.accept();
  ws.binaryType = "arraybuffer";
  const frames: (string | ArrayBuffer)[] = [];
  ws.addEventListener("message", (e) => {
    frames.push(e.data as string | ArrayBuffer);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason })),
  );
  const socket: TestSocket = {
    ws,
    frames,
    messages: () =>
      frames
        .filter((f): f is string => typeof f === "string" && f !== "pong")
        .map((f) => JSON.parse(f)),
    frameCount: (n) => until(() => frames.length >= n, `${n} frames (have ${frames.length})`),
    closed,
  };
  return { res, socket };
}

/** Opens a socket that must upgrade. */
export async function mustOpen(path: string, headers: Record<string, string> = {}) {
  const { res, socket } = await openSocket(path, headers);
  expect(res.status, res.status === 101 ? "" : await res.text()).toBe(101);
  return socket!;
}
