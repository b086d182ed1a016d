/**
 * Operation descriptors. Each table operation is declared once, next to its implementation: its
 * name, its parameters (each of a kind that can check a spec-language argument), the function
 * that applies it, a one-line description, and whether the spec language accepts it. The
 * registry (`operations.ts`) lists the descriptors; from it come
 * - the `Table` methods (installed by `table.ts`, typed from each descriptor's `apply`),
 * - the spec language's accepted calls and argument checks (`family/chain-eval.ts`),
 * - the operation table of docs/engine.md (`renderOperationTable`, checked by a test).
 *
 * The kinds cover today's operations and the relational ones to come: tables, column lists
 * (`"A, B"` or `["A", "B"]`, or varargs of either), formula lists, integers, numbers, strings,
 * enum strings (one or one per column), options objects and aggregation specs.
 */
import type { AggSpec } from "./agg/agg-spec.ts";
import { isAggSpec } from "./agg/agg-spec.ts";
import { Table } from "./table-core.ts";
import type { UpdateBySpec } from "./updateby/update-by-spec.ts";
import { isUpdateBySpec } from "./updateby/update-by-spec.ts";

/** What a spec-language argument evaluates to. */
export type SpecValue =
  | Table
  | AggSpec
  | UpdateBySpec
  | string
  | number
  | boolean
  | null
  | readonly SpecValue[]
  | { readonly [key: string]: SpecValue };

/** A parameter's argument failed its kind's check; the spec language adds table and position. */
export class ParamError extends Error {
  override readonly name = "ParamError";
}

/** A kind of parameter: how the docs call it, and the check of one spec-language argument. */
export interface ParamKind<T> {
  /** The kind in the docs' words ("integer", "column list"). */
  readonly doc: string;
  /** Returns the argument as the engine takes it, or throws ParamError naming `what`. */
  check(value: SpecValue, what: string): T;
}

/** How many arguments a parameter takes: exactly one, zero or one, or any number (varargs). */
export type Arity = "one" | "optional" | "rest";

export interface Param<T = unknown, A extends Arity = Arity> {
  /** The parameter's name in signatures (`n`, `formulas`). */
  readonly name: string;
  /** What it is, in error messages after the operation's name ("row count": "head's row count"). */
  readonly label: string;
  readonly kind: ParamKind<T>;
  readonly arity: A;
  /** For varargs: the fewest arguments accepted. */
  readonly min: number;
}

export type Params = readonly Param<unknown, Arity>[];

/** The argument tuple a parameter list accepts from the spec language. */
export type ArgsOf<P extends Params> = P extends readonly [infer H, ...infer R extends Params]
  ? H extends Param<infer T, "rest">
    ? T[]
    : H extends Param<infer T, "optional">
      ? [T?, ...ArgsOf<R>]
      : H extends Param<infer T, "one">
        ? [T, ...ArgsOf<R>]
        : never
  : [];

/** A `Table` method: `t.name(...args)`. */
export interface MethodOperation<
  N extends string = string,
  P extends Params = Params,
  F extends (table: Table, ...args: never) => unknown = (table: Table, ...args: never) => unknown,
> {
  readonly type: "method";
  readonly name: N;
  readonly params: P;
  /** Applies the operation: the installed method calls `apply(this, ...args)`. */
  readonly apply: F;
  /** One line for the docs' operation table. */
  readonly doc: string;
  /** Whether derived tables of a family spec may call it. */
  readonly spec: boolean;
}

/** A function over tables (`merge(a, b)`, `ringTable(t, 10)`): exported by name, not a method. */
export interface FunctionOperation<
  N extends string = string,
  P extends Params = Params,
  F extends (...args: never) => unknown = (...args: never) => unknown,
> {
  readonly type: "function";
  readonly name: N;
  readonly params: P;
  readonly apply: F;
  readonly doc: string;
  readonly spec: boolean;
}

export type Operation = MethodOperation | FunctionOperation;

/** The method type a descriptor installs: `apply` without its leading table (labels kept). */
// The table parameter is matched as `never`, and methods are picked by their `type` tag (in
// operations.ts), so resolving the methods never needs `Table`'s own members: in emitted .d.ts
// files anything else makes `interface Table extends OperationMethods` a circular base type.
export type MethodOf<F> = F extends (table: never, ...args: infer A) => infer R
  ? (...args: A) => R
  : never;

/**
 * Declares a `Table` method. `apply`'s parameters after the table give the method's TypeScript
 * signature; they must accept what `params` let through from the spec language.
 */
export function defineMethod<
  const N extends string,
  const P extends Params,
  F extends (table: Table, ...args: ArgsOf<P>) => unknown,
>(d: { name: N; params: P; apply: F; doc: string; spec?: boolean }): MethodOperation<N, P, F> {
  return Object.freeze({ type: "method", spec: true, ...d });
}

/** Declares a function over tables (its TypeScript form is the exported function itself). */
export function defineFunction<
  const N extends string,
  const P extends Params,
  F extends (...args: ArgsOf<P>) => unknown,
>(d: { name: N; params: P; apply: F; doc: string; spec?: boolean }): FunctionOperation<N, P, F> {
  return Object.freeze({ type: "function", spec: true, ...d });
}

/** `name(a, b?, ...c)`: an operation's signature, for error messages and the docs. */
export function signatureOf(op: Operation): string {
  const ps = op.params.map((p) =>
    p.arity === "rest" ? `...${p.name}` : p.arity === "optional" ? `${p.name}?` : p.name,
  );
  return `${op.name}(${ps.join(", ")})`;
}

// ---- parameter kinds ---------------------------------------------------------------------------

const isObject = (v: SpecValue): v is { readonly [key: string]: SpecValue } =>
  v !== null &&
  typeof v === "object" &&
  !Array.isArray(v) &&
  !Table.isTable(v) &&
  !isAggSpec(v) &&
  !isUpdateBySpec(v);

const TABLE: ParamKind<Table> = {
  doc: "table",
  check(v, what) {
    if (!Table.isTable(v)) throw new ParamError(`${what} must be a table`);
    return v;
  },
};

const INTEGER: ParamKind<number> = {
  doc: "integer",
  check(v, what) {
    if (typeof v !== "number" || !Number.isInteger(v))
      throw new ParamError(`${what} must be an integer`);
    return v;
  },
};

const NUMBER: ParamKind<number> = {
  doc: "number",
  check(v, what) {
    if (typeof v !== "number") throw new ParamError(`${what} must be a number`);
    return v;
  },
};

const STRING: ParamKind<string> = {
  doc: "string",
  check(v, what) {
    if (typeof v !== "string") throw new ParamError(`${what} must be a string`);
    return v;
  },
};

const BOOLEAN: ParamKind<boolean> = {
  doc: "true/false",
  check(v, what) {
    if (typeof v !== "boolean") throw new ParamError(`${what} must be true or false`);
    return v;
  },
};

/** A string or a list of strings (`"A, B"` or `["A", "B"]`); `doc` says what the strings are. */
function stringList(doc: string, items: string): ParamKind<string | string[]> {
  return {
    doc,
    check(v, what) {
      if (typeof v === "string") return v;
      if (Array.isArray(v) && v.every((s) => typeof s === "string")) return [...v] as string[];
      throw new ParamError(`${what} must be ${items} or a list of them`);
    },
  };
}

const COLUMNS = stringList("column list", "a column name string");
const FORMULAS = stringList("formula list", "a formula string");

const AGGS: ParamKind<AggSpec | AggSpec[]> = {
  doc: "agg.* specs",
  check(v, what) {
    if (isAggSpec(v)) return v;
    if (Array.isArray(v) && v.every((a) => isAggSpec(a))) return [...v] as AggSpec[];
    throw new ParamError(`${what} must be agg.* calls`);
  },
};

const UPDATEBYS: ParamKind<UpdateBySpec | UpdateBySpec[]> = {
  doc: "updateby.* ops",
  check(v, what) {
    if (isUpdateBySpec(v)) return v;
    if (Array.isArray(v) && v.length > 0 && v.every((a) => isUpdateBySpec(a)))
      return [...v] as UpdateBySpec[];
    throw new ParamError(`${what} must be an updateby.* call or a non-empty list of them`);
  },
};

/** One of `values` (`"asc" | "desc"`). */
function oneOf<const V extends string>(values: readonly V[]): ParamKind<V> {
  const list = values.map((v) => `"${v}"`).join(", ");
  return {
    doc: values.map((v) => `"${v}"`).join(" | "),
    check(v, what) {
      if (typeof v !== "string" || !(values as readonly string[]).includes(v))
        throw new ParamError(`${what} must be one of ${list}`);
      return v as V;
    },
  };
}

/** One value of `kind`, or a list of them (one per column: sort orders). */
function oneOrList<T>(kind: ParamKind<T>): ParamKind<T | T[]> {
  return {
    doc: `${kind.doc}, or a list of them`,
    check(v, what) {
      if (Array.isArray(v)) return v.map((x, i) => kind.check(x, `${what}[${i}]`));
      return kind.check(v, what);
    },
  };
}

type KindValue<K> = K extends ParamKind<infer T> ? T : never;
type Shape = Readonly<Record<string, ParamKind<unknown>>>;
type OptionsOf<S extends Shape> = { [K in keyof S]?: KindValue<S[K]> };

/**
 * An options object with the keys of `shape`, each optional and checked by its kind; an unknown
 * key is an error naming it. With `shorthand`, a bare value stands for that one key (Deephaven's
 * positional `initialize` of ringTable).
 */
function options<const S extends Shape>(
  shape: S,
  shorthand?: keyof S & string,
): ParamKind<OptionsOf<S>> {
  const keys = Object.keys(shape);
  const form = `{ ${keys.join(", ")} }`;
  const short = shorthand ? shape[shorthand] : undefined;
  return {
    doc: short ? `${form} or ${short.doc}` : form,
    check(v, what) {
      if (short && shorthand && !isObject(v)) {
        try {
          return { [shorthand]: short.check(v, what) } as OptionsOf<S>;
        } catch {
          throw new ParamError(`${what} must be ${short.doc} or ${form}`);
        }
      }
      if (!isObject(v)) throw new ParamError(`${what} must be an object ${form}`);
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        const kind = shape[k];
        if (!kind)
          throw new ParamError(`${what} has an unknown option "${k}"; known: ${keys.join(", ")}`);
        out[k] = kind.check(x, `${what}.${k}`);
      }
      return out as OptionsOf<S>;
    },
  };
}

/** The parameter kinds, for descriptors and for the kinds of coming operations. */
export const kinds = Object.freeze({
  table: TABLE,
  integer: INTEGER,
  number: NUMBER,
  string: STRING,
  boolean: BOOLEAN,
  columns: COLUMNS,
  formulas: FORMULAS,
  aggs: AGGS,
  updateBys: UPDATEBYS,
  oneOf,
  oneOrList,
  options,
});

/** A parameter taking exactly one argument of `kind`; `label` names it in errors. */
export function param<T>(name: string, kind: ParamKind<T>, label = name): Param<T, "one"> {
  return Object.freeze({ name, label, kind, arity: "one", min: 1 });
}

/** A parameter that may be left out (only after the required ones). */
export function optional<T>(p: Param<T, "one">): Param<T, "optional"> {
  return Object.freeze({ ...p, arity: "optional", min: 0 });
}

/** Varargs: any number of arguments, each of the kind (last only); at least `min`. */
export function rest<T>(p: Param<T, "one">, min = 0): Param<T, "rest"> {
  return Object.freeze({ ...p, arity: "rest", min });
}
