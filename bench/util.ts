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
