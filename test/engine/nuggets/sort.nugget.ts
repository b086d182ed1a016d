/**
 * sort / sortDescending nuggets: ascending and descending on every column type of the harness
 * schema (ties, nulls, NaN, strings, bools, instants), and several columns with mixed orders.
 * The harness compares rows in row-key order, which is a sort result's order.
 *
 * Heads and tails over a refreshing sort are computed from the sort's parent (top-n.ts); they are
 * checked against a static sort then head/tail, with exact modifications (a cycle that changes no
 * row of the window emits nothing), including with no reserve rows (every removal from the
 * window refills it from the parent) and one, and above TOP_N_MAX (a slice of the full sort).
 */
import type { Table } from "../../../src/engine/index.ts";
import { TOP_N_MAX, windowOverSort } from "../../../src/engine/ops/top-n.ts";
import type { Nugget } from "../harness/nugget.ts";

/** Not over blink inputs: head of a blink table is blinkToAppendOnly, tail a ring. */
const NOT_BLINK = [["static", "appendOnly", "ring", "standard", "input"]] as const;

/** A window over a sort with `reserve` rows kept beyond it (the internal entry point). */
function windowed(t: Table, n: number, fromEnd: boolean, reserve: number): Table {
  if (!t.isRefreshing) return fromEnd ? t.tail(n) : t.head(n);
  const w = windowOverSort(t, n, fromEnd, fromEnd ? "tail" : "head", reserve);
  if (w === null) throw new Error("windowOverSort refused a refreshing sort");
  return w;
}

const windows: Nugget[] = (
  [
    {
      name: 'sort("Px").tail(2)',
      build: ([t]) => t!.sort("Px").tail(2),
    },
    {
      name: 'sort("Sym").head(2)',
      build: ([t]) => t!.sort("Sym").head(2),
    },
    {
      name: 'sort(["Sym", "Px"], ["asc", "desc"]).tail(3)',
      build: ([t]) => t!.sort(["Sym", "Px"], ["asc", "desc"]).tail(3),
    },
    {
      name: 'sortDescending("Ts").head(1)',
      build: ([t]) => t!.sortDescending("Ts").head(1),
    },
    {
      name: 'sort("Flag, K, Ts").head(4)',
      build: ([t]) => t!.sort("Flag, K, Ts").head(4),
    },
    {
      name: 'sortDescending("Px").head(0)',
      build: ([t]) => t!.sortDescending("Px").head(0),
    },
    {
      name: 'sortDescending("Px").head(2), no reserve',
      build: ([t]) => windowed(t!.sortDescending("Px"), 2, false, 0),
      recompute: ([t]) => t!.sortDescending("Px").head(2),
    },
    {
      name: 'sort("K").tail(3), one reserve row',
      build: ([t]) => windowed(t!.sort("K"), 3, true, 1),
      recompute: ([t]) => t!.sort("K").tail(3),
    },
    {
      name: 'sortDescending("Size").head(1), no reserve',
      build: ([t]) => windowed(t!.sortDescending("Size"), 1, false, 0),
      recompute: ([t]) => t!.sortDescending("Size").head(1),
    },
    {
      name: `sort("Px").head(TOP_N_MAX + 1) (a slice of the full sort)`,
      build: ([t]) => t!.sort("Px").head(TOP_N_MAX + 1),
    },
  ] satisfies Pick<Nugget, "name" | "build" | "recompute">[]
).map((n) => ({ ...n, arity: 1 as const, kinds: NOT_BLINK, exactModifications: true }));

const COLUMNS = ["Sym", "K", "Px", "Size", "Ts", "Flag"] as const;

export const nuggets: Nugget[] = [
  ...COLUMNS.map((c): Nugget => ({ name: `sort(${c})`, arity: 1, build: ([t]) => t!.sort(c) })),
  ...COLUMNS.map(
    (c): Nugget => ({
      name: `sortDescending(${c})`,
      arity: 1,
      build: ([t]) => t!.sortDescending(c),
    }),
  ),
  {
    name: 'sort(["Sym", "Px"], ["asc", "desc"])',
    arity: 1,
    build: ([t]) => t!.sort(["Sym", "Px"], ["asc", "desc"]),
  },
  { name: 'sort("Flag, K, Ts")', arity: 1, build: ([t]) => t!.sort("Flag, K, Ts") },
  {
    name: 'sortDescending("Px").head(3)',
    arity: 1,
    // head of a blink table is blinkToAppendOnly (the stream's first rows), not a window.
    kinds: [["static", "appendOnly", "ring", "standard"]],
    build: ([t]) => t!.sortDescending("Px").head(3),
  },
  ...windows,
];
