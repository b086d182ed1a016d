/**
 * Recompute-harness nuggets of head and tail. Over a blink input they mean
 * `blinkToAppendOnly(t, { sizeLimit: n })` and `ringTable(t, n)`: the first / last n rows of the
 * whole stream.
 */
import type { Nugget } from "../harness/nugget.ts";

export const nuggets: Nugget[] = [
  { name: "head(3)", arity: 1, build: ([t]) => t!.head(3), recompute: (_, [s]) => s!.head(3) },
  { name: "tail(2)", arity: 1, build: ([t]) => t!.tail(2), recompute: (_, [s]) => s!.tail(2) },
  { name: "head(0)", arity: 1, build: ([t]) => t!.head(0), recompute: (_, [s]) => s!.head(0) },
];
