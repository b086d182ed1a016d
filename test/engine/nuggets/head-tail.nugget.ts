/**
 * Recompute-harness nuggets of head, tail and the other positional slices, and removeBlink. Over
 * a blink input head and tail mean `blinkToAppendOnly(t, { sizeLimit: n })` and
 * `ringTable(t, n)`: the first / last n rows of the whole stream. The other slices refuse blink
 * inputs.
 */
import type { Nugget } from "../harness/nugget.ts";

const NOT_BLINK = [["static", "appendOnly", "ring", "standard"]] as const;

export const nuggets: Nugget[] = [
  { name: "head(3)", arity: 1, build: ([t]) => t!.head(3), recompute: (_, [s]) => s!.head(3) },
  { name: "tail(2)", arity: 1, build: ([t]) => t!.tail(2), recompute: (_, [s]) => s!.tail(2) },
  { name: "head(0)", arity: 1, build: ([t]) => t!.head(0), recompute: (_, [s]) => s!.head(0) },
  { name: "slice(1, -1)", arity: 1, kinds: NOT_BLINK, build: ([t]) => t!.slice(1, -1) },
  { name: "headPct(0.5)", arity: 1, kinds: NOT_BLINK, build: ([t]) => t!.headPct(0.5) },
  { name: "tailPct(0.25)", arity: 1, kinds: NOT_BLINK, build: ([t]) => t!.tailPct(0.25) },
  { name: "removeBlink", arity: 1, build: ([t]) => t!.removeBlink() },
];
