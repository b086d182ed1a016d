/** Small helpers shared by the benchmarks: timing, heap readings, table printing. */

declare const gc: undefined | (() => void);

/**
 * JS heap plus ArrayBuffer memory (typed-array columns live outside `heapUsed`), in MiB, after
 * full collections (ArrayBuffers are released a little after the objects holding them).
 */
export async function heapMB(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    if (typeof gc === "function") gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
}

/** Runs `fn` `repeat` times and returns the best wall time in milliseconds. */
export function best(repeat: number, fn: () => void): number {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

export async function bestAsync(repeat: number, fn: () => Promise<void>): Promise<number> {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    await fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

export function rate(rows: number, ms: number): string {
  const perSec = (rows / ms) * 1000;
  return perSec >= 1e6
    ? `${(perSec / 1e6).toFixed(1)} M rows/s`
    : `${(perSec / 1e3).toFixed(0)} k rows/s`;
}

export function printTable(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log(`\n### ${title}\n`);
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
}

/**
 * Node options for a benchmark's fresh processes (every engine's alike): V8's background pool
 * (`--v8-pool-size`: the threads that compile hot functions while the main thread runs) of
 * BENCH_V8_POOL threads; by default 0, which makes Node size it to the machine (one less than its
 * cores: one thread on 2 cores). "node" leaves Node's own default, a fixed 4 threads, which on a
 * 2-core machine take turns with the main thread while the JIT compiles a fresh process's code
 * (the peers' ring + group-by at 1,000-row batches ran 15-20 % slower so, tickflare's and
 * Perspective's alike: BENCHMARKS.md, stop 34).
 */
export function v8PoolArgs(): string[] {
  const pool = process.env.BENCH_V8_POOL ?? "0";
  if (pool === "node") return [];
  if (!/^\d+$/.test(pool))
    throw new Error(`BENCH_V8_POOL must be a number of threads or "node", got ${pool}`);
  return [`--v8-pool-size=${pool}`];
}
