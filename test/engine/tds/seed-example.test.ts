/**
 * The seed's usage example end to end (seed 001): the "sample" table partitioned by Ticker and
 * Exchange, static and refreshing, with more `add_ticker_data` calls after the table is open;
 * exact contents after every step and cycle, with callbacks delivered synchronously and later.
 */
import { describe, expect, it } from "vitest";
import type { InMemoryBackendOptions, Table } from "../../../src/engine/index.ts";
import { TableDataService, UpdateGraph } from "../../../src/engine/index.ts";
import { record } from "../helpers.ts";
import { DATA_COLUMNS, key, keys, SAMPLE, seedBackend, tickerRows } from "./helpers.ts";

const COLUMNS = { Ticker: "string", Exchange: "string", ...DATA_COLUMNS };

const MODES: InMemoryBackendOptions["delivery"][] = ["sync", "microtask", "macrotask"];

describe.each(MODES)("seed usage example (%s delivery)", (delivery) => {
  function setup() {
    const { backend, addTickerData } = seedBackend({ delivery });
    const graph = new UpdateGraph();
    const svc = new TableDataService(backend, { graph });
    // Lets async deliveries (and the reads they start) finish.
    const settle = () => backend.idle();
    return { backend, addTickerData, graph, svc, settle };
  }

  it("static: a snapshot of the three locations, partitioning columns first", async () => {
    const { addTickerData, svc } = setup();
    addTickerData("GOOG", "NYSE");
    addTickerData("MSFT", "BZX");
    addTickerData("MSFT", "BZY");
    const t = await svc.makeTable(SAMPLE, { refreshing: false });
    expect(t.isRefreshing).toBe(false);
    expect(t.columns).toEqual(COLUMNS);
    expect(Object.keys(t.columns)).toEqual(Object.keys(COLUMNS));
    expect(t.rowSet.toArray()).toEqual([...keys(0, 0, 2), ...keys(1, 0, 2), ...keys(2, 0, 2)]);
    expect(t.toRows()).toEqual([
      ...tickerRows("GOOG", "NYSE"),
      ...tickerRows("MSFT", "BZX"),
      ...tickerRows("MSFT", "BZY"),
    ]);
    // Static: later data does not change it.
    addTickerData("GOOG", "BZX");
    addTickerData("MSFT", "BZX");
    expect(t.size).toBe(6);
    // A new static table sees the new data.
    const t2 = await svc.makeTable(SAMPLE);
    expect(t2.toRows()).toEqual([
      ...tickerRows("GOOG", "NYSE"),
      ...tickerRows("MSFT", "BZX", 2),
      ...tickerRows("MSFT", "BZY"),
      ...tickerRows("GOOG", "BZX"),
    ]);
  });

  it("refreshing: initial rows at the first cycle, then every add_ticker_data call", async () => {
    const { addTickerData, graph, svc, settle } = setup();
    addTickerData("GOOG", "NYSE");
    addTickerData("MSFT", "BZX");
    addTickerData("MSFT", "BZY");
    const t: Table = await svc.makeTable(SAMPLE, { refreshing: true });
    expect(t.isRefreshing).toBe(true);
    expect(t.isAddOnly).toBe(true);
    expect(t.isAppendOnly).toBe(false);
    expect(t.columns).toEqual(COLUMNS);
    expect(t.size).toBe(0); // nothing before the first cycle
    const rec = record(t);

    await graph.runCycle();
    expect(t.toRows()).toEqual([
      ...tickerRows("GOOG", "NYSE"),
      ...tickerRows("MSFT", "BZX"),
      ...tickerRows("MSFT", "BZY"),
    ]);
    expect(rec.updates).toEqual([
      {
        added: [...keys(0, 0, 2), ...keys(1, 0, 2), ...keys(2, 0, 2)],
        removed: [],
        modified: [],
        modifiedColumns: [],
      },
    ]);

    // A cycle with nothing new changes nothing.
    await graph.runCycle();
    expect(rec.updates).toHaveLength(1);

    // "this adds a new table location to the already opened table"
    addTickerData("GOOG", "BZX");
    expect(t.size).toBe(6); // buffered until a cycle
    await settle();
    expect(t.size).toBe(6);
    await graph.runCycle();
    expect(t.toRows()).toEqual([
      ...tickerRows("GOOG", "NYSE"),
      ...tickerRows("MSFT", "BZX"),
      ...tickerRows("MSFT", "BZY"),
      ...tickerRows("GOOG", "BZX"),
    ]);
    expect(rec.updates[1]!.added).toEqual(keys(3, 0, 2));

    // "these append to existing table locations of the already opened table"
    addTickerData("MSFT", "BZX");
    await settle();
    await graph.runCycle();
    expect(rec.updates[2]!.added).toEqual(keys(1, 2, 4));
    expect(t.toRows()).toEqual([
      ...tickerRows("GOOG", "NYSE"),
      ...tickerRows("MSFT", "BZX", 2),
      ...tickerRows("MSFT", "BZY"),
      ...tickerRows("GOOG", "BZX"),
    ]);

    addTickerData("MSFT", "BZY");
    await settle();
    await graph.runCycle();
    expect(rec.updates[3]!.added).toEqual(keys(2, 2, 4));
    expect(t.toRows()).toEqual([
      ...tickerRows("GOOG", "NYSE"),
      ...tickerRows("MSFT", "BZX", 2),
      ...tickerRows("MSFT", "BZY", 2),
      ...tickerRows("GOOG", "BZX"),
    ]);
    expect(t.getValue("Ticker", key(2, 3))).toBe("MSFT");
    expect(t.getValue("Exchange", key(2, 3))).toBe("BZY");
    expect(t.getValue("String", key(2, 3))).toBe("bar");

    // Several calls before one cycle arrive together.
    addTickerData("GOOG", "NYSE");
    addTickerData("AAPL", "NYSE");
    await settle();
    await graph.runCycle();
    expect(rec.updates[4]!.added).toEqual([...keys(0, 2, 4), ...keys(4, 0, 2)]);
    expect(t.size).toBe(16);
    expect(rec.failures).toEqual([]);
    t.close();
  });

  it("refreshing with no locations yet: rows appear when the first location does", async () => {
    const { addTickerData, graph, svc, settle } = setup();
    const t = await svc.makeTable(SAMPLE, { refreshing: true });
    await graph.runCycle();
    expect(t.size).toBe(0);
    addTickerData("GOOG", "NYSE");
    await settle();
    await graph.runCycle();
    expect(t.toRows()).toEqual(tickerRows("GOOG", "NYSE"));
    expect(t.rowSet.toArray()).toEqual(keys(0, 0, 2));
  });

  it("partitioned, static: one constituent per location", async () => {
    const { addTickerData, svc } = setup();
    addTickerData("GOOG", "NYSE");
    addTickerData("MSFT", "BZX");
    addTickerData("MSFT", "BZX");
    addTickerData("MSFT", "BZY");
    const pt = await svc.makePartitionedTable(SAMPLE, { refreshing: false });
    expect(pt.table.columns).toEqual({
      Ticker: "string",
      Exchange: "string",
      Constituent: "int32",
    });
    expect(pt.table.toRows()).toEqual([
      { Ticker: "GOOG", Exchange: "NYSE", Constituent: 0 },
      { Ticker: "MSFT", Exchange: "BZX", Constituent: 1 },
      { Ticker: "MSFT", Exchange: "BZY", Constituent: 2 },
    ]);
    expect(pt.keyColumnNames).toEqual(["Ticker", "Exchange"]);
    expect(pt.constituents).toHaveLength(3);
    expect(pt.constituents[0]!.toRows()).toEqual(tickerRows("GOOG", "NYSE"));
    expect(pt.constituents[1]!.toRows()).toEqual(tickerRows("MSFT", "BZX", 2));
    expect(pt.constituents[2]!.toRows()).toEqual(tickerRows("MSFT", "BZY"));
    expect(pt.merge().toRows()).toEqual([
      ...tickerRows("GOOG", "NYSE"),
      ...tickerRows("MSFT", "BZX", 2),
      ...tickerRows("MSFT", "BZY"),
    ]);
    expect(pt.constituentFor("MSFT", "BZY")).toBe(pt.constituents[2]);
    expect(pt.constituentFor("MSFT", "XXX")).toBeNull();
  });

  it("partitioned, refreshing: new locations add rows and constituents", async () => {
    const { backend, addTickerData, graph, svc, settle } = setup();
    addTickerData("GOOG", "NYSE");
    addTickerData("MSFT", "BZX");
    const pt = await svc.makePartitionedTable(SAMPLE, { refreshing: true });
    const merged = pt.merge();
    expect(pt.table.size).toBe(0);
    expect(pt.table.isRefreshing).toBe(true);
    const recKeys = record(pt.table);
    await graph.runCycle();
    expect(pt.table.toRows()).toEqual([
      { Ticker: "GOOG", Exchange: "NYSE", Constituent: 0 },
      { Ticker: "MSFT", Exchange: "BZX", Constituent: 1 },
    ]);
    expect(recKeys.updates.map((u) => u.added)).toEqual([[0, 1]]);
    expect(pt.constituents.map((c) => c.toRows())).toEqual([
      tickerRows("GOOG", "NYSE"),
      tickerRows("MSFT", "BZX"),
    ]);
    expect(merged.size).toBe(4);
    const recMsft = record(pt.constituents[1]!);

    addTickerData("GOOG", "BZX");
    addTickerData("MSFT", "BZX");
    await settle();
    await graph.runCycle();
    expect(pt.table.toRows()).toEqual([
      { Ticker: "GOOG", Exchange: "NYSE", Constituent: 0 },
      { Ticker: "MSFT", Exchange: "BZX", Constituent: 1 },
      { Ticker: "GOOG", Exchange: "BZX", Constituent: 2 },
    ]);
    expect(recKeys.updates.map((u) => u.added)).toEqual([[0, 1], [2]]);
    expect(pt.constituents[1]!.toRows()).toEqual(tickerRows("MSFT", "BZX", 2));
    expect(recMsft.updates.map((u) => u.added)).toEqual([keys(1, 2, 4)]);
    expect(pt.constituents[2]!.toRows()).toEqual(tickerRows("GOOG", "BZX"));
    expect(pt.constituentFor("GOOG", "BZX")).toBe(pt.constituents[2]);
    expect(pt.constituentFor("GOOG", "XXX")).toBeNull();
    expect(merged.toRows()).toEqual([
      ...tickerRows("GOOG", "NYSE"),
      ...tickerRows("MSFT", "BZX", 2),
      ...tickerRows("GOOG", "BZX"),
    ]);

    // The constituent made in the last cycle ticks from the next one.
    addTickerData("GOOG", "BZX");
    await settle();
    await graph.runCycle();
    expect(pt.constituents[2]!.toRows()).toEqual(tickerRows("GOOG", "BZX", 2));
    expect(merged.size).toBe(10);

    // Closing `table` releases every subscription.
    expect(backend.subscriptionCount).toBe(4);
    pt.table.close();
    expect(backend.subscriptionCount).toBe(0);
  });
});
