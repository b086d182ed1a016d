/**
 * Column lists: every operation that takes column names accepts one comma-separated string, an
 * array, or (varargs) several of either, parsed by the one shared parser (column-list.ts), in
 * Table methods and in family specs alike; an empty entry is an ArgumentError naming the
 * operation.
 */
import { describe, expect, it } from "vitest";
import { columnList } from "../../src/engine/column-list.ts";
import { buildFamily } from "../../src/engine/family/family.ts";
import {
  ArgumentError,
  agg,
  doubleCol,
  intCol,
  newTable,
  stringCol,
  UpdateGraph,
} from "../../src/engine/index.ts";

const t = newTable([
  stringCol("Sym", ["A", "B", "A", "A"]),
  stringCol("Exch", ["X", "X", "Y", "X"]),
  intCol("Size", [1, 2, 3, 4]),
  doubleCol("Px", [10, 20, 30, 40]),
]);

describe("columnList", () => {
  it("splits strings at commas, trims entries and flattens arrays and varargs", () => {
    expect(columnList("Sym", "op")).toEqual(["Sym"]);
    expect(columnList(" Sym ,Exch ", "op")).toEqual(["Sym", "Exch"]);
    expect(columnList(["Sym, Exch", "Size"], "op")).toEqual(["Sym", "Exch", "Size"]);
    expect(columnList(["A = B, C", ["D"]], "op")).toEqual(["A = B", "C", "D"]);
    expect(columnList([], "op")).toEqual([]);
  });

  it("refuses empty entries and non-strings, naming the operation", () => {
    expect(() => columnList("A,,B", "sumBy")).toThrow(
      new ArgumentError('sumBy: empty entry in column list "A,,B"'),
    );
    expect(() => columnList(["A", "B,"], "dropColumns")).toThrow(
      'dropColumns: empty entry in column list "B,"',
    );
    expect(() => columnList([""], "headBy")).toThrow('headBy: empty entry in column list ""');
    expect(() => columnList(["A", 3 as unknown as string], "aggBy")).toThrow(
      "aggBy: a column list holds strings, got number 3",
    );
  });
});

describe("operations taking column lists", () => {
  const same = (a: { toRows(): unknown[] }, b: { toRows(): unknown[] }) =>
    expect(a.toRows()).toEqual(b.toRows());

  it('the *By aggregations take "A, B" like ["A", "B"] and varargs', () => {
    const want = [
      { Sym: "A", Exch: "X", Size: 5n, Px: 50 },
      { Sym: "B", Exch: "X", Size: 2n, Px: 20 },
      { Sym: "A", Exch: "Y", Size: 3n, Px: 30 },
    ];
    expect(t.sumBy("Sym, Exch").toRows()).toEqual(want);
    expect(t.sumBy(["Sym", "Exch"]).toRows()).toEqual(want);
    expect(t.sumBy("Sym", "Exch").toRows()).toEqual(want);
    same(t.lastBy("Sym,Exch"), t.lastBy("Sym", "Exch"));
    same(t.countBy("N", "Sym, Exch"), t.countBy("N", ["Sym", "Exch"]));
    expect(t.countBy("N", "Sym, Exch").columnNames).toEqual(["Sym", "Exch", "N"]);
    same(
      t.aggBy([agg.sum("Size, Px")], "Sym, Exch"),
      t.aggBy([agg.sum("Size", "Px")], "Sym", "Exch"),
    );
    expect(t.aggBy(agg.max("Hi = Px, Size"), "Sym").toRows()).toEqual([
      { Sym: "A", Hi: 40, Size: 4 },
      { Sym: "B", Hi: 20, Size: 2 },
    ]);
  });

  it("headBy / tailBy, partitionBy and dropColumns / renameColumns split at commas", () => {
    expect(t.headBy(1, "Sym, Exch").toRows()).toEqual(t.headBy(1, ["Sym", "Exch"]).toRows());
    expect(t.tailBy(1, "Sym, Exch").size).toBe(3);
    expect(t.partitionBy("Sym, Exch").table.columnNames).toEqual(
      t.partitionBy("Sym", "Exch").table.columnNames,
    );
    expect(t.dropColumns("Exch, Px").columnNames).toEqual(["Sym", "Size"]);
    expect(t.dropColumns(["Exch", "Px, Size"]).columnNames).toEqual(["Sym"]);
    expect(t.renameColumns("S = Sym, E = Exch").columnNames).toEqual(["S", "E", "Size", "Px"]);
  });

  it("an empty entry is an error naming the operation", () => {
    expect(() => t.sumBy("Sym,")).toThrow('sumBy: empty entry in column list "Sym,"');
    expect(() => t.dropColumns("Px,,Size")).toThrow("dropColumns: empty entry in column list");
    expect(() => t.headBy(1, " , Sym")).toThrow("headBy: empty entry in column list");
    expect(() => agg.sum("Size,")).toThrow("agg.sum: empty entry in column list");
  });

  it("family specs take the same lists", async () => {
    const g = new UpdateGraph();
    const f = buildFamily(
      {
        columns: { Sym: "string", Exch: "string", Size: "int32" },
        derived: {
          total: 'source.sumBy("Sym, Exch")',
          slim: 'source.dropColumns("Exch, Size")',
        },
      },
      g,
    );
    f.publisher!.addRows([
      { Sym: "A", Exch: "X", Size: 1 },
      { Sym: "A", Exch: "X", Size: 2 },
    ]);
    await g.runCycle();
    expect(f.views.get("total")!.toRows()).toEqual([{ Sym: "A", Exch: "X", Size: 3n }]);
    expect(f.views.get("slim")!.columnNames).toEqual(["Sym"]);
  });
});
