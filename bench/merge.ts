/**
 * Column-source benchmark: `merge` reads its inputs' pages through views instead of copying
 * them. Reports the memory a 1,000,000-row merge result adds (target: at most 16 bytes a row),
 * over dense static inputs (read at a shift), sparse static inputs (a RowRedirection, 8 bytes a
 * row) and refreshing inputs (key slices, nothing per row); the time to read the merged rows
 * into Arrow against reading one 1,000,000-row table; and a merge of two blink streams feeding
 * `sumBy` (rows/s).
 */

import type { Table } from "../src/engine/index.ts";
import { emptyTable, merge, ringTable, tablePublisher, UpdateGraph } from "../src/engine/index.ts";
import { makeBatches, COLUMNS as STREAM_COLUMNS } from "./streaming.ts";
import { best, heapMB, printTable, rate } from "./util.ts";

const HALF = 500_000;
const FORMULAS = ["X = i", "Y = i * 0.5", "L = (long) i * 3L", "S = `s` + (i % 100)"];

/** Heap bytes a row that `make` adds while its result is held. */
async function bytesPerRow(rows: number, make: () => Table): Promise<{ t: Table; bytes: string }> {
  const before = await heapMB();
  const t = make();
  const after = await heapMB();
  return { t, bytes: (((after - before) * 2 ** 20) / rows).toFixed(1) };
}

export async function benchMerge(): Promise<void> {
  const rows: string[][] = [];
  const a = emptyTable(HALF).update(FORMULAS);
  const b = emptyTable(HALF).update(FORMULAS);
  const single = emptyTable(2 * HALF).update(FORMULAS);
  const dense = await bytesPerRow(2 * HALF, () => merge(a, b));
  const readSingle = best(3, () => single.toArrow());
  const readMerged = best(3, () => dense.t.toArrow());
  rows.push([
    "static, dense inputs (read at a shift)",
    String(dense.t.size),
    dense.bytes,
    `${readMerged.toFixed(0)} ms (one table: ${readSingle.toFixed(0)} ms)`,
  ]);

  const sa = emptyTable(2 * HALF)
    .update(FORMULAS)
    .where("X % 2 == 0");
  const sb = emptyTable(2 * HALF)
    .update(FORMULAS)
    .where("X % 2 == 1");
  const sparse = await bytesPerRow(2 * HALF, () => merge(sa, sb));
  const readSparse = best(3, () => sparse.t.toArrow());
  rows.push([
    "static, sparse inputs (RowRedirection)",
    String(sparse.t.size),
    sparse.bytes,
    `${readSparse.toFixed(0)} ms`,
  ]);

  const g = new UpdateGraph({ seed: 1 });
  const [l, pubL] = tablePublisher(g, { name: "l", columns: { X: "int32", Y: "float64" } });
  const [r, pubR] = tablePublisher(g, { name: "r", columns: { X: "int32", Y: "float64" } });
  const ringL = ringTable(l, HALF);
  const ringR = ringTable(r, HALF);
  pubL.add(emptyTable(HALF).update("X = i", "Y = i * 0.5"));
  pubR.add(emptyTable(HALF).update("X = i", "Y = i * 0.5"));
  await g.runCycle();
  const ticking = await bytesPerRow(2 * HALF, () => merge(ringL, ringR));
  const readTicking = best(3, () => ticking.t.toArrow());
  rows.push([
    "refreshing: two rings (key slices)",
    String(ticking.t.size),
    ticking.bytes,
    `${readTicking.toFixed(0)} ms`,
  ]);
  printTable(
    "Column sources: memory a 1,000,000-row merge result adds",
    ["merge", "rows", "bytes/row added", "toArrow of the result (best of 3)"],
    rows,
  );

  // Two blink streams merged and aggregated: the aggregation reads the merge in chunks.
  const total = 2_000_000;
  const batches = makeBatches(10_000, 8, 100);
  const g2 = new UpdateGraph({ seed: 1 });
  const [s1, p1] = tablePublisher(g2, { name: "a", columns: STREAM_COLUMNS });
  const [s2, p2] = tablePublisher(g2, { name: "b", columns: STREAM_COLUMNS });
  const sum = merge(s1, s2).view("Sym", "Size").sumBy("Sym");
  const t0 = performance.now();
  for (let i = 0; i < total / 20_000; i++) {
    p1.add(batches[i % batches.length]!);
    p2.add(batches[(i + 3) % batches.length]!);
    await g2.runCycle();
  }
  const ms = performance.now() - t0;
  printTable(
    "merge of two blink streams into sumBy",
    ["pipeline", "rows", "throughput", "groups"],
    [["merge(a, b).view(Sym, Size).sumBy(Sym)", String(total), rate(total, ms), String(sum.size)]],
  );
}
