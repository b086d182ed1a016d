/**
 * Recompute-harness nuggets of the aggregations. Over a blink input an aggregation covers every
 * row since it was built, so the recomputation runs over `stream`.
 */

import type { Table } from "../../../src/engine/index.ts";
import { agg } from "../../../src/engine/index.ts";
import type { Nugget } from "../harness/nugget.ts";

/** `equalZeros` for those picking one of equal values (min, max, median): see Nugget. */
const byStream = (name: string, f: (t: Table) => Table, blink = true, picks = false): Nugget => ({
  name,
  equalZeros: picks,
  arity: 1,
  unordered: true,
  exactModifications: true,
  ...(blink ? {} : { kinds: [["static", "appendOnly", "ring", "standard"]] as const }),
  build: ([t]) => f(t!),
  recompute: (_, [s]) => f(s!),
});

export const nuggets: Nugget[] = [
  byStream("sumBy(Sym)", (t) => t.view("Sym", "Px", "Size", "K", "Flag").sumBy("Sym")),
  byStream("countBy(N, Sym, K)", (t) => t.countBy("N", "Sym", "K")),
  byStream("avgBy(K)", (t) => t.view("K", "Px", "Size").avgBy("K")),
  byStream("minBy(Sym)", (t) => t.minBy("Sym"), true, true),
  byStream("maxBy(Flag)", (t) => t.maxBy("Flag"), true, true),
  byStream("firstBy(Sym)", (t) => t.firstBy("Sym")),
  byStream("lastBy(Sym, K)", (t) => t.lastBy("Sym", "K")),
  byStream("medianBy(Sym)", (t) => t.view("Sym", "Px", "Size", "K").medianBy("Sym"), true, true),
  byStream("stdBy(K)", (t) => t.view("K", "Px", "Size").stdBy("K")),
  byStream("varBy()", (t) => t.view("Px", "Size", "K").varBy()),
  byStream(
    "aggBy(sum, count, min, max, last, countDistinct; Sym)",
    (t) =>
      t.aggBy(
        [
          agg.sum("SumSize = Size", "SumPx = Px"),
          agg.count("N"),
          agg.min("Lo = Px"),
          agg.max("Hi = Ts"),
          agg.last("LastK = K"),
          agg.countDistinct("DK = K"),
        ],
        "Sym",
      ),
    true,
    true,
  ),
  byStream("aggBy(first, avg, absSum; no keys)", (t) =>
    t.aggBy([agg.first("F = Sym"), agg.avg("A = Px"), agg.absSum("S = Size")]),
  ),
  byStream("groupBy(Sym)", (t) => t.view("Sym", "K", "Px").groupBy("Sym"), false),
];
