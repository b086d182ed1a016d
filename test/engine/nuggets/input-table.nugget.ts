/**
 * Nuggets with a keyed input table (keys Sym, K; upserted and deleted by key) as a join's right
 * side. Its keys are unique, so the join that refuses duplicate right keys (`errorOnDuplicate`,
 * which random inputs of other kinds almost always break) runs here; the as-of joins read its
 * stamps, which are not ordered by row key (row keys are reused).
 */

import { KINDS } from "../harness/inputs.ts";
import type { Nugget } from "../harness/nugget.ts";

const RIGHT_INPUT = [KINDS, ["input"]] as const;

export const nuggets: Nugget[] = [
  {
    name: "naturalJoin(Sym, K, errorOnDuplicate) of an input table",
    arity: 2,
    kinds: RIGHT_INPUT,
    build: ([l, r]) =>
      l!.naturalJoin(r!, "Sym, K", "RPx = Px, RTs = Ts", { type: "errorOnDuplicate" }),
  },
  {
    name: "aj(Sym, Ts >= Ts) of an input table",
    arity: 2,
    kinds: RIGHT_INPUT,
    build: ([l, r]) => l!.aj(r!, "Sym, Ts >= Ts", "RPx = Px, RK = K"),
  },
  {
    name: "whereIn(Sym, K) of an input table",
    arity: 2,
    kinds: RIGHT_INPUT,
    build: ([l, r]) => l!.whereIn(r!, "Sym, K"),
  },
];
