import { describe, expect, it } from "vitest";
import { typeOf, value, values } from "./helpers.ts";

describe("numeric literals", () => {
  it.each([
    ["42", "int32", 42],
    ["0", "int32", 0],
    ["2147483647", "int32", 2147483647],
    ["-2147483648", "int32", -2147483648],
    ["1_000_000", "int32", 1000000],
    ["0x1F", "int32", 31],
    ["0xFFFFFFFF", "int32", -1],
    ["0x80000000", "int32", -2147483648],
    ["0b101", "int32", 5],
    ["010", "int32", 8],
    ["42L", "int64", 42n],
    ["42l", "int64", 42n],
    ["9223372036854775807L", "int64", 9223372036854775807n],
    ["-9223372036854775808L", "int64", -9223372036854775808n],
    ["0xFFFFFFFFFFFFFFFFL", "int64", -1n],
    ["1.5", "float64", 1.5],
    ["1e3", "float64", 1000],
    ["1E-2", "float64", 0.01],
    [".5", "float64", 0.5],
    ["3.", "float64", 3],
    ["2d", "float64", 2],
    ["1.5f", "float32", 1.5],
    ["0.1f", "float32", Math.fround(0.1)],
    ["7F", "float32", 7],
  ] as const)("%s is %s %s", (text, type, expected) => {
    expect(typeOf(text)).toBe(type);
    expect(value(text)).toBe(expected);
  });
});

describe("other literals", () => {
  it("booleans", () => {
    expect(typeOf("true")).toBe("bool");
    expect(value("true")).toBe(true);
    expect(value("false")).toBe(false);
  });

  it("backtick and double-quoted strings, with Java escapes", () => {
    expect(typeOf("`abc`")).toBe("string");
    expect(value("`abc`")).toBe("abc");
    expect(value('"abc"')).toBe("abc");
    expect(value("``")).toBe("");
    expect(value(String.raw`"a\tb\n"`)).toBe("a\tb\n");
    expect(value(String.raw`"\u0041\\"`)).toBe("A\\");
    expect(value(String.raw`"say \"hi\""`)).toBe('say "hi"');
    expect(value("`it's`")).toBe("it's");
  });

  it("char literals", () => {
    expect(typeOf("'a'")).toBe("char");
    expect(value("'a'")).toBe("a");
    expect(value(String.raw`'\n'`)).toBe("\n");
    expect(value(String.raw`'\''`)).toBe("'");
    expect(value(String.raw`'\u00e9'`)).toBe("é");
  });

  it("single-quoted ISO instants are instant literals", () => {
    expect(typeOf("'2024-01-01T00:00:00Z'")).toBe("instant");
    expect(value("'2024-01-01T00:00:00Z'")).toBe(1704067200000000000n);
    expect(value("'2024-01-01T00:00:00.123456789Z'")).toBe(1704067200123456789n);
    expect(value("'2024-01-01T01:00:00+01:00'")).toBe(1704067200000000000n);
    expect(value("'1970-01-01T00:00:00Z'")).toBe(0n);
  });

  it("single-quoted ISO durations are long nanoseconds", () => {
    expect(typeOf("'PT1s'")).toBe("int64");
    expect(value("'PT1s'")).toBe(1_000_000_000n);
    expect(value("'PT0.5S'")).toBe(500_000_000n);
    expect(value("'PT1M'")).toBe(60_000_000_000n);
    expect(value("'P1DT2H'")).toBe(26n * 3600n * 1_000_000_000n);
    expect(value("'-PT5s'")).toBe(-5_000_000_000n);
  });

  it("typed null constants", () => {
    const cases = [
      ["NULL_INT", "int32"],
      ["NULL_LONG", "int64"],
      ["NULL_DOUBLE", "float64"],
      ["NULL_FLOAT", "float32"],
      ["NULL_SHORT", "int16"],
      ["NULL_BYTE", "int8"],
      ["NULL_CHAR", "char"],
      ["NULL_BOOLEAN", "bool"],
    ] as const;
    for (const [name, type] of cases) {
      expect(typeOf(name)).toBe(type);
      expect(value(name)).toBe(null);
    }
  });

  it("limit constants", () => {
    expect(value("MAX_INT")).toBe(2147483647);
    expect(value("MIN_INT")).toBe(-2147483648);
    expect(value("MAX_LONG")).toBe(9223372036854775807n);
    expect(value("MIN_LONG")).toBe(-9223372036854775808n);
    expect(value("MAX_DOUBLE")).toBe(Number.MAX_VALUE);
    expect(value("MIN_DOUBLE")).toBe(-Number.MAX_VALUE);
    expect(value("MAX_SHORT")).toBe(32767);
    expect(typeOf("MAX_SHORT")).toBe("int16");
    expect(value("MIN_BYTE")).toBe(-128);
    expect(value("MAX_FLOAT")).toBe(Math.fround(3.4028234663852886e38));
    expect(value("POS_INF_DOUBLE")).toBe(Infinity);
    expect(value("NEG_INF_DOUBLE")).toBe(-Infinity);
    expect(value("NAN_DOUBLE")).toBeNaN();
  });

  it("the untyped null literal takes its type from its context", () => {
    expect(value("isNull(null)")).toBe(true);
    expect(typeOf("true ? 1 : null")).toBe("int32");
    expect(value("false ? 1 : null")).toBe(null);
    expect(typeOf("(long) null")).toBe("int64");
    expect(value("(long) null")).toBe(null);
  });

  it("a constant formula fills every row", () => {
    expect(values("R = 7", {}, { rows: 3 })).toEqual([7, 7, 7]);
    expect(values("R = `x`", {}, { rows: 2 })).toEqual(["x", "x"]);
    expect(values("R = 9007199254740993L", {}, { rows: 2 })).toEqual([
      9007199254740993n,
      9007199254740993n,
    ]);
    expect(values("R = NULL_LONG", {}, { rows: 2 })).toEqual([null, null]);
    expect(values("R = 1", {}, { rows: 0 })).toEqual([]);
  });

  it("whitespace is free", () => {
    expect(value(" \t1 +\n 2 ")).toBe(3);
  });
});
