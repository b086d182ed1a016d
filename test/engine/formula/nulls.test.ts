import { describe, expect, it } from "vitest";
import {
  bools,
  chars,
  col,
  doubles,
  floats,
  ints,
  longs,
  run,
  strs,
  value,
  values,
} from "./helpers.ts";

describe("null propagation", () => {
  it("arithmetic with a null operand is null, for every numeric type", () => {
    expect(values("R = X + Y", { X: ints(1, null, 3), Y: ints(null, 2, 4) })).toEqual([
      null,
      null,
      7,
    ]);
    expect(values("R = X * Y", { X: longs(1n, null, 3n), Y: longs(null, 2n, 4n) })).toEqual([
      null,
      null,
      12n,
    ]);
    expect(values("R = X - Y", { X: longs(2n ** 62n, null), Y: longs(null, 2n ** 62n) })).toEqual([
      null,
      null,
    ]);
    expect(values("R = X / Y", { X: doubles(1, null, 3), Y: doubles(null, 2, 4) })).toEqual([
      null,
      null,
      0.75,
    ]);
    expect(values("R = X % Y", { X: floats(1, null, 3), Y: floats(null, 2, 2) })).toEqual([
      null,
      null,
      1,
    ]);
    expect(values("R = X / Y", { X: ints(1, null), Y: ints(null, 2) })).toEqual([null, null]);
    expect(values("R = X + 1.5", { X: ints(1, null) })).toEqual([2.5, null]);
    expect(values("R = -X", { X: ints(1, null) })).toEqual([-1, null]);
    expect(values("R = -X", { X: longs(-(2n ** 63n), null) })).toEqual([-(2n ** 63n), null]);
    expect(value("1 + NULL_INT")).toBe(null);
    expect(value("1.5 * NULL_DOUBLE")).toBe(null);
    expect(value("1 + null")).toBe(null);
  });

  it("a null in one row does not disturb the others", () => {
    const X = ints(10, null, 30, null, 50);
    expect(values("R = X * 2 + 1", { X })).toEqual([21, null, 61, null, 101]);
    expect(values("R = (double) X / 4", { X })).toEqual([2.5, null, 7.5, null, 12.5]);
  });

  it("casts of null stay null", () => {
    expect(values("R = (int) D", { D: doubles(1.9, null) })).toEqual([1, null]);
    expect(values("R = (long) X", { X: ints(7, null) })).toEqual([7n, null]);
    expect(values("R = (double) L", { L: longs(null, 3n) })).toEqual([null, 3]);
    expect(value("(short) NULL_INT")).toBe(null);
  });

  it("isNull is never null", () => {
    expect(values("R = isNull(X)", { X: ints(1, null) })).toEqual([false, true]);
    expect(values("R = isNull(S)", { S: strs(null, "") })).toEqual([true, false]);
    expect(values("R = isNull(L)", { L: longs(null, 2n ** 62n) })).toEqual([true, false]);
  });
});

describe("comparisons with nulls", () => {
  // Rows: both null, left null, right null, both equal, left smaller, left greater.
  const expected = {
    "==": [true, false, false, true, false, false],
    "!=": [false, true, true, false, true, true],
    "<": [false, true, false, false, true, false],
    "<=": [true, true, false, true, true, false],
    ">": [false, false, true, false, false, true],
    ">=": [true, false, true, true, false, true],
  } as const;
  const cases = {
    int: [ints(null, null, 1, 5, 1, 9), ints(null, 5, null, 5, 2, 3)],
    long: [longs(null, null, 1n, 5n, 1n, 9n), longs(null, 5n, null, 5n, 2n, 3n)],
    bigLong: [
      longs(null, null, 2n ** 60n, -(2n ** 60n), -(2n ** 62n), 2n ** 62n),
      longs(null, -(2n ** 62n), null, -(2n ** 60n), 2n ** 60n + 1n, 2n ** 62n - 1n),
    ],
    double: [doubles(null, null, 1, 5, -1.5, 9), doubles(null, 5, null, 5, 2, 3)],
    string: [strs(null, null, "a", "b", "a", "b"), strs(null, "b", null, "b", "b", "a")],
    char: [chars(null, null, "a", "b", "a", "b"), chars(null, "b", null, "b", "b", "a")],
    instant: [
      col("instant", [null, null, 1704067200000000000n, 5n, 1n, 1704067200000000001n]),
      col("instant", [null, 5n, null, 5n, 1704067200000000000n, 1704067200000000000n]),
    ],
  } as const;
  for (const [kind, [A, B]] of Object.entries(cases)) {
    for (const [op, want] of Object.entries(expected)) {
      it(`${kind} ${op}`, () => {
        expect(values(`R = A ${op} B`, { A, B })).toEqual(want);
        expect(run(`A ${op} B`, { A, B }, { mode: "filter" }).values).toEqual(want);
      });
    }
  }

  it("bool == and != with nulls", () => {
    const A = bools(null, null, true, true, false);
    const B = bools(null, true, null, true, true);
    expect(values("R = A == B", { A, B })).toEqual([true, false, false, true, false]);
    expect(values("R = A != B", { A, B })).toEqual([false, true, true, false, true]);
  });

  it("null is less than every value", () => {
    expect(value("null < 5")).toBe(true);
    expect(value("NULL_INT < MIN_INT")).toBe(true);
    expect(value("NULL_DOUBLE < NEG_INF_DOUBLE")).toBe(true);
    expect(value("5 > NULL_INT")).toBe(true);
    expect(value("NULL_INT == NULL_INT")).toBe(true);
    expect(value("X == null".replace("X", "NULL_LONG"))).toBe(true);
    expect(values("R = X == null", { X: ints(1, null) })).toEqual([false, true]);
    expect(values("R = X != null", { X: strs("a", null) })).toEqual([true, false]);
  });

  it("NaN compares false with everything (IEEE), except !=", () => {
    const N = doubles(Number.NaN, Number.NaN);
    const Y = doubles(Number.NaN, 1);
    expect(values("R = N == Y", { N, Y })).toEqual([false, false]);
    expect(values("R = N != Y", { N, Y })).toEqual([true, true]);
    expect(values("R = N < Y", { N, Y })).toEqual([false, false]);
    expect(values("R = N >= Y", { N, Y })).toEqual([false, false]);
  });

  it("a filter with a null operand keeps nothing for that row", () => {
    const X = ints(10, null, 3);
    expect(run("X > 5", { X }, { mode: "filter" }).values).toEqual([true, false, false]);
  });
});

describe("boolean operators with nulls", () => {
  const A = bools(true, true, false, null, null, null, false);
  const B = bools(null, true, null, true, false, null, false);

  it("&& and || treat null as false", () => {
    expect(values("R = A && B", { A, B })).toEqual([
      false,
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(values("R = A || B", { A, B })).toEqual([true, true, false, true, false, false, false]);
  });

  it("! of null is null", () => {
    expect(values("R = !A", { A })).toEqual([false, false, true, null, null, null, true]);
    expect(run("!A", { A }, { mode: "filter" }).values).toEqual([
      false,
      false,
      true,
      null,
      null,
      null,
      true,
    ]);
  });

  it("?: with a null condition is null; the chosen branch's null is kept", () => {
    const C = bools(true, false, null, true);
    const X = ints(1, 2, 3, null);
    const Y = ints(10, null, 30, 40);
    expect(values("R = C ? X : Y", { C, X, Y })).toEqual([1, null, null, null]);
    expect(values("R = C ? `a` : `b`", { C })).toEqual(["a", "b", null, "a"]);
    expect(values("R = C ? 1L : 2L", { C })).toEqual([1n, 2n, null, 1n]);
    expect(values("R = C ? 2.5 : NULL_DOUBLE", { C })).toEqual([2.5, null, null, 2.5]);
  });
});
