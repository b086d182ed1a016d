/**
 * aj / raj: exact results and exact updates per cycle for the documented cases (ties, nulls,
 * NaN, strict and non-strict, raj, a right row arriving late, right removals and modifications),
 * construction errors, attributes, and the operations in a family spec.
 */
import { describe, expect, it } from "vitest";
import { buildFamily } from "../../src/engine/family/family.ts";
import type { Table } from "../../src/engine/index.ts";
import {
  blinkToAppendOnly,
  boolCol,
  charCol,
  col,
  doubleCol,
  inputTable,
  instantCol,
  intCol,
  newTable,
  ringTable,
  stringCol,
  tablePublisher,
  UpdateGraph,
} from "../../src/engine/index.ts";
import { colValues, record } from "./helpers.ts";

const T = { Sym: "string", Ts: "int32", Id: "int32" } as const;
const Q = { Sym: "string", QTs: "int32", Bid: "float64" } as const;

/** Ticking trades and quotes (append-only), one publisher each. */
async function ticking(trades: Record<string, unknown>[], quotes: Record<string, unknown>[]) {
  const g = new UpdateGraph({ seed: 1 });
  const [tb, pubT] = tablePublisher(g, { name: "trades", columns: T });
  const [qb, pubQ] = tablePublisher(g, { name: "quotes", columns: Q });
  const t = blinkToAppendOnly(tb);
  const q = blinkToAppendOnly(qb);
  pubT.addRows(trades);
  pubQ.addRows(quotes);
  await g.runCycle();
  return { g, t, q, pubT, pubQ, tb, qb };
}

const rows = (t: Table, ...cols: string[]) => t.toRows().map((r) => cols.map((c) => r[c] ?? null));

describe("aj / raj on static tables", () => {
  const trades = newTable([
    stringCol("Sym", ["A", "A", "B", "A", "A", null]),
    intCol("Ts", [1, 5, 5, 10, null, 5]),
  ]);
  const quotes = newTable([
    stringCol("Sym", ["A", "A", "B", "A", "A", null, "A"]),
    intCol("QTs", [0, 5, 6, 5, 9, 4, null]),
    doubleCol("Bid", [1, 2, 3, 4, 5, 6, 7]),
  ]);

  it("aj: the greatest stamp at or before, the last right row among ties", () => {
    // By default the right's columns except the match columns; the stamp can be asked for.
    expect(trades.aj(quotes, "Sym, Ts >= QTs").columnNames).toEqual(["Sym", "Ts", "Bid"]);
    const r = trades.aj(quotes, "Sym, Ts >= QTs", "QTs, Bid");
    expect(r.columnNames).toEqual(["Sym", "Ts", "QTs", "Bid"]);
    // A@5 ties between Bid 2 and Bid 4 (both at 5): the later right row wins. A null stamp
    // matches nothing; a null Sym matches the null-Sym quote.
    expect(rows(r, "Sym", "Ts", "QTs", "Bid")).toEqual([
      ["A", 1, 0, 1],
      ["A", 5, 5, 4],
      ["B", 5, null, null],
      ["A", 10, 9, 5],
      ["A", null, null, null],
      [null, 5, 4, 6],
    ]);
    expect(r.isRefreshing).toBe(false);
    expect(r.rowSet.toArray()).toEqual(trades.rowSet.toArray());
  });

  it('aj ">": strictly before', () => {
    const r = trades.aj(quotes, "Sym, Ts > QTs", "Bid");
    expect(colValues(r, "Bid")).toEqual([1, 1, null, 5, null, 6]);
  });

  it("raj: the least stamp at or after, the first right row among ties; '<' strictly after", () => {
    expect(colValues(trades.raj(quotes, "Sym, Ts <= QTs", "Bid"), "Bid")).toEqual([
      2,
      2,
      3,
      null,
      null,
      null,
    ]);
    expect(colValues(trades.raj(quotes, "Sym, Ts < QTs", "Bid"), "Bid")).toEqual([
      2,
      5,
      3,
      null,
      null,
      null,
    ]);
  });

  it("a bare stamp name, no exact keys, renamed joins", () => {
    const q = quotes.view("Ts = QTs", "Px = Bid");
    expect(colValues(trades.aj(q, "Ts", "P = Px"), "P")).toEqual([1, 4, 4, 5, null, 4]);
    expect(colValues(trades.raj(q, "Ts", "P = Px"), "P")).toEqual([6, 2, 2, null, null, 2]);
  });

  it("NaN sorts above +Infinity; strings by UTF-16 code units; bool and char stamps", () => {
    const l = newTable([doubleCol("X", [Number.NaN, Number.POSITIVE_INFINITY, 2, -0])]);
    const r = newTable([
      doubleCol("X", [0, Number.POSITIVE_INFINITY, Number.NaN]),
      intCol("N", [1, 2, 3]),
    ]);
    expect(colValues(l.aj(r, "X", "N"), "N")).toEqual([3, 2, 1, 1]);
    expect(colValues(l.raj(r, "X", "N"), "N")).toEqual([3, 2, 2, 1]);
    const ls = newTable([stringCol("S", ["\u{1F600}", "\uFFFF", "a", "B"])]);
    const rs = newTable([stringCol("S", ["\uE000", "a", "C"]), intCol("N", [1, 2, 3])]);
    // "\u{1F600}" is D83D DE00: below "\uE000" in code units (though above it in code points).
    expect(colValues(ls.aj(rs, "S", "N"), "N")).toEqual([2, 1, 2, null]);
    const lb = newTable([boolCol("B", [false, true]), charCol("C", ["b", "z"])]);
    const rb = newTable([boolCol("B", [true]), charCol("C", ["c"]), intCol("N", [1])]);
    expect(colValues(lb.aj(rb, "B", "N"), "N")).toEqual([null, 1]);
    expect(colValues(lb.raj(rb, "C", "N"), "N")).toEqual([1, null]);
  });

  it("instant stamps compare exactly beyond 2^53 nanoseconds", () => {
    const base = 1_700_000_000_000_000_000n;
    const l = newTable([instantCol("Ts", [base + 1n, base + 2n, base + 4_294_967_296n])]);
    const r = newTable([col("Ts", "instant", [base + 2n, base + 1n]), intCol("N", [1, 2])]);
    expect(colValues(l.aj(r, "Ts", "N"), "N")).toEqual([2, 1, 1]);
    expect(colValues(l.aj(r, "Ts > Ts", "N"), "N")).toEqual([null, 2, 1]);
  });

  it("refuses bad arguments at construction, naming the columns", () => {
    expect(() => trades.aj(quotes, "Sym, Ts <= QTs")).toThrow(
      'aj: the stamp entry "Ts <= QTs" uses "<="; aj takes ">=" or ">"',
    );
    expect(() => trades.raj(quotes, "Sym, Ts >= QTs")).toThrow(
      'raj: the stamp entry "Ts >= QTs" uses ">="; raj takes "<=" or "<"',
    );
    expect(() => trades.aj(quotes, "Sym, Ts")).toThrow(
      "aj: unknown right column [Ts]; right columns are [Sym, QTs, Bid]",
    );
    expect(() => trades.aj(quotes, "Sym, Ts >= Bid")).toThrow(
      'aj: stamp columns have different types: left "Ts" is int32, right "Bid" is float64',
    );
    expect(() => trades.aj(quotes.view("Sym", "Ts = QTs"), "Ts", "Sym")).toThrow(
      'aj: the joined column "Sym" already exists in the left table; rename it ("NewSym = Sym")',
    );
    const grouped = trades.groupBy("Sym");
    expect(() => grouped.aj(grouped.view("Sym", "Ts2 = Ts"), "Ts >= Ts2")).toThrow(
      'aj: the stamp column "Ts" is an array (int32[])',
    );
    const g1 = new UpdateGraph();
    const g2 = new UpdateGraph();
    const [a] = tablePublisher(g1, { name: "a", columns: T });
    const [b] = tablePublisher(g2, { name: "b", columns: Q });
    expect(() => a.aj(b, "Sym, Ts >= QTs")).toThrow(
      "aj: the left and right tables belong to different update graphs",
    );
  });
});

describe("aj / raj ticking", () => {
  it("a right row arriving late re-points exactly the left rows whose match it changes", async () => {
    const { g, t, q, pubT, pubQ } = await ticking(
      [
        { Sym: "A", Ts: 1, Id: 0 },
        { Sym: "A", Ts: 3, Id: 1 },
        { Sym: "A", Ts: 5, Id: 2 },
        { Sym: "A", Ts: 7, Id: 3 },
        { Sym: "B", Ts: 4, Id: 4 },
      ],
      [
        { Sym: "A", QTs: 0, Bid: 10 },
        { Sym: "A", QTs: 6, Bid: 16 },
      ],
    );
    const r = t.aj(q, "Sym, Ts >= QTs", "QTs, Bid");
    const rec = record(r);
    expect(rows(r, "Id", "QTs", "Bid")).toEqual([
      [0, 0, 10],
      [1, 0, 10],
      [2, 0, 10],
      [3, 6, 16],
      [4, null, null],
    ]);
    pubQ.addRows([{ Sym: "A", QTs: 3, Bid: 13 }]); // late: between 0 and 6
    await g.runCycle();
    expect(rec.updates).toEqual([
      { added: [], removed: [], modified: [1, 2], modifiedColumns: ["QTs", "Bid"] },
    ]);
    expect(colValues(r, "Bid")).toEqual([10, 13, 13, 16, null]);
    pubQ.addRows([{ Sym: "B", QTs: 4, Bid: 24 }]);
    pubT.addRows([{ Sym: "A", Ts: 4, Id: 5 }]);
    await g.runCycle();
    expect(rec.updates[1]).toEqual({
      added: [5],
      removed: [],
      modified: [4],
      modifiedColumns: ["QTs", "Bid"],
    });
    expect(colValues(r, "Bid")).toEqual([10, 13, 13, 16, 24, 13]);
    // A quote after every trade, and a tie at 3 (the later right row wins): only rows at 3-5 move.
    pubQ.addRows([
      { Sym: "A", QTs: 9, Bid: 19 },
      { Sym: "A", QTs: 3, Bid: 33 },
    ]);
    await g.runCycle();
    expect(rec.updates[2]).toEqual({
      added: [],
      removed: [],
      modified: [1, 2, 5],
      modifiedColumns: ["QTs", "Bid"],
    });
    expect(colValues(r, "Bid")).toEqual([10, 33, 33, 16, 24, 33]);
    // A quote no trade is at or after: no update at all.
    pubQ.addRows([{ Sym: "A", QTs: 20, Bid: 20 }]);
    await g.runCycle();
    expect(rec.updates.length).toBe(3);
    expect(r.attributes).toEqual({
      refreshing: true,
      blink: false,
      appendOnly: false,
      addOnly: false,
    });
  });

  it("strict aj: a right row at a trade's own stamp does not match it", async () => {
    const { g, t, q, pubQ } = await ticking(
      [
        { Sym: "A", Ts: 5, Id: 0 },
        { Sym: "A", Ts: 6, Id: 1 },
      ],
      [],
    );
    const r = t.aj(q, "Sym, Ts > QTs", "Bid");
    const rec = record(r);
    pubQ.addRows([{ Sym: "A", QTs: 5, Bid: 1 }]);
    await g.runCycle();
    expect(rec.updates).toEqual([
      { added: [], removed: [], modified: [1], modifiedColumns: ["Bid"] },
    ]);
    expect(colValues(r, "Bid")).toEqual([null, 1]);
  });

  it("raj: a right row arriving re-points the left rows at or before it", async () => {
    const { g, t, q, pubQ } = await ticking(
      [
        { Sym: "A", Ts: 1, Id: 0 },
        { Sym: "A", Ts: 3, Id: 1 },
        { Sym: "A", Ts: 5, Id: 2 },
      ],
      [{ Sym: "A", QTs: 6, Bid: 6 }],
    );
    const r = t.raj(q, "Sym, Ts <= QTs", "Bid");
    const rec = record(r);
    pubQ.addRows([{ Sym: "A", QTs: 3, Bid: 3 }]);
    await g.runCycle();
    expect(rec.updates).toEqual([
      { added: [], removed: [], modified: [0, 1], modifiedColumns: ["Bid"] },
    ]);
    expect(colValues(r, "Bid")).toEqual([3, 3, 6]);
    const strict = t.raj(q, "Sym, Ts < QTs", "Bid");
    expect(colValues(strict, "Bid")).toEqual([3, 6, 6]);
  });

  it("right removals re-point to the previous stamp; right modifications move rows", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const [tb, pubT] = tablePublisher(g, { name: "t", columns: T });
    const [qb, pubQ] = tablePublisher(g, { name: "q", columns: Q });
    const t = blinkToAppendOnly(tb);
    const ring = ringTable(qb, 2); // the oldest quote falls out
    const last = qb.lastBy("Sym"); // one quote per Sym, modified in place
    pubT.addRows([
      { Sym: "A", Ts: 2, Id: 0 },
      { Sym: "A", Ts: 6, Id: 1 },
    ]);
    pubQ.addRows([
      { Sym: "A", QTs: 1, Bid: 1 },
      { Sym: "A", QTs: 5, Bid: 5 },
    ]);
    await g.runCycle();
    const r = t.aj(ring, "Sym, Ts >= QTs", "Bid");
    const byLast = t.aj(last, "Sym, Ts >= QTs", "Bid");
    const rec = record(r);
    const recLast = record(byLast);
    expect(colValues(r, "Bid")).toEqual([1, 5]);
    expect(colValues(byLast, "Bid")).toEqual([null, 5]);
    pubQ.addRows([{ Sym: "A", QTs: 9, Bid: 9 }]); // the ring drops QTs 1
    await g.runCycle();
    expect(rec.updates).toEqual([
      { added: [], removed: [], modified: [0], modifiedColumns: ["Bid"] },
    ]);
    expect(colValues(r, "Bid")).toEqual([null, 5]);
    // lastBy's row moved from 5 to 9: trade 1 loses its match.
    expect(recLast.updates).toEqual([
      { added: [], removed: [], modified: [1], modifiedColumns: ["Bid"] },
    ]);
    expect(colValues(byLast, "Bid")).toEqual([null, null]);
    pubQ.addRows([{ Sym: "A", QTs: 2, Bid: 2 }]); // moves back before both trades
    await g.runCycle();
    expect(recLast.updates[1]).toEqual({
      added: [],
      removed: [],
      modified: [0, 1],
      modifiedColumns: ["Bid"],
    });
    expect(colValues(byLast, "Bid")).toEqual([2, 2]);
    pubQ.addRows([{ Sym: "A", QTs: 2, Bid: 3 }]); // same stamp, new value: a modification
    pubT.addRows([{ Sym: "A", Ts: 0, Id: 2 }]);
    await g.runCycle();
    expect(recLast.updates[2]).toEqual({
      added: [2],
      removed: [],
      modified: [0, 1],
      modifiedColumns: ["Bid"],
    });
    expect(colValues(byLast, "Bid")).toEqual([3, 3, null]);
  });

  it("left rows move when their key or stamp changes; a blink left keeps its blink attribute", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const [tb, pubT] = tablePublisher(g, { name: "t", columns: T });
    const q = newTable([
      stringCol("Sym", ["A", "B"]),
      intCol("QTs", [0, 0]),
      doubleCol("Bid", [1, 2]),
    ]);
    const latest = tb.lastBy("Id");
    const r = latest.aj(q, "Sym, Ts >= QTs", "Bid");
    const blink = tb.aj(q, "Sym, Ts >= QTs", "Bid");
    expect(blink.attributes).toEqual({
      refreshing: true,
      blink: true,
      appendOnly: false,
      addOnly: false,
    });
    const rec = record(r);
    pubT.addRows([{ Sym: "A", Ts: 1, Id: 0 }]);
    await g.runCycle();
    expect(colValues(blink, "Bid")).toEqual([1]);
    pubT.addRows([{ Sym: "B", Ts: 1, Id: 0 }]);
    await g.runCycle();
    expect(rec.updates[1]).toEqual({
      added: [],
      removed: [],
      modified: [0],
      modifiedColumns: ["Sym", "Bid"],
    });
    expect(colValues(r, "Bid")).toEqual([2]);
    pubT.addRows([{ Sym: "B", Ts: -1, Id: 0 }]);
    await g.runCycle();
    expect(colValues(r, "Bid")).toEqual([null]);
    await g.runCycle();
    expect(blink.size).toBe(0);
  });

  it("works in a family spec with another view of the family as the right table", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const f = buildFamily(
      {
        columns: { Kind: "string", Sym: "string", Ts: "int64", Px: "float64" },
        derived: {
          history: "blinkToAppendOnly(source)",
          trades: 'history.where("Kind == `T`").view("Sym", "Ts", "Px")',
          quotes: 'history.where("Kind == `Q`").view("Sym", "QTs = Ts", "Bid = Px")',
          enriched: 'trades.aj(quotes, "Sym, Ts >= QTs", "Bid")',
          next: 'trades.raj(quotes, ["Sym", "Ts < QTs"], "NextBid = Bid")',
        },
      },
      g,
    );
    f.publisher!.addRows([
      { Kind: "Q", Sym: "A", Ts: 1n, Px: 10 },
      { Kind: "T", Sym: "A", Ts: 2n, Px: 11 },
      { Kind: "Q", Sym: "A", Ts: 3n, Px: 12 },
    ]);
    await g.runCycle();
    expect(f.views.get("enriched")!.toRows()).toEqual([{ Sym: "A", Ts: 2n, Px: 11, Bid: 10 }]);
    expect(colValues(f.views.get("next")!, "NextBid")).toEqual([12]);
  });
});

describe("docs/engine.md", () => {
  it("the as-of join example prints what its comments say", () => {
    const trades = newTable([stringCol("Sym", ["A", "A", "B"]), intCol("Ts", [5, 9, 7])]);
    const quotes = newTable([
      stringCol("Sym", ["A", "A", "A", "B"]),
      intCol("QuoteTs", [4, 5, 5, 8]),
      doubleCol("Bid", [10, 11, 12, 20]),
    ]);
    expect(trades.aj(quotes, "Sym, Ts >= QuoteTs", "Bid, QuoteTs").toRows()).toEqual([
      { Sym: "A", Ts: 5, Bid: 12, QuoteTs: 5 },
      { Sym: "A", Ts: 9, Bid: 12, QuoteTs: 5 },
      { Sym: "B", Ts: 7, Bid: null, QuoteTs: null },
    ]);
    expect(
      trades
        .raj(quotes, "Sym, Ts < QuoteTs", "Bid")
        .toRows()
        .map((r) => r.Bid),
    ).toEqual([null, null, 20]);
  });
});

describe("aj: a left row whose stamp moves while its right row changes", () => {
  it("names the joined column when the row keeps its match and that match was modified", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const trades = inputTable(g, {
      columns: { Id: "int32", Sym: "string", Ts: "int32" },
      keys: ["Id"],
    });
    const quotes = inputTable(g, {
      columns: { Sym: "string", QTs: "int32", Bid: "float64" },
      keys: ["Sym"],
    });
    trades.add([{ Id: 1, Sym: "A", Ts: 5 }]);
    quotes.add([{ Sym: "A", QTs: 1, Bid: 10 }]);
    await g.runCycle();
    const r = trades.table.aj(quotes.table, "Sym, Ts >= QTs", "Bid");
    const { updates } = record(r);
    expect(rows(r, "Id", "Ts", "Bid")).toEqual([[1, 5, 10]]);
    // Same cycle: the trade's stamp moves (it still matches the same quote) and the quote's Bid
    // changes.
    trades.add([{ Id: 1, Sym: "A", Ts: 7 }]);
    quotes.add([{ Sym: "A", QTs: 1, Bid: 11 }]);
    await g.runCycle();
    expect(rows(r, "Id", "Ts", "Bid")).toEqual([[1, 7, 11]]);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.modified).toEqual([0]);
    expect([...updates[0]!.modifiedColumns].sort()).toEqual(["Bid", "Ts"]);
  });
});

describe("aj: a left row moving to a right row that reuses a key", () => {
  it("names the joined columns when the right key number is the same but the row is another", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const trades = inputTable(g, {
      columns: { Id: "int32", Sym: "string", Ts: "int32" },
      keys: ["Id"],
    });
    const [quotes, pub] = tablePublisher(g, { name: "q", columns: Q });
    const r = trades.table.aj(quotes, "Sym, Ts >= QTs", "Bid");
    trades.add([{ Id: 1, Sym: "A", Ts: 5 }]);
    pub.addRows([{ Sym: "A", QTs: 1, Bid: 10 }]);
    await g.runCycle();
    expect(rows(r, "Id", "Sym", "Bid")).toEqual([[1, "A", 10]]);
    const { updates } = record(r);
    // The blink right's only row next cycle has the same row key (0) but is another quote.
    trades.add([{ Id: 1, Sym: "B", Ts: 5 }]);
    pub.addRows([{ Sym: "B", QTs: 1, Bid: 20 }]);
    await g.runCycle();
    expect(quotes.rowSet.toArray()).toEqual([0]);
    expect(rows(r, "Id", "Sym", "Bid")).toEqual([[1, "B", 20]]);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.modified).toEqual([0]);
    expect([...updates[0]!.modifiedColumns].sort()).toEqual(["Bid", "Sym"]);
  });
});
