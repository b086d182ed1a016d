/**
 * sort / sortDescending nuggets: ascending and descending on every column type of the harness
 * schema (ties, nulls, NaN, strings, bools, instants), and several columns with mixed orders.
 * The harness compares rows in row-key order, which is a sort result's order.
 */
import type { Nugget } from "../harness/nugget.ts";

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
];
