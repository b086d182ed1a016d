/**
 * Viewports and ad-hoc views inside workerd (docs/protocol.md, "Viewports and ad-hoc views"): a
 * viewport subscriber receives only the rows at its positions and the view's size, moves its
 * viewport on the same socket receiving only the newly visible rows, shares transient sort/where
 * tables with subscribers asking the same (released when the last leaves, for good even while the
 * object still lists its closing socket), survives an eviction with its viewport, and gets
 * clear errors; snapshots take the same parameters.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { WebSocketLike } from "../../src/client/index.ts";
import { connect } from "../../src/client/index.ts";
import type { TableFamily } from "../../src/durable/table-family.ts";
import { MAX_TRANSIENT_VIEWS } from "../../src/durable/transients.ts";
import type { TestSocket } from "./router-helpers.ts";
import { call, family, mustOpen, openSocket, step, until } from "./router-helpers.ts";

const client = connect("http://tickflare.test", {
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
  columns: { Id: "int32", Sym: "string", Price: "float64" },
  cycleMs: 3_600_000,
  derived: { history: "blinkToAppendOnly(source)", ring: "ringTable(source, 5)" },
};

const SYMS = ["A", "B", "C"];
const rowOf = (id: number) => ({ Id: id, Sym: SYMS[id % 3]!, Price: (id * 7) % 10 });
const rowsFrom = (from: number, n: number) => Array.from({ length: n }, (_, i) => rowOf(from + i));

async function publishCycle(name: string, from: number, n: number) {
  await client.publish(name, rowsFrom(from, n));
  await step(name);
}

/** Messages after the first `seen`, once `n` more have arrived. */
async function next(s: TestSocket, seen: number, n = 1) {
  await until(() => s.messages().length >= seen + n, `${n} message(s) after ${seen}`);
  return s.messages().slice(seen, seen + n);
}

describe("viewport subscriptions", () => {
  it("send the viewport's rows and the size, per cycle only what changes inside", async () => {
    const name = "vp-history";
    await client.createTable(name, SPEC);
    await publishCycle(name, 0, 100);
    const end = await mustOpen(
      `/v1/tables/${name}/views/history/subscribe?format=json&first=95&last=104&columns=Id`,
    );
    const start = await mustOpen(
      `/v1/tables/${name}/views/history/subscribe?format=json&first=0&last=2`,
    );
    const [snapEnd] = await next(end, 0);
    expect(snapEnd).toMatchObject({
      type: "snapshot",
      total: 5,
      size: 100,
      viewport: { first: 95, last: 104 },
      schema: { Id: "int32" },
      keys: [95, 96, 97, 98, 99],
      rows: [95, 96, 97, 98, 99].map((Id) => ({ Id })),
      attributes: { blink: false, appendOnly: false, addOnly: false },
    });
    const [snapStart] = await next(start, 0);
    expect(snapStart).toMatchObject({ keys: [0, 1, 2], rows: rowsFrom(0, 3), size: 100 });

    await publishCycle(name, 100, 50);
    const [d1] = await next(end, 1);
    expect(d1).toEqual({
      type: "delta",
      cycle: 2,
      removed: [],
      added: [100, 101, 102, 103, 104],
      modified: [],
      modifiedColumns: [],
      size: 150,
      viewport: { first: 95, last: 104 },
      addedRows: [100, 101, 102, 103, 104].map((Id) => ({ Id })),
      modifiedRows: [],
    });
    const [d2] = await next(start, 1);
    expect(d2).toMatchObject({ type: "delta", cycle: 2, added: [], removed: [], size: 150 });

    // Moving the viewport on the same socket sends only the newly visible rows.
    start.ws.send(JSON.stringify({ type: "viewport", first: 1, last: 4 }));
    const [moved] = await next(start, 2);
    expect(moved).toMatchObject({
      type: "delta",
      cycle: 2,
      removed: [0],
      added: [3, 4],
      addedRows: rowsFrom(3, 2),
      size: 150,
      viewport: { first: 1, last: 4 },
    });
    // Other columns: a snapshot of the new shape.
    start.ws.send(JSON.stringify({ type: "viewport", first: 1, last: 2, columns: ["Price"] }));
    const [reshaped] = await next(start, 3);
    expect(reshaped).toMatchObject({
      type: "snapshot",
      schema: { Price: "float64" },
      keys: [1, 2],
      rows: [{ Price: 7 }, { Price: 4 }],
    });
    // Bad viewport messages are refused, changing nothing.
    start.ws.send(JSON.stringify({ type: "viewport", first: 5, last: 2 }));
    start.ws.send(JSON.stringify({ type: "viewport", first: 0, last: 200_000 }));
    start.ws.send(JSON.stringify({ type: "viewport", first: 0, last: 1, columns: ["Nope"] }));
    start.ws.send("hello");
    const errors = await next(start, 4, 4);
    expect(errors.map((e) => e.error)).toEqual([
      "bad_viewport",
      "bad_viewport",
      "bad_query",
      "read_only",
    ]);
    expect(errors[2]!.detail).toBe(
      'columns: no column "Nope" in view "history"; columns are [Id, Sym, Price]',
    );
    end.ws.close();
    start.ws.close();
  });

  it("over a ring: rows leaving and entering the viewport's positions", async () => {
    const name = "vp-ring";
    await client.createTable(name, SPEC);
    await publishCycle(name, 0, 5);
    const s = await mustOpen(`/v1/tables/${name}/views/ring/subscribe?format=json&first=3&last=9`);
    const [snap] = await next(s, 0);
    expect(snap).toMatchObject({ keys: [3, 4], rows: rowsFrom(3, 2), size: 5 });
    await publishCycle(name, 5, 2);
    const [d] = await next(s, 1);
    // The ring (capacity 5, keyed by sequence number) now holds rows 2..6: positions 3 and 4
    // are rows 5 and 6.
    expect(d).toMatchObject({
      removed: [3, 4],
      added: [5, 6],
      addedRows: rowsFrom(5, 2),
      modified: [],
      size: 5,
    });
    s.ws.close();
  });

  it("over a blink view: keys reused by the next cycle's rows are removed and added", async () => {
    const name = "vp-blink";
    await client.createTable(name, SPEC);
    await publishCycle(name, 0, 4);
    const sub = await client.subscribe(name, "source", {
      format: "json",
      viewport: { first: 1, last: 2 },
    });
    expect(sub.table.toRows()).toEqual(rowsFrom(1, 2));
    const raw = await mustOpen(`/v1/tables/${name}/views/source/subscribe?first=1&last=2`);
    await next(raw, 0);
    await publishCycle(name, 4, 3);
    const [d] = await next(raw, 1);
    expect(d).toMatchObject({ removed: [1, 2], added: [1, 2], addedRows: rowsFrom(5, 2), size: 3 });
    await sub.waitForCycle(2);
    expect(sub.table.toRows()).toEqual(rowsFrom(5, 2));
    expect(sub.size).toBe(3);
    sub.close();
    raw.ws.close();
  });

  it("the client mirror holds exactly the viewport's rows, and keeps them after an eviction", async () => {
    const name = "vp-client";
    await client.createTable(name, SPEC);
    await publishCycle(name, 0, 40);
    const sub = await client.subscribe(name, "history", {
      format: "arrow",
      viewport: { first: 35, last: 44 },
    });
    expect(sub.size).toBe(40);
    expect(sub.table.toRows()).toEqual(rowsFrom(35, 5));
    const events: { kind: string; moved: boolean }[] = [];
    sub.onUpdate(({ kind, moved }) => events.push({ kind, moved }));
    await publishCycle(name, 40, 3);
    await sub.waitForCycle(2);
    expect(sub.size).toBe(43);
    expect(sub.table.toRows()).toEqual(rowsFrom(35, 8));
    await sub.setViewport(10, 12);
    expect(sub.table.toRows()).toEqual(rowsFrom(10, 3));
    expect(sub.viewport).toEqual({ first: 10, last: 12 });
    // The cycle's delta changed the view; the move's answer only moved the rows held.
    expect(events).toEqual([
      { kind: "delta", moved: false },
      { kind: "delta", moved: true },
    ]);

    // Evicted: the socket survives (hibernation); the next cycle sends a snapshot of the viewport.
    await evictDurableObject(family(name));
    await publishCycle(name, 43, 2);
    await sub.waitForCycle(3);
    expect(sub.size).toBe(45);
    expect(sub.table.toRows()).toEqual(rowsFrom(10, 3));
    sub.close();
  });
});

describe("ad-hoc views (sort, where) per subscriber", () => {
  it("are shared by equal requests, released by the last subscriber, bounded per family", async () => {
    const name = "vp-adhoc";
    await client.createTable(name, SPEC);
    await publishCycle(name, 0, 30);
    const opts = {
      format: "json" as const,
      sort: [{ column: "Price", order: "desc" as const }, "Id"],
      where: ["Sym != `C`", "Price > 2"],
      viewport: { first: 0, last: 3 },
    };
    const a = await client.subscribe(name, "history", opts);
    const b = await client.subscribe(name, "history", { ...opts, format: "arrow" });
    const c = await client.subscribe(name, "history", { where: "Sym == `C`", format: "json" });
    // The same whole-view request again: it shares c's table and c's delta frames.
    const c2 = await client.subscribe(name, "history", { where: "Sym == `C`", format: "json" });
    const want = (rows: ReturnType<typeof rowOf>[]) =>
      rows
        .filter((r) => r.Sym !== "C" && r.Price > 2)
        .sort((x, y) => y.Price - x.Price || x.Id - y.Id);
    let all = rowsFrom(0, 30);
    expect(a.table.toRows()).toEqual(want(all).slice(0, 4));
    expect(b.table.toRows()).toEqual(want(all).slice(0, 4));
    expect(a.size).toBe(want(all).length);
    expect(c.table.toRows()).toEqual(all.filter((r) => r.Sym === "C"));
    const d1 = await client.describe(name);
    expect(d1.transient).toEqual([
      {
        view: "history",
        where: ["Sym != `C`", "Price > 2"],
        sort: [
          { column: "Price", order: "desc" },
          { column: "Id", order: "asc" },
        ],
        subscribers: 2,
        size: want(all).length,
      },
      { view: "history", where: ["Sym == `C`"], sort: [], subscribers: 2, size: 10 },
    ]);
    // A snapshot with the same parameters reads the shared table.
    const snap = await call(
      `/v1/tables/${name}/views/history?sort=-Price,Id&where=${encodeURIComponent("Sym != `C`")}&where=${encodeURIComponent("Price > 2")}&columns=Id&offset=1&limit=2`,
    );
    expect(await snap.json()).toMatchObject({
      schema: { Id: "int32" },
      total: want(all).length,
      offset: 1,
      rows: want(all)
        .slice(1, 3)
        .map((r) => ({ Id: r.Id })),
    });

    await publishCycle(name, 30, 10);
    all = rowsFrom(0, 40);
    await Promise.all([a, b, c, c2].map((s) => s.waitForCycle(2)));
    expect(c2.table.toRows()).toEqual(all.filter((r) => r.Sym === "C"));
    expect(a.table.toRows()).toEqual(want(all).slice(0, 4));
    expect(b.table.toRows()).toEqual(want(all).slice(0, 4));
    expect(a.size).toBe(want(all).length);
    expect(c.table.toRows()).toEqual(all.filter((r) => r.Sym === "C"));

    // The bound: the family holds at most MAX_TRANSIENT_VIEWS ad-hoc views.
    const extra: TestSocket[] = [];
    for (let i = 0; extra.length < MAX_TRANSIENT_VIEWS - 2; i++) {
      extra.push(
        await mustOpen(
          `/v1/tables/${name}/views/history/subscribe?where=${encodeURIComponent(`Id > ${i}`)}`,
        ),
      );
    }
    const refused = await openSocket(
      `/v1/tables/${name}/views/history/subscribe?where=${encodeURIComponent("Id > 1000")}`,
    );
    expect(refused.res.status).toBe(409);
    expect(await refused.res.json()).toEqual({
      error: "transient_limit",
      detail: `table family "${name}" already holds ${MAX_TRANSIENT_VIEWS} ad-hoc views (sort/where), the most it may; share one of them (the same view, sort and where) or close a subscription`,
    });
    for (const s of extra) s.ws.close();
    a.close();
    b.close();
    c.close();
    c2.close();
    let left = -1;
    for (let i = 0; i < 100 && left !== 0; i++) {
      left = (await client.describe(name)).transient.length;
      if (left !== 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(left).toBe(0);
  });

  it("are rebuilt after an eviction from their subscribers' attachments", async () => {
    const name = "vp-adhoc-evict";
    await client.createTable(name, SPEC);
    await publishCycle(name, 0, 20);
    const sub = await client.subscribe(name, "history", {
      format: "arrow",
      where: "Price >= 5",
      sort: ["Price", "Id"],
      viewport: { first: 0, last: 2 },
    });
    const want = (n: number) =>
      rowsFrom(0, n)
        .filter((r) => r.Price >= 5)
        .sort((x, y) => x.Price - y.Price || x.Id - y.Id);
    expect(sub.table.toRows()).toEqual(want(20).slice(0, 3));
    await evictDurableObject(family(name));
    // The wake rebuilds the transient table before anything else runs.
    expect((await client.describe(name)).transient).toMatchObject([{ subscribers: 1, size: 10 }]);
    await publishCycle(name, 20, 10);
    await until(() => sub.size === want(30).length, "the size after the wake");
    expect(sub.table.toRows()).toEqual(want(30).slice(0, 3));
    sub.close();
  });

  it("are released for good by a closed socket that the object still lists as closing", async () => {
    const name = "vp-adhoc-closing";
    await client.createTable(name, SPEC);
    await publishCycle(name, 0, 10);
    // The client end is never accepted, so the object's close is never answered: its socket stays
    // CLOSING and getWebSockets() still lists it after the close handler ran.
    const res = await call(
      `/v1/tables/${name}/views/history/subscribe?where=${encodeURIComponent("Price > 2")}`,
      { headers: { Upgrade: "websocket" } },
    );
    expect(res.status).toBe(101);
    expect((await client.describe(name)).transient).toMatchObject([{ subscribers: 1 }]);
    await runInDurableObject(family(name), async (instance: TableFamily, state) => {
      const [ws] = state.getWebSockets();
      await instance.webSocketClose(ws!, 1000, "closed by client");
      expect(state.getWebSockets()).toEqual([ws]);
    });
    expect((await client.describe(name)).transient).toEqual([]);
    // A cycle goes over the listed sockets: the closed one does not take the view again.
    await publishCycle(name, 10, 5);
    expect((await client.describe(name)).transient).toEqual([]);
  });

  it("fail with the family: a viewport and an ad-hoc subscriber each get one failure", async () => {
    const name = "vp-adhoc-delete";
    await client.createTable(name, SPEC);
    await publishCycle(name, 0, 10);
    const vp = await mustOpen(`/v1/tables/${name}/views/history/subscribe?first=0&last=1`);
    const adhoc = await mustOpen(`/v1/tables/${name}/views/history/subscribe?where=Id%20%3E%203`);
    await next(vp, 0);
    await next(adhoc, 0);
    await client.deleteTable(name);
    for (const s of [vp, adhoc]) {
      const [failure] = await next(s, 1);
      expect(failure).toMatchObject({ type: "failure", error: "failed" });
      expect(s.messages().filter((m) => m.type === "failure")).toHaveLength(1);
    }
  });

  it("refuse bad formulas and parameters before the upgrade; snapshots too", async () => {
    const name = "vp-errors";
    await client.createTable(name, SPEC);
    const q = (p: string) => `/v1/tables/${name}/views/history${p}`;
    const cases: [string, number, string, string][] = [
      [
        "?where=Price%20%3E",
        400,
        "bad_formula",
        "Unexpected end of input at position 7 in formula `Price >`",
      ],
      [
        "?sort=Nope",
        400,
        "bad_query",
        'sort: no column "Nope" in view "history"; columns are [Id, Sym, Price]',
      ],
      ["?sort=a%20b", 400, "bad_query", ""],
      ["?columns=Id,Id", 400, "bad_query", 'query parameter columns: column "Id" is repeated'],
      ["?where=", 400, "bad_query", "query parameter where: filter 0 is empty"],
    ];
    for (const [params, status, error, detail] of cases) {
      for (const path of [q(params), q(`/subscribe${params}`)]) {
        const { res } = await openSocket(path);
        const body = (await res.json()) as { error: string; detail: string };
        expect({ path, status: res.status, error: body.error }).toEqual({ path, status, error });
        if (detail) expect(body.detail).toBe(detail);
      }
    }
    for (const [params, detail] of [
      ["?first=1", "query parameter last: a viewport needs both first and last"],
      ["?first=3&last=1", "query parameter last: 1 is before first (3)"],
      [
        "?first=x&last=1",
        'query parameter first: must be a row position (an integer from 0), got "x"',
      ],
    ] as const) {
      const { res } = await openSocket(q(`/subscribe${params}`));
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: "bad_query", detail });
    }
    const snap = await call(q("?first=1&last=2"));
    expect(snap.status).toBe(400);
    expect(((await snap.json()) as { error: string }).error).toBe("bad_query");
    expect((await client.describe(name)).transient).toEqual([]);
    // The client reports the server's refusal (its probe repeats the query over HTTP).
    await expect(
      client.subscribe(name, "history", { where: "Price >", minReconnectMs: 1 }),
    ).rejects.toMatchObject({ status: 400, error: "bad_formula" });
  });
});
