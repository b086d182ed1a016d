/**
 * whereIn / whereNotIn nuggets: the first input filtered by the second's current keys, on one
 * column (string with nulls), on two, and on a renamed pair. Every input kind on both sides;
 * the from-scratch result is the same filter over static snapshots (the default recompute).
 */
import type { Nugget } from "../harness/nugget.ts";

export const nuggets: Nugget[] = [
  { name: "whereIn(Sym)", arity: 2, build: ([l, r]) => l!.whereIn(r!, "Sym") },
  { name: "whereNotIn(Sym)", arity: 2, build: ([l, r]) => l!.whereNotIn(r!, "Sym") },
  { name: "whereIn(Sym, K)", arity: 2, build: ([l, r]) => l!.whereIn(r!, ["Sym", "K"]) },
  { name: "whereNotIn(Sym, K)", arity: 2, build: ([l, r]) => l!.whereNotIn(r!, "Sym, K") },
  {
    name: "whereIn(Flag = Flag, Px = Px)",
    arity: 2,
    build: ([l, r]) => l!.whereIn(r!, "Flag = Flag, Px = Px"),
  },
];
