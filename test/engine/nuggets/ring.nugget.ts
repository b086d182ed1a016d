/**
 * Recompute-harness nuggets of ringTable and blinkToAppendOnly. A ring ignores its parent's
 * removals (and refuses modifications), so it runs over inputs that only add; its recomputation
 * is the last rows of the stream.
 */
import { blinkToAppendOnly, ringTable } from "../../../src/engine/index.ts";
import type { Nugget } from "../harness/nugget.ts";

const ADDING = [["static", "blink", "appendOnly"]] as const;

export const nuggets: Nugget[] = [
  {
    name: "ringTable(3)",
    arity: 1,
    kinds: ADDING,
    build: ([t]) => ringTable(t!, 3),
    recompute: (_, [s]) => ringTable(s!, 3),
  },
  {
    name: "blinkToAppendOnly",
    arity: 1,
    kinds: [["blink"]],
    build: ([t]) => blinkToAppendOnly(t!),
    recompute: (_, [s]) => s!,
  },
  {
    name: "blinkToAppendOnly(sizeLimit 4)",
    arity: 1,
    kinds: [["blink"]],
    build: ([t]) => blinkToAppendOnly(t!, { sizeLimit: 4 }),
    recompute: (_, [s]) => s!.head(4),
  },
];
