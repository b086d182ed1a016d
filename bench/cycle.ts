/**
 * Issue 14 benchmark: the fixed cost of a cycle. One row per cycle moves through a publisher,
 * a ring (ringTable(blink, 1000)), a history (blinkToAppendOnly) and a sum by Sym over the ring,
 * and one listener on the sum is notified. Reported per cycle (median of 5 rounds), with
 * `await runCycle()` and with `runCycleSync()`, and for rows given as a one-row table (`add`) or
 * as a row object (`addRows`). Target: <= 20 us per cycle. Then the same pipeline's first
 * COLD_CYCLES cycles in fresh processes (bench/cycle-cold.ts, median of 5 processes): the code
 * before V8 optimizes it, which is what a Durable Object cycling a few times a second runs.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Table } from "../src/engine/index.ts";
import {
  agg,
  blinkToAppendOnly,
  longCol,
  newTable,
  ringTable,
  stringCol,
  tablePublisher,
  UpdateGraph,
} from "../src/engine/index.ts";
import { printTable, v8PoolArgs } from "./util.ts";

/** The pipeline of the cycle benchmark; `notified` counts listener calls. */
export function cyclePipeline() {
  const g = new UpdateGraph({ seed: 1 });
  const [blink, pub] = tablePublisher(g, {
    name: "bench",
    columns: { Sym: "string", Size: "int64" },
  });
  const ring = ringTable(blink, 1000);
  const history = blinkToAppendOnly(blink);
  const sum: Table = ring.aggBy([agg.sum("Total = Size")], "Sym");
  const state = { notified: 0 };
  sum.listen(() => {
    state.notified++;
  });
  return { g, pub, history, sum, state };
}

/**
 * One-row tables with Size 1, 2, 3, used in turn: the row leaving the ring (1,000 cycles
 * earlier) always differs from the one entering, so the sum changes and the listener runs.
 */
export const ONE_ROWS = () =>
  [1n, 2n, 3n].map((v) => newTable([stringCol("Sym", ["A"]), longCol("Size", [v])]));

/** Cycles a cold run takes, and the windows of them it reports (`[from, to)`, 0-based). */
export const COLD_CYCLES = 2_000;
export const COLD_WINDOWS: readonly (readonly [number, number])[] = [
  [0, 1],
  [1, 10],
  [10, 1_000],
  [1_000, 2_000],
];
const COLD_WORKER = fileURLToPath(new URL("./cycle-cold.ts", import.meta.url));

/** One cold run (bench/cycle-cold.ts) in a fresh process: us a cycle over each COLD_WINDOWS. */
function coldRun(): Promise<number[]> {
  return new Promise((resolve, reject) => {
    let got: number[] | null = null;
    const child = fork(COLD_WORKER, [], {
      execArgv: ["--experimental-strip-types", "--no-warnings", ...v8PoolArgs()],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    child.on("message", (m) => {
      got = m as number[];
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0 && got !== null) resolve(got);
      else reject(new Error(`cycle bench: the cold run exited with ${code}`));
    });
  });
}

export async function benchCycle(cycles = 100_000): Promise<void> {
  const rows: string[][] = [];
  const tables = ONE_ROWS();
  const objs = [1, 2, 3].map((v) => [{ Sym: "A", Size: v }]);
  const cases: [string, boolean, boolean][] = [
    ["add(one-row table), await runCycle()", false, false],
    ["add(one-row table), runCycleSync()", false, true],
    ["addRows([row]), await runCycle()", true, false],
  ];
  for (const [label, rowsApi, sync] of cases) {
    const us: number[] = [];
    let notified = 0;
    for (let round = 0; round < 5; round++) {
      const { g, pub, state } = cyclePipeline();
      const t0 = performance.now();
      for (let c = 0; c < cycles; c++) {
        if (rowsApi) pub.addRows(objs[c % 3]!);
        else pub.add(tables[c % 3]!);
        if (sync) g.runCycleSync();
        else await g.runCycle();
      }
      us.push(((performance.now() - t0) * 1000) / cycles);
      notified = state.notified;
      if (notified !== cycles)
        throw new Error(`cycle bench: ${notified} notifications, expected ${cycles}`);
    }
    us.sort((a, b) => a - b);
    rows.push([label, `${us[2]!.toFixed(1)} us`, `${us[0]!.toFixed(1)} us`, String(notified)]);
  }
  printTable(
    `One row per cycle: publisher -> ring(1000) + blinkToAppendOnly, sum by Sym over the ring, one listener (${cycles.toLocaleString("en")} cycles per round)`,
    ["cycle", "median of 5", "best", "notifications per round"],
    rows,
  );
  const runs: number[][] = [];
  for (let r = 0; r < 5; r++) runs.push(await coldRun());
  printTable(
    `The same pipeline in a fresh process: add(one-row table), await runCycle(), its first ${COLD_CYCLES.toLocaleString("en")} cycles (median of 5 processes)`,
    ["cycles", "us per cycle", "range"],
    COLD_WINDOWS.map(([a, b], w) => {
      const us = runs.map((x) => x[w]!).sort((x, y) => x - y);
      return [
        b - a === 1 ? `${a + 1}` : `${a + 1}-${b}`,
        `${us[2]!.toFixed(1)} us`,
        `${us[0]!.toFixed(1)}-${us[4]!.toFixed(1)}`,
      ];
    }),
  );
}
