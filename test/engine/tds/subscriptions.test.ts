/**
 * Sharing and releasing: one schema call and one location subscription per key per service,
 * one size subscription per location; `close()` calls every unsubscribe; sizes only grow;
 * makeTable waits for the initial rows; callbacks may come synchronously or later.
 */
import { describe, expect, it } from "vitest";
import { TableDataService, UpdateGraph } from "../../../src/engine/index.ts";
import { record } from "../helpers.ts";
import {
  key,
  keys,
  loc,
  manualTable,
  RecordingBackend,
  SAMPLE,
  seedBackend,
  tickerRows,
  until,
} from "./helpers.ts";

function seeded(delivery: "sync" | "microtask" | "macrotask" = "sync") {
  const { backend, addTickerData } = seedBackend({ delivery });
  addTickerData("GOOG", "NYSE");
  addTickerData("MSFT", "BZX");
  addTickerData("MSFT", "BZY");
  const rec = new RecordingBackend(backend);
  const graph = new UpdateGraph();
  const svc = new TableDataService(rec, { graph });
  return { backend, rec, graph, svc, addTickerData };
}

describe("one schema call and one location subscription per key", () => {
  it("two refreshing tables of one key share the subscriptions and the pages", async () => {
    const { rec, graph, svc, addTickerData } = seeded();
    const t1 = await svc.makeTable(SAMPLE, { refreshing: true });
    const t2 = await svc.makeTable(SAMPLE, { refreshing: true });
    const pt = await svc.makePartitionedTable(SAMPLE, { refreshing: true });
    expect(rec.count("tableSchema")).toBe(1);
    expect(rec.count("subscribeToTableLocations")).toBe(1);
    expect(rec.count("subscribeToTableLocationSize")).toBe(3);
    const reads = rec.reads().length;
    expect(reads).toBe(3 * 11); // one page per column per location, read once
    await graph.runCycle();
    expect(t2.toRows()).toEqual(t1.toRows());
    expect(pt.merge().toRows()).toEqual(t1.toRows());
    addTickerData("GOOG", "BZX");
    await graph.runCycle();
    expect(t1.size).toBe(8);
    expect(t2.toRows()).toEqual(t1.toRows());
    expect(rec.count("subscribeToTableLocations")).toBe(1);
    expect(rec.reads().length).toBe(reads + 11);
  });

  it("static and refreshing tables share the schema; concurrent calls make one schema call", async () => {
    const { rec, svc } = seeded("macrotask");
    const all = await Promise.all([
      svc.makeTable(SAMPLE),
      svc.makeTable(SAMPLE, { refreshing: true }),
      svc.makePartitionedTable(SAMPLE),
    ]);
    expect(all).toHaveLength(3);
    expect(rec.count("tableSchema")).toBe(1);
    expect(rec.count("tableLocations")).toBe(2);
    expect(rec.count("subscribeToTableLocations")).toBe(1);
  });

  it("a late table hears the locations delivered before it attached", async () => {
    const { graph, svc, addTickerData } = seeded();
    const t1 = await svc.makeTable(SAMPLE, { refreshing: true });
    await graph.runCycle();
    addTickerData("GOOG", "BZX");
    addTickerData("GOOG", "NYSE");
    await graph.runCycle();
    const t2 = await svc.makeTable(SAMPLE, { refreshing: true });
    await graph.runCycle();
    expect(t2.toRows()).toEqual(t1.toRows());
    expect(t2.rowSet.toArray()).toEqual(t1.rowSet.toArray());
    expect(t2.getValue("Exchange", key(3, 1))).toBe("BZX");
  });
});

describe("close() calls every unsubscribe", () => {
  it("one table: the location subscription and each size subscription", async () => {
    const { backend, rec, graph, svc, addTickerData } = seeded();
    const t = await svc.makeTable(SAMPLE, { refreshing: true });
    await graph.runCycle();
    expect(backend.subscriptionCount).toBe(4);
    t.close();
    expect(rec.unsubscribes).toBe(4);
    expect(backend.subscriptionCount).toBe(0);
    expect(t.isClosed).toBe(true);
    // Nothing reaches a closed table.
    addTickerData("GOOG", "NYSE");
    await graph.runCycle();
    expect(t.size).toBe(6);
    t.close();
    expect(rec.unsubscribes).toBe(4);
  });

  it("shared subscriptions end with the last table; the next table subscribes again", async () => {
    const { backend, rec, graph, svc } = seeded();
    const t1 = await svc.makeTable(SAMPLE, { refreshing: true });
    const t2 = await svc.makeTable(SAMPLE, { refreshing: true });
    await graph.runCycle();
    t1.close();
    expect(rec.unsubscribes).toBe(0);
    expect(backend.subscriptionCount).toBe(4);
    t2.close();
    expect(rec.unsubscribes).toBe(4);
    const t3 = await svc.makeTable(SAMPLE, { refreshing: true });
    expect(rec.count("subscribeToTableLocations")).toBe(2);
    expect(rec.count("tableSchema")).toBe(1);
    await graph.runCycle();
    expect(t3.size).toBe(6);
    // Pages were cached: the new subscription reads nothing again.
    expect(rec.reads()).toHaveLength(33);
  });

  it("closing before the first cycle", async () => {
    const { backend, graph, svc } = seeded("macrotask");
    const t = await svc.makeTable(SAMPLE, { refreshing: true });
    t.close();
    expect(backend.subscriptionCount).toBe(0);
    await graph.runCycle();
    expect(t.size).toBe(0);
  });

  it("a subscription still being delivered when closed", async () => {
    const { b, graph, p } = await manualTable();
    b.locations.locationCb(loc(0));
    b.locations.locationCb(loc(1));
    b.locations.successCb();
    b.size(0).sizeCb(2);
    b.size(0).successCb();
    b.size(1).sizeCb(1);
    b.size(1).successCb();
    const t = await p;
    t.close();
    expect(b.unsubscribes).toBe(3);
    b.size(0).sizeCb(5); // ignored
    await graph.runCycle();
    expect(t.size).toBe(0);
  });
});

describe("sizes and readiness", () => {
  async function manual() {
    const { b, graph, p: made } = await manualTable({ pageSize: 4 });
    let resolved = false;
    const p = made.then((t) => {
      resolved = true;
      return t;
    });
    return { b, graph, p, isResolved: () => resolved };
  }

  it("makeTable waits for the locations, their sizes and their rows", async () => {
    const { b, graph, p, isResolved } = await manual();
    b.locations.locationCb(loc(0));
    await until(() => b.sizeSubs.length === 1);
    b.size(0).sizeCb(3);
    b.size(0).successCb();
    expect(isResolved()).toBe(false); // the location subscription has not succeeded yet
    b.locations.locationCb(loc(1));
    b.locations.successCb();
    await new Promise((r) => setTimeout(r, 0));
    expect(isResolved()).toBe(false); // location 1 has no size yet
    b.size(1).sizeCb(2);
    await new Promise((r) => setTimeout(r, 0));
    expect(isResolved()).toBe(false);
    b.size(1).successCb();
    const t = await p;
    expect(t.size).toBe(0);
    await graph.runCycle();
    expect(t.toRows()).toEqual([{ X: 0 }, { X: 1 }, { X: 2 }, { X: 100 }, { X: 101 }]);
    expect(t.rowSet.toArray()).toEqual([...keys(0, 0, 3), ...keys(1, 0, 2)]);
  });

  it("sizes only grow: a smaller or equal size is ignored", async () => {
    const { b, graph, p } = await manual();
    b.locations.locationCb(loc(0));
    b.locations.successCb();
    b.size(0).sizeCb(4);
    b.size(0).successCb();
    const t = await p;
    const r = record(t);
    await graph.runCycle();
    expect(t.size).toBe(4);
    b.size(0).sizeCb(2);
    b.size(0).sizeCb(4);
    await graph.runCycle();
    expect(r.updates).toHaveLength(1);
    b.size(0).sizeCb(6);
    b.size(0).sizeCb(5);
    await graph.runCycle();
    expect(r.updates.map((u) => u.added)).toEqual([keys(0, 0, 4), keys(0, 4, 6)]);
    expect(t.toRows().map((x) => x.X)).toEqual([0, 1, 2, 3, 4, 5]);
    // The same location delivered again is ignored too.
    b.locations.locationCb(loc(0));
    await graph.runCycle();
    expect(b.sizeSubs).toHaveLength(1);
  });

  it("a location joins at the next cycle; its rows come when read", async () => {
    const { b, graph, p } = await manual();
    b.locations.successCb();
    const t = await p;
    await graph.runCycle();
    b.locations.locationCb(loc(7));
    await graph.runCycle();
    expect(t.size).toBe(0);
    b.size(7).sizeCb(2);
    await graph.runCycle();
    expect(t.toRows()).toEqual([{ X: 700 }, { X: 701 }]);
    expect(t.rowSet.toArray()).toEqual(keys(0, 0, 2)); // index 0: the first location of the table
  });

  it("rows read asynchronously appear at the first cycle after they arrive", async () => {
    const { backend, graph, svc, addTickerData } = seeded("macrotask");
    const t = await svc.makeTable(SAMPLE, { refreshing: true });
    await graph.runCycle();
    expect(t.size).toBe(6);
    addTickerData("GOOG", "NYSE");
    await graph.runCycle(); // the size has not even arrived
    expect(t.size).toBe(6);
    await backend.idle();
    await graph.runCycle();
    expect(t.size).toBe(8);
    expect(t.toRows().slice(0, 4)).toEqual(tickerRows("GOOG", "NYSE", 2));
  });

  it("with a synchronous backend, new data shows at the very next cycle", async () => {
    const { graph, svc, addTickerData } = seeded("sync");
    const t = await svc.makeTable(SAMPLE, { refreshing: true });
    // The location and size arrive synchronously and are read at once.
    addTickerData("AAPL", "NYSE");
    await graph.runCycle();
    expect(t.size).toBe(8);
  });
});
