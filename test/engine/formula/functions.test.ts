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
  seeded,
  strs,
  typeOf,
  value,
  values,
} from "./helpers.ts";

describe("math functions", () => {
  it("double functions", () => {
    for (const f of [
      "sqrt",
      "sin",
      "cos",
      "tan",
      "asin",
      "acos",
      "atan",
      "exp",
      "log",
      "log10",
      "floor",
      "ceil",
    ]) {
      expect(typeOf(`${f}(1)`)).toBe("float64");
    }
    expect(value("sqrt(16)")).toBe(4);
    expect(value("sqrt(-1)")).toBeNaN();
    expect(value("sin(0)")).toBe(0);
    expect(value("cos(0)")).toBe(1);
    expect(value("tan(0.0)")).toBe(0);
    expect(value("asin(1)")).toBe(Math.PI / 2);
    expect(value("acos(1)")).toBe(0);
    expect(value("atan(1)")).toBe(Math.PI / 4);
    expect(value("exp(0)")).toBe(1);
    expect(value("log(1)")).toBe(0);
    expect(value("log10(1000)")).toBe(3);
    expect(value("floor(-1.5)")).toBe(-2);
    expect(value("ceil(-1.5)")).toBe(-1);
    expect(value("floor(7)")).toBe(7);
    expect(value("pow(2, 10)")).toBe(1024);
    expect(typeOf("pow(2, 10)")).toBe("float64");
    expect(values("R = sqrt(X)", { X: ints(4, null, 9) })).toEqual([2, null, 3]);
    expect(values("R = pow(X, 2)", { X: longs(3n, null) })).toEqual([9, null]);
  });

  it("round gives a long (Java Math.round)", () => {
    expect(typeOf("round(2.5)")).toBe("int64");
    expect(value("round(2.5)")).toBe(3n);
    expect(value("round(-2.5)")).toBe(-2n);
    expect(value("round(-2.6)")).toBe(-3n);
    expect(value("round(0.49999999999999994)")).toBe(0n);
    expect(value("round(0.0 / 0.0)")).toBe(0n);
    expect(value("round(1e20)")).toBe(MAX_LONG);
    expect(value("round(-1e20)")).toBe(MIN_LONG);
    expect(value("round(2.5f)")).toBe(3n);
    expect(value("round(7)")).toBe(7n);
    expect(value("round(9007199254740993L)")).toBe(9007199254740993n);
    expect(values("R = round(D)", { D: doubles(1.4, null, 2 ** 60) })).toEqual([
      1n,
      null,
      2n ** 60n,
    ]);
  });

  it("abs keeps int, long, float and double", () => {
    expect(typeOf("abs(-5)")).toBe("int32");
    expect(value("abs(-5)")).toBe(5);
    expect(value("abs(MIN_INT)")).toBe(-2147483648);
    expect(typeOf("abs(-5L)")).toBe("int64");
    expect(value("abs(-9007199254740993L)")).toBe(9007199254740993n);
    expect(value("abs(MIN_LONG)")).toBe(MIN_LONG);
    expect(value("abs(-2.5)")).toBe(2.5);
    expect(typeOf("abs(-2.5f)")).toBe("float32");
    expect(typeOf("abs((byte) -3)")).toBe("int32");
    expect(values("R = abs(L)", { L: longs(-3n, null, -(2n ** 62n), 2n ** 62n) })).toEqual([
      3n,
      null,
      2n ** 62n,
      2n ** 62n,
    ]);
  });

  it("signum keeps int and long, gives double for double", () => {
    expect(values("R = signum(X)", { X: ints(-7, 0, 9, null) })).toEqual([-1, 0, 1, null]);
    expect(typeOf("signum(1)")).toBe("int32");
    expect(values("R = signum(L)", { L: longs(-(2n ** 62n), 0n, 2n ** 62n, 5n) })).toEqual([
      -1n,
      0n,
      1n,
      1n,
    ]);
    expect(typeOf("signum(1L)")).toBe("int64");
    expect(values("R = signum(D)", { D: doubles(-2.5, 0, 3) })).toEqual([-1, 0, 1]);
    expect(typeOf("signum(1.0)")).toBe("float64");
    expect(typeOf("signum(1f)")).toBe("float32");
  });

  it("min and max promote, take several arguments and skip nulls", () => {
    expect(typeOf("min(1, 2.5)")).toBe("float64");
    expect(value("min(1, 2.5)")).toBe(1);
    expect(value("max(1, 2.5)")).toBe(2.5);
    expect(typeOf("max(1, 2L)")).toBe("int64");
    expect(value("max(1, 2L)")).toBe(2n);
    expect(value("min(3, 1, 2)")).toBe(1);
    expect(value("max(3, 1, 2)")).toBe(3);
    const X = ints(1, null, null, 5);
    const Y = ints(null, 2, null, 3);
    expect(values("R = min(X, Y)", { X, Y })).toEqual([1, 2, null, 3]);
    expect(values("R = max(X, Y)", { X, Y })).toEqual([1, 2, null, 5]);
    const A = longs(2n ** 62n, null, -(2n ** 62n));
    const B = longs(2n ** 62n + 1n, 7n, null);
    expect(values("R = max(A, B)", { A, B })).toEqual([2n ** 62n + 1n, 7n, -(2n ** 62n)]);
    expect(values("R = min(A, B)", { A, B })).toEqual([2n ** 62n, 7n, -(2n ** 62n)]);
    expect(values("R = min(D, 0.0)", { D: doubles(-1, null, 4) })).toEqual([-1, 0, 0]);
  });

  it("isNaN and isInf", () => {
    expect(values("R = isNaN(D)", { D: doubles(Number.NaN, 1, null) })).toEqual([
      true,
      false,
      null,
    ]);
    expect(values("R = isInf(D)", { D: doubles(Infinity, -Infinity, 1) })).toEqual([
      true,
      true,
      false,
    ]);
  });
});

describe("string functions", () => {
  const S = strs("Hello", null, "  pad  ", "");
  it("upper, lower, len, trim", () => {
    expect(values("R = upper(S)", { S })).toEqual(["HELLO", null, "  PAD  ", ""]);
    expect(values("R = lower(S)", { S })).toEqual(["hello", null, "  pad  ", ""]);
    expect(typeOf("len(`abc`)")).toBe("int32");
    expect(values("R = len(S)", { S })).toEqual([5, null, 7, 0]);
    expect(values("R = trim(S)", { S })).toEqual(["Hello", null, "pad", ""]);
  });

  it("contains, startsWith, endsWith", () => {
    expect(values("R = contains(S, `ll`)", { S })).toEqual([true, null, false, false]);
    expect(values("R = startsWith(S, `He`)", { S })).toEqual([true, null, false, false]);
    expect(values("R = endsWith(S, `lo`)", { S })).toEqual([true, null, false, false]);
    expect(values("R = contains(`abc`, T)", { T: strs("b", null, "") })).toEqual([
      true,
      null,
      true,
    ]);
  });

  it("substring and charAt are null out of range", () => {
    expect(values("R = substring(S, 1)", { S })).toEqual(["ello", null, " pad  ", null]);
    expect(values("R = substring(S, 1, 3)", { S })).toEqual(["el", null, " p", null]);
    expect(value("substring(`abc`, 2, 1)")).toBe(null);
    expect(value("substring(`abc`, -1)")).toBe(null);
    expect(value("substring(`abc`, 3)")).toBe("");
    expect(typeOf("charAt(`abc`, 1)")).toBe("char");
    expect(value("charAt(`abc`, 1)")).toBe("b");
    expect(value("charAt(`abc`, 3)")).toBe(null);
  });

  it("Java method spellings", () => {
    const Sym = strs("AAPL", "msft", null);
    expect(values("R = Sym.length()", { Sym })).toEqual([4, 4, null]);
    expect(values("R = Sym.startsWith(`A`)", { Sym })).toEqual([true, false, null]);
    expect(values("R = Sym.endsWith(`t`)", { Sym })).toEqual([false, true, null]);
    expect(values("R = Sym.contains(`s`)", { Sym })).toEqual([false, true, null]);
    expect(values("R = Sym.toUpperCase()", { Sym })).toEqual(["AAPL", "MSFT", null]);
    expect(values("R = Sym.toLowerCase().trim()", { Sym })).toEqual(["aapl", "msft", null]);
    expect(values("R = Sym.substring(1, 3)", { Sym })).toEqual(["AP", "sf", null]);
    expect(values("R = Sym.charAt(0)", { Sym })).toEqual(["A", "m", null]);
    expect(values("R = Sym.equals(`AAPL`)", { Sym })).toEqual([true, false, false]);
    expect(value("`abc`.length() + 1")).toBe(4);
  });
});

describe("random functions", () => {
  it("randomInt(lo, hi) is an int in [lo, hi)", () => {
    const { f, values: out } = run("R = randomInt(0, 10)", {}, { rows: 2000 });
    expect(f.type).toBe("int32");
    expect(f.usesVolatile).toBe(true);
    for (const v of out) {
      expect(Number.isInteger(v)).toBe(true);
      expect(v as number).toBeGreaterThanOrEqual(0);
      expect(v as number).toBeLessThan(10);
    }
    expect(new Set(out).size).toBe(10);
    expect(
      values("R = randomInt(-3, -1)", {}, { rows: 200 }).every((v) => v === -3 || v === -2),
    ).toBe(true);
  });

  it("bounds are exclusive even for a random value just below 1", () => {
    const top = { random: () => 1 - 2 ** -53 };
    expect(values("R = randomInt(0, 10)", {}, { rows: 1, ctx: top })).toEqual([9]);
    expect(values("R = randomInt(-2147483648, 2147483647)", {}, { rows: 1, ctx: top })).toEqual([
      2147483646,
    ]);
    expect(values("R = randomLong(0L, 10L)", {}, { rows: 1, ctx: top })).toEqual([9n]);
    expect(values("R = randomInt(0, 10)", {}, { rows: 1, ctx: { random: () => 0 } })).toEqual([0]);
  });

  it("randomDouble, randomFloat, randomLong, randomBool", () => {
    const d = values("R = randomDouble(-50.0, 50.0)", {}, { rows: 1000 }) as number[];
    expect(d.every((v) => v >= -50 && v < 50)).toBe(true);
    expect(typeOf("randomDouble(0.0, 1.0)")).toBe("float64");
    expect(typeOf("randomDouble(0, 1)")).toBe("float64");
    const f = values("R = randomFloat(1f, 2f)", {}, { rows: 100 }) as number[];
    expect(f.every((v) => v >= 1 && v <= 2 && Math.fround(v) === v)).toBe(true);
    const l = values(
      "R = randomLong(9007199254740993L, 9007199254741003L)",
      {},
      { rows: 200 },
    ) as bigint[];
    expect(l.every((v) => v >= 9007199254740993n && v < 9007199254741003n)).toBe(true);
    const s = values("R = randomLong(-5L, 5L)", {}, { rows: 200 }) as bigint[];
    expect(s.every((v) => v >= -5n && v < 5n)).toBe(true);
    const b = values("R = randomBool()", {}, { rows: 200 });
    expect(new Set(b)).toEqual(new Set([true, false]));
  });

  it("an empty range or a null bound gives null", () => {
    expect(values("R = randomInt(5, 5)", {}, { rows: 2 })).toEqual([null, null]);
    expect(values("R = randomLong(5L, 1L)", {}, { rows: 1 })).toEqual([null]);
    expect(values("R = randomInt(0, X)", { X: ints(3, null, 0) })).toEqual([
      expect.any(Number),
      null,
      null,
    ]);
  });

  it("each call site draws one random per row, in row order", () => {
    let k = 0;
    const counting = () => {
      k++;
      return (k % 100) / 100;
    };
    const out = values(
      "R = randomDouble(0.0, 1.0) * 1000 + randomDouble(0.0, 1.0)",
      {},
      {
        rows: 3,
        ctx: { random: counting },
      },
    );
    expect(k).toBe(6);
    expect(out).toEqual([0.01 * 1000 + 0.04, 0.02 * 1000 + 0.05, 0.03 * 1000 + 0.06]);
    k = 0;
    values("R = randomInt(0, X)", { X: ints(1, null, 0, 5) }, { ctx: { random: counting } });
    expect(k).toBe(4);
  });

  it("is deterministic for a seeded random", () => {
    const a = values("R = randomInt(0, 1000)", {}, { rows: 50, ctx: { random: seeded(42) } });
    const b = values("R = randomInt(0, 1000)", {}, { rows: 50, ctx: { random: seeded(42) } });
    expect(a).toEqual(b);
  });
});

describe("time functions", () => {
  it("now() is the context's time, as an instant", () => {
    const { f, values: out } = run(
      "R = now()",
      {},
      { rows: 2, ctx: { nowNanos: () => 1704067200000000000n } },
    );
    expect(f.type).toBe("instant");
    expect(f.usesVolatile).toBe(true);
    expect(out).toEqual([1704067200000000000n, 1704067200000000000n]);
  });

  it("epochNanos and epochNanosToInstant", () => {
    expect(typeOf("epochNanos('2024-01-01T00:00:00Z')")).toBe("int64");
    expect(value("epochNanos('2024-01-01T00:00:00Z')")).toBe(1704067200000000000n);
    expect(typeOf("epochNanosToInstant(5L)")).toBe("instant");
    expect(values("R = epochNanosToInstant(X)", { X: ints(5, null) })).toEqual([5n, null]);
    expect(values("R = epochNanos(T) + 1", { T: col("instant", [1n]) })).toEqual([2n]);
  });

  it("floats are read as floats", () => {
    expect(values("R = F", { F: floats(0.5) })).toEqual([0.5]);
  });
});
