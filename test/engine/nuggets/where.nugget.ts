/** Recompute-harness nuggets of `where`: comparisons, nulls, NaN, strings, booleans, conjunctions. */
import type { Nugget } from "../harness/nugget.ts";

const filter = (name: string, ...filters: string[]): Nugget => ({
  name,
  arity: 1,
  build: ([t]) => t!.where(...filters),
});

export const nuggets: Nugget[] = [
  filter("where(Px > 1)", "Px > 1"),
  filter("where(Sym == `a`)", "Sym == `a`"),
  filter("where(isNull(K))", "isNull(K)"),
  filter("where(Px != Px) (NaN)", "Px != Px"),
  filter("where(isNaN(Px))", "isNaN(Px)"),
  filter("where(Flag)", "Flag"),
  filter("where(K >= 0, Size < 10)", "K >= 0", "Size < 10"),
  filter("where(Sym != null || K == 1)", "Sym != null || K == 1"),
];
