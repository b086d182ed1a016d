/**
 * Every nugget the recompute harness runs: one import and one spread per operation file.
 */
import { nuggets as sort } from "../nuggets/sort.nugget.ts";
import type { Nugget } from "./nugget.ts";

export const NUGGETS: readonly Nugget[] = [...sort];
