/** Exact per-cycle results and updates of each aggregation over blink parents. */
import { describe, expect, it } from "vitest";
import { agg } from "../../../src/engine/agg/index.ts";
import { tablePublisher, UpdateGraph } from "../../../src/engine/index.ts";
import { record } from "../helpers.ts";

function setup(columns: Record<string, string>) {
  const g = new UpdateGraph({ seed: 7 });
  const [blink, pub] = tablePublisher(g, { name: "p", columns });
  const cycle = async (rows: Record<string, unknown>[]) => {
    pub.addRows(rows);
    await g.runCycle();
  };
  return { g, blink, pub, cycle };
}

describe("aggregations over a blink table", () => {
  it("sumBy: nulls skipped, all-null group null, null key is a group; updates per cycle", async () => {
    const { blink, cycle } = setup({ K: "string", I: "int32", D: "float64" });
    const t = blink.sumBy("K");
    expect(t.columns).toEqual({ K: "string", I: "int64", D: "float64" });
    const rec = record(t);
    await cycle([
      { K: "a", I: 1, D: 0.5 },
      { K: null, I: 2, D: null },
      { K: "a", I: null, D: 1.5 },
      { K: "b", I: null, D: null },
    ]);
    expect(t.toRows()).toEqual([
      { K: "a", I: 1n, D: 2 },
      { K: null, I: 2n, D: null },
      { K: "b", I: null, D: null },
    ]);
    await cycle([
      { K: "b", I: 5, D: null },
      { K: "c", I: -1, D: -2 },
    ]);
    expect(t.toRows()).toEqual([
      { K: "a", I: 1n, D: 2 },
      { K: null, I: 2n, D: null },
      { K: "b", I: 5n, D: null },
      { K: "c", I: -1n, D: -2 },
    ]);
    await cycle([]); // the blink rows go; the sums stay
    await cycle([{ K: "a", I: null, D: 3 }]);
    expect(t.toRows()[0]).toEqual({ K: "a", I: 1n, D: 5 });
    expect(rec.updates).toEqual([
      { added: [0, 1, 2], removed: [], modified: [], modifiedColumns: [] },
      { added: [3], removed: [], modified: [2], modifiedColumns: ["I"] },
      { added: [], removed: [], modified: [0], modifiedColumns: ["D"] },
    ]);
  });

  it("zero keys: no row until the first non-empty input, then one row for good", async () => {
    const { blink, cycle } = setup({ I: "int32" });
    const t = blink.aggBy([agg.sum("S = I"), agg.count("N")]);
    const rec = record(t);
    expect(t.size).toBe(0);
    await cycle([]);
    expect(t.size).toBe(0);
    await cycle([{ I: 3 }, { I: null }]);
    expect(t.toRows()).toEqual([{ S: 3n, N: 2n }]);
    await cycle([]);
    await cycle([{ I: 4 }]);
    expect(t.toRows()).toEqual([{ S: 7n, N: 3n }]);
    expect(rec.updates).toEqual([
      { added: [0], removed: [], modified: [], modifiedColumns: [] },
      { added: [], removed: [], modified: [0], modifiedColumns: ["S", "N"] },
    ]);
  });

  it("every aggregation over the whole stream, with first the earliest row and last the latest", async () => {
    const { blink, cycle } = setup({ K: "string", I: "int32", D: "float64", S: "string" });
    const t = blink.aggBy(
      [
        agg.sum("Sum = I"),
        agg.absSum("Abs = I"),
        agg.count("N"),
        agg.min("Min = I", "MinS = S"),
        agg.max("Max = D", "MaxS = S"),
        agg.avg("Avg = I"),
        agg.first("First = I", "FirstS = S"),
        agg.last("Last = I", "LastD = D"),
        agg.std("Std = I"),
        agg.var("Var = I"),
        agg.median("Med = I", "MedS = S"),
        agg.countDistinct("Cd = I"),
      ],
      "K",
    );
    expect(t.columns).toEqual({
      K: "string",
      Sum: "int64",
      Abs: "int64",
      N: "int64",
      Min: "int32",
      MinS: "string",
      Max: "float64",
      MaxS: "string",
      Avg: "float64",
      First: "int32",
      FirstS: "string",
      Last: "int32",
      LastD: "float64",
      Std: "float64",
      Var: "float64",
      Med: "float64",
      MedS: "string",
      Cd: "int64",
    });
    await cycle([
      { K: "a", I: 4, D: 1, S: "m" },
      { K: "a", I: -2, D: null, S: "b" },
      { K: "z", I: null, D: null, S: null },
    ]);
    expect(t.toRows()).toEqual([
      {
        K: "a",
        Sum: 2n,
        Abs: 6n,
        N: 2n,
        Min: -2,
        MinS: "b",
        Max: 1,
        MaxS: "m",
        Avg: 1,
        First: 4,
        FirstS: "m",
        Last: -2,
        LastD: null,
        Std: Math.sqrt(18),
        Var: 18,
        Med: 1,
        MedS: "b",
        Cd: 2n,
      },
      {
        K: "z",
        Sum: null,
        Abs: null,
        N: 1n,
        Min: null,
        MinS: null,
        Max: null,
        MaxS: null,
        Avg: null,
        First: null,
        FirstS: null,
        Last: null,
        LastD: null,
        Std: null,
        Var: null,
        Med: null,
        MedS: null,
        Cd: 0n,
      },
    ]);
    await cycle([
      { K: "a", I: 4, D: 7, S: "c" },
      { K: "z", I: 10, D: Number.NaN, S: "q" },
    ]);
    expect(t.toRows()).toEqual([
      {
        K: "a",
        Sum: 6n,
        Abs: 10n,
        N: 3n,
        Min: -2,
        MinS: "b",
        Max: 7,
        MaxS: "m",
        Avg: 2,
        First: 4,
        FirstS: "m",
        Last: 4,
        LastD: 7,
        Std: Math.sqrt(12),
        Var: 12,
        Med: 4,
        MedS: "c",
        Cd: 2n,
      },
      {
        K: "z",
        Sum: 10n,
        Abs: 10n,
        N: 2n,
        Min: 10,
        MinS: "q",
        Max: Number.NaN,
        MaxS: "q",
        Avg: 10,
        First: null,
        FirstS: null,
        Last: 10,
        LastD: Number.NaN,
        Std: Number.NaN,
        Var: Number.NaN,
        Med: 10,
        MedS: "q",
        Cd: 1n,
      },
    ]);
  });

  it("several keys of several types, null among them, rows in first-appearance order", async () => {
    const { blink, cycle } = setup({ S: "string", C: "char", B: "bool", L: "int64", X: "float32" });
    const t = blink.aggBy([agg.sum("X"), agg.count("N")], ["S", "C"], "B", "L");
    const rec = record(t);
    await cycle([
      { S: "a", C: "x", B: true, L: 1n, X: 1.5 },
      { S: "a", C: "x", B: true, L: 2n, X: 1 },
      { S: null, C: null, B: null, L: null, X: 2 },
      { S: "a", C: "x", B: true, L: 1n, X: 0.25 },
    ]);
    await cycle([
      { S: null, C: null, B: null, L: null, X: 1 },
      { S: "a", C: "y", B: false, L: 2n ** 60n, X: null },
    ]);
    expect(t.toRows()).toEqual([
      { S: "a", C: "x", B: true, L: 1n, X: 1.75, N: 2n },
      { S: "a", C: "x", B: true, L: 2n, X: 1, N: 1n },
      { S: null, C: null, B: null, L: null, X: 3, N: 2n },
      { S: "a", C: "y", B: false, L: 2n ** 60n, X: null, N: 1n },
    ]);
    expect(rec.updates.at(-1)).toEqual({
      added: [3],
      removed: [],
      modified: [2],
      modifiedColumns: ["X", "N"],
    });
  });

  it("min, max, first, last keep the input type (char, bool, instant, int8, float32)", async () => {
    const { blink, cycle } = setup({
      K: "int8",
      C: "char",
      B: "bool",
      T: "instant",
      F: "float32",
      Y: "int16",
    });
    const t = blink.aggBy(
      [
        agg.min("MinC = C", "MinB = B", "MinT = T", "MinF = F"),
        agg.max("MaxC = C", "MaxB = B", "MaxT = T", "MaxY = Y"),
        agg.first("FirstT = T"),
        agg.last("LastB = B"),
        agg.median("MedC = C", "MedT = T", "MedY = Y"),
      ],
      "K",
    );
    expect(t.columns).toEqual({
      K: "int8",
      MinC: "char",
      MinB: "bool",
      MinT: "instant",
      MinF: "float32",
      MaxC: "char",
      MaxB: "bool",
      MaxT: "instant",
      MaxY: "int16",
      FirstT: "instant",
      LastB: "bool",
      MedC: "char",
      MedT: "instant",
      MedY: "float64",
    });
    await cycle([
      { K: -1, C: "q", B: true, T: 5n, F: 0.5, Y: 3 },
      { K: -1, C: "b", B: false, T: -(2n ** 62n), F: -1.5, Y: -300 },
    ]);
    await cycle([{ K: -1, C: "z", B: null, T: 2n ** 62n, F: null, Y: 8 }]);
    expect(t.toRows()).toEqual([
      {
        K: -1,
        MinC: "b",
        MinB: false,
        MinT: -(2n ** 62n),
        MinF: -1.5,
        MaxC: "z",
        MaxB: true,
        MaxT: 2n ** 62n,
        MaxY: 8,
        FirstT: 5n,
        LastB: null,
        MedC: "q",
        MedT: 5n,
        MedY: 3,
      },
    ]);
  });

  it("median: mean of the middle two for numbers, the lower middle otherwise; NaN wins", async () => {
    const { blink, cycle } = setup({ I: "int32", S: "string", D: "float64" });
    const t = blink.aggBy([agg.median("I", "S", "D")]);
    await cycle([
      { I: 1, S: "d", D: 1 },
      { I: 10, S: "a", D: 2 },
      { I: 4, S: "c", D: 3 },
      { I: 2, S: "b", D: 4 },
    ]);
    expect(t.toRows()).toEqual([{ I: 3, S: "b", D: 2.5 }]);
    await cycle([{ I: 7, S: null, D: Number.NaN }]);
    expect(t.toRows()).toEqual([{ I: 4, S: "b", D: Number.NaN }]);
  });

  it("float sums keep NaN and infinities apart", async () => {
    const { blink, cycle } = setup({ K: "string", D: "float64" });
    const t = blink.aggBy([agg.sum("D"), agg.avg("A = D"), agg.absSum("Abs = D")], "K");
    await cycle([
      { K: "p", D: Number.POSITIVE_INFINITY },
      { K: "p", D: 1 },
      { K: "m", D: Number.NEGATIVE_INFINITY },
      { K: "n", D: 2 },
    ]);
    expect(t.toRows()).toEqual([
      {
        K: "p",
        D: Number.POSITIVE_INFINITY,
        A: Number.POSITIVE_INFINITY,
        Abs: Number.POSITIVE_INFINITY,
      },
      {
        K: "m",
        D: Number.NEGATIVE_INFINITY,
        A: Number.NEGATIVE_INFINITY,
        Abs: Number.POSITIVE_INFINITY,
      },
      { K: "n", D: 2, A: 2, Abs: 2 },
    ]);
    await cycle([
      { K: "p", D: Number.NEGATIVE_INFINITY },
      { K: "n", D: Number.NaN },
    ]);
    expect(t.toRows()).toEqual([
      { K: "p", D: Number.NaN, A: Number.NaN, Abs: Number.POSITIVE_INFINITY },
      {
        K: "m",
        D: Number.NEGATIVE_INFINITY,
        A: Number.NEGATIVE_INFINITY,
        Abs: Number.POSITIVE_INFINITY,
      },
      { K: "n", D: Number.NaN, A: Number.NaN, Abs: Number.NaN },
    ]);
  });

  it("the *By shorthands aggregate every non-key column and keep the names", async () => {
    const { blink, cycle } = setup({ K: "string", I: "int32", D: "float64" });
    const tables = {
      sum: blink.sumBy("K"),
      absSum: blink.absSumBy(["K"]),
      avg: blink.avgBy("K"),
      min: blink.minBy("K"),
      max: blink.maxBy("K"),
      first: blink.firstBy("K"),
      last: blink.lastBy("K"),
      std: blink.stdBy("K"),
      var: blink.varBy("K"),
      median: blink.medianBy("K"),
      count: blink.countBy("Rows", "K"),
    };
    await cycle([
      { K: "a", I: 2, D: -1 },
      { K: "a", I: -6, D: 3 },
    ]);
    const row = (name: keyof typeof tables) => tables[name].toRows()[0];
    expect(row("sum")).toEqual({ K: "a", I: -4n, D: 2 });
    expect(row("absSum")).toEqual({ K: "a", I: 8n, D: 4 });
    expect(row("avg")).toEqual({ K: "a", I: -2, D: 1 });
    expect(row("min")).toEqual({ K: "a", I: -6, D: -1 });
    expect(row("max")).toEqual({ K: "a", I: 2, D: 3 });
    expect(row("first")).toEqual({ K: "a", I: 2, D: -1 });
    expect(row("last")).toEqual({ K: "a", I: -6, D: 3 });
    expect(row("var")).toEqual({ K: "a", I: 32, D: 8 });
    expect(row("std")).toEqual({ K: "a", I: Math.sqrt(32), D: Math.sqrt(8) });
    expect(row("median")).toEqual({ K: "a", I: -2, D: 1 });
    expect(row("count")).toEqual({ K: "a", Rows: 2n });
    // Made now, over the rows the blink table holds: they count.
    expect(blink.view("I").sumBy().toRows()).toEqual([{ I: -4n }]);
    expect(() => blink.sumBy()).toThrow(
      'sumBy: agg.sum does not support column "K" of type string',
    );
  });

  it("a failing parent fails the aggregation and its listeners hear of it", async () => {
    const { blink, pub, cycle } = setup({ K: "string", I: "int32" });
    const t = blink.sumBy("K");
    await cycle([{ K: "a", I: 1 }]);
    const rec = record(t);
    const err = new Error("boom");
    pub.publishFailure(err);
    await cycle([]);
    expect(t.isFailed).toBe(true);
    expect(rec.failures).toEqual([err]);
  });
  it("lastBy/firstBy over many groups: a group is modified only where its value changed (nulls, strings, equal values)", async () => {
    const { blink, cycle } = setup({ K: "int32", D: "float64", S: "string", B: "bool" });
    const last = blink.lastBy("K");
    const first = blink.firstBy("K");
    const rl = record(last);
    const rf = record(first);
    await cycle([
      { K: 0, D: 1, S: "a", B: true },
      { K: 1, D: null, S: null, B: null },
      { K: 2, D: 2, S: "b", B: false },
      { K: 0, D: 3, S: "c", B: false },
    ]);
    // K=0: D 3 -> 3 (same), S "c" -> "c" (same), B false -> true; K=1: D null -> 4, S stays
    // null; K=2: D 2 -> null, S "b" -> "b"; K=3 new.
    await cycle([
      { K: 3, D: 5, S: "d", B: true },
      { K: 1, D: 4, S: null, B: null },
      { K: 0, D: 3, S: "c", B: true },
      { K: 2, D: null, S: "b", B: false },
    ]);
    // Every value as it was: no modification.
    await cycle([
      { K: 2, D: null, S: "b", B: false },
      { K: 0, D: 3, S: "c", B: true },
    ]);
    expect(last.toRows()).toEqual([
      { K: 0, D: 3, S: "c", B: true },
      { K: 1, D: 4, S: null, B: null },
      { K: 2, D: null, S: "b", B: false },
      { K: 3, D: 5, S: "d", B: true },
    ]);
    expect(rl.updates).toEqual([
      { added: [0, 1, 2], removed: [], modified: [], modifiedColumns: [] },
      { added: [3], removed: [], modified: [0, 1, 2], modifiedColumns: ["D", "B"] },
    ]);
    expect(first.toRows()).toEqual([
      { K: 0, D: 1, S: "a", B: true },
      { K: 1, D: null, S: null, B: null },
      { K: 2, D: 2, S: "b", B: false },
      { K: 3, D: 5, S: "d", B: true },
    ]);
    expect(rf.updates).toEqual([
      { added: [0, 1, 2], removed: [], modified: [], modifiedColumns: [] },
      { added: [3], removed: [], modified: [], modifiedColumns: [] },
    ]);
  });
});
