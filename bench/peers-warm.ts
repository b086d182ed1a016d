/**
 * `npm run bench -- peers warm`: tickflare alone on the peers scenarios (bench/peers.ts;
 * `BENCH_SCENARIOS` filters them the same way), one after the other in ONE process, each fed three
 * times (a fresh graph per run), 2,000,000 rows a run (`BENCH_ROWS`). The first scenario's run 1
 * is what a fresh process of the peers bench measures (code not yet optimized by V8); later
 * scenarios start from the code the earlier ones warmed; run 3 is the warm engine, the steady
 * state of a long-lived Durable Object. Reports rows/s by wall time and CPU milliseconds of runs 1
 * and 3, and the share of run 3 spent decoding. Checks every run's final aggregates as the peers
 * bench does.
 */
import { peerScenarios } from "./peers.ts";
import { checkAggregates, expectedAggregates, makeBenchData, scenarioLabel } from "./peers-data.ts";
import { TickflareEngine } from "./peers-tickflare.ts";
import { printTable } from "./util.ts";

const RUNS = 3;

export async function benchPeersWarm(): Promise<void> {
  const rowsWanted = Number(process.env.BENCH_ROWS ?? 2_000_000);
  const out: string[][] = [];
  for (const s of peerScenarios()) {
    const data = makeBenchData(s);
    const cycles = Math.max(1, Math.floor(rowsWanted / s.batch));
    const runs: { rate: number; cpu: number; decode: number }[] = [];
    for (let r = 0; r < RUNS; r++) {
      const e = new TickflareEngine();
      await e.init(s);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < cycles; i++) {
        await e.step(data, i);
      }
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(c0);
      checkAggregates("tickflare", await e.final(), expectedAggregates(data, s, cycles));
      runs.push({
        rate: (cycles * s.batch) / (ms / 1000),
        cpu: (cpu.user + cpu.system) / 1000,
        decode: e.decodeMs / ms,
      });
    }
    const first = runs[0]!;
    const last = runs[RUNS - 1]!;
    out.push([
      scenarioLabel(s),
      `${(first.rate / 1e6).toFixed(2)}M`,
      `${(last.rate / 1e6).toFixed(2)}M`,
      `${first.cpu.toFixed(0)} / ${last.cpu.toFixed(0)}`,
      `${(100 * last.decode).toFixed(0)} %`,
    ]);
  }
  printTable(
    `tickflare, ${RUNS} runs of each scenario, all in one process (the first scenario's run 1 = a fresh process)`,
    ["scenario", "run 1 rows/s", "run 3 rows/s", "CPU ms run 1 / run 3", "decode share, run 3"],
    out,
  );
}
