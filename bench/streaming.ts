/**
 * Issue 3 benchmark: a publisher fed 2,000,000 rows (Sym string from 100 symbols, Price float64,
 * Size int64, Ts instant) in batches of 1,000 and 10,000, feeding ringTable(blink, 100000) and
 * blinkToAppendOnly(blink), one cycle per batch. Reports rows/s and heap; the ring's memory must
 * stay flat as the stream grows.
 */

import type { Table } from "../src/engine/index.ts";
import {
  blinkToAppendOnly,
  doubleCol,
  instantCol,
  longCol,
  newTable,
  ringTable,
  stringCol,
  tablePublisher,
  UpdateGraph,
} from "../src/engine/index.ts";
import { heapMB, printTable, rate } from "./util.ts";

export const SYMBOLS = (n: number) =>
  Array.from({ length: n }, (_, i) => `SYM${i.toString().padStart(6, "0")}`);

/** Pre-built batches (static tables) so the benchmark measures the engine, not data generation. */
export function makeBatches(batchSize: number, count: number, symbols: number): Table[] {
  const syms = SYMBOLS(symbols);
  let seed = 12345;
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const t0 = 1_700_000_000_000_000_000n;
  return Array.from({ length: count }, (_, b) =>
    newTable([
      stringCol(
        "Sym",
        Array.from({ length: batchSize }, () => syms[Math.floor(rnd() * syms.length)]!),
      ),
      doubleCol(
        "Price",
        Array.from({ length: batchSize }, () => 100 + rnd() * 50),
      ),
      longCol(
        "Size",
        Array.from({ length: batchSize }, () => BigInt(1 + Math.floor(rnd() * 1000))),
      ),
      instantCol(
        "Ts",
        Array.from({ length: batchSize }, (_, i) => t0 + BigInt(b * batchSize + i) * 1000n),
      ),
    ]),
  );
}

export const COLUMNS = { Sym: "string", Price: "float64", Size: "int64", Ts: "instant" };

export async function benchStreaming(total = 2_000_000): Promise<void> {
  const rows: string[][] = [];
  for (const batchSize of [1_000, 10_000]) {
    const batches = makeBatches(batchSize, 8, 100);
    for (const withHistory of [false, true]) {
      // Best of three runs (each in its own frame); heap and ring figures come from that run.
      let best: { ms: number; row: string[] } | null = null;
      for (let run = 0; run < 3; run++) {
        const r = await streamCase(batches, batchSize, withHistory, total);
        if (!best || r.ms < best.ms) best = r;
      }
      rows.push(best!.row);
    }
  }
  printTable(
    `Publisher -> ringTable(blink, 100000) (+ blinkToAppendOnly), ${total.toLocaleString("en")} rows, best of 3`,
    [
      "batch",
      "downstream",
      "throughput",
      "heap growth",
      "ring column bytes (mid -> end)",
      "history rows",
    ],
    rows,
  );
}

/** One case in its own frame, so its tables are garbage once it returns. */
async function streamCase(
  batches: Table[],
  batchSize: number,
  withHistory: boolean,
  total: number,
): Promise<{ ms: number; row: string[] }> {
  const heap0 = await heapMB();
  const g = new UpdateGraph({ seed: 1 });
  const [blink, pub] = tablePublisher(g, { name: "bench", columns: COLUMNS });
  const ring = ringTable(blink, 100_000);
  const hist = withHistory ? blinkToAppendOnly(blink) : null;
  let ringHeapMid = 0;
  const cycles = total / batchSize;
  const t0 = performance.now();
  for (let c = 0; c < cycles; c++) {
    pub.add(batches[c % batches.length]!);
    await g.runCycle();
    if (c === Math.floor(cycles / 2)) ringHeapMid = ringBytes(ring);
  }
  const ms = performance.now() - t0;
  const heap1 = await heapMB();
  const row = [
    String(batchSize),
    withHistory ? "ring + blinkToAppendOnly" : "ring only",
    rate(total, ms),
    `${(heap1 - heap0).toFixed(0)} MB`,
    `${(ringHeapMid / 2 ** 20).toFixed(1)} MB -> ${(ringBytes(ring) / 2 ** 20).toFixed(1)} MB`,
    hist ? String(hist.size) : "-",
  ];
  return { ms, row };
}

function ringBytes(t: Table): number {
  let n = 0;
  for (const c of t.columnMap.values()) n += c.heapBytes;
  return n;
}
