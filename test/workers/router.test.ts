/**
 * The router Worker inside workerd (AUTH=off, as configured for local development): every
 * endpoint and its error codes, the publish body types and limits, snapshots in three formats,
 * and the subscribe and publish WebSockets — exact per-cycle deltas, resume, and subscribers that
 * survive the object's eviction with hibernated sockets. Cycles are stepped with alarms.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { tableFromIPC, tableToIPC } from "apache-arrow";
import { describe, expect, it } from "vitest";
import type { Catalog } from "../../src/durable/catalog.ts";
import { fromArrowIPC, newTable, toArrowIPC } from "../../src/engine/index.ts";
import { doubleCol, instantCol, longCol, stringCol } from "../../src/engine/new-table.ts";
import { MAX_PUBLISH_BYTES } from "../../src/worker/body.ts";
import {
  call,
  create,
  family,
  mustOpen,
  openSocket,
  publish,
  rowsOf,
  SPEC,
  step,
  until,
} from "./router-helpers.ts";

/** The catalog's entries, read inside the object (no RPC result to dispose). */
const catalogEntries = () =>
  runInDurableObject(env.CATALOG.get(env.CATALOG.idFromName("catalog")), (catalog: Catalog) =>
    catalog.entries(),
  );

const row = (i: number) => ({
  Sym: i % 2 === 0 ? "A" : "B",
  Price: i + 0.5,
  Size: i,
  Ts: `2024-01-01T00:00:00.${String(i).padStart(9, "0")}Z`,
});

describe("routes", () => {
  it("answers /health, unknown routes with 404 and known paths with 405 + Allow", async () => {
    expect(await (await call("/health")).json()).toEqual({ ok: true });
    const nope = await call("/v2/whatever");
    expect(nope.status).toBe(404);
    expect(await nope.json()).toMatchObject({ error: "not_found" });
    const cases: [string, string, string][] = [
      ["POST", "/v1/tables", "GET"],
      ["POST", "/v1/tables/t", "GET, PUT, DELETE"],
      ["GET", "/v1/tables/t/rows", "POST"],
      ["POST", "/v1/tables/t/views/source", "GET"],
      ["PUT", "/v1/tables/t/views/source/subscribe", "GET"],
      ["POST", "/v1/tables/t/publish", "GET"],
    ];
    for (const [method, path, allow] of cases) {
      const res = await call(path, { method });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get("Allow")).toBe(allow);
      expect(await res.json()).toMatchObject({ error: "method_not_allowed" });
    }
  });

  it("answers OPTIONS with 204 and sends no CORS headers by default", async () => {
    const pre = await call("/v1/tables/t/rows", { method: "OPTIONS" });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("Allow")).toBe("GET, PUT, POST, DELETE, OPTIONS");
    const res = await call("/v1/tables/nope-cors");
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(null);
  });

  it("rejects bad table and view names with 400 before waking an object", async () => {
    for (const path of [
      "/v1/tables/bad.name",
      `/v1/tables/${"x".repeat(65)}`,
      "/v1/tables/a%20b/rows",
      "/v1/tables/ok/views/9bad",
      "/v1/tables/ok/views/bad-view/subscribe",
    ]) {
      const res = await call(path);
      if (path.endsWith("/rows")) expect(res.status).toBe(405);
      else {
        expect(res.status, path).toBe(400);
        expect(((await res.json()) as { error: string }).error).toMatch(/^bad_(name|view)$/);
      }
    }
    const put = await call("/v1/tables/bad!", { method: "PUT", body: "{}" });
    expect(put.status).toBe(400);
  });
});

describe("create, describe, list, delete", () => {
  it("PUT creates (201), the same spec again is 200, another spec 409", async () => {
    const first = await create("trades");
    expect(first.status).toBe(201);
    expect(first.headers.get("Location")).toBe("/v1/tables/trades");
    const d = (await first.json()) as { name: string; views: Record<string, unknown> };
    expect(d.name).toBe("trades");
    expect(Object.keys(d.views).sort()).toEqual(["all", "bySym", "recent", "source"]);
    expect((await create("trades")).status).toBe(200);
    const other = await call("/v1/tables/trades", {
      method: "PUT",
      body: JSON.stringify({ ...SPEC, cycleMs: 500 }),
    });
    expect(other.status).toBe(409);
    expect(await other.json()).toMatchObject({ error: "conflict" });
  });

  it("PUT rejects bad specs (400 naming the problem), bad JSON (position), 415 and 413", async () => {
    const bad = async (body: string, headers: Record<string, string> = {}) => {
      const res = await call("/v1/tables/badspec", { method: "PUT", body, headers });
      return { status: res.status, body: (await res.json()) as { error: string; detail: string } };
    };
    expect(await bad(JSON.stringify({ columns: { X: "int33" } }))).toMatchObject({
      status: 400,
      body: { error: "bad_schema" },
    });
    const formula = await bad(
      JSON.stringify({ columns: { X: "int32" }, derived: { y: 'source.update("Y = X +")' } }),
    );
    expect(formula.status).toBe(400);
    expect(formula.body.error).toBe("bad_formula");
    expect(formula.body.detail).toMatch(/position/);
    const blinkGroup = await bad(
      JSON.stringify({ columns: { X: "int32" }, derived: { g: 'source.groupBy("X")' } }),
    );
    expect(blinkGroup).toMatchObject({ status: 400, body: { error: "unsupported_operation" } });
    const ring = await bad(
      JSON.stringify({ columns: { X: "int32" }, derived: { r: "ringTable(source, -1)" } }),
    );
    expect(ring).toMatchObject({ status: 400, body: { error: "bad_argument" } });
    // Deep nesting is a 400 naming the limit (it was a stack overflow, 500).
    const deepChain = await bad(
      JSON.stringify({
        columns: { X: "int32" },
        derived: { d: `${"merge(".repeat(3000)}source${")".repeat(3000)}` },
      }),
    );
    expect(deepChain.status).toBe(400);
    expect(deepChain.body.error).toBe("bad_spec");
    expect(deepChain.body.detail).toMatch(
      /^derived table "d": the chain nests deeper than 256 levels/,
    );
    const deepFormula = await bad(
      JSON.stringify({
        columns: { X: "int32" },
        derived: { d: `source.update("Y = ${"(".repeat(5000)}X${")".repeat(5000)}")` },
      }),
    );
    expect(deepFormula.status).toBe(400);
    expect(deepFormula.body.error).toBe("bad_formula");
    expect(deepFormula.body.detail).toMatch(/Formula nests deeper than 256 levels/);
    const manyTerms = await bad(
      JSON.stringify({
        columns: { X: "int32" },
        derived: { d: `source.where("X${" + X".repeat(5000)} > 0")` },
      }),
    );
    expect(manyTerms.status).toBe(400);
    expect(manyTerms.body.detail).toMatch(/Formula has more than 1000 operators/);
    // Sym 32 + 1, Price 8 + 1, Size 8 + 1, Ts 8 + 1 bytes a row: 67108864 / 60 rows at most.
    const huge = await bad(
      JSON.stringify({ columns: SPEC.columns, derived: { r: "ringTable(source, 1000000000)" } }),
    );
    expect(huge).toEqual({
      status: 400,
      body: {
        error: "bad_argument",
        detail:
          'derived table "r" at position 0: ringTable: capacity 1000000000 is above the limit of 1118481 rows for this table: a ring in a table family may take at most 64 MiB of its object\'s 128 MB, and a row of these columns takes about 60 bytes',
      },
    });
    const json = await bad('{"columns": {"X": "int32"},}');
    expect(json.status).toBe(400);
    expect(json.body.error).toBe("bad_json");
    expect(json.body.detail).toMatch(/position \d+/);
    expect((await bad("")).body.error).toBe("bad_json");
    expect(await bad("{}", { "Content-Type": "application/xml" })).toMatchObject({
      status: 415,
      body: { error: "unsupported_media_type" },
    });
    const big = await bad(`{"columns":{"X":"int32"},"pad":"${"x".repeat(1 << 20)}"}`);
    expect(big).toMatchObject({ status: 413, body: { error: "too_large" } });
    // Nothing was created by any of them.
    expect((await call("/v1/tables/badspec")).status).toBe(404);
  });

  it("PUT accepts chains and formulas at the nesting limits (inside workerd's stack)", async () => {
    const formula = `Y = ${"(".repeat(255)}X${" + X".repeat(1000)}${")".repeat(255)}`;
    const spec = {
      columns: { X: "int32" },
      cycleMs: 3_600_000,
      derived: {
        f: `source.update("${formula}")`,
        m: `source${".tail(5)".repeat(255)}`,
        n: `${"merge(".repeat(255)}source${")".repeat(255)}`,
      },
    };
    expect((await create("at-limits", spec)).status).toBe(201);
    expect((await publish("at-limits", [{ X: 1 }])).status).toBe(202);
    await step("at-limits");
    expect(await rowsOf("at-limits", "f")).toEqual([{ X: 1, Y: 1001 }]);
    expect(await rowsOf("at-limits", "m")).toEqual([{ X: 1 }]);
    expect(await rowsOf("at-limits", "n")).toEqual([{ X: 1 }]);
  });

  it("GET describes a family; unknown tables are 404", async () => {
    await create("described");
    const res = await call("/v1/tables/described");
    expect(res.status).toBe(200);
    const d = (await res.json()) as Record<string, unknown>;
    expect(d).toMatchObject({ name: "described", cycle: 0, state: "live", cycleMs: 3_600_000 });
    expect(d.views).toMatchObject({
      source: { blink: true, size: 0, columns: SPEC.columns },
      all: { appendOnly: true },
    });
    const missing = await call("/v1/tables/never-created");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: "not_found",
      detail: 'no table family "never-created" (never created, or deleted)',
    });
    const view = await call("/v1/tables/described/views/nope");
    expect(view.status).toBe(404);
    expect(await view.json()).toEqual({
      error: "unknown_view",
      detail: 'no view "nope" in table family "described"; views are [source, all, recent, bySym]',
    });
  });

  it("GET /v1/tables lists live families; DELETE shuts down, removes and is 404 the second time", async () => {
    await create("listed-a");
    await create("listed-b");
    const names = async () =>
      ((await (await call("/v1/tables")).json()) as { tables: { name: string }[] }).tables.map(
        (t) => t.name,
      );
    expect(await names()).toEqual(expect.arrayContaining(["listed-a", "listed-b"]));
    const sub = await mustOpen("/v1/tables/listed-a/views/all/subscribe?format=json");
    await sub.frameCount(1);
    const del = await call("/v1/tables/listed-a", { method: "DELETE" });
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({ name: "listed-a", deleted: true });
    // The subscriber heard the failure (publishFailure) before the family went away.
    await until(() => sub.messages().some((m) => m.type === "failure"), "failure frame");
    expect((await call("/v1/tables/listed-a")).status).toBe(404);
    expect(await names()).not.toContain("listed-a");
    expect(await names()).toContain("listed-b");
    const again = await call("/v1/tables/listed-a", { method: "DELETE" });
    expect(again.status).toBe(404);
    expect(await again.json()).toEqual({
      error: "not_found",
      detail: 'no table family "listed-a" (never created, or deleted)',
    });
    for (const path of ["/v1/tables/listed-a", "/v1/tables/listed-a/views/source"]) {
      expect(await (await call(path)).json()).toEqual({
        error: "not_found",
        detail: 'no table family "listed-a" (never created, or deleted)',
      });
    }
    // A deleted name can be created again, empty.
    expect((await create("listed-a")).status).toBe(201);
    expect(await rowsOf("listed-a", "all")).toEqual([]);
    sub.ws.close();
  });

  it("the catalog stays right under concurrent creates and deletes", async () => {
    const names = Array.from({ length: 12 }, (_, i) => `conc-${i}`);
    const spec = JSON.stringify({ columns: { X: "int32" }, cycleMs: 3_600_000 });
    // Each answer is read to the end, as a client would.
    const settle = async (res: Promise<Response>) => {
      const r = await res;
      await r.arrayBuffer();
      return r;
    };
    const put = (n: string) => settle(call(`/v1/tables/${n}`, { method: "PUT", body: spec }));
    const del = (n: string) => settle(call(`/v1/tables/${n}`, { method: "DELETE" }));
    // Everything at once: creates of all names (twice each), deletes of every third.
    const first = await Promise.all([
      ...names.map(put),
      ...names.map(put),
      ...names.filter((_, i) => i % 3 === 0).map(del),
    ]);
    for (const r of first) expect([200, 201, 404]).toContain(r.status);
    // Then deletes and re-creates racing on the same names.
    await Promise.all(
      names.flatMap((n, i) => (i % 2 === 0 ? [del(n), put(n), del(n)] : [put(n), del(n), put(n)])),
    );
    const listed = (
      (await (await call("/v1/tables")).json()) as { tables: { name: string }[] }
    ).tables
      .map((t) => t.name)
      .filter((n) => n.startsWith("conc-"));
    // The list is exactly the families that exist.
    const exist: string[] = [];
    for (const n of names) {
      const res = await call(`/v1/tables/${n}`);
      const body = (await res.json()) as { state?: string };
      if (res.status === 200 && body.state === "live") exist.push(n);
      else expect(res.status).toBe(404);
    }
    expect(listed.sort()).toEqual(exist.sort());
    const entries = await catalogEntries();
    expect(entries.filter((e) => e.name.startsWith("conc-") && e.state !== "live")).toEqual([]);
  });

  it("list repairs entries a crash left half-done", async () => {
    await create("crashed");
    await create("half-deleted");
    // A delete that stopped after shutting the family down.
    await family("half-deleted").shutdown("the table family was deleted");
    const catalog = env.CATALOG.get(env.CATALOG.idFromName("catalog"));
    await runInDurableObject(catalog, (_i, state) => {
      state.storage.sql.exec(
        "INSERT INTO catalog_tables (name, state, created, updated) VALUES ('ghost', 'creating', 0, 0)",
      );
      state.storage.sql.exec("UPDATE catalog_tables SET state = 'creating' WHERE name = 'crashed'");
      state.storage.sql.exec(
        "UPDATE catalog_tables SET state = 'deleting' WHERE name = 'half-deleted'",
      );
    });
    // No operation is running for these entries (as after a crash): list repairs them.
    const listed = (
      (await (await call("/v1/tables")).json()) as { tables: { name: string }[] }
    ).tables.map((t) => t.name);
    expect(listed).toContain("crashed");
    expect(listed).not.toContain("ghost");
    expect(listed).not.toContain("half-deleted");
    const entries = (await catalogEntries()).map((e) => e.name);
    expect(entries).not.toContain("ghost");
    expect(entries).not.toContain("half-deleted");
    // The half-done delete was finished.
    expect((await call("/v1/tables/half-deleted")).status).toBe(404);
  });
});

describe("POST /v1/tables/:name/rows", () => {
  it("accepts a JSON array (202 with the cycle it appears in), then a cycle shows it", async () => {
    await create("pub-json");
    const res = await publish("pub-json", [row(0), row(1)]);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 2, cycle: 1, duplicate: false });
    expect(await step("pub-json")).toBe(true);
    expect(await rowsOf("pub-json", "source")).toEqual([
      { Sym: "A", Price: 0.5, Size: 0, Ts: "2024-01-01T00:00:00Z" },
      { Sym: "B", Price: 1.5, Size: 1, Ts: "2024-01-01T00:00:00.000000001Z" },
    ]);
  });

  it("accepts NDJSON (blank lines skipped) and Arrow IPC streams", async () => {
    await create("pub-kinds");
    const nd = await call("/v1/tables/pub-kinds/rows", {
      method: "POST",
      headers: { "Content-Type": "application/x-ndjson; charset=utf-8" },
      body: `${JSON.stringify(row(0))}\n\n${JSON.stringify(row(1))}\n`,
    });
    expect(nd.status).toBe(202);
    expect(await nd.json()).toMatchObject({ accepted: 2 });
    const t = newTable([
      stringCol("Sym", ["C", null]),
      doubleCol("Price", [3.25, null]),
      longCol("Size", [9007199254740993n, -1n]),
      instantCol("Ts", [1_700_000_000_123_456_789n, null]),
    ]);
    const arrow = await call("/v1/tables/pub-kinds/rows", {
      method: "POST",
      headers: { "Content-Type": "application/vnd.apache.arrow.stream" },
      body: toArrowIPC(t),
    });
    expect(arrow.status).toBe(202);
    expect(await arrow.json()).toMatchObject({ accepted: 2 });
    await step("pub-kinds");
    const rows = await rowsOf("pub-kinds", "all");
    expect(rows).toHaveLength(4);
    expect(rows[2]).toEqual({
      Sym: "C",
      Price: 3.25,
      Size: "9007199254740993",
      Ts: "2023-11-14T22:13:20.123456789Z",
    });
    expect(rows[3]).toEqual({ Sym: null, Price: null, Size: -1, Ts: null });
  });

  it("an Idempotency-Key makes a retried batch count once", async () => {
    await create("pub-idem");
    const h = { "Idempotency-Key": "batch-1" };
    expect(await (await publish("pub-idem", [row(0)], h)).json()).toMatchObject({
      accepted: 1,
      duplicate: false,
    });
    expect(await (await publish("pub-idem", [row(0)], h)).json()).toMatchObject({
      accepted: 1,
      duplicate: true,
    });
    await step("pub-idem");
    expect(await rowsOf("pub-idem", "all")).toHaveLength(1);
    const bad = await publish("pub-idem", [row(0)], { "Idempotency-Key": "x".repeat(300) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "bad_idempotency_key" });
  });

  it("rejects bad bodies with 400 naming the position, row or column; nothing changes", async () => {
    await create("pub-bad");
    const cases: [BodyInit, string, string, RegExp][] = [
      ['[{"Sym": "A"},', "application/json", "bad_json", /position \d+/],
      ['{"Sym": "A"}', "application/json", "bad_body", /JSON array/],
      ["[1]", "application/json", "bad_value", /row 0/],
      ['{"Sym":"A"}\n{"Sym":', "application/x-ndjson", "bad_json", /line 2/],
      ['[{"Sym": "A", "Nope": 1}]', "application/json", "bad_value", /unknown column "Nope"/],
      ['[{"Sym": "A"}, {"Size": 1.5}]', "application/json", "bad_value", /row 1, column "Size"/],
      ['[{"Ts": "yesterday"}]', "application/json", "bad_value", /column "Ts"/],
      [new Uint8Array([1, 2, 3]), "application/vnd.apache.arrow.stream", "bad_arrow", /Arrow/],
      [
        tableToIPC(tableFromIPC(toArrowIPC(newTable([stringCol("Other", ["x"])])))),
        "application/vnd.apache.arrow.stream",
        "bad_arrow",
        /Column "Sym".*missing/,
      ],
    ];
    for (const [body, type, error, detail] of cases) {
      const res = await call("/v1/tables/pub-bad/rows", {
        method: "POST",
        headers: { "Content-Type": type },
        body,
      });
      const b = (await res.json()) as { error: string; detail: string };
      expect(res.status, JSON.stringify(b)).toBe(400);
      expect(b.error).toBe(error);
      expect(b.detail).toMatch(detail);
    }
    const d = (await (await call("/v1/tables/pub-bad")).json()) as {
      pending: { rows: number };
    };
    expect(d.pending.rows).toBe(0);
  });

  it("answers 415 for other media types, 413 for bodies over the limit, 404 for unknown tables", async () => {
    await create("pub-limits");
    const text = await call("/v1/tables/pub-limits/rows", {
      method: "POST",
      headers: { "Content-Type": "text/xml" },
      body: "<Sym>A</Sym>",
    });
    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({ error: "unsupported_media_type" });
    const none = await call("/v1/tables/pub-limits/rows", { method: "POST", body: "[]" });
    expect([415, 202]).toContain(none.status); // fetch may add text/plain; either way not a 500
    const big = new Uint8Array(MAX_PUBLISH_BYTES + 1).fill(32);
    const declared = await call("/v1/tables/pub-limits/rows", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: big,
    });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error: "too_large" });
    // Without Content-Length (a stream), the limit is enforced while reading.
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 17; i++) c.enqueue(new Uint8Array(1 << 20).fill(32));
        c.close();
      },
    });
    const streamed = await call("/v1/tables/pub-limits/rows", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: stream,
      // @ts-expect-error duplex is needed by some fetch implementations for stream bodies
      duplex: "half",
    });
    expect(streamed.status).toBe(413);
    const missing = await publish("pub-missing", [row(0)]);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: "not_found" });
  });

  it("answers 409 for a shut-down family and for a time-table source", async () => {
    await create("pub-clock", { source: { timeTable: "PT1s" }, cycleMs: 3_600_000 });
    const res = await publish("pub-clock", [{ Timestamp: 1 }]);
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: "not_publishable" });
    await create("pub-shut");
    await family("pub-shut").shutdown("test");
    const shut = await publish("pub-shut", [row(0)]);
    expect(shut.status).toBe(409);
    expect(await shut.json()).toMatchObject({ error: "shut_down" });
  });
});

describe("GET /v1/tables/:name/views/:view", () => {
  it("serves JSON, Arrow and CSV snapshots with offset and limit", async () => {
    await create("snap");
    await publish("snap", [row(0), row(1), row(2), row(3)]);
    await step("snap");
    const j = await call("/v1/tables/snap/views/all?offset=1&limit=2");
    expect(j.headers.get("Content-Type")).toMatch(/application\/json/);
    expect(j.headers.get("X-Tickflare-Cycle")).toBe("1");
    expect(await j.json()).toEqual({
      schema: SPEC.columns,
      cycle: 1,
      total: 4,
      offset: 1,
      keys: [1, 2],
      rows: [
        { Sym: "B", Price: 1.5, Size: 1, Ts: "2024-01-01T00:00:00.000000001Z" },
        { Sym: "A", Price: 2.5, Size: 2, Ts: "2024-01-01T00:00:00.000000002Z" },
      ],
    });
    const a = await call("/v1/tables/snap/views/bySym?format=arrow");
    expect(a.headers.get("Content-Type")).toBe("application/vnd.apache.arrow.stream");
    expect(a.headers.get("X-Tickflare-Total")).toBe("2");
    expect(fromArrowIPC(new Uint8Array(await a.arrayBuffer())).toRows()).toEqual([
      { Sym: "A", Size: 2n },
      { Sym: "B", Size: 4n },
    ]);
    const accept = await call("/v1/tables/snap/views/bySym", {
      headers: { Accept: "application/vnd.apache.arrow.stream" },
    });
    expect(accept.headers.get("Content-Type")).toBe("application/vnd.apache.arrow.stream");
    const c = await call("/v1/tables/snap/views/recent?format=csv");
    expect(c.headers.get("Content-Type")).toMatch(/text\/csv/);
    expect(await c.text()).toBe(
      "Sym,Price,Size,Ts\r\nB,1.5,1,2024-01-01T00:00:00.000000001Z\r\nA,2.5,2,2024-01-01T00:00:00.000000002Z\r\nB,3.5,3,2024-01-01T00:00:00.000000003Z\r\n",
    );
  });

  it("rejects bad query parameters with 400 and unknown views or tables with 404", async () => {
    await create("snap-bad");
    const cases: [string, number, string][] = [
      ["/v1/tables/snap-bad/views/all?format=xml", 400, "bad_format"],
      ["/v1/tables/snap-bad/views/all?offset=-1", 400, "bad_offset"],
      ["/v1/tables/snap-bad/views/all?limit=abc", 400, "bad_limit"],
      ["/v1/tables/snap-bad/views/all?limit=1000001", 400, "bad_limit"],
      ["/v1/tables/snap-bad/views/all?format=json&format=csv", 400, "bad_format"],
      ["/v1/tables/snap-bad/views/nope", 404, "unknown_view"],
      ["/v1/tables/snap-none/views/all", 404, "not_found"],
    ];
    for (const [path, status, error] of cases) {
      const res = await call(path);
      expect(res.status, path).toBe(status);
      expect(await res.json()).toMatchObject({ error });
    }
  });
});

type Msg = Record<string, unknown>;

describe("subscribe WebSocket", () => {
  it("refuses non-upgrades (426), bad parameters (400), unknown tables and views (404)", async () => {
    await create("sub-bad");
    const plain = await call("/v1/tables/sub-bad/views/all/subscribe");
    expect(plain.status).toBe(426);
    expect(plain.headers.get("Upgrade")).toBe("websocket");
    const cases: [string, number, string][] = [
      ["/v1/tables/sub-bad/views/all/subscribe?format=csv", 400, "bad_format"],
      ["/v1/tables/sub-bad/views/all/subscribe?since=x", 400, "bad_since"],
      ["/v1/tables/sub-bad/views/nope/subscribe", 404, "unknown_view"],
      ["/v1/tables/sub-none/views/all/subscribe", 404, "not_found"],
    ];
    for (const [path, status, error] of cases) {
      const { res, socket } = await openSocket(path);
      expect(socket, path).toBeNull();
      expect(res.status, path).toBe(status);
      expect(await res.json()).toMatchObject({ error });
    }
  });

  it("sends a snapshot, then exactly one delta per cycle in which the view changed (JSON)", async () => {
    await create("sub-json");
    await publish("sub-json", [row(0)]);
    await step("sub-json");
    const all = await mustOpen("/v1/tables/sub-json/views/all/subscribe?format=json");
    const recent = await mustOpen("/v1/tables/sub-json/views/recent/subscribe?format=json");
    await all.frameCount(1);
    await recent.frameCount(1);
    expect(all.messages()[0]).toMatchObject({
      type: "snapshot",
      cycle: 1,
      schema: SPEC.columns,
      total: 1,
      attributes: { blink: false, appendOnly: true, addOnly: true },
      part: 0,
      last: true,
      keys: [0],
      rows: [{ Sym: "A", Price: 0.5, Size: 0, Ts: "2024-01-01T00:00:00Z" }],
    });
    await publish("sub-json", [row(1), row(2), row(3)]);
    await step("sub-json");
    await all.frameCount(2);
    await recent.frameCount(2);
    expect(all.messages()[1]).toEqual({
      type: "delta",
      cycle: 2,
      removed: [],
      added: [1, 2, 3],
      modified: [],
      modifiedColumns: [],
      addedRows: [row(1), row(2), row(3)].map((r) => ({ ...r, Ts: r.Ts.replace(/0+Z$/, "Z") })),
      modifiedRows: [],
    });
    // The ring of 3 lost its oldest row (key 0) and gained three.
    expect(recent.messages()[1]).toMatchObject({ type: "delta", cycle: 2, removed: [0] });
    // A cycle that only clears the blink source sends no delta for `all` or `recent`.
    await step("sub-json");
    await publish("sub-json", [row(4)]);
    await step("sub-json");
    await all.frameCount(3);
    expect(all.messages().map((m) => m.cycle)).toEqual([1, 2, 4]);
    expect(all.messages()[2]).toMatchObject({ added: [4] });
    all.ws.close();
    recent.ws.close();
  });

  it("sends Arrow headers followed by binary IPC frames", async () => {
    await create("sub-arrow");
    await publish("sub-arrow", [row(0), row(1)]);
    await step("sub-arrow");
    const s = await mustOpen("/v1/tables/sub-arrow/views/bySym/subscribe?format=arrow");
    await s.frameCount(2);
    const header = JSON.parse(s.frames[0] as string) as Msg;
    expect(header).toMatchObject({ type: "snapshot", frames: 1, keys: [0, 1], last: true });
    expect(fromArrowIPC(s.frames[1] as ArrayBuffer).toRows()).toEqual([
      { Sym: "A", Size: 0n },
      { Sym: "B", Size: 1n },
    ]);
    await publish("sub-arrow", [
      { Sym: "A", Size: 5 },
      { Sym: "C", Size: 7 },
    ]);
    await step("sub-arrow");
    await s.frameCount(5);
    const delta = JSON.parse(s.frames[2] as string) as Msg;
    expect(delta).toMatchObject({
      type: "delta",
      added: [2],
      modified: [0],
      modifiedColumns: ["Size"],
      addedFrames: 1,
      modifiedFrames: 1,
    });
    expect(fromArrowIPC(s.frames[3] as ArrayBuffer).toRows()).toEqual([{ Sym: "C", Size: 7n }]);
    expect(fromArrowIPC(s.frames[4] as ArrayBuffer).toRows()).toEqual([{ Sym: "A", Size: 5n }]);
    s.ws.close();
  });

  it("splits a large snapshot into parts of about 1 MiB (JSON parts; Arrow headers + frames)", async () => {
    await create("sub-parts", {
      columns: { Id: "int32", S: "string" },
      cycleMs: 3_600_000,
      derived: { all: "blinkToAppendOnly(source)" },
    });
    const pad = "y".repeat(60);
    await publish(
      "sub-parts",
      Array.from({ length: 40_000 }, (_, i) => ({ Id: i, S: `${pad}${i}` })),
    );
    await step("sub-parts");
    const j = await mustOpen("/v1/tables/sub-parts/views/all/subscribe?format=json");
    await until(() => j.messages().some((m) => m.last === true), "last JSON part");
    const parts = j.messages();
    expect(parts.length).toBeGreaterThan(2);
    parts.forEach((m, i) => {
      expect(m).toMatchObject({
        type: "snapshot",
        cycle: 1,
        total: 40_000,
        part: i,
        last: i === parts.length - 1,
      });
      expect((j.frames[i] as string).length).toBeLessThan(1.1 * 2 ** 20);
    });
    const keys = parts.flatMap((m) => m.keys as number[]);
    expect(keys).toEqual(Array.from({ length: 40_000 }, (_, i) => i));
    expect(parts.flatMap((m) => (m.rows as { Id: number }[]).map((r) => r.Id))).toEqual(keys);
    const a = await mustOpen("/v1/tables/sub-parts/views/all/subscribe?format=arrow");
    await until(
      () =>
        a.frames.some((f) => typeof f === "string" && JSON.parse(f).last === true) &&
        typeof a.frames.at(-1) !== "string",
      "last Arrow part",
    );
    const headers = a.frames
      .filter((f): f is string => typeof f === "string")
      .map((f) => JSON.parse(f) as Msg);
    expect(headers.length).toBeGreaterThan(1);
    expect(a.frames.length).toBe(2 * headers.length);
    let total = 0;
    headers.forEach((h, i) => {
      const rows = fromArrowIPC(a.frames[2 * i + 1] as ArrayBuffer).toRows();
      expect(rows.length).toBe((h.keys as number[]).length);
      expect(rows[0]!.Id).toBe((h.keys as number[])[0]);
      total += rows.length;
    });
    expect(total).toBe(40_000);
    j.ws.close();
    a.ws.close();
  });

  it("resumes with since=<cycle>: the missed deltas, or a fresh snapshot when they are gone", async () => {
    await create("sub-resume");
    await publish("sub-resume", [row(0)]);
    await step("sub-resume");
    const a = await mustOpen("/v1/tables/sub-resume/views/all/subscribe?format=json");
    await a.frameCount(1);
    a.ws.close();
    await publish("sub-resume", [row(1)]);
    await step("sub-resume"); // cycle 2: row 1
    await step("sub-resume"); // cycle 3: blink cleared
    await publish("sub-resume", [row(2)]);
    await step("sub-resume"); // cycle 4: row 2
    const b = await mustOpen("/v1/tables/sub-resume/views/all/subscribe?format=json&since=1");
    await b.frameCount(3);
    expect(b.messages().map((m) => [m.type, m.cycle])).toEqual([
      ["resume", 5 - 1],
      ["delta", 2],
      ["delta", 4],
    ]);
    expect(b.messages()[0]).toMatchObject({ since: 1 });
    // Up to date already: just `resume`.
    const c = await mustOpen("/v1/tables/sub-resume/views/all/subscribe?format=json&since=4");
    await c.frameCount(1);
    expect(c.messages()).toEqual([{ type: "resume", since: 4, cycle: 4 }]);
    // After a restart the held deltas are gone: a fresh snapshot.
    await evictDurableObject(family("sub-resume"), { webSockets: "close" });
    const d = await mustOpen("/v1/tables/sub-resume/views/all/subscribe?format=json&since=2");
    await d.frameCount(1);
    expect(d.messages()[0]).toMatchObject({ type: "snapshot", cycle: 4, keys: [0, 1, 2] });
    for (const s of [b, c, d]) s.ws.close();
  });

  it("subscribers survive eviction with hibernated sockets and keep receiving deltas", async () => {
    await create("sub-evict");
    const s = await mustOpen("/v1/tables/sub-evict/views/all/subscribe?format=json");
    await s.frameCount(1);
    // Heartbeats are answered without waking the object.
    s.ws.send("ping");
    await until(() => s.frames.includes("pong"), "pong");
    await evictDurableObject(family("sub-evict"));
    s.ws.send("ping");
    await until(() => s.frames.filter((f) => f === "pong").length === 2, "second pong");
    await publish("sub-evict", [row(0)]);
    await step("sub-evict");
    await until(() => s.messages().length === 2, "delta after eviction");
    expect(s.messages()[1]).toMatchObject({ type: "delta", cycle: 1, added: [0] });
    await evictDurableObject(family("sub-evict"));
    await publish("sub-evict", [row(1)]);
    await step("sub-evict");
    await step("sub-evict");
    await until(() => s.messages().length === 3, "delta after second eviction");
    expect(s.messages()[2]).toMatchObject({ type: "delta", added: [1] });
    // A subscription socket accepts no data frames.
    s.ws.send("hello");
    await until(() => s.messages().some((m) => m.type === "error"), "error frame");
    expect(s.messages().at(-1)).toMatchObject({ error: "read_only" });
    s.ws.close();
  });
});

describe("publish WebSocket", () => {
  it("acknowledges each batch by sequence; a bad batch gets an error frame and the stream stays usable", async () => {
    await create("ws-pub");
    const plain = await call("/v1/tables/ws-pub/publish");
    expect(plain.status).toBe(426);
    const { res } = await openSocket("/v1/tables/ws-none/publish");
    expect(res.status).toBe(404);
    const p = await mustOpen("/v1/tables/ws-pub/publish");
    p.ws.send(JSON.stringify([row(0), row(1)]));
    p.ws.send('[{"Sym": 5}]');
    p.ws.send("not json");
    p.ws.send(JSON.stringify({ rows: [row(2)], idempotencyKey: "k1" }));
    p.ws.send(JSON.stringify({ rows: [row(2)], idempotencyKey: "k1" }));
    p.ws.send(toArrowIPC(newTable([stringCol("Sym", ["Z"])])));
    // Array frames are read by the object's JSON reader (json-rows.ts), which parses only what it
    // does not take: a truncated array is still bad_json, a spaced one is rows.
    p.ws.send(`[${JSON.stringify(row(3))},`);
    p.ws.send(` \n[ ${JSON.stringify(row(3))} ]`);
    await p.frameCount(8);
    const acks = p.messages();
    expect(acks[0]).toEqual({ type: "ack", seq: 1, accepted: 2, cycle: 1, duplicate: false });
    expect(acks[1]).toMatchObject({ type: "error", seq: 2, error: "bad_value" });
    expect(acks[1]!.detail).toMatch(/row 0, column "Sym"/);
    expect(acks[2]).toMatchObject({ type: "error", seq: 3, error: "bad_json" });
    expect(acks[3]).toMatchObject({ type: "ack", seq: 4, accepted: 1, duplicate: false });
    expect(acks[4]).toMatchObject({ type: "ack", seq: 5, accepted: 1, duplicate: true });
    expect(acks[5]).toMatchObject({ type: "error", seq: 6, error: "bad_arrow" });
    expect(acks[6]).toMatchObject({ type: "error", seq: 7, error: "bad_json" });
    expect(acks[6]!.detail).toMatch(/^frame 7 is not JSON: /);
    expect(acks[7]).toMatchObject({ type: "ack", seq: 8, accepted: 1, duplicate: false });
    await step("ws-pub");
    expect((await rowsOf("ws-pub", "all")).map((r) => r.Size)).toEqual([0, 1, 2, 3]);
    p.ws.close();
  });
});
