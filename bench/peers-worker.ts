/**
 * One run of the peers benchmark in a fresh process (forked by bench/peers.ts): argv[2] is JSON
 * { engine, scenario, rows, capMs }. With BENCH_WARMUP seconds, first warms the engine's code up on
 * a throwaway instance (untimed). Feeds batches until `rows` rows or `capMs` milliseconds,
 * reading the group-by result after every batch when the scenario has one, then checks the
 * engine's final per-symbol aggregates against plain JS and reports to the parent. A mismatch
 * exits with status 1 and the difference on stderr.
 */

import type { Scenario } from "./peers-data.ts";
import {
  checkAggregates,
  DISTINCT_BATCHES,
  expectedAggregates,
  makeBenchData,
} from "./peers-data.ts";
import type { EngineName, PeerEngine } from "./peers-engines.ts";
import { makeEngine } from "./peers-engines.ts";

declare const gc: undefined | (() => void);

export interface RunResult {
  rows: number;
  ms: number;
  decodeMs: number;
  readMs: number;
  /** Time to generate and encode the input (not measured). */
  genMs: number;
}

const args = JSON.parse(process.argv[2]!) as {
  engine: EngineName;
  scenario: Scenario;
  rows: number;
  capMs: number;
};
const s = args.scenario;
const tg = performance.now();
const data = makeBenchData(s);
const genMs = performance.now() - tg;
const maxCycles = Math.max(1, Math.floor(args.rows / s.batch));

/** Feeds up to maxCycles batches or `capMs` ms, reading the group-by after each batch if any. */
async function feed(e: PeerEngine, capMs: number) {
  let cycles = 0;
  let readMs = 0;
  let checksum = 0;
  const t0 = performance.now();
  while (cycles < maxCycles) {
    await e.ingest(data.batches[cycles % DISTINCT_BATCHES]!, cycles);
    cycles++;
    if (s.group) {
      const r0 = performance.now();
      checksum += await e.read();
      readMs += performance.now() - r0;
    }
    if (performance.now() - t0 > capMs) break;
  }
  await e.flush();
  return { cycles, readMs, checksum, ms: performance.now() - t0 };
}

// BENCH_WARMUP (seconds, default 0): first feed the same batches, untimed, to a throwaway instance
// of the engine in this process (its code warmed up, the timed instance's state fresh).
const warmMs = 1000 * Number(process.env.BENCH_WARMUP ?? 0);
if (warmMs > 0) {
  const w = await makeEngine(args.engine);
  await w.init(s);
  await feed(w, warmMs);
}
const engine = await makeEngine(args.engine);
await engine.init(s);
if (typeof gc === "function") gc();
const { cycles, readMs, checksum, ms } = await feed(engine, args.capMs);
checkAggregates(args.engine, await engine.final(), expectedAggregates(data, s, cycles));
if (!Number.isFinite(checksum)) throw new Error(`${args.engine}: read checksum ${checksum}`);
const result: RunResult = { rows: cycles * s.batch, ms, decodeMs: engine.decodeMs, readMs, genMs };
if (process.send) process.send(result, () => process.exit(0));
else console.log(JSON.stringify(result));
