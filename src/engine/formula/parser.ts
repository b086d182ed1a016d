/**
 * Parser of the formula language (a Java expression subset, as Deephaven query strings): a
 * precedence-climbing parser from tokens to the syntax tree of `ast.ts`.
 *
 * Precedence, lowest first: `?:` (right-associative), `||`, `&&`, `==` `!=`, `<` `<=` `>` `>=`,
 * `+` `-`, `*` `/` `%`, unary `-` `+` `!` and casts, then postfix method calls `.name(args)`.
 * In filter mode a single `=` compares like `==` (Deephaven's match-filter spelling `X = 5`).
 *
 * Limits: the parser, the type checker and the compiler recurse over the tree, so a formula may
 * nest at most `MAX_FORMULA_DEPTH` levels (parentheses, argument lists, `?:` branches, unary
 * operators and casts) and hold at most `MAX_FORMULA_OPERATORS` binary operators and method
 * calls; beyond them it is a FormulaError naming the limit, never a stack overflow.
 */
import { FormulaError } from "../errors.ts";
import type { ScalarType } from "../types.ts";
import type { BinaryOp, Expr, ParsedFormula } from "./ast.ts";
import { FUNCTION_NAMES, lookupFunction } from "./functions.ts";
import { type Token, tokenize } from "./lexer.ts";

const BINARY_PRECEDENCE: Readonly<Record<string, number>> = {
  "||": 1,
  "&&": 2,
  "==": 3,
  "!=": 3,
  "<": 4,
  "<=": 4,
  ">": 4,
  ">=": 4,
  "+": 5,
  "-": 5,
  "*": 6,
  "/": 6,
  "%": 6,
};

/** Primitive type keywords usable in a cast, with their column types. */
const CAST_TYPES: Readonly<Record<string, ScalarType>> = {
  byte: "int8",
  short: "int16",
  int: "int32",
  long: "int64",
  float: "float32",
  double: "float64",
  char: "char",
  boolean: "bool",
};

const UNSUPPORTED: Readonly<Record<string, string>> = {
  "&": "use && for a logical and",
  "|": "use || for a logical or",
  "^": "bitwise operators are not supported",
  "~": "bitwise operators are not supported",
};

/** Deepest nesting of parentheses, argument lists, `?:` branches, unary operators and casts. */
export const MAX_FORMULA_DEPTH = 256;
/** Most binary operators plus method calls in one formula (each deepens the tree by one). */
export const MAX_FORMULA_OPERATORS = 1000;

const INT_MAX = 2n ** 31n - 1n;
const LONG_MAX = 2n ** 63n - 1n;

/** Parses `text` as an assignment (`Name = expr` or a bare `Name`) or as a filter expression. */
export function parseFormula(text: string, mode: "assign" | "filter"): ParsedFormula {
  return new Parser(text, tokenize(text), mode).parse();
}

function describe(t: Token): string {
  return t.kind === "eof" ? "end of input" : `"${t.text}"`;
}

class Parser {
  readonly #text: string;
  readonly #toks: Token[];
  readonly #mode: "assign" | "filter";
  #i = 0;
  #depth = 0;
  #operators = 0;

  constructor(text: string, toks: Token[], mode: "assign" | "filter") {
    this.#text = text;
    this.#toks = toks;
    this.#mode = mode;
  }

  parse(): ParsedFormula {
    const first = this.#peek();
    if (first.kind === "eof") this.#fail(first.pos, "Empty formula");
    if (this.#mode === "filter") {
      const expr = this.#ternary();
      this.#expectEnd();
      return { target: null, expr };
    }
    if (first.kind !== "ident") {
      this.#fail(first.pos, `Expected a column name to assign to, got ${describe(first)}`);
    }
    this.#i++;
    const target = { name: first.text, pos: first.pos };
    const next = this.#peek();
    if (next.kind === "eof") {
      return { target, expr: { k: "ident", start: first.pos, pos: first.pos, name: first.text } };
    }
    if (!this.#isOp(next, "=")) {
      this.#fail(
        next.pos,
        `Expected "=" after the column name "${first.text}", got ${describe(next)}`,
      );
    }
    this.#i++;
    const expr = this.#ternary();
    this.#expectEnd();
    return { target, expr };
  }

  #fail(pos: number, detail: string): never {
    throw new FormulaError(this.#text, pos, detail);
  }

  #peek(offset = 0): Token {
    return this.#toks[Math.min(this.#i + offset, this.#toks.length - 1)]!;
  }

  #isOp(t: Token, op: string): boolean {
    return t.kind === "op" && t.text === op;
  }

  #expect(op: string): Token {
    const t = this.#peek();
    if (!this.#isOp(t, op)) this.#fail(t.pos, `Expected "${op}" but found ${describe(t)}`);
    this.#i++;
    return t;
  }

  #expectEnd(): void {
    const t = this.#peek();
    if (t.kind === "eof") return;
    if (this.#isOp(t, "=")) this.#fail(t.pos, `Unexpected "=" (use "==" to compare values)`);
    this.#fail(t.pos, `Unexpected token ${describe(t)}`);
  }

  /** Runs `parse` one nesting level deeper, refusing to go past MAX_FORMULA_DEPTH. */
  #nested<T>(pos: number, parse: () => T): T {
    if (this.#depth >= MAX_FORMULA_DEPTH) {
      this.#fail(
        pos,
        `Formula nests deeper than ${MAX_FORMULA_DEPTH} levels (parentheses, calls, ?:, unary operators and casts)`,
      );
    }
    this.#depth++;
    try {
      return parse();
    } finally {
      this.#depth--;
    }
  }

  /** Counts one binary operator or method call, refusing more than MAX_FORMULA_OPERATORS. */
  #operator(pos: number): void {
    if (++this.#operators > MAX_FORMULA_OPERATORS) {
      this.#fail(
        pos,
        `Formula has more than ${MAX_FORMULA_OPERATORS} operators and method calls; split it into several columns`,
      );
    }
  }

  #ternary(): Expr {
    return this.#nested(this.#peek().pos, () => this.#ternaryAt());
  }

  #ternaryAt(): Expr {
    const cond = this.#binary(1);
    const q = this.#peek();
    if (!this.#isOp(q, "?")) return cond;
    this.#i++;
    const ifTrue = this.#ternary();
    this.#expect(":");
    const otherwise = this.#ternary();
    return { k: "cond", start: cond.start, pos: q.pos, cond, ifTrue, ifFalse: otherwise };
  }

  #binaryOp(t: Token): BinaryOp | null {
    if (t.kind !== "op") return null;
    if (t.text === "=" && this.#mode === "filter") return "==";
    if (UNSUPPORTED[t.text] !== undefined && t.text !== "~") {
      this.#fail(t.pos, `Operator "${t.text}" is not supported (${UNSUPPORTED[t.text]})`);
    }
    return t.text in BINARY_PRECEDENCE ? (t.text as BinaryOp) : null;
  }

  #binary(minPrec: number): Expr {
    let left = this.#unary();
    for (;;) {
      const t = this.#peek();
      const op = this.#binaryOp(t);
      if (op === null || BINARY_PRECEDENCE[op]! < minPrec) return left;
      this.#operator(t.pos);
      this.#i++;
      const right = this.#binary(BINARY_PRECEDENCE[op]! + 1);
      left = { k: "binary", start: left.start, pos: t.pos, op, left, right };
    }
  }

  #unary(): Expr {
    const t = this.#peek();
    if (t.kind === "op") {
      if (t.text === "-" || t.text === "+" || t.text === "!") {
        this.#i++;
        const lit = this.#peek();
        if (t.text === "-" && (lit.kind === "int" || lit.kind === "long") && lit.radix === 10) {
          // Java allows -2147483648 and -9223372036854775808L only as negated literals.
          this.#i++;
          return this.#postfix(this.#intLiteral(lit, true, t.pos));
        }
        const arg = this.#nested(t.pos, () => this.#unary());
        return { k: "unary", start: t.pos, pos: t.pos, op: t.text, arg };
      }
      if (t.text === "~") this.#fail(t.pos, `Operator "~" is not supported (${UNSUPPORTED["~"]})`);
      const name = this.#peek(1);
      if (
        t.text === "(" &&
        name.kind === "ident" &&
        CAST_TYPES[name.text] &&
        this.#isOp(this.#peek(2), ")")
      ) {
        this.#i += 3;
        const arg = this.#nested(t.pos, () => this.#unary());
        return { k: "cast", start: t.pos, pos: t.pos, to: CAST_TYPES[name.text]!, arg };
      }
    }
    return this.#postfix(this.#primary());
  }

  #postfix(e: Expr): Expr {
    let expr = e;
    while (this.#isOp(this.#peek(), ".")) {
      this.#i++;
      const name = this.#peek();
      if (name.kind !== "ident")
        this.#fail(name.pos, `Expected a method name after ".", got ${describe(name)}`);
      this.#operator(name.pos);
      this.#i++;
      if (!this.#isOp(this.#peek(), "(")) {
        this.#fail(this.#peek().pos, `Expected "(" after the method name "${name.text}"`);
      }
      const args = this.#args();
      expr = {
        k: "call",
        start: expr.start,
        pos: name.pos,
        name: name.text,
        args: [expr, ...args],
        method: true,
      };
    }
    return expr;
  }

  /** Parses `( a, b, ... )`, the current token being `(`. */
  #args(): Expr[] {
    this.#expect("(");
    const args: Expr[] = [];
    if (this.#isOp(this.#peek(), ")")) {
      this.#i++;
      return args;
    }
    for (;;) {
      args.push(this.#ternary());
      const t = this.#peek();
      if (this.#isOp(t, ",")) {
        this.#i++;
        continue;
      }
      if (this.#isOp(t, ")")) {
        this.#i++;
        return args;
      }
      this.#fail(t.pos, `Expected "," or ")" in the argument list but found ${describe(t)}`);
    }
  }

  /**
   * `Math.sin(X)` is a Deephaven (Java) habit: formulas call functions directly, so say which
   * call to write instead (`sin(X)`), or that the function does not exist.
   */
  #javaMath(math: Token): never {
    const name = this.#peek(2);
    const open = this.#peek(3);
    if (name.kind !== "ident" || !this.#isOp(open, "(")) {
      const what = name.kind === "ident" ? `Math.${name.text}` : "Math";
      return this.#fail(math.pos, `${what} is Java; formulas have no Math class`);
    }
    this.#i += 3;
    this.#args();
    const close = this.#toks[this.#i - 1]!;
    const written = this.#text.slice(math.pos, close.pos + 1);
    const call = `${name.text}${this.#text.slice(open.pos, close.pos + 1)}`;
    if (lookupFunction(name.text)) {
      return this.#fail(
        math.pos,
        `${written} is Java; formulas call functions directly: write ${call}`,
      );
    }
    return this.#fail(
      math.pos,
      `${written} is Java; formulas call functions directly, and there is no function "${name.text}" (available: ${FUNCTION_NAMES.join(", ")})`,
    );
  }

  #intLiteral(t: Token & { kind: "int" | "long" }, negated: boolean, start: number): Expr {
    const isLong = t.kind === "long";
    let v = t.value;
    if (t.radix === 10) {
      const max = isLong ? LONG_MAX : INT_MAX;
      if (v > max + (negated ? 1n : 0n)) {
        this.#fail(
          negated ? start : t.pos,
          isLong
            ? `Long literal ${negated ? "-" : ""}${t.text} is out of range for long`
            : `Integer literal ${negated ? "-" : ""}${t.text} is out of range for int (use ${t.text}L for a long)`,
        );
      }
      if (negated) v = -v;
    } else {
      const bits = isLong ? 64 : 32;
      if (v >= 1n << BigInt(bits)) {
        this.#fail(
          t.pos,
          `${isLong ? "Long" : "Integer"} literal ${t.text} is out of range for ${isLong ? "long" : "int"}`,
        );
      }
      v = BigInt.asIntN(bits, v);
    }
    const value = isLong ? v : Number(v);
    return { k: "lit", start, pos: start, type: isLong ? "int64" : "int32", value };
  }

  #primary(): Expr {
    const t = this.#peek();
    const lit = (type: Expr & { k: "lit" }): Expr => {
      this.#i++;
      return type;
    };
    const base = { start: t.pos, pos: t.pos };
    switch (t.kind) {
      case "int":
      case "long":
        this.#i++;
        return this.#intLiteral(t, false, t.pos);
      case "float":
        return lit({ k: "lit", ...base, type: "float32", value: t.value });
      case "double":
        return lit({ k: "lit", ...base, type: "float64", value: t.value });
      case "string":
        return lit({ k: "lit", ...base, type: "string", value: t.value });
      case "char":
        return lit({ k: "lit", ...base, type: "char", value: t.value });
      case "instant":
        return lit({ k: "lit", ...base, type: "instant", value: t.value });
      case "duration":
        return lit({ k: "lit", ...base, type: "int64", value: t.value });
      case "ident": {
        if (t.text === "true" || t.text === "false") {
          return lit({ k: "lit", ...base, type: "bool", value: t.text === "true" ? 1 : 0 });
        }
        if (t.text === "null") return lit({ k: "lit", ...base, type: "null", value: null });
        if (t.text === "Math" && this.#isOp(this.#peek(1), ".")) this.#javaMath(t);
        this.#i++;
        if (this.#isOp(this.#peek(), "(")) {
          return { k: "call", ...base, name: t.text, args: this.#args(), method: false };
        }
        return { k: "ident", ...base, name: t.text };
      }
      case "op":
        if (t.text === "(") {
          this.#i++;
          const e = this.#ternary();
          this.#expect(")");
          return { ...e, start: t.pos };
        }
        return this.#fail(t.pos, `Unexpected token ${describe(t)}`);
      case "eof":
        return this.#fail(t.pos, "Unexpected end of input");
    }
  }
}
