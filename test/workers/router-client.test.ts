/**
 * The TypeScript client (tickflare/client) against the router Worker inside workerd: its fetch is
 * the Worker's, its sockets are upgrades through the Worker. Covers every client method, errors
 * as TickflareClientError, and subscriptions: mirrors equal to the server after every cycle (JSON
 * and Arrow, multi-part snapshots), tables derived from the mirror, reconnect-and-resume after the
 * object drops its sockets, and a subscription that cannot start.
 */
import { evictDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Subscription, WebSocketLike } from "../../src/client/index.ts";
import { connect, TickflareClientError } from "../../src/client/index.ts";
import { instantCol, intCol, newTable, stringCol } from "../../src/engine/index.ts";
import { BASE, family, step } from "./router-helpers.ts";

const client = connect(BASE, {
  fetch: (input, init) => exports.default.fetch(input, init),
  webSocket: async (url) => {
    const res = await exports.default.fetch(url.replace(/^ws/, "http"), {
      headers: { Upgrade: "websocket" },
    });
    if (!res.webSocket) throw new Error(`no upgrade: ${res.status}`);
    res.webSocket.accept();
    return res.webSocket as unknown as WebSocketLike;
  },
});

const SPEC = {
  columns: { Id: "int64", Sym: "string", Ts: "instant", N: "int32" },
  cycleMs: 3_600_000,
  derived: {
    all: "blinkToAppendOnly(source)",
    last2: "ringTable(source, 2)",
    bySym: 'source.view("Sym", "N").sumBy("Sym")',
  },
};

async function rowsOnServer(name: string, view: string) {
  const s = await client.snapshot(name, view, { format: "arrow", limit: 1_000_000 });
  return s.table.toRows();
}

/** Steps one cycle that changes the subscribed views and waits until they applied it. */
async function cycle(name: string, subs: Subscription[]) {
  await step(name);
  const c = (await client.describe(name)).cycle;
  await Promise.all(subs.map((s) => s.waitForCycle(c, 5000)));
}

describe("client: HTTP methods", () => {
  it("creates, describes, lists, publishes (JSON and Arrow), snapshots and deletes", async () => {
    const created = await client.createTable("cl-basic", SPEC);
    expect(created.created).toBe(true);
    expect(created.description.views.all!.appendOnly).toBe(true);
    expect((await client.createTable("cl-basic", SPEC)).created).toBe(false);
    expect((await client.listTables()).map((t) => t.name)).toContain("cl-basic");
    const r = await client.publish("cl-basic", [
      { Id: 2n ** 60n, Sym: "A", Ts: new Date("2024-05-01T00:00:00.123Z"), N: 1 },
      { Id: 1, Sym: null, Ts: "2024-05-01T00:00:00.000000007Z", N: null },
    ]);
    expect(r).toEqual({ accepted: 2, cycle: 1, duplicate: false });
    const arrow = newTable([
      { name: "Id", type: "int64", values: [3n] },
      stringCol("Sym", ["B"]),
      instantCol("Ts", [5n]),
      intCol("N", [3]),
    ]);
    expect(await client.publish("cl-basic", arrow, { idempotencyKey: "a1" })).toMatchObject({
      accepted: 1,
    });
    expect(await client.publish("cl-basic", arrow, { idempotencyKey: "a1" })).toMatchObject({
      duplicate: true,
    });
    await step("cl-basic");
    const expected = [
      { Id: 2n ** 60n, Sym: "A", Ts: 1714521600123000000n, N: 1 },
      { Id: 1n, Sym: null, Ts: 1714521600000000007n, N: null },
      { Id: 3n, Sym: "B", Ts: 5n, N: 3 },
    ];
    const j = await client.snapshot("cl-basic", "all");
    expect(j.rows[0]).toEqual({
      Id: "1152921504606846976",
      Sym: "A",
      Ts: "2024-05-01T00:00:00.123Z",
      N: 1,
    });
    expect(j.table.toRows()).toEqual(expected);
    expect(j).toMatchObject({ cycle: 1, total: 3, offset: 0, keys: [0, 1, 2] });
    const a = await client.snapshot("cl-basic", "all", { format: "arrow", offset: 1, limit: 1 });
    expect(a.table.toRows()).toEqual([expected[1]]);
    expect(a).toMatchObject({ total: 3, offset: 1 });
    const c = await client.snapshot("cl-basic", "bySym", { format: "csv" });
    expect(c.text.split("\r\n")[0]).toBe("Sym,N");
    expect((await client.describe("cl-basic")).views.all!.size).toBe(3);
    await client.deleteTable("cl-basic");
    expect((await client.listTables()).map((t) => t.name)).not.toContain("cl-basic");
  });

  it("reports refusals as TickflareClientError with status, error and detail", async () => {
    await client.createTable("cl-errors", SPEC);
    const err = await client.publish("cl-errors", [{ Id: 1, N: "x" }]).catch((e) => e);
    expect(TickflareClientError.isClientError(err)).toBe(true);
    expect(err).toMatchObject({ status: 400, error: "bad_value" });
    expect(err.detail).toMatch(/row 0, column "N"/);
    await expect(client.describe("cl-missing")).rejects.toMatchObject({
      status: 404,
      error: "not_found",
    });
    await expect(client.createTable("cl-errors", { ...SPEC, cycleMs: 5 })).rejects.toMatchObject({
      status: 400,
      error: "bad_spec",
    });
    await expect(client.createTable("bad name", SPEC)).rejects.toMatchObject({ status: 400 });
    await expect(client.snapshot("cl-errors", "nope")).rejects.toMatchObject({ status: 404 });
    await expect(client.subscribe("cl-errors", "nope")).rejects.toMatchObject({
      status: 404,
      error: "unknown_view",
    });
    await expect(client.subscribe("cl-missing", "all")).rejects.toMatchObject({ status: 404 });
    await expect(client.publisher("cl-missing")).rejects.toMatchObject({ status: 404 });
  });

  it("publishes over a WebSocket stream with acks and per-batch errors", async () => {
    await client.createTable("cl-stream", SPEC);
    const p = await client.publisher("cl-stream");
    const results = await Promise.allSettled([
      p.send([{ Id: 1, Sym: "A", N: 1 }]),
      p.send([{ Id: "x" }]),
      p.send([{ Id: 2, Sym: "B", N: 2 }], { idempotencyKey: "k" }),
      p.send([{ Id: 2, Sym: "B", N: 2 }], { idempotencyKey: "k" }),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
    ]);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ error: "bad_value" });
    expect((results[3] as PromiseFulfilledResult<unknown>).value).toMatchObject({
      duplicate: true,
    });
    p.close();
    await expect(p.send([{ Id: 3 }])).rejects.toMatchObject({ error: "closed" });
    await step("cl-stream");
    expect((await rowsOnServer("cl-stream", "all")).map((r) => r.Id)).toEqual([1n, 2n]);
  });
});

describe("client: several sources and input tables", () => {
  it("publishes to named sources (HTTP and stream) and deletes an input table's rows by key", async () => {
    await client.createTable("cl-sources", {
      sources: {
        trades: { columns: { Sym: "string", N: "int32" } },
        names: { type: "input", columns: { Sym: "string", Name: "string" }, keys: ["Sym"] },
      },
      cycleMs: 3_600_000,
      derived: { named: 'blinkToAppendOnly(trades).naturalJoin(names, "Sym", "Name")' },
    });
    expect((await client.describe("cl-sources")).sources.names).toEqual({
      type: "input",
      columns: { Sym: "string", Name: "string" },
      keys: ["Sym"],
    });
    await client.publish(
      "cl-sources",
      [
        { Sym: "A", Name: "Alpha" },
        { Sym: "B", Name: "Beta" },
      ],
      { source: "names" },
    );
    const p = await client.publisher("cl-sources", { source: "trades" });
    expect(
      await p.send([
        { Sym: "A", N: 1 },
        { Sym: "B", N: 2 },
      ]),
    ).toMatchObject({ accepted: 2 });
    p.close();
    expect(await client.deleteRows("cl-sources", "names", [{ Sym: "B" }])).toMatchObject({
      accepted: 1,
      duplicate: false,
    });
    await step("cl-sources");
    expect(await rowsOnServer("cl-sources", "named")).toEqual([
      { Sym: "A", N: 1, Name: "Alpha" },
      { Sym: "B", N: 2, Name: null },
    ]);
    await expect(client.publish("cl-sources", [{ Sym: "A" }])).rejects.toMatchObject({
      status: 404,
      error: "unknown_source",
    });
    await expect(client.deleteRows("cl-sources", "trades", [{ Sym: "A" }])).rejects.toMatchObject({
      status: 400,
      error: "not_deletable",
    });
    await expect(client.publisher("cl-sources", { source: "nope" })).rejects.toMatchObject({
      status: 404,
      error: "unknown_source",
    });
  });
});

describe("client: subscribe", () => {
  for (const format of ["json", "arrow"] as const) {
    it(`mirrors views exactly after every cycle, and derived tables tick (${format})`, async () => {
      const name = `cl-sub-${format}`;
      await client.createTable(name, SPEC);
      await client.publish(name, [{ Id: 0, Sym: "A", N: 1 }]);
      await step(name);
      const views = ["source", "all", "last2", "bySym"];
      const subs = await Promise.all(views.map((v) => client.subscribe(name, v, { format })));
      for (const s of subs) expect(s.state).toBe("open");
      const big = subs[1]!.table.where("N > 2");
      const events: number[] = [];
      subs[1]!.onUpdate((e) => events.push(e.cycle));
      for (let c = 0; c < 6; c++) {
        const rows = Array.from({ length: c + 1 }, (_, i) => ({
          Id: 100 * c + i,
          Sym: i % 2 ? "A" : "B",
          Ts: 1_000_000_000n * BigInt(c) + BigInt(i),
          N: c * 10 + i,
        }));
        if (c !== 3) await client.publish(name, rows);
        await step(name);
        const serverCycle = (await client.describe(name)).cycle;
        for (const [i, s] of subs.entries()) {
          // Every view that changed reaches this cycle; unchanged views keep their last one.
          await expect
            .poll(async () => s.table.toRows(), { timeout: 5000 })
            .toEqual(await rowsOnServer(name, views[i]!));
          expect(s.cycle).toBeLessThanOrEqual(serverCycle);
        }
      }
      expect(big.toRows().every((r) => (r.N as number) > 2)).toBe(true);
      expect(big.size).toBe(subs[1]!.table.toRows().filter((r) => (r.N as number) > 2).length);
      // One update event per delta, in cycle order, never repeated.
      expect(events).toEqual([...events].sort((a, b) => a - b));
      expect(new Set(events).size).toBe(events.length);
      for (const s of subs) s.close();
      expect(subs[0]!.state).toBe("closed");
    });
  }

  it("applies multi-part snapshots (JSON parts of about 1 MiB, several Arrow frames)", async () => {
    await client.createTable("cl-big", {
      columns: { Id: "int32", S: "string" },
      cycleMs: 3_600_000,
      derived: { all: "blinkToAppendOnly(source)" },
    });
    const pad = "x".repeat(60);
    const rows = Array.from({ length: 40_000 }, (_, i) => ({ Id: i, S: `${pad}${i}` }));
    await client.publish("cl-big", rows);
    await step("cl-big");
    for (const format of ["json", "arrow"] as const) {
      const s = await client.subscribe("cl-big", "all", { format });
      expect(s.table.size).toBe(40_000);
      expect(s.table.toRows()[39_999]).toEqual({ Id: 39_999, S: `${pad}39999` });
      s.close();
    }
  });

  it("reconnects and resumes when the object drops its sockets; nothing missing or doubled", async () => {
    await client.createTable("cl-resume", SPEC);
    const states: string[] = [];
    const sub = await client.subscribe("cl-resume", "all", {
      format: "arrow",
      minReconnectMs: 10,
      maxReconnectMs: 50,
      onStateChange: (s) => states.push(s),
    });
    let id = 0;
    const batch = () => Array.from({ length: 5 }, () => ({ Id: id++, Sym: "A", N: 1 }));
    await client.publish("cl-resume", batch());
    await cycle("cl-resume", [sub]);
    expect(sub.table.size).toBe(5);
    await evictDurableObject(family("cl-resume"), { webSockets: "close" });
    await client.publish("cl-resume", batch());
    await step("cl-resume");
    await expect.poll(() => sub.state, { timeout: 5000 }).toBe("open");
    await client.publish("cl-resume", batch());
    await step("cl-resume");
    await expect.poll(() => sub.table.size, { timeout: 5000 }).toBe(15);
    expect(sub.table.toRows().map((r) => r.Id)).toEqual(
      Array.from({ length: 15 }, (_, i) => BigInt(i)),
    );
    // Through a relay (project workers-relays) the relay may resume its upstream itself, and the
    // client then sees no drop at all; the rows above are what must hold either way.
    if (env.RELAY_SUBSCRIBERS === "0") {
      expect(states).toContain("reconnecting");
      expect(sub.stats.connections).toBeGreaterThanOrEqual(2);
      expect(sub.stats.snapshots + sub.stats.resumes).toBeGreaterThanOrEqual(2);
    }
    sub.close();
  });

  it("reports the family's failure when it is deleted", async () => {
    await client.createTable("cl-deleted", SPEC);
    const errors: string[] = [];
    const sub = await client.subscribe("cl-deleted", "all", {
      onError: (e) => errors.push(e.error),
    });
    const derived = sub.table.where("true");
    await client.deleteTable("cl-deleted");
    await expect.poll(() => sub.failure?.error, { timeout: 5000 }).toBeDefined();
    expect(errors.length).toBeGreaterThan(0);
    // The failure reaches the local mirror and the tables derived from it.
    expect(sub.table.isFailed).toBe(true);
    expect(derived.isFailed).toBe(true);
    sub.close();
  });
});
