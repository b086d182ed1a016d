/**
 * Relational benchmarks (`npm run bench -- relational`). Each operation family has its own
 * function; `benchRelational` runs them all.
 *
 * benchSort: a sorted 100,000-row ring fed 10,000-row batches (target >= 3M rows/s), and
 * `sortDescending("Price").head(10)` over it (>= 5M rows/s); a static sort of 10M int32 and of
 * 10M float64 rows (>= 20M rows/s), values spread over a wide range and (two more rows) in a
 * narrow one (int32 in [100000, 104000), float64 prices in [100, 104)); the memory a sort result over 1M rows adds (<= 16 bytes a
 * row); the bytes of one delta for a change at the top of a 100,000-row sorted view; how many
 * rows re-spreads moved.
 */
import type { Table } from "../src/engine/index.ts";
import {
  emptyTable,
  mirrorTable,
  RowSet,
  ringTable,
  tablePublisher,
  UpdateGraph,
} from "../src/engine/index.ts";
import { vecFromValues } from "../src/engine/new-table.ts";
import { sortStats } from "../src/engine/ops/sort.ts";
import { deltaFrames } from "../src/engine/wire.ts";
import { makeBatches, COLUMNS as STREAM_COLUMNS } from "./streaming.ts";
import { heapMB, printTable, rate } from "./util.ts";

/** The best wall and the best CPU time (user + system, all threads) in ms of `repeat` runs. */
function bestWallCpu(repeat: number, fn: () => void): { wall: number; cpu: number } {
  let wall = Number.POSITIVE_INFINITY;
  let cpu = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeat; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall = Math.min(wall, performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1000);
  }
  return { wall, cpu };
}

/** Rows re-spreads moved in the sort behind `t` (a refreshing, non-blink sort). */
function respreadRows(t: Table): number {
  return sortStats(t)?.respreadRows ?? 0;
}

async function ringPipeline(
  total: number,
  build: (ring: Table) => Table,
): Promise<{ ms: number; result: Table }> {
  const batches = makeBatches(10_000, 16, 100);
  const g = new UpdateGraph({ seed: 1 });
  const [blink, pub] = tablePublisher(g, { name: "trades", columns: STREAM_COLUMNS });
  const ring = ringTable(blink, 100_000);
  const result = build(ring);
  // A subscriber: a sort result keeps its order only while something reads it (top-n.ts).
  result.listen(() => {});
  // Fill the ring first: the measured cycles each remove 10,000 rows and add 10,000.
  for (let i = 0; i < 10; i++) {
    pub.add(batches[i % batches.length]!);
    await g.runCycle();
  }
  const t0 = performance.now();
  for (let i = 0; i < total / 10_000; i++) {
    pub.add(batches[(i + 10) % batches.length]!);
    await g.runCycle();
  }
  return { ms: performance.now() - t0, result };
}

export async function benchSort(): Promise<void> {
  const total = 2_000_000;
  const ringOnly = await ringPipeline(total, (r) => r);
  const sorted = await ringPipeline(total, (r) => r.sortDescending("Price"));
  const top = await ringPipeline(total, (r) => r.sortDescending("Price").head(10));
  printTable(
    "sort: a 100,000-row ring fed 10,000-row batches (2M rows)",
    ["pipeline", "throughput", "ms", "rows moved by re-spreads"],
    [
      ["ringTable(100,000) alone", rate(total, ringOnly.ms), ringOnly.ms.toFixed(0), "-"],
      [
        'ring.sortDescending("Price")',
        rate(total, sorted.ms),
        sorted.ms.toFixed(0),
        String(respreadRows(sorted.result)),
      ],
      ['ring.sortDescending("Price").head(10)', rate(total, top.ms), top.ms.toFixed(0), "-"],
    ],
  );

  // Static sorts of 10M rows: the two rows (values spread over a wide range), then values
  // in a narrow range (keys sharing their top bits), float64 and int32.
  const n = 10_000_000;
  const statics: [string, string, boolean][] = [
    ["int32, ascending", "(int) ((i * 2654435761L) % 1000003L) - 500000", false],
    ["float64, descending", "((i * 2654435761L) % 1000003L) * 0.37 - 1e5", true],
    ["int32 in [100000, 104000), ascending", "randomInt(100000, 104000)", false],
    ["float64 in [100, 104) (prices), descending", "randomDouble(100, 104)", true],
  ];
  // Every table made first, as before the narrow rows (no table's garbage during a timed sort).
  const tables = statics.map(([, formula]) => emptyTable(n).update(`X = ${formula}`));
  const staticRows: string[][] = [];
  for (const [i, [label, , desc]] of statics.entries()) {
    const t = tables[i]!;
    const b = bestWallCpu(2, () => void (desc ? t.sortDescending("X") : t.sort("X")));
    staticRows.push([label, b.wall.toFixed(0), rate(n, b.wall), b.cpu.toFixed(0), rate(n, b.cpu)]);
  }
  printTable(
    "sort: static 10,000,000 rows (best of 2; CPU: process CPU time, less sensitive to other jobs)",
    ["column", "ms", "throughput", "CPU ms", "throughput by CPU"],
    staticRows,
  );

  // Memory a sort result over 1M rows adds.
  const m = 1_000_000;
  const base = emptyTable(m).update("X = (int) ((i * 2654435761L) % 1000003L)", "Y = i * 0.5");
  let before = await heapMB();
  const staticSorted = base.sort("X");
  const staticBytes = (((await heapMB()) - before) * 2 ** 20) / m;
  const g = new UpdateGraph({ seed: 1 });
  const [blink, pub] = tablePublisher(g, { name: "m", columns: { X: "int32", Y: "float64" } });
  const ring = ringTable(blink, m);
  pub.add(base);
  await g.runCycle();
  before = await heapMB();
  const tickingSorted = ring.sort("X");
  // A refreshing sort builds its order on first read (top-n.ts): read it as a subscriber would.
  void tickingSorted.size;
  const tickingBytes = (((await heapMB()) - before) * 2 ** 20) / m;
  printTable(
    "sort: memory a 1,000,000-row sort result adds",
    ["sort", "bytes/row added", "heapBytes/row reported"],
    [
      [
        "static (keys 0..n-1, Uint32 redirection)",
        staticBytes.toFixed(1),
        (staticSorted.column("X").heapBytes / m).toFixed(1),
      ],
      [
        "refreshing (sparse keys, SortedRedirection)",
        tickingBytes.toFixed(1),
        (tickingSorted.column("X").heapBytes / m).toFixed(1),
      ],
    ],
  );

  // One change at the top of a 100,000-row sorted view: the delta a subscriber receives.
  const g2 = new UpdateGraph({ seed: 1 });
  const schema = { Id: "int32", Price: "float64" } as const;
  const mirror = mirrorTable(g2, schema);
  const k = 100_000;
  const prices = Array.from({ length: k }, (_, i) => 100 + ((i * 7919) % k) / 1000);
  const keyed = (keys: number[], px: number[]) => ({
    keys: RowSet.fromKeys(keys),
    vecs: [vecFromValues("int32", keys, "Id"), vecFromValues("float64", px, "Price")],
  });
  mirror.reset(
    keyed(
      Array.from({ length: k }, (_, i) => i),
      prices,
    ),
  );
  await g2.runCycle();
  const view = mirror.table.sortDescending("Price");
  const sizes: Record<string, number> = {};
  view.listen((u) => {
    for (const f of ["json", "arrow"] as const) {
      sizes[f] = deltaFrames(view, u, 1, f).reduce(
        (s, x) => s + (typeof x === "string" ? new TextEncoder().encode(x).length : x.byteLength),
        0,
      );
    }
    sizes.removed = u.removed.size;
    sizes.added = u.added.size;
  });
  mirror.delta(RowSet.EMPTY, keyed([], []), keyed([5], [1e6]), ["Price"]);
  await g2.runCycle();
  printTable(
    "sort: one row moves to the top of a 100,000-row sorted view (one delta)",
    ["format", "bytes", "removed keys", "added keys"],
    [
      ["JSON", String(sizes.json), String(sizes.removed), String(sizes.added)],
      ["Arrow (header + IPC)", String(sizes.arrow), String(sizes.removed), String(sizes.added)],
    ],
  );
}
