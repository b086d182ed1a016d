/**
 * The built-in functions: for each name, its arity, how argument types resolve to parameter
 * and result types (Deephaven's result types: `len` int, `round` long, random bounds exclusive),
 * and how its kernel is built. Also the Java method spellings (`Sym.length()`) they answer to.
 */
import type { ScalarType } from "../types.ts";
import type { FType } from "./ast.ts";
import type { CallBuilder } from "./ir.ts";
import type { IDouble, IInt, IStr, IV } from "./ivec.ts";
import { compare } from "./kernels-compare.ts";
import { isNull } from "./kernels-logic.ts";
import {
  abs,
  type DoubleFn,
  isInfOf,
  isNaNOf,
  mathDouble,
  minMax,
  pow,
  round,
  signum,
} from "./kernels-math.ts";
import { randomBool, randomDouble, randomFloat, randomInt, randomLong } from "./kernels-random.ts";
import * as str from "./kernels-string.ts";
import {
  assignable,
  binaryPromote,
  isIntegralLike,
  isNumericLike,
  typeName,
  unaryPromote,
} from "./promotion.ts";

/** Parameter and result types chosen for a call, and its kernel builder. */
export interface Resolved {
  readonly params: readonly ScalarType[];
  readonly result: ScalarType;
  readonly build: CallBuilder;
}

/** Argument `arg` (0-based) is not of the `expected` kind ("numeric", "int", "string", ...). */
export interface ArgProblem {
  readonly arg: number;
  readonly expected: string;
}

export interface FunctionDef {
  readonly min: number;
  readonly max: number;
  /** Non-deterministic (random*, now): the column must be computed once and kept. */
  readonly volatile: boolean;
  resolve(args: readonly FType[]): Resolved | ArgProblem;
}

const ANY = Number.POSITIVE_INFINITY;

function def(
  min: number,
  max: number,
  resolve: FunctionDef["resolve"],
  volatile = false,
): FunctionDef {
  return { min, max, volatile, resolve };
}

/** Checks that every argument can be passed as `param`; else describes the first that cannot. */
function fixed(
  params: readonly ScalarType[],
  result: ScalarType,
  build: CallBuilder,
): FunctionDef["resolve"] {
  return (args) => {
    for (let i = 0; i < args.length; i++) {
      const p = params[Math.min(i, params.length - 1)]!;
      if (!assignable(args[i]!, p)) {
        return { arg: i, expected: typeName(p) };
      }
    }
    return { params: args.map((_, i) => params[Math.min(i, params.length - 1)]!), result, build };
  };
}

/** A numeric argument (a null literal counts as double). */
function numericArg(args: readonly FType[], i: number): ArgProblem | null {
  const t = args[i]!;
  return t === "null" || isNumericLike(t) ? null : { arg: i, expected: "numeric" };
}

/** A function of fixed parameter types whose kernel is `k(args..., n)`. */
function fn1<A>(param: ScalarType, result: ScalarType, k: (a: A, n: number) => IV): FunctionDef {
  return def(
    1,
    1,
    fixed(
      [param],
      result,
      ([a]) =>
        (n, env) =>
          k(a!(n, env) as A, n),
    ),
  );
}

function fn2<A, B>(
  params: readonly [ScalarType, ScalarType],
  result: ScalarType,
  k: (a: A, b: B, n: number) => IV,
): FunctionDef {
  return def(
    2,
    2,
    fixed(
      params,
      result,
      ([a, b]) =>
        (n, env) =>
          k(a!(n, env) as A, b!(n, env) as B, n),
    ),
  );
}

/** A random function of two bounds; its kernel draws from the context's random source. */
function random2<A>(
  param: ScalarType,
  k: (lo: A, hi: A, n: number, r: () => number) => IV,
): FunctionDef {
  const build: CallBuilder =
    ([a, b]) =>
    (n, env) =>
      k(a!(n, env) as A, b!(n, env) as A, n, env.ctx.random);
  return def(2, 2, fixed([param], param, build), true);
}

/** A math function of one numeric argument, computed in double. */
function doubleFn(result: ScalarType, k: (a: IDouble, n: number) => IV): FunctionDef {
  return def(1, 1, (args) => numericArg(args, 0) ?? resolvedDouble(result, k));
}

function resolvedDouble(result: ScalarType, k: (a: IDouble, n: number) => IV): Resolved {
  return {
    params: ["float64"],
    result,
    build:
      ([a]) =>
      (n, env) =>
        k(a!(n, env) as IDouble, n),
  };
}

const math = (fn: DoubleFn) => doubleFn("float64", (a, n) => mathDouble(fn, a, n));

/** abs and signum: int, long, float and double keep their type (byte, short, char become int). */
function sameTypeFn(kernel: (a: IV, n: number) => IV): FunctionDef {
  return def(1, 1, (args) => {
    const bad = numericArg(args, 0);
    if (bad) return bad;
    const t = args[0] === "null" ? "float64" : unaryPromote(args[0] as ScalarType);
    return {
      params: [t],
      result: t,
      build:
        ([a]) =>
        (n, env) =>
          kernel(a!(n, env), n),
    };
  });
}

/** min and max of two or more numeric arguments, in their promoted type. */
function minMaxFn(max: boolean): FunctionDef {
  return def(2, ANY, (args) => {
    let t: ScalarType | null = null;
    for (let i = 0; i < args.length; i++) {
      const bad = numericArg(args, i);
      if (bad) return bad;
      const a = args[i] as ScalarType | "null";
      if (a !== "null") t = t === null ? unaryPromote(a) : binaryPromote(t, a);
    }
    const type = t ?? "float64";
    const build: CallBuilder = (ks) => (n, env) => {
      let acc = ks[0]!(n, env);
      for (let i = 1; i < ks.length; i++) acc = minMax(max, acc, ks[i]!(n, env), n);
      return acc;
    };
    return { params: args.map(() => type), result: type, build };
  });
}

/** round: Java's Math.round as a long; integral arguments pass through as long. */
const roundFn = def(1, 1, (args) => {
  const bad = numericArg(args, 0);
  if (bad) return bad;
  if (isIntegralLike(args[0]!)) return { params: ["int64"], result: "int64", build: identity };
  return resolvedDouble("int64", round);
});

const isNullFn = def(1, 1, (args) => ({
  params: [args[0] === "null" ? "int32" : (args[0] as ScalarType)],
  result: "bool",
  build:
    ([a]) =>
    (n, env) =>
      isNull(a!(n, env).v, n),
}));

const nowFn = def(
  0,
  0,
  fixed([], "instant", () => (n, env) => {
    const d = new BigInt64Array(n).fill(env.ctx.nowNanos());
    return { t: "L", d, v: null, o: true };
  }),
  true,
);

const identity: CallBuilder = ([a]) => a!;

const FUNCTIONS: Readonly<Record<string, FunctionDef>> = {
  // math
  sqrt: math("sqrt"),
  sin: math("sin"),
  cos: math("cos"),
  tan: math("tan"),
  asin: math("asin"),
  acos: math("acos"),
  atan: math("atan"),
  exp: math("exp"),
  log: math("log"),
  log10: math("log10"),
  floor: math("floor"),
  ceil: math("ceil"),
  pow: def(
    2,
    2,
    (args) =>
      numericArg(args, 0) ??
      numericArg(args, 1) ?? {
        params: ["float64", "float64"],
        result: "float64",
        build:
          ([a, b]) =>
          (n, env) =>
            pow(a!(n, env) as IDouble, b!(n, env) as IDouble, n),
      },
  ),
  abs: sameTypeFn(abs),
  signum: sameTypeFn(signum),
  min: minMaxFn(false),
  max: minMaxFn(true),
  round: roundFn,
  isNaN: doubleFn("bool", isNaNOf),
  isInf: doubleFn("bool", isInfOf),
  isNull: isNullFn,

  // strings
  upper: fn1("string", "string", str.upper),
  lower: fn1("string", "string", str.lower),
  trim: fn1("string", "string", str.trim),
  len: fn1("string", "int32", str.len),
  contains: fn2(["string", "string"], "bool", str.contains),
  startsWith: fn2(["string", "string"], "bool", str.startsWith),
  endsWith: fn2(["string", "string"], "bool", str.endsWith),
  substring: def(
    2,
    3,
    fixed(["string", "int32"], "string", ([a, b, c]) => (n, env) => {
      const end = c === undefined ? null : (c(n, env) as IInt);
      return str.substring(a!(n, env) as IStr, b!(n, env) as IInt, end, n);
    }),
  ),
  charAt: fn2(["string", "int32"], "char", str.charAt),
  equals: fn2(["string", "string"], "bool", (a: IV, b: IV, n) => compare("==", a, b, n)),

  // random (upper bounds exclusive) and time
  randomInt: random2("int32", randomInt),
  randomLong: random2("int64", randomLong),
  randomDouble: random2("float64", randomDouble),
  randomFloat: random2("float32", randomFloat),
  randomBool: def(
    0,
    0,
    fixed([], "bool", () => (n, env) => randomBool(n, env.ctx.random)),
    true,
  ),
  now: nowFn,
  epochNanos: def(1, 1, fixed(["instant"], "int64", identity)),
  epochNanosToInstant: def(1, 1, fixed(["int64"], "instant", identity)),
};

/** The built-in function called `name`, if any. */
export function lookupFunction(name: string): FunctionDef | undefined {
  return Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
}

/** Names of every built-in function, for error messages. */
export const FUNCTION_NAMES: readonly string[] = Object.keys(FUNCTIONS).sort();

/** Java method spellings on a string receiver: `recv.method(args)` calls `fn(recv, args)`. */
export const METHODS: Readonly<Record<string, string>> = {
  length: "len",
  toUpperCase: "upper",
  toLowerCase: "lower",
  trim: "trim",
  contains: "contains",
  startsWith: "startsWith",
  endsWith: "endsWith",
  substring: "substring",
  charAt: "charAt",
  equals: "equals",
};
