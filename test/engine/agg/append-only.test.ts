/** Aggregations over append-only (DynamicTableWriter, blinkToAppendOnly) and static parents. */
import { describe, expect, it } from "vitest";
import { agg } from "../../../src/engine/agg/index.ts";
import {
  blinkToAppendOnly,
  DynamicTableWriter,
  doubleCol,
  intCol,
  merge,
  newTable,
  stringCol,
  tablePublisher,
  UpdateGraph,
} from "../../../src/engine/index.ts";
import { record } from "../helpers.ts";

describe("aggregations over append-only and static parents", () => {
  it("DynamicTableWriter: per-cycle results and updates; the result is a standard table", async () => {
    const g = new UpdateGraph();
    const w = new DynamicTableWriter(g, { Sym: "string", Px: "float64", Qty: "int64" });
    w.writeRow("A", 10, 5n);
    await g.runCycle();
    const t = w.table.aggBy(
      [
        agg.first("Open = Px"),
        agg.last("Close = Px"),
        agg.min("Lo = Px"),
        agg.max("Hi = Px"),
        agg.sum("Qty"),
      ],
      "Sym",
    );
    expect([t.isRefreshing, t.isBlink, t.isAppendOnly, t.isAddOnly]).toEqual([
      true,
      false,
      false,
      false,
    ]);
    expect(t.toRows()).toEqual([{ Sym: "A", Open: 10, Close: 10, Lo: 10, Hi: 10, Qty: 5n }]);
    const rec = record(t);
    w.writeRow("B", 7, 1n);
    w.writeRow("A", 12, null);
    await g.runCycle();
    w.writeRow("A", 9, 2n);
    await g.runCycle();
    w.writeRow("A", 11, null); // changes only the close
    await g.runCycle();
    expect(t.toRows()).toEqual([
      { Sym: "A", Open: 10, Close: 11, Lo: 9, Hi: 12, Qty: 7n },
      { Sym: "B", Open: 7, Close: 7, Lo: 7, Hi: 7, Qty: 1n },
    ]);
    expect(rec.updates).toEqual([
      { added: [1], removed: [], modified: [0], modifiedColumns: ["Close", "Hi"] },
      { added: [], removed: [], modified: [0], modifiedColumns: ["Close", "Lo", "Qty"] },
      { added: [], removed: [], modified: [0], modifiedColumns: ["Close"] },
    ]);
  });

  it("blinkToAppendOnly gives the same answers as the blink table itself", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { name: "p", columns: { K: "string", X: "int32" } });
    const direct = blink.aggBy(
      [agg.sum("X"), agg.first("F = X"), agg.last("L = X"), agg.median("M = X")],
      "K",
    );
    const viaHistory = blinkToAppendOnly(blink).aggBy(
      [agg.sum("X"), agg.first("F = X"), agg.last("L = X"), agg.median("M = X")],
      "K",
    );
    for (const batch of [[1, 2, 3], [], [4], [5, 6]]) {
      pub.addRows(batch.map((x) => ({ K: x % 2 ? "odd" : "even", X: x })));
      await g.runCycle();
      expect(viaHistory.toRows()).toEqual(direct.toRows());
    }
    expect(direct.toRows()).toEqual([
      { K: "odd", X: 9n, F: 1, L: 5, M: 3 },
      { K: "even", X: 12n, F: 2, L: 6, M: 4 },
    ]);
  });

  it("add-only parents: first and last follow row keys, not arrival", async () => {
    const g = new UpdateGraph();
    const w1 = new DynamicTableWriter(g, { K: "string", X: "int32" });
    const w2 = new DynamicTableWriter(g, { K: "string", X: "int32" });
    const m = merge(w1.table, w2.table); // w1's rows take keys below w2's
    expect([m.isAddOnly, m.isAppendOnly]).toEqual([true, false]);
    const t = m.aggBy([agg.first("F = X"), agg.last("L = X"), agg.count("N")], "K");
    const rec = record(t);
    w2.writeRow("k", 20);
    await g.runCycle();
    expect(t.toRows()).toEqual([{ K: "k", F: 20, L: 20, N: 1n }]);
    w1.writeRow("k", 10);
    await g.runCycle();
    expect(t.toRows()).toEqual([{ K: "k", F: 10, L: 20, N: 2n }]);
    w2.writeRow("k", 21);
    await g.runCycle();
    expect(t.toRows()).toEqual([{ K: "k", F: 10, L: 21, N: 3n }]);
    expect(rec.updates.map((u) => u.modifiedColumns)).toEqual([[], ["F", "N"], ["L", "N"]]);
  });

  it("a static parent gives a static result", () => {
    const t = newTable([
      stringCol("K", ["x", "y", "x", null]),
      intCol("I", [1, 2, 3, 4]),
      doubleCol("D", [0.5, null, 1.5, 2]),
    ]);
    const r = t.aggBy([agg.sum("I"), agg.avg("D"), agg.countDistinct("N = I")], "K");
    expect(r.isRefreshing).toBe(false);
    expect(r.toRows()).toEqual([
      { K: "x", I: 4n, D: 1, N: 2n },
      { K: "y", I: 2n, D: null, N: 1n },
      { K: null, I: 4n, D: 2, N: 1n },
    ]);
    expect(t.view("I").sumBy().toRows()).toEqual([{ I: 10n }]);
    expect(
      newTable([intCol("I", [])])
        .sumBy()
        .toRows(),
    ).toEqual([]);
  });
});
