/**
 * Every failure path: a failed schema rejects makeTable; for static tables failed locations,
 * sizes and reads reject too; for refreshing tables failures (from the backend or from invalid
 * data) fail the table at the next cycle, reach listeners, and release the subscriptions.
 */
import * as arrow from "apache-arrow";
import { describe, expect, it } from "vitest";
import {
  ArgumentError,
  arrayCol,
  InMemoryBackend,
  intCol,
  newTable,
  stringCol,
  TableDataService,
  TableDataServiceError,
  UpdateGraph,
} from "../../../src/engine/index.ts";
import { record } from "../helpers.ts";
import {
  loc,
  locationData,
  manualTable,
  partitioningValues,
  RecordingBackend,
  SAMPLE,
  seedBackend,
  TableKeyImpl,
  TableLocationKeyImpl,
  tickerRows,
} from "./helpers.ts";

const GOOG = new TableLocationKeyImpl("GOOG:NYSE");

function seeded(delivery: "sync" | "macrotask" = "sync") {
  const { backend, addTickerData } = seedBackend({ delivery });
  addTickerData("GOOG", "NYSE");
  const rec = new RecordingBackend(backend);
  const graph = new UpdateGraph();
  const svc = new TableDataService(rec, { graph });
  return { backend, rec, graph, svc, addTickerData };
}

describe("schema failures reject makeTable", () => {
  it.each([false, true])(
    "failure callback (refreshing: %s); the next call asks again",
    async (refreshing) => {
      const { backend, rec, svc } = seeded();
      backend.failNext("tableSchema", "schema service down");
      const err = await svc.makeTable(SAMPLE, { refreshing }).catch((e) => e);
      expect(err).toBeInstanceOf(TableDataServiceError);
      expect(err.message).toBe("TableKeyImpl{sample}: table_schema failed: schema service down");
      expect(err.tableKey).toBe("TableKeyImpl{sample}");
      expect(err.code).toBe("table_data_service");
      const t = await svc.makeTable(SAMPLE, { refreshing });
      expect(t.columnNames[0]).toBe("Ticker");
      expect(rec.count("tableSchema")).toBe(2);
    },
  );

  it("an unknown table key", async () => {
    const { svc } = seeded();
    await expect(svc.makeTable(new TableKeyImpl("nope"))).rejects.toThrow(
      "TableKeyImpl{nope}: table_schema failed: TableKeyImpl{nope} does not exist",
    );
    await expect(svc.makePartitionedTable(new TableKeyImpl("nope"))).rejects.toThrow(
      TableDataServiceError,
    );
  });

  it("a backend method that throws, or an async one that rejects, counts as a failure", async () => {
    const { rec, svc } = seeded();
    rec.tableSchema = () => {
      throw new Error("boom");
    };
    await expect(svc.makeTable(SAMPLE)).rejects.toThrow(
      "TableKeyImpl{sample}: table_schema failed: boom",
    );
    rec.tableSchema = async () => {
      throw new Error("async boom");
    };
    await expect(svc.makeTable(SAMPLE)).rejects.toThrow(
      "TableKeyImpl{sample}: table_schema failed: async boom",
    );
  });

  it("a column of an unsupported Arrow type", async () => {
    const backend = new InMemoryBackend();
    const key = new TableKeyImpl("dec");
    backend.addTable(key, new arrow.Schema([new arrow.Field("D", new arrow.Decimal(2, 10, 128))]));
    const err = await new TableDataService(backend).makeTable(key).catch((e) => e);
    expect(err).toBeInstanceOf(TableDataServiceError);
    expect(err.message).toMatch(
      /^TableKeyImpl\{dec\}: data schema column "D": .*unsupported Arrow type/,
    );
    expect(err.column).toBe("D");
  });

  it("a partitioning column whose type conflicts with the data schema's", async () => {
    const backend = new InMemoryBackend();
    const key = new TableKeyImpl("c");
    backend.addTable(
      key,
      newTable([intCol("Ticker", []), intCol("X", [])]).toArrow().schema,
      newTable([stringCol("Ticker", [])]).toArrow().schema,
    );
    await expect(new TableDataService(backend).makeTable(key)).rejects.toThrow(
      'TableKeyImpl{c}: column "Ticker" has conflicting types: string in the partitioning schema but int32 in the data schema',
    );
  });

  it("an array-typed partitioning column", async () => {
    const backend = new InMemoryBackend();
    const key = new TableKeyImpl("arr");
    backend.addTable(
      key,
      newTable([intCol("X", [])]).toArrow().schema,
      newTable([arrayCol("Tags", "string", [])]).toArrow().schema,
    );
    await expect(new TableDataService(backend).makeTable(key)).rejects.toThrow(
      'TableKeyImpl{arr}: partitioning column "Tags" is string[]; partitioning columns must be scalar',
    );
  });

  it("a data column that repeats a partitioning column of the same type is filled, not read", async () => {
    const mem = new InMemoryBackend();
    const key = new TableKeyImpl("r");
    mem.addTable(
      key,
      newTable([stringCol("Ticker", []), intCol("X", [])]).toArrow().schema,
      newTable([stringCol("Ticker", [])]).toArrow().schema,
    );
    mem.addLocation(
      key,
      GOOG,
      newTable([stringCol("Ticker", ["GOOG"])]).toArrow(),
      newTable([stringCol("Ticker", ["ignored", "ignored"]), intCol("X", [1, 2])]).toArrow(),
    );
    const rec = new RecordingBackend(mem);
    const t = await new TableDataService(rec).makeTable(key);
    expect(t.columns).toEqual({ Ticker: "string", X: "int32" });
    expect(t.toRows()).toEqual([
      { Ticker: "GOOG", X: 1 },
      { Ticker: "GOOG", X: 2 },
    ]);
    expect(rec.reads().map((c) => c.column)).toEqual(["X"]);
  });

  it("a schema that is not an Arrow Schema", async () => {
    const { rec, svc } = seeded();
    rec.tableSchema = (_k, cb) => cb("nope" as never);
    await expect(svc.makeTable(SAMPLE)).rejects.toThrow(
      "TableKeyImpl{sample}: table_schema delivered a data schema that is not an Arrow Schema (got nope)",
    );
  });
});

describe("static tables reject when locations, sizes or reads fail", () => {
  it("table_locations", async () => {
    const { backend, svc } = seeded();
    backend.failNext("tableLocations", new Error("listing failed"));
    await expect(svc.makeTable(SAMPLE)).rejects.toThrow(
      "TableKeyImpl{sample}: table_locations failed: listing failed",
    );
    backend.failNext("tableLocations");
    await expect(svc.makePartitionedTable(SAMPLE)).rejects.toThrow(/table_locations failed/);
  });

  it("table_location_size", async () => {
    const { backend, svc } = seeded();
    backend.failNext("tableLocationSize", "size unknown");
    const err = await svc.makeTable(SAMPLE).catch((e) => e);
    expect(err.message).toBe(
      "TableKeyImpl{sample}:TableLocationKeyImpl{GOOG:NYSE}: table_location_size failed: size unknown",
    );
    expect(err.location).toBe("TableLocationKeyImpl{GOOG:NYSE}");
  });

  it.each([-1, 1.5, "x", 2 ** 32 + 1])("an invalid size (%s)", async (size) => {
    const { rec, svc } = seeded();
    rec.tableLocationSize = (_k, _l, cb) => cb(size as number);
    await expect(svc.makeTable(SAMPLE)).rejects.toThrow(
      new RegExp(`TableLocationKeyImpl\\{GOOG:NYSE\\}: table_location_size delivered size ${size}`),
    );
  });

  it("a bigint size is accepted", async () => {
    const { rec, svc } = seeded();
    rec.tableLocationSize = (_k, _l, cb) => cb(2n);
    expect((await svc.makeTable(SAMPLE)).size).toBe(2);
  });

  it("column_values", async () => {
    const { backend, svc } = seeded();
    backend.failNext("columnValues", "disk error");
    const err = await svc.makeTable(SAMPLE).catch((e) => e);
    expect(err.message).toBe(
      "TableKeyImpl{sample}:TableLocationKeyImpl{GOOG:NYSE}: column_values(Boolean, offset=0, minRows=2, maxRows=65536) failed: disk error",
    );
    expect(err.column).toBe("Boolean");
    // Not sticky: the next table reads again.
    expect((await svc.makeTable(SAMPLE)).toRows()).toEqual(tickerRows("GOOG", "NYSE"));
  });

  it("column_values failing later (async delivery)", async () => {
    const { backend, svc } = seeded("macrotask");
    backend.failNext("columnValues", "late disk error");
    await expect(svc.makeTable(SAMPLE)).rejects.toThrow(/column_values\(Boolean.*late disk error/);
  });
});

// ---- partition values --------------------------------------------------------------------------

const BAD_PARTITIONS: [string, arrow.Table | null, string][] = [
  [
    "two rows",
    newTable([stringCol("Ticker", ["A", "B"]), stringCol("Exchange", ["X", "Y"])]).toArrow(),
    "TableKeyImpl{sample}:TableLocationKeyImpl{BAD}: partition values must have exactly 1 row, got 2",
  ],
  [
    "no rows",
    newTable([stringCol("Ticker", []), stringCol("Exchange", [])]).toArrow(),
    "partition values must have exactly 1 row, got 0",
  ],
  [
    "no partition table",
    null,
    "TableKeyImpl{sample}:TableLocationKeyImpl{BAD}: the location has no partition values, but the table has partitioning columns [Ticker, Exchange]",
  ],
  [
    "a column of the wrong type",
    newTable([intCol("Ticker", [1]), stringCol("Exchange", ["X"])]).toArrow(),
    'TableKeyImpl{sample}:TableLocationKeyImpl{BAD}: partition values: Column "Ticker": expected string, but the Arrow data has Int32',
  ],
  [
    "a missing column",
    newTable([stringCol("Ticker", ["A"])]).toArrow(),
    'partition values: Column "Exchange" (string) is missing from the Arrow data',
  ],
  [
    "an extra column",
    newTable([
      stringCol("Ticker", ["A"]),
      stringCol("Exchange", ["X"]),
      stringCol("Extra", ["?"]),
    ]).toArrow(),
    'partition values: Column "Extra" is not in the table\'s schema',
  ],
];

describe.each(BAD_PARTITIONS)("partition values with %s", (_name, values, message) => {
  const BAD = new TableLocationKeyImpl("BAD");

  it("reject a static table", async () => {
    const { backend, svc } = seeded();
    backend.addLocation(SAMPLE, BAD, values, locationData());
    const err = await svc.makeTable(SAMPLE).catch((e) => e);
    expect(err).toBeInstanceOf(TableDataServiceError);
    expect(err.message).toContain(message);
    expect(err.location).toBe("TableLocationKeyImpl{BAD}");
  });

  it("fail a refreshing table when the location arrives later, and unsubscribe", async () => {
    const { backend, rec, graph, svc } = seeded();
    const t = await svc.makeTable(SAMPLE, { refreshing: true });
    const r = record(t);
    await graph.runCycle();
    expect(t.size).toBe(2);
    backend.addLocation(SAMPLE, BAD, values, locationData());
    await graph.runCycle();
    expect(t.isFailed).toBe(true);
    expect(String(r.failures[0])).toContain(message);
    expect(backend.subscriptionCount).toBe(0);
    expect(rec.unsubscribes).toBe(2);
  });
});

it("partition values for a table without partitioning columns", async () => {
  const mem = new InMemoryBackend();
  const key = new TableKeyImpl("flat");
  mem.addTable(key, newTable([intCol("X", [])]).toArrow().schema);
  mem.addLocation(
    key,
    GOOG,
    partitioningValues("GOOG", "NYSE"),
    newTable([intCol("X", [1])]).toArrow(),
  );
  await expect(new TableDataService(mem).makeTable(key)).rejects.toThrow(
    "TableKeyImpl{flat}:TableLocationKeyImpl{GOOG:NYSE}: partition values have columns [Ticker, Exchange], but the table has no partitioning columns",
  );
});

// ---- refreshing ---------------------------------------------------------------------------------

describe("refreshing tables fail at the next cycle and tell listeners", () => {
  it("needs a graph", async () => {
    const { backend } = seeded();
    const svc = new TableDataService(backend);
    await expect(svc.makeTable(SAMPLE, { refreshing: true })).rejects.toThrow(ArgumentError);
  });

  it.each(["sync", "macrotask"] as const)(
    "subscribe_to_table_locations fails at once (%s)",
    async (delivery) => {
      const { backend, rec, graph, svc } = seeded(delivery);
      backend.failNext("subscribeToTableLocations", "no subscriptions today");
      const t = await svc.makeTable(SAMPLE, { refreshing: true });
      const r = record(t);
      expect(t.isFailed).toBe(false);
      await graph.runCycle();
      expect(t.isFailed).toBe(true);
      expect(r.failures).toHaveLength(1);
      const err = r.failures[0] as TableDataServiceError;
      expect(err).toBeInstanceOf(TableDataServiceError);
      expect(err.message).toBe(
        "TableKeyImpl{sample}: subscribe_to_table_locations failed: no subscriptions today",
      );
      // The failed subscription was released.
      expect(rec.unsubscribes).toBe(1);
      // Derived tables fail with it.
      await graph.runCycle();
      expect(rec.count("subscribeToTableLocationSize")).toBe(0);
    },
  );

  it("the location subscription is lost later", async () => {
    const { backend, rec, graph, svc, addTickerData } = seeded();
    const t = await svc.makeTable(SAMPLE, { refreshing: true });
    const derived = t.update("Y = Int * 2");
    const r = record(t);
    const rd = record(derived);
    await graph.runCycle();
    expect(derived.size).toBe(2);
    backend.failSubscriptions(SAMPLE, new Error("connection lost"));
    expect(t.isFailed).toBe(false);
    await graph.runCycle();
    expect(t.isFailed).toBe(true);
    expect(derived.isFailed).toBe(true);
    expect((r.failures[0] as Error).message).toBe(
      "TableKeyImpl{sample}: subscribe_to_table_locations failed: connection lost",
    );
    expect(rd.failures).toEqual(r.failures);
    expect(rec.unsubscribes).toBe(2); // locations and GOOG's size
    expect(backend.subscriptionCount).toBe(0);
    // Later data does not reach the failed table.
    addTickerData("GOOG", "NYSE");
    await graph.runCycle();
    expect(t.size).toBe(2);
    // A new table subscribes afresh.
    const t2 = await svc.makeTable(SAMPLE, { refreshing: true });
    await graph.runCycle();
    expect(t2.toRows()).toEqual(tickerRows("GOOG", "NYSE", 2));
    expect(rec.count("subscribeToTableLocations")).toBe(2);
  });

  it("a size subscription fails at once", async () => {
    const { backend, graph, svc } = seeded();
    backend.failNext("subscribeToTableLocationSize", "no sizes");
    const t = await svc.makeTable(SAMPLE, { refreshing: true });
    const r = record(t);
    await graph.runCycle();
    expect(t.isFailed).toBe(true);
    expect((r.failures[0] as Error).message).toBe(
      "TableKeyImpl{sample}:TableLocationKeyImpl{GOOG:NYSE}: subscribe_to_table_location_size failed: no sizes",
    );
    expect(backend.subscriptionCount).toBe(0);
  });

  it("a size subscription is lost later", async () => {
    const { backend, graph, svc, addTickerData } = seeded();
    addTickerData("MSFT", "BZX");
    const t = await svc.makeTable(SAMPLE, { refreshing: true });
    const r = record(t);
    await graph.runCycle();
    backend.failSubscriptions(SAMPLE, "size feed gone", new TableLocationKeyImpl("MSFT:BZX"));
    await graph.runCycle();
    expect(t.isFailed).toBe(true);
    expect((r.failures[0] as Error).message).toBe(
      "TableKeyImpl{sample}:TableLocationKeyImpl{MSFT:BZX}: subscribe_to_table_location_size failed: size feed gone",
    );
    expect(backend.subscriptionCount).toBe(0);
  });

  it("a read fails after growth", async () => {
    const { backend, graph, svc, addTickerData } = seeded();
    const t = await svc.makeTable(SAMPLE, { refreshing: true });
    const r = record(t);
    await graph.runCycle();
    backend.failNext("columnValues", "read error");
    addTickerData("GOOG", "NYSE");
    await graph.runCycle();
    expect(t.isFailed).toBe(true);
    expect((r.failures[0] as Error).message).toBe(
      "TableKeyImpl{sample}:TableLocationKeyImpl{GOOG:NYSE}: column_values(Boolean, offset=2, minRows=2, maxRows=65534) failed: read error",
    );
  });

  it("the initial read fails: makeTable resolves, the first cycle fails the table", async () => {
    const { backend, graph, svc } = seeded();
    backend.failNext("columnValues", "read error");
    const t = await svc.makeTable(SAMPLE, { refreshing: true });
    const r = record(t);
    await graph.runCycle();
    expect(t.isFailed).toBe(true);
    expect(t.size).toBe(0);
    expect(r.updates).toEqual([]);
    expect(r.failures).toHaveLength(1);
  });

  it("an invalid size", async () => {
    const { b, graph, p } = await manualTable();
    b.locations.locationCb(loc(0));
    b.locations.successCb();
    b.size(0).sizeCb(-3);
    const t = await p;
    const r = record(t);
    await graph.runCycle();
    expect(t.isFailed).toBe(true);
    expect((r.failures[0] as Error).message).toBe(
      "TableKeyImpl{m}:TableLocationKeyImpl{0}: subscribe_to_table_location_size delivered size -3; expected a non-negative integer",
    );
    expect(b.unsubscribes).toBe(2);
  });

  it("every table of the key fails with a shared subscription", async () => {
    const { backend, graph, svc } = seeded();
    const t1 = await svc.makeTable(SAMPLE, { refreshing: true });
    const t2 = await svc.makeTable(SAMPLE, { refreshing: true });
    await graph.runCycle();
    backend.failSubscriptions(SAMPLE, "gone");
    await graph.runCycle();
    expect(t1.isFailed).toBe(true);
    expect(t2.isFailed).toBe(true);
    expect(backend.subscriptionCount).toBe(0);
  });

  it("a failure callback after close is ignored", async () => {
    const { b, graph, p } = await manualTable();
    b.locations.successCb();
    const t = await p;
    t.close();
    b.locations.failureCb("late");
    await graph.runCycle();
    expect(t.isFailed).toBe(false);
    expect(b.unsubscribes).toBe(1);
  });
});
