/**
 * Issue 14 benchmark: Arrow IPC encode of engine tables, by tickflare's own writer
 * (`writeIPC(schema, readRows(...))`, arrow/ipc-write.ts, what snapshots, deltas and stored pages
 * use) and by the path before it (`tableToIPC(vecsToArrow(schema, readContiguous(...)))`
 * through apache-arrow), alternating in one run. A 1,000,000-row table (paged storage) is encoded
 * as consecutive row ranges of 10,000 rows (snapshot parts, published batches), of 4,096 rows
 * aligned to pages (persisted pages: one page run, viewed without a copy) and of 100 rows
 * (small deltas, where the per-message cost shows). Columns: int64, float64, string (8-12 ASCII
 * bytes), the five of the e2e publish batches (int64, string, float64, int32, instant),
 * float64 with 10% nulls, and a long string (40-46 ASCII bytes: 10,000 of them are more text
 * than V8 allocates in its young generation, see PIECE_BYTES in arrow/utf8.ts). Each writer's best of 7 alternating rounds, by process CPU time.
 */
import { tableToIPC } from "apache-arrow";
import { vecsToArrow, writeIPC } from "../src/engine/arrow.ts";
import type { Table } from "../src/engine/index.ts";
import {
  blinkToAppendOnly,
  col,
  newTable,
  tablePublisher,
  UpdateGraph,
} from "../src/engine/index.ts";
import { readContiguous, readRows } from "../src/engine/ops/copy.ts";
import { printTable, rate } from "./util.ts";

const ROWS = 1_000_000;
const SYMS = ["AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "META", "TSLA"];

function bigTable(): Table {
  const ids = new Array<bigint>(ROWS);
  const prices = new Array<number>(ROWS);
  const sparse = new Array<number | null>(ROWS);
  const orders = new Array<string>(ROWS);
  const syms = new Array<string>(ROWS);
  const notes = new Array<string>(ROWS);
  const sizes = new Array<number>(ROWS);
  const ts = new Array<bigint>(ROWS);
  for (let i = 0; i < ROWS; i++) {
    ids[i] = BigInt(i);
    prices[i] = 100 + (i % 1000) / 8;
    sparse[i] = i % 10 === 3 ? null : i * 0.5;
    orders[i] = `order-${i % 100000}`;
    syms[i] = SYMS[i % SYMS.length]!;
    notes[i] = `customer ${i % 997} of the north region, ${i % 13} items`;
    sizes[i] = i % 500;
    ts[i] = 1_700_000_000_000_000_000n + BigInt(i) * 1000n;
  }
  return newTable([
    col("Id", "int64", ids),
    col("Sym", "string", syms),
    col("Price", "float64", prices),
    col("Size", "int32", sizes),
    col("Ts", "instant", ts),
    col("Order", "string", orders),
    col("Sparse", "float64", sparse),
    col("Note", "string", notes),
  ]);
}

/** CPU milliseconds (user + system) of `fn`. */
function cpuMs(fn: () => void): number {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

/** The least CPU milliseconds of `a` and of `b` over 7 rounds, alternating. */
function bestOf7(a: () => void, b: () => void): [number, number] {
  let aMs = Number.POSITIVE_INFINITY;
  let bMs = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 7; r++) {
    aMs = Math.min(aMs, cpuMs(a));
    bMs = Math.min(bMs, cpuMs(b));
  }
  return [aMs, bMs];
}

export function benchArrowEncode(): void {
  const t = bigTable();
  const cases: [string, string[]][] = [
    ["int64", ["Id"]],
    ["float64", ["Price"]],
    ["string", ["Order"]],
    ["e2e batch (5 columns)", ["Id", "Sym", "Price", "Size", "Ts"]],
    ["float64, 10% nulls", ["Sparse"]],
    ["long string (40-46 bytes)", ["Note"]],
  ];
  const out: string[][] = [];
  for (const size of [10_000, 4_096, 100]) {
    // 100-row deltas: 100,000 rows a round (1,000 messages), the rest every row.
    const total = size === 100 ? 100_000 : Math.floor(ROWS / size) * size;
    for (const [label, names] of cases) {
      const schema = Object.fromEntries(names.map((n) => [n, t.columns[n]!]));
      const cols = names.map((n) => t.column(n));
      let sink = 0;
      const oldPath = () => {
        for (let s = 0; s < total; s += size) {
          const keys = t.rowSet.subSetByPosition(s, s + size);
          sink += tableToIPC(
            vecsToArrow(schema, readContiguous(cols, keys), size),
            "stream",
          ).length;
        }
      };
      const newPath = () => {
        for (let s = 0; s < total; s += size) {
          const keys = t.rowSet.subSetByPosition(s, s + size);
          sink += writeIPC(schema, readRows(cols, keys), 0, size).length;
        }
      };
      const [oldMs, newMs] = bestOf7(oldPath, newPath);
      if (sink <= 0) throw new Error("nothing encoded");
      out.push([
        `${size.toLocaleString("en")}`,
        label,
        rate(total, oldMs),
        rate(total, newMs),
        `${(oldMs / newMs).toFixed(1)}x`,
      ]);
    }
  }
  printTable(
    "Arrow IPC encode from a 1,000,000-row table (CPU time, each writer's best of 7 alternating rounds)",
    [
      "rows per stream",
      "columns",
      "apache-arrow (vecsToArrow + tableToIPC)",
      "own writer (writeIPC)",
      "ratio",
    ],
    out,
  );
}

/**
 * A 1,000,000-row history (`blinkToAppendOnly`, fed 250 cycles of 4,000 rows), whose full pages
 * are sealed: "Order" (100,000 distinct) as UTF-8, "Sym" (7) with a dictionary, "Price" and
 * "Size" narrowed. Encoded whole (a snapshot) and in 10,000-row parts, by the writer from the
 * pages (`readRows`: sealed strings' bytes as they are) and from the rows' strings
 * (`readContiguous`: every row decoded to a string, then encoded again: the path before).
 */
async function history(): Promise<Table> {
  const g = new UpdateGraph({ seed: 1 });
  const [blink, pub] = tablePublisher(g, {
    name: "history",
    columns: { Sym: "string", Order: "string", Price: "float64", Size: "int64" },
  });
  const h = blinkToAppendOnly(blink);
  for (let c = 0; c < 250; c++) {
    const rows = Array.from({ length: 4000 }, (_, j) => {
      const i = c * 4000 + j;
      return {
        Sym: SYMS[i % SYMS.length]!,
        Order: `order-${(i * 7919) % 100000}`,
        Price: 100 + (i % 1000) / 8,
        Size: i % 500,
      };
    });
    pub.addRows(rows);
    await g.runCycle();
  }
  return h;
}

export async function benchArrowEncodeHistory(): Promise<void> {
  const t = await history();
  const cases: [string, string[]][] = [
    ["string, 100,000 distinct (UTF-8 pages)", ["Order"]],
    ["string, 7 distinct (dictionary pages)", ["Sym"]],
    ["all four columns", ["Sym", "Order", "Price", "Size"]],
  ];
  const out: string[][] = [];
  for (const size of [ROWS, 10_000]) {
    for (const [label, names] of cases) {
      const schema = Object.fromEntries(names.map((n) => [n, t.columns[n]!]));
      const cols = names.map((n) => t.column(n));
      let sink = 0;
      const run = (read: typeof readRows) => () => {
        for (let s = 0; s < ROWS; s += size) {
          const keys = t.rowSet.subSetByPosition(s, s + size);
          sink += writeIPC(schema, read(cols, keys), 0, keys.size).length;
        }
      };
      const fromStrings = run(readContiguous);
      const fromPages = run(readRows);
      const [oldMs, newMs] = bestOf7(fromStrings, fromPages);
      if (sink <= 0) throw new Error("nothing encoded");
      out.push([
        size === ROWS ? "1,000,000 (whole)" : size.toLocaleString("en"),
        label,
        rate(ROWS, oldMs),
        rate(ROWS, newMs),
        `${(oldMs / newMs).toFixed(1)}x`,
      ]);
    }
  }
  printTable(
    "Arrow IPC encode of a 1,000,000-row history with sealed pages (CPU time, best of 7 alternating rounds)",
    [
      "rows per stream",
      "columns",
      "from the rows' strings (readContiguous)",
      "from the pages (readRows)",
      "ratio",
    ],
    out,
  );
}
