/**
 * Relational benchmarks (`npm run bench -- relational`): the joins, filters and sorts of the
 * "Relational core" issue, each part in its own function.
 *
 * Joins (`benchJoins`): naturalJoin of a 2,000,000-row blink stream (batches of 10,000) against a
 * static 100-key table (target 15M rows/s) and against a ticking 100,000-key table whose quotes
 * change 1,000 keys a cycle (a lastBy over a quote stream; target 5M rows/s), each against the
 * same pipeline without the join; and the memory a join result over a 1,000,000-row table adds
 * (target at most 16 bytes a row: redirections, not copies).
 */
import type { Table } from "../src/engine/index.ts";
import {
  doubleCol,
  intCol,
  newTable,
  stringCol,
  tablePublisher,
  UpdateGraph,
} from "../src/engine/index.ts";
import { makeBatches, COLUMNS as STREAM_COLUMNS, SYMBOLS } from "./streaming.ts";
import { heapMB, printTable, rate } from "./util.ts";

const TOTAL = 2_000_000;
const BATCH = 10_000;

/** Quote batches: `n` rows each for random keys among `keys` symbols. */
function quoteBatches(n: number, count: number, keys: number): Table[] {
  const syms = SYMBOLS(keys);
  let seed = 777;
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  return Array.from({ length: count }, () =>
    newTable([
      stringCol(
        "Sym",
        Array.from({ length: n }, () => syms[Math.floor(rnd() * keys)]!),
      ),
      doubleCol(
        "Bid",
        Array.from({ length: n }, () => 100 + rnd()),
      ),
      doubleCol(
        "Ask",
        Array.from({ length: n }, () => 101 + rnd()),
      ),
    ]),
  );
}

/** Streams TOTAL rows through `build(trades, graph)` one batch a cycle; returns ms (best of 3). */
async function streamMs(
  batches: readonly Table[],
  build: (trades: Table, g: UpdateGraph) => { result: Table; tick?: (cycle: number) => void },
): Promise<number> {
  let bestMs = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 3; run++) {
    const g = new UpdateGraph({ seed: 1 });
    const [trades, pub] = tablePublisher(g, { name: "trades", columns: STREAM_COLUMNS });
    const { tick } = build(trades, g);
    await g.runCycle();
    const t0 = performance.now();
    for (let i = 0; i < TOTAL / BATCH; i++) {
      pub.add(batches[i % batches.length]!);
      tick?.(i);
      await g.runCycle();
    }
    bestMs = Math.min(bestMs, performance.now() - t0);
  }
  return bestMs;
}

async function bytesPerRow(rows: number, make: () => Table): Promise<{ t: Table; bytes: string }> {
  const before = await heapMB();
  const t = make();
  const after = await heapMB();
  return { t, bytes: (((after - before) * 2 ** 20) / rows).toFixed(1) };
}

/** naturalJoin throughput and join memory (see the module header). */
export async function benchJoins(): Promise<void> {
  const rows: string[][] = [];

  // Against a static 100-key table.
  const batches100 = makeBatches(BATCH, 8, 100);
  const ref = quoteBatches(100, 1, 100)[0]!.lastBy("Sym");
  const base100 = await streamMs(batches100, (t) => ({ result: t }));
  const join100 = await streamMs(batches100, (t) => ({
    result: t.naturalJoin(ref, "Sym", "Bid, Ask"),
  }));
  rows.push([
    "naturalJoin(static 100 keys)",
    rate(TOTAL, join100),
    rate(TOTAL, base100),
    rate(TOTAL, join100 - base100),
  ]);

  // Against a ticking 100,000-key table: 1,000 quotes a cycle into lastBy.
  const KEYS = 100_000;
  const batchesBig = makeBatches(BATCH, 8, KEYS);
  const initial = newTable([
    stringCol("Sym", SYMBOLS(KEYS)),
    doubleCol("Bid", new Array<number>(KEYS).fill(100)),
    doubleCol("Ask", new Array<number>(KEYS).fill(101)),
  ]);
  const updates = quoteBatches(1_000, 16, KEYS);
  const ticking = (t: Table, g: UpdateGraph, join: boolean) => {
    const [quotes, qp] = tablePublisher(g, {
      name: "quotes",
      columns: { Sym: "string", Bid: "float64", Ask: "float64" },
    });
    const last = quotes.lastBy("Sym");
    qp.add(initial);
    const result = join ? t.naturalJoin(last, "Sym", "Bid, Ask") : last;
    return { result, tick: (i: number) => qp.add(updates[i % updates.length]!) };
  };
  const baseBig = await streamMs(batchesBig, (t, g) => ticking(t, g, false));
  const joinBig = await streamMs(batchesBig, (t, g) => ticking(t, g, true));
  rows.push([
    "naturalJoin(ticking 100,000 keys, 1,000 changed a cycle)",
    rate(TOTAL, joinBig),
    rate(TOTAL, baseBig),
    rate(TOTAL, joinBig - baseBig),
  ]);
  printTable(
    "naturalJoin of a 2,000,000-row blink stream (batches of 10,000; best of 3)",
    ["right table", "pipeline with join", "pipeline without join", "join alone"],
    rows,
  );

  // Memory a join result over 1,000,000 rows adds.
  const N = 1_000_000;
  const syms = SYMBOLS(100);
  const left = newTable([
    stringCol(
      "Sym",
      Array.from({ length: N }, (_, i) => syms[i % 100]!),
    ),
    intCol(
      "Qty",
      Array.from({ length: N }, (_, i) => i),
    ),
  ]);
  const right = quoteBatches(100, 1, 100)[0]!.lastBy("Sym");
  const mem: string[][] = [];
  const nj = await bytesPerRow(N, () => left.naturalJoin(right, "Sym", "Bid, Ask"));
  mem.push(["naturalJoin (static right)", String(nj.t.size), nj.bytes]);
  const jn = await bytesPerRow(N, () => left.join(right, "Sym", "Bid, Ask"));
  mem.push(["join (one match a row)", String(jn.t.size), jn.bytes]);
  const g = new UpdateGraph({ seed: 1 });
  const [quotes, qp] = tablePublisher(g, {
    name: "q",
    columns: { Sym: "string", Bid: "float64", Ask: "float64" },
  });
  const last = quotes.lastBy("Sym");
  qp.add(right);
  await g.runCycle();
  const tk = await bytesPerRow(N, () => left.naturalJoin(last, "Sym", "Bid, Ask"));
  mem.push(["naturalJoin (ticking right: adds the left index)", String(tk.t.size), tk.bytes]);
  printTable(
    "Memory a join result over 1,000,000 left rows adds",
    ["join", "rows", "bytes/row added"],
    mem,
  );
}

/** Every relational benchmark. */
export async function benchRelational(): Promise<void> {
  await benchJoins();
}
