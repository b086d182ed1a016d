/**
 * Relays inside workerd (durable/relay.ts, worker/relays.ts): the router is called with
 * RELAY_SUBSCRIBERS set, so plain subscribers are served by relay objects. Subscribers spread over
 * several relays get byte-for-byte the frames of a direct subscriber while the family holds one
 * socket per relay; a relay evicted mid-stream resumes its subscribers with nothing missed or
 * doubled; a subscriber that stops reading is cut off while the others go on; a deleted family
 * fails relayed subscribers as it fails direct ones. (Project workers-relays reruns the
 * subscription, client, auth and viewport tests through relays.)
 */
import { createExecutionContext, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { WebSocketLike } from "../../src/client/index.ts";
import { connect } from "../../src/client/index.ts";
import { SLOW_SUBSCRIBER_BYTES, SLOW_SUBSCRIBER_CODE } from "../../src/durable/relay.ts";
import worker from "../../src/worker/index.ts";
import type { TestSocket } from "./router-helpers.ts";
import { BASE, create, family, mustOpen, publish, step, until } from "./router-helpers.ts";

/** The router with `RELAY_SUBSCRIBERS` = perRelay. */
function viaRelays(path: string, perRelay: number, init: RequestInit = {}): Promise<Response> {
  return worker.fetch(
    new Request(`${BASE}${path}`, init) as Request<unknown, IncomingRequestCfProperties>,
    { ...env, RELAY_SUBSCRIBERS: String(perRelay) } as Env,
    createExecutionContext(),
  );
}

/** A socket through relays, collecting frames; `read: false` leaves it unaccepted (not reading). */
async function relayed(path: string, perRelay: number, read = true) {
  const res = await viaRelays(path, perRelay, { headers: { Upgrade: "websocket" } });
  expect(res.status, res.status === 101 ? "" : await res.text()).toBe(101);
  const ws = res.webSocket!;
  const frames: (string | ArrayBuffer)[] = [];
  let closed!: Promise<{ code: number; reason: string }>;
  const start = () => {
    ws.accept();
    ws.binaryType = "arraybuffer";
    ws.addEventListener("message", (e) => frames.push(e.data as string | ArrayBuffer));
    closed = new Promise((resolve) =>
      ws.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason })),
    );
  };
  if (read) start();
  const socket: TestSocket & { start(): void } = {
    ws,
    frames,
    messages: () =>
      frames
        .filter((f): f is string => typeof f === "string" && f !== "pong")
        .map((f) => JSON.parse(f) as Record<string, unknown>),
    frameCount: (n) => until(() => frames.length >= n, `${n} frames (have ${frames.length})`),
    get closed() {
      return closed;
    },
    start,
  };
  return socket;
}

const relayStub = (name: string) => env.RELAYS.get(env.RELAYS.idFromName(name));
const socketsOf = (stub: DurableObjectStub) =>
  runInDurableObject(
    stub,
    (_o: unknown, state: DurableObjectState) => state.getWebSockets().length,
  );

/** True when `frames` hold `messages` text messages and every binary frame they announce. */
function complete(frames: (string | ArrayBuffer)[], messages: number): boolean {
  const texts = frames.filter((f): f is string => typeof f === "string");
  if (texts.length !== messages) return false;
  const announced = texts
    .map((t) => JSON.parse(t) as Record<string, number | undefined>)
    .reduce((n, m) => n + (m.frames ?? 0) + (m.addedFrames ?? 0) + (m.modifiedFrames ?? 0), 0);
  return frames.length === messages + announced;
}

/** Frames as comparable values (binary frames as byte arrays). */
const bytes = (frames: (string | ArrayBuffer)[]) =>
  frames.map((f) => (typeof f === "string" ? f : [...new Uint8Array(f)]));

const row = (i: number) => ({
  Sym: `S${i % 3}`,
  Price: i + 0.5,
  Size: i,
  Ts: "2024-01-01T00:00:00Z",
});

describe("relays", () => {
  it("subscribers on several relays get the direct subscriber's frames; the family holds one socket per relay", async () => {
    await create("rl-same");
    await publish("rl-same", [row(0), row(1)]);
    await step("rl-same");
    for (const format of ["json", "arrow"] as const) {
      const path = `/v1/tables/rl-same/views/bySym/subscribe?format=${format}`;
      const direct = await mustOpen(path);
      // One subscriber per relay: three relays.
      const subs = [await relayed(path, 1), await relayed(path, 1), await relayed(path, 1)];
      await until(() => complete(direct.frames, 1), "direct snapshot");
      for (let i = 2; i < 5; i++) {
        await publish("rl-same", [row(i), row(i + 10)]);
        await step("rl-same");
      }
      await step("rl-same"); // a cycle that leaves bySym unchanged sends nothing
      await until(() => complete(direct.frames, 4), "direct deltas");
      for (const s of subs) await s.frameCount(direct.frames.length);
      for (const s of subs) expect(bytes(s.frames)).toEqual(bytes(direct.frames));
      const counts = await Promise.all(
        [0, 1, 2, 3].map((k) => socketsOf(relayStub(`relay:rl-same:bySym:${format}:${k}`))),
      );
      expect(counts.filter((c) => c === 1).length).toBe(3);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(3);
      // The family: the direct subscriber plus one socket per relay.
      expect(await socketsOf(family("rl-same"))).toBe(4);
      direct.ws.close();
      for (const s of subs) s.ws.close();
      // The last subscriber leaving a relay closes its upstream: an idle relay holds nothing.
      await until(
        async_(() => socketsOf(family("rl-same"))),
        "relays' upstreams closed",
      );
    }
  });

  it("a relay evicted mid-stream: its subscribers resume with nothing missed or doubled", async () => {
    const spec = {
      columns: { Id: "int64" },
      cycleMs: 3_600_000,
      derived: { all: "blinkToAppendOnly(source)" },
    };
    await create("rl-evict", spec);
    const client = relayClient(2);
    const sub = await client.subscribe("rl-evict", "all", {
      format: "arrow",
      minReconnectMs: 10,
      maxReconnectMs: 50,
    });
    let id = 0;
    const batch = () => Array.from({ length: 4 }, () => ({ Id: id++ }));
    const relay = "relay:rl-evict:all:arrow:0";
    await client.publish("rl-evict", batch());
    await step("rl-evict");
    await expect.poll(() => sub.table.size, { timeout: 5000 }).toBe(4);
    expect(await socketsOf(relayStub(relay))).toBe(1);
    // Reset (its memory and upstream gone, its sockets closed: a crash or a deploy): the client
    // resumes through a fresh relay, which resumes its upstream from that cycle.
    await abort(relay);
    await client.publish("rl-evict", batch());
    await step("rl-evict");
    await expect.poll(() => sub.table.size, { timeout: 5000 }).toBe(8);
    // Again, right after a cycle whose delta may not have reached the subscriber yet.
    await client.publish("rl-evict", batch());
    await step("rl-evict");
    await abort(relay);
    await client.publish("rl-evict", batch());
    await step("rl-evict");
    await expect.poll(() => sub.table.size, { timeout: 5000 }).toBe(16);
    expect(sub.table.toRows().map((r) => r.Id)).toEqual(
      Array.from({ length: 16 }, (_, i) => BigInt(i)),
    );
    expect(sub.stats.snapshots).toBe(1);
    expect(sub.stats.resumes).toBe(2);
    sub.close();
  });

  it.each([
    ["relayed", 10],
    ["direct", 0],
  ])(
    "a %s subscriber that stops reading is closed past the limit; the others get every delta",
    async (mode, perRelay) => {
      const spec = { columns: { Id: "int32", S: "string" }, cycleMs: 3_600_000 };
      const name = `rl-slow-${mode}`;
      await create(name, spec);
      const path = `/v1/tables/${name}/views/source/subscribe?format=json`;
      const slow = await relayed(path, perRelay, false);
      const fast = await relayed(path, perRelay);
      await fast.frameCount(1);
      const pad = "z".repeat(1000);
      const cycles = Math.ceil((2 * SLOW_SUBSCRIBER_BYTES) / (1000 * 1000)) + 1;
      for (let c = 0; c < cycles; c++) {
        await publish(
          name,
          Array.from({ length: 1000 }, (_, i) => ({ Id: c * 1000 + i, S: pad })),
        );
        await step(name);
      }
      await fast.frameCount(1 + cycles);
      expect(fast.messages().map((m) => m.type)).toEqual([
        "snapshot",
        ...Array.from({ length: cycles }, () => "delta"),
      ]);
      slow.start();
      expect(await slow.closed).toEqual({
        code: SLOW_SUBSCRIBER_CODE,
        reason: `slow subscriber: more than ${SLOW_SUBSCRIBER_BYTES} bytes unsent; resume with since`,
      });
      // It resumes with `since` the cycle it applied last.
      const last = slow.messages().at(-1)!.cycle as number;
      const again = await relayed(`${path}&since=${last}`, perRelay);
      await again.frameCount(1);
      expect(again.messages()[0]).toMatchObject({ type: "resume", since: last, cycle: cycles });
      fast.ws.close();
      again.ws.close();
    },
  );

  it.each([
    ["relayed", 10],
    ["direct", 0],
  ])(
    "a %s subscriber still reading a snapshot larger than the limit is not cut off",
    async (mode, perRelay) => {
      const name = `rl-big-${mode}`;
      await create(name, {
        columns: { Id: "int32", S: "string" },
        cycleMs: 3_600_000,
        derived: { all: "blinkToAppendOnly(source)" },
      });
      const pad = "q".repeat(1000);
      await publish(
        name,
        Array.from({ length: 6000 }, (_, i) => ({ Id: i, S: pad })),
      );
      await step(name);
      const path = `/v1/tables/${name}/views/all/subscribe?format=json`;
      const late = await relayed(path, perRelay, false);
      for (let c = 0; c < 3; c++) {
        await publish(name, [{ Id: 10_000 + c, S: "x" }]);
        await step(name);
      }
      late.start();
      await until(() => late.messages().filter((m) => m.type === "delta").length === 3, "3 deltas");
      await publish(name, [{ Id: 20_000, S: "y" }]);
      await step(name);
      await until(
        () => late.messages().filter((m) => m.type === "delta").length === 4,
        "4th delta",
      );
      const snapshot = late.messages().filter((m) => m.type === "snapshot");
      expect(snapshot.reduce((n, m) => n + (m.keys as number[]).length, 0)).toBe(6000);
      expect(snapshot.length).toBeGreaterThan(4); // parts of about 1 MiB: more than the limit
      late.ws.close();
    },
  );

  it("a viewport asked on a relayed subscription reconnects it to the family with first/last", async () => {
    await create("rl-vp");
    await publish("rl-vp", [row(0), row(1), row(2), row(3)]);
    await step("rl-vp");
    const client = relayClient(2);
    const sub = await client.subscribe("rl-vp", "all", { minReconnectMs: 10, maxReconnectMs: 50 });
    expect(sub.table.size).toBe(4);
    await sub.setViewport(1, 2);
    expect(sub.table.toRows().map((r) => r.Size)).toEqual([1n, 2n]);
    expect(sub.stats.connections).toBe(2);
    sub.close();
  });

  it("a malformed RELAY_SUBSCRIBERS is the operator's 503, naming the variable", async () => {
    await create("rl-conf");
    const res = await worker.fetch(
      new Request(`${BASE}/v1/tables/rl-conf/views/all/subscribe`, {
        headers: { Upgrade: "websocket" },
      }) as Request<unknown, IncomingRequestCfProperties>,
      { ...env, RELAY_SUBSCRIBERS: "lots" } as Env,
      createExecutionContext(),
    );
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      error: "relays_misconfigured",
      detail:
        'RELAY_SUBSCRIBERS must be a whole number of subscribers per relay (0: no relays), got "lots"',
    });
  });

  it("a deleted family fails its relayed subscribers as it fails direct ones", async () => {
    await create("rl-del");
    const s = await relayed("/v1/tables/rl-del/views/all/subscribe", 5);
    await s.frameCount(1);
    const res = await viaRelays("/v1/tables/rl-del", 5, { method: "DELETE" });
    expect(res.status).toBe(200);
    expect((await s.closed).code).toBe(4404);
    expect(s.messages().at(-1)).toMatchObject({ type: "failure" });
    const again = await viaRelays("/v1/tables/rl-del/views/all/subscribe", 5, {
      headers: { Upgrade: "websocket" },
    });
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({ error: "not_found" });
  });
});

/** A tickflare client whose sockets go through relays of `perRelay` subscribers. */
function relayClient(perRelay: number) {
  return connect(BASE, {
    fetch: (input, init) => exports.default.fetch(input, init),
    webSocket: async (url) => {
      const res = await viaRelays(url.replace(/^ws:\/\/[^/]+/, ""), perRelay, {
        headers: { Upgrade: "websocket" },
      });
      if (!res.webSocket) throw new Error(`no upgrade: ${res.status}`);
      res.webSocket.accept();
      return res.webSocket as unknown as WebSocketLike;
    },
  });
}

/** Resets an object as the platform does when it is evicted or crashes (memory gone). */
async function abort(name: string): Promise<void> {
  // A fresh stub each time: a stub whose object was aborted stays broken.
  try {
    await runInDurableObject(relayStub(name), (_o: unknown, state: DurableObjectState) =>
      state.abort("test"),
    );
  } catch {
    // the abort rejects the call that made it
  }
}

/** Wraps an async count for `until` (which polls synchronously): true once it reads 0. */
function async_(read: () => Promise<number>): () => boolean {
  let zero = false;
  const poll = () =>
    void read().then((n) => {
      zero = n === 0;
      if (!zero) setTimeout(poll, 5);
    });
  poll();
  return () => zero;
}
