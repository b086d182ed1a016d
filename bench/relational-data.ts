/**
 * Shared inputs and reporting of the relational benchmark (bench/relational.ts): a stream of
 * trades in pre-built batches, in every form an engine takes (tickflare tables, row objects,
 * column arrays), a keyed reference table, and the result table (rows/s per engine, the ratio
 * tickflare / peer, and a check that every engine produced the same count and checksum).
 */
import type { Table } from "../src/engine/index.ts";
import { doubleCol, intCol, newTable, stringCol } from "../src/engine/index.ts";
import { printTable } from "./util.ts";

/** Stream columns as tickflare declares them. */
export const TRADE_COLUMNS = { Sym: "string", Price: "float64", Size: "int32" } as const;

export interface TradeRow {
  Sym: string;
  Price: number;
  Size: number;
}

/** One batch of the stream, pre-built in each engine's input form. */
export interface StreamBatch {
  readonly table: Table;
  readonly rows: readonly TradeRow[];
  readonly sym: readonly string[];
  readonly price: Float64Array;
  readonly size: Int32Array;
}

/** A keyed reference table: `Sym` (unique) and `Ref` (an integer-valued float64). */
export interface RefTable {
  readonly table: Table;
  readonly sym: readonly string[];
  readonly ref: Float64Array;
}

export interface StreamData {
  /** Distinct batches, fed round-robin. */
  readonly batches: readonly StreamBatch[];
  readonly batchSize: number;
  /** Cycles to run: total rows / batch size. */
  readonly cycles: number;
  /** The 100-key table (`S0`..`S99`); the stream's symbols are `S0`..`S{symbols - 1}`. */
  readonly keys: RefTable;
}

const sym = (i: number) => `S${i}`;

/** Deterministic stream: `total` rows in `batchSize` batches over `symbols` symbols. */
export function streamData(total = 2_000_000, batchSize = 10_000, symbols = 200, keys = 100) {
  let seed = 12345;
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const batches: StreamBatch[] = [];
  for (let b = 0; b < 8; b++) {
    const s = Array.from({ length: batchSize }, () => sym(Math.floor(rnd() * symbols)));
    const price = Float64Array.from({ length: batchSize }, () => 100 + rnd() * 50);
    const size = Int32Array.from({ length: batchSize }, () => 1 + Math.floor(rnd() * 1000));
    const table = newTable([
      stringCol("Sym", s),
      doubleCol("Price", Array.from(price)),
      intCol("Size", Array.from(size)),
    ]);
    const rows = s.map((x, i) => ({ Sym: x, Price: price[i]!, Size: size[i]! }));
    batches.push({ table, rows, sym: s, price, size });
  }
  const ksym = Array.from({ length: keys }, (_, i) => sym(i));
  const ref = Float64Array.from({ length: keys }, (_, i) => i + 1);
  const keyTable = newTable([stringCol("Sym", ksym), doubleCol("Ref", Array.from(ref))]);
  const data: StreamData = {
    batches,
    batchSize,
    cycles: Math.floor(total / batchSize),
    keys: { table: keyTable, sym: ksym, ref },
  };
  return data;
}

/** What one engine produced over the whole run, and how long it took. */
export interface EngineRun {
  readonly engine: string;
  readonly ms: number;
  /** Input rows fed. */
  readonly rows: number;
  /** Result rows summed over cycles. */
  readonly count: number;
  /** An order-independent checksum of the result rows, summed over cycles. */
  readonly checksum: number;
}

/**
 * Prints one case: rows/s per engine, tickflare's speed relative to each (">1": tickflare
 * faster), and whether each engine's count and checksum equal the reference. Throws on a
 * mismatch, so a wrong engine cannot report a rate.
 */
export function printRuns(
  title: string,
  expected: { count: number; checksum: number },
  runs: readonly EngineRun[],
): void {
  const ours = runs.find((r) => r.engine === "tickflare");
  const rowsOut: string[][] = runs.map((r) => {
    const perSec = (r.rows / r.ms) * 1000;
    const ratio = ours && r !== ours ? `${(r.ms / ours.ms).toFixed(1)}x` : "";
    const ok = r.count === expected.count && r.checksum === expected.checksum;
    return [
      r.engine,
      `${(perSec / 1e6).toFixed(2)}M`,
      `${r.ms.toFixed(0)} ms`,
      ratio,
      `${r.count} / ${r.checksum}`,
      ok ? "ok" : "MISMATCH",
    ];
  });
  printTable(
    title,
    ["engine", "rows/s", "time", "tickflare faster by", "count / checksum", "check"],
    rowsOut,
  );
  const bad = runs.filter((r) => r.count !== expected.count || r.checksum !== expected.checksum);
  if (bad.length > 0) {
    throw new Error(
      `relational bench: ${bad.map((b) => b.engine).join(", ")} disagree with the reference ${expected.count} / ${expected.checksum}`,
    );
  }
}
