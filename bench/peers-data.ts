/**
 * Input of the peers benchmark (bench/peers.ts): 32 distinct batches of (Sym string, Price
 * float64, Size int64) rows, generated from a fixed seed, encoded once as Arrow IPC stream
 * bytes (apache-arrow, no tickflare metadata) and as JSON text (an array of row objects, the
 * form of a JSON publish). Batch c of a run is batch c % 32. The expected per-symbol sum of
 * Size and row count of the rows a table holds after c batches is computed here in plain JS.
 */
import {
  Table as ArrowTable,
  Float64,
  Int64,
  makeData,
  makeVector,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from "apache-arrow";

export const DISTINCT_BATCHES = 32;
/** Rows a ring table keeps. */
export const RING_ROWS = 100_000;

export interface Scenario {
  table: "ring" | "append";
  group: boolean;
  batch: number;
  symbols: number;
  format: "arrow" | "json";
}

export function scenarioLabel(s: Scenario): string {
  return `${s.table}${s.group ? " + group-by" : " only"}, ${s.format}, batch ${s.batch / 1000}k, ${s.symbols >= 1000 ? `${s.symbols / 1000}k` : s.symbols} syms`;
}

export interface Batch {
  sym: Int32Array;
  price: Float64Array;
  size: Int32Array;
  arrow: Uint8Array;
  json: string;
}

export interface BenchData {
  names: string[];
  batches: Batch[];
}

export function symbolName(k: number): string {
  return `SYM${k.toString().padStart(6, "0")}`;
}

export function makeBenchData(s: Scenario): BenchData {
  const names = Array.from({ length: s.symbols }, (_, k) => symbolName(k));
  let seed = 12345;
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const batches: Batch[] = [];
  for (let b = 0; b < DISTINCT_BATCHES; b++) {
    const n = s.batch;
    const sym = Int32Array.from({ length: n }, () => Math.floor(rnd() * s.symbols));
    const price = Float64Array.from(
      { length: n },
      () => Math.round((100 + rnd() * 50) * 100) / 100,
    );
    const size = Int32Array.from({ length: n }, () => 1 + Math.floor(rnd() * 1000));
    const symStrings = Array.from(sym, (k) => names[k]!);
    const table = new ArrowTable({
      Sym: vectorFromArray(symStrings, new Utf8()),
      Price: makeVector(makeData({ type: new Float64(), data: price })),
      Size: makeVector(
        makeData({ type: new Int64(), data: BigInt64Array.from(size, (v) => BigInt(v)) }),
      ),
    });
    const arrow = tableToIPC(table, "stream").slice();
    const json = JSON.stringify(
      symStrings.map((Sym, i) => ({ Sym, Price: price[i]!, Size: size[i]! })),
    );
    batches.push({ sym, price, size, arrow, json });
  }
  return { names, batches };
}

/** Per symbol [sum of Size, rows] over the rows a table holds after `cycles` batches. */
export function expectedAggregates(
  data: BenchData,
  s: Scenario,
  cycles: number,
): Map<string, [number, number]> {
  const first = s.table === "ring" ? Math.max(0, cycles - RING_ROWS / s.batch) : 0;
  const sums = new Float64Array(data.names.length);
  const counts = new Float64Array(data.names.length);
  for (let c = first; c < cycles; c++) {
    const b = data.batches[c % DISTINCT_BATCHES]!;
    for (let i = 0; i < b.sym.length; i++) {
      sums[b.sym[i]!]! += b.size[i]!;
      counts[b.sym[i]!]! += 1;
    }
  }
  const out = new Map<string, [number, number]>();
  for (let k = 0; k < data.names.length; k++)
    if (counts[k]! > 0) out.set(data.names[k]!, [sums[k]!, counts[k]!]);
  return out;
}

/** Throws, naming the first difference, unless `got` equals `want`. */
export function checkAggregates(
  who: string,
  got: Map<string, [number, number]>,
  want: Map<string, [number, number]>,
): void {
  if (got.size !== want.size)
    throw new Error(`${who}: ${got.size} symbols in the result, expected ${want.size}`);
  for (const [sym, [sum, n]] of want) {
    const g = got.get(sym);
    if (g === undefined) throw new Error(`${who}: symbol ${sym} missing from the result`);
    if (g[0] !== sum || g[1] !== n)
      throw new Error(`${who}: ${sym} has sum ${g[0]}, count ${g[1]}; expected ${sum}, ${n}`);
  }
}
