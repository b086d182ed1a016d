import { describe, expect, it } from "vitest";
import { SpecError } from "../../src/engine/family/chain-parser.ts";
import { buildFamily } from "../../src/engine/family/family.ts";
import {
  ArgumentError,
  DynamicTableWriter,
  FormulaError,
  mirrorTable,
  newTable,
  RowSet,
  type Table,
  tablePublisher,
  UpdateGraph,
} from "../../src/engine/index.ts";
import { col, vecFromValues } from "../../src/engine/new-table.ts";
import type { ColumnType } from "../../src/engine/types.ts";
import { colValues, record } from "./helpers.ts";

const LEFT = { Sym: "string", Px: "float64" } as const;
const RIGHT = { Sym: "string" } as const;

/** KeyedRows for a mirror delta: keys and one value list per column of `schema`. */
function rows(schema: Record<string, ColumnType>, keys: number[], values: unknown[][]) {
  const names = Object.keys(schema);
  return {
    keys: RowSet.fromKeys(keys),
    vecs: names.map((n, j) =>
      vecFromValues(
        schema[n]!,
        values.map((v) => v[j]),
        n,
      ),
    ),
  };
}

const none = (schema: Record<string, ColumnType>) => rows(schema, [], []);

function symTable(values: (string | null)[]): Table {
  return newTable([col("Sym", "string", values)]);
}

describe("whereIn / whereNotIn on static tables", () => {
  const left = newTable([
    col("Sym", "string", ["a", "b", "a", null, "c"]),
    col("Px", "float64", [1, 2, 3, 4, 5]),
  ]);

  it("keeps the left rows whose keys the right has, in left order, null matching null", () => {
    const watched = left.whereIn(symTable(["a", null, "z"]), "Sym");
    expect(watched.isRefreshing).toBe(false);
    expect(watched.rowSet.toArray()).toEqual([0, 2, 3]);
    expect(colValues(watched, "Px")).toEqual([1, 3, 4]);
    const rest = left.whereNotIn(symTable(["a", null, "z"]), ["Sym"]);
    expect(rest.rowSet.toArray()).toEqual([1, 4]);
    expect(colValues(rest, "Sym")).toEqual(["b", "c"]);
  });

  it("passes the left's column sources through (no copies)", () => {
    const watched = left.whereIn(symTable(["b"]), "Sym");
    expect(watched.column("Px")).toBe(left.column("Px"));
    expect(watched.column("Sym")).toBe(left.column("Sym"));
  });

  it("an empty right keeps nothing (whereIn) or everything (whereNotIn)", () => {
    expect(left.whereIn(symTable([]), "Sym").size).toBe(0);
    expect(left.whereNotIn(symTable([]), "Sym").rowSet.toArray()).toEqual([0, 1, 2, 3, 4]);
  });

  it("matches several columns, renamed with L = R; NaN matches NaN, -0 matches 0", () => {
    const t = newTable([
      col("Sym", "string", ["a", "a", "b", "b"]),
      col("X", "float64", [Number.NaN, 1, -0, 2]),
    ]);
    const r = newTable([col("S", "string", ["a", "b"]), col("V", "float64", [Number.NaN, 0])]);
    expect(t.whereIn(r, "Sym = S, X = V").rowSet.toArray()).toEqual([0, 2]);
    expect(t.whereNotIn(r, ["Sym = S", "X = V"]).rowSet.toArray()).toEqual([1, 3]);
  });

  it("names the column in errors", () => {
    expect(() => left.whereIn(symTable(["a"]), "Nope")).toThrow(
      new ArgumentError("whereIn: unknown left column [Nope]; left columns are [Sym, Px]"),
    );
    expect(() => left.whereNotIn(symTable(["a"]), "Px = Sym")).toThrow(
      new ArgumentError(
        'whereNotIn: match columns have different types: left "Px" is float64, right "Sym" is string',
      ),
    );
    const arrays = newTable([col("A", "int32[]", [[1]])]);
    expect(() => arrays.whereIn(arrays, "A")).toThrow(
      new ArgumentError(
        'whereIn: match column "A" is an array column (int32[]); array columns cannot be matched',
      ),
    );
    expect(() => left.whereIn(symTable(["a"]), "")).toThrow(ArgumentError);
    const g1 = new UpdateGraph();
    const g2 = new UpdateGraph();
    const [a] = tablePublisher(g1, { name: "a", columns: RIGHT });
    const [b] = tablePublisher(g2, { name: "b", columns: RIGHT });
    expect(() => a.whereIn(b, "Sym")).toThrow(
      new ArgumentError("whereIn: the left and right tables belong to different update graphs"),
    );
  });
});

describe("whereIn / whereNotIn ticking", () => {
  it("a right key appearing or leaving adds or removes exactly its left rows", async () => {
    const g = new UpdateGraph();
    const lm = mirrorTable(g, LEFT);
    const rm = mirrorTable(g, RIGHT);
    const watched = lm.table.whereIn(rm.table, "Sym");
    const rest = lm.table.whereNotIn(rm.table, "Sym");
    expect([watched.isRefreshing, watched.isAddOnly, watched.isBlink]).toEqual([
      true,
      false,
      false,
    ]);
    const w = record(watched);
    const n = record(rest);

    // 1: five left rows, the right watches "a".
    lm.delta(
      RowSet.EMPTY,
      rows(
        LEFT,
        [0, 1, 2, 3, 4],
        [
          ["a", 1],
          ["b", 2],
          ["a", 3],
          [null, 4],
          ["c", 5],
        ],
      ),
      none(LEFT),
    );
    rm.delta(RowSet.EMPTY, rows(RIGHT, [0], [["a"]]), none(RIGHT));
    await g.runCycle();
    expect(watched.rowSet.toArray()).toEqual([0, 2]);
    expect(rest.rowSet.toArray()).toEqual([1, 3, 4]);

    // 2: the right adds "b" and null.
    rm.delta(RowSet.EMPTY, rows(RIGHT, [1, 2], [["b"], [null]]), none(RIGHT));
    await g.runCycle();
    expect(watched.rowSet.toArray()).toEqual([0, 1, 2, 3]);

    // 3: the right removes "a".
    rm.delta(RowSet.of(0), none(RIGHT), none(RIGHT));
    await g.runCycle();
    expect(watched.rowSet.toArray()).toEqual([1, 3]);

    // 4: a second "b" on the right, then one removed: the key stays, no update.
    rm.delta(RowSet.EMPTY, rows(RIGHT, [3], [["b"]]), none(RIGHT));
    await g.runCycle();
    rm.delta(RowSet.of(1), none(RIGHT), none(RIGHT));
    await g.runCycle();

    // 5: left modifications: a price (passes through), a key moving out, a key moving in.
    lm.delta(
      RowSet.EMPTY,
      none(LEFT),
      rows(
        LEFT,
        [1, 3, 4],
        [
          ["b", 20],
          ["c", 4],
          ["b", 5],
        ],
      ),
      ["Sym", "Px"],
    );
    await g.runCycle();
    expect(watched.toRows()).toEqual([
      { Sym: "b", Px: 20 },
      { Sym: "b", Px: 5 },
    ]);
    expect(rest.toRows()).toEqual([
      { Sym: "a", Px: 1 },
      { Sym: "a", Px: 3 },
      { Sym: "c", Px: 4 },
    ]);

    // 6: the right's "b" row is modified into "a" and a left row is removed.
    rm.delta(RowSet.EMPTY, none(RIGHT), rows(RIGHT, [3], [["a"]]), ["Sym"]);
    lm.delta(RowSet.of(2), none(LEFT), none(LEFT));
    await g.runCycle();
    expect(watched.rowSet.toArray()).toEqual([0]);
    expect(rest.rowSet.toArray()).toEqual([1, 3, 4]);

    expect(w.updates).toEqual([
      { added: [0, 2], removed: [], modified: [], modifiedColumns: [] },
      { added: [1, 3], removed: [], modified: [], modifiedColumns: [] },
      { added: [], removed: [0, 2], modified: [], modifiedColumns: [] },
      { added: [4], removed: [3], modified: [1], modifiedColumns: ["Sym", "Px"] },
      { added: [0], removed: [1, 4], modified: [], modifiedColumns: [] },
    ]);
    expect(n.updates).toEqual([
      { added: [1, 3, 4], removed: [], modified: [], modifiedColumns: [] },
      { added: [], removed: [1, 3], modified: [], modifiedColumns: [] },
      { added: [0, 2], removed: [], modified: [], modifiedColumns: [] },
      { added: [3], removed: [4], modified: [], modifiedColumns: [] },
      { added: [1, 4], removed: [0, 2], modified: [], modifiedColumns: [] },
    ]);
    expect([w.failures, n.failures]).toEqual([[], []]);
  });

  it("an append-only left stays append-only against a static right, not a refreshing one", async () => {
    const g = new UpdateGraph();
    const wr = new DynamicTableWriter(g, LEFT);
    const fixed = wr.table.whereIn(symTable(["a"]), "Sym");
    const [watch, pub] = tablePublisher(g, { name: "w", columns: RIGHT });
    const live = wr.table.whereIn(watch, "Sym");
    expect([fixed.isAppendOnly, fixed.isRefreshing]).toEqual([true, true]);
    expect([live.isAppendOnly, live.isAddOnly, live.isRefreshing]).toEqual([false, false, true]);
    // Rows can leave the live result, so positions move: i / ii are refused there only.
    expect(() => live.update("P = i")).toThrow(FormulaError);
    expect(fixed.update("P = i").isAppendOnly).toBe(true);
    const f = record(fixed);
    const l = record(live);
    wr.writeRow("a", 1);
    wr.writeRow("b", 2);
    pub.addRows([{ Sym: "b" }]);
    await g.runCycle();
    wr.writeRow("a", 3);
    await g.runCycle(); // the blink right empties: "b" leaves
    expect(colValues(fixed, "Px")).toEqual([1, 3]);
    expect(live.size).toBe(0);
    expect(f.updates.map((u) => u.added)).toEqual([[0], [2]]);
    expect(l.updates).toEqual([
      { added: [1], removed: [], modified: [], modifiedColumns: [] },
      { added: [], removed: [1], modified: [], modifiedColumns: [] },
    ]);
  });

  it("a blink left is filtered each cycle against the right's current rows", async () => {
    const g = new UpdateGraph();
    const [trades, pub] = tablePublisher(g, { name: "t", columns: LEFT });
    const rm = mirrorTable(g, RIGHT);
    const watched = trades.whereIn(rm.table, "Sym");
    expect([watched.isBlink, watched.isRefreshing]).toEqual([true, true]);
    const w = record(watched);
    rm.delta(RowSet.EMPTY, rows(RIGHT, [0], [["a"]]), none(RIGHT));
    pub.addRows([
      { Sym: "a", Px: 1 },
      { Sym: "b", Px: 2 },
      { Sym: "a", Px: 3 },
    ]);
    await g.runCycle();
    expect(watched.toRows()).toEqual([
      { Sym: "a", Px: 1 },
      { Sym: "a", Px: 3 },
    ]);
    // The blink keys 0..n-1 are reused: key 0 leaves and comes back with new values.
    rm.delta(RowSet.EMPTY, rows(RIGHT, [1], [["b"]]), none(RIGHT));
    pub.addRows([
      { Sym: "b", Px: 4 },
      { Sym: "c", Px: 5 },
    ]);
    await g.runCycle();
    expect(watched.toRows()).toEqual([{ Sym: "b", Px: 4 }]);
    await g.runCycle();
    expect(watched.size).toBe(0);
    expect(w.updates).toEqual([
      { added: [0, 2], removed: [], modified: [], modifiedColumns: [] },
      { added: [0], removed: [0, 2], modified: [], modifiedColumns: [] },
      { added: [], removed: [0], modified: [], modifiedColumns: [] },
    ]);
  });

  it("a static left follows a refreshing right", async () => {
    const g = new UpdateGraph();
    const left = newTable([col("Sym", "string", ["a", "b", "a"])]);
    const rm = mirrorTable(g, RIGHT);
    const watched = left.whereIn(rm.table, "Sym");
    expect([watched.isRefreshing, watched.size]).toEqual([true, 0]);
    const w = record(watched);
    rm.delta(RowSet.EMPTY, rows(RIGHT, [5], [["a"]]), none(RIGHT));
    await g.runCycle();
    rm.delta(RowSet.of(5), rows(RIGHT, [6], [["b"]]), none(RIGHT));
    await g.runCycle();
    expect(w.updates).toEqual([
      { added: [0, 2], removed: [], modified: [], modifiedColumns: [] },
      { added: [1], removed: [0, 2], modified: [], modifiedColumns: [] },
    ]);
  });
});

describe("whereIn in a family spec", () => {
  const columns = { Sym: "string", Price: "float64", Size: "int64" };

  it("takes another view of the family as the right table", async () => {
    const g = new UpdateGraph();
    const f = buildFamily(
      {
        columns,
        derived: {
          history: "blinkToAppendOnly(source)",
          big: 'source.where("Size >= 100").lastBy("Sym")',
          watched: 'history.whereIn(big, "Sym")',
          quiet: 'history.whereNotIn(big, "Sym")',
        },
      },
      g,
    );
    const watched = f.views.get("watched")!;
    const quiet = f.views.get("quiet")!;
    expect([watched.isRefreshing, watched.isAppendOnly]).toEqual([true, false]);
    f.publisher!.addRows([
      { Sym: "A", Price: 1, Size: 10n },
      { Sym: "B", Price: 2, Size: 200n },
    ]);
    await g.runCycle();
    expect(colValues(watched, "Price")).toEqual([2]);
    f.publisher!.addRows([{ Sym: "A", Price: 3, Size: 100n }]);
    await g.runCycle();
    expect(colValues(watched, "Price")).toEqual([1, 2, 3]);
    expect(quiet.size).toBe(0);
  });

  it("names the derived table and position of a bad match column", () => {
    const g = new UpdateGraph();
    let err: unknown;
    try {
      buildFamily(
        { columns, derived: { last: 'source.lastBy("Sym")', w: 'source.whereIn(last, "Nope")' } },
        g,
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).message).toBe(
      'derived table "w" at position 7: whereIn: unknown left column [Nope]; left columns are [Sym, Price, Size]',
    );
  });
});

describe("whereIn over a right of ever-new keys", () => {
  it("frees the slots of keys no row holds; new keys reusing them pass only their own rows", async () => {
    const g = new UpdateGraph();
    const [right, rp] = tablePublisher(g, { name: "r", columns: RIGHT });
    const fixed = symTable(["K0", "K1", "K2", "K3", null]);
    const m = mirrorTable(g, RIGHT);
    m.reset(rows(RIGHT, [0, 1], [["K1"], ["K3"]]));
    const a = fixed.whereIn(right, "Sym");
    const b = m.table.whereIn(right, "Sym");
    const c = m.table.whereNotIn(right, "Sym");
    for (let i = 0; i < 4; i++) {
      // Each cycle a new right key replaces the last cycle's (a blink right), whose slot is freed.
      rp.addRows([{ Sym: `K${i}` }]);
      await g.runCycle();
      expect(colValues(a, "Sym")).toEqual([`K${i}`]);
      expect(colValues(b, "Sym")).toEqual(["K1", "K3"].filter((s) => s === `K${i}`));
      expect(colValues(c, "Sym")).toEqual(["K1", "K3"].filter((s) => s !== `K${i}`));
    }
    await g.runCycle();
    expect([a.size, b.size, c.size]).toEqual([0, 0, 2]);
  });
});
