/**
 * Issue 4 benchmark: `blink.view("Sym", "Size").sumBy("Sym")` and an aggBy of sum, count, min,
 * max and last by Sym, over 2,000,000 rows in batches of 10,000, with 100 and 100,000 symbols.
 */
import { agg, tablePublisher, UpdateGraph } from "../src/engine/index.ts";
import { COLUMNS, makeBatches } from "./streaming.ts";
import { heapMB, printTable, rate } from "./util.ts";

export async function benchAggregations(total = 2_000_000, batchSize = 10_000): Promise<void> {
  const rows: string[][] = [];
  for (const symbols of [100, 100_000]) {
    const batches = makeBatches(batchSize, 8, symbols);
    const cases = [
      [
        'view("Sym", "Size").sumBy("Sym")',
        (b: ReturnType<typeof tablePublisher>[0]) => b.view("Sym", "Size").sumBy("Sym"),
      ],
      [
        "aggBy([sum, count, min, max, last], Sym)",
        (b: ReturnType<typeof tablePublisher>[0]) =>
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
    ] as const;
    for (const [label, make] of cases) {
      const g = new UpdateGraph({ seed: 1 });
      const [blink, pub] = tablePublisher(g, { name: "bench", columns: COLUMNS });
      const result = make(blink);
      const heap0 = heapMB();
      const t0 = performance.now();
      for (let c = 0; c < total / batchSize; c++) {
        pub.add(batches[c % batches.length]!);
        await g.runCycle();
      }
      const ms = performance.now() - t0;
      rows.push([
        label,
        String(symbols),
        rate(total, ms),
        String(result.size),
        `${(heapMB() - heap0).toFixed(0)} MB`,
      ]);
    }
  }
  printTable(
    `Aggregations over a blink table, ${total.toLocaleString("en")} rows in batches of ${batchSize.toLocaleString("en")} (publish + cycle included)`,
    ["aggregation", "symbols", "throughput", "groups", "heap growth"],
    rows,
  );
}
