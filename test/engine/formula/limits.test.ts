/**
 * Nesting and size limits of formulas: at the limit a formula parses, type-checks, compiles and
 * evaluates; one past it is a FormulaError naming the limit (never a stack overflow).
 */
import { describe, expect, it } from "vitest";
import { MAX_FORMULA_DEPTH, MAX_FORMULA_OPERATORS } from "../../../src/engine/formula/parser.ts";
import { emptyTable } from "../../../src/engine/index.ts";
import type { ColumnType } from "../../../src/engine/types.ts";
import { expectFormulaError } from "./helpers.ts";

const schema: Record<string, ColumnType> = { X: "int32" };
const DEPTH = `Formula nests deeper than ${MAX_FORMULA_DEPTH} levels (parentheses, calls, ?:, unary operators and casts)`;
const OPERATORS = `Formula has more than ${MAX_FORMULA_OPERATORS} operators and method calls; split it into several columns`;
const values = (f: string) => emptyTable(2).update("X = (int) ii").update(f).toRows();

describe("formula limits", () => {
  it("are 256 levels and 1000 operators", () => {
    expect(MAX_FORMULA_DEPTH).toBe(256);
    expect(MAX_FORMULA_OPERATORS).toBe(1000);
  });

  it("parentheses: 255 around the expression (256 levels with the top) pass, 256 do not", () => {
    const parens = (n: number) => `Y = ${"(".repeat(n)}X${")".repeat(n)}`;
    expect(values(parens(255))).toEqual([
      { X: 0, Y: 0 },
      { X: 1, Y: 1 },
    ]);
    // The position is the first token past the limit (here the X inside the 256th parenthesis).
    expectFormulaError(parens(256), schema, 4 + 256, DEPTH);
    // Thousands of them are the same error, not a stack overflow.
    expectFormulaError(parens(5000), schema, 4 + 256, DEPTH);
  });

  it("nested calls, unary operators, casts and ?: branches count as levels", () => {
    const calls = (n: number) => `Y = ${"abs(".repeat(n)}X${")".repeat(n)}`;
    expect(values(calls(255))).toEqual([
      { X: 0, Y: 0 },
      { X: 1, Y: 1 },
    ]);
    expectFormulaError(calls(256), schema, 4 + 4 * 256, DEPTH);
    expectFormulaError(calls(3000), schema, 4 + 4 * 256, DEPTH);
    const negs = (n: number) => `Y = ${"-".repeat(n)}X`;
    expect(values(negs(255))).toEqual([
      { X: 0, Y: 0 },
      { X: 1, Y: -1 },
    ]);
    expectFormulaError(negs(256), schema, 4 + 255, DEPTH);
    const casts = (n: number) => `Y = ${"(long) ".repeat(n)}X`;
    expect(values(casts(255))).toEqual([
      { X: 0, Y: 0n },
      { X: 1, Y: 1n },
    ]);
    expectFormulaError(casts(256), schema, 4 + 7 * 255, DEPTH);
    const ternaries = (n: number) => `Y = ${"X > 5 ? 1 : ".repeat(n)}X`;
    expect(values(ternaries(255))).toEqual([
      { X: 0, Y: 0 },
      { X: 1, Y: 1 },
    ]);
    // The 256th ?: is at level 256; its branch "1" would be the 257th level.
    expectFormulaError(ternaries(256), schema, 4 + 12 * 255 + 8, DEPTH);
    expectFormulaError(ternaries(5000), schema, 4 + 12 * 255 + 8, DEPTH);
  });

  it("operators: 1000 pass, the 1001st is refused at its position", () => {
    const terms = (n: number) => `Y = X${" + X".repeat(n)}`;
    expect(values(terms(1000))).toEqual([
      { X: 0, Y: 0 },
      { X: 1, Y: 1001 },
    ]);
    expectFormulaError(terms(1001), schema, 6 + 4 * 1000, OPERATORS);
    expectFormulaError(terms(5000), schema, 6 + 4 * 1000, OPERATORS);
    const methods = (n: number) => `Y = \`a\`${".trim()".repeat(n)}`;
    expect(emptyTable(1).update(methods(1000)).toRows()).toEqual([{ Y: "a" }]);
    expectFormulaError(methods(1001), schema, 8 + 7 * 1000, OPERATORS);
  });

  it("both limits at once still compile and evaluate", () => {
    const f = `Y = ${"(".repeat(255)}X${" + X".repeat(1000)}${")".repeat(255)}`;
    expect(values(f)).toEqual([
      { X: 0, Y: 0 },
      { X: 1, Y: 1001 },
    ]);
  });
});
