/**
 * aj / raj nuggets for the recompute harness: match on Sym and Ts or on Ts alone, non-strict and
 * strict. Both inputs share the harness schema, so the right's columns are joined renamed.
 */
import type { Nugget } from "../harness/nugget.ts";

const JOINS = "RPx = Px, RSize = Size, RTs = Ts, RFlag = Flag";

const cases: [name: string, kind: "aj" | "raj", on: string][] = [
  ["aj(Sym, Ts)", "aj", "Sym, Ts"],
  ["aj(Sym, Ts > Ts)", "aj", "Sym, Ts > Ts"],
  ["aj(Ts)", "aj", "Ts"],
  ["aj(K, Ts >= Ts)", "aj", "K, Ts >= Ts"],
  ["raj(Sym, Ts)", "raj", "Sym, Ts"],
  ["raj(Sym, Ts < Ts)", "raj", "Sym, Ts < Ts"],
  ["raj(Ts)", "raj", "Ts"],
  ["aj(Sym, Px)", "aj", "Sym, Px"],
];

export const nuggets: Nugget[] = cases.map(([name, kind, on]) => ({
  name,
  arity: 2,
  build: ([left, right]) => left![kind](right!, on, JOINS),
}));
