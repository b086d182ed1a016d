/**
 * groupBy and agg.group: array columns of each group's values in row-key order, exact and
 * incremental over static, append-only, add-only, ring and modifying parents.
 */
import { describe, expect, it } from "vitest";
import { agg } from "../../../src/engine/agg/index.ts";
import {
  arrayCol,
  blinkToAppendOnly,
  boolCol,
  charCol,
  doubleCol,
  instantCol,
  intCol,
  longCol,
  merge,
  newTable,
  ringTable,
  stringCol,
  tablePublisher,
  UnsupportedOperationError,
  UpdateGraph,
} from "../../../src/engine/index.ts";
import { record } from "../helpers.ts";

const COLUMNS = { K: "string", J: "int32", X: "int32", S: "string" } as const;

function publisher() {
  const g = new UpdateGraph();
  const [blink, pub] = tablePublisher(g, { name: "p", columns: COLUMNS });
  const add = (...rows: [string | null, number, number | null, string | null][]) =>
    pub.addRows(rows.map(([K, J, X, S]) => ({ K, J, X, S })));
  return { g, blink, pub, add };
}

describe("groupBy over static tables", () => {
  const t = newTable([
    stringCol("K", ["a", "b", "a", null, "b", "a"]),
    intCol("J", [1, 1, 2, 1, 1, 1]),
    longCol("L", [1n, 2n ** 62n, null, 4n, 5n, 6n]),
    doubleCol("D", [0.5, Number.NaN, 1, null, 2, 3]),
    boolCol("B", [true, false, null, true, true, false]),
    charCol("C", ["x", "y", "z", null, "w", "v"]),
    instantCol("T", [1n, 2n, 3n, 4n, 5n, null]),
  ]);

  it("one key: every other column becomes an array of the group's values, nulls included", () => {
    const r = t.groupBy("K");
    expect(r.isRefreshing).toBe(false);
    expect(r.columns).toEqual({
      K: "string",
      J: "int32[]",
      L: "int64[]",
      D: "float64[]",
      B: "bool[]",
      C: "char[]",
      T: "instant[]",
    });
    expect(r.toRows()).toEqual([
      {
        K: "a",
        J: [1, 2, 1],
        L: [1n, null, 6n],
        D: [0.5, 1, 3],
        B: [true, null, false],
        C: ["x", "z", "v"],
        T: [1n, 3n, null],
      },
      {
        K: "b",
        J: [1, 1],
        L: [2n ** 62n, 5n],
        D: [Number.NaN, 2],
        B: [false, true],
        C: ["y", "w"],
        T: [2n, 5n],
      },
      { K: null, J: [1], L: [4n], D: [null], B: [true], C: [null], T: [4n] },
    ]);
  });

  it("zero keys give one row of whole columns; several keys group by the tuple", () => {
    const v = t.view("K", "J", "C");
    expect(v.groupBy().toRows()).toEqual([
      {
        K: ["a", "b", "a", null, "b", "a"],
        J: [1, 1, 2, 1, 1, 1],
        C: ["x", "y", "z", null, "w", "v"],
      },
    ]);
    expect(v.groupBy("K", "J").toRows()).toEqual([
      { K: "a", J: 1, C: ["x", "v"] },
      { K: "b", J: 1, C: ["y", "w"] },
      { K: "a", J: 2, C: ["z"] },
      { K: null, J: 1, C: [null] },
    ]);
    expect(v.groupBy(["J", "K", "C"]).size).toBe(6); // every column a key: the distinct tuples
    expect(
      newTable([intCol("X", [])])
        .groupBy()
        .toRows(),
    ).toEqual([]);
  });

  it("agg.group mixes with other aggregations, renames its output and keeps its input type", () => {
    const r = t.aggBy(
      [agg.group("Js = J", "Cs = C"), agg.sum("Sum = J"), agg.count("N"), agg.last("L")],
      "K",
    );
    expect(r.columns).toEqual({
      K: "string",
      Js: "int32[]",
      Cs: "char[]",
      Sum: "int64",
      N: "int64",
      L: "int64",
    });
    expect(r.toRows()[0]).toEqual({
      K: "a",
      Js: [1, 2, 1],
      Cs: ["x", "z", "v"],
      Sum: 4n,
      N: 3n,
      L: 6n,
    });
  });

  it("array columns: first and last take them; group keys and other aggregations refuse them", () => {
    const g = t.view("K", "J").groupBy("K");
    expect(g.lastBy().toRows()).toEqual([{ K: null, J: [1] }]);
    expect(g.aggBy([agg.first("F = J"), agg.count("N")]).toRows()).toEqual([
      { F: [1, 2, 1], N: 3n },
    ]);
    expect(() => g.groupBy("J")).toThrow("array columns cannot be group keys");
    expect(() => g.countBy("N", "J")).toThrow("array columns cannot be group keys");
    expect(() => g.aggBy([agg.group("J")])).toThrow("arrays of arrays are not supported");
    expect(() => g.aggBy([agg.countDistinct("J")])).toThrow(
      'agg.countDistinct does not support column "J"',
    );
  });
});

describe("groupBy and agg.group on blink tables", () => {
  it("throw the blink-unsupported error; removeBlink groups the current cycle", async () => {
    const { g, blink, add } = publisher();
    const msg = (op: string) =>
      `Blink tables do not support ${op}; use blinkToAppendOnly to accumulate full history`;
    expect(() => blink.groupBy("K")).toThrow(UnsupportedOperationError);
    expect(() => blink.groupBy("K")).toThrow(msg("groupBy"));
    expect(() => blink.groupBy()).toThrow(msg("groupBy"));
    expect(() => blink.aggBy([agg.sum("X"), agg.group("Xs = X")], "K")).toThrow(msg("agg.group"));
    expect(() => blink.partitionedAggBy([agg.group("Xs = X")], "K")).toThrow(
      "Blink tables do not support partitionedAggBy",
    );
    const current = blink.removeBlink().view("K", "X").groupBy("K");
    add(["a", 1, 1, null], ["b", 1, 2, null], ["a", 1, 3, null]);
    await g.runCycle();
    expect(current.toRows()).toEqual([
      { K: "a", X: [1, 3] },
      { K: "b", X: [2] },
    ]);
    add(["b", 1, 4, null]);
    await g.runCycle();
    expect(current.toRows()).toEqual([{ K: "b", X: [4] }]);
  });
});

describe("groupBy over an append-only parent", () => {
  it("appends to the groups a cycle touched: added for new groups, modified for grown ones", async () => {
    const { g, blink, add } = publisher();
    const history = blinkToAppendOnly(blink);
    const r = history.groupBy("K");
    expect([r.isRefreshing, r.isBlink, r.isAppendOnly, r.isAddOnly]).toEqual([
      true,
      false,
      false,
      false,
    ]);
    const rec = record(r);
    add(["a", 1, 1, "p"], ["b", 2, null, "q"]);
    await g.runCycle();
    expect(r.toRows()).toEqual([
      { K: "a", J: [1], X: [1], S: ["p"] },
      { K: "b", J: [2], X: [null], S: ["q"] },
    ]);
    expect(rec.updates.at(-1)).toEqual({
      added: [0, 1],
      removed: [],
      modified: [],
      modifiedColumns: [],
    });
    const bBefore = r.getValue("X", 1);
    const aBefore = r.getValue("X", 0);
    let prevA: unknown = null;
    r.listen((u) => {
      if (u.modified.contains(0)) prevA = r.column("X").getPrev(0);
    });
    add(["a", 3, 5, null], ["c", 4, 6, "r"], ["a", 5, 7, "s"]);
    await g.runCycle();
    expect(r.toRows()).toEqual([
      { K: "a", J: [1, 3, 5], X: [1, 5, 7], S: ["p", null, "s"] },
      { K: "b", J: [2], X: [null], S: ["q"] },
      { K: "c", J: [4], X: [6], S: ["r"] },
    ]);
    expect(rec.updates.at(-1)).toEqual({
      added: [2],
      removed: [],
      modified: [0],
      modifiedColumns: ["J", "X", "S"],
    });
    expect(r.getValue("X", 1)).toBe(bBefore); // untouched groups keep their cell
    expect(aBefore).toEqual([1]); // a cell never changes once written
    expect(prevA).toBe(aBefore); // the previous value during the cycle is the old array
    expect(Object.isFrozen(r.getValue("X", 0))).toBe(true);
    const n = rec.updates.length;
    await g.runCycle(); // nothing new
    expect(rec.updates.length).toBe(n);
  });

  it("agg.group next to other aggregations reports exactly the columns that changed", async () => {
    const { g, blink, add } = publisher();
    const r = blinkToAppendOnly(blink).aggBy(
      [agg.group("Xs = X"), agg.max("Hi = X"), agg.last("S")],
      "K",
    );
    const rec = record(r);
    add(["a", 0, 5, "p"]);
    await g.runCycle();
    add(["a", 0, 1, "p"]);
    await g.runCycle();
    expect(r.toRows()).toEqual([{ K: "a", Xs: [5, 1], Hi: 5, S: "p" }]);
    expect(rec.updates.at(-1)).toEqual({
      added: [],
      removed: [],
      modified: [0],
      modifiedColumns: ["Xs"],
    });
  });
});

describe("groupBy over an add-only parent whose rows arrive at any key", () => {
  it("keeps each group in row-key order when later rows land before earlier ones", async () => {
    const { g, blink, add } = publisher();
    const history = blinkToAppendOnly(blink);
    const lows = history.where("X < 100");
    const highs = history.where("X >= 100");
    const both = merge(lows, highs); // lows own the lower key slice
    expect(both.isAddOnly).toBe(true);
    expect(both.isAppendOnly).toBe(false);
    const r = both.view("K", "X").groupBy("K");
    const rec = record(r);
    add(["a", 0, 100, null], ["a", 0, 1, null]);
    await g.runCycle();
    expect(r.toRows()).toEqual([{ K: "a", X: [1, 100] }]);
    add(["a", 0, 200, null], ["b", 0, 300, null], ["a", 0, 2, null], ["a", 0, 3, null]);
    await g.runCycle();
    expect(r.toRows()).toEqual([
      { K: "a", X: [1, 2, 3, 100, 200] },
      { K: "b", X: [300] },
    ]);
    expect(rec.updates.at(-1)).toEqual({
      added: [1],
      removed: [],
      modified: [0],
      modifiedColumns: ["X"],
    });
    expect(r.toRows()).toEqual(both.snapshot().view("K", "X").groupBy("K").toRows());
  });
});

describe("groupBy over a ring", () => {
  it("evictions shrink groups and remove emptied ones", async () => {
    const { g, blink, add } = publisher();
    const ring = ringTable(blink, 3);
    const r = ring.view("K", "X").groupBy("K");
    const rec = record(r);
    add(["a", 0, 1, null], ["b", 0, 2, null], ["a", 0, 3, null]);
    await g.runCycle();
    expect(r.toRows()).toEqual([
      { K: "a", X: [1, 3] },
      { K: "b", X: [2] },
    ]);
    add(["c", 0, 4, null]); // evicts a:1
    await g.runCycle();
    expect(r.toRows()).toEqual([
      { K: "a", X: [3] },
      { K: "b", X: [2] },
      { K: "c", X: [4] },
    ]);
    expect(rec.updates.at(-1)).toEqual({
      added: [2],
      removed: [],
      modified: [0],
      modifiedColumns: ["X"],
    });
    add(["a", 0, 5, null], ["c", 0, 6, null]); // evicts b:2 and a:3
    await g.runCycle();
    expect(r.toRows()).toEqual([
      { K: "a", X: [5] },
      { K: "c", X: [4, 6] },
    ]);
    expect(rec.updates.at(-1)).toEqual({
      added: [],
      removed: [1],
      modified: [0, 2],
      modifiedColumns: ["X"],
    });
    add(["b", 0, 7, null], ["b", 0, 8, null], ["b", 0, 9, null]); // the ring is all b
    await g.runCycle();
    expect(r.toRows()).toEqual([{ K: "b", X: [7, 8, 9] }]);
    expect(rec.updates.at(-1)).toEqual({
      added: [1],
      removed: [0, 2],
      modified: [],
      modifiedColumns: [],
    });
  });

  it("agg.group over a ring next to other aggregations; unchanged groups are not modified", async () => {
    const { g, blink, add } = publisher();
    const r = ringTable(blink, 4).aggBy(
      [agg.group("Xs = X", "Ss = S"), agg.sum("Sum = X"), agg.count("N"), agg.first("F = X")],
      "K",
    );
    const rec = record(r);
    add(["a", 0, 1, "p"], ["b", 0, 2, "q"], ["a", 0, 3, null], ["b", 0, 4, "r"]);
    await g.runCycle();
    add(["b", 0, 5, "s"]); // evicts a:1
    await g.runCycle();
    expect(r.toRows()).toEqual([
      { K: "a", Xs: [3], Ss: [null], Sum: 3n, N: 1n, F: 3 },
      { K: "b", Xs: [2, 4, 5], Ss: ["q", "r", "s"], Sum: 11n, N: 3n, F: 2 },
    ]);
    expect(rec.updates.at(-1)).toEqual({
      added: [],
      removed: [],
      modified: [0, 1],
      modifiedColumns: ["Xs", "Ss", "Sum", "N", "F"],
    });
  });

  it("follows modified rows, including rows whose key changes", async () => {
    const { g, blink, add } = publisher();
    // lastBy("J") over a ring modifies its rows (and their K) as new rows for a J arrive.
    const latest = ringTable(blink, 10).lastBy("J");
    const r = latest.view("K", "X").groupBy("K");
    const rec = record(r);
    add(["a", 1, 10, null], ["a", 2, 20, null], ["b", 3, 30, null]);
    await g.runCycle();
    expect(r.toRows()).toEqual([
      { K: "a", X: [10, 20] },
      { K: "b", X: [30] },
    ]);
    add(["b", 1, 11, null]); // J=1 moves from group a to group b
    await g.runCycle();
    expect(r.toRows()).toEqual([
      { K: "a", X: [20] },
      { K: "b", X: [11, 30] },
    ]);
    expect(rec.updates.at(-1)).toEqual({
      added: [],
      removed: [],
      modified: [0, 1],
      modifiedColumns: ["X"],
    });
    const n = rec.updates.length;
    const cell = r.getValue("X", 0);
    add(["a", 2, 20, null]); // same values again: the group's array does not change
    await g.runCycle();
    expect(r.getValue("X", 0)).toBe(cell);
    expect(r.toRows()).toEqual([
      { K: "a", X: [20] },
      { K: "b", X: [11, 30] },
    ]);
    expect(rec.updates.slice(n).every((u) => u.modified.length === 0)).toBe(true);
  });
});

describe("partitionedAggBy and arrays", () => {
  it("agg.group works in partitionedAggBy; array constituents columns pass through", async () => {
    const t = newTable([
      stringCol("K", ["a", "b", "a"]),
      arrayCol("Xs", "int32", [[1], [2, 3], []]),
      intCol("X", [1, 2, 3]),
    ]);
    const p = t.partitionedAggBy([agg.group("All = X")], "K");
    expect(p.table.toRows()).toEqual([
      { K: "a", All: [1, 3], Constituent: 0 },
      { K: "b", All: [2], Constituent: 1 },
    ]);
    expect(p.constituentFor("a")!.toRows()).toEqual([
      { K: "a", Xs: [1], X: 1 },
      { K: "a", Xs: [], X: 3 },
    ]);
  });
});
