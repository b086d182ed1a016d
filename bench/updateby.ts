/**
 * `npm run bench -- updateby`: updateBy over a stream of 2,000,000 rows, 100 symbols, batches of
 * 10,000, over a blink parent (whole-stream semantics: state carried across cycles) and over an
 * append-only one (blinkToAppendOnly of the same publisher): cumSum, rollingAvgTick(…, 100),
 * emaTime(…, "PT1S") and rollingSumTime(…, "PT1M"), each by Sym; then rollingMinTick,
 * rollingMaxTick and rollingProductTick over 100 ticks (`npm run bench -- updateby windows`: only
 * those three, without DuckDB; `updateby blink` / `updateby append`: one parent only, the
 * append-only one without DuckDB, whose query is the blink rows').
 *
 * Rates are rows per second of publish + cycle (best of 3, each run after a full collection);
 * "net" subtracts the same pipeline without the updateBy (publisher, and blinkToAppendOnly for
 * the append-only parent), by wall time and by the process's CPU time (less distorted when other
 * processes load the machine).
 *
 * Beside it, DuckDB (in-memory, `@duckdb/node-api`) with the matching window function,
 * recomputed over every row so far each cycle (a window over a stream's history has no
 * incremental form in SQL): the batch is appended, then the window query runs over the whole
 * table and sums the new rows' outputs. Its cost grows with the history, so it runs the first
 * DUCK_CYCLES cycles only and its rate is for that prefix. DuckDB has no EMA. Perspective 3.8
 * (the peers' version) has no window columns, so it is not compared.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { BIGINT, DOUBLE, DuckDBDataChunk, DuckDBInstance, VARCHAR } from "@duckdb/node-api";
import type { Table } from "../src/engine/index.ts";
import {
  blinkToAppendOnly,
  doubleCol,
  instantCol,
  longCol,
  newTable,
  stringCol,
  tablePublisher,
  UpdateGraph,
  updateby,
} from "../src/engine/index.ts";
import { printTable, rate } from "./util.ts";

const COLUMNS = { Sym: "string", Price: "float64", Size: "int64", Ts: "instant" } as const;
/** One row per millisecond of the stream: a PT1M window holds about 600 rows of a symbol. */
const STEP_NS = 1_000_000n;
const T0 = 1_700_000_000_000_000_000n;
const DUCK_CYCLES = 40;

/**
 * One published batch. Only the first DUCK_CYCLES batches keep their rows as JS values for
 * DuckDB's appender: 4M bigints held through the whole run would make every major collection
 * of the measured pipelines mark them (about 150 MB of bench data).
 */
interface Batch {
  table: Table;
  duck: { sym: string[]; price: Float64Array; size: bigint[]; ts: bigint[] } | null;
}

function makeBatches(total: number, batchSize: number, symbols: number): Batch[] {
  let seed = 12345;
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const names = Array.from({ length: symbols }, (_, i) => `S${i}`);
  return Array.from({ length: total / batchSize }, (_, b) => {
    const sym = Array.from({ length: batchSize }, () => names[Math.floor(rnd() * symbols)]!);
    const price = Float64Array.from({ length: batchSize }, () => 100 + rnd() * 50);
    const size = Array.from({ length: batchSize }, () => BigInt(1 + Math.floor(rnd() * 1000)));
    const ts = Array.from(
      { length: batchSize },
      (_, i) => T0 + BigInt(b * batchSize + i) * STEP_NS,
    );
    const table = newTable([
      stringCol("Sym", sym),
      doubleCol("Price", Array.from(price)),
      longCol("Size", size),
      instantCol("Ts", ts),
    ]);
    return { table, duck: b < DUCK_CYCLES ? { sym, price, size, ts } : null };
  });
}

interface Case {
  label: string;
  /** A rolling min / max / product row (run alone with `updateby windows`). */
  window?: boolean;
  make: ((t: Table) => Table) | null;
  sql: string | null;
}

const CASES: Case[] = [
  {
    label: 'cumSum("Total = Size")',
    make: (t) => t.updateBy(updateby.cumSum("Total = Size"), "Sym"),
    sql: "sum(Size) OVER (PARTITION BY Sym ORDER BY Seq ROWS UNBOUNDED PRECEDING)",
  },
  {
    label: 'rollingAvgTick("Avg = Price", 100)',
    make: (t) => t.updateBy(updateby.rollingAvgTick("Avg = Price", 100), "Sym"),
    sql: "avg(Price) OVER (PARTITION BY Sym ORDER BY Seq ROWS BETWEEN 99 PRECEDING AND CURRENT ROW)",
  },
  {
    label: 'emaTime("Ts", "PT1S", "Ema = Price")',
    make: (t) => t.updateBy(updateby.emaTime("Ts", "PT1S", "Ema = Price"), "Sym"),
    sql: null,
  },
  {
    label: 'rollingSumTime("Ts", "Sum = Price", "PT1M")',
    make: (t) => t.updateBy(updateby.rollingSumTime("Ts", "Sum = Price", "PT1M"), "Sym"),
    sql: "sum(Price) OVER (PARTITION BY Sym ORDER BY Ts RANGE BETWEEN 60000000000 PRECEDING AND CURRENT ROW)",
  },
  {
    label: 'rollingMinTick("Min = Price", 100)',
    window: true,
    make: (t) => t.updateBy(updateby.rollingMinTick("Min = Price", 100), "Sym"),
    sql: null,
  },
  {
    label: 'rollingMaxTick("Max = Size", 100)',
    window: true,
    make: (t) => t.updateBy(updateby.rollingMaxTick("Max = Size", 100), "Sym"),
    sql: null,
  },
  {
    label: 'rollingProductTick("Prod = Price", 100)',
    window: true,
    make: (t) => t.updateBy(updateby.rollingProductTick("Prod = Price", 100), "Sym"),
    sql: null,
  },
];

declare const gc: undefined | (() => void);

/**
 * Collects what earlier runs left (an append-only run leaves a 2M-row history behind) before a
 * timed run, so that a run pays for collecting its own garbage only, not its predecessor's.
 */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    if (typeof gc === "function") gc();
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Best wall time and best CPU time (user + system, ms) of three runs, each after `settle`. */
async function run(
  batches: Batch[],
  appendOnly: boolean,
  make: ((t: Table) => Table) | null,
): Promise<{ ms: number; cpu: number }> {
  let ms = Number.POSITIVE_INFINITY;
  let cpu = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 3; r++) {
    await settle();
    const g = new UpdateGraph({ seed: 1 });
    const [blink, pub] = tablePublisher(g, { name: "bench", columns: COLUMNS });
    const parent = appendOnly ? blinkToAppendOnly(blink) : blink;
    const result = make ? make(parent) : parent;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (const b of batches) {
      pub.add(b.table);
      await g.runCycle();
    }
    const c = process.cpuUsage(c0);
    ms = Math.min(ms, performance.now() - t0);
    cpu = Math.min(cpu, (c.user + c.system) / 1000);
    if (result.isFailed) throw new Error(`updateBy bench failed: ${String(result.failure)}`);
  }
  return { ms, cpu };
}

async function duck(batches: Batch[], sql: string): Promise<number> {
  const db = await DuckDBInstance.create(":memory:");
  const c: DuckDBConnection = await db.connect();
  await c.run("CREATE TABLE t (Seq BIGINT, Sym VARCHAR, Price DOUBLE, Size BIGINT, Ts BIGINT)");
  const query = await c.prepare(
    `SELECT sum(v)::DOUBLE FROM (SELECT Seq, ${sql} AS v FROM t) WHERE Seq >= $1`,
  );
  const t0 = performance.now();
  let seq = 0;
  let checksum = 0;
  for (const { duck: b } of batches.slice(0, DUCK_CYCLES)) {
    if (b === null) throw new Error("DuckDB: batch without its rows");
    const n = b.sym.length;
    const app = await c.createAppender("t");
    for (let at = 0; at < n; at += 2048) {
      const end = Math.min(n, at + 2048);
      const chunk = DuckDBDataChunk.create([BIGINT, VARCHAR, DOUBLE, BIGINT, BIGINT], end - at);
      chunk.setColumnValues(
        0,
        Array.from({ length: end - at }, (_, i) => BigInt(seq + at + i)),
      );
      chunk.setColumnValues(1, b.sym.slice(at, end));
      chunk.setColumnValues(2, Array.from(b.price.subarray(at, end)));
      chunk.setColumnValues(3, b.size.slice(at, end));
      chunk.setColumnValues(4, b.ts.slice(at, end));
      app.appendDataChunk(chunk);
    }
    app.closeSync();
    query.bindBigInt(1, BigInt(seq));
    const rows = (await query.runAndReadAll()).getRows();
    checksum += Number(rows[0]![0] ?? 0);
    seq += n;
  }
  const ms = performance.now() - t0;
  c.closeSync();
  if (!Number.isFinite(checksum)) throw new Error("DuckDB checksum is not finite");
  return ms;
}

/**
 * `filter`: "windows" (the rolling min / max / product rows only), "blink" or "append" (one
 * parent only), or undefined (everything).
 */
export async function benchUpdateBy(
  filter?: string,
  total = 2_000_000,
  batchSize = 10_000,
  symbols = 100,
): Promise<void> {
  const batches = makeBatches(total, batchSize, symbols);
  const rows: string[][] = [];
  const windowsOnly = filter === "windows";
  const parents = filter === "blink" ? [false] : filter === "append" ? [true] : [false, true];
  for (const appendOnly of parents) {
    const base = await run(batches, appendOnly, null);
    for (const c of CASES.filter((k) => !windowsOnly || k.window)) {
      const r = await run(batches, appendOnly, c.make);
      const net = (a: number, b: number) => rate(total, Math.max(a - b, 1e-3));
      let duckCell = c.window ? "not measured" : "no EMA in DuckDB";
      let ratio = "-";
      if (c.sql !== null && !appendOnly) {
        const dms = await duck(batches, c.sql);
        const duckRows = DUCK_CYCLES * batchSize;
        duckCell = `${rate(duckRows, dms)} (first ${duckRows.toLocaleString("en")} rows)`;
        ratio = `${(total / r.ms / (duckRows / dms)).toFixed(0)}x`;
      } else if (c.sql !== null) duckCell = "as blink (same query)";
      rows.push([
        appendOnly ? "append-only" : "blink",
        c.label,
        rate(total, r.ms),
        net(r.ms, base.ms),
        net(r.cpu, base.cpu),
        duckCell,
        ratio,
      ]);
    }
  }
  printTable(
    `updateBy by Sym, ${total.toLocaleString("en")} rows, ${symbols} symbols, batches of ${batchSize.toLocaleString("en")} (best of 3; net = minus the same pipeline without updateBy; ratio on throughput)`,
    [
      "parent",
      "op",
      "throughput",
      "net (wall)",
      "net (CPU time)",
      "DuckDB window, recomputed per cycle",
      "tickflare / DuckDB",
    ],
    rows,
  );
}
