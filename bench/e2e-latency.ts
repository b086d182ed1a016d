/**
 * One publish-to-subscriber latency run for `npm run bench:e2e` (the `latency` and `fanout`
 * parts): subscribers in worker threads (e2e-subscribers.ts), a publisher in this thread sending
 * one row every 20 ms for 12 s (the first 2 s warm up), each row stamped with the time it was
 * published. Returns every sample, the cycle period, the first-to-last subscriber spread, the
 * mean publish round trip and the CPU this process (publisher and subscribers) used.
 */
import { Worker } from "node:worker_threads";
import type { TickflareClient } from "../src/client/index.ts";

const now = () => performance.timeOrigin + performance.now();

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Part {
  received: Float64Array;
  applied: Float64Array;
  /** Flattened (cycle, arrival time) pairs, one per delta per subscriber. */
  arrivals: Float64Array;
  /** Flattened (cycle, SentAt) pairs of the rows the thread's first subscriber got. */
  rows: Float64Array;
}

/**
 * From every subscriber's delta arrivals: the mean time between cycles (first arrivals of
 * consecutive cycles) and, per cycle, the spread from the first to the last subscriber to get it.
 */
export function cycleTimes(arrivals: Float64Array[]): {
  period: number;
  spread: number[];
  /** Per cycle, when the first subscriber got it. */
  first: Map<number, number>;
} {
  const byCycle = new Map<number, { first: number; last: number }>();
  for (const a of arrivals) {
    for (let i = 0; i < a.length; i += 2) {
      const c = a[i]!;
      const t = a[i + 1]!;
      const e = byCycle.get(c);
      if (!e) byCycle.set(c, { first: t, last: t });
      else {
        e.first = Math.min(e.first, t);
        e.last = Math.max(e.last, t);
      }
    }
  }
  const cycles = [...byCycle.keys()].sort((a, b) => a - b);
  const first = new Map([...byCycle].map(([c, e]) => [c, e.first]));
  if (cycles.length < 2) return { period: Number.NaN, spread: [Number.NaN], first };
  const c0 = cycles[0]!;
  const c1 = cycles[cycles.length - 1]!;
  const period = (byCycle.get(c1)!.first - byCycle.get(c0)!.first) / (c1 - c0);
  const spread = [...byCycle.values()].map((e) => e.last - e.first).sort((a, b) => a - b);
  return { period, spread, first };
}

export interface LatencyRun {
  /** Where subscribers connect; several: subscriber thread i connects to `url[i % url.length]`. */
  url: string | string[];
  token: string;
  tf: TickflareClient;
  name: string;
  cycleMs: number;
  subscribers: number;
  threads: number;
  raw: boolean;
  transport: "global" | "ws";
  via: "HTTP POST" | "WebSocket stream";
  /**
   * Publishes in flight at most (default 1: each row waits for the previous one's answer, so a
   * slow answer sends fewer rows); more keep one row every 20 ms while answers take longer.
   */
  inFlight?: number;
  /** Called when the measured 10 s start and when they end (the fan-out bench reads CPU). */
  window?: { start(): Promise<void>; end(): Promise<void> };
}

export interface LatencyResult {
  /** Publish-to-arrival ms, sorted. */
  received: number[];
  /** Publish-to-applied ms (client mirrors), sorted. */
  applied: number[];
  /**
   * Publish to the first subscriber's receipt of the row's cycle, ms, sorted: the wait for the
   * next cycle, the cycle and the hops, without the fan-out's spread.
   */
  first: number[];
  /** Deltas received, summed over subscribers, from the measured window's start to the stop. */
  deltas: number;
  period: number;
  spread: number[];
  meanPublishMs: number;
  /** Rows published per second over the whole run. */
  rowsPerSecond: number;
  /**
   * p50 publish-to-arrival ms of the first and of the last quarter of each thread's samples (in
   * arrival order): a later p50 far above the earlier one is a queue that grows.
   */
  trend: { early: number; late: number };
  /** CPU seconds this process used per second while measuring (publisher and subscribers). */
  cpu: number;
}

/** Creates the table, runs the subscribers and the publisher, deletes the table. */
export async function runLatency(o: LatencyRun): Promise<LatencyResult> {
  const { tf, name, cycleMs } = o;
  await tf.createTable(name, { columns: { Seq: "int64", SentAt: "instant" }, cycleMs });
  const urls = typeof o.url === "string" ? [o.url] : o.url;
  const workers = Array.from(
    { length: o.threads },
    (_, i) =>
      new Worker(new URL("./e2e-subscribers.ts", import.meta.url), {
        workerData: {
          url: urls[i % urls.length],
          token: o.token,
          name,
          view: "source",
          count: o.subscribers / o.threads,
          format: "json",
          raw: o.raw,
          transport: o.transport,
        },
      }),
  );
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((ok, fail) => {
            w.once("message", () => ok());
            w.once("error", fail);
          }),
      ),
    );
  } catch (e) {
    // A subscriber could not connect: close every subscriber, drop the table, report.
    await Promise.all(workers.map((w) => w.terminate()));
    await tf.deleteTable(name).catch(() => {}); // the subscribers' error is the one to report
    throw e;
  }
  const stream = o.via === "WebSocket stream" ? await tf.publisher(name) : null;
  const t0 = now();
  let seq = 0;
  let publishMs = 0;
  let measuring = false;
  let cpu0 = process.cpuUsage();
  let m0 = 0;
  const maxInFlight = o.inFlight ?? 1;
  const inFlight = new Set<Promise<void>>();
  while (now() - t0 < 12_000) {
    if (!measuring && now() - t0 > 2000) {
      measuring = true;
      await o.window?.start();
      cpu0 = process.cpuUsage();
      m0 = now();
      for (const w of workers) w.postMessage("measure");
    }
    const p0 = now();
    const row = [{ Seq: seq++, SentAt: BigInt(Math.round(p0 * 1e6)) }];
    const sent = (stream ? stream.send(row) : tf.publish(name, row)).then(() => {
      publishMs += now() - p0;
    });
    inFlight.add(sent);
    const done = () => inFlight.delete(sent);
    sent.then(done, done);
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    const wait = 20 - (now() - p0);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.all(inFlight);
  const rowsPerSecond = (seq * 1000) / (now() - t0);
  const used = process.cpuUsage(cpu0);
  const cpu = (used.user + used.system) / 1e3 / (now() - m0);
  await o.window?.end();
  await new Promise((r) => setTimeout(r, 3 * cycleMs));
  const parts = await Promise.all(
    workers.map(
      (w) =>
        new Promise<Part>((ok) => {
          w.once("message", (m: Part) => ok(m));
          w.postMessage("stop");
        }),
    ),
  );
  stream?.close();
  await tf.deleteTable(name);
  const received = parts.flatMap((p) => [...p.received]).sort((a, b) => a - b);
  const quarter = (first: boolean) =>
    parts
      .flatMap((p) => {
        const q = Math.floor(p.received.length / 4);
        return [
          ...(first ? p.received.subarray(0, q) : p.received.subarray(p.received.length - q)),
        ];
      })
      .sort((a, b) => a - b);
  const trend = { early: percentile(quarter(true), 50), late: percentile(quarter(false), 50) };
  const applied = parts.flatMap((p) => [...p.applied]).sort((a, b) => a - b);
  const { period, spread, first: firstAt } = cycleTimes(parts.map((p) => p.arrivals));
  const first: number[] = [];
  for (const p of parts) {
    for (let i = 0; i < p.rows.length; i += 2) {
      const at = firstAt.get(p.rows[i]!);
      if (at !== undefined) first.push(at - p.rows[i + 1]!);
    }
  }
  first.sort((a, b) => a - b);
  return {
    received,
    applied,
    first,
    deltas: parts.reduce((n, p) => n + p.arrivals.length / 2, 0),
    period,
    spread,
    meanPublishMs: publishMs / seq,
    rowsPerSecond,
    cpu,
    trend,
  };
}
