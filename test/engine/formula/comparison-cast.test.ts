import { describe, expect, it } from "vitest";
import {
  col,
  doubles,
  floats,
  ints,
  longs,
  MAX_LONG,
  MIN_LONG,
  run,
  strs,
  typeOf,
  value,
  values,
} from "./helpers.ts";

describe("comparisons", () => {
  it("numeric comparisons promote their operands", () => {
    expect(value("1 == 1.0")).toBe(true);
    expect(value("1 < 1.5")).toBe(true);
    expect(value("2L > 1")).toBe(true);
    expect(value("0.1f == 0.1")).toBe(false);
    expect(value("0.5f == 0.5")).toBe(true);
    expect(value("'a' == 97")).toBe(true);
    expect(value("'a' < 'b'")).toBe(true);
    expect(value("9007199254740993L > 9007199254740992L")).toBe(true);
    expect(value("9007199254740993L == 9007199254740992L")).toBe(false);
    expect(values("R = X >= 2", { X: ints(1, 2, 3) })).toEqual([false, true, true]);
    expect(values("R = L < 0", { L: longs(MIN_LONG, 0n, MAX_LONG) })).toEqual([true, false, false]);
  });

  it("strings compare by value and by UTF-16 code units", () => {
    const S = strs("AAPL", "MSFT", "aapl");
    expect(values("R = S == `AAPL`", { S })).toEqual([true, false, false]);
    expect(values("R = S != `AAPL`", { S })).toEqual([false, true, true]);
    expect(values("R = S < `B`", { S })).toEqual([true, false, false]);
    expect(value("`B` < `a`")).toBe(true);
    expect(value("`ab` > `a`")).toBe(true);
  });

  it("instants compare exactly", () => {
    const T = col("instant", [1704067200000000000n, 1704067200000000001n]);
    expect(values("R = T > '2024-01-01T00:00:00Z'", { T })).toEqual([false, true]);
    expect(values("R = T == '2024-01-01T00:00:00Z'", { T })).toEqual([true, false]);
    expect(
      values("R = T < now()", { T }, { ctx: { nowNanos: () => 1704067200000000001n } }),
    ).toEqual([true, false]);
  });

  it("booleans support == and !=", () => {
    expect(value("true == false")).toBe(false);
    expect(value("true != false")).toBe(true);
    expect(value("(1 < 2) == true")).toBe(true);
  });

  it("where filters: && || ! and = as ==", () => {
    const X = ints(3, 7, 9, 12);
    const Sym = strs("AAPL", "AAPL", "MSFT", "AAPL");
    const filter = (text: string) => run(text, { X, Sym }, { mode: "filter" }).values;
    expect(filter("X > 5 && Sym == `AAPL`")).toEqual([false, true, false, true]);
    expect(filter("X < 5 || Sym == `MSFT`")).toEqual([true, false, true, false]);
    expect(filter("!(X > 5)")).toEqual([true, false, false, false]);
    expect(filter("Sym = `MSFT`")).toEqual([false, false, true, false]);
    expect(filter("X % 3 == 0 ? true : false")).toEqual([true, false, true, true]);
    expect(run("X > 5", { X }, { mode: "filter" }).f.type).toBe("bool");
  });
});

describe("ternary", () => {
  it("promotes numeric branches to a common type", () => {
    expect(typeOf("true ? 1 : 2.5")).toBe("float64");
    expect(value("true ? 1 : 2.5")).toBe(1);
    expect(typeOf("false ? 1 : 2L")).toBe("int64");
    expect(value("false ? 1 : 2L")).toBe(2n);
    expect(values("R = X > 1 ? X : -X", { X: ints(1, 2, 3) })).toEqual([-1, 2, 3]);
    expect(values("R = ii % 2 == 0 ? `A` : `B`", {}, { rows: 4 })).toEqual(["A", "B", "A", "B"]);
  });

  it("selects longs beyond 2^53 exactly", () => {
    const L = longs(2n ** 62n + 1n, 5n);
    expect(values("R = L > 10L ? L : 7L", { L })).toEqual([2n ** 62n + 1n, 7n]);
  });

  it("is right-associative", () => {
    expect(values("R = X < 0 ? `neg` : X == 0 ? `zero` : `pos`", { X: ints(-1, 0, 1) })).toEqual([
      "neg",
      "zero",
      "pos",
    ]);
  });
});

describe("casts (Java semantics)", () => {
  it("floating to integral truncates toward zero, saturates, NaN is 0", () => {
    expect(
      values("R = (int) D", { D: doubles(3.9, -3.9, 1e20, -1e20, Number.NaN, 2147483647.5) }),
    ).toEqual([3, -3, 2147483647, -2147483648, 0, 2147483647]);
    expect(
      values("R = (long) D", { D: doubles(3.9, -3.9, 1e20, -1e20, Number.NaN, 2 ** 60) }),
    ).toEqual([3n, -3n, MAX_LONG, MIN_LONG, 0n, 2n ** 60n]);
    expect(value("(short) 1e10")).toBe(-1);
    expect(value("(byte) 300.7")).toBe(44);
    expect(value("(char) 65.9")).toBe("A");
    expect(values("R = (int) F", { F: floats(-2.5, 7.75) })).toEqual([-2, 7]);
  });

  it("integral narrowing keeps the low bits", () => {
    expect(value("(byte) 200")).toBe(-56);
    expect(typeOf("(byte) 200")).toBe("int8");
    expect(value("(short) 70000")).toBe(4464);
    expect(typeOf("(short) 1")).toBe("int16");
    expect(value("(char) -1")).toBe("\uffff");
    expect(value("(int) 4294967297L")).toBe(1);
    expect(value("(int) 9223372036854775807L")).toBe(-1);
    expect(value("(byte) 9007199254740993L")).toBe(1);
    expect(values("R = (int) L", { L: longs(2n ** 32n + 5n, -1n, 2n ** 62n + 7n) })).toEqual([
      5, -1, 7,
    ]);
    expect(values("R = (short) C", { C: col("char", ["\uffff"]) })).toEqual([-1]);
  });

  it("widening and rounding conversions", () => {
    expect(value("(long) 5")).toBe(5n);
    expect(value("(double) 7 / 2")).toBe(3.5);
    expect(value("(float) 16777217")).toBe(16777216);
    expect(value("(float) 0.1")).toBe(Math.fround(0.1));
    expect(value("(double) 9007199254740993L")).toBe(9007199254740992);
    expect(value("(int) 'A'")).toBe(65);
    expect(value("(double) 'A'")).toBe(65);
    expect(values("R = (double) B", { B: col("int8", [-5, 100]) })).toEqual([-5, 100]);
    expect(values("R = (long) S", { S: col("int16", [-300]) })).toEqual([-300n]);
  });

  it("a cast binds tighter than binary operators", () => {
    expect(value("(int) 2.7 * 2")).toBe(4);
    expect(value("(int) (2.7 * 2)")).toBe(5);
    expect(value("(int) -2.7")).toBe(-2);
  });

  it("identity casts and boolean casts", () => {
    expect(value("(int) 5")).toBe(5);
    expect(value("(boolean) true")).toBe(true);
    expect(values("R = (long) L", { L: longs(2n ** 62n) })).toEqual([2n ** 62n]);
  });
});
