/**
 * Every nugget the recompute harness runs: one import and one spread per operation file.
 */
import { nuggets as asOfJoin } from "../nuggets/as-of-join.nugget.ts";
import type { Nugget } from "./nugget.ts";

export const NUGGETS: readonly Nugget[] = [...asOfJoin];
