/**
 * Issue 16 benchmark: downsampling a large history for a chart (src/engine/downsample.ts, what
 * `GET .../views/:view/downsample` runs). A 10,000,000-row append-only history (blinkToAppendOnly
 * of a publisher fed 1,000,000 rows a cycle) of 8 symbols with a price, a size and an instant;
 * downsampled to 800 pixel columns: one y column, two y columns, and one y column split by
 * symbol (8 series). Reports the best of 3 (wall time, and CPU time, which a shared machine's
 * other load does not inflate as much) and the size of the JSON answer.
 * `npm run bench -- downsample` (only on request: it builds 10M rows, about 1 GB of heap).
 */
import os from "node:os";
import { downsample } from "../src/engine/downsample.ts";
import {
  blinkToAppendOnly,
  doubleCol,
  instantCol,
  intCol,
  newTable,
  stringCol,
  tablePublisher,
  UpdateGraph,
} from "../src/engine/index.ts";
import { best, printTable } from "./util.ts";

const SYMS = ["AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "META", "TSLA", "NFLX"];
const T0 = 1_714_570_200_000_000_000n;

export async function benchDownsample(rows = 10_000_000, batch = 1_000_000): Promise<void> {
  const g = new UpdateGraph({ seed: 1 });
  const [blink, pub] = tablePublisher(g, {
    name: "trades",
    columns: { Sym: "string", Price: "float64", Size: "int32", Ts: "instant" },
  });
  const history = blinkToAppendOnly(blink);
  const t0 = performance.now();
  for (let from = 0; from < rows; from += batch) {
    const n = Math.min(batch, rows - from);
    const idx = Array.from({ length: n }, (_, i) => from + i);
    pub.add(
      newTable([
        stringCol(
          "Sym",
          idx.map((i) => SYMS[i % SYMS.length]!),
        ),
        doubleCol(
          "Price",
          idx.map((i) => 100 + (i % 8) * 10 + Math.sin(i / 1e5) * 5),
        ),
        intCol(
          "Size",
          idx.map((i) => i % 1000),
        ),
        instantCol(
          "Ts",
          idx.map((i) => T0 + BigInt(i) * 1_000_000n),
        ),
      ]),
    );
    g.runCycleSync();
  }
  const built = performance.now() - t0;
  const cases: [string, Parameters<typeof downsample>[1]][] = [
    ["x=Ts y=Price", { x: "Ts", y: ["Price"], by: null, width: 800 }],
    ["x=Ts y=Price,Size", { x: "Ts", y: ["Price", "Size"], by: null, width: 800 }],
    ["x=Ts y=Price by=Sym (8 series)", { x: "Ts", y: ["Price"], by: "Sym", width: 800 }],
  ];
  const out: string[][] = [];
  for (const [label, opts] of cases) {
    let json = 0;
    let cpu = Number.POSITIVE_INFINITY;
    const ms = best(3, () => {
      const c0 = process.cpuUsage();
      json = JSON.stringify(downsample(history, opts)).length;
      const c = process.cpuUsage(c0);
      cpu = Math.min(cpu, (c.user + c.system) / 1000);
    });
    out.push([
      label,
      history.size.toLocaleString("en-US"),
      `${ms.toFixed(0)} ms`,
      `${cpu.toFixed(0)} ms`,
      `${(json / 1024).toFixed(1)} KiB`,
    ]);
  }
  const load = os.loadavg()[0]!.toFixed(1);
  printTable(
    `downsample (load average ${load}; ${rows.toLocaleString("en-US")} rows, built in ${(built / 1000).toFixed(1)} s)`,
    ["request (width=800)", "rows", "wall, best of 3", "CPU, best of 3", "JSON answer"],
    out,
  );
}
