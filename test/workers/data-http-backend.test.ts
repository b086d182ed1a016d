/**
 * HttpBackend against the real `/v1/data` endpoints inside workerd, end to end: a
 * TableDataService in the test reads through HttpBackend -> the Worker -> a backend (the seed's
 * InMemoryBackend mounted with the Worker, a table family's history, R2, and an HttpBackend
 * mounted with the Worker reading the Worker again), and the engine table equals the source
 * after every step: the seed's usage example static and refreshing, with more `add_ticker_data`
 * calls after the table is open; a family's history growing cycle by cycle.
 */
import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import type { Table } from "../../src/engine/index.ts";
import {
  fromArrowIPC,
  StringTableKey,
  TableDataService,
  UpdateGraph,
} from "../../src/engine/index.ts";
import { mountData } from "../../src/worker/data-registry.ts";
import { record } from "../engine/helpers.ts";
import { keys, SAMPLE, TableLocationKeyImpl, tickerRows } from "../engine/tds/helpers.ts";
import { seedR2Table } from "../engine/tds/r2-helpers.ts";
import { cycleUntil, mountSeed, remote } from "./data-helpers.ts";
import { call, create, publish, step } from "./router-helpers.ts";

const SEED = new StringTableKey("seedh/sample");

describe("the seed's usage example through HttpBackend", () => {
  const seed = mountSeed("seedh");
  const unmountRemote = mountData("remote", {
    // A deployment reading another (here: itself) and serving what it reads.
    backend: () => remote(),
  });
  afterAll(() => {
    seed.unmount();
    unmountRemote();
  });
  const add = seed.addTickerData!;

  it("static: the same table as the backend's own", async () => {
    add("GOOG", "NYSE");
    add("MSFT", "BZX");
    add("MSFT", "BZY");
    const t = await new TableDataService(remote()).makeTable(SEED);
    const local = await new TableDataService(seed.backend).makeTable(SAMPLE);
    expect(t.columns).toEqual(local.columns);
    expect(t.toRows()).toEqual(local.toRows());
    expect(t.toRows()).toEqual([
      ...tickerRows("GOOG", "NYSE"),
      ...tickerRows("MSFT", "BZX"),
      ...tickerRows("MSFT", "BZY"),
    ]);
    expect(t.rowSet.toArray()).toEqual(local.rowSet.toArray());
    const pt = await new TableDataService(remote()).makePartitionedTable(SEED);
    expect(pt.table.toRows()).toEqual([
      { Ticker: "GOOG", Exchange: "NYSE", Constituent: 0 },
      { Ticker: "MSFT", Exchange: "BZX", Constituent: 1 },
      { Ticker: "MSFT", Exchange: "BZY", Constituent: 2 },
    ]);
    // Through two hops: HttpBackend -> the "remote" mount (an HttpBackend) -> the seed mount.
    const hop = await new TableDataService(remote()).makeTable(
      new StringTableKey("remote/seedh/sample"),
    );
    expect(hop.toRows()).toEqual(local.toRows());
  });

  it("refreshing: initial rows at the first cycle, then every add_ticker_data call", async () => {
    const graph = new UpdateGraph();
    const backend = remote();
    const t: Table = await new TableDataService(backend, { graph }).makeTable(SEED, {
      refreshing: true,
    });
    const rec = record(t);
    expect(t.size).toBe(0);
    await graph.runCycle();
    expect(t.toRows()).toEqual([
      ...tickerRows("GOOG", "NYSE"),
      ...tickerRows("MSFT", "BZX"),
      ...tickerRows("MSFT", "BZY"),
    ]);
    expect(rec.updates[0]!.added).toEqual([...keys(0, 0, 2), ...keys(1, 0, 2), ...keys(2, 0, 2)]);

    // "this adds a new table location to the already opened table"
    add("GOOG", "BZX");
    await cycleUntil(graph, () => t.size === 8, "GOOG:BZX");
    expect(rec.updates.at(-1)!.added).toEqual(keys(3, 0, 2));
    // "these append to existing table locations of the already opened table"
    add("MSFT", "BZX");
    await cycleUntil(graph, () => t.size === 10, "MSFT:BZX");
    expect(rec.updates.at(-1)!.added).toEqual(keys(1, 2, 4));
    add("MSFT", "BZY");
    await cycleUntil(graph, () => t.size === 12, "MSFT:BZY");
    expect(rec.updates.at(-1)!.added).toEqual(keys(2, 2, 4));
    expect(t.toRows()).toEqual([
      ...tickerRows("GOOG", "NYSE"),
      ...tickerRows("MSFT", "BZX", 2),
      ...tickerRows("MSFT", "BZY", 2),
      ...tickerRows("GOOG", "BZX"),
    ]);
    const local = await new TableDataService(seed.backend).makeTable(SAMPLE);
    expect(t.toRows()).toEqual(local.toRows());
    expect(rec.failures).toEqual([]);
    expect(backend.openSockets).toBe(1);
    t.close();
    expect(backend.openSockets).toBe(0);
  });

  it("refreshing through two hops", async () => {
    const graph = new UpdateGraph();
    const key = new StringTableKey("remote/seedh/sample");
    const t = await new TableDataService(remote(), { graph }).makeTable(key, { refreshing: true });
    await graph.runCycle();
    expect(t.size).toBe(12);
    add("AAPL", "NYSE");
    await cycleUntil(graph, () => t.size === 14, "AAPL:NYSE");
    expect(t.toRows().slice(12)).toEqual(tickerRows("AAPL", "NYSE"));
    t.close();
  });

  it("a refreshing partitioned table gets a constituent per new location", async () => {
    const graph = new UpdateGraph();
    const pt = await new TableDataService(remote(), { graph }).makePartitionedTable(SEED, {
      refreshing: true,
    });
    await graph.runCycle();
    const n = pt.constituents.length;
    expect(pt.table.toRows()[0]).toEqual({ Ticker: "GOOG", Exchange: "NYSE", Constituent: 0 });
    add("TSLA", "BZX");
    await cycleUntil(graph, () => pt.constituents.length === n + 1, "a new constituent");
    expect(pt.table.toRows().at(-1)).toEqual({ Ticker: "TSLA", Exchange: "BZX", Constituent: n });
    expect(pt.constituentFor("TSLA", "BZX")!.toRows()).toEqual(tickerRows("TSLA", "BZX"));
    add("TSLA", "BZX");
    await cycleUntil(graph, () => pt.constituents[n]!.size === 4, "growth");
    expect(pt.merge().size).toBe(pt.constituents.reduce((a, c) => a + c.size, 0));
    pt.table.close();
  });

  it("failures reach the table: an unknown table, and a location whose size feed fails", async () => {
    const svc = new TableDataService(remote());
    await expect(svc.makeTable(new StringTableKey("seedh/nope"))).rejects.toThrow(
      /StringTableKey\{seedh\/nope\}: table_schema failed: mount "seedh" has no table "nope" \(404 unknown_table/,
    );
    const graph = new UpdateGraph();
    const t = await new TableDataService(remote(), { graph }).makeTable(SEED, {
      refreshing: true,
    });
    const rec = record(t);
    await graph.runCycle();
    seed.backend.failSubscriptions(SAMPLE, "size feed gone", new TableLocationKeyImpl("GOOG:NYSE"));
    await cycleUntil(graph, () => t.isFailed, "failure");
    expect(String(rec.failures[0])).toMatch(
      /subscribe_to_table_location_size failed: the backend failed: size feed gone/,
    );
  });
});

describe("a table family's history through HttpBackend", () => {
  const row = (i: number) => ({ Sym: i % 2 ? "B" : "A", Price: i + 0.25, Size: i, Ts: i * 1000 });

  it("static and refreshing tables equal the view, cycle after cycle", async () => {
    await create("remote-hist");
    await publish("remote-hist", [row(0), row(1)]);
    await step("remote-hist");
    const key = new StringTableKey("remote-hist/all");
    const view = async () => {
      const res = await call("/v1/tables/remote-hist/views/all?format=arrow");
      return fromArrowIPC(new Uint8Array(await res.arrayBuffer())).toRows();
    };
    const fixed = await new TableDataService(remote(), { pageSize: 1 }).makeTable(key);
    expect(fixed.toRows()).toEqual(await view());
    expect(fixed.columns).toEqual({
      Sym: "string",
      Price: "float64",
      Size: "int64",
      Ts: "instant",
    });

    const graph = new UpdateGraph();
    const t = await new TableDataService(remote(), { graph, pageSize: 2 }).makeTable(key, {
      refreshing: true,
    });
    await graph.runCycle();
    expect(t.toRows()).toEqual(await view());
    for (const batch of [[row(2), row(3), row(4)], [row(5)]]) {
      await publish("remote-hist", batch);
      await step("remote-hist");
      const expected = await view();
      await cycleUntil(graph, () => t.size === expected.length, `${expected.length} rows`);
      expect(t.toRows()).toEqual(expected);
    }
    expect(t.size).toBe(6);
    t.close();
  });
});

describe("R2 through HttpBackend", () => {
  it("the built-in r2 mount serves the bucket bound as DATA", async () => {
    const { addTickerData } = await seedR2Table(env.DATA, "viahttp/");
    await addTickerData("GOOG", "NYSE");
    await addTickerData("MSFT", "BZX");
    await addTickerData("MSFT", "BZX");
    const t = await new TableDataService(remote()).makeTable(new StringTableKey("r2/viahttp"));
    expect(t.toRows()).toEqual([...tickerRows("GOOG", "NYSE"), ...tickerRows("MSFT", "BZX", 2)]);
  });
});
