/**
 * Compiler from the typed form to a tree of vectorised kernels: each node becomes one closure
 * that runs a whole batch through the loop specialised for its operator and type.
 *
 * Constant subtrees (no columns, no `i`/`ii`, no random/now) are folded: evaluated once at
 * compile time over one row, then served as a cached broadcast vector.
 */
import type { Vec } from "../column.ts";
import type { ArrayValue, ScalarType } from "../types.ts";
import type { Scalar } from "./ast.ts";
import { MAX_SAFE } from "./int64.ts";
import type { TExpr } from "./ir.ts";
import {
  broadcast,
  fromVec,
  type IBool,
  type IDouble,
  type IInt,
  type ILong,
  type IStr,
  type IV,
} from "./ivec.ts";
import type { Env, Kernel } from "./kernel.ts";
import { convert } from "./kernels-cast.ts";
import { compare } from "./kernels-compare.ts";
import * as dbl from "./kernels-double.ts";
import * as int from "./kernels-int.ts";
import { and, isNull, not, or, select } from "./kernels-logic.ts";
import * as long from "./kernels-long.ts";
import { concat } from "./kernels-string.ts";

/** A compiled node; `constant` holds its one-row value when it is a folded constant. */
interface Node {
  readonly kernel: Kernel;
  readonly constant: IV | null;
}

/** The environment constant folding runs in: pure kernels never look at it. */
const FOLD_ENV: Env = {
  inputs: [],
  cols: [],
  ctx: { position: 0, random: () => 0, nowNanos: () => 0n },
};

/** Compiles a typed expression to the kernel that evaluates it. */
export function compile(e: TExpr): Kernel {
  return node(e).kernel;
}

/** A one-row vector holding `value` (null for a null) in the representation of `type`. */
export function scalar(type: ScalarType, value: Scalar): IV {
  const v = value === null ? new Uint8Array(1) : null;
  switch (type) {
    case "int8":
    case "int16":
    case "int32":
    case "char":
      return { t: "i", d: Int32Array.of(Number(value ?? 0)), v, o: false };
    case "float32":
    case "float64":
      return { t: "f", d: Float64Array.of(Number(value ?? 0)), v, o: false };
    case "int64":
    case "instant": {
      const b = BigInt(value ?? 0);
      return b >= -MAX_SAFE && b <= MAX_SAFE
        ? { t: "l", d: Float64Array.of(Number(b)), v, o: false }
        : { t: "L", d: BigInt64Array.of(b), v, o: false };
    }
    case "bool":
      return { t: "b", d: Uint8Array.of(Number(value ?? 0)), v, o: false };
    case "string":
      return { t: "s", d: [String(value ?? "")], v, o: false };
  }
}

function constant(one: IV): Node {
  let cache: IV | null = null;
  const kernel: Kernel = (n) => {
    if (cache === null || cache.d.length < n) cache = broadcast(one, Math.max(n, 1));
    return cache;
  };
  return { kernel, constant: one };
}

/** A node over `children`, folded to a constant if it is pure and they all are. */
function make(kernel: Kernel, children: readonly Node[], pure = true): Node {
  if (pure && children.every((c) => c.constant !== null)) return constant(kernel(1, FOLD_ENV));
  return { kernel, constant: null };
}

function node(e: TExpr): Node {
  switch (e.k) {
    case "const":
      return constant(scalar(e.type, e.value));
    case "col": {
      const { index, type } = e;
      return {
        kernel: (n, env) => (env.cols[index] ??= fromVec(env.inputs[index]!, type, n)),
        constant: null,
      };
    }
    case "arrayLen": {
      const { index } = e;
      return { kernel: (n, env) => arrayLength(env.inputs[index]!, n), constant: null };
    }
    case "arrayIsNull": {
      const { index } = e;
      return { kernel: (n, env) => isNull(env.inputs[index]!.valid, n), constant: null };
    }
    case "pos":
      return { kernel: e.type === "int32" ? positionInt : positionLong, constant: null };
    case "conv": {
      const a = node(e.arg);
      const from = e.arg.type,
        to = e.type,
        k = a.kernel;
      return make((n, env) => convert(k(n, env), from, to, n), [a]);
    }
    case "neg": {
      const a = node(e.arg);
      const k = a.kernel;
      switch (e.type) {
        case "int32":
          return make((n, env) => int.negInt(k(n, env) as IInt, n), [a]);
        case "int64":
          return make((n, env) => long.negLong(k(n, env) as ILong, n), [a]);
        default:
          return make((n, env) => dbl.negDouble(k(n, env) as IDouble, n), [a]);
      }
    }
    case "not": {
      const a = node(e.arg);
      const k = a.kernel;
      return make((n, env) => not(k(n, env) as IBool, n), [a]);
    }
    case "arith":
      return arith(e);
    case "concat": {
      const l = node(e.left),
        r = node(e.right);
      const lk = l.kernel,
        rk = r.kernel;
      return make((n, env) => concat(lk(n, env) as IStr, rk(n, env) as IStr, n), [l, r]);
    }
    case "cmp": {
      const l = node(e.left),
        r = node(e.right);
      const lk = l.kernel,
        rk = r.kernel,
        op = e.op;
      return make((n, env) => compare(op, lk(n, env), rk(n, env), n), [l, r]);
    }
    case "logic": {
      const l = node(e.left),
        r = node(e.right);
      const lk = l.kernel,
        rk = r.kernel;
      const f = e.op === "&&" ? and : or;
      return make((n, env) => f(lk(n, env) as IBool, rk(n, env) as IBool, n), [l, r]);
    }
    case "cond": {
      const c = node(e.cond),
        a = node(e.ifTrue),
        b = node(e.ifFalse);
      const ck = c.kernel,
        ak = a.kernel,
        bk = b.kernel;
      return make((n, env) => select(ck(n, env) as IBool, ak(n, env), bk(n, env), n), [c, a, b]);
    }
    case "call": {
      const args = e.args.map(node);
      return make(e.build(args.map((a) => a.kernel)), args, !e.volatile);
    }
  }
}

type Binary<T> = (a: T, b: T, n: number) => IV;

function binary<T>(e: TExpr & { k: "arith" }, f: Binary<T>): Node {
  const l = node(e.left),
    r = node(e.right);
  const lk = l.kernel,
    rk = r.kernel;
  return make((n, env) => f(lk(n, env) as T, rk(n, env) as T, n), [l, r]);
}

const INT: Readonly<Record<string, Binary<IInt>>> = {
  "+": int.addInt,
  "-": int.subInt,
  "*": int.mulInt,
  "%": int.remInt,
};
const LONG: Readonly<Record<string, Binary<ILong>>> = {
  "+": long.addLong,
  "-": long.subLong,
  "*": long.mulLong,
  "%": long.remLong,
};
const DOUBLE: Readonly<Record<string, Binary<IDouble>>> = {
  "+": dbl.addDouble,
  "-": dbl.subDouble,
  "*": dbl.mulDouble,
  "/": dbl.divDouble,
  "%": dbl.remDouble,
};
const FLOAT: Readonly<Record<string, Binary<IDouble>>> = {
  "+": dbl.addFloat,
  "-": dbl.subFloat,
  "*": dbl.mulFloat,
  "/": dbl.divFloat,
  "%": dbl.remDouble,
};

function arith(e: TExpr & { k: "arith" }): Node {
  const table: Readonly<Record<string, Binary<never>>> =
    e.opType === "int32"
      ? INT
      : e.opType === "int64"
        ? LONG
        : e.opType === "float32"
          ? FLOAT
          : DOUBLE;
  const f = table[e.op];
  if (f === undefined) throw new TypeError(`no kernel for ${e.opType} ${e.op}`);
  return binary(e, f);
}

/** Element counts of an array column batch (null for a null cell). */
function arrayLength(vec: Vec, n: number): IV {
  const cells = vec.data as readonly ArrayValue[];
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = cells[i]?.length ?? 0; // a null cell's slot is unspecified
  return { t: "i", d: out, v: vec.valid, o: true };
}

function positionInt(n: number, env: Env): IV {
  const p = env.ctx.position,
    out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = (p + i) | 0;
  return { t: "i", d: out, v: null, o: true };
}

function positionLong(n: number, env: Env): IV {
  const p = env.ctx.position,
    out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = p + i;
  return { t: "l", d: out, v: null, o: true };
}
