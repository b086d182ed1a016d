/** int64 exactness: sums, averages and variances of large integers are never rounded. */
import { describe, expect, it } from "vitest";
import { agg } from "../../../src/engine/agg/index.ts";
import {
  longCol,
  newTable,
  ringTable,
  tablePublisher,
  UpdateGraph,
} from "../../../src/engine/index.ts";

describe("exact integer aggregation", () => {
  it("sums beyond 2^53 of values near 2^62 are exact bigints", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { name: "p", columns: { K: "string", L: "int64" } });
    const t = blink.aggBy(
      [agg.sum("S = L"), agg.absSum("A = L"), agg.min("Lo = L"), agg.max("Hi = L")],
      "K",
    );
    const big = 2n ** 62n - 12345n;
    pub.addRows([
      { K: "a", L: big },
      { K: "a", L: 1n },
      { K: "b", L: -big },
      { K: "b", L: 3n },
    ]);
    await g.runCycle();
    pub.addRows([
      { K: "a", L: -(2n ** 61n) - 1n },
      { K: "b", L: -7n },
    ]);
    await g.runCycle();
    expect(t.toRows()).toEqual([
      {
        K: "a",
        S: big + 1n - 2n ** 61n - 1n,
        A: big + 1n + 2n ** 61n + 1n,
        Lo: -(2n ** 61n) - 1n,
        Hi: big,
      },
      { K: "b", S: -big - 4n, A: big + 10n, Lo: -big, Hi: 3n },
    ]);
  });

  it("small values whose running sum passes 2^53 stay exact", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { name: "p", columns: { L: "int64", I: "int32" } });
    const t = blink.aggBy([agg.sum("L"), agg.sum("I"), agg.avg("A = L")]);
    const v = 2n ** 52n - 1n; // below the per-value bigint threshold
    for (let c = 0; c < 5; c++) {
      pub.addRows(Array.from({ length: 3 }, () => ({ L: v, I: 2147483647 })));
      await g.runCycle();
    }
    expect(t.toRows()).toEqual([{ L: 15n * v, I: 15n * 2147483647n, A: Number(v) }]);
  });

  it("subtracting through a ring returns to exact small sums", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { name: "p", columns: { L: "int64" } });
    const t = ringTable(blink, 2).aggBy([agg.sum("L"), agg.var("V = L")]);
    pub.addRows([{ L: 2n ** 62n }, { L: 2n ** 62n - 1n }]);
    await g.runCycle();
    expect(t.toRows()).toEqual([{ L: 2n ** 63n - 1n, V: 0.5 }]);
    pub.addRows([{ L: 1n }, { L: 2n }]);
    await g.runCycle();
    expect(t.toRows()).toEqual([{ L: 3n, V: 0.5 }]);
  });

  it("an int64 sum past the int64 range wraps, as Java's long does", () => {
    const t = newTable([longCol("L", [2n ** 63n - 1n, 1n])]);
    expect(t.sumBy().toRows()).toEqual([{ L: -(2n ** 63n) }]);
  });
});
