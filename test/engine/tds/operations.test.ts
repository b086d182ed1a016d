/** A Table Data Service table is an ordinary engine table: formulas, filters, rings, aggregations. */
import { describe, expect, it } from "vitest";
import { merge, ringTable, TableDataService, UpdateGraph } from "../../../src/engine/index.ts";
import { record } from "../helpers.ts";
import { SAMPLE, seedBackend } from "./helpers.ts";

async function open(refreshing: boolean) {
  const { backend, addTickerData } = seedBackend();
  addTickerData("GOOG", "NYSE");
  addTickerData("MSFT", "BZX");
  const graph = new UpdateGraph();
  const svc = new TableDataService(backend, { graph });
  const t = await svc.makeTable(SAMPLE, { refreshing });
  return { graph, t, addTickerData };
}

describe("operations on a Table Data Service table", () => {
  it("update and where follow growth", async () => {
    const { graph, t, addTickerData } = await open(true);
    const u = t.update("Y = Int * 10", "Z = Ticker + `@` + Exchange").view("Z", "Y", "String");
    const w = t.where("Ticker == `MSFT`", "Int > 0");
    const rw = record(w);
    await graph.runCycle();
    expect(u.toRows()).toEqual([
      { Z: "GOOG@NYSE", Y: 10, String: "foo" },
      { Z: "GOOG@NYSE", Y: -10, String: "bar" },
      { Z: "MSFT@BZX", Y: 10, String: "foo" },
      { Z: "MSFT@BZX", Y: -10, String: "bar" },
    ]);
    expect(w.toRows().map((r) => [r.Ticker, r.Exchange, r.Int])).toEqual([["MSFT", "BZX", 1]]);
    addTickerData("MSFT", "BZY");
    addTickerData("MSFT", "BZX");
    await graph.runCycle();
    expect(w.toRows().map((r) => [r.Exchange, r.Int])).toEqual([
      ["BZX", 1],
      ["BZX", 1],
      ["BZY", 1],
    ]);
    expect(rw.updates.map((x) => x.added.length)).toEqual([1, 2]);
    expect(u.size).toBe(8);
  });

  it("ringTable keeps the last rows added", async () => {
    const { graph, t, addTickerData } = await open(true);
    const ring = ringTable(t, 3);
    await graph.runCycle();
    expect(ring.toRows().map((r) => [r.Ticker, r.String])).toEqual([
      ["GOOG", "bar"],
      ["MSFT", "foo"],
      ["MSFT", "bar"],
    ]);
    addTickerData("AAPL", "NYSE");
    await graph.runCycle();
    expect(ring.toRows().map((r) => [r.Ticker, r.String])).toEqual([
      ["MSFT", "bar"],
      ["AAPL", "foo"],
      ["AAPL", "bar"],
    ]);
  });

  it("aggregations", async () => {
    const { graph, t, addTickerData } = await open(true);
    const sums = t.view("Ticker", "Int", "Long", "Double").sumBy("Ticker");
    const counts = t.countBy("N", "Ticker", "Exchange");
    await graph.runCycle();
    expect(sums.toRows()).toEqual([
      { Ticker: "GOOG", Int: 0n, Long: 0n, Double: 0 },
      { Ticker: "MSFT", Int: 0n, Long: 0n, Double: 0 },
    ]);
    addTickerData("MSFT", "BZX");
    addTickerData("MSFT", "BZY");
    await graph.runCycle();
    expect(counts.toRows()).toEqual([
      { Ticker: "GOOG", Exchange: "NYSE", N: 2n },
      { Ticker: "MSFT", Exchange: "BZX", N: 4n },
      { Ticker: "MSFT", Exchange: "BZY", N: 2n },
    ]);
    const byTicker = t.where("Int > 0").view("Ticker", "Int").sumBy("Ticker");
    expect(byTicker.toRows()).toEqual([
      { Ticker: "GOOG", Int: 1n },
      { Ticker: "MSFT", Int: 3n },
    ]);
  });

  it("static tables work the same way", async () => {
    const { t } = await open(false);
    expect(t.update("Y = Short + 1").where("Y > 0").size).toBe(2);
    expect(ringTable(t, 1).toRows()[0]!.Ticker).toBe("MSFT");
    expect(t.countBy("N", "Ticker").toRows()).toEqual([
      { Ticker: "GOOG", N: 2n },
      { Ticker: "MSFT", N: 2n },
    ]);
    expect(merge(t, t).size).toBe(8);
    expect(t.snapshot().toRows()).toEqual(t.toRows());
  });
});
