/**
 * Join benchmarks, part of `npm run bench -- relational` (bench/relational.ts): the joins of the
 * "Relational core" issue.
 *
 * Joins (`benchJoins`): naturalJoin of a 2,000,000-row blink stream (batches of 10,000) against a
 * static 100-key table (target 15M rows/s) and against a ticking 100,000-key table whose quotes
 * change 1,000 keys a cycle (a lastBy over a quote stream; target 5M rows/s), each against the
 * same pipeline without the join; and the memory a join result (naturalJoin, join, aj) over a
 * 1,000,000-row table adds (target at most 16 bytes a row: redirections, not copies).
 */
import * as arrow from "apache-arrow";
import type { Table } from "../src/engine/index.ts";
import {
  col,
  doubleCol,
  fromArrowIPC,
  intCol,
  newTable,
  stringCol,
  tablePublisher,
  toArrowIPC,
  UpdateGraph,
} from "../src/engine/index.ts";
import { SYMBOLS } from "./streaming.ts";
import { heapMB, printTable, rate } from "./util.ts";

const TOTAL = 2_000_000;
const BATCH = 10_000;

/** A deterministic random stream. */
function lcg(seed: number): () => number {
  return () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
}

/** `count` tables of `n` rows: key `Sym` (SYMBOLS) or `Id` (int32) among `keys`, plus values. */
function keyedBatches(
  n: number,
  count: number,
  keys: number,
  key: "Sym" | "Id",
  values: readonly string[],
  seed: number,
  syms: readonly string[] = SYMBOLS(keys),
): Table[] {
  const rnd = lcg(seed);
  return Array.from({ length: count }, () => {
    const ids = Array.from({ length: n }, () => Math.floor(rnd() * keys));
    const keyCol =
      key === "Sym"
        ? stringCol(
            "Sym",
            ids.map((i) => syms[i]!),
          )
        : intCol("Id", ids);
    return newTable([
      keyCol,
      ...values.map((v) =>
        doubleCol(
          v,
          ids.map(() => 100 + rnd()),
        ),
      ),
    ]);
  });
}

/** Every key once (`Sym` or `Id`), with values. */
function allKeys(
  keys: number,
  key: "Sym" | "Id",
  values: readonly string[],
  syms: readonly string[] = SYMBOLS(keys),
): Table {
  const ids = Array.from({ length: keys }, (_, i) => i);
  const keyCol = key === "Sym" ? stringCol("Sym", [...syms]) : intCol("Id", ids);
  return newTable([keyCol, ...values.map((v) => doubleCol(v, new Array<number>(keys).fill(100)))]);
}

/** A batch as a table, or as Arrow IPC bytes that each use decodes (`fromArrowIPC`). */
type Batch = Table | Uint8Array;

/** The batch as a table: Arrow IPC bytes are decoded now. */
function decoded(b: Batch): Table {
  return b instanceof Uint8Array ? fromArrowIPC(b) : b;
}

/**
 * Streams TOTAL rows of `batches` through `build` one batch a cycle; returns ms (best of 3).
 * Batches given as Arrow IPC are decoded in the timed loop.
 */
async function streamMs(
  batches: readonly Batch[],
  build: (trades: Table, g: UpdateGraph) => { result: Table; tick?: (cycle: number) => void },
): Promise<number> {
  let bestMs = Number.POSITIVE_INFINITY;
  const columns = decoded(batches[0]!).columns;
  for (let run = 0; run < 3; run++) {
    const g = new UpdateGraph({ seed: 1 });
    const [trades, pub] = tablePublisher(g, { name: "trades", columns });
    const { tick } = build(trades, g);
    await g.runCycle();
    const t0 = performance.now();
    for (let i = 0; i < TOTAL / BATCH; i++) {
      pub.add(decoded(batches[i % batches.length]!));
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
  const trades100 = keyedBatches(BATCH, 8, 100, "Sym", ["Price"], 12345);
  const ref = allKeys(100, "Sym", ["Bid", "Ask"]);
  const base100 = await streamMs(trades100, (t) => ({ result: t }));
  const join100 = await streamMs(trades100, (t) => ({
    result: t.naturalJoin(ref, "Sym", "Bid, Ask"),
  }));
  rows.push([
    "static, 100 Sym keys",
    rate(TOTAL, join100),
    rate(TOTAL, base100),
    rate(TOTAL, join100 - base100),
  ]);

  // Against a ticking 100,000-key table: 1,000 quotes a cycle into lastBy, keyed by a string
  // (SYM000000..SYM099999) or an int32. Strings: each side's tables made from its own array of
  // the symbols (equal strings, distinct objects: tables built from separate JS arrays), every
  // table from one array (the same string objects on both sides, which a `Map` matches by
  // identity), or every batch of both sides sent as Arrow IPC and decoded in the cycle (the
  // decoder hands a join key column's 100,000 keys out as the same objects, from its large string
  // cache; the decode is timed), plain Utf8 or dictionary-encoded (each batch carrying the whole
  // 100,000-entry dictionary, as pyarrow's categoricals and DuckDB's ENUMs do: the decoder keeps
  // it, and the join reads the keys by dictionary code).
  const KEYS = 100_000;
  const cases = [
    { key: "Sym", shared: false, arrow: false, label: "Sym (string)" },
    { key: "Sym", shared: true, arrow: false, label: "Sym (string, the same objects)" },
    { key: "Sym", shared: false, arrow: "utf8", label: "Sym (string, Arrow decoded in the cycle)" },
    {
      key: "Sym",
      shared: false,
      arrow: "dictionary",
      label: "Sym (string, Arrow dictionary decoded in the cycle)",
    },
    { key: "Id", shared: false, arrow: false, label: "Id (int32)" },
  ] as const;
  const symbols = SYMBOLS(KEYS);
  const dictionary = arrow.vectorFromArray(symbols, new arrow.Utf8());
  const position = new Map(symbols.map((s, i) => [s, i]));
  /** `t` as Arrow IPC with `Sym` dictionary-encoded over all KEYS symbols. */
  const dictIPC = (t: Table): Uint8Array => {
    const cols: Record<string, arrow.Vector> = {};
    for (const name of t.columnNames) {
      const values = t.toRows().map((r) => r[name]);
      cols[name] =
        name === "Sym"
          ? arrow.makeVector({
              type: new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()),
              length: values.length,
              nullCount: 0,
              data: Int32Array.from(values, (v) => position.get(v as string)!),
              dictionary,
            })
          : arrow.makeVector(Float64Array.from(values as number[]));
    }
    return arrow.tableToIPC(new arrow.Table(cols), "stream");
  };
  for (const { key, shared, arrow: form, label } of cases) {
    const one = shared ? SYMBOLS(KEYS) : undefined;
    const ipc = (ts: Table[]): Batch[] =>
      form === "utf8" ? ts.map((t) => toArrowIPC(t)) : form === "dictionary" ? ts.map(dictIPC) : ts;
    const trades = ipc(keyedBatches(BATCH, 8, KEYS, key, ["Price"], 12345, one));
    const initial = ipc([allKeys(KEYS, key, ["Bid", "Ask"], one)])[0]!;
    const updates = ipc(keyedBatches(1_000, 16, KEYS, key, ["Bid", "Ask"], 777, one));
    const columns = decoded(initial).columns;
    const ticking = (t: Table, g: UpdateGraph, join: boolean) => {
      const [quotes, qp] = tablePublisher(g, { name: "quotes", columns });
      const last = quotes.lastBy(key);
      qp.add(decoded(initial));
      const result = join ? t.naturalJoin(last, key, "Bid, Ask") : last;
      return { result, tick: (i: number) => qp.add(decoded(updates[i % updates.length]!)) };
    };
    const base = await streamMs(trades, (t, g) => ticking(t, g, false));
    const joined = await streamMs(trades, (t, g) => ticking(t, g, true));
    rows.push([
      `lastBy of 100,000 ${label} keys, 1,000 a cycle`,
      rate(TOTAL, joined),
      rate(TOTAL, base),
      rate(TOTAL, joined - base),
    ]);
  }
  printTable(
    "naturalJoin of a 2,000,000-row blink stream (batches of 10,000; best of 3)",
    ["right table", "with join", "without join", "join alone"],
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
  const right = allKeys(100, "Sym", ["Bid", "Ask"]);
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
  // aj: 1,000,000 left rows stamped 0..N-1 against 10,000 quotes (100 a symbol) spread over them.
  const stamped = newTable([
    stringCol(
      "Sym",
      Array.from({ length: N }, (_, i) => syms[i % 100]!),
    ),
    col(
      "Ts",
      "int64",
      Array.from({ length: N }, (_, i) => BigInt(i)),
    ),
  ]);
  const Q = 10_000;
  const quotesAt = newTable([
    stringCol(
      "Sym",
      Array.from({ length: Q }, (_, i) => syms[i % 100]!),
    ),
    col(
      "Ts",
      "int64",
      Array.from({ length: Q }, (_, i) => BigInt(i * (N / Q))),
    ),
    doubleCol(
      "Bid",
      Array.from({ length: Q }, (_, i) => 100 + (i % 7)),
    ),
  ]);
  const aj = await bytesPerRow(N, () => stamped.aj(quotesAt, "Sym, Ts", "Bid"));
  mem.push(["aj (static right)", String(aj.t.size), aj.bytes]);
  printTable(
    "Memory a join result over 1,000,000 left rows adds",
    ["join", "rows", "bytes/row added"],
    mem,
  );
}

/** Every relational benchmark. */
