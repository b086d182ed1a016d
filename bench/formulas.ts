/**
 * Issue 2 benchmark: formula kernels over a 10M-row static table.
 * `emptyTable(10_000_000).update("X = ii", "Y = X * 2.5", "G = ii % 100")` (int64 inputs), the same
 * with int32/float64 inputs, and `.where("G < 50")`.
 */
import { emptyTable } from "../src/engine/index.ts";
import { best, printTable, rate } from "./util.ts";

export function benchFormulas(n = 10_000_000): void {
  const rows: string[][] = [];
  const base = emptyTable(n);
  const measure = (label: string, formulas: string[], columns: number) => {
    base.update(...formulas); // warm-up
    const ms = best(3, () => void base.update(...formulas));
    rows.push([label, String(columns), `${ms.toFixed(0)} ms`, rate(n * columns, ms), rate(n, ms)]);
  };
  measure(
    'int64: "X = ii", "Y = X * 2.5", "G = ii % 100"',
    ["X = ii", "Y = X * 2.5", "G = ii % 100"],
    3,
  );
  measure(
    'int32/float64: "X = i", "Y = X * 2.5", "G = i % 100"',
    ["X = i", "Y = X * 2.5", "G = i % 100"],
    3,
  );
  const int32 = base.update("X = i", "D = (double) i");
  const one = (label: string, f: string) => {
    int32.update(f);
    const ms = best(3, () => void int32.update(f));
    rows.push([label, "1", `${ms.toFixed(0)} ms`, rate(n, ms), rate(n, ms)]);
  };
  one('int32 "Y = X * 3 + 1"', "Y = X * 3 + 1");
  one('float64 "Y = D * 2.5"', "Y = D * 2.5");
  one('int32 "G = X % 100"', "G = X % 100");
  const long = base.update("X = ii");
  long.update("Y = X * 3L + 1L");
  const msLong = best(3, () => void long.update("Y = X * 3L + 1L"));
  rows.push([
    'int64 "Y = X * 3L + 1L"',
    "1",
    `${msLong.toFixed(0)} ms`,
    rate(n, msLong),
    rate(n, msLong),
  ]);
  const g64 = base.update("X = ii", "G = ii % 100");
  const g32 = base.update("X = i", "G = i % 100");
  for (const [label, t] of [
    ['where("G < 50") on int64 G', g64],
    ['where("G < 50") on int32 G', g32],
  ] as const) {
    t.where("G < 50");
    const ms = best(3, () => void t.where("G < 50"));
    rows.push([label, "filter", `${ms.toFixed(0)} ms`, rate(n, ms), rate(n, ms)]);
  }
  printTable(
    `Formulas over emptyTable(${n.toLocaleString("en")})`,
    ["operation", "formula columns", "best of 3", "column-rows/s", "rows/s"],
    rows,
  );
}
