/**
 * Issue 14 benchmark: Arrow IPC decode of 10,000-row record batches (each its own IPC stream,
 * as a publish is) into engine Vecs, by the direct reader (`arrowIPCToVecs`: `arrow/ipc-read.ts`)
 * and by apache-arrow's reader (`arrowToVecs(decodeIPC(bytes))`), alternating in one run.
 * Columns: int64, float64, string (Utf8, 8-12 ASCII bytes), dictionary (Dictionary<Int32, Utf8>
 * of 100 symbols), a long string (Utf8, 40-46 ASCII bytes: a 10,000-row batch of them is more
 * text than V8 allocates in its young generation, see PIECE_BYTES in arrow/utf8.ts), all four
 * (but the long string) together, and all four into a static table (`fromArrowIPC` against
 * `fromArrow(decodeIPC(bytes))`: Vecs, then pages); batches of 10,000 and of 1,000 rows, 1M rows per
 * round, each reader's best of 7 alternating rounds. Target: >= 40M rows/s for 10,000-row
 * batches.
 */
import type { Vector } from "apache-arrow";
import {
  Table as ArrowTable,
  Dictionary,
  Int32,
  makeVector,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import {
  arrowIPCToVecs,
  arrowToVecs,
  decodeIPC,
  fromArrow,
  fromArrowIPC,
} from "../src/engine/arrow.ts";
import { best, printTable, rate } from "./util.ts";

/** Rows decoded per round (split into batches of each size). */
const TOTAL = 1_000_000;

function columns(seed: number, ROWS: number): Record<string, Vector> {
  const ints = new BigInt64Array(ROWS);
  const floats = new Float64Array(ROWS);
  const strs: string[] = [];
  const notes: string[] = [];
  const syms = Array.from({ length: 100 }, (_, i) => `SYM${i}`);
  const idx = new Int32Array(ROWS);
  for (let i = 0; i < ROWS; i++) {
    ints[i] = BigInt(seed * ROWS + i);
    floats[i] = (seed * ROWS + i) * 0.25;
    strs.push(`order-${(seed * ROWS + i) % 100000}`);
    notes.push(`customer ${(seed * ROWS + i) % 997} of the north region, ${i % 13} items`);
    idx[i] = (i * 7 + seed) % 100;
  }
  const dictType = new Dictionary(new Utf8(), new Int32());
  return {
    Id: makeVector(ints),
    Price: makeVector(floats),
    Order: vectorFromArray(strs, new Utf8()),
    Note: vectorFromArray(notes, new Utf8()),
    Sym: makeVector({
      type: dictType,
      length: ROWS,
      nullCount: 0,
      data: idx,
      dictionary: vectorFromArray(syms, new Utf8()),
    }),
  };
}

export function benchArrow(): void {
  for (const rows of [10_000, 1_000]) benchBatches(rows);
}

function benchBatches(ROWS: number): void {
  const BATCHES = TOTAL / ROWS;
  const all = Array.from({ length: BATCHES }, (_, b) => columns(b, ROWS));
  const cases: [string, string[], boolean][] = [
    ["int64", ["Id"], false],
    ["float64", ["Price"], false],
    ["string (Utf8)", ["Order"], false],
    ["dictionary<int32, utf8>", ["Sym"], false],
    ["long string (Utf8, 40-46 bytes)", ["Note"], false],
    ["all four", ["Id", "Price", "Order", "Sym"], false],
    ["all four, into a table", ["Id", "Price", "Order", "Sym"], true],
  ];
  const out: string[][] = [];
  for (const [label, names, table] of cases) {
    const bodies = all.map((cols) => {
      const picked: Record<string, Vector> = {};
      for (const n of names) picked[n] = cols[n]!;
      return tableToIPC(new ArrowTable(picked), "stream");
    });
    let sink = 0;
    const oldPath = table
      ? () => {
          for (const b of bodies) sink += fromArrow(decodeIPC(b)).size;
        }
      : () => {
          for (const b of bodies) sink += arrowToVecs(decodeIPC(b)).length;
        };
    const newPath = table
      ? () => {
          for (const b of bodies) sink += fromArrowIPC(b).size;
        }
      : () => {
          for (const b of bodies) sink += arrowIPCToVecs(b).length;
        };
    // Alternate the two readers round by round; keep each one's best round.
    let oldMs = Number.POSITIVE_INFINITY;
    let newMs = Number.POSITIVE_INFINITY;
    for (let r = 0; r < 7; r++) {
      oldMs = Math.min(oldMs, best(1, oldPath));
      newMs = Math.min(newMs, best(1, newPath));
    }
    if (sink !== 14 * ROWS * BATCHES) throw new Error(`decoded ${sink} rows`);
    const rows = ROWS * BATCHES;
    out.push([label, rate(rows, oldMs), rate(rows, newMs), `${(oldMs / newMs).toFixed(1)}x`]);
  }
  printTable(
    `Arrow IPC decode, ${ROWS.toLocaleString("en")}-row batches (${BATCHES} per round, each reader's best of 7 alternating rounds)`,
    ["columns", "apache-arrow reader", "direct reader", "ratio"],
    out,
  );
}
