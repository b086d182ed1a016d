/**
 * Issue 4 benchmark: `blink.view("Sym", "Size").sumBy("Sym")` and an aggBy of sum, count, min,
 * max and last by Sym, over 2,000,000 rows in batches of 10,000, with 100 and 100,000 symbols.
 */
import type { Table } from "../src/engine/index.ts";
import { agg, tablePublisher, UpdateGraph } from "../src/engine/index.ts";
import { COLUMNS, makeBatches } from "./streaming.ts";
import { heapMB, printTable, rate } from "./util.ts";

type Make = (b: Table) => Table;

export async function benchAggregations(total = 2_000_000, batchSize = 10_000): Promise<void> {
  const rows: string[][] = [];
  const cases: [string, Make][] = [
    ['view("Sym", "Size").sumBy("Sym")', (b) => b.view("Sym", "Size").sumBy("Sym")],
    [
      "aggBy([sum, count, min, max, last], Sym)",
      (b) =>
        b.aggBy(
          [
            agg.sum("Total = Size"),
            agg.count("N"),
            agg.min("Lo = Price"),
            agg.max("Hi = Price"),
            agg.last("Last = Price"),
          ],
          "Sym",
        ),
    ],
  ];
  for (const symbols of [100, 100_000]) {
    const batches = makeBatches(batchSize, 8, symbols);
    for (const [label, make] of cases)
      rows.push(await aggCase(label, make, batches, symbols, total, batchSize));
  }
  printTable(
    `Aggregations over a blink table, ${total.toLocaleString("en")} rows in batches of ${batchSize.toLocaleString("en")} (publish + cycle included, best of 3)`,
    ["aggregation", "symbols", "throughput", "groups", "heap growth"],
    rows,
  );
}

/** Best of three runs, each in its own frame, so one run's tables are garbage before the next. */
async function aggCase(
  label: string,
  make: Make,
  batches: Table[],
  symbols: number,
  total: number,
  batchSize: number,
): Promise<string[]> {
  let best: string[] | null = null;
  let bestMs = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 3; run++) {
    const r = await aggRun(make, batches, total, batchSize);
    if (r.ms < bestMs) {
      bestMs = r.ms;
      best = [
        label,
        String(symbols),
        rate(total, r.ms),
        String(r.groups),
        `${r.heap.toFixed(0)} MB`,
      ];
    }
  }
  return best!;
}

async function aggRun(make: Make, batches: Table[], total: number, batchSize: number) {
  const heap0 = await heapMB();
  const g = new UpdateGraph({ seed: 1 });
  const [blink, pub] = tablePublisher(g, { name: "bench", columns: COLUMNS });
  const result = make(blink);
  const t0 = performance.now();
  for (let c = 0; c < total / batchSize; c++) {
    pub.add(batches[c % batches.length]!);
    await g.runCycle();
  }
  const ms = performance.now() - t0;
  return { ms, groups: result.size, heap: (await heapMB()) - heap0 };
}
