/**
 * Issue 14 benchmark, `npm run bench -- peers`: tickflare beside Perspective, TanStack db-ivm and
 * DuckDB on the same scenarios (bench/peers-data.ts): ring (100,000 rows) and append-only tables,
 * with and without a group-by (sum of Size, count by Sym) read in full after every batch, batches
 * of 1,000 and 10,000 rows, 100 and 100,000 symbols, input as Arrow IPC bytes and as JSON text
 * that each engine decodes itself (bench/peers-engines.ts).
 *
 * Every (engine, scenario) run is a fresh process (bench/peers-worker.ts); engines alternate
 * within a scenario, their order rotating between the repetitions (BENCH_REPS, default 3; more
 * make the medians steadier on a noisy host); reported figures are their medians. A run stops after BENCH_ROWS rows (default 2,000,000) or BENCH_SECONDS seconds
 * (default 1) of feeding, whichever comes first, and then checks the engine's final aggregates
 * against plain JS: any mismatch fails the whole benchmark. Filters: BENCH_PEERS (comma-separated
 * engines), BENCH_SCENARIOS (comma-separated substrings of scenario labels, all must match).
 * BENCH_WARMUP (seconds, default 0): each worker first feeds the batches, untimed, to a throwaway
 * instance of its engine (up to that long or BENCH_ROWS rows), so the timed run measures warm code
 * (JIT-compiled JS, tiered-up WebAssembly) on fresh state: the steady state of a long-lived server.
 * BENCH_V8_POOL: the V8 background pool of every process (`v8PoolArgs` in bench/util.ts: by
 * default sized by Node to the machine's cores; "node" for Node's fixed default of 4).
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Scenario } from "./peers-data.ts";
import { scenarioLabel } from "./peers-data.ts";
import type { EngineName } from "./peers-engines.ts";
import { ENGINES } from "./peers-engines.ts";
import type { RunResult } from "./peers-worker.ts";
import { printTable, v8PoolArgs } from "./util.ts";

const WORKER = fileURLToPath(new URL("./peers-worker.ts", import.meta.url));
const PEER_NAMES: Record<EngineName, string> = {
  tickflare: "tickflare",
  perspective: "Perspective",
  "db-ivm": "db-ivm",
  duckdb: "DuckDB",
};

export function peerScenarios(): Scenario[] {
  const out: Scenario[] = [];
  for (const format of ["arrow", "json"] as const)
    for (const symbols of [100, 100_000])
      for (const batch of [1_000, 10_000])
        for (const group of [true, false])
          for (const table of ["ring", "append"] as const)
            out.push({ table, group, batch, symbols, format });
  const filters = (process.env.BENCH_SCENARIOS ?? "").split(",").filter((f) => f !== "");
  return out.filter((s) => filters.every((f) => scenarioLabel(s).includes(f)));
}

function runWorker(
  engine: EngineName,
  scenario: Scenario,
  rows: number,
  capMs: number,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    let result: RunResult | null = null;
    let stderr = "";
    const child = fork(WORKER, [JSON.stringify({ engine, scenario, rows, capMs })], {
      execArgv: ["--experimental-strip-types", "--expose-gc", "--no-warnings", ...v8PoolArgs()],
      stdio: ["ignore", "inherit", "pipe", "ipc"],
    });
    child.stderr!.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("message", (m) => {
      result = m as RunResult;
    });
    child.on("exit", (code) => {
      if (code === 0 && result !== null) resolve(result);
      else
        reject(
          new Error(
            `peers: ${engine} failed on "${scenarioLabel(scenario)}" (exit ${code}):\n${stderr}`,
          ),
        );
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mrate = (r: number) => (r >= 1e6 ? `${(r / 1e6).toFixed(2)}M` : `${(r / 1e3).toFixed(0)}k`);

export async function benchPeers(): Promise<void> {
  const rows = Number(process.env.BENCH_ROWS ?? 2_000_000);
  const capMs = 1000 * Number(process.env.BENCH_SECONDS ?? 1);
  const warmup = Number(process.env.BENCH_WARMUP ?? 0);
  const reps = Number(process.env.BENCH_REPS ?? 3);
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`BENCH_REPS must be a positive integer`);
  const only = (process.env.BENCH_PEERS ?? "").split(",").filter((e) => e !== "");
  const engines = ENGINES.filter((e) => e === "tickflare" || only.length === 0 || only.includes(e));
  const scenarios = peerScenarios();
  const results = new Map<string, RunResult[]>();
  const t0 = performance.now();
  for (let rep = 0; rep < reps; rep++) {
    for (const s of scenarios) {
      for (let e = 0; e < engines.length; e++) {
        const engine = engines[(e + rep) % engines.length]!;
        const r = await runWorker(engine, s, rows, capMs);
        const key = `${engine}|${scenarioLabel(s)}`;
        results.set(key, [...(results.get(key) ?? []), r]);
      }
    }
    console.error(
      `peers: repetition ${rep + 1} of ${reps} done after ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );
  }
  const rate = (engine: EngineName, s: Scenario) =>
    median(results.get(`${engine}|${scenarioLabel(s)}`)!.map((r) => (r.rows / r.ms) * 1000));
  const peers = engines.filter((e) => e !== "tickflare");
  const table: string[][] = [];
  for (const s of scenarios) {
    const tf = rate("tickflare", s);
    const tfRuns = results.get(`tickflare|${scenarioLabel(s)}`)!;
    const mid = tfRuns.find((r) => (r.rows / r.ms) * 1000 === tf)!;
    const row = [scenarioLabel(s), mrate(tf)];
    for (const p of peers) {
      const pr = rate(p, s);
      row.push(mrate(pr), `${(tf / pr).toFixed(1)}x`);
    }
    row.push(
      `${((mid.decodeMs / mid.ms) * 100).toFixed(0)} % / ${((mid.readMs / mid.ms) * 100).toFixed(0)} %`,
      `${mrate((mid.rows / mid.decodeMs) * 1000)}`,
    );
    table.push(row);
  }
  printTable(
    `Peers: rows/s (median of ${reps} fresh processes, ${v8PoolArgs()[0] ?? "Node's default V8 pool"}; each run ${rows.toLocaleString("en")} rows or ${capMs / 1000} s of feeding${warmup > 0 ? `, after up to ${warmup} s of untimed warm-up on a throwaway instance` : ""}), ratio = tickflare / peer`,
    [
      "scenario",
      "tickflare",
      ...peers.flatMap((p) => [PEER_NAMES[p], "ratio"]),
      "tickflare decode / read share",
      "tickflare decode rows/s",
    ],
    table,
  );
}
