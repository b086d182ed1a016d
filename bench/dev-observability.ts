/**
 * wrangler dev's local observability, for the benchmarks that start dev servers. Since wrangler
 * 4.118 `wrangler dev` records a trace of every invocation (each request, RPC call and alarm:
 * spans, logs) through a streaming tail into a collector worker and a SQLite trace store in the
 * same workerd process, for the Local Explorer's Observability tab. Deployed Workers do none of
 * this unless observability is configured, and then not in the Worker's process. It was about
 * 40 % of the fan-out family process's CPU (34.9 against 20.4 ms a cycle at 50 publishes a second,
 * `npm run bench:e2e -- familycost`; BENCHMARKS.md, issue 18). wrangler's documented
 * opt-out is the environment variable `X_LOCAL_OBSERVABILITY=false`.
 *
 * `BENCH_OBSERVABILITY=on` keeps wrangler's default (traces recorded); the default here is off.
 */

/** Whether the bench's dev servers record local traces (`BENCH_OBSERVABILITY`). */
export function devObservability(): boolean {
  const v = process.env.BENCH_OBSERVABILITY ?? "off";
  if (v !== "on" && v !== "off")
    throw new Error(`BENCH_OBSERVABILITY must be "on" or "off", got "${v}"`);
  return v === "on";
}

/** Environment for a bench's `DevServer` (its `env` option) that applies `devObservability()`. */
export function devObservabilityEnv(): Record<string, string> {
  return { X_LOCAL_OBSERVABILITY: devObservability() ? "true" : "false" };
}

/** How a bench's title names the setting. */
export function devObservabilityLabel(): string {
  return devObservability()
    ? "wrangler's local observability on (its default)"
    : "wrangler's local observability off (X_LOCAL_OBSERVABILITY=false)";
}
