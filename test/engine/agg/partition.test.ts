/** partitionBy / partitionedAggBy: constituents per key that tick with the parent. */
import { describe, expect, it } from "vitest";
import { agg } from "../../../src/engine/agg/index.ts";
import {
  DynamicTableWriter,
  intCol,
  newTable,
  ringTable,
  stringCol,
  tablePublisher,
  UpdateGraph,
} from "../../../src/engine/index.ts";
import { record } from "../helpers.ts";

describe("partitionBy", () => {
  it("gives one ticking constituent per key over a ring; merge() gives every row", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { name: "p", columns: { K: "string", X: "int32" } });
    const ring = ringTable(blink, 3);
    const pt = ring.partitionBy("K");
    const merged = pt.merge();
    expect(pt.table.columns).toEqual({ K: "string", Constituent: "int32" });
    expect(pt.constituents).toEqual([]);
    pub.addRows([
      { K: "a", X: 1 },
      { K: "b", X: 2 },
      { K: "a", X: 3 },
    ]);
    await g.runCycle();
    expect(pt.table.toRows()).toEqual([
      { K: "a", Constituent: 0 },
      { K: "b", Constituent: 1 },
    ]);
    const a = pt.constituentFor("a")!;
    expect(a.toRows()).toEqual([
      { K: "a", X: 1 },
      { K: "a", X: 3 },
    ]);
    expect(pt.constituents[1]!.toRows()).toEqual([{ K: "b", X: 2 }]);
    expect(merged.toRows()).toEqual(ring.toRows());
    const recA = record(a);
    pub.addRows([
      { K: "c", X: 4 },
      { K: "c", X: 5 },
    ]);
    await g.runCycle(); // evicts a:1 and b:2
    expect(pt.table.toRows()).toEqual([
      { K: "a", Constituent: 0 },
      { K: "c", Constituent: 2 },
    ]);
    expect(a.toRows()).toEqual([{ K: "a", X: 3 }]);
    expect(recA.updates).toEqual([{ added: [], removed: [0], modified: [], modifiedColumns: [] }]);
    expect(pt.constituentFor("b")).toBeNull();
    expect(pt.constituents[1]!.size).toBe(0);
    expect(pt.constituentFor("c")!.toRows()).toEqual([
      { K: "c", X: 4 },
      { K: "c", X: 5 },
    ]);
    expect(merged.toRows()).toEqual(ring.toRows());
    pub.addRows([{ K: "b", X: 9 }]);
    await g.runCycle(); // b comes back: same constituent
    expect(pt.constituentFor("b")).toBe(pt.constituents[1]);
    expect(pt.constituents[1]!.toRows()).toEqual([{ K: "b", X: 9 }]);
    expect(() => pt.constituentFor()).toThrow(
      "constituentFor: expected 1 key value(s) for [K], got 0",
    );
  });

  it("partitionedAggBy: aggregation outputs next to the Constituent column", async () => {
    const g = new UpdateGraph();
    const w = new DynamicTableWriter(g, { Sym: "string", Qty: "int64", Day: "int32" });
    const pt = w.table.partitionedAggBy([agg.sum("Total = Qty"), agg.count("N")], "Sym", "Day");
    w.writeRow("A", 1n, 1);
    w.writeRow("B", 2n, 1);
    w.writeRow("A", 3n, 1);
    await g.runCycle();
    w.writeRow("A", 4n, 2);
    await g.runCycle();
    expect(pt.table.toRows()).toEqual([
      { Sym: "A", Day: 1, Total: 4n, N: 2n, Constituent: 0 },
      { Sym: "B", Day: 1, Total: 2n, N: 1n, Constituent: 1 },
      { Sym: "A", Day: 2, Total: 4n, N: 1n, Constituent: 2 },
    ]);
    expect(pt.constituentFor("A", 1)!.toRows()).toEqual([
      { Sym: "A", Qty: 1n, Day: 1 },
      { Sym: "A", Qty: 3n, Day: 1 },
    ]);
    expect(pt.constituentFor("A", 2)!.isAppendOnly).toBe(true);
    expect(pt.constituentFor("C", 1)).toBeNull();
  });

  it("over a static table gives static constituents", () => {
    const t = newTable([stringCol("K", ["x", null, "x"]), intCol("V", [1, 2, 3])]);
    const pt = t.partitionBy("K");
    expect(pt.table.isRefreshing).toBe(false);
    expect(pt.constituentFor("x")!.toRows()).toEqual([
      { K: "x", V: 1 },
      { K: "x", V: 3 },
    ]);
    expect(pt.constituentFor(null)!.toRows()).toEqual([{ K: null, V: 2 }]);
    expect(pt.merge().size).toBe(3);
  });
});
