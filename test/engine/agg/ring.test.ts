/** Aggregations over parents with removals: ring tables, removeBlink, and results of results. */
import { describe, expect, it } from "vitest";
import { agg } from "../../../src/engine/agg/index.ts";
import { ringTable, tablePublisher, UpdateGraph } from "../../../src/engine/index.ts";
import { record } from "../helpers.ts";

function setup(columns: Record<string, string>) {
  const g = new UpdateGraph({ seed: 3 });
  const [blink, pub] = tablePublisher(g, { name: "p", columns });
  const cycle = async (rows: Record<string, unknown>[]) => {
    pub.addRows(rows);
    await g.runCycle();
  };
  return { g, blink, pub, cycle };
}

describe("aggregations over a ring table", () => {
  it("min, max, median, first and last stay right when their row leaves", async () => {
    const { blink, cycle } = setup({ K: "string", X: "int32", S: "string" });
    const ring = ringTable(blink, 3);
    const t = ring.aggBy(
      [
        agg.min("Min = X"),
        agg.max("Max = X", "MaxS = S"),
        agg.median("Med = X"),
        agg.first("First = X"),
        agg.last("Last = S"),
        agg.sum("Sum = X"),
        agg.count("N"),
      ],
      "K",
    );
    const rec = record(t);
    await cycle([
      { K: "a", X: 1, S: "z" },
      { K: "a", X: 9, S: "b" },
      { K: "a", X: 5, S: "c" },
    ]);
    expect(t.toRows()).toEqual([
      { K: "a", Min: 1, Max: 9, MaxS: "z", Med: 5, First: 1, Last: "c", Sum: 15n, N: 3n },
    ]);
    await cycle([{ K: "a", X: 4, S: "a" }]); // evicts X = 1 (the min and the first row)
    expect(t.toRows()).toEqual([
      { K: "a", Min: 4, Max: 9, MaxS: "c", Med: 5, First: 9, Last: "a", Sum: 18n, N: 3n },
    ]);
    await cycle([{ K: "a", X: 4, S: "a" }]); // evicts X = 9 (the max)
    expect(t.toRows()).toEqual([
      { K: "a", Min: 4, Max: 5, MaxS: "c", Med: 4, First: 5, Last: "a", Sum: 13n, N: 3n },
    ]);
    expect(rec.updates).toEqual([
      { added: [0], removed: [], modified: [], modifiedColumns: [] },
      {
        added: [],
        removed: [],
        modified: [0],
        modifiedColumns: ["Min", "MaxS", "First", "Last", "Sum"],
      },
      { added: [], removed: [], modified: [0], modifiedColumns: ["Max", "Med", "First", "Sum"] },
    ]);
  });

  it("a group whose last row leaves disappears, and comes back at the same row key", async () => {
    const { blink, cycle } = setup({ K: "string", X: "int32" });
    const t = ringTable(blink, 2).sumBy("K");
    const rec = record(t);
    await cycle([
      { K: "a", X: 1 },
      { K: "b", X: 2 },
    ]);
    await cycle([
      { K: "c", X: 3 },
      { K: "c", X: 4 },
    ]);
    expect(t.toRows()).toEqual([{ K: "c", X: 7n }]);
    expect(t.rowSet.toArray()).toEqual([2]);
    await cycle([{ K: "a", X: 10 }]);
    expect(t.toRows()).toEqual([
      { K: "a", X: 10n },
      { K: "c", X: 4n },
    ]);
    expect(t.rowSet.toArray()).toEqual([0, 2]);
    expect(rec.updates).toEqual([
      { added: [0, 1], removed: [], modified: [], modifiedColumns: [] },
      { added: [2], removed: [0, 1], modified: [], modifiedColumns: [] },
      { added: [0], removed: [], modified: [2], modifiedColumns: ["X"] },
    ]);
  });

  it("zero keys over removeBlink: the row goes when a cycle is empty and comes back", async () => {
    const { blink, cycle } = setup({ X: "int32" });
    const t = blink.removeBlink().aggBy([agg.count("N"), agg.avg("A = X")]);
    const rec = record(t);
    await cycle([{ X: 1 }, { X: 2 }]);
    expect(t.toRows()).toEqual([{ N: 2n, A: 1.5 }]);
    await cycle([]);
    expect(t.toRows()).toEqual([]);
    await cycle([{ X: 5 }]);
    expect(t.toRows()).toEqual([{ N: 1n, A: 5 }]);
    expect(rec.updates).toEqual([
      { added: [0], removed: [], modified: [], modifiedColumns: [] },
      { added: [], removed: [0], modified: [], modifiedColumns: [] },
      { added: [0], removed: [], modified: [], modifiedColumns: [] },
    ]);
  });

  it("a changed key moves the row to its new group (aggregating an aggregation)", async () => {
    const { blink, cycle } = setup({ Id: "int32", K: "string", X: "int32" });
    const latest = blink.lastBy("Id"); // one row per Id, modified as new rows arrive
    const t = latest.aggBy([agg.sum("X"), agg.count("N"), agg.max("M = X")], "K");
    const rec = record(t);
    await cycle([
      { Id: 1, K: "a", X: 10 },
      { Id: 2, K: "a", X: 20 },
    ]);
    expect(t.toRows()).toEqual([{ K: "a", X: 30n, N: 2n, M: 20 }]);
    await cycle([{ Id: 2, K: "b", X: 5 }]);
    expect(t.toRows()).toEqual([
      { K: "a", X: 10n, N: 1n, M: 10 },
      { K: "b", X: 5n, N: 1n, M: 5 },
    ]);
    await cycle([{ Id: 1, K: "b", X: 1 }]);
    expect(t.toRows()).toEqual([{ K: "b", X: 6n, N: 2n, M: 5 }]);
    await cycle([{ Id: 1, K: "b", X: 7 }]); // same group, new value
    expect(t.toRows()).toEqual([{ K: "b", X: 12n, N: 2n, M: 7 }]);
    expect(rec.updates).toEqual([
      { added: [0], removed: [], modified: [], modifiedColumns: [] },
      { added: [1], removed: [], modified: [0], modifiedColumns: ["X", "N", "M"] },
      { added: [], removed: [0], modified: [1], modifiedColumns: ["X", "N"] },
      { added: [], removed: [], modified: [1], modifiedColumns: ["X", "M"] },
    ]);
  });

  it("state stays exact over a long ring stream (sums return to small values)", async () => {
    const { blink, cycle } = setup({ K: "int32", L: "int64", D: "float64" });
    const t = ringTable(blink, 4).aggBy([agg.sum("L"), agg.var("V = L"), agg.sum("SD = D")], "K");
    for (let i = 0; i < 20; i++) {
      await cycle([
        { K: 0, L: 2n ** 62n - BigInt(i), D: 1e15 },
        { K: 0, L: -(2n ** 61n), D: 0.25 },
      ]);
    }
    await cycle([
      { K: 0, L: 3n, D: 0.5 },
      { K: 0, L: 4n, D: 0.25 },
      { K: 0, L: 5n, D: 0.125 },
      { K: 0, L: 6n, D: 1 },
    ]);
    expect(t.toRows()).toEqual([{ K: 0, L: 18n, V: 5 / 3, SD: 1.875 }]);
  });

  it("integer sums, averages and variances count a group's nulls from the first one on, and as they leave", async () => {
    // Rows carry no null at first (non-null values are then the groups' rows); a null arrives
    // when the groups already have rows, then the ring drops it again.
    const { blink, cycle } = setup({ K: "string", X: "int32", Y: "int64" });
    const t = ringTable(blink, 4).aggBy(
      [agg.sum("SX = X", "SY = Y"), agg.avg("AX = X"), agg.var("VX = X"), agg.count("N")],
      "K",
    );
    await cycle([
      { K: "a", X: 2, Y: 5n },
      { K: "b", X: 4, Y: 1n },
      { K: "a", X: 6, Y: 7n },
    ]);
    expect(t.toRows()).toEqual([
      { K: "a", SX: 8n, SY: 12n, AX: 4, VX: 8, N: 2n },
      { K: "b", SX: 4n, SY: 1n, AX: 4, VX: Number.NaN, N: 1n },
    ]);
    // b's second row has X null: b has 2 rows, 1 value of X. (The ring drops a's X = 2.)
    await cycle([
      { K: "b", X: null, Y: 3n },
      { K: "a", X: 10, Y: null },
    ]);
    expect(t.toRows()).toEqual([
      { K: "a", SX: 16n, SY: 7n, AX: 8, VX: 8, N: 2n },
      { K: "b", SX: 4n, SY: 4n, AX: 4, VX: Number.NaN, N: 2n },
    ]);
    // Only nulls left in b's X: its sum, average and variance are null; a's Y is 7 alone.
    await cycle([
      { K: "b", X: null, Y: null },
      { K: "c", X: null, Y: null },
    ]);
    expect(t.toRows()).toEqual([
      { K: "a", SX: 10n, SY: null, AX: 10, VX: Number.NaN, N: 1n },
      { K: "b", SX: null, SY: 3n, AX: null, VX: null, N: 2n },
      { K: "c", SX: null, SY: null, AX: null, VX: null, N: 1n },
    ]);
    // b's nulls leave the ring (its values come back with its new rows); c keeps one null.
    await cycle([
      { K: "b", X: 1, Y: 2n },
      { K: "b", X: 3, Y: 2n },
      { K: "c", X: 5, Y: 6n },
    ]);
    expect(t.toRows()).toEqual([
      { K: "b", SX: 4n, SY: 4n, AX: 2, VX: 2, N: 2n },
      { K: "c", SX: 5n, SY: 6n, AX: 5, VX: Number.NaN, N: 2n },
    ]);
  });
});
