import { describe, expect, it } from "vitest";
import {
  col,
  doubles,
  floats,
  ints,
  longs,
  MAX_LONG,
  MIN_LONG,
  strs,
  typeOf,
  value,
  values,
} from "./helpers.ts";

describe("int arithmetic (Java wrap-around)", () => {
  const X = ints(1, 2147483647, -5, -2147483648, 65536, 46341);
  const Y = ints(2, 1, 3, 1, 65536, 46341);

  it("+ - * wrap like Java ints", () => {
    expect(values("R = X + Y", { X, Y })).toEqual([3, -2147483648, -2, -2147483647, 131072, 92682]);
    expect(values("R = X - Y", { X, Y })).toEqual([-1, 2147483646, -8, 2147483647, 0, 0]);
    expect(values("R = X * Y", { X, Y })).toEqual([
      2, 2147483647, -15, -2147483648, 0, -2147479015,
    ]);
  });

  it("/ on ints gives a double", () => {
    expect(typeOf("X / Y", { X: "int32", Y: "int32" })).toBe("float64");
    expect(values("R = A / B", { A: ints(7, -7, 1, -1, 0), B: ints(2, 2, 0, 0, 0) })).toEqual([
      3.5,
      -3.5,
      Infinity,
      -Infinity,
      Number.NaN,
    ]);
  });

  it("% takes the dividend's sign; % 0 is null", () => {
    expect(
      values("R = A % B", { A: ints(7, -7, 7, -2147483648, 5), B: ints(3, 3, -3, -1, 0) }),
    ).toEqual([1, -1, 1, 0, null]);
  });

  it("unary minus and plus", () => {
    expect(values("R = -X", { X: ints(5, -2147483648, 0) })).toEqual([-5, -2147483648, 0]);
    expect(values("R = +X", { X: ints(5) })).toEqual([5]);
    expect(value("- -3")).toBe(3);
    expect(value("-(2 + 3) * 2")).toBe(-10);
  });

  it("precedence and associativity follow Java", () => {
    expect(value("1 + 2 * 3")).toBe(7);
    expect(value("(1 + 2) * 3")).toBe(9);
    expect(value("10 - 4 - 3")).toBe(3);
    expect(value("20 / 2 / 5")).toBe(2);
    expect(value("7 % 4 * 2")).toBe(6);
  });

  it("byte, short and char promote to int", () => {
    const B = col("int8", [127, -128]);
    const S = col("int16", [32767, 1]);
    expect(typeOf("B + B", { B: "int8" })).toBe("int32");
    expect(values("R = B + B", { B })).toEqual([254, -256]);
    expect(values("R = S * S", { S })).toEqual([1073676289, 1]);
    expect(values("R = -B", { B })).toEqual([-127, 128]);
    expect(typeOf("-B", { B: "int8" })).toBe("int32");
    expect(typeOf("'a' + 1")).toBe("int32");
    expect(value("'a' + 1")).toBe(98);
    expect(value("'b' - 'a'")).toBe(1);
  });
});

describe("long arithmetic (exact, 64-bit wrap-around)", () => {
  it("is exact beyond 2^53", () => {
    expect(value("9007199254740993L + 1L")).toBe(9007199254740994n);
    expect(value("9007199254740993L - 2L")).toBe(9007199254740991n);
    expect(value("9007199254740993L * 3L")).toBe(27021597764222979n);
    expect(value("9007199254740993L % 10L")).toBe(3n);
    expect(value("-9007199254740993L")).toBe(-9007199254740993n);
    expect(value("4503599627370497L * 2L")).toBe(9007199254740994n);
  });

  it("wraps on overflow like Java longs", () => {
    expect(value("9223372036854775807L + 1L")).toBe(MIN_LONG);
    expect(value("MIN_LONG - 1L")).toBe(MAX_LONG);
    expect(value("3037000500L * 3037000500L")).toBe(BigInt.asIntN(64, 3037000500n * 3037000500n));
    expect(value("4611686018427387904L * 2L")).toBe(MIN_LONG);
    expect(value("-MIN_LONG")).toBe(MIN_LONG);
    expect(value("MIN_LONG % -1L")).toBe(0n);
  });

  it("computes column batches on the fast path and falls back when needed", () => {
    const L = longs(1n, 2n, 9007199254740991n, -9007199254740991n);
    expect(values("R = L + 1L", { L })).toEqual([2n, 3n, 9007199254740992n, -9007199254740990n]);
    expect(values("R = L - 1L", { L })).toEqual([0n, 1n, 9007199254740990n, -9007199254740992n]);
    expect(values("R = L * L", { L })).toEqual(
      [1n, 4n, 81129638414606663681390495662081n, 81129638414606663681390495662081n].map((v) =>
        BigInt.asIntN(64, v),
      ),
    );
    const Big = longs(9007199254740993n, MIN_LONG, MAX_LONG, -7n);
    expect(values("R = Big + 1L", { Big })).toEqual([
      9007199254740994n,
      MIN_LONG + 1n,
      MIN_LONG,
      -6n,
    ]);
    expect(values("R = Big - 1L", { Big })).toEqual([
      9007199254740992n,
      MAX_LONG,
      MAX_LONG - 1n,
      -8n,
    ]);
    expect(values("R = Big * 2L", { Big })).toEqual([18014398509481986n, 0n, -2n, -14n]);
    expect(values("R = Big % 10L", { Big })).toEqual([3n, -8n, 7n, -7n]);
    expect(values("R = -Big", { Big })).toEqual([-9007199254740993n, MIN_LONG, -MAX_LONG, 7n]);
    expect(values("R = Big / 2L", { Big })).toEqual([4503599627370496, -(2 ** 62), 2 ** 62, -3.5]);
  });

  it("% by zero is null; / gives a double", () => {
    expect(values("R = A % B", { A: longs(5n, 7n, -7n), B: longs(0n, 2n, 2n) })).toEqual([
      null,
      1n,
      -1n,
    ]);
    expect(values("R = A % B", { A: longs(2n ** 60n, 5n), B: longs(0n, 3n) })).toEqual([null, 2n]);
    expect(typeOf("7L / 2L")).toBe("float64");
    expect(value("7L / 2L")).toBe(3.5);
    expect(value("1L / 0L")).toBe(Infinity);
  });

  it("int with long promotes to long", () => {
    expect(typeOf("X + 1L", { X: "int32" })).toBe("int64");
    expect(values("R = X + 1L", { X: ints(2147483647, -2147483648) })).toEqual([
      2147483648n,
      -2147483647n,
    ]);
    expect(values("R = X * L", { X: ints(2147483647), L: longs(2147483647n) })).toEqual([
      4611686014132420609n,
    ]);
  });
});

describe("double and float arithmetic (IEEE 754)", () => {
  it("double operators", () => {
    expect(value("0.1 + 0.2")).toBe(0.30000000000000004);
    expect(value("1.0 / 0.0")).toBe(Infinity);
    expect(value("-1.0 / 0.0")).toBe(-Infinity);
    expect(value("0.0 / 0.0")).toBeNaN();
    expect(value("5.5 % 2.0")).toBe(1.5);
    expect(value("-5.5 % 2")).toBe(-1.5);
    expect(value("2.5 * 4")).toBe(10);
    expect(value("1.0 - 3")).toBe(-2);
    expect(values("R = X * 2.5", { X: ints(1, 2, -3) })).toEqual([2.5, 5, -7.5]);
    expect(values("R = D / 4", { D: doubles(1, -2, 0) })).toEqual([0.25, -0.5, 0]);
    expect(values("R = -D", { D: doubles(1.5, 0) })).toEqual([-1.5, -0]);
  });

  it("float operators round to single precision", () => {
    expect(typeOf("0.1f + 0.2f")).toBe("float32");
    expect(value("0.1f + 0.2f")).toBe(Math.fround(Math.fround(0.1) + Math.fround(0.2)));
    expect(value("1.0f / 3.0f")).toBe(Math.fround(1 / 3));
    expect(value("16777216f + 1f")).toBe(16777216);
    expect(values("R = F * 3", { F: floats(0.1, 2) })).toEqual([
      Math.fround(Math.fround(0.1) * 3),
      6,
    ]);
    expect(value("5.5f % 2f")).toBe(1.5);
  });

  it("promotion picks double > float > long > int", () => {
    expect(typeOf("1f + 1")).toBe("float32");
    expect(typeOf("1f + 1L")).toBe("float32");
    expect(typeOf("1f + 1.0")).toBe("float64");
    expect(typeOf("1L + 1.0")).toBe("float64");
    expect(typeOf("1f / 2")).toBe("float32");
    expect(typeOf("1 % 2")).toBe("int32");
    expect(typeOf("1L % 2")).toBe("int64");
    expect(value("2147483647 + 1.0")).toBe(2147483648);
  });
});

describe("string concatenation", () => {
  it("+ with a string operand concatenates, Java-formatted", () => {
    expect(typeOf("`a` + 1")).toBe("string");
    expect(value("`a` + 1")).toBe("a1");
    expect(value("1 + 2 + `x`")).toBe("3x");
    expect(value("`x` + 1 + 2")).toBe("x12");
    expect(value("`v=` + 1.0")).toBe("v=1.0");
    expect(value("`v=` + 1.5")).toBe("v=1.5");
    expect(value("`` + 100.0")).toBe("100.0");
    expect(value("`` + 1234567.0")).toBe("1234567.0");
    expect(value("`` + 12345678.0")).toBe("1.2345678E7");
    expect(value("`` + 1e-4")).toBe("1.0E-4");
    expect(value("`` + 0.001")).toBe("0.001");
    expect(value("`` + -0.0")).toBe("-0.0");
    expect(value("`` + 0.0 / 0.0")).toBe("NaN");
    expect(value("`` + 1.0 / 0.0")).toBe("Infinity");
    expect(value("`` + 0.1f")).toBe("0.1");
    expect(value("`` + 1.1f")).toBe("1.1");
    expect(value("`` + 3f")).toBe("3.0");
    expect(value("`` + true")).toBe("true");
    expect(value("`` + 'c'")).toBe("c");
    expect(value("`` + 9007199254740993L")).toBe("9007199254740993");
    expect(value("`` + -42L")).toBe("-42");
    expect(value("`` + '2024-01-01T00:00:00Z'")).toBe("2024-01-01T00:00:00Z");
    expect(value("`a` + `b`")).toBe("ab");
  });

  it("a null operand is rendered as null", () => {
    expect(value("`x` + NULL_INT")).toBe("xnull");
    expect(value("`x` + null")).toBe("xnull");
    expect(values("R = S + X", { S: strs("a", null, "c"), X: ints(1, 2, null) })).toEqual([
      "a1",
      "null2",
      "cnull",
    ]);
  });
});

describe("instant arithmetic", () => {
  const T = col("instant", [1704067200000000000n, 1704067201500000000n, null]);
  it("instant ± long is an instant; instant - instant a long in nanoseconds", () => {
    expect(typeOf("T + 1L", { T: "instant" })).toBe("instant");
    expect(values("R = T + 'PT1s'", { T })).toEqual([
      1704067201000000000n,
      1704067202500000000n,
      null,
    ]);
    expect(values("R = T - 1", { T })).toEqual([1704067199999999999n, 1704067201499999999n, null]);
    expect(values("R = 5L + T", { T })).toEqual([1704067200000000005n, 1704067201500000005n, null]);
    expect(typeOf("T - T", { T: "instant" })).toBe("int64");
    expect(values("R = T - '2024-01-01T00:00:00Z'", { T })).toEqual([0n, 1500000000n, null]);
  });
});
