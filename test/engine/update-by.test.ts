/**
 * updateBy: exact tables per cycle for each op's documented cases (window edges, negative and
 * forward windows, time windows with rows exactly on the edge, nulls and NaN, int64 exactness,
 * groups appearing mid-stream, blink carry-over, recomputation over a standard parent), errors,
 * attributes and the spec language. The recompute harness (nuggets/update-by.nugget.ts) checks
 * random cycles over every parent type.
 */
import { describe, expect, it } from "vitest";
import { SpecError } from "../../src/engine/family/chain-parser.ts";
import { buildFamily } from "../../src/engine/family/family.ts";
import type { Table } from "../../src/engine/index.ts";
import {
  ArgumentError,
  blinkToAppendOnly,
  DynamicTableWriter,
  doubleCol,
  instantCol,
  intCol,
  longCol,
  mirrorTable,
  newTable,
  RowSet,
  stringCol,
  tablePublisher,
  UnsupportedOperationError,
  UpdateGraph,
  updateby,
} from "../../src/engine/index.ts";
import { vecFromValues } from "../../src/engine/new-table.ts";
import { colValues, record } from "./helpers.ts";

const NaN_ = Number.NaN;
const S = 1_000_000_000n;

describe("updateBy cumulative ops", () => {
  const t = newTable([
    stringCol("Sym", ["a", "b", "a", "a", "b", "a"]),
    intCol("X", [1, 5, null, 3, -2, 4]),
    doubleCol("P", [1.5, NaN_, 2, null, 1, -1]),
  ]);

  it("cumSum / cumProd / cumMin / cumMax per group: nulls skipped, NaN propagates (sum) and sorts above (max)", () => {
    const r = t.updateBy(
      [
        updateby.cumSum("SX = X, SP = P"),
        updateby.cumProd("PX = X"),
        updateby.cumMin("MinX = X, MinP = P"),
        updateby.cumMax("MaxP = P"),
      ],
      "Sym",
    );
    expect(r.columns).toMatchObject({
      SX: "int64",
      SP: "float64",
      PX: "int64",
      MinX: "int32",
      MaxP: "float64",
    });
    expect(colValues(r, "SX")).toEqual([1n, 5n, 1n, 4n, 3n, 8n]);
    expect(colValues(r, "SP")).toEqual([1.5, NaN_, 3.5, 3.5, NaN_, 2.5]);
    expect(colValues(r, "PX")).toEqual([1n, 5n, 1n, 3n, -10n, 12n]);
    expect(colValues(r, "MinX")).toEqual([1, 5, 1, 1, -2, 1]);
    expect(colValues(r, "MinP")).toEqual([1.5, NaN_, 1.5, 1.5, 1, -1]);
    expect(colValues(r, "MaxP")).toEqual([1.5, NaN_, 2, 2, NaN_, 2]);
  });

  it("delta keeps the type and is null on a group's first row and next to a null; forwardFill", () => {
    const r = t.updateBy(
      [updateby.delta("DX = X, DP = P"), updateby.forwardFill("FX = X, FP = P")],
      "Sym",
    );
    expect(r.columns).toMatchObject({ DX: "int32", DP: "float64", FX: "int32" });
    expect(colValues(r, "DX")).toEqual([null, null, null, null, -7, 1]);
    expect(colValues(r, "DP")).toEqual([null, null, 0.5, null, NaN_, null]);
    expect(colValues(r, "FX")).toEqual([1, 5, 1, 3, -2, 4]);
    expect(colValues(r, "FP")).toEqual([1.5, NaN_, 2, 2, 1, -1]);
  });

  it("no by: one group; a bare name replaces the column in place", () => {
    const r = t.updateBy(updateby.cumSum("X"));
    expect(r.columnNames).toEqual(["Sym", "X", "P"]);
    expect(r.columns.X).toBe("int64");
    expect(colValues(r, "X")).toEqual([1n, 6n, 6n, 9n, 7n, 11n]);
  });

  it("integer sums, products and deltas are exact int64 and wrap like int64 arithmetic", () => {
    const big = 2n ** 53n + 1n;
    const max = 2n ** 63n - 1n;
    const u = newTable([
      longCol("L", [big, big, 1n, max, 1n]),
      intCol("I", [2147483647, -1, 2, 3, 4]),
    ]);
    const r = u.updateBy([
      updateby.cumSum("SL = L"),
      updateby.delta("DL = L, DI = I"),
      updateby.cumProd("PI = I"),
      updateby.cumMax("ML = L"),
    ]);
    expect(colValues(r, "SL")).toEqual([
      big,
      2n * big,
      2n * big + 1n,
      BigInt.asIntN(64, 2n * big + 1n + max),
      BigInt.asIntN(64, 2n * big + 2n + max),
    ]);
    expect(colValues(r, "DL")).toEqual([null, 0n, 1n - big, max - 1n, BigInt.asIntN(64, 1n - max)]);
    expect(colValues(r, "DI")).toEqual([null, -2147483648, 3, 1, 1]);
    expect(colValues(r, "PI")).toEqual([
      2147483647n,
      -2147483647n,
      -4294967294n,
      -12884901882n,
      -51539607528n,
    ]);
    expect(colValues(r, "ML")).toEqual([big, big, big, max, max]);
    const p = newTable([longCol("L", [2n ** 40n, 2n ** 40n, 2n])]).updateBy(updateby.cumProd("L"));
    expect(colValues(p, "L")).toEqual([2n ** 40n, 2n ** 80n % 2n ** 64n, 0n]);
  });
});

describe("updateBy EMAs", () => {
  it("emaTick: a = exp(-1 / decayTicks); nulls and NaN leave it unchanged", () => {
    const t = newTable([doubleCol("P", [null, 10, NaN_, 20, null, 40])]);
    const a = Math.exp(-1 / 2);
    const e2 = a * 10 + (1 - a) * 20;
    const e3 = a * e2 + (1 - a) * 40;
    expect(colValues(t.updateBy(updateby.emaTick(2, "E = P")), "E")).toEqual([
      null,
      10,
      10,
      e2,
      e2,
      e3,
    ]);
  });

  it("emaTime: a = exp(-dt / decayTime); equal stamps give dt = 0; a null stamp outputs null", () => {
    const t = newTable([
      instantCol("Ts", [0n, S, S, null, 3n * S, 4n * S]),
      doubleCol("P", [1, 2, 5, 7, null, 3]),
    ]);
    const a1 = Math.exp(-1);
    const e1 = a1 * 1 + (1 - a1) * 2;
    const e2 = 1 * e1 + 0 * 5;
    const a3 = Math.exp(-3);
    const e3 = a3 * e2 + (1 - a3) * 3;
    expect(colValues(t.updateBy(updateby.emaTime("Ts", "PT1S", "E = P")), "E")).toEqual([
      1,
      e1,
      e2,
      null,
      e2,
      e3,
    ]);
    expect(colValues(t.updateBy(updateby.emaTime("Ts", S, "E = P")), "E")).toEqual([
      1,
      e1,
      e2,
      null,
      e2,
      e3,
    ]);
  });

  it("emaTime fails on stamps that go back within a group", () => {
    const t = newTable([instantCol("Ts", [2n, 1n]), doubleCol("P", [1, 2])]);
    expect(() => t.updateBy(updateby.emaTime("Ts", 1n, "P"))).toThrow(
      /timestamps of "Ts" must not decrease within a group/,
    );
  });
});

describe("updateBy rolling windows by ticks", () => {
  const t = newTable([intCol("X", [1, 2, null, 4, 8])]);
  const roll = (
    kind: "Sum" | "Count" | "Avg" | "Min" | "Max" | "Product" | "Std",
    rev: number,
    fwd = 0,
  ) => colValues(t.updateBy(updateby[`rolling${kind}Tick`]("R = X", rev, fwd)), "R");

  it("revTicks counts the current row; nulls count as rows but not values; empty windows", () => {
    expect(roll("Sum", 1)).toEqual([1n, 2n, null, 4n, 8n]);
    expect(roll("Count", 1)).toEqual([1n, 1n, 0n, 1n, 1n]);
    expect(roll("Sum", 3)).toEqual([1n, 3n, 3n, 6n, 12n]);
    expect(roll("Avg", 3)).toEqual([1, 1.5, 1.5, 3, 6]);
    expect(roll("Min", 2)).toEqual([1, 1, 2, 4, 4]);
    expect(roll("Max", 2)).toEqual([1, 2, 2, 4, 8]);
    expect(roll("Product", 3)).toEqual([1, 2, 2, 8, 32]);
    expect(roll("Std", 2)).toEqual([NaN_, Math.SQRT1_2, NaN_, NaN_, Math.sqrt(8)]);
  });

  it("forward windows and windows that leave out the current row", () => {
    expect(roll("Sum", 2, 1)).toEqual([3n, 3n, 6n, 12n, 12n]);
    expect(roll("Sum", 0, 1)).toEqual([2n, null, 4n, 8n, null]);
    expect(roll("Count", 0, 1)).toEqual([1n, 0n, 1n, 1n, 0n]);
    expect(roll("Sum", -1, 3)).toEqual([4n, 12n, 8n, null, null]);
    expect(roll("Sum", 3, -1)).toEqual([null, 1n, 3n, 2n, 4n]);
  });

  it("float windows: NaN gives NaN, an infinity leaves the window when its row does", () => {
    const f = newTable([doubleCol("P", [1, Number.POSITIVE_INFINITY, 2, NaN_, 3, 4])]);
    expect(colValues(f.updateBy(updateby.rollingSumTick("R = P", 2)), "R")).toEqual([
      1,
      Number.POSITIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      NaN_,
      NaN_,
      7,
    ]);
  });
});

describe("updateBy rolling windows by time", () => {
  const t = newTable([
    instantCol("Ts", [0n, S, 2n * S, 2n * S, null, 4n * S]),
    intCol("X", [1, 2, 4, 8, 16, 32]),
  ]);
  const roll = (kind: "Sum" | "Count", rev: string | bigint, fwd: string | bigint = 0n) =>
    colValues(t.updateBy(updateby[`rolling${kind}Time`]("Ts", "R = X", rev, fwd)), "R");

  it("both ends included; with fwdTime 0 a window ends at its row; a null stamp outputs null", () => {
    expect(roll("Sum", "PT1S")).toEqual([1n, 3n, 6n, 14n, null, 32n]);
    expect(roll("Count", "PT1S")).toEqual([1n, 2n, 2n, 3n, null, 1n]);
    expect(roll("Sum", "PT0S")).toEqual([1n, 2n, 4n, 12n, null, 32n]);
    expect(roll("Sum", "PT2S", "PT0S")).toEqual([1n, 3n, 7n, 15n, null, 44n]);
  });

  it("forward time windows see later rows, ties included", () => {
    expect(roll("Sum", 0n, "PT1S")).toEqual([3n, 14n, 12n, 12n, null, 32n]);
    expect(roll("Count", "-PT1S", "PT2S")).toEqual([3n, 2n, 1n, 1n, null, 0n]);
  });
});

describe("updateBy on refreshing parents", () => {
  const COLS = { Sym: "string", X: "int64" } as const;

  it("over a blink parent every op carries its state across cycles per group", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { name: "s", columns: COLS });
    const r = blink.updateBy(
      [updateby.cumSum("S = X"), updateby.rollingAvgTick("A = X", 2), updateby.delta("D = X")],
      "Sym",
    );
    expect(r.isBlink).toBe(true);
    pub.addRows([
      { Sym: "a", X: 1n },
      { Sym: "a", X: 3n },
    ]);
    await g.runCycle();
    expect(r.toRows()).toEqual([
      { Sym: "a", X: 1n, S: 1n, A: 1, D: null },
      { Sym: "a", X: 3n, S: 4n, A: 2, D: 2n },
    ]);
    pub.addRows([
      { Sym: "b", X: 10n },
      { Sym: "a", X: 5n },
    ]);
    await g.runCycle();
    expect(r.toRows()).toEqual([
      { Sym: "b", X: 10n, S: 10n, A: 10, D: null },
      { Sym: "a", X: 5n, S: 9n, A: 4, D: 2n },
    ]);
    await g.runCycle();
    expect(r.size).toBe(0);
    pub.addRows([{ Sym: "a", X: 0n }]);
    await g.runCycle();
    expect(r.toRows()).toEqual([{ Sym: "a", X: 0n, S: 9n, A: 2.5, D: -5n }]);
  });

  it("rolling min, max and product over a blink parent span cycles: -0 before 0, NaN above all, IEEE signs", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { name: "s", columns: { P: "float64" } });
    const r = blink.updateBy([
      updateby.rollingMinTick("Lo = P", 3),
      updateby.rollingMaxTick("Hi = P", 3),
      updateby.rollingProductTick("Pr = P", 3),
    ]);
    const INF = Number.POSITIVE_INFINITY;
    const cycles = [
      [2, -0, 0],
      [NaN_, 4, null],
      [-1.5, INF, 3],
      [null, null, null],
    ];
    const got: unknown[] = [];
    for (const c of cycles) {
      pub.addRows(c.map((P) => ({ P })));
      await g.runCycle();
      for (const row of r.toRows()) got.push([row.Lo, row.Hi, row.Pr]);
    }
    expect(got).toEqual([
      [2, 2, 2],
      [-0, 2, -0],
      [-0, 2, -0],
      [-0, NaN_, NaN_],
      [0, NaN_, NaN_],
      [4, NaN_, NaN_],
      [-1.5, 4, -6],
      [-1.5, INF, -INF],
      [-1.5, INF, -INF],
      [3, INF, INF],
      [3, 3, 3],
      [null, null, null],
    ]);
    expect(Object.is(got[2] && (got[2] as number[])[0], -0)).toBe(true);
    expect(Object.is((got[4] as number[])[0], 0)).toBe(true);
  });

  it("over an append-only parent new rows continue their groups; the result stays append-only", async () => {
    const g = new UpdateGraph();
    const w = new DynamicTableWriter(g, COLS);
    const r = w.table.updateBy(updateby.cumSum("S = X"), "Sym");
    expect(r.isAppendOnly).toBe(true);
    const rec = record(r);
    w.writeRow("a", 1n);
    await g.runCycle();
    w.writeRow("b", 2n);
    w.writeRow("a", 3n);
    await g.runCycle();
    expect(colValues(r, "S")).toEqual([1n, 2n, 4n]);
    expect(rec.updates.at(-1)).toEqual({
      added: [1, 2],
      removed: [],
      modified: [],
      modifiedColumns: [],
    });
  });

  it("a forward window over an append-only parent revises earlier rows (not append-only any more)", async () => {
    const g = new UpdateGraph();
    const w = new DynamicTableWriter(g, COLS);
    const r = w.table.updateBy(updateby.rollingSumTick("F = X", 1, 1), "Sym");
    expect([r.isAppendOnly, r.isRefreshing]).toEqual([false, true]);
    const rec = record(r);
    w.writeRow("a", 1n);
    w.writeRow("b", 5n);
    await g.runCycle();
    w.writeRow("a", 2n);
    await g.runCycle();
    expect(colValues(r, "F")).toEqual([3n, 5n, 2n]);
    expect(rec.updates.at(-1)).toEqual({
      added: [2],
      removed: [],
      modified: [0],
      modifiedColumns: ["F"],
    });
  });

  it("over a standard parent a change in the middle recomputes its group from that row", async () => {
    const g = new UpdateGraph();
    const m = mirrorTable(g, COLS);
    const rows = (entries: [number, string, bigint][]) => ({
      keys: RowSet.fromKeys(entries.map((e) => e[0])),
      vecs: [
        vecFromValues(
          "string",
          entries.map((e) => e[1]),
          "Sym",
        ),
        vecFromValues(
          "int64",
          entries.map((e) => e[2]),
          "X",
        ),
      ],
    });
    const none = rows([]);
    const r = m.table.updateBy(
      [updateby.cumSum("S = X"), updateby.rollingSumTick("R = X", 2)],
      "Sym",
    );
    const rec = record(r);
    m.delta(
      RowSet.EMPTY,
      rows([
        [0, "a", 1n],
        [2, "b", 10n],
        [4, "a", 2n],
        [6, "a", 3n],
        [8, "b", 20n],
      ]),
      none,
      [],
    );
    await g.runCycle();
    expect(colValues(r, "S")).toEqual([1n, 10n, 3n, 6n, 30n]);
    // Insert a row of "a" between keys 0 and 4: rows 4 and 6 of "a" change, "b" does not.
    m.delta(RowSet.EMPTY, rows([[1, "a", 100n]]), none, []);
    await g.runCycle();
    expect(r.toRows()).toEqual([
      { Sym: "a", X: 1n, S: 1n, R: 1n },
      { Sym: "a", X: 100n, S: 101n, R: 101n },
      { Sym: "b", X: 10n, S: 10n, R: 10n },
      { Sym: "a", X: 2n, S: 103n, R: 102n },
      { Sym: "a", X: 3n, S: 106n, R: 5n },
      { Sym: "b", X: 20n, S: 30n, R: 30n },
    ]);
    expect(rec.updates.at(-1)).toEqual({
      added: [1],
      removed: [],
      modified: [4, 6],
      modifiedColumns: ["S", "R"],
    });
    // Modify X of key 4 and move key 6 to group "b"; remove key 0.
    m.delta(
      RowSet.of(0),
      none,
      rows([
        [4, "a", 0n],
        [6, "b", 3n],
      ]),
      ["Sym", "X"],
    );
    await g.runCycle();
    expect(r.toRows()).toEqual([
      { Sym: "a", X: 100n, S: 100n, R: 100n },
      { Sym: "b", X: 10n, S: 10n, R: 10n },
      { Sym: "a", X: 0n, S: 100n, R: 100n },
      { Sym: "b", X: 3n, S: 13n, R: 13n },
      { Sym: "b", X: 20n, S: 33n, R: 23n },
    ]);
    expect(rec.updates.at(-1)).toEqual({
      added: [],
      removed: [0],
      modified: [1, 4, 6, 8],
      modifiedColumns: ["Sym", "X", "S", "R"],
    });
  });

  it("an in-place change of a window's input rewrites only the rows whose windows hold it", async () => {
    const g = new UpdateGraph();
    const m = mirrorTable(g, { X: "int64", Ts: "instant" });
    const rows = (entries: [number, bigint, bigint][]) => ({
      keys: RowSet.fromKeys(entries.map((e) => e[0])),
      vecs: [
        vecFromValues(
          "int64",
          entries.map((e) => e[1]),
          "X",
        ),
        vecFromValues(
          "instant",
          entries.map((e) => e[2]),
          "Ts",
        ),
      ],
    });
    const r = m.table.updateBy([
      updateby.rollingSumTick("R = X", 2),
      updateby.rollingSumTime("Ts", "W = X", 1n),
    ]);
    const rec = record(r);
    m.delta(
      RowSet.EMPTY,
      rows([
        [0, 1n, 0n],
        [1, 2n, 1n],
        [2, 4n, 2n],
        [3, 8n, 3n],
        [4, 16n, 4n],
      ]),
      rows([]),
      [],
    );
    await g.runCycle();
    m.delta(RowSet.EMPTY, rows([]), rows([[1, 32n, 1n]]), ["X"]);
    await g.runCycle();
    expect(colValues(r, "R")).toEqual([1n, 33n, 36n, 12n, 24n]);
    expect(colValues(r, "W")).toEqual([1n, 33n, 36n, 12n, 24n]);
    expect(rec.updates.at(-1)).toEqual({
      added: [],
      removed: [],
      modified: [1, 2],
      modifiedColumns: ["X", "R", "W"],
    });
  });

  it("groups appearing mid-stream start from their first row", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { name: "s", columns: COLS });
    const hist = blinkToAppendOnly(blink);
    const r = hist.updateBy(updateby.rollingCountTick("N = X", 3), "Sym");
    pub.addRows([{ Sym: "a", X: 1n }]);
    await g.runCycle();
    pub.addRows([
      { Sym: "c", X: null },
      { Sym: "a", X: 1n },
      { Sym: "c", X: 4n },
    ]);
    await g.runCycle();
    expect(colValues(r, "N")).toEqual([1n, 0n, 2n, 1n]);
  });

  it("over an append-only history and its blink parent, cycles that cross pages give every row's exact running values", async () => {
    // 3,000 rows a cycle: the history's rows cross the 4,096-row pages of the outputs (written in
    // place) in the middle of cycles. Group "big" sums past 2^52 (exact past it), "neg" stays
    // negative, "late" first appears in the third cycle, X is null on every 7th row (a group
    // whose first rows are null outputs null until its first value).
    const g = new UpdateGraph();
    const cols = { Sym: "string", X: "int64", P: "float64" } as const;
    const [blink, pub] = tablePublisher(g, { name: "s", columns: cols });
    const ops = [
      updateby.cumSum("S = X, SP = P"),
      updateby.delta("D = X"),
      updateby.rollingCountTick("N = X", 3),
      updateby.rollingSumTick("R = P", 3),
      updateby.forwardFill("F = X"),
    ];
    const hist = blinkToAppendOnly(blink).updateBy(ops, "Sym");
    const live = blink.updateBy(ops, "Sym");
    const syms = ["a", "big", "neg", "late"];
    const want: Record<string, unknown>[] = [];
    const state = new Map<
      string,
      { s: bigint | null; sp: number | null; xs: (bigint | null)[]; ps: (number | null)[] }
    >();
    const wrap = (v: bigint) => BigInt.asIntN(64, v);
    for (let c = 0; c < 4; c++) {
      const rows: { Sym: string; X: bigint | null; P: number | null }[] = [];
      for (let i = 0; i < 3000; i++) {
        const n = c * 3000 + i;
        const Sym = syms[c < 2 ? n % 3 : n % 4]!;
        const base = Sym === "big" ? 2n ** 49n : Sym === "neg" ? -(2n ** 33n) - 7n : 1n;
        const X = n % 7 === 0 || (Sym === "late" && i < 8) ? null : base + BigInt(n);
        rows.push({ Sym, X, P: n % 5 === 0 ? null : n / 8 });
      }
      for (const row of rows) {
        let st = state.get(row.Sym);
        if (!st) {
          st = { s: null, sp: null, xs: [], ps: [] };
          state.set(row.Sym, st);
        }
        const prev = st.xs.at(-1);
        st.xs.push(row.X);
        st.ps.push(row.P);
        if (row.X !== null) st.s = wrap((st.s ?? 0n) + row.X);
        if (row.P !== null) st.sp = (st.sp ?? 0) + row.P;
        const last3x = st.xs.slice(-3).filter((x) => x !== null);
        const last3p = st.ps.slice(-3).filter((p): p is number => p !== null);
        want.push({
          ...row,
          S: st.s,
          SP: st.sp,
          D: row.X === null || prev === null || prev === undefined ? null : wrap(row.X - prev),
          N: BigInt(last3x.length),
          R: last3p.length === 0 ? null : last3p.reduce((a, b) => a + b, 0),
          F: st.xs.findLast((x) => x !== null) ?? null,
        });
      }
      pub.addRows(rows);
      await g.runCycle();
      expect(hist.toRows()).toEqual(want);
      expect(live.toRows()).toEqual(want.slice(-3000));
    }
    expect(want.some((r) => r.Sym === "big" && (r.S as bigint) > 2n ** 53n)).toBe(true);
  });
});

describe("updateBy errors", () => {
  const t = newTable([stringCol("Sym", ["a"]), doubleCol("P", [1]), instantCol("Ts", [0n])]);
  const bad = (fn: () => unknown, msg: RegExp) => {
    expect(fn).toThrow(ArgumentError);
    expect(fn).toThrow(msg);
  };

  it("names the op, column and argument", () => {
    bad(
      () => t.updateBy(updateby.cumSum("Nope")),
      /updateBy cumSum: unknown column "Nope"; columns are \[Sym, P, Ts\]/,
    );
    bad(
      () => t.updateBy(updateby.cumSum("Sym")),
      /updateBy cumSum: column "Sym" is string; cumSum needs a numeric column/,
    );
    bad(
      () => t.updateBy(updateby.emaTime("P", "PT1S", "P")),
      /updateBy emaTime: timestamp column "P" is float64; it must be instant or int64/,
    );
    bad(
      () => t.updateBy(updateby.emaTime("Nope", "PT1S", "P")),
      /updateBy emaTime: unknown timestamp column "Nope"/,
    );
    bad(
      () => t.updateBy([updateby.cumSum("X = P"), updateby.cumMax("X = P")]),
      /updateBy cumMax: output column "X" is also produced by cumSum/,
    );
    bad(
      () => t.updateBy(updateby.forwardFill("Sym"), "Sym"),
      /updateBy forwardFill: output column "Sym" is a by column/,
    );
    bad(() => t.updateBy(updateby.cumSum("P"), "Nope"), /updateBy: unknown by column \[Nope\]/);
    bad(() => t.updateBy([]), /updateBy: ops is empty/);
    bad(
      () => t.updateBy([{ kind: "sum" } as never]),
      /updateBy: ops item 1 is not an updateby\.\* op/,
    );
  });

  it("checks window sizes, decays and durations when the op is made", () => {
    bad(
      () => updateby.rollingSumTick("P", 0),
      /updateby.rollingSumTick: the window \(revTicks 0, fwdTicks 0\) holds no row/,
    );
    bad(
      () => updateby.rollingSumTick("P", 1.5),
      /updateby.rollingSumTick: revTicks must be an integer, got 1.5/,
    );
    bad(
      () => updateby.rollingAvgTime("Ts", "P", "5 minutes"),
      /updateby.rollingAvgTime: revTime must be an ISO-8601 duration \("PT5M"\) or bigint nanoseconds, got "5 minutes"/,
    );
    bad(
      () => updateby.rollingAvgTime("Ts", "P", "-PT2S", "PT1S"),
      /revTime \+ fwdTime must be at least 0/,
    );
    bad(
      () => updateby.emaTick(0, "P"),
      /updateby.emaTick: decayTicks must be a positive number, got 0/,
    );
    bad(() => updateby.emaTime("Ts", "PT0S", "P"), /updateby.emaTime: decayTime must be positive/);
    bad(() => updateby.cumSum(""), /updateby.cumSum needs at least one column/);
    bad(() => updateby.cumSum("A = = B"), /updateby.cumSum: cannot parse column "A = = B"/);
  });

  it("refuses forward windows over a blink parent, and sparse row keys", async () => {
    const g = new UpdateGraph();
    const [blink] = tablePublisher(g, { name: "s", columns: { P: "float64" } });
    bad(
      () => blink.updateBy(updateby.rollingSumTick("P", 1, 1)),
      /updateBy rollingSumTick: a window that does not end at the current row \(revTicks 1, fwdTicks 1\) is not supported over a blink table/,
    );
    bad(
      () => blink.updateBy(updateby.rollingSumTime("Ts", "P", 0n, 1n)),
      /unknown timestamp column "Ts"/,
    );
    const w = new DynamicTableWriter(g, { K: "int32" });
    for (let i = 0; i < 2000; i++) w.writeRow(i * 1000);
    await g.runCycle();
    const sorted = w.table.sortDescending("K");
    expect(() => sorted.updateBy(updateby.cumSum("S = K"))).toThrow(UnsupportedOperationError);
    expect(() => sorted.updateBy(updateby.cumSum("S = K"))).toThrow(
      /^updateBy: updateBy columns over these 2000 rows would take \d+ pages of 4096 slots: the parent's row keys are sparse .*e\.g\. t\.updateBy\(\.\.\.\)\.sort\(\.\.\.\)$/,
    );
  });
});

describe("updateBy in the spec language", () => {
  it("a family view uses updateby.* ops; bad arguments name the table and position", async () => {
    const g = new UpdateGraph();
    const f = buildFamily(
      {
        columns: { Sym: "string", Price: "float64", Size: "int64" },
        derived: {
          w: 'source.updateBy([updateby.cumSum("Total = Size"), updateby.rollingAvgTick("Avg = Price", 2)], "Sym")',
          hist: "blinkToAppendOnly(source)",
          ema: 'hist.updateBy(updateby.emaTick(10, ["E = Price"]))',
        },
      },
      g,
    );
    f.publisher!.addRows([
      { Sym: "A", Price: 10, Size: 1n },
      { Sym: "B", Price: 20, Size: 2n },
    ]);
    await g.runCycle();
    f.publisher!.addRows([{ Sym: "A", Price: 12, Size: 3n }]);
    await g.runCycle();
    const w: Table = f.views.get("w")!;
    expect(w.toRows()).toEqual([{ Sym: "A", Price: 12, Size: 3n, Total: 4n, Avg: 11 }]);
    expect(colValues(f.views.get("ema")!, "E")).toEqual([
      10,
      10 * Math.exp(-0.1) + 20 * (1 - Math.exp(-0.1)),
      expect.any(Number),
    ]);
    const specError = (derived: string): SpecError => {
      try {
        buildFamily(
          { columns: { Sym: "string", Price: "float64" }, derived: { d: derived } },
          new UpdateGraph(),
        );
      } catch (e) {
        expect(e).toBeInstanceOf(SpecError);
        return e as SpecError;
      }
      throw new Error("expected a SpecError");
    };
    expect(specError('source.updateBy(updateby.rollingSumTick("Price", 0))').message).toBe(
      'derived table "d" at position 16: updateby.rollingSumTick: the window (revTicks 0, fwdTicks 0) holds no row; revTicks + fwdTicks must be at least 1',
    );
    expect(specError("source.updateBy(updateby.cumSum({ a: 1 }))").message).toMatch(
      /updateby.cumSum's argument must be a string, a number or a list of strings at position 32/,
    );
    expect(specError('source.updateBy(updateby.cumSumm("Price"))').message).toMatch(
      /unknown op "updateby.cumSumm"; known: cumSum, cumProd/,
    );
    expect(specError('source.updateBy("Price")').message).toMatch(
      /updateBy's ops must be an updateby\.\* call or a non-empty list of them at position 16/,
    );
    expect(specError('source.updateBy(updateby.cumSum("Sym"))').code).toBe("bad_argument");
  });
});
