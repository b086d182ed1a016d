/**
 * Seed 002-004: `t.view("X", "Group").sumBy("Group")` over a blink table keeps summing the whole
 * observed stream; after `removeBlink()` it covers only the current cycle.
 */
import { describe, expect, it } from "vitest";
import { tablePublisher, timeTable, UpdateGraph } from "../../../src/engine/index.ts";
import { manualClock, record } from "../helpers.ts";

describe("seed: sumBy over a blink table", () => {
  it("timeTable blink with X = ii, Group = A/B: sums grow; after removeBlink they cover one cycle", async () => {
    const clock = manualClock();
    const g = new UpdateGraph({ clock: clock.now });
    const t = timeTable(g, "PT0.1s", { blink: true }).update(
      "X = ii",
      "Group = ii % 2 == 0 ? `A` : `B`",
    );
    const tSum = t.view("X", "Group").sumBy("Group");
    const tSumNoBlink = t.removeBlink().view("X", "Group").sumBy("Group");
    expect([tSum.isRefreshing, tSum.isBlink, tSum.isAppendOnly, tSum.isAddOnly]).toEqual([
      true,
      false,
      false,
      false,
    ]);
    expect(tSum.columns).toEqual({ Group: "string", X: "int64" });
    const rec = record(tSum);
    const recNoBlink = record(tSumNoBlink);

    await g.runCycle(); // the first row comes due: X = 0 in group A
    expect(tSum.toRows()).toEqual([{ Group: "A", X: 0n }]);
    expect(tSumNoBlink.toRows()).toEqual([{ Group: "A", X: 0n }]);
    const sums = [
      [6n, 4n],
      [12n, 8n],
      [18n, 12n],
    ];
    for (const [a, b] of sums) {
      clock.advance(500); // five rows per cycle: X = 0..4, groups A B A B A
      await g.runCycle();
      expect(tSum.toRows()).toEqual([
        { Group: "A", X: a },
        { Group: "B", X: b },
      ]);
      expect(tSumNoBlink.toRows()).toEqual([
        { Group: "A", X: 6n },
        { Group: "B", X: 4n },
      ]);
    }
    expect(rec.updates).toEqual([
      { added: [0], removed: [], modified: [], modifiedColumns: [] },
      { added: [1], removed: [], modified: [0], modifiedColumns: ["X"] },
      { added: [], removed: [], modified: [0, 1], modifiedColumns: ["X"] },
      { added: [], removed: [], modified: [0, 1], modifiedColumns: ["X"] },
    ]);
    // Without blink semantics the sums are the same every cycle, so only the first two cycles tick.
    expect(recNoBlink.updates).toEqual([
      { added: [0], removed: [], modified: [], modifiedColumns: [] },
      { added: [1], removed: [], modified: [0], modifiedColumns: ["X"] },
    ]);
    clock.advance(50); // no row due: the blink table empties
    await g.runCycle();
    expect(tSum.toRows()).toEqual([
      { Group: "A", X: 18n },
      { Group: "B", X: 12n },
    ]);
    expect(tSumNoBlink.toRows()).toEqual([]);
    expect(recNoBlink.updates.at(-1)).toEqual({
      added: [],
      removed: [0, 1],
      modified: [],
      modifiedColumns: [],
    });
  });

  it("publisher rows: the blink sum covers every row since creation, removeBlink only this cycle's", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { name: "p", columns: { X: "int64", Group: "string" } });
    const rows = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => ({
        X: BigInt(from + i),
        Group: (from + i) % 2 === 0 ? "A" : "B",
      }));
    pub.addRows(rows(0, 4));
    await g.runCycle();
    // Created while the blink table holds rows 0..3: those rows count.
    const tSum = blink.view("X", "Group").sumBy("Group");
    const tSumNoBlink = blink.removeBlink().view("X", "Group").sumBy("Group");
    expect(tSum.toRows()).toEqual([
      { Group: "A", X: 2n },
      { Group: "B", X: 4n },
    ]);
    pub.addRows(rows(4, 10));
    await g.runCycle();
    expect(tSum.toRows()).toEqual([
      { Group: "A", X: 20n },
      { Group: "B", X: 25n },
    ]);
    expect(tSumNoBlink.toRows()).toEqual([
      { Group: "A", X: 18n },
      { Group: "B", X: 21n },
    ]);
    pub.addRows([{ X: 100n, Group: "C" }]);
    await g.runCycle();
    expect(tSum.toRows()).toEqual([
      { Group: "A", X: 20n },
      { Group: "B", X: 25n },
      { Group: "C", X: 100n },
    ]);
    expect(tSumNoBlink.toRows()).toEqual([{ Group: "C", X: 100n }]);
    expect(tSumNoBlink.rowSet.toArray()).toEqual([2]);
  });
});
