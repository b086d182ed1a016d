/**
 * Formula columns store values by row key; over a sparse key space (an incremental sort) they
 * would take a page per row, so `update`/`select` there are refused with the fix in the message,
 * at construction or at the cycle that would write them, instead of exhausting memory.
 */
import { describe, expect, it } from "vitest";
import {
  intCol,
  newTable,
  ringTable,
  tablePublisher,
  UnsupportedOperationError,
  UpdateGraph,
} from "../../src/engine/index.ts";

function ringOf(g: UpdateGraph) {
  const [blink, pub] = tablePublisher(g, { name: "t", columns: { X: "int32" } });
  return { ring: ringTable(blink, 5000), pub };
}
const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ X: (i * 7919) % 1000 }));

describe("formula columns over sparse row keys", () => {
  it("fail the result at the cycle that would write a page per row, naming the fix", async () => {
    const g = new UpdateGraph();
    const { ring, pub } = ringOf(g);
    const after = ring.sort("X").update("Y = X * 2");
    const before = ring.update("Y = X * 2").sort("X");
    pub.addRows(rows(2000));
    await g.runCycle();
    expect(after.isFailed).toBe(true);
    expect(after.failure).toBeInstanceOf(UnsupportedOperationError);
    expect(String((after.failure as Error).message)).toMatch(
      /^update: formula columns over these 2000 rows would take \d+ pages of 4096 slots: the parent's row keys are sparse .*compute formula columns before the sort or join, e\.g\. t\.update\(\.\.\.\)\.sort\(\.\.\.\)$/,
    );
    expect(before.isFailed).toBe(false);
    expect(before.size).toBe(2000);
    const ys = before.toRows().map((r) => r.Y as number);
    expect(ys).toEqual([...ys].sort((a, b) => a - b));
  });

  it("are refused at construction over an existing sparse table", async () => {
    const g = new UpdateGraph();
    const { ring, pub } = ringOf(g);
    const sorted = ring.sort("X");
    pub.addRows(rows(2000));
    await g.runCycle();
    expect(() => sorted.select("Y = X + 1")).toThrow(UnsupportedOperationError);
    // Bare column references share storage and are fine.
    expect(sorted.view("X").size).toBe(2000);
  });

  it("leave small sorted views and dense parents alone", async () => {
    const g = new UpdateGraph();
    const { ring, pub } = ringOf(g);
    const small = ring.sort("X").update("Y = X * 2");
    pub.addRows(rows(20));
    await g.runCycle();
    expect(small.isFailed).toBe(false);
    expect(small.size).toBe(20);
    const dense = newTable([intCol("X", [3, 1, 2])])
      .sort("X")
      .update("Y = X * 2");
    expect(dense.toRows()).toEqual([
      { X: 1, Y: 2 },
      { X: 2, Y: 4 },
      { X: 3, Y: 6 },
    ]);
  });
});
