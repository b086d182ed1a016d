/**
 * Recompute-harness nuggets of headBy and tailBy. Over a blink input they cover the whole stream
 * (first / last n rows per group ever delivered, in stream order), so the recomputation runs over
 * `stream`; over other inputs `stream` is the current rows.
 */
import type { Table } from "../../../src/engine/index.ts";
import type { Nugget } from "../harness/nugget.ts";

const top = (name: string, f: (t: Table) => Table): Nugget => ({
  name,
  arity: 1,
  exactModifications: true,
  build: ([t]) => f(t!),
  recompute: (_, [s]) => f(s!),
});

export const nuggets: Nugget[] = [
  top("headBy(2, Sym)", (t) => t.headBy(2, "Sym")),
  top("headBy(1, Sym, K)", (t) => t.headBy(1, "Sym, K")),
  top("headBy(3)", (t) => t.headBy(3)),
  top("headBy(0, Sym)", (t) => t.headBy(0, "Sym")),
  top("tailBy(2, Sym)", (t) => t.tailBy(2, "Sym")),
  top("tailBy(1, K, Flag)", (t) => t.tailBy(1, ["K", "Flag"])),
  top("tailBy(3)", (t) => t.tailBy(3)),
  top("headBy(2, Sym).where(Px > 0)", (t) => t.headBy(2, "Sym").where("Px > 0")),
  top("tailBy(1, Sym) of where(K != null)", (t) => t.where("K != null").tailBy(1, "Sym")),
];
