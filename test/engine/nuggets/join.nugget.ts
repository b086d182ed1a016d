/**
 * Nuggets of naturalJoin and join for the recompute harness: two inputs of any kind, matched on
 * the shared schema's Sym / K / Flag columns. (errorOnDuplicate and exactJoin fail on most random
 * inputs; their failures are covered by test/engine/joins.property.test.ts.)
 */
import type { Nugget } from "../harness/nugget.ts";

export const nuggets: Nugget[] = [
  {
    name: "naturalJoin(Sym, firstMatch)",
    arity: 2,
    build: ([l, r]) => l!.naturalJoin(r!, "Sym", "RPx = Px, RK = K", { type: "firstMatch" }),
  },
  {
    name: "naturalJoin(Sym, K, lastMatch)",
    arity: 2,
    build: ([l, r]) =>
      l!.naturalJoin(r!, "Sym, K", ["RSize = Size", "RTs = Ts"], { type: "lastMatch" }),
  },
  {
    name: "join(Sym)",
    arity: 2,
    build: ([l, r]) => l!.join(r!, "Sym", "RPx = Px, RTs = Ts"),
  },
  {
    name: "join(K = K, Flag = Flag)",
    arity: 2,
    build: ([l, r]) => l!.join(r!, "K, Flag", "RSym = Sym, RSize = Size"),
  },
  {
    name: "join() cross product",
    arity: 2,
    build: ([l, r]) => l!.view("Sym", "K").join(r!.view("Px"), "", "RPx = Px"),
  },
];
