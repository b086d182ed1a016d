import { describe, expect, it } from "vitest";
import {
  ArgumentError,
  boolCol,
  byteCol,
  charCol,
  doubleCol,
  emptyTable,
  FormulaError,
  floatCol,
  instantCol,
  intCol,
  longCol,
  merge,
  newTable,
  SchemaError,
  shortCol,
  stringCol,
  ValueError,
} from "../../src/engine/index.ts";
import { col } from "../../src/engine/new-table.ts";
import { colValues } from "./helpers.ts";

const abc = () =>
  newTable([
    intCol("X", [1, 2, 3, 4, 5]),
    stringCol("S", ["a", "b", null, "d", "e"]),
    doubleCol("D", [0.5, null, 2.5, 3.5, 4.5]),
  ]);

describe("static tables", () => {
  it("seed: emptyTable(10).update(IntIdx = i, LongIdx = ii)", () => {
    const t = emptyTable(10).update("IntIdx = i", "LongIdx = ii");
    expect(t.isRefreshing).toBe(false);
    expect(t.columns).toEqual({ IntIdx: "int32", LongIdx: "int64" });
    expect(t.toRows()).toEqual(
      Array.from({ length: 10 }, (_, i) => ({ IntIdx: i, LongIdx: BigInt(i) })),
    );
  });

  it("newTable holds every type, nulls included", () => {
    const t = newTable([
      byteCol("B", [1, null]),
      shortCol("Sh", [-300, null]),
      intCol("I", [2 ** 31 - 1, null]),
      longCol("L", [2n ** 63n - 1n, null]),
      floatCol("F", [1.5, null]),
      doubleCol("D", [Math.PI, null]),
      boolCol("Z", [true, null]),
      charCol("C", ["x", null]),
      stringCol("S", ["hé", null]),
      instantCol("T", ["2024-01-01T00:00:00.123456789Z", null]),
    ]);
    expect(t.size).toBe(2);
    expect(t.columns).toEqual({
      B: "int8",
      Sh: "int16",
      I: "int32",
      L: "int64",
      F: "float32",
      D: "float64",
      Z: "bool",
      C: "char",
      S: "string",
      T: "instant",
    });
    expect(t.toRows()).toEqual([
      {
        B: 1,
        Sh: -300,
        I: 2147483647,
        L: 9223372036854775807n,
        F: 1.5,
        D: Math.PI,
        Z: true,
        C: "x",
        S: "hé",
        T: 1704067200123456789n,
      },
      { B: null, Sh: null, I: null, L: null, F: null, D: null, Z: null, C: null, S: null, T: null },
    ]);
  });

  it("newTable and emptyTable reject bad input with clear errors", () => {
    expect(() => newTable([intCol("X", [1]), intCol("X", [2])])).toThrow(
      'Duplicate column name "X"',
    );
    expect(() => newTable([intCol("", [1])])).toThrow(SchemaError);
    expect(() => newTable([intCol("for", [1])])).toThrow(/reserved word/);
    expect(() => newTable([intCol("a-b", [1])])).toThrow(/Invalid column name "a-b"/);
    expect(() => newTable([intCol("X", [1, 2]), intCol("Y", [1])])).toThrow(
      /Column "Y" has 1 values but column "X" has 2/,
    );
    expect(() => newTable([intCol("X", [1.5])])).toThrow(/row 0, column "X": expected int32/);
    expect(() => newTable([byteCol("X", [200])])).toThrow(/out of range/);
    expect(() => newTable([charCol("C", ["ab"])])).toThrow(/one-character/);
    expect(() => emptyTable(-1)).toThrow(ArgumentError);
  });

  it("float32 refuses finite values beyond its range, like int32 overflow; NaN and ±Infinity stay", () => {
    const F32_MAX = 3.4028234663852886e38;
    expect(() => newTable([floatCol("F", [1, 1e39])])).toThrow(
      new ValueError(
        `row 1, column "F": expected float32, got 1e+39 (out of float32 range: largest magnitude ${F32_MAX})`,
        "F",
        1,
      ),
    );
    expect(() => newTable([floatCol("F", [-3.5e38])])).toThrow(/row 0, column "F".*out of float32/);
    // Values that round to the largest float32 are in range; so are the non-finite values.
    const ok = newTable([
      floatCol("F", [F32_MAX, -3.4028235e38, Number.POSITIVE_INFINITY, Number.NaN, 1e-50]),
    ]);
    expect(colValues(ok, "F")).toEqual([
      F32_MAX,
      -F32_MAX,
      Number.POSITIVE_INFINITY,
      Number.NaN,
      0,
    ]);
    expect(newTable([col("F", "float32", ["Infinity", "-Infinity", "NaN"])]).toRows()).toEqual([
      { F: Number.POSITIVE_INFINITY },
      { F: Number.NEGATIVE_INFINITY },
      { F: Number.NaN },
    ]);
    // float64 keeps every finite double; a bigint beyond it is refused, not made Infinity.
    expect(colValues(newTable([doubleCol("D", [1e300])]), "D")).toEqual([1e300]);
    expect(() => newTable([col("D", "float64", [10n ** 400n])])).toThrow(
      /row 0, column "D": expected float64, got 1000*n \(out of float64 range\)/,
    );
  });

  it("update adds or replaces columns; formulas see earlier formulas", () => {
    const t = abc().update("Y = X * 2", "X = X + 100", "Z = Y + X");
    expect(t.columnNames).toEqual(["X", "S", "D", "Y", "Z"]);
    expect(colValues(t, "X")).toEqual([101, 102, 103, 104, 105]);
    expect(colValues(t, "Z")).toEqual([103, 106, 109, 112, 115]);
  });

  it("view and select keep only the listed columns; a bare name keeps a column; renames", () => {
    const v = abc().view("S", "Twice = X * 2", "Copy = D");
    expect(v.columns).toEqual({ S: "string", Twice: "int32", Copy: "float64" });
    expect(v.toRows()[1]).toEqual({ S: "b", Twice: 4, Copy: null });
    const s = abc().select("X");
    expect(s.columnNames).toEqual(["X"]);
    expect(abc().updateView("Half = X / 2").columns.Half).toBe("float64");
  });

  it("where keeps rows where every filter is true; null is false", () => {
    const t = abc();
    expect(colValues(t.where("X > 2"), "X")).toEqual([3, 4, 5]);
    expect(colValues(t.where("X > 1", "D > 1.0"), "X")).toEqual([3, 4, 5]);
    expect(colValues(t.where("D < 3.0"), "X")).toEqual([1, 2, 3]); // null D: null < 3.0 is true (nulls sort first)
    expect(colValues(t.where("D > 1.0"), "X")).toEqual([3, 4, 5]);
    expect(colValues(t.where("S == `b` || S == `d`"), "X")).toEqual([2, 4]);
    expect(colValues(t.where("!isNull(S)"), "X")).toEqual([1, 2, 4, 5]);
    expect(colValues(t.where("i % 2 == 0"), "X")).toEqual([1, 3, 5]);
    expect(() => t.where("X + 1")).toThrow(FormulaError);
    expect(() => t.where("Nope > 1")).toThrow(/Nope/);
  });

  it("dropColumns and renameColumns", () => {
    const t = abc();
    expect(t.dropColumns("S", "D").columnNames).toEqual(["X"]);
    expect(() => t.dropColumns("Q")).toThrow(
      "Unknown column names [Q], available column names are [X, S, D]",
    );
    const r = t.renameColumns("Name = S", "Value = D");
    expect(r.columnNames).toEqual(["X", "Name", "Value"]);
    expect(r.toRows()[0]).toEqual({ X: 1, Name: "a", Value: 0.5 });
    expect(t.renameColumns("X = D").columnNames).toEqual(["S", "X"]);
    expect(() => t.renameColumns("A = Q")).toThrow(/Unknown column names \[Q\]/);
    expect(() => t.renameColumns("A")).toThrow(/NewName = OldName/);
    expect(() => t.renameColumns("1A = X")).toThrow(SchemaError);
  });

  it("head, tail, slice, headPct, tailPct, slicePct by position", () => {
    const t = emptyTable(10).update("X = i");
    expect(colValues(t.head(3), "X")).toEqual([0, 1, 2]);
    expect(colValues(t.tail(3), "X")).toEqual([7, 8, 9]);
    expect(colValues(t.head(20), "X").length).toBe(10);
    expect(colValues(t.slice(2, 5), "X")).toEqual([2, 3, 4]);
    expect(colValues(t.slice(-3, -1), "X")).toEqual([7, 8]);
    expect(colValues(t.headPct(0.25), "X")).toEqual([0, 1, 2]);
    expect(colValues(t.tailPct(0.2), "X")).toEqual([8, 9]);
    expect(colValues(t.slicePct(0.5, 0.7), "X")).toEqual([5, 6]);
    expect(() => t.head(-1)).toThrow(ArgumentError);
    expect(() => t.headPct(2)).toThrow(ArgumentError);
  });

  it("merge puts all rows of the first table, then the next; schemas must match", () => {
    const a = newTable([intCol("X", [1, 2]), stringCol("S", ["a", "b"])]);
    const b = newTable([stringCol("S", ["c"]), intCol("X", [3])]);
    const m = merge(a, b, a);
    expect(m.toRows()).toEqual([
      { X: 1, S: "a" },
      { X: 2, S: "b" },
      { X: 3, S: "c" },
      { X: 1, S: "a" },
      { X: 2, S: "b" },
    ]);
    expect(() => merge(a, newTable([intCol("X", [1])]))).toThrow(/no column "S"/);
    expect(() => merge(a, newTable([longCol("X", [1n]), stringCol("S", ["c"])]))).toThrow(
      /column "X" is int64 in table 1 but int32/,
    );
    expect(() => merge()).toThrow(ArgumentError);
  });

  it("snapshot copies; large tables span pages", () => {
    const t = emptyTable(10_000).update("X = ii * 3", "Y = (double) i / 2");
    const s = t.snapshot();
    expect(s.size).toBe(10_000);
    expect(s.getValue("X", 9_999)).toBe(29_997n);
    expect(s.getValue("Y", 4_097)).toBe(2048.5);
    const w = t.where("X % 2 == 0");
    expect(w.size).toBe(5_000);
    expect(w.update("Z = X + 1").getValue("Z", 9_998)).toBe(29_995n);
  });
});
