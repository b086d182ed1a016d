/**
 * headBy / tailBy: exact rows and updates per cycle over static, append-only, standard (a mirror
 * with removals and modifications) and blink parents; ties, null keys, groups appearing
 * mid-stream, blink carry-over, errors, attributes and the spec language. The recompute harness
 * (nuggets/head-by.nugget.ts) checks random cycles.
 */
import { describe, expect, it } from "vitest";
import { buildFamily } from "../../src/engine/family/family.ts";
import type { Table } from "../../src/engine/index.ts";
import {
  ArgumentError,
  DynamicTableWriter,
  doubleCol,
  intCol,
  mirrorTable,
  newTable,
  RowSet,
  SchemaError,
  stringCol,
  tablePublisher,
  UpdateGraph,
} from "../../src/engine/index.ts";
import { vecFromValues } from "../../src/engine/new-table.ts";
import { SqlStateStore } from "../../src/engine/persist/state-store.ts";
import { memoryDb, nodePort } from "../contracts/sqlite-node.ts";
import { record } from "./helpers.ts";

const trades = () =>
  newTable([
    stringCol("Sym", ["a", "b", "a", null, "a", "b", null, "c"]),
    intCol("X", [1, 2, 3, 4, 5, 6, 7, 8]),
  ]);
const xs = (t: Table) => t.toRows().map((r) => r.X);

/** A mirror fed keyed rows {Sym, X}; returns the table and a delta helper. */
function mirror(g: UpdateGraph) {
  const m = mirrorTable(g, { Sym: "string", X: "int32" });
  const rows = (entries: [number, string | null, number][]) => ({
    keys: RowSet.fromKeys(entries.map((e) => e[0])),
    vecs: [
      vecFromValues(
        "string",
        entries.map((e) => e[1]),
        "Sym",
      ),
      vecFromValues(
        "int32",
        entries.map((e) => e[2]),
        "X",
      ),
    ],
  });
  return {
    table: m.table,
    delta(
      removed: number[],
      added: [number, string | null, number][],
      modified: [number, string | null, number][] = [],
      cols: string[] = [],
    ) {
      m.delta(RowSet.fromKeys(removed), rows(added), rows(modified), cols);
    },
  };
}

describe("headBy / tailBy on static tables", () => {
  it("keeps the first / last n rows of each group in the parent's order; null keys form a group", () => {
    const t = trades();
    expect(t.headBy(2, "Sym").toRows()).toEqual([
      { Sym: "a", X: 1 },
      { Sym: "b", X: 2 },
      { Sym: "a", X: 3 },
      { Sym: null, X: 4 },
      { Sym: "b", X: 6 },
      { Sym: null, X: 7 },
      { Sym: "c", X: 8 },
    ]);
    expect(t.headBy(2, "Sym").rowSet.toArray()).toEqual([0, 1, 2, 3, 5, 6, 7]);
    expect(xs(t.tailBy(1, "Sym"))).toEqual([5, 6, 7, 8]);
    expect(xs(t.tailBy(2, ["Sym"]))).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(xs(t.headBy(3))).toEqual([1, 2, 3]);
    expect(xs(t.tailBy(3))).toEqual([6, 7, 8]);
    expect(xs(t.headBy(0, "Sym"))).toEqual([]);
    expect(xs(t.tailBy(100, "Sym"))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(t.headBy(1, "Sym").isRefreshing).toBe(false);
  });

  it("docs/engine.md's example", () => {
    const t = newTable([
      stringCol("Sym", ["a", "b", "a", null, "a"]),
      intCol("X", [1, 2, 3, 4, 5]),
    ]);
    expect(xs(t.headBy(2, "Sym"))).toEqual([1, 2, 3, 4]);
    expect(xs(t.tailBy(1, "Sym"))).toEqual([2, 4, 5]);
  });

  it("groups by several keys, given as one list or several; ties of every key", () => {
    const t = newTable([
      stringCol("S", ["x", "x", "x", "y", "x"]),
      doubleCol("P", [Number.NaN, Number.NaN, 1, Number.NaN, 1]),
      intCol("X", [1, 2, 3, 4, 5]),
    ]);
    expect(xs(t.headBy(1, "S, P"))).toEqual([1, 3, 4]);
    expect(xs(t.headBy(1, "S", "P"))).toEqual([1, 3, 4]);
    expect(xs(t.tailBy(1, ["S", "P"]))).toEqual([2, 4, 5]);
  });

  it("rejects bad arguments with ArgumentErrors naming them", () => {
    const t = trades();
    expect(() => t.headBy(1, "Nope")).toThrow(ArgumentError);
    expect(() => t.headBy(1, "Nope")).toThrow(/headBy: unknown key column "Nope"/);
    expect(() => t.tailBy(-1, "Sym")).toThrow(
      /tailBy: row count must be a non-negative integer, got -1/,
    );
    expect(() => t.headBy(1.5, "Sym")).toThrow(ArgumentError);
    expect(() => t.headBy(1, "Sym, Sym")).toThrow(/key column "Sym" is given twice/);
    expect(() => t.headBy(1, "Sym,")).toThrow(/headBy: empty entry in column list "Sym,"/);
    const arrays = t.groupBy("Sym");
    expect(() => arrays.headBy(1, "X")).toThrow(SchemaError);
  });
});

describe("headBy / tailBy on refreshing tables", () => {
  it("an append-only parent: headBy ignores a full group's new rows and stays append-only", async () => {
    const g = new UpdateGraph();
    const w = new DynamicTableWriter(g, { Sym: "string", X: "int32" });
    const h = w.table.headBy(2, "Sym");
    const tl = w.table.tailBy(1, "Sym");
    expect([h.isAppendOnly, tl.isAppendOnly, tl.isAddOnly]).toEqual([true, false, false]);
    const hu = record(h);
    const tu = record(tl);
    w.writeRow("a", 1);
    w.writeRow("a", 2);
    w.writeRow("b", 3);
    await g.runCycle();
    w.writeRow("a", 4);
    w.writeRow("c", 5);
    await g.runCycle();
    expect(xs(h)).toEqual([1, 2, 3, 5]);
    expect(xs(tl)).toEqual([3, 4, 5]);
    expect(hu.updates).toEqual([
      { added: [0, 1, 2], removed: [], modified: [], modifiedColumns: [] },
      { added: [4], removed: [], modified: [], modifiedColumns: [] },
    ]);
    expect(tu.updates).toEqual([
      { added: [1, 2], removed: [], modified: [], modifiedColumns: [] },
      { added: [3, 4], removed: [1], modified: [], modifiedColumns: [] },
    ]);
  });

  it("a removed top-n row pulls in the group's next row; a row inserted before the cut pushes one out", async () => {
    const g = new UpdateGraph();
    const m = mirror(g);
    m.delta(
      [],
      [
        [10, "a", 1],
        [20, "b", 2],
        [30, "a", 3],
        [40, "a", 4],
      ],
    );
    await g.runCycle();
    const h = m.table.headBy(2, "Sym");
    const tl = m.table.tailBy(2, "Sym");
    const hu = record(h);
    const tu = record(tl);
    expect(xs(h)).toEqual([1, 2, 3]);
    m.delta([10], []);
    await g.runCycle();
    expect(xs(h)).toEqual([2, 3, 4]);
    expect(xs(tl)).toEqual([2, 3, 4]);
    m.delta([], [[15, "a", 9]]);
    await g.runCycle();
    expect(xs(h)).toEqual([9, 2, 3]);
    expect(xs(tl)).toEqual([2, 3, 4]);
    expect(hu.updates).toEqual([
      { added: [40], removed: [10], modified: [], modifiedColumns: [] },
      { added: [15], removed: [40], modified: [], modifiedColumns: [] },
    ]);
    // tailBy: removing a's first row changes nothing of its last two; a new first row neither.
    expect(tu.updates).toEqual([]);
    expect(tl.isRefreshing && !tl.isAddOnly).toBe(true);
  });

  it("a row whose key changes moves between groups; staying in the result it is a modification", async () => {
    const g = new UpdateGraph();
    const m = mirror(g);
    m.delta(
      [],
      [
        [0, "a", 1],
        [1, "a", 2],
        [2, "b", 3],
        [3, "a", 4],
      ],
    );
    await g.runCycle();
    const h = m.table.headBy(1, "Sym");
    const u = record(h);
    expect(xs(h)).toEqual([1, 3]);
    // Row 0 goes to group c: still first of its group, so modified; a's first is now row 1.
    m.delta([], [], [[0, "c", 1]], ["Sym"]);
    await g.runCycle();
    expect(h.toRows()).toEqual([
      { Sym: "c", X: 1 },
      { Sym: "a", X: 2 },
      { Sym: "b", X: 3 },
    ]);
    // Row 2 joins group a behind row 1: it leaves the result; group b is empty.
    m.delta([], [], [[2, "a", 3]], ["Sym"]);
    await g.runCycle();
    expect(xs(h)).toEqual([1, 2]);
    // A value change of a result row is a modification; of another row, nothing.
    m.delta(
      [],
      [],
      [
        [1, "a", 20],
        [3, "a", 40],
      ],
      ["X"],
    );
    await g.runCycle();
    expect(xs(h)).toEqual([1, 20]);
    expect(u.updates).toEqual([
      { added: [1], removed: [], modified: [0], modifiedColumns: ["Sym"] },
      { added: [], removed: [2], modified: [], modifiedColumns: [] },
      { added: [], removed: [], modified: [1], modifiedColumns: ["X"] },
    ]);
  });

  it("a cycle that changes no result row emits no update", async () => {
    const g = new UpdateGraph();
    const m = mirror(g);
    m.delta(
      [],
      [
        [0, "a", 1],
        [1, "a", 2],
      ],
    );
    await g.runCycle();
    const h = m.table.headBy(1, "Sym");
    const u = record(h);
    m.delta([1], [[5, "a", 3]], [], []);
    await g.runCycle();
    expect(xs(h)).toEqual([1]);
    expect(u.updates).toEqual([]);
  });
});

describe("headBy / tailBy on blink tables (over the whole stream)", () => {
  it("headBy keeps each group's first n rows ever, in stream order; groups may appear mid-stream", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { columns: { Sym: "string", X: "int32" } });
    pub.addRows([
      { Sym: "a", X: 1 },
      { Sym: null, X: 2 },
    ]);
    await g.runCycle();
    const h = blink.headBy(2, "Sym");
    expect([h.isBlink, h.isAppendOnly]).toEqual([false, true]);
    const u = record(h);
    expect(xs(h)).toEqual([1, 2]);
    pub.addRows([
      { Sym: "a", X: 3 },
      { Sym: "a", X: 4 },
      { Sym: "b", X: 5 },
    ]);
    await g.runCycle();
    pub.addRows([{ Sym: "a", X: 6 }]);
    await g.runCycle();
    pub.addRows([
      { Sym: null, X: 7 },
      { Sym: null, X: 8 },
    ]);
    await g.runCycle();
    expect(h.toRows()).toEqual([
      { Sym: "a", X: 1 },
      { Sym: null, X: 2 },
      { Sym: "a", X: 3 },
      { Sym: "b", X: 5 },
      { Sym: null, X: 7 },
    ]);
    expect(u.updates).toEqual([
      { added: [2, 3], removed: [], modified: [], modifiedColumns: [] },
      { added: [4], removed: [], modified: [], modifiedColumns: [] },
    ]);
  });

  it("tailBy is a per-group ring: new rows push out the group's oldest, carried over cycles", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { columns: { Sym: "string", X: "int32" } });
    const tl = blink.tailBy(2, "Sym");
    expect([tl.isBlink, tl.isAddOnly]).toEqual([false, false]);
    const u = record(tl);
    pub.addRows([
      { Sym: "a", X: 1 },
      { Sym: "b", X: 2 },
      { Sym: "a", X: 3 },
    ]);
    await g.runCycle();
    pub.addRows([{ Sym: "c", X: 4 }]);
    await g.runCycle();
    expect(xs(tl)).toEqual([1, 2, 3, 4]);
    // Three a rows in one cycle: only the last two are taken, and both old a rows leave.
    pub.addRows([
      { Sym: "a", X: 5 },
      { Sym: "a", X: 6 },
      { Sym: "b", X: 7 },
      { Sym: "a", X: 8 },
    ]);
    await g.runCycle();
    await g.runCycle(); // an empty blink cycle changes nothing
    expect(tl.toRows()).toEqual([
      { Sym: "b", X: 2 },
      { Sym: "c", X: 4 },
      { Sym: "a", X: 6 },
      { Sym: "b", X: 7 },
      { Sym: "a", X: 8 },
    ]);
    expect(u.updates).toEqual([
      { added: [0, 1, 2], removed: [], modified: [], modifiedColumns: [] },
      { added: [3], removed: [], modified: [], modifiedColumns: [] },
      { added: [4, 5, 6], removed: [0, 2], modified: [], modifiedColumns: [] },
    ]);
  });
});

describe("headBy / tailBy over blink tables are persisted", () => {
  it("a graph rebuilt on the same storage resumes with the same rows, counts and rings", () => {
    const db = memoryDb();
    const build = () => {
      const g = new UpdateGraph({ store: new SqlStateStore(nodePort(db)) });
      const [blink, pub] = tablePublisher(g, {
        name: "p",
        columns: { Sym: "string", X: "int32" },
      });
      return { g, pub, h: blink.headBy(1, "Sym"), t: blink.tailBy(2, "Sym") };
    };
    const a = build();
    a.pub.addRows([
      { Sym: "a", X: 1 },
      { Sym: "b", X: 2 },
      { Sym: "a", X: 3 },
    ]);
    a.g.runCycleSync();
    a.pub.addRows([
      { Sym: "a", X: 4 },
      { Sym: null, X: 5 },
    ]);
    a.g.runCycleSync();
    expect([xs(a.h), xs(a.t)]).toEqual([
      [1, 2, 5],
      [2, 3, 4, 5],
    ]);
    const b = build();
    expect([b.h.toRows(), b.t.toRows()]).toEqual([a.h.toRows(), a.t.toRows()]);
    expect([b.h.rowSet.toArray(), b.t.rowSet.toArray()]).toEqual([
      [0, 1, 2],
      [1, 2, 3, 4],
    ]);
    b.pub.addRows([
      { Sym: "a", X: 6 },
      { Sym: "b", X: 7 },
      { Sym: "c", X: 8 },
    ]);
    b.g.runCycleSync();
    expect(xs(b.h)).toEqual([1, 2, 5, 8]);
    expect(xs(b.t)).toEqual([2, 4, 5, 6, 7, 8]);
    const c = build();
    expect([xs(c.h), xs(c.t)]).toEqual([
      [1, 2, 5, 8],
      [2, 4, 5, 6, 7, 8],
    ]);
  });
});

describe("headBy / tailBy in family specs", () => {
  it("are accepted in a spec, over the source and over another view", async () => {
    const g = new UpdateGraph();
    const f = buildFamily(
      {
        columns: { Sym: "string", Price: "float64" },
        derived: {
          firstTwo: 'source.headBy(2, "Sym")',
          last: 'source.lastBy("Sym")',
          lastOne: 'last.where("Price > 1").tailBy(1, ["Sym"])',
        },
      },
      g,
    );
    f.publisher!.addRows([
      { Sym: "a", Price: 1 },
      { Sym: "b", Price: 2 },
      { Sym: "a", Price: 3 },
      { Sym: "a", Price: 4 },
    ]);
    await g.runCycle();
    expect(f.views.get("firstTwo")!.toRows()).toEqual([
      { Sym: "a", Price: 1 },
      { Sym: "b", Price: 2 },
      { Sym: "a", Price: 3 },
    ]);
    expect(f.views.get("lastOne")!.toRows()).toEqual([
      { Sym: "a", Price: 4 },
      { Sym: "b", Price: 2 },
    ]);
  });
});
