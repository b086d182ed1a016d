/**
 * Type checker: resolves names (columns, `i`/`ii`, constants, functions) against the schema,
 * applies Java's typing rules with Deephaven's choices (`/` on integers gives double, `+` with a
 * string concatenates, instant ± long is an instant), and produces the typed form of `ir.ts`
 * with every conversion explicit. Every problem is a FormulaError at the offending token.
 */
import { FormulaError } from "../errors.ts";
import type { ColumnType, ScalarType, Schema } from "../types.ts";
import { isArrayType } from "../types.ts";
import type { ArithOp, CmpOp, Expr, FType, ParsedFormula } from "./ast.ts";
import { FUNCTION_NAMES, lookupFunction, METHODS } from "./functions.ts";
import type { TExpr } from "./ir.ts";
import {
  binaryPromote,
  castable,
  isIntegralLike,
  isNumericLike,
  typeName,
  unaryPromote,
} from "./promotion.ts";

/**
 * The result of checking a formula. A bare reference to an array column has no expression to
 * evaluate (`expr` null, `sourceColumn` set): the table shares the column's storage.
 */
export interface Checked {
  readonly expr: TExpr | null;
  readonly type: ColumnType;
  readonly columns: readonly string[];
  readonly usesPosition: boolean;
  readonly usesVolatile: boolean;
  readonly sourceColumn: string | null;
}

/** A typed node, or the untyped `null` literal that takes its type from its context. */
type Typed = TExpr | { k: "null"; type: "null" };

const MAX_FLOAT = Math.fround(3.4028234663852886e38);

/** Named constants: Deephaven's null constants, and the numeric limits of each type. */
const CONSTANTS: Readonly<Record<string, readonly [ScalarType, number | bigint | null]>> = {
  NULL_BOOLEAN: ["bool", null],
  NULL_CHAR: ["char", null],
  NULL_BYTE: ["int8", null],
  NULL_SHORT: ["int16", null],
  NULL_INT: ["int32", null],
  NULL_LONG: ["int64", null],
  NULL_FLOAT: ["float32", null],
  NULL_DOUBLE: ["float64", null],
  MIN_CHAR: ["char", 0],
  MAX_CHAR: ["char", 0xffff],
  MIN_BYTE: ["int8", -128],
  MAX_BYTE: ["int8", 127],
  MIN_SHORT: ["int16", -32768],
  MAX_SHORT: ["int16", 32767],
  MIN_INT: ["int32", -2147483648],
  MAX_INT: ["int32", 2147483647],
  MIN_LONG: ["int64", -(2n ** 63n)],
  MAX_LONG: ["int64", 2n ** 63n - 1n],
  MIN_FLOAT: ["float32", -MAX_FLOAT],
  MAX_FLOAT: ["float32", MAX_FLOAT],
  MIN_DOUBLE: ["float64", -Number.MAX_VALUE],
  MAX_DOUBLE: ["float64", Number.MAX_VALUE],
  POS_INF_DOUBLE: ["float64", Infinity],
  NEG_INF_DOUBLE: ["float64", -Infinity],
  NAN_DOUBLE: ["float64", NaN],
  POS_INF_FLOAT: ["float32", Infinity],
  NEG_INF_FLOAT: ["float32", -Infinity],
  NAN_FLOAT: ["float32", NaN],
  POSITIVE_INFINITY_DOUBLE: ["float64", Infinity],
  NEGATIVE_INFINITY_DOUBLE: ["float64", -Infinity],
  POSITIVE_INFINITY_FLOAT: ["float32", Infinity],
  NEGATIVE_INFINITY_FLOAT: ["float32", -Infinity],
};

/** Checks a parsed formula against `schema`. */
export function typecheck(
  text: string,
  parsed: ParsedFormula,
  schema: Schema,
  mode: "assign" | "filter",
): Checked {
  const c = new Checker(text, schema);
  const e = parsed.expr;
  if (mode === "assign" && e.k === "ident" && c.isArrayColumn(e.name)) {
    return {
      expr: null,
      type: schema[e.name]!,
      columns: [e.name],
      usesPosition: false,
      usesVolatile: false,
      sourceColumn: e.name,
    };
  }
  const typed = c.check(e);
  if (typed.k === "null") {
    throw new FormulaError(
      text,
      parsed.expr.start,
      mode === "filter"
        ? "where filter must be boolean, got null"
        : "Cannot determine the type of null; use a typed null such as NULL_INT or NULL_DOUBLE",
    );
  }
  if (mode === "filter" && typed.type !== "bool") {
    throw new FormulaError(
      text,
      parsed.expr.start,
      `where filter must be boolean, got ${typeName(typed.type)}`,
    );
  }
  return {
    expr: typed,
    type: typed.type,
    columns: c.columns,
    usesPosition: c.usesPosition,
    usesVolatile: c.usesVolatile,
    sourceColumn: e.k === "ident" && typed.k === "col" ? e.name : null,
  };
}

class Checker {
  readonly #text: string;
  readonly #schema: Schema;
  readonly #index = new Map<string, number>();
  readonly columns: string[] = [];
  usesPosition = false;
  usesVolatile = false;

  constructor(text: string, schema: Schema) {
    this.#text = text;
    this.#schema = schema;
  }

  #fail(pos: number, detail: string): never {
    throw new FormulaError(this.#text, pos, detail);
  }

  check(e: Expr): Typed {
    switch (e.k) {
      case "lit":
        return e.type === "null"
          ? { k: "null", type: "null" }
          : { k: "const", type: e.type, value: e.value };
      case "ident":
        return this.#ident(e.name, e.pos);
      case "unary":
        return this.#unary(e.op, this.check(e.arg), e.pos);
      case "binary": {
        const l = this.check(e.left);
        const r = this.check(e.right);
        if (e.op === "&&" || e.op === "||") {
          this.#expectBool(l, r, e.op, e.pos);
          return {
            k: "logic",
            type: "bool",
            op: e.op,
            left: adopt(l, "bool"),
            right: adopt(r, "bool"),
          };
        }
        if (e.op === "+" && (l.type === "string" || r.type === "string")) {
          return {
            k: "concat",
            type: "string",
            left: adopt(l, "string"),
            right: adopt(r, "string"),
          };
        }
        if (e.op === "+" || e.op === "-" || e.op === "*" || e.op === "/" || e.op === "%") {
          return this.#arith(e.op, l, r, e.pos);
        }
        return this.#compare(e.op, l, r, e.pos);
      }
      case "cond":
        return this.#cond(e);
      case "cast": {
        const arg = this.check(e.arg);
        if (!castable(arg.type, e.to))
          this.#fail(e.pos, `Cannot cast ${typeName(arg.type)} to ${typeName(e.to)}`);
        return adopt(arg, e.to);
      }
      case "call":
        return this.#call(e);
    }
  }

  /** Whether `name` is a column of an array type. */
  isArrayColumn(name: string): boolean {
    return Object.hasOwn(this.#schema, name) && isArrayType(this.#schema[name]!);
  }

  /** The input number of column `name`, registering it on first use. */
  #input(name: string): number {
    let index = this.#index.get(name);
    if (index === undefined) {
      index = this.columns.length;
      this.#index.set(name, index);
      this.columns.push(name);
    }
    return index;
  }

  #ident(name: string, pos: number): Typed {
    if (name === "i" || name === "ii") {
      this.usesPosition = true;
      return { k: "pos", type: name === "i" ? "int32" : "int64" };
    }
    if (Object.hasOwn(this.#schema, name)) {
      const type = this.#schema[name]!;
      if (isArrayType(type)) {
        this.#fail(
          pos,
          `Column "${name}" is an array column (${type}); array columns cannot be used in formulas yet (only as a bare column, in len(${name}) or in isNull(${name}))`,
        );
      }
      return { k: "col", type, index: this.#input(name) };
    }
    if (Object.hasOwn(CONSTANTS, name)) {
      const [type, value] = CONSTANTS[name]!;
      return { k: "const", type, value };
    }
    if (name === "k") this.#fail(pos, "The row key variable k is not supported (use i or ii)");
    const names = Object.keys(this.#schema);
    this.#fail(
      pos,
      `Unknown column "${name}" (available: ${names.length > 0 ? names.join(", ") : "none"})`,
    );
  }

  #unary(op: "-" | "+" | "!", arg: Typed, pos: number): Typed {
    if (op === "!") {
      if (arg.type !== "bool" && arg.type !== "null")
        this.#fail(pos, `Cannot apply operator "!" to ${typeName(arg.type)}`);
      return { k: "not", type: "bool", arg: adopt(arg, "bool") };
    }
    if (!isNumericLike(arg.type))
      this.#fail(pos, `Cannot apply operator "${op}" to ${typeName(arg.type)}`);
    const t = unaryPromote(arg.type as ScalarType);
    const a = adopt(arg, t);
    return op === "+" ? a : { k: "neg", type: t, arg: a };
  }

  #expectBool(l: Typed, r: Typed, op: string, pos: number): void {
    const ok = (t: FType) => t === "bool" || t === "null";
    if (!ok(l.type) || !ok(r.type)) {
      this.#fail(
        pos,
        `Cannot apply operator "${op}" to ${typeName(l.type)} and ${typeName(r.type)}`,
      );
    }
  }

  #arith(op: ArithOp, l: Typed, r: Typed, pos: number): TExpr {
    const lt = l.type,
      rt = r.type;
    const long = (t: FType) => t === "null" || (isIntegralLike(t) && t !== "char");
    if (op === "+" || op === "-") {
      // instant ± long is an instant; instant - instant is the long difference in nanoseconds.
      const instantPlus =
        (lt === "instant" && long(rt)) || (op === "+" && long(lt) && rt === "instant");
      if (instantPlus) {
        return {
          k: "arith",
          type: "instant",
          opType: "int64",
          op,
          left: adopt(l, "int64"),
          right: adopt(r, "int64"),
        };
      }
      if (op === "-" && lt === "instant" && rt === "instant") {
        return {
          k: "arith",
          type: "int64",
          opType: "int64",
          op,
          left: adopt(l, "int64"),
          right: adopt(r, "int64"),
        };
      }
    }
    const t = this.#numericCommon(l, r, op, pos);
    const result: ScalarType = op === "/" && (t === "int32" || t === "int64") ? "float64" : t;
    return {
      k: "arith",
      type: result,
      opType: result,
      op,
      left: adopt(l, result),
      right: adopt(r, result),
    };
  }

  /** The promoted type of two numeric operands (a null literal takes the other's type). */
  #numericCommon(l: Typed, r: Typed, op: string, pos: number): ScalarType {
    const lt = l.type,
      rt = r.type;
    const okL = isNumericLike(lt) || lt === "null",
      okR = isNumericLike(rt) || rt === "null";
    if (!okL || !okR || (lt === "null" && rt === "null")) {
      this.#fail(pos, `Cannot apply operator "${op}" to ${typeName(lt)} and ${typeName(rt)}`);
    }
    if (lt === "null") return unaryPromote(rt as ScalarType);
    if (rt === "null") return unaryPromote(lt as ScalarType);
    return binaryPromote(lt as ScalarType, rt as ScalarType);
  }

  #compare(op: CmpOp, l: Typed, r: Typed, pos: number): TExpr {
    const lt = l.type,
      rt = r.type;
    let t: ScalarType;
    if (
      (isNumericLike(lt) || lt === "null") &&
      (isNumericLike(rt) || rt === "null") &&
      !(lt === "null" && rt === "null")
    ) {
      t = this.#numericCommon(l, r, op, pos);
    } else {
      const same = lt === "null" ? rt : rt === "null" ? lt : lt === rt ? lt : null;
      const equality = op === "==" || op === "!=";
      if (same === null || same === "null" || (same === "bool" && !equality)) {
        this.#fail(pos, `Cannot apply operator "${op}" to ${typeName(lt)} and ${typeName(rt)}`);
      }
      t = same;
    }
    return { k: "cmp", type: "bool", opType: t, op, left: adopt(l, t), right: adopt(r, t) };
  }

  #cond(e: Expr & { k: "cond" }): TExpr {
    const c = this.check(e.cond);
    if (c.type !== "bool" && c.type !== "null") {
      this.#fail(e.cond.start, `Condition of ?: must be boolean, got ${typeName(c.type)}`);
    }
    const a = this.check(e.ifTrue);
    const b = this.check(e.ifFalse);
    let t: ScalarType;
    if (a.type === "null" && b.type === "null") {
      this.#fail(e.pos, "Cannot determine the type of ?: when both branches are null");
    } else if (a.type === "null" || b.type === "null" || a.type === b.type) {
      t = (a.type === "null" ? b.type : a.type) as ScalarType;
    } else if (isNumericLike(a.type) && isNumericLike(b.type)) {
      t = binaryPromote(a.type, b.type);
    } else {
      this.#fail(e.pos, `Incompatible types in ?: ${typeName(a.type)} and ${typeName(b.type)}`);
    }
    return {
      k: "cond",
      type: t,
      cond: adopt(c, "bool"),
      ifTrue: adopt(a, t),
      ifFalse: adopt(b, t),
    };
  }

  #call(e: Expr & { k: "call" }): TExpr {
    let name = e.name;
    if (e.method) {
      if (!Object.hasOwn(METHODS, name)) {
        this.#fail(
          e.pos,
          `Unknown method "${name}" (available: ${Object.keys(METHODS).join(", ")})`,
        );
      }
      name = METHODS[name]!;
    }
    const def = lookupFunction(name);
    if (def === undefined) {
      this.#fail(e.pos, `Unknown function "${name}" (available: ${FUNCTION_NAMES.join(", ")})`);
    }
    const only = e.args.length === 1 ? e.args[0]! : null;
    if (only?.k === "ident" && this.isArrayColumn(only.name)) {
      // The two functions that take an array column: its element count and its nullness.
      if (name === "len") return { k: "arrayLen", type: "int32", index: this.#input(only.name) };
      if (name === "isNull") {
        return { k: "arrayIsNull", type: "bool", index: this.#input(only.name) };
      }
    }
    const skip = e.method ? 1 : 0;
    const given = e.args.length - skip;
    if (given < def.min - skip || given > def.max - skip) {
      this.#fail(e.pos, `${e.name} expects ${arity(def.min - skip, def.max - skip)}, got ${given}`);
    }
    const args = e.args.map((a) => this.check(a));
    const r = def.resolve(args.map((a) => a.type));
    if ("expected" in r) {
      const got = typeName(args[r.arg]!.type);
      if (e.method && r.arg === 0) this.#fail(e.pos, `Cannot call method "${e.name}" on ${got}`);
      this.#fail(
        e.args[r.arg]!.start,
        `${e.name} argument ${r.arg + 1 - skip} must be ${r.expected}, got ${got}`,
      );
    }
    if (def.volatile) this.usesVolatile = true;
    return {
      k: "call",
      type: r.result,
      name,
      build: r.build,
      args: args.map((a, i) => adopt(a, r.params[i]!)),
      volatile: def.volatile,
    };
  }
}

function arity(min: number, max: number): string {
  const n = (k: number) => `${k} argument${k === 1 ? "" : "s"}`;
  if (min === max) return min === 0 ? "no arguments" : n(min);
  if (max === Number.POSITIVE_INFINITY) return `at least ${n(min)}`;
  return `${min} or ${n(max)}`;
}

/** `e` as type `to`: a typed null for the null literal, a conversion node if the type differs. */
function adopt(e: Typed, to: ScalarType): TExpr {
  if (e.k === "null") return { k: "const", type: to, value: null };
  if (e.type === to) return e;
  return { k: "conv", type: to, arg: e };
}
