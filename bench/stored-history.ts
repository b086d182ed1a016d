/**
 * Issue 14 benchmark (`npm run bench -- arrow stored`): a 1,000,000-row history stored through a
 * SqlStateStore over node:sqlite (in memory), read back whole by a family rebuilt from the store
 * (every page loaded on demand, then an Arrow IPC snapshot of all rows: `toArrowIPC`), five times,
 * each by a new family. Its string column has 100,000 or 100 distinct values. Reports the time of
 * the read and snapshot, the JS heap it leaves (after a collection: the loaded pages' strings, if
 * any), the column's `heapBytes`, and how its full pages are held (`PagedColumn.pageForm`). Run
 * with `--expose-gc` for the heap figures (the bench script passes it).
 */
import { DatabaseSync } from "node:sqlite";
import { asPagedColumn, PAGE_SIZE } from "../src/engine/column.ts";
import { blinkToAppendOnly, tablePublisher, toArrowIPC, UpdateGraph } from "../src/engine/index.ts";
import type { SqlPort, SqlValue } from "../src/engine/persist/sql-port.ts";
import { SqlStateStore } from "../src/engine/persist/state-store.ts";
import { printTable } from "./util.ts";

const ROWS = 1_000_000;
const BATCH = 4000;

function family(port: SqlPort) {
  const g = new UpdateGraph({ seed: 1, store: new SqlStateStore(port) });
  const [blink, pub] = tablePublisher(g, {
    name: "orders",
    columns: { Order: "string", Size: "int32" },
  });
  return { g, pub, history: blinkToAppendOnly(blink) };
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export function benchStoredHistory(): void {
  const out: string[][] = [];
  for (const distinct of [100_000, 100]) {
    const db = new DatabaseSync(":memory:");
    const port: SqlPort = {
      exec: (sql: string, ...params: SqlValue[]) =>
        db.prepare(sql).all(...(params as never[])) as Record<string, SqlValue>[],
    };
    const built = family(port);
    for (let c = 0; c < ROWS / BATCH; c++) {
      built.pub.addRows(
        Array.from({ length: BATCH }, (_, i) => ({
          Order: `ord-${((c * BATCH + i) * 7919) % distinct}`,
          Size: i,
        })),
      );
      built.g.runCycleSync();
    }
    const ms: number[] = [];
    const heap: number[] = [];
    let bytes = 0;
    let forms = "";
    for (let r = 0; r < 5; r++) {
      const f = family(port);
      gc();
      const h0 = process.memoryUsage().heapUsed;
      const t0 = performance.now();
      const ipc = toArrowIPC(f.history);
      ms.push(performance.now() - t0);
      gc();
      heap.push(process.memoryUsage().heapUsed - h0);
      if (ipc.byteLength === 0) throw new Error("nothing encoded");
      const col = asPagedColumn(f.history.column("Order"));
      bytes = col.heapBytes;
      const counts = new Map<string, number>();
      for (let pi = 0; pi < Math.floor(ROWS / PAGE_SIZE); pi++) {
        const form = col.pageForm(pi);
        counts.set(form, (counts.get(form) ?? 0) + 1);
      }
      forms = [...counts].map(([k, v]) => `${v} ${k}`).join(", ");
    }
    db.close();
    ms.sort((a, b) => a - b);
    heap.sort((a, b) => a - b);
    out.push([
      distinct.toLocaleString("en"),
      `${ms[0]!.toFixed(0)} / ${ms[2]!.toFixed(0)} ms`,
      `${(heap[2]! / 1e6).toFixed(1)} MB`,
      `${(bytes / 1e6).toFixed(1)} MB`,
      forms,
    ]);
  }
  printTable(
    `A stored ${ROWS.toLocaleString("en")}-row history read back whole and snapshotted (toArrowIPC), by a rebuilt family (5 rounds)`,
    [
      "distinct strings",
      "read + snapshot, best / median",
      "JS heap left (median)",
      "string column heapBytes",
      "full pages held as",
    ],
    out,
  );
}
