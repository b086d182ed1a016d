/** Recompute-harness nuggets of merge (two inputs of any kinds). */
import { merge } from "../../../src/engine/index.ts";
import type { Nugget } from "../harness/nugget.ts";

export const nuggets: Nugget[] = [
  { name: "merge(a, b)", arity: 2, build: ([a, b]) => merge(a!, b!) },
  { name: "merge(a, b.where(K > 0))", arity: 2, build: ([a, b]) => merge(a!, b!.where("K > 0")) },
];
