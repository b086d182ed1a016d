/**
 * Families with several sources inside workerd, through the router: trades and quotes published
 * over HTTP and the publish WebSocket into one family with an as-of join, the object evicted
 * mid-stream (evictDurableObject: storage and hibernated sockets survive, memory does not); an
 * input-table source upserted and deleted by key, surviving eviction; the routes' refusals.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newTable, stringCol, toArrowIPC } from "../../src/engine/index.ts";
import { call, create, family, mustOpen, rowsOf, step, until } from "./router-helpers.ts";

const TRADES = { Sym: "string", Ts: "int64", Size: "int32" };
const QUOTES = { Sym: "string", QuoteTs: "int64", Bid: "float64" };
const FX = {
  sources: { trades: { columns: TRADES }, quotes: { columns: QUOTES } },
  cycleMs: 3_600_000,
  derived: {
    enriched: 'trades.aj(quotes, "Sym, Ts >= QuoteTs", "Bid")',
    tradeLog: "blinkToAppendOnly(trades)",
    quoteLog: "blinkToAppendOnly(quotes)",
    lastTrade: 'tradeLog.aj(quoteLog, "Sym, Ts >= QuoteTs", "Bid")',
  },
};
const REF = {
  sources: {
    trades: { columns: TRADES },
    names: { type: "input", columns: { Sym: "string", Name: "string" }, keys: ["Sym"] },
  },
  cycleMs: 3_600_000,
  derived: { named: 'blinkToAppendOnly(trades).naturalJoin(names, "Sym", "Name")' },
};

function post(path: string, rows: unknown, headers: Record<string, string> = {}) {
  return call(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(rows),
  });
}

describe("several sources in one family", () => {
  it("trades over HTTP and quotes over the publish socket; evicted mid-stream, the aj is exact", async () => {
    await create("fx", FX);
    const quotes = await mustOpen("/v1/tables/fx/sources/quotes/publish");
    const acks = () => quotes.messages().filter((m) => m.type === "ack");
    quotes.ws.send(JSON.stringify([{ Sym: "A", QuoteTs: 1, Bid: 10 }]));
    await until(() => acks().length === 1, "the first quote ack");
    expect(acks()[0]).toEqual({ type: "ack", seq: 1, accepted: 1, cycle: 1, duplicate: false });
    const t1 = await post("/v1/tables/fx/sources/trades/rows", [{ Sym: "A", Ts: 2, Size: 5 }]);
    expect(t1.status).toBe(202);
    expect(await t1.json()).toEqual({ accepted: 1, cycle: 1, duplicate: false });
    expect(await step("fx")).toBe(true);
    expect(await rowsOf("fx", "enriched")).toEqual([{ Sym: "A", Ts: 2, Size: 5, Bid: 10 }]);

    // Both sides acknowledged, then the object is evicted before the cycle.
    quotes.ws.send(
      JSON.stringify({ rows: [{ Sym: "A", QuoteTs: 3, Bid: 11 }], idempotencyKey: "q2" }),
    );
    await until(() => acks().length === 2, "the second quote ack");
    await post("/v1/tables/fx/sources/trades/rows", [
      { Sym: "A", Ts: 3, Size: 6 },
      { Sym: "B", Ts: 3, Size: 7 },
    ]);
    await evictDurableObject(family("fx"));
    expect(await step("fx")).toBe(true);
    expect(await rowsOf("fx", "enriched")).toEqual([
      { Sym: "A", Ts: 3, Size: 6, Bid: 11 },
      { Sym: "B", Ts: 3, Size: 7, Bid: null },
    ]);
    // The socket survived the eviction (hibernation) and still publishes to quotes.
    quotes.ws.send(JSON.stringify([{ Sym: "B", QuoteTs: 1, Bid: 20 }]));
    await until(() => acks().length === 3, "the third quote ack");
    expect(acks()[2]).toMatchObject({ seq: 3, accepted: 1, cycle: 3 });
    await evictDurableObject(family("fx"));
    await step("fx");
    expect(await rowsOf("fx", "lastTrade")).toEqual([
      { Sym: "A", Ts: 2, Size: 5, Bid: 10 },
      { Sym: "A", Ts: 3, Size: 6, Bid: 11 },
      { Sym: "B", Ts: 3, Size: 7, Bid: 20 },
    ]);
    expect(await rowsOf("fx", "quoteLog")).toHaveLength(3);
    quotes.ws.close(1000, "done");
  });

  it("describes its sources; old routes address the source named source", async () => {
    await create("fx-describe", FX);
    const d = (await (await call("/v1/tables/fx-describe")).json()) as Record<string, unknown>;
    expect(d.sources).toEqual({
      trades: { type: "publisher", columns: TRADES },
      quotes: { type: "publisher", columns: QUOTES },
    });
    const old = await post("/v1/tables/fx-describe/rows", [{ Sym: "A" }]);
    expect(old.status).toBe(404);
    expect(await old.json()).toEqual({
      error: "unknown_source",
      detail: 'no source "source" in table family "fx-describe"; sources are [trades, quotes]',
    });
    const sock = await call("/v1/tables/fx-describe/sources/orders/publish", {
      headers: { Upgrade: "websocket" },
    });
    expect(sock.status).toBe(404);
    expect(await sock.json()).toMatchObject({ error: "unknown_source" });
    const bad = await post("/v1/tables/fx-describe/sources/no-dash/rows", []);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "bad_source" });
    const get = await call("/v1/tables/fx-describe/sources/trades/rows");
    expect(get.status).toBe(405);
    expect(get.headers.get("Allow")).toBe("POST");
    const del = await post("/v1/tables/fx-describe/sources/trades/delete", [{ Sym: "A" }]);
    expect(del.status).toBe(400);
    expect(await del.json()).toEqual({
      error: "not_deletable",
      detail: 'source "trades" is a publisher source; only an input table with keys takes deletes',
    });
  });
});

describe("input-table sources", () => {
  it("upserts and deletes by key over HTTP; the contents survive eviction", async () => {
    await create("ref", REF);
    const names = "/v1/tables/ref/sources/names";
    expect(
      (
        await post(`${names}/rows`, [
          { Sym: "A", Name: "Alpha" },
          { Sym: "B", Name: "Beta" },
          { Sym: "C", Name: "Gamma" },
        ])
      ).status,
    ).toBe(202);
    await post("/v1/tables/ref/sources/trades/rows", [{ Sym: "B", Ts: 1, Size: 1 }]);
    await step("ref");
    expect(await rowsOf("ref", "named")).toEqual([{ Sym: "B", Ts: 1, Size: 1, Name: "Beta" }]);
    await post(`${names}/rows`, [{ Sym: "B", Name: "Bravo" }]);
    const del = await post(`${names}/delete`, [{ Sym: "A" }, { Sym: "Z" }]);
    expect(del.status).toBe(202);
    expect(await del.json()).toEqual({ accepted: 2, cycle: 2, duplicate: false });
    await evictDurableObject(family("ref"));
    await step("ref");
    expect(await rowsOf("ref", "named")).toEqual([{ Sym: "B", Ts: 1, Size: 1, Name: "Bravo" }]);
    await evictDurableObject(family("ref"));
    expect(await rowsOf("ref", "names")).toEqual([
      { Sym: "B", Name: "Bravo" },
      { Sym: "C", Name: "Gamma" },
    ]);
    const d = (await (await call("/v1/tables/ref")).json()) as { sources: unknown };
    expect(d.sources).toMatchObject({ names: { type: "input", keys: ["Sym"] } });
  });

  it("takes upserts and deletes as Arrow, and upserts over the source's publish socket", async () => {
    await create("ref-arrow", REF);
    const names = "/v1/tables/ref-arrow/sources/names";
    const arrow = (cols: Parameters<typeof newTable>[0]) =>
      call(`${names}/rows`, {
        method: "POST",
        headers: { "Content-Type": "application/vnd.apache.arrow.stream" },
        body: toArrowIPC(newTable(cols)),
      });
    const up = await arrow([stringCol("Sym", ["A", "B", "C"]), stringCol("Name", ["a", "b", "c"])]);
    expect(up.status).toBe(202);
    const sock = await mustOpen(`${names}/publish`);
    sock.ws.send(JSON.stringify([{ Sym: "C", Name: "sea" }]));
    await until(() => sock.messages().some((m) => m.type === "ack"), "the ack");
    const del = await call(`${names}/delete`, {
      method: "POST",
      headers: { "Content-Type": "application/vnd.apache.arrow.stream" },
      body: toArrowIPC(newTable([stringCol("Sym", ["A", "Z"])])),
    });
    expect(del.status).toBe(202);
    await step("ref-arrow");
    expect(await rowsOf("ref-arrow", "names")).toEqual([
      { Sym: "B", Name: "b" },
      { Sym: "C", Name: "sea" },
    ]);
    const wide = await call(`${names}/delete`, {
      method: "POST",
      headers: { "Content-Type": "application/vnd.apache.arrow.stream" },
      body: toArrowIPC(newTable([stringCol("Sym", ["B"]), stringCol("Name", ["b"])])),
    });
    expect(wide.status).toBe(400);
    expect(await wide.json()).toMatchObject({ error: "bad_arrow" });
    sock.ws.close(1000, "done");
  });

  it("refuses rows without their key columns, naming row and column", async () => {
    await create("ref-bad", REF);
    const names = "/v1/tables/ref-bad/sources/names";
    const up = await post(`${names}/rows`, [{ Sym: "A" }, { Name: "no key" }]);
    expect(up.status).toBe(400);
    expect(await up.json()).toEqual({
      error: "bad_value",
      detail: 'row 1: key column "Sym" is missing; every row needs its key columns [Sym]',
    });
    const del = await post(`${names}/delete`, [{ Sym: "A", Name: "x" }]);
    expect(del.status).toBe(400);
    expect(await del.json()).toEqual({
      error: "bad_value",
      detail: 'row 0: unknown column "Name"; columns are [Sym]',
    });
    const d = (await (await call("/v1/tables/ref-bad")).json()) as { pending: unknown };
    expect(d.pending).toEqual({ batches: 0, rows: 0 });
  });
});

describe("objects stored before families had several sources", () => {
  it("restore unchanged: the old spec form and pending batches without a source column", async () => {
    const old = {
      columns: { X: "int32" },
      cycleMs: 3_600_000,
      derived: { h: "blinkToAppendOnly(source)" },
    };
    await create("old-object", old);
    await post("/v1/tables/old-object/rows", [{ X: 1 }, { X: 2 }]);
    // Rewrite the object's storage as the previous version left it: the spec in its old
    // canonical form, the queue tables without the source and op columns.
    await runInDurableObject(family("old-object"), (_i, state) => {
      const sql = state.storage.sql;
      const stored = {
        columns: { X: "int32" },
        source: { type: "publisher" },
        cycleMs: 3_600_000,
        derived: old.derived,
      };
      sql.exec("UPDATE host_meta SET v = ? WHERE k = 'spec'", JSON.stringify(stored));
      sql.exec("ALTER TABLE host_pending RENAME TO host_pending_new");
      sql.exec(
        "CREATE TABLE host_pending (seq INTEGER NOT NULL, part INTEGER NOT NULL, rows INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (seq, part))",
      );
      sql.exec("INSERT INTO host_pending SELECT seq, part, rows, data FROM host_pending_new");
      sql.exec("DROP TABLE host_pending_new");
      sql.exec("DROP TABLE host_set_aside");
      sql.exec(
        "CREATE TABLE host_set_aside (seq INTEGER NOT NULL, part INTEGER NOT NULL, rows INTEGER NOT NULL, data BLOB NOT NULL, cycle INTEGER NOT NULL, at INTEGER NOT NULL, error TEXT NOT NULL, detail TEXT NOT NULL, PRIMARY KEY (seq, part))",
      );
    });
    await evictDurableObject(family("old-object"));
    const again = await call("/v1/tables/old-object", {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(old),
    });
    expect(again.status).toBe(200);
    expect(await step("old-object")).toBe(true);
    await post("/v1/tables/old-object/rows", [{ X: 3 }]);
    await step("old-object");
    expect(await rowsOf("old-object", "h")).toEqual([{ X: 1 }, { X: 2 }, { X: 3 }]);
    const d = (await (await call("/v1/tables/old-object")).json()) as { sources: unknown };
    expect(d.sources).toEqual({ source: { type: "publisher", columns: { X: "int32" } } });
  });
});
