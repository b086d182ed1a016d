/** Helpers for formula tests: building input Vecs, evaluating formulas, reading results back. */
import { expect } from "vitest";
import type { Vec } from "../../../src/engine/column.ts";
import { FormulaError } from "../../../src/engine/errors.ts";
import {
  type CompiledFormula,
  compileFormula,
  type EvalContext,
} from "../../../src/engine/formula/index.ts";
import type { ColumnType } from "../../../src/engine/types.ts";

export type Plain = number | bigint | string | boolean | null;

/** Java's Long.MIN_VALUE and Long.MAX_VALUE. */
export const MIN_LONG = -(2n ** 63n);
export const MAX_LONG = 2n ** 63n - 1n;

/** A column for a test: its type and values (null for a null). */
export interface Col {
  type: ColumnType;
  values: readonly Plain[];
}

export const col = (type: ColumnType, values: readonly Plain[]): Col => ({ type, values });
export const ints = (...values: (number | null)[]) => col("int32", values);
export const longs = (...values: (bigint | null)[]) => col("int64", values);
export const doubles = (...values: (number | null)[]) => col("float64", values);
export const floats = (...values: (number | null)[]) => col("float32", values);
export const strs = (...values: (string | null)[]) => col("string", values);
export const bools = (...values: (boolean | null)[]) => col("bool", values);
export const chars = (...values: (string | null)[]) => col("char", values);

/** Builds a Vec; with `mask: "always"` a validity mask is present even without nulls. */
export function toVecOf(c: Col, mask: "auto" | "always" = "auto"): Vec {
  const n = c.values.length;
  const hasNull = c.values.some((v) => v === null);
  const valid = hasNull || mask === "always" ? new Uint8Array(n) : null;
  let data: Vec["data"];
  switch (c.type) {
    case "int8":
      data = new Int8Array(n);
      break;
    case "int16":
      data = new Int16Array(n);
      break;
    case "int32":
      data = new Int32Array(n);
      break;
    case "int64":
    case "instant":
      data = new BigInt64Array(n);
      break;
    case "float32":
      data = new Float32Array(n);
      break;
    case "float64":
      data = new Float64Array(n);
      break;
    case "bool":
      data = new Uint8Array(n);
      break;
    case "char":
      data = new Uint16Array(n);
      break;
    case "string":
      data = new Array<string>(n).fill("");
      break;
    default:
      throw new Error(`toVecOf: no test vectors of ${c.type}`);
  }
  c.values.forEach((v, i) => {
    if (valid) valid[i] = v === null ? 0 : 1;
    if (v === null) return;
    const d = data as unknown as unknown[];
    if (c.type === "bool") d[i] = v ? 1 : 0;
    else if (c.type === "char") d[i] = (v as string).charCodeAt(0);
    else d[i] = v;
  });
  return { data, valid, length: n };
}

/** Reads a result Vec back as plain values (bool as boolean, char as a string). */
export function fromVecOf(v: Vec, type: ColumnType): Plain[] {
  const out: Plain[] = [];
  expect(v.data.length).toBe(v.length);
  if (v.valid) expect(v.valid.length).toBe(v.length);
  for (let i = 0; i < v.length; i++) {
    if (v.valid && v.valid[i] === 0) out.push(null);
    else if (type === "bool") out.push(v.data[i] === 1);
    else if (type === "char") out.push(String.fromCharCode(v.data[i] as number));
    else out.push(v.data[i] as Plain);
  }
  return out;
}

/** A deterministic random source (a linear congruential generator) for tests. */
export function seeded(seed = 1): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export function ctxOf(over: Partial<EvalContext> = {}): EvalContext {
  return { position: 0, random: seeded(), nowNanos: () => 1_700_000_000_000_000_000n, ...over };
}

export interface EvalOptions {
  mode?: "assign" | "filter";
  rows?: number;
  ctx?: Partial<EvalContext>;
  mask?: "auto" | "always";
}

/** Compiles `text` over `cols` and evaluates it; returns the formula and its plain results. */
export function run(
  text: string,
  cols: Readonly<Record<string, Col>> = {},
  opts: EvalOptions = {},
): { f: CompiledFormula; values: Plain[] } {
  const schema: Record<string, ColumnType> = {};
  for (const [k, c] of Object.entries(cols)) schema[k] = c.type;
  const f = compileFormula(text, schema, opts.mode ?? "assign");
  const first = Object.values(cols)[0];
  const rows = opts.rows ?? first?.values.length ?? 1;
  const inputs = f.columns.map((c) => toVecOf(cols[c]!, opts.mask));
  const out = f.evaluate(inputs, rows, ctxOf(opts.ctx));
  return { f, values: fromVecOf(out, f.type) };
}

/** The plain results of an assignment formula. */
export function values(
  text: string,
  cols: Readonly<Record<string, Col>> = {},
  opts: EvalOptions = {},
): Plain[] {
  return run(text, cols, opts).values;
}

/** The single result of a formula without columns, evaluated over one row. */
export function value(expr: string): Plain {
  return values(`R = ${expr}`, {}, { rows: 1 })[0]!;
}

/** The result type of `R = expr`. */
export function typeOf(
  expr: string,
  schema: Readonly<Record<string, ColumnType>> = {},
): ColumnType {
  return compileFormula(`R = ${expr}`, schema, "assign").type;
}

/** Asserts that compiling throws a FormulaError at `position` whose message contains `detail`. */
export function expectFormulaError(
  text: string,
  schema: Readonly<Record<string, ColumnType>>,
  position: number,
  detail: string,
  mode: "assign" | "filter" = "assign",
): FormulaError {
  let caught: unknown;
  try {
    compileFormula(text, schema, mode);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(FormulaError);
  const fe = caught as FormulaError;
  expect(fe.message).toContain(detail);
  expect(fe.position).toBe(position);
  expect(fe.formula).toBe(text);
  expect(fe.code).toBe("bad_formula");
  return fe;
}
