/**
 * As-of join benchmark, part of `npm run bench -- relational` (bench/relational.ts): trades aj
 * quotes over ticking inputs.
 */

import type { Table } from "../src/engine/index.ts";
import {
  blinkToAppendOnly,
  col,
  newTable,
  stringCol,
  tablePublisher,
  UpdateGraph,
} from "../src/engine/index.ts";
import { printTable, rate } from "./util.ts";

const SYMBOLS = Array.from({ length: 100 }, (_, i) => `S${i}`);

/** `cycles` batches of `n` rows: Sym, an instant Ts (nanoseconds, rising) and a price. */
function asOfBatches(
  cycles: number,
  n: number,
  offset: bigint,
  seed: number,
  price: string,
): Table[] {
  let x = seed;
  const next = () => {
    x = (x * 1103515245 + 12345) >>> 0;
    return x;
  };
  const base = 1_700_000_000_000_000_000n;
  const out: Table[] = [];
  for (let c = 0; c < cycles; c++) {
    const sym: string[] = [];
    const ts = new Array<bigint>(n);
    const px: number[] = [];
    for (let i = 0; i < n; i++) {
      sym.push(SYMBOLS[next() % SYMBOLS.length]!);
      // Trades and quotes interleave: quote j at 2j, trade j at 2j + 1 (microseconds).
      ts[i] = base + (BigInt(c * n + i) * 2n + offset) * 1000n;
      px.push(100 + (next() % 1000) / 100);
    }
    out.push(
      newTable([stringCol("Sym", sym), col("Ts", "instant", ts), col(price, "float64", px)]),
    );
  }
  return out;
}

/**
 * `trades.aj(quotes, "Sym, Ts", "Bid")`: 2,000,000 trades and 2,000,000 quotes over 100 symbols,
 * fed in interleaved cycles of 10,000 of each. Quotes are append-only; trades blink (enriching a
 * stream) or append-only (every trade kept and re-pointed when a late quote arrives). The rate
 * counts trades and quotes (best of 3 runs); "without aj" is the same pipeline with the join
 * left out.
 */
export async function benchAsOfJoin(total = 2_000_000, batch = 10_000): Promise<void> {
  const cycles = total / batch;
  const trades = asOfBatches(cycles, batch, 1n, 7, "Price");
  const quotes = asOfBatches(cycles, batch, 0n, 11, "Bid");
  const rows: string[][] = [];
  const REPEAT = 3;
  const best = new Map<string, number>();
  for (let rep = 0; rep < REPEAT; rep++)
    for (const leftKind of ["blink", "append-only"] as const) {
      for (const withJoin of [false, true]) {
        const g = new UpdateGraph({ seed: 1 });
        const [tb, pubT] = tablePublisher(g, {
          name: "trades",
          columns: { Sym: "string", Ts: "instant", Price: "float64" },
        });
        const [qb, pubQ] = tablePublisher(g, {
          name: "quotes",
          columns: { Sym: "string", Ts: "instant", Bid: "float64" },
        });
        const q = blinkToAppendOnly(qb);
        const t = leftKind === "blink" ? tb : blinkToAppendOnly(tb);
        const r = withJoin ? t.aj(q, "Sym, Ts", "Bid") : null;
        const t0 = performance.now();
        for (let c = 0; c < cycles; c++) {
          pubT.add(trades[c]!);
          pubQ.add(quotes[c]!);
          await g.runCycle();
        }
        const ms = performance.now() - t0;
        if (rep < REPEAT - 1) {
          best.set(
            `${leftKind}${withJoin}`,
            Math.min(best.get(`${leftKind}${withJoin}`) ?? ms, ms),
          );
          continue;
        }
        const bestMs = Math.min(best.get(`${leftKind}${withJoin}`) ?? ms, ms);
        const matched = r ? r.where("!isNull(Bid)").size : 0;
        rows.push([
          `${leftKind} trades ⋈ append-only quotes${withJoin ? "" : " (without aj)"}`,
          String(2 * total),
          `${bestMs.toFixed(0)} ms`,
          rate(2 * total, bestMs),
          r ? `${matched} of ${r.size}` : "",
        ]);
      }
    }
  printTable(
    'aj: trades.aj(quotes, "Sym, Ts", "Bid"), 2M trades + 2M quotes, 100 symbols, cycles of 10,000 + 10,000 (best of 3; target ≥ 5M rows/s)',
    ["pipeline", "rows in", "time", "throughput", "trades matched (last cycle)"],
    rows,
  );
}

/** Every relational benchmark. */
