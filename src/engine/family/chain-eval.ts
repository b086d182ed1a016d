/**
 * Interpreter of parsed chains: maps each call onto a registered engine operation
 * (`operations.ts`) that the spec language accepts, checking each argument against the
 * operation's parameter declaration first, so a spec can only build tables. Errors name the
 * derived table and the position of the call or argument at fault.
 */

import type { AggKind, AggSpec } from "../agg/index.ts";
import { AGG_KINDS, agg } from "../agg/index.ts";
import { isTickflareError } from "../errors.ts";
import type { Operation, SpecValue } from "../operation.ts";
import { ParamError, signatureOf } from "../operation.ts";
import { FUNCTIONS, METHODS } from "../operations.ts";
import { Table } from "../table.ts";
import { UPDATEBY_NAMES, updateby } from "../updateby/update-by-spec.ts";
import type { ChainNode } from "./chain-parser.ts";
import { SpecError } from "./chain-parser.ts";
import { familyBudgetCheck } from "./ring-budget.ts";

const specNames = (ops: ReadonlyMap<string, Operation>): string[] =>
  [...ops.values()].filter((o) => o.spec).map((o) => o.name);

/** Every method a chain may use (for error messages). */
export const CHAIN_METHODS: readonly string[] = specNames(METHODS);
/** Every function a chain may call (the `agg.*` builders are checked against AGG_KINDS). */
const CHAIN_FUNCTIONS: readonly string[] = specNames(FUNCTIONS);

export function evalChain(
  node: ChainNode,
  table: string,
  src: string,
  lookup: (name: string) => Table | undefined,
): Table {
  const fail = (msg: string, pos: number): never => {
    throw new SpecError(
      `derived table "${table}": ${msg} at position ${pos} in \`${src}\``,
      table,
      pos,
    );
  };
  const asTable = (v: SpecValue, pos: number, what: string): Table => {
    if (!Table.isTable(v)) fail(`${what} must be a table`, pos);
    return v as Table;
  };
  /** Runs an engine call; engine errors keep their message and code, prefixed with the table and position. */
  const engine = <T>(pos: number, fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof SpecError) throw e;
      if (isTickflareError(e)) {
        throw new SpecError(
          `derived table "${table}" at position ${pos}: ${e.message}`,
          table,
          pos,
          e.code,
        );
      }
      throw e;
    }
  };

  /** Checks a call's arguments against the operation's parameters; returns them as it takes them. */
  const checkArgs = (op: Operation, args: readonly ChainNode[], pos: number): unknown[] => {
    const ps = op.params;
    const restParam = ps.find((p) => p.arity === "rest");
    const min = ps.reduce(
      (m, p) => m + (p.arity === "one" ? 1 : p.arity === "rest" ? p.min : 0),
      0,
    );
    const max = restParam ? Number.POSITIVE_INFINITY : ps.length;
    if (args.length < min || args.length > max) {
      const range =
        min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      const plural = max === 1 || (max === Infinity && min === 1) ? "" : "s";
      fail(
        `${op.name} takes ${range} argument${plural} (${signatureOf(op)}), got ${args.length}`,
        pos,
      );
    }
    const out: unknown[] = [];
    args.forEach((a, i) => {
      const p = ps[Math.min(i, ps.length - 1)]!;
      const what =
        p.arity === "rest"
          ? `${op.name}'s ${p.label} ${i - ps.indexOf(p) + 1}`
          : `${op.name}'s ${p.label}`;
      const v = ev(a);
      try {
        out.push(p.kind.check(v, what));
      } catch (e) {
        if (e instanceof ParamError) fail(e.message, a.pos);
        throw e;
      }
    });
    return out;
  };

  const ev = (n: ChainNode): SpecValue => {
    switch (n.kind) {
      case "literal":
        return n.value;
      case "list":
        return n.items.map(ev);
      case "object": {
        const o: { [k: string]: SpecValue } = {};
        for (const p of n.props) o[p.key] = ev(p.value);
        return o;
      }
      case "ref": {
        const t = lookup(n.name);
        if (!t) fail(`unknown table "${n.name}"`, n.pos);
        return t as Table;
      }
      case "ns": {
        if (n.ns === "updateby") return updatebyCall(n);
        if (!(AGG_KINDS as readonly string[]).includes(n.name)) {
          fail(`unknown aggregation "agg.${n.name}"; known: ${AGG_KINDS.join(", ")}`, n.pos);
        }
        const strs = n.args.flatMap((a) => {
          const v = ev(a);
          const items = Array.isArray(v) ? v : [v];
          if (!items.every((s) => typeof s === "string"))
            fail(`agg.${n.name} takes strings`, a.pos);
          return items as string[];
        });
        const fn = agg[n.name as AggKind] as (...a: string[]) => AggSpec;
        return engine(n.pos, () => fn(...strs));
      }
      case "call": {
        const op = FUNCTIONS.get(n.name);
        if (!op?.spec)
          return fail(`unknown function "${n.name}"; known: ${CHAIN_FUNCTIONS.join(", ")}`, n.pos);
        const args = checkArgs(op, n.args, n.pos);
        const apply = op.apply as (...a: unknown[]) => SpecValue;
        return engine(n.pos, () => {
          familyBudgetCheck(op.name, args); // a family's memory budget (ring-budget.ts)
          return apply(...args);
        });
      }
      case "method": {
        const target = asTable(ev(n.target), n.target.pos, `the target of .${n.name}()`);
        const op = METHODS.get(n.name);
        if (!op)
          return fail(`unknown method ".${n.name}()"; known: ${CHAIN_METHODS.join(", ")}`, n.pos);
        if (!op.spec) return fail(`method ".${n.name}()" cannot be used in a derived table`, n.pos);
        const args = checkArgs(op, n.args, n.pos);
        const apply = op.apply as (t: Table, ...a: unknown[]) => SpecValue;
        return engine(n.pos, () => apply(target, ...args));
      }
    }
  };

  /** `updateby.<name>(...)`: strings, numbers and lists of strings, checked by the builder. */
  const updatebyCall = (n: Extract<ChainNode, { kind: "ns" }>): SpecValue => {
    if (!UPDATEBY_NAMES.includes(n.name)) {
      fail(`unknown op "updateby.${n.name}"; known: ${UPDATEBY_NAMES.join(", ")}`, n.pos);
    }
    const args = n.args.map((a) => {
      const v = ev(a);
      const ok =
        typeof v === "string" ||
        typeof v === "number" ||
        (Array.isArray(v) && v.every((s) => typeof s === "string"));
      if (!ok)
        fail(
          `updateby.${n.name}'s argument must be a string, a number or a list of strings`,
          a.pos,
        );
      return v;
    });
    const fn = updateby[n.name as keyof typeof updateby] as (...a: unknown[]) => SpecValue;
    return engine(n.pos, () => fn(...args));
  };

  const v = ev(node);
  return asTable(v, node.pos, "a derived table's definition");
}
