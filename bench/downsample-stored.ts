/**
 * Issue 16 benchmark: downsampling a persisted 10,000,000-row history (`npm run bench --
 * downsample stored`). The history of bench/downsample.ts (8 symbols, `Price`, `Size`, `Ts`),
 * built through a SqlStateStore over node:sqlite in a temporary file, as the family object
 * stores it; then the family is built again over the same file, as after a wake: no page in
 * memory. Each request runs 4 times: the first (cold: summaries and pages from storage, code
 * not yet optimised) and the best of the other 3, by wall and CPU time; and how many pages the
 * history holds in memory afterwards. Not a test.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { asPagedColumn } from "../src/engine/column.ts";
import type { DownsampleOptions } from "../src/engine/downsample.ts";
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
import type { SqlPort, SqlValue } from "../src/engine/persist/sql-port.ts";
import { SqlStateStore } from "../src/engine/persist/state-store.ts";
import { printTable } from "./util.ts";

const SYMS = ["AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "META", "TSLA", "NFLX"];
const T0 = 1_714_570_200_000_000_000n;

function family(port: SqlPort) {
  const g = new UpdateGraph({ seed: 1, store: new SqlStateStore(port) });
  const [blink, pub] = tablePublisher(g, {
    name: "trades",
    columns: { Sym: "string", Price: "float64", Size: "int32", Ts: "instant" },
  });
  return { g, pub, history: blinkToAppendOnly(blink) };
}

export async function benchDownsampleStored(rows = 10_000_000, batch = 250_000): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), "tf-downsample-"));
  const db = new DatabaseSync(join(dir, "store.sqlite"));
  const port: SqlPort = {
    exec: (sql: string, ...params: SqlValue[]) =>
      db.prepare(sql).all(...(params as never[])) as Record<string, SqlValue>[],
  };
  try {
    const t0 = performance.now();
    const built = family(port);
    for (let from = 0; from < rows; from += batch) {
      const n = Math.min(batch, rows - from);
      const idx = Array.from({ length: n }, (_, i) => from + i);
      built.pub.add(
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
      db.exec("BEGIN");
      built.g.runCycleSync();
      db.exec("COMMIT");
    }
    const buildS = (performance.now() - t0) / 1000;
    const { history } = family(port); // as after a wake: nothing in memory
    const cases: [string, DownsampleOptions][] = [
      ["x=Ts y=Price", { x: "Ts", y: ["Price"], by: null, width: 800 }],
      ["x=(position) y=Price", { x: null, y: ["Price"], by: null, width: 800 }],
      ["x=Ts y=Price,Size", { x: "Ts", y: ["Price", "Size"], by: null, width: 800 }],
      ["x=Ts y=Price by=Sym (8 series)", { x: "Ts", y: ["Price"], by: "Sym", width: 800 }],
    ];
    const out: string[][] = [];
    for (const [label, opts] of cases) {
      const runs: { wall: number; cpu: number }[] = [];
      for (let i = 0; i < 4; i++) {
        const c0 = process.cpuUsage();
        const w0 = performance.now();
        downsample(history, opts);
        const c = process.cpuUsage(c0);
        runs.push({ wall: performance.now() - w0, cpu: (c.user + c.system) / 1000 });
      }
      const rest = runs.slice(1);
      out.push([
        label,
        `${runs[0]!.wall.toFixed(0)} / ${runs[0]!.cpu.toFixed(0)} ms`,
        `${Math.min(...rest.map((r) => r.wall)).toFixed(0)} / ${Math.min(...rest.map((r) => r.cpu)).toFixed(0)} ms`,
        String(asPagedColumn(history.column("Price")).loadedPages().length),
      ]);
    }
    printTable(
      `downsample of a stored history (load average ${os.loadavg()[0]!.toFixed(1)}; ${rows.toLocaleString("en-US")} rows over node:sqlite, built in ${buildS.toFixed(1)} s)`,
      [
        "request (width=800)",
        "first: wall / CPU",
        "best of next 3: wall / CPU",
        "pages in memory after",
      ],
      out,
    );
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
