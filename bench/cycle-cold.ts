/**
 * One run of the cycle benchmark's cold part in a fresh process (forked by bench/cycle.ts): the
 * pipeline of `cyclePipeline`, `add(one-row table)` then `await runCycle()` for COLD_CYCLES
 * cycles, timed cycle by cycle; reports the mean microseconds a cycle over each window of
 * COLD_WINDOWS to the parent. What a Durable Object that cycles a few times a second pays: V8
 * optimizes a function called once a cycle only after about 3,000 calls.
 */
import { COLD_CYCLES, COLD_WINDOWS, cyclePipeline, ONE_ROWS } from "./cycle.ts";

const tables = ONE_ROWS();
const { g, pub, state } = cyclePipeline();
const at = new Float64Array(COLD_CYCLES + 1);
// (The first call of `performance.now()` loads its module: made before the timed loop.)
const t0 = performance.now();
for (let c = 0; c < COLD_CYCLES; c++) {
  pub.add(tables[c % 3]!);
  await g.runCycle();
  at[c + 1] = performance.now() - t0;
}
if (state.notified !== COLD_CYCLES)
  throw new Error(`cycle bench: ${state.notified} notifications, expected ${COLD_CYCLES}`);
const us = COLD_WINDOWS.map(([a, b]) => ((at[b]! - at[a]!) * 1000) / (b - a));
if (process.send) process.send(us, () => process.exit(0));
else console.log(JSON.stringify(us));
