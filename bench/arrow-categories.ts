/**
 * Issue 14 benchmark (`npm run bench -- arrow categories`): decoding a categorical column as
 * pyarrow (a pandas categorical) and DuckDB (an ENUM) send it: Dictionary<Int32, Utf8> whose
 * dictionary holds every category, 1,000 or 100,000 of them, resent in every IPC stream (each
 * publish is one), in batches of 1,000 and 10,000 rows, into a table (`fromArrowIPC`). Resent byte
 * for byte, the dictionary is found in arrow/dictionary-cache.ts and its strings reused; against
 * the same streams with one category renamed in each (20 distinct dictionaries, more than the
 * cache keeps: decoded every time, the cost before the cache), alternating, 1,000,000 rows a
 * round, each one's best of 5.
 */
import {
  Table as ArrowTable,
  Dictionary,
  Int32,
  makeVector,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import { fromArrowIPC } from "../src/engine/arrow.ts";
import { best, printTable, rate } from "./util.ts";

const TOTAL = 1_000_000;
/** Distinct IPC bodies per case, fed round robin. */
const BODIES = 20;

export function benchArrowCategories(): void {
  const out: string[][] = [];
  for (const categories of [1_000, 100_000]) {
    const names = Array.from(
      { length: categories },
      (_, i) => `CAT${i.toString().padStart(6, "0")}`,
    );
    const type = new Dictionary(new Utf8(), new Int32());
    const same = vectorFromArray(names, new Utf8());
    for (const rows of [1_000, 10_000]) {
      const streams = (changed: boolean) =>
        Array.from({ length: BODIES }, (_, b) => {
          const idx = Int32Array.from(
            { length: rows },
            (_, i) => ((b * rows + i) * 7919) % categories,
          );
          const dictionary = changed
            ? vectorFromArray([`RENAMED${b}`, ...names.slice(1)], new Utf8())
            : same;
          const cat = makeVector({ type, length: rows, nullCount: 0, data: idx, dictionary });
          return tableToIPC(new ArrowTable({ Cat: cat }), "stream");
        });
      const resent = streams(false);
      const renamed = streams(true);
      const calls = TOTAL / rows;
      let sink = 0;
      const feed = (bodies: Uint8Array[]) => () => {
        for (let c = 0; c < calls; c++) sink += fromArrowIPC(bodies[c % BODIES]!).size;
      };
      let renamedMs = Number.POSITIVE_INFINITY;
      let resentMs = Number.POSITIVE_INFINITY;
      for (let r = 0; r < 5; r++) {
        renamedMs = Math.min(renamedMs, best(1, feed(renamed)));
        resentMs = Math.min(resentMs, best(1, feed(resent)));
      }
      if (sink !== 10 * TOTAL) throw new Error(`decoded ${sink} rows`);
      out.push([
        categories.toLocaleString("en"),
        rows.toLocaleString("en"),
        rate(TOTAL, renamedMs),
        rate(TOTAL, resentMs),
        `${(renamedMs / resentMs).toFixed(1)}x`,
      ]);
    }
  }
  printTable(
    "Categorical column (Dictionary<Int32, Utf8>, every category in every stream) into a table by fromArrowIPC (best of 5 alternating rounds)",
    [
      "categories",
      "rows per stream",
      "a new dictionary each stream",
      "the same dictionary resent",
      "ratio",
    ],
    out,
  );
}
