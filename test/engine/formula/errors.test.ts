import { describe, expect, it } from "vitest";
import { isTickflareError } from "../../../src/engine/errors.ts";
import { compileFormula } from "../../../src/engine/formula/index.ts";
import type { ColumnType } from "../../../src/engine/types.ts";
import { expectFormulaError } from "./helpers.ts";

const schema: Record<string, ColumnType> = {
  X: "int32",
  L: "int64",
  S: "string",
  B: "bool",
  D: "float64",
};

describe("name errors", () => {
  it("unknown column, naming it and the available columns", () => {
    const e = expectFormulaError("Y = Foo + 1", schema, 4, 'Unknown column "Foo"');
    expect(e.message).toContain("available: X, L, S, B, D");
    expect(e.message).toContain("at position 4");
    expect(isTickflareError(e)).toBe(true);
    expectFormulaError("X > 1 && Bar", schema, 9, 'Unknown column "Bar"', "filter");
    expectFormulaError("Y = k", schema, 4, "row key variable k is not supported");
    expectFormulaError("Foo", schema, 0, 'Unknown column "Foo"');
    expectFormulaError("Y = X_[i - 1]", schema, 6, 'Unexpected character "["');
  });

  it("unknown function and method", () => {
    expectFormulaError("Y = foo(1)", schema, 4, 'Unknown function "foo"');
    expectFormulaError("Y = 1 + X(2)", schema, 8, 'Unknown function "X"');
    expectFormulaError("Y = S.bar()", schema, 6, 'Unknown method "bar"');
    expectFormulaError("Y = X.length()", schema, 6, 'Cannot call method "length" on int');
  });

  it("wrong arity", () => {
    expectFormulaError("Y = randomInt(1)", schema, 4, "randomInt expects 2 arguments, got 1");
    expectFormulaError("Y = randomInt(1, 2, 3)", schema, 4, "randomInt expects 2 arguments, got 3");
    expectFormulaError("Y = now(1)", schema, 4, "now expects no arguments, got 1");
    expectFormulaError("Y = sqrt()", schema, 4, "sqrt expects 1 argument, got 0");
    expectFormulaError("Y = substring(S)", schema, 4, "substring expects 2 or 3 arguments, got 1");
    expectFormulaError("Y = min(X)", schema, 4, "min expects at least 2 arguments, got 1");
    expectFormulaError("Y = S.startsWith()", schema, 6, "startsWith expects 1 argument, got 0");
  });

  it("an invalid assignment target", () => {
    expectFormulaError("i = 5", schema, 0, 'Invalid column name "i": it is a reserved word');
    expectFormulaError("int = 5", schema, 0, 'Invalid column name "int"');
    expectFormulaError("true", schema, 0, 'Invalid column name "true"');
    expectFormulaError("5 = X", schema, 0, "Expected a column name to assign to");
  });
});

describe("type errors", () => {
  it("operators on the wrong types, naming operator and types", () => {
    expectFormulaError("Y = X - `a`", schema, 6, 'Cannot apply operator "-" to int and string');
    expectFormulaError("Y = S * 2", schema, 6, 'Cannot apply operator "*" to string and int');
    expectFormulaError("Y = B + 1", schema, 6, 'Cannot apply operator "+" to boolean and int');
    expectFormulaError("Y = !X", schema, 4, 'Cannot apply operator "!" to int');
    expectFormulaError("Y = -S", schema, 4, 'Cannot apply operator "-" to string');
    expectFormulaError("Y = B < B", schema, 6, 'Cannot apply operator "<" to boolean and boolean');
    expectFormulaError("Y = X == S", schema, 6, 'Cannot apply operator "==" to int and string');
    expectFormulaError("Y = X && B", schema, 6, 'Cannot apply operator "&&" to int and boolean');
    expectFormulaError(
      "Y = L + '2024-01-01T00:00:00Z' + '2024-01-01T00:00:00Z'",
      schema,
      31,
      'Cannot apply operator "+" to instant and instant',
    );
    expectFormulaError("Y = null + null", schema, 9, 'Cannot apply operator "+" to null and null');
  });

  it("a where filter must be boolean", () => {
    expectFormulaError("X + 1", schema, 0, "where filter must be boolean, got int", "filter");
    expectFormulaError("  S", schema, 2, "where filter must be boolean, got string", "filter");
    expectFormulaError("null", schema, 0, "where filter must be boolean, got null", "filter");
  });

  it("?: conditions and branches", () => {
    expectFormulaError("Y = X ? 1 : 2", schema, 4, "Condition of ?: must be boolean, got int");
    expectFormulaError("Y = B ? 1 : `a`", schema, 6, "Incompatible types in ?: int and string");
    expectFormulaError("Y = B ? null : null", schema, 6, "both branches are null");
  });

  it("casts and arguments", () => {
    expectFormulaError("Y = (int) S", schema, 4, "Cannot cast string to int");
    expectFormulaError("Y = (boolean) 1", schema, 4, "Cannot cast int to boolean");
    expectFormulaError("Y = (double) B", schema, 4, "Cannot cast boolean to double");
    expectFormulaError("Y = sqrt(S)", schema, 9, "sqrt argument 1 must be numeric, got string");
    expectFormulaError("Y = upper(5)", schema, 10, "upper argument 1 must be string, got int");
    expectFormulaError(
      "Y = randomInt(0, 1.5)",
      schema,
      17,
      "randomInt argument 2 must be int, got double",
    );
    expectFormulaError(
      "Y = randomInt(0, L)",
      schema,
      17,
      "randomInt argument 2 must be int, got long",
    );
    expectFormulaError(
      "Y = S.substring(`a`)",
      schema,
      16,
      "substring argument 1 must be int, got string",
    );
  });

  it("an untyped null cannot be a column", () => {
    expectFormulaError("Y = null", schema, 4, "Cannot determine the type of null");
  });
});

describe("syntax errors", () => {
  it("unexpected tokens and end of input", () => {
    expectFormulaError("Y = 1 +", schema, 7, "Unexpected end of input");
    expectFormulaError("Y = 1 2", schema, 6, 'Unexpected token "2"');
    expectFormulaError("Y = (1 + 2", schema, 10, 'Expected ")" but found end of input');
    expectFormulaError("Y = foo(1 2)", schema, 10, 'Expected "," or ")"');
    expectFormulaError("Y = )", schema, 4, 'Unexpected token ")"');
    expectFormulaError("Y = #", schema, 4, 'Unexpected character "#"');
    expectFormulaError("Y = B ? 1", schema, 9, 'Expected ":" but found end of input');
    expectFormulaError("Y = S.", schema, 6, "Expected a method name");
    expectFormulaError("Y = S.length", schema, 12, 'Expected "(" after the method name "length"');
    expectFormulaError("", schema, 0, "Empty formula");
    expectFormulaError("   ", schema, 3, "Empty formula", "filter");
  });

  it("assignment shape", () => {
    expectFormulaError("Y == 1", schema, 2, 'Expected "=" after the column name "Y"');
    expectFormulaError("Y + 1", schema, 2, 'Expected "=" after the column name "Y", got "+"');
    expectFormulaError("Y = X = 1", schema, 6, 'Unexpected "=" (use "==" to compare values)');
  });

  it("unsupported operators", () => {
    expectFormulaError("Y = X & 1", schema, 6, 'Operator "&" is not supported');
    expectFormulaError("Y = B | B", schema, 6, 'Operator "|" is not supported');
    expectFormulaError("Y = ~X", schema, 4, 'Operator "~" is not supported');
  });

  it("unterminated and bad literals", () => {
    expectFormulaError("Y = `abc", schema, 4, "Unterminated string literal");
    expectFormulaError('Y = "abc', schema, 4, "Unterminated string literal");
    expectFormulaError("Y = 'a", schema, 4, "Unterminated character literal");
    expectFormulaError("Y = ''", schema, 4, "Empty character literal");
    expectFormulaError(
      "Y = 'abc'",
      schema,
      4,
      "Cannot parse 'abc' as a char, an ISO-8601 instant or an ISO-8601 duration; single quotes hold only those, so write a string in backticks: `abc`",
    );
    expectFormulaError(String.raw`Y = "\q"`, schema, 5, String.raw`Invalid escape sequence "\q"`);
    expectFormulaError("Y = 12abc", schema, 4, "Invalid numeric literal 12abc");
    expectFormulaError("Y = 1e", schema, 4, "Invalid numeric literal");
    expectFormulaError("Y = 09", schema, 4, "Invalid octal literal 09");
    expectFormulaError("Y = 1_", schema, 4, "Invalid numeric literal 1_");
  });

  it("Deephaven habits: Java's Math class and single-quoted strings, with the fix", () => {
    const msg = (text: string, position: number) =>
      expectFormulaError(text, schema, position, "", "filter").message;
    expect(expectFormulaError("Y = Math.sin(D)", schema, 4, "").message).toBe(
      "Math.sin(D) is Java; formulas call functions directly: write sin(D) at position 4 in formula `Y = Math.sin(D)`",
    );
    expect(expectFormulaError("Y = 1 + Math.max(X, 2)", schema, 8, "").message).toBe(
      "Math.max(X, 2) is Java; formulas call functions directly: write max(X, 2) at position 8 in formula `Y = 1 + Math.max(X, 2)`",
    );
    expect(expectFormulaError("Y = Math.PI", schema, 4, "").message).toBe(
      "Math.PI is Java; formulas have no Math class at position 4 in formula `Y = Math.PI`",
    );
    expect(expectFormulaError("Y = Math.cbrt(D)", schema, 4, "").message).toMatch(
      /^Math\.cbrt\(D\) is Java; formulas call functions directly, and there is no function "cbrt" \(available: abs, acos, .*\) at position 4 in formula `Y = Math\.cbrt\(D\)`$/,
    );
    expect(msg("S == 'AAPL'", 5)).toBe(
      "Cannot parse 'AAPL' as a char, an ISO-8601 instant or an ISO-8601 duration; single quotes hold only those, so write a string in backticks: `AAPL` at position 5 in formula `S == 'AAPL'`",
    );
    // Text that looks like an instant or a duration gets no string hint: it is a bad literal,
    // and an instant's out-of-range field is named.
    expect(msg("S == '2024-13-01T00:00:00Z'", 5)).toBe(
      "Invalid instant literal '2024-13-01T00:00:00Z': month 13 is out of range 01-12 at position 5 in formula `S == '2024-13-01T00:00:00Z'`",
    );
    expect(msg("S == 'PT1x'", 5)).toBe(
      "Cannot parse 'PT1x' as a char, an ISO-8601 instant or an ISO-8601 duration at position 5 in formula `S == 'PT1x'`",
    );
    // The fixes work.
    expect(compileFormula("Y = sin(D)", schema, "assign").type).toBe("float64");
    expect(compileFormula("S == `AAPL`", schema, "filter").type).toBe("bool");
  });

  it("literals out of range", () => {
    expectFormulaError(
      "Y = 2147483648",
      schema,
      4,
      "Integer literal 2147483648 is out of range for int (use 2147483648L for a long)",
    );
    expectFormulaError(
      "Y = -2147483649",
      schema,
      4,
      "Integer literal -2147483649 is out of range for int",
    );
    expectFormulaError(
      "Y = 9223372036854775808L",
      schema,
      4,
      "Long literal 9223372036854775808L is out of range for long",
    );
    expectFormulaError(
      "Y = 0x1FFFFFFFF",
      schema,
      4,
      "Integer literal 0x1FFFFFFFF is out of range for int",
    );
    expectFormulaError(
      "Y = 1e400",
      schema,
      4,
      "Floating-point literal 1e400 is out of range for double",
    );
    expectFormulaError("Y = 1e39f", schema, 4, "out of range for float");
    expectFormulaError("Y = 1 + -(2147483648)", schema, 10, "out of range for int");
  });
});

describe("error positions inside parentheses", () => {
  it("point at the start of a parenthesised expression", () => {
    expectFormulaError("(X + 1)", schema, 0, "where filter must be boolean, got int", "filter");
    expectFormulaError("Y = B ? (1) : (`a`)", schema, 6, "Incompatible types in ?: int and string");
    expectFormulaError("Y = sqrt((S))", schema, 9, "sqrt argument 1 must be numeric, got string");
  });
});
