/** Recompute-harness nuggets of dropColumns and renameColumns. */
import type { Nugget } from "../harness/nugget.ts";

export const nuggets: Nugget[] = [
  { name: "dropColumns(Px, Flag)", arity: 1, build: ([t]) => t!.dropColumns(["Px", "Flag"]) },
  {
    name: "renameColumns(P = Px, S = Sym)",
    arity: 1,
    build: ([t]) => t!.renameColumns("P = Px", "S = Sym"),
  },
];
