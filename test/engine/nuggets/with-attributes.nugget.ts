/**
 * Recompute-harness nuggets of `withAttributes` and of partition transforms: a view with other
 * attributes has the parent's rows, and the blink attribute restored on a `removeBlink` view
 * (directly or on every constituent through `transform`) gives aggregations their whole-stream
 * semantics again, so those recompute over `stream`.
 */
import type { Table } from "../../../src/engine/index.ts";
import type { Nugget } from "../harness/nugget.ts";

const NOT_BLINK = ["static", "appendOnly", "ring", "standard"] as const;
const reblink = (t: Table): Table => t.withAttributes({ blink: true });
const sumBySym = (t: Table): Table => t.view("Sym", "Size").sumBy("Sym");

export const nuggets: Nugget[] = [
  {
    name: "withAttributes({ appendOnly: false })",
    arity: 1,
    build: ([t]) => t!.withAttributes({ appendOnly: false }),
  },
  {
    name: "withAttributes({ addOnly: true })",
    arity: 1,
    kinds: [["appendOnly"]],
    build: ([t]) => t!.withAttributes({ addOnly: true }),
    recompute: ([t]) => t!,
  },
  {
    name: "removeBlink().withAttributes({ blink: true }).sumBy(Sym)",
    arity: 1,
    kinds: [["blink"]],
    unordered: true,
    exactModifications: true,
    build: ([t]) => sumBySym(reblink(t!.removeBlink())),
    recompute: (_, [s]) => sumBySym(s!),
  },
  {
    name: "partitionBy(Sym).transform(where(K >= 0)).merge()",
    arity: 1,
    kinds: [NOT_BLINK],
    unordered: true,
    build: ([t]) =>
      t!
        .partitionBy("Sym")
        .transform((c) => c.where("K >= 0"))
        .merge(),
    recompute: ([t]) => t!.where("K >= 0"),
  },
  {
    name: "removeBlink().partitionBy(Sym).transform(blink).merge().sumBy(Sym)",
    arity: 1,
    kinds: [["blink"]],
    unordered: true,
    exactModifications: true,
    build: ([t]) => sumBySym(t!.removeBlink().partitionBy("Sym").transform(reblink).merge()),
    recompute: (_, [s]) => sumBySym(s!),
  },
];
