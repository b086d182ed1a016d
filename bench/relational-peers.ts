/**
 * The peers of the relational benchmark, as a user would pick them instead of tickflare:
 * - TanStack db-ivm (incremental view maintenance in TypeScript): a D2 graph joining the stream
 *   (keyed by Sym) with the keyed table; each cycle sends the new batch as inserts and runs the
 *   graph; the checksum reads the output diffs (the rows each cycle adds). Retracting the
 *   previous batch as well (the blink stream's exact semantics: its current rows are one batch)
 *   gives the same additions at about a third of the speed, so the peer runs insert-only.
 * - DuckDB (in-memory, `@duckdb/node-api`): each cycle replaces the `batch` table's rows with
 *   the new batch (appender, data chunks of 2,048 rows) and re-runs the query, reading its
 *   result columns into JS.
 * Both engines get their input pre-built (row objects, column arrays), as tickflare gets
 * pre-built tables, so the timings measure the engines.
 */

import type { DuckDBConnection } from "@duckdb/node-api";
import { DOUBLE, DuckDBDataChunk, DuckDBInstance, INTEGER, VARCHAR } from "@duckdb/node-api";
import { D2, join, MultiSet, output } from "@tanstack/db-ivm";
import type { EngineRun, StreamData, TradeRow } from "./relational-data.ts";

/** How the keyed table is used: as a filter (`in`/`notIn`) or joined (`left`: naturalJoin). */
export type KeyedOp = "in" | "left";

/** db-ivm: the stream joined with the keyed table (inner join for whereIn, left for naturalJoin). */
export function ivmRun(data: StreamData, op: KeyedOp): EngineRun {
  const plus = data.batches.map((b) =>
    b.rows.map((r): [[string, TradeRow], number] => [[r.Sym, r], 1]),
  );
  const t0 = performance.now();
  const graph = new D2();
  const left = graph.newInput<[string, TradeRow]>();
  const right = graph.newInput<[string, number]>();
  let count = 0;
  let checksum = 0;
  left.pipe(
    join(right, op === "in" ? "inner" : "left"),
    output((msg) => {
      for (const [[, [l, r]], m] of msg.getInner() as [
        [string, [TradeRow, number | null]],
        number,
      ][]) {
        count += m;
        checksum += m * (op === "in" ? l.Size : l.Size + (r ?? 0));
      }
    }),
  );
  graph.finalize();
  right.sendData(
    new MultiSet(
      data.keys.sym.map((s, i): [[string, number], number] => [[s, data.keys.ref[i]!], 1]),
    ),
  );
  for (let c = 0; c < data.cycles; c++) {
    left.sendData(new MultiSet(plus[c % data.batches.length]!));
    graph.run();
  }
  return {
    engine: "db-ivm",
    ms: performance.now() - t0,
    rows: data.cycles * data.batchSize,
    count,
    checksum,
  };
}

const CHUNK = 2048;

async function loadBatch(c: DuckDBConnection, data: StreamData, b: number): Promise<void> {
  const batch = data.batches[b]!;
  await c.run("DELETE FROM batch");
  const app = await c.createAppender("batch");
  for (let at = 0; at < batch.sym.length; at += CHUNK) {
    const end = Math.min(batch.sym.length, at + CHUNK);
    const chunk = DuckDBDataChunk.create([VARCHAR, DOUBLE, INTEGER], end - at);
    chunk.setColumnValues(0, batch.sym.slice(at, end));
    chunk.setColumnValues(1, Array.from(batch.price.subarray(at, end)));
    chunk.setColumnValues(2, Array.from(batch.size.subarray(at, end)));
    app.appendDataChunk(chunk);
  }
  app.closeSync();
}

/** DuckDB: each cycle loads the batch and re-queries (semi-join for whereIn, left join for naturalJoin). */
export async function duckRun(data: StreamData, op: KeyedOp): Promise<EngineRun> {
  const t0 = performance.now();
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  await c.run("CREATE TABLE keyed (Sym VARCHAR, Ref DOUBLE)");
  await c.run("CREATE TABLE batch (Sym VARCHAR, Price DOUBLE, Size INTEGER)");
  const app = await c.createAppender("keyed");
  const chunk = DuckDBDataChunk.create([VARCHAR, DOUBLE], data.keys.sym.length);
  chunk.setColumnValues(0, [...data.keys.sym]);
  chunk.setColumnValues(1, Array.from(data.keys.ref));
  app.appendDataChunk(chunk);
  app.closeSync();
  const query = await c.prepare(
    op === "in"
      ? "SELECT Size, NULL::DOUBLE AS Ref FROM batch WHERE Sym IN (SELECT Sym FROM keyed)"
      : "SELECT b.Size, k.Ref FROM batch b LEFT JOIN keyed k ON b.Sym = k.Sym",
  );
  let count = 0;
  let checksum = 0;
  for (let cy = 0; cy < data.cycles; cy++) {
    await loadBatch(c, data, cy % data.batches.length);
    const [size, ref] = (await query.runAndReadAll()).getColumns() as [number[], (number | null)[]];
    count += size.length;
    for (let i = 0; i < size.length; i++) checksum += size[i]! + (ref[i] ?? 0);
  }
  c.closeSync();
  return {
    engine: "DuckDB",
    ms: performance.now() - t0,
    rows: data.cycles * data.batchSize,
    count,
    checksum,
  };
}
