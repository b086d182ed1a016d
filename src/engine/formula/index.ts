/**
 * The formula language: Deephaven query strings (`"Y = X * 2.5"`, ``"X > 5 && Sym == `AAPL`"``)
 * parsed, type-checked and compiled into vectorised column kernels, without `eval`.
 *
 * ```ts
 * const f = compileFormula("Y = X * 2.5", { X: "int32" }, "assign");
 * f.type;                                   // "float64"
 * f.evaluate([xVec], xVec.length, ctx);     // { data: Float64Array, valid, length }
 * ```
 *
 * The language is described in docs/formulas.md.
 */
import type { Vec } from "../column.ts";
import { ArgumentError, FormulaError, SchemaError } from "../errors.ts";
import { type ColumnType, type ScalarType, validateColumnName } from "../types.ts";
import { compile } from "./compile.ts";
import { toVec } from "./ivec.ts";
import type { EvalContext } from "./kernel.ts";
import { parseFormula } from "./parser.ts";
import { typecheck } from "./typecheck.ts";

export type { EvalContext } from "./kernel.ts";

export interface CompiledFormula {
  readonly text: string;
  /** "X" for "X = expr" or a bare column name "X"; null for a filter expression. */
  readonly target: string | null;
  /** Result ColumnType ("bool" for filters). */
  readonly type: ColumnType;
  /** The input columns referenced, distinct, in first-reference order. */
  readonly columns: readonly string[];
  /** True if it uses i or ii. */
  readonly usesPosition: boolean;
  /** True if it uses random*() or now() (non-deterministic: must be materialized once). */
  readonly usesVolatile: boolean;
  /**
   * If the formula is exactly a bare column reference (e.g. "X" or "Y = X"), that column's name;
   * else null. Lets the table layer share storage instead of computing.
   */
  readonly sourceColumn: string | null;
  /**
   * Evaluates over `length` rows; inputs[j] is the Vec for columns[j] (each of at least
   * `length`). Returns a Vec of `type` with exactly `length` values in fresh arrays (a pure
   * column pass-through returns views of its input instead).
   */
  evaluate(inputs: readonly Vec[], length: number, ctx: EvalContext): Vec;
}

/** The first `length` rows of `v`, as views where possible. */
function passThrough(v: Vec, length: number): Vec {
  if (
    v.length === length &&
    v.data.length === length &&
    (v.valid === null || v.valid.length === length)
  )
    return v;
  const data = Array.isArray(v.data) ? v.data.slice(0, length) : v.data.subarray(0, length);
  return { data, valid: v.valid === null ? null : v.valid.subarray(0, length), length };
}

/**
 * Compiles a formula. In mode "assign" the text must be `Name = expr` or a bare column name;
 * in mode "filter" it is a boolean expression (a `where` clause). Throws FormulaError, with the
 * position of the offending token, on any syntax, name or type problem.
 */
export function compileFormula(
  text: string,
  schema: Readonly<Record<string, ColumnType>>,
  mode: "assign" | "filter",
): CompiledFormula {
  const parsed = parseFormula(text, mode);
  if (parsed.target !== null) {
    try {
      validateColumnName(parsed.target.name);
    } catch (e) {
      if (e instanceof SchemaError) throw new FormulaError(text, parsed.target.pos, e.message);
      throw e;
    }
  }
  const checked = typecheck(text, parsed, schema, mode);
  const { type, sourceColumn } = checked;
  const columns = Object.freeze([...checked.columns]);
  // A bare column reference is served by passThrough and needs no kernel.
  const kernel = sourceColumn === null && checked.expr !== null ? compile(checked.expr) : null;
  return {
    text,
    target: parsed.target?.name ?? null,
    type,
    columns,
    usesPosition: checked.usesPosition,
    usesVolatile: checked.usesVolatile,
    sourceColumn,
    evaluate(inputs, length, ctx) {
      if (inputs.length < columns.length) {
        throw new ArgumentError(
          `Formula \`${text}\` needs ${columns.length} input column(s) (${columns.join(", ")}), got ${inputs.length}`,
        );
      }
      if (kernel === null) return passThrough(inputs[0]!, length);
      return toVec(kernel(length, { inputs, cols: [], ctx }), type as ScalarType, length);
    },
  };
}
