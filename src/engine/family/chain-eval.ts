/**
 * Interpreter of parsed chains: maps each call onto a whitelisted engine operation, checking
 * argument kinds first, so a spec can only build tables. Errors name the derived table and the
 * position of the call at fault.
 */

import type { AggKind, AggSpec } from "../agg/index.ts";
import { AGG_KINDS, agg } from "../agg/index.ts";
import { isTickflareError } from "../errors.ts";
import { blinkToAppendOnly } from "../ops/blink-to-append-only.ts";
import { merge } from "../ops/merge.ts";
import { ringTable } from "../ops/ring.ts";
import { Table } from "../table.ts";
import type { ChainNode } from "./chain-parser.ts";
import { SpecError } from "./chain-parser.ts";
import { checkRingCapacity } from "./ring-budget.ts";

type Val = Table | string | number | boolean | null | Val[] | { [k: string]: Val } | AggSpec;

const STRING_METHODS = [
  "update",
  "updateView",
  "view",
  "select",
  "where",
  "dropColumns",
  "renameColumns",
  "sumBy",
  "avgBy",
  "minBy",
  "maxBy",
  "firstBy",
  "lastBy",
  "stdBy",
  "varBy",
  "absSumBy",
  "medianBy",
  "groupBy",
] as const;

/** Every method a chain may use (for error messages). */
export const CHAIN_METHODS: readonly string[] = [
  ...STRING_METHODS,
  "countBy",
  "aggBy",
  "head",
  "tail",
  "headPct",
  "tailPct",
  "slice",
  "slicePct",
  "removeBlink",
];
/** The functions a chain may call (the `agg.*` builders are checked against AGG_KINDS). */
const CHAIN_FUNCTIONS = ["ringTable", "blinkToAppendOnly", "merge"] as const;

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
  const asTable = (v: Val, pos: number, what: string): Table => {
    if (!Table.isTable(v)) fail(`${what} must be a table`, pos);
    return v as Table;
  };
  const asInt = (v: Val, pos: number, what: string): number => {
    if (typeof v !== "number" || !Number.isInteger(v)) fail(`${what} must be an integer`, pos);
    return v as number;
  };
  const asNum = (v: Val, pos: number, what: string): number => {
    if (typeof v !== "number") fail(`${what} must be a number`, pos);
    return v as number;
  };
  const strings = (vals: Val[], nodes: ChainNode[], what: string): string[] =>
    vals.flatMap((v, i) => {
      const items = Array.isArray(v) ? v : [v];
      return items.map((s) => {
        if (typeof s !== "string") fail(`${what} takes strings`, nodes[i]!.pos);
        return s as string;
      });
    });
  const arity = (args: ChainNode[], min: number, max: number, name: string, pos: number) => {
    if (args.length < min || args.length > max) {
      fail(
        `${name} takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? "" : "s"}, got ${args.length}`,
        pos,
      );
    }
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

  const ev = (n: ChainNode): Val => {
    switch (n.kind) {
      case "literal":
        return n.value;
      case "list":
        return n.items.map(ev);
      case "object": {
        const o: { [k: string]: Val } = {};
        for (const p of n.props) o[p.key] = ev(p.value);
        return o;
      }
      case "ref": {
        const t = lookup(n.name);
        if (!t) fail(`unknown table "${n.name}"`, n.pos);
        return t as Table;
      }
      case "ns": {
        if (!(AGG_KINDS as readonly string[]).includes(n.name)) {
          fail(`unknown aggregation "agg.${n.name}"; known: ${AGG_KINDS.join(", ")}`, n.pos);
        }
        const args = n.args.map(ev);
        const strs = strings(args, n.args, `agg.${n.name}`);
        const fn = agg[n.name as AggKind] as (...a: string[]) => AggSpec;
        return engine(n.pos, () => fn(...strs));
      }
      case "call":
        return call(n);
      case "method":
        return method(n);
    }
  };

  const call = (n: Extract<ChainNode, { kind: "call" }>): Val => {
    const args = n.args.map(ev);
    switch (n.name) {
      case "ringTable": {
        arity(n.args, 2, 3, "ringTable", n.pos);
        const t = asTable(args[0]!, n.args[0]!.pos, "ringTable's first argument");
        const cap = asInt(args[1]!, n.args[1]!.pos, "ringTable's capacity");
        let initialize = true;
        const opt = args[2];
        if (typeof opt === "boolean") initialize = opt;
        else if (opt && typeof opt === "object" && !Array.isArray(opt) && !Table.isTable(opt)) {
          const o = opt as { [k: string]: Val };
          for (const k of Object.keys(o))
            if (k !== "initialize") fail(`unknown ringTable option "${k}"`, n.args[2]!.pos);
          if (o.initialize !== undefined) {
            if (typeof o.initialize !== "boolean")
              fail("initialize must be true or false", n.args[2]!.pos);
            initialize = o.initialize as boolean;
          }
        } else if (opt !== undefined)
          fail("ringTable's third argument must be true/false or { initialize }", n.args[2]!.pos);
        return engine(n.pos, () => {
          checkRingCapacity(t, cap); // a family's memory budget (ring-budget.ts)
          return ringTable(t, cap, { initialize });
        });
      }
      case "blinkToAppendOnly": {
        arity(n.args, 1, 2, "blinkToAppendOnly", n.pos);
        const t = asTable(args[0]!, n.args[0]!.pos, "blinkToAppendOnly's argument");
        let sizeLimit: number | undefined;
        const opt = args[1];
        if (opt !== undefined) {
          if (!opt || typeof opt !== "object" || Array.isArray(opt) || Table.isTable(opt)) {
            fail("blinkToAppendOnly's second argument must be { sizeLimit }", n.args[1]!.pos);
          }
          const o = opt as { [k: string]: Val };
          for (const k of Object.keys(o))
            if (k !== "sizeLimit") fail(`unknown blinkToAppendOnly option "${k}"`, n.args[1]!.pos);
          sizeLimit = asInt(o.sizeLimit ?? null, n.args[1]!.pos, "sizeLimit");
        }
        return engine(n.pos, () =>
          blinkToAppendOnly(t, sizeLimit === undefined ? {} : { sizeLimit }),
        );
      }
      case "merge": {
        if (n.args.length === 0) fail("merge needs at least one table", n.pos);
        const ts = args.map((a, i) => asTable(a, n.args[i]!.pos, "each merge argument"));
        return engine(n.pos, () => merge(...ts));
      }
      default:
        return fail(`unknown function "${n.name}"; known: ${CHAIN_FUNCTIONS.join(", ")}`, n.pos);
    }
  };

  const method = (n: Extract<ChainNode, { kind: "method" }>): Val => {
    const target = asTable(ev(n.target), n.target.pos, `the target of .${n.name}()`);
    const args = n.args.map(ev);
    const name = n.name;
    if ((STRING_METHODS as readonly string[]).includes(name)) {
      const strs = strings(args, n.args, name);
      const m = (target as unknown as Record<string, (...a: string[]) => Table>)[name]!;
      return engine(n.pos, () => m.call(target, ...strs));
    }
    switch (name) {
      case "countBy": {
        if (n.args.length < 1) fail("countBy needs the name of the count column", n.pos);
        const strs = strings(args, n.args, "countBy");
        return engine(n.pos, () => target.countBy(strs[0]!, ...strs.slice(1)));
      }
      case "aggBy": {
        if (n.args.length < 1) fail("aggBy needs a list of aggregations", n.pos);
        const aggs = Array.isArray(args[0]) ? args[0] : [args[0]!];
        aggs.forEach((a) => {
          if (
            a === null ||
            typeof a !== "object" ||
            Array.isArray(a) ||
            Table.isTable(a) ||
            !("kind" in a)
          ) {
            fail("aggBy's first argument must be agg.* calls", n.args[0]!.pos);
          }
        });
        const keys = strings(args.slice(1), n.args.slice(1), "aggBy");
        return engine(n.pos, () => target.aggBy(aggs as AggSpec[], ...keys));
      }
      case "head":
      case "tail": {
        arity(n.args, 1, 1, name, n.pos);
        const k = asInt(args[0]!, n.args[0]!.pos, `${name}'s row count`);
        return engine(n.pos, () => (name === "head" ? target.head(k) : target.tail(k)));
      }
      case "headPct":
      case "tailPct": {
        arity(n.args, 1, 1, name, n.pos);
        const k = asNum(args[0]!, n.args[0]!.pos, `${name}'s fraction`);
        return engine(n.pos, () => (name === "headPct" ? target.headPct(k) : target.tailPct(k)));
      }
      case "slice": {
        arity(n.args, 2, 2, name, n.pos);
        const a = asInt(args[0]!, n.args[0]!.pos, "slice's start");
        const b = asInt(args[1]!, n.args[1]!.pos, "slice's end");
        return engine(n.pos, () => target.slice(a, b));
      }
      case "slicePct": {
        arity(n.args, 2, 2, name, n.pos);
        const a = asNum(args[0]!, n.args[0]!.pos, "slicePct's start");
        const b = asNum(args[1]!, n.args[1]!.pos, "slicePct's end");
        return engine(n.pos, () => target.slicePct(a, b));
      }
      case "removeBlink":
        arity(n.args, 0, 0, name, n.pos);
        return engine(n.pos, () => target.removeBlink());
      default:
        return fail(`unknown method ".${name}()"; known: ${CHAIN_METHODS.join(", ")}`, n.pos);
    }
  };

  const v = ev(node);
  return asTable(v, node.pos, "a derived table's definition");
}
