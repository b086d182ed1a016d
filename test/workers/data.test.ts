/**
 * The `/v1/data` endpoints inside workerd (AUTH=off here; auth at the end with AUTH=on): the
 * seed's Ticker/Exchange table from an InMemoryBackend mounted with the Worker, and a table
 * family's append-only history, through every endpoint: schema (JSON and Arrow), locations,
 * sizes, column values (Arrow IPC), and the subscribe WebSocket as data is added; then every
 * refusal: 400, 401, 403, 404, 405, 409, 426 and 502.
 */
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { tableFromIPC } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeIPC } from "../../src/engine/arrow.ts";
import { PARTITION_COLUMNS_KEY } from "../../src/engine/tds/data-protocol.ts";
import worker from "../../src/worker/index.ts";
import type { Scope } from "../../src/worker/token.ts";
import { mintToken } from "../../src/worker/token.ts";
import { DATA_COLUMNS } from "../engine/tds/helpers.ts";
import { data, mountSeed } from "./data-helpers.ts";
import {
  call,
  create,
  mustOpen,
  openSocket,
  publish,
  SPEC,
  step,
  until,
} from "./router-helpers.ts";

const seed = mountSeed("seed");
afterAll(() => seed.unmount());

const row = (i: number) => ({
  Sym: i % 2 === 0 ? "A" : "B",
  Price: i + 0.5,
  Size: i,
  Ts: `2024-01-01T00:00:00.${String(i).padStart(9, "0")}Z`,
});

async function jsonOf(path: string, status = 200) {
  const res = await call(path);
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(status);
  return body as Record<string, unknown>;
}

async function arrowOf(path: string) {
  const res = await call(path);
  expect(res.status, res.status === 200 ? "" : await res.clone().text()).toBe(200);
  expect(res.headers.get("Content-Type")).toBe("application/vnd.apache.arrow.stream");
  return decodeIPC(new Uint8Array(await res.arrayBuffer()));
}

describe("a mounted backend: the seed's table", () => {
  beforeAll(() => {
    seed.addTickerData!("GOOG", "NYSE");
    seed.addTickerData!("MSFT", "BZX");
    seed.addTickerData!("MSFT", "BZX");
  });

  it("schema as JSON, and as an empty Arrow stream with the partitioning columns named", async () => {
    expect(await jsonOf(data("seed/sample", "schema"))).toEqual({
      table: "seed/sample",
      columns: DATA_COLUMNS,
      partitionColumns: { Ticker: "string", Exchange: "string" },
    });
    for (const path of [`${data("seed/sample", "schema")}?format=arrow`]) {
      const t = await arrowOf(path);
      expect(t.numRows).toBe(0);
      expect(t.schema.fields.map((f) => f.name)).toEqual([
        "Ticker",
        "Exchange",
        ...Object.keys(DATA_COLUMNS),
      ]);
      expect(t.schema.metadata.get(PARTITION_COLUMNS_KEY)).toBe('["Ticker","Exchange"]');
    }
    const res = await call(data("seed/sample", "schema"), {
      headers: { Accept: "application/vnd.apache.arrow.stream" },
    });
    expect(res.headers.get("Content-Type")).toBe("application/vnd.apache.arrow.stream");
  });

  it("locations with partition values, sizes, and column values by position", async () => {
    expect(await jsonOf(data("seed/sample", "locations"))).toEqual({
      table: "seed/sample",
      partitionColumns: { Ticker: "string", Exchange: "string" },
      locations: [
        { location: "GOOG:NYSE", partitionValues: { Ticker: "GOOG", Exchange: "NYSE" } },
        { location: "MSFT:BZX", partitionValues: { Ticker: "MSFT", Exchange: "BZX" } },
      ],
    });
    expect(await jsonOf(data("seed/sample", "locations", "MSFT:BZX", "size"))).toEqual({
      table: "seed/sample",
      location: "MSFT:BZX",
      size: 4,
    });
    const col = (c: string, q: string) =>
      arrowOf(`${data("seed/sample", "locations", "MSFT:BZX", "columns", c)}?${q}`);
    const ints = await col("Int", "offset=1&minRows=2&maxRows=3");
    expect(ints.schema.fields.map((f) => f.name)).toEqual(["Int"]);
    expect([...ints.getChild("Int")!.toArray()]).toEqual([-1, 1, -1]);
    const times = await col("Datetime", "offset=3&minRows=1&maxRows=1");
    expect([...times.getChild("Datetime")!.toArray()]).toEqual([1727801100000000000n]);
    // Defaults: offset 0, minRows 0, maxRows 65536.
    expect((await col("String", "")).numRows).toBe(4);
  });

  it("subscribe: the schema, every location, ready, sizes; then growth as data is added", async () => {
    const s = await mustOpen(data("seed/sample", "subscribe"));
    await until(() => s.messages().some((m) => m.type === "ready"), "ready");
    await until(() => s.messages().filter((m) => m.type === "size").length >= 2, "sizes");
    const msgs = s.messages();
    expect(msgs[0]).toEqual({
      type: "schema",
      columns: DATA_COLUMNS,
      partitionColumns: { Ticker: "string", Exchange: "string" },
    });
    expect(msgs.filter((m) => m.type === "location")).toEqual([
      {
        type: "location",
        location: "GOOG:NYSE",
        partitionValues: { Ticker: "GOOG", Exchange: "NYSE" },
      },
      {
        type: "location",
        location: "MSFT:BZX",
        partitionValues: { Ticker: "MSFT", Exchange: "BZX" },
      },
    ]);
    expect(msgs.filter((m) => m.type === "size")).toEqual([
      { type: "size", location: "GOOG:NYSE", size: 2 },
      { type: "size", location: "MSFT:BZX", size: 4 },
    ]);
    const n = s.frames.length;
    seed.addTickerData!("GOOG", "BZX"); // a new location
    seed.addTickerData!("GOOG", "NYSE"); // growth
    await until(() =>
      s.messages().some((m) => m.type === "size" && m.size === 4 && m.location === "GOOG:NYSE"),
    );
    await until(() => s.messages().some((m) => m.location === "GOOG:BZX" && m.size === 2));
    const later = s.frames.slice(n).filter((f) => typeof f === "string" && f !== "pong");
    expect(later.map((f) => JSON.parse(f as string)).filter((m) => m.type === "location")).toEqual([
      {
        type: "location",
        location: "GOOG:BZX",
        partitionValues: { Ticker: "GOOG", Exchange: "BZX" },
      },
    ]);
    // ping is answered; closing releases the backend's subscriptions.
    s.ws.send("ping");
    await until(() => s.frames.includes("pong"), "pong");
    const before = seed.backend.subscriptionCount;
    expect(before).toBeGreaterThanOrEqual(4);
    s.ws.close(1000, "done");
    await until(() => seed.backend.subscriptionCount === before - 4, "unsubscribed");
  });

  it("refuses what does not exist (404) and what the backend cannot answer (502)", async () => {
    expect(await jsonOf(data("seed/nope", "schema"), 404)).toMatchObject({
      error: "unknown_table",
    });
    expect(await jsonOf(data("seed", "locations"), 404)).toMatchObject({ error: "unknown_table" });
    const body = await jsonOf(data("seed/sample", "locations", "AAPL:NYSE", "size"), 502);
    expect(body).toMatchObject({ error: "backend_failed" });
    expect(String(body.detail)).toContain("does not exist");
    const { res } = await openSocket(data("seed/nope", "subscribe"));
    expect(res.status).toBe(404);
  });
});

describe("a table family's append-only history", () => {
  beforeAll(async () => {
    await create("hist");
    expect((await publish("hist", [row(0), row(1), row(2)])).status).toBe(202);
    await step("hist");
  });

  it("is a table with one location, `all`, read by position through the family", async () => {
    expect(await jsonOf(data("hist/all", "schema"))).toEqual({
      table: "hist/all",
      columns: SPEC.columns,
      partitionColumns: {},
    });
    const arrow = await arrowOf(`${data("hist/all", "schema")}?format=arrow`);
    expect(arrow.schema.fields.map((f) => String(f.type))).toEqual([
      "Utf8",
      "Float64",
      "Int64",
      "Timestamp<NANOSECOND, UTC>",
    ]);
    expect(await jsonOf(data("hist/all", "locations"))).toEqual({
      table: "hist/all",
      partitionColumns: {},
      locations: [{ location: "all", partitionValues: null }],
    });
    expect(await jsonOf(data("hist/all", "locations", "all", "size"))).toMatchObject({ size: 3 });
    const prices = await arrowOf(
      `${data("hist/all", "locations", "all", "columns", "Price")}?offset=1&minRows=1&maxRows=5`,
    );
    expect([...prices.getChild("Price")!.toArray()]).toEqual([1.5, 2.5]);
    const sizes = await arrowOf(
      `${data("hist/all", "locations", "all", "columns", "Size")}?offset=0&minRows=1&maxRows=1`,
    );
    expect([...sizes.getChild("Size")!.toArray()]).toEqual([0n]);
    // The same rows as the view's snapshot.
    const snap = await call("/v1/tables/hist/views/all?format=arrow");
    const whole = tableFromIPC(new Uint8Array(await snap.arrayBuffer()));
    expect([...whole.getChild("Price")!.toArray()]).toEqual([0.5, 1.5, 2.5]);
  });

  it("subscribe: the size, then each cycle's growth", async () => {
    const s = await mustOpen(data("hist/all", "subscribe"));
    await until(() => s.messages().some((m) => m.type === "size"), "size");
    // The location subscription succeeds before the location's size subscription does.
    expect(s.messages()).toEqual([
      { type: "schema", columns: SPEC.columns, partitionColumns: {} },
      { type: "location", location: "all", partitionValues: null },
      { type: "ready" },
      { type: "size", location: "all", size: 3 },
    ]);
    await publish("hist", [row(3), row(4)]);
    await step("hist");
    await until(() => s.messages().some((m) => m.type === "size" && m.size === 5), "size 5");
    await publish("hist", [row(5)]);
    await step("hist");
    await until(() => s.messages().some((m) => m.type === "size" && m.size === 6), "size 6");
    s.ws.close(1000, "done");
  });

  it("refuses views that are not append-only, unknown views, families, locations and columns", async () => {
    expect(await jsonOf(data("hist/recent", "schema"), 409)).toMatchObject({
      error: "not_append_only",
    });
    expect(await jsonOf(data("hist/nope", "schema"), 404)).toMatchObject({ error: "unknown_view" });
    expect(await jsonOf(data("no-such-family/all", "schema"), 404)).toMatchObject({
      error: "not_found",
    });
    expect(await jsonOf(data("hist/all", "locations", "x", "size"), 404)).toMatchObject({
      error: "unknown_location",
    });
    const column = (c: string, q = "") => data("hist/all", "locations", "all", "columns", c) + q;
    expect(await jsonOf(column("Nope"), 404)).toMatchObject({ error: "unknown_column" });
    expect(await jsonOf(column("Price", "?offset=2&minRows=5&maxRows=5"), 400)).toMatchObject({
      error: "bad_range",
    });
  });
});

describe("refusals", () => {
  it("checks names and parameters before any backend (400), methods (405), upgrades (426)", async () => {
    const cases: [string, string][] = [
      [data("bad.name/x", "schema"), "bad_table"],
      [data("hist", "schema"), "bad_table"], // a family table needs its view
      [data("hist/9view", "schema"), "bad_table"],
      ["/v1/data/%E0%A4%A/schema", "bad_table"],
      [data("hist/all", "locations", "all", "columns", "9x"), "bad_column"],
      [`${data("hist/all", "locations", "all", "columns", "Price")}?offset=-1`, "bad_offset"],
      [`${data("hist/all", "locations", "all", "columns", "Price")}?minRows=x`, "bad_minRows"],
      [
        `${data("hist/all", "locations", "all", "columns", "Price")}?maxRows=1000001`,
        "bad_maxRows",
      ],
      [
        `${data("hist/all", "locations", "all", "columns", "Price")}?minRows=3&maxRows=2`,
        "bad_range",
      ],
      [`${data("hist/all", "schema")}?format=csv`, "bad_format"],
    ];
    for (const [path, error] of cases) {
      expect(await jsonOf(path, 400), path).toMatchObject({ error });
    }
    for (const path of [
      data("hist/all", "schema"),
      data("hist/all", "locations"),
      data("hist/all", "locations", "all", "size"),
      data("hist/all", "locations", "all", "columns", "Price"),
      data("hist/all", "subscribe"),
    ]) {
      const res = await call(path, { method: "POST" });
      expect(res.status, path).toBe(405);
      expect(res.headers.get("Allow")).toBe("GET");
    }
    const unescaped = await jsonOf("/v1/data/hist/all/schema", 404);
    expect(unescaped).toMatchObject({ error: "not_found" });
    expect(String(unescaped.detail)).toContain("escaped as %2F");
    const plain = await call(data("hist/all", "subscribe"));
    expect(plain.status).toBe(426);
    expect(await plain.json()).toMatchObject({ error: "upgrade_required" });
  });
});

describe("auth (AUTH=on)", () => {
  const SECRET = "test-secret-0123456789abcdef";
  const authEnv = { ...env, AUTH: "on", TOKEN_SECRET: SECRET } as Env;
  const token = (scopes: Scope[], tables = "*") =>
    mintToken(SECRET, { scopes, tables, exp: Math.floor(Date.now() / 1000) + 600 });
  const send = (path: string, headers: Record<string, string> = {}) =>
    worker.fetch(
      new Request(`http://tickflare.test${path}`, { headers }) as Request<
        unknown,
        IncomingRequestCfProperties
      >,
      authEnv,
      createExecutionContext(),
    );

  it("needs the read scope, with the glob matched against the family or the mount", async () => {
    const paths = [
      data("hist/all", "schema"),
      data("hist/all", "locations"),
      data("hist/all", "locations", "all", "size"),
      `${data("hist/all", "locations", "all", "columns", "Price")}?minRows=1&maxRows=1`,
    ];
    const read = await token(["read"], "hist*");
    const publishOnly = await token(["publish", "admin"], "*");
    const other = await token(["read"], "other*");
    for (const path of paths) {
      const none = await send(path);
      expect(none.status, path).toBe(401);
      expect(none.headers.get("WWW-Authenticate")).toContain("Bearer");
      expect((await send(path, { Authorization: "Bearer nope.nope" })).status).toBe(401);
      expect((await send(path, { Authorization: `Bearer ${publishOnly}` })).status).toBe(403);
      expect((await send(path, { Authorization: `Bearer ${other}` })).status).toBe(403);
      expect((await send(path, { Authorization: `Bearer ${read}` })).status, path).toBe(200);
      // Other endpoints ignore ?token=.
      expect((await send(`${path}${path.includes("?") ? "&" : "?"}token=${read}`)).status).toBe(
        401,
      );
    }
    const mounted = data("seed/sample", "schema");
    expect((await send(mounted, { Authorization: `Bearer ${read}` })).status).toBe(403);
    const seedToken = await token(["read"], "seed");
    expect((await send(mounted, { Authorization: `Bearer ${seedToken}` })).status).toBe(200);
  });

  it("the subscribe socket takes the token from the header or ?token=", async () => {
    const path = data("hist/all", "subscribe");
    const read = await token(["read"], "hist");
    expect((await send(path, { Upgrade: "websocket" })).status).toBe(401);
    const viaQuery = await send(`${path}?token=${read}`, { Upgrade: "websocket" });
    expect(viaQuery.status).toBe(101);
    viaQuery.webSocket!.accept();
    viaQuery.webSocket!.close(1000, "done");
    const viaHeader = await send(path, { Upgrade: "websocket", Authorization: `Bearer ${read}` });
    expect(viaHeader.status).toBe(101);
    viaHeader.webSocket!.accept();
    viaHeader.webSocket!.close(1000, "done");
  });
});
