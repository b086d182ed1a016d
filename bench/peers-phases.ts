/**
 * `npm run bench -- peers phases`: how a fresh process's speed moves batch by batch. tickflare
 * alone on one peers scenario (bench/peers.ts; the first that `BENCH_SCENARIOS` selects, "ring
 * only, arrow, batch 1k, 100 syms" when it is not set), fed `BENCH_ROWS` rows (4,000,000) from
 * the start of this process, as the peers bench's child process feeds its 2,000,000. Reports the
 * mean wall time a batch (publish, cycle and, with a group-by, the read) over each window of
 * WINDOW batches, and its rows/s. The first windows run code V8 has not optimized yet; the last
 * are the warm engine. Checks the final aggregates as the peers bench does.
 */
import { peerScenarios } from "./peers.ts";
import { checkAggregates, expectedAggregates, makeBenchData, scenarioLabel } from "./peers-data.ts";
import { TickflareEngine } from "./peers-tickflare.ts";
import { printTable } from "./util.ts";

const WINDOW = 200;
const DEFAULT_SCENARIO = "ring only, arrow, batch 1k, 100 syms";

export async function benchPeersPhases(): Promise<void> {
  const rowsWanted = Number(process.env.BENCH_ROWS ?? 4_000_000);
  const s =
    process.env.BENCH_SCENARIOS === undefined
      ? peerScenarios().find((x) => scenarioLabel(x) === DEFAULT_SCENARIO)
      : peerScenarios()[0];
  if (s === undefined) throw new Error(`no peers scenario matches BENCH_SCENARIOS`);
  const data = makeBenchData(s);
  const cycles = Math.max(WINDOW, Math.floor(rowsWanted / s.batch / WINDOW) * WINDOW);
  const e = new TickflareEngine();
  await e.init(s);
  const windows: number[] = [];
  const t0 = performance.now();
  let w0 = t0;
  for (let i = 0; i < cycles; i++) {
    await e.step(data, i);
    if ((i + 1) % WINDOW === 0) {
      const now = performance.now();
      windows.push(now - w0);
      w0 = now;
    }
  }
  const total = performance.now() - t0;
  checkAggregates("tickflare", await e.final(), expectedAggregates(data, s, cycles));
  const rows = windows.map((ms, k) => [
    `${k * WINDOW + 1}-${(k + 1) * WINDOW}`,
    ((1000 * ms) / WINDOW).toFixed(0),
    `${((WINDOW * s.batch) / ms / 1000).toFixed(1)}M`,
  ]);
  rows.push([
    "all",
    ((1000 * total) / cycles).toFixed(0),
    `${((cycles * s.batch) / total / 1000).toFixed(1)}M`,
  ]);
  printTable(
    `tickflare, ${scenarioLabel(s)}, ${cycles} batches from the start of a process (windows of ${WINDOW})`,
    ["batches", "us a batch", "rows/s"],
    rows,
  );
}
