/**
 * R2Backend over an in-memory stand-in bucket: the seed's Ticker/Exchange table in the hive
 * layout, static and refreshing (new locations and new parts picked up by polling, the timer
 * fired by hand), typed and inferred partitioning, paging across parts, caches, and every
 * failure: unknown table, location or column, bad partition values, parts that change or appear
 * out of order, and a bucket that fails.
 */
import type { Table as ArrowTable } from "apache-arrow";
import { makeData, makeVector, Table, TimestampMillisecond } from "apache-arrow";
import { describe, expect, it } from "vitest";
import {
  BackendError,
  instantCol,
  intCol,
  newTable,
  StringTableKey,
  StringTableLocationKey,
  stringCol,
  TableDataService,
  UpdateGraph,
} from "../../../src/engine/index.ts";
import { R2Backend } from "../../../src/engine/tds/r2-backend.ts";
import { hivePath } from "../../../src/engine/tds/r2-layout.ts";
import { R2PartCache } from "../../../src/engine/tds/r2-part-cache.ts";
import { record } from "../helpers.ts";
import { keys, locationData, tickerRows, until } from "./helpers.ts";
import { ipc, ManualTimer, MemoryBucket, seedR2Table } from "./r2-helpers.ts";

const SAMPLE = new StringTableKey("sample");
const loc = (name: string) => new StringTableLocationKey(name);

function setup(options: { prefix?: string } = {}) {
  const bucket = new MemoryBucket();
  const timer = new ManualTimer();
  const backend = new R2Backend(bucket, { timer, pollMs: 1000, ...options });
  const graph = new UpdateGraph();
  const svc = new TableDataService(backend, { graph });
  return { bucket, timer, backend, graph, svc };
}

/** Calls a callback-style backend method and resolves with what it delivered. */
function call<T>(fn: (ok: (v: T) => void, fail: (e: unknown) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn(resolve, reject));
}

const values = (b: R2Backend, l: string, col: string, offset: number, min: number, max: number) =>
  call<ArrowTable>((ok, fail) => b.columnValues(SAMPLE, loc(l), col, offset, min, max, ok, fail));

describe("R2Backend: the seed's table in the hive layout", () => {
  it("static: schema, locations from paths, sizes from parts, rows equal the source", async () => {
    const { bucket, backend, svc } = setup();
    const { addTickerData } = await seedR2Table(bucket);
    await addTickerData("GOOG", "NYSE");
    await addTickerData("MSFT", "BZX");
    await addTickerData("MSFT", "BZX");
    await addTickerData("MSFT", "BZY");
    const t = await svc.makeTable(SAMPLE);
    // Locations in key order; MSFT/BZX has two parts.
    expect(t.toRows()).toEqual([
      ...tickerRows("GOOG", "NYSE"),
      ...tickerRows("MSFT", "BZX", 2),
      ...tickerRows("MSFT", "BZY"),
    ]);
    expect(Object.keys(t.columns).slice(0, 3)).toEqual(["Ticker", "Exchange", "Boolean"]);
    const pt = await svc.makePartitionedTable(SAMPLE);
    expect(pt.table.toRows()).toEqual([
      { Ticker: "GOOG", Exchange: "NYSE", Constituent: 0 },
      { Ticker: "MSFT", Exchange: "BZX", Constituent: 1 },
      { Ticker: "MSFT", Exchange: "BZY", Constituent: 2 },
    ]);
    const size = await call<number | bigint>((ok, fail) =>
      backend.tableLocationSize(SAMPLE, loc("Ticker=MSFT/Exchange=BZX"), ok, fail),
    );
    expect(size).toBe(4);
  });

  it("refreshing: new locations and new parts appear at the next poll", async () => {
    const { bucket, timer, backend, graph, svc } = setup({ prefix: "tables/" });
    const { addTickerData } = await seedR2Table(bucket, "tables/sample/");
    await addTickerData("GOOG", "NYSE");
    await addTickerData("MSFT", "BZX");
    await addTickerData("MSFT", "BZY");
    const t = await svc.makeTable(SAMPLE, { refreshing: true });
    const rec = record(t);
    await graph.runCycle();
    expect(t.toRows()).toEqual([
      ...tickerRows("GOOG", "NYSE"),
      ...tickerRows("MSFT", "BZX"),
      ...tickerRows("MSFT", "BZY"),
    ]);
    expect(timer.pending.size).toBe(1);

    // New data is invisible until the bucket is listed again.
    await addTickerData("GOOG", "BZX"); // a new location (sorts first; keys follow arrival)
    await addTickerData("MSFT", "BZX"); // a new part of a known location
    await graph.runCycle();
    expect(t.size).toBe(6);
    timer.fire(); // the poll starts; refresh() waits for it (and lists once more)
    await backend.refresh();
    await settleCycles(graph, () => t.size === 10);
    expect(rec.updates.at(-1)!.added).toEqual([...keys(1, 2, 4), ...keys(3, 0, 2)]);
    expect(t.toRows()).toEqual([
      ...tickerRows("GOOG", "NYSE"),
      ...tickerRows("MSFT", "BZX", 2),
      ...tickerRows("MSFT", "BZY"),
      ...tickerRows("GOOG", "BZX"),
    ]);

    // refresh() lists at once; several parts before one poll arrive together.
    await addTickerData("MSFT", "BZY");
    await addTickerData("MSFT", "BZY");
    await backend.refresh();
    await settleCycles(graph, () => t.size === 14);
    expect(t.toRows().slice(6, 12)).toEqual(tickerRows("MSFT", "BZY", 3));
    expect(rec.failures).toEqual([]);

    // Closing the table stops polling.
    t.close();
    expect(timer.pending.size).toBe(0);
  });

  it("reads parts once: row counts and decoded parts are cached by key and etag", async () => {
    const { bucket, backend, svc } = setup();
    const { addTickerData } = await seedR2Table(bucket);
    await addTickerData("GOOG", "NYSE");
    await addTickerData("GOOG", "NYSE");
    await svc.makeTable(SAMPLE);
    const partGets = () => bucket.gets.filter((k) => k.includes("part-")).length;
    expect(partGets()).toBe(2);
    await new TableDataService(backend).makeTable(SAMPLE);
    expect(partGets()).toBe(2);
    // A shared cache serves a second backend too.
    const other = new R2Backend(bucket, { cache: backend.cache });
    await new TableDataService(other).makeTable(SAMPLE);
    expect(partGets()).toBe(2);
  });

  it("takes row counts from a part's `rows` custom metadata without reading it", async () => {
    const { bucket, backend } = setup();
    await bucket.put("sample/_schema.arrow", ipc(locationData().slice(0, 0)));
    await bucket.put("sample/part-0000.arrow", ipc(locationData()), {
      customMetadata: { rows: "2" },
    });
    const size = await call<number | bigint>((ok, fail) =>
      backend.tableLocationSize(SAMPLE, loc("all"), ok, fail),
    );
    expect(size).toBe(2);
    expect(bucket.gets.filter((k) => k.includes("part-"))).toEqual([]);
  });

  it("bounds the decoded parts it keeps", () => {
    const cache = new R2PartCache({ maxBytes: 100 });
    const t = locationData();
    cache.setTable("a", t, 60);
    cache.setTable("b", t, 60);
    expect(cache.parts).toBe(1);
    expect(cache.table("a")).toBeUndefined();
    expect(cache.rows("a")).toBe(2); // counts outlive the decoded part
    cache.setTable("c", t, 500); // the newest part stays, even over budget
    expect(cache.parts).toBe(1);
    expect(cache.table("c")).toBe(t);
  });
});

describe("R2Backend layouts", () => {
  it("an unpartitioned table has one location, `all`", async () => {
    const { bucket, svc } = setup();
    await bucket.put("sample/part-0000.arrow", ipc(newTable([intCol("X", [1, 2])]).toArrow()));
    await bucket.put("sample/part-0001.arrow", ipc(newTable([intCol("X", [3])]).toArrow()));
    await bucket.put("sample/_SUCCESS", new Uint8Array());
    await bucket.put("sample/sub/part-0000.arrow", ipc(newTable([intCol("X", [9])]).toArrow()));
    const pt = await svc.makePartitionedTable(SAMPLE);
    expect(pt.constituents).toHaveLength(1);
    expect(pt.merge().toRows()).toEqual([{ X: 1 }, { X: 2 }, { X: 3 }]);
  });

  it("without _schema.arrow and _partitions.arrow: the first part's schema, string partitions", async () => {
    const { bucket, svc } = setup();
    const data = ipc(newTable([intCol("X", [1])]).toArrow());
    await bucket.put("sample/Year=2024/Region=eu/part-0.arrow", data);
    await bucket.put("sample/Year=2025/Region=us%2Fwest/part-0.arrow", data);
    await bucket.put("sample/Year=2025/part-0.arrow", data); // wrong depth: ignored
    const t = await svc.makeTable(SAMPLE);
    expect(t.columns).toEqual({ Year: "string", Region: "string", X: "int32" });
    expect(t.toRows()).toEqual([
      { Year: "2024", Region: "eu", X: 1 },
      { Year: "2025", Region: "us/west", X: 1 },
    ]);
  });

  it("types partition values by _partitions.arrow; the Hive default partition is null", async () => {
    const { bucket, svc } = setup();
    const partitions = newTable([
      intCol("Year", []),
      instantCol("Day", []),
      stringCol("Tag", []),
    ]).toArrow();
    await bucket.put("sample/_partitions.arrow", ipc(partitions));
    const data = ipc(newTable([intCol("X", [7])]).toArrow());
    const dir = hivePath({ Year: 2024, Day: "2024-01-02T00:00:00Z", Tag: "a=b/c" });
    expect(dir).toBe("Year=2024/Day=2024-01-02T00%3A00%3A00Z/Tag=a%3Db%2Fc");
    await bucket.put(`sample/${dir}/p.arrow`, data);
    await bucket.put(`sample/${hivePath({ Year: -1, Day: null, Tag: null })}/p.arrow`, data);
    const t = await svc.makeTable(SAMPLE);
    expect(t.columns).toEqual({ Year: "int32", Day: "instant", Tag: "string", X: "int32" });
    expect(t.toRows()).toEqual([
      { Year: -1, Day: null, Tag: null, X: 7 },
      { Year: 2024, Day: 1704153600000000000n, Tag: "a=b/c", X: 7 },
    ]);
  });

  it("pages across parts: between minRows and maxRows rows, never a part more than needed", async () => {
    const { bucket, backend } = setup();
    for (let p = 0; p < 3; p++) {
      const xs = [0, 1, 2, 3].map((i) => p * 4 + i);
      await bucket.put(`sample/part-${p}.arrow`, ipc(newTable([intCol("X", xs)]).toArrow()));
    }
    const x = (t: ArrowTable) => [...t.getChild("X")!.toArray()];
    expect(x(await values(backend, "all", "X", 0, 2, 3))).toEqual([0, 1, 2]);
    expect(x(await values(backend, "all", "X", 3, 1, 100))).toEqual([3]);
    expect(x(await values(backend, "all", "X", 3, 2, 100))).toEqual([3, 4, 5, 6, 7]);
    expect(x(await values(backend, "all", "X", 2, 7, 8))).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(x(await values(backend, "all", "X", 12, 0, 5))).toEqual([]);
    await expect(values(backend, "all", "X", 10, 3, 5)).rejects.toMatchObject({
      code: "bad_range",
      status: 400,
    });
  });

  it("parts whose Arrow types differ but read as one column type are made uniform", async () => {
    const { bucket, svc } = setup();
    await bucket.put(
      "sample/part-0.arrow",
      ipc(newTable([instantCol("T", [1_000_000n])]).toArrow()),
    );
    const type = new TimestampMillisecond("UTC");
    const ms = makeData({ type, length: 1, nullCount: 0, data: new BigInt64Array([2n]) });
    await bucket.put("sample/part-1.arrow", ipc(new Table({ T: makeVector(ms) })));
    const t = await svc.makeTable(SAMPLE);
    expect(t.toRows()).toEqual([{ T: 1_000_000n }, { T: 2_000_000n }]);
  });
});

describe("R2Backend failures", () => {
  it("unknown table, location and column are 404 BackendErrors", async () => {
    const { bucket, backend, svc } = setup();
    const { addTickerData } = await seedR2Table(bucket);
    await addTickerData("GOOG", "NYSE");
    await expect(svc.makeTable(new StringTableKey("nope"))).rejects.toThrow(
      /table_schema failed: R2 table nope does not exist/,
    );
    const sizeOf = (l: string) =>
      call<number | bigint>((ok, fail) => backend.tableLocationSize(SAMPLE, loc(l), ok, fail));
    for (const l of ["Ticker=AAPL/Exchange=NYSE", "Exchange=NYSE/Ticker=GOOG", "all", "x"]) {
      const e = await sizeOf(l).catch((e) => e);
      expect(e, l).toBeInstanceOf(BackendError);
      expect(e).toMatchObject({ code: "unknown_location", status: 404 });
    }
    await expect(
      values(backend, "Ticker=GOOG/Exchange=NYSE", "Nope", 0, 1, 1),
    ).rejects.toMatchObject({ code: "unknown_column", status: 404 });
    // A partitioning column is not read through column values.
    await expect(
      values(backend, "Ticker=GOOG/Exchange=NYSE", "Ticker", 0, 1, 1),
    ).rejects.toMatchObject({ code: "unknown_column" });
    await expect(
      call((ok, fail) => backend.tableSchema({ toString: () => "K" } as never, ok as never, fail)),
    ).rejects.toMatchObject({ code: "bad_key", status: 400 });
  });

  it("a partition value that does not parse as its type fails with the location named", async () => {
    const { bucket, svc } = setup();
    await bucket.put("sample/_partitions.arrow", ipc(newTable([intCol("Year", [])]).toArrow()));
    await bucket.put("sample/Year=abc/p.arrow", ipc(newTable([intCol("X", [1])]).toArrow()));
    await expect(svc.makeTable(SAMPLE)).rejects.toThrow(
      /table_locations failed: R2 table sample: location "Year=abc": partition column "Year" \(int32\)/,
    );
  });

  it("a part that changes, or a new part sorting before a known one, fails the table", async () => {
    for (const change of ["rewrite", "insert"] as const) {
      const { bucket, timer, graph, svc } = setup();
      const { addTickerData } = await seedR2Table(bucket);
      await addTickerData("GOOG", "NYSE");
      await addTickerData("GOOG", "NYSE");
      const t = await svc.makeTable(SAMPLE, { refreshing: true });
      const rec = record(t);
      await graph.runCycle();
      expect(t.size).toBe(4);
      const dir = "sample/Ticker=GOOG/Exchange=NYSE";
      if (change === "rewrite") await bucket.put(`${dir}/part-0001.arrow`, ipc(locationData()));
      else await bucket.put(`${dir}/part-0000a.arrow`, ipc(locationData()));
      timer.fire();
      await settleCycles(graph, () => t.isFailed);
      expect(String(rec.failures[0])).toMatch(
        change === "rewrite"
          ? /part "sample\/Ticker=GOOG\/Exchange=NYSE\/part-0001.arrow" changed/
          : /part-0000a.arrow" appeared before the known part .*part-0001.arrow"; parts are append-only/,
      );
    }
  });

  it("a bucket that fails: static calls fail at once, polls after three failures in a row", async () => {
    const { bucket, timer, graph, svc } = setup();
    const { addTickerData } = await seedR2Table(bucket);
    await addTickerData("GOOG", "NYSE");
    bucket.failLists = 1;
    await expect(svc.makeTable(SAMPLE)).rejects.toThrow(/table_locations failed: list failed/);
    const t = await svc.makeTable(SAMPLE, { refreshing: true });
    const rec = record(t);
    await graph.runCycle();
    expect(t.size).toBe(2);
    bucket.failLists = 2;
    for (let i = 0; i < 2; i++) {
      timer.fire();
      await until(() => timer.pending.size === 1);
    }
    await addTickerData("GOOG", "NYSE");
    timer.fire(); // the third poll succeeds: the count starts again
    await settleCycles(graph, () => t.size === 4);
    bucket.failLists = 3;
    for (let i = 0; i < 2; i++) {
      timer.fire();
      await until(() => timer.pending.size === 1);
    }
    await graph.runCycle();
    expect(t.isFailed).toBe(false);
    timer.fire();
    await settleCycles(graph, () => t.isFailed);
    expect(String(rec.failures[0])).toMatch(/failed: list failed \(injected\)/);
    expect(timer.pending.size).toBe(0);
  });
});

/** Runs cycles until `cond` holds (reads finish outside cycles). */
async function settleCycles(graph: UpdateGraph, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await graph.runCycle();
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 0));
  }
  throw new Error("settleCycles: condition never held");
}
