/**
 * Storage contract: the engine's persistence through a SqlPort must restore every stateful table
 * exactly. Run against node:sqlite (test/engine/persist.test.ts) and Durable Object SQLite
 * (test/workers/persist.test.ts).
 */
import { expect, it } from "vitest";
import { writeIPC } from "../../src/engine/arrow.ts";
import type { PagedColumn, Vec } from "../../src/engine/column.ts";
import { asPagedColumn, PAGE_SIZE } from "../../src/engine/column.ts";
import { downsample } from "../../src/engine/downsample.ts";
import {
  ArgumentError,
  blinkToAppendOnly,
  DynamicTableWriter,
  doubleCol,
  intCol,
  longCol,
  newTable,
  ringTable,
  tablePublisher,
  timeTable,
  UpdateGraph,
} from "../../src/engine/index.ts";
import { readRows } from "../../src/engine/ops/copy.ts";
import type { SqlPort } from "../../src/engine/persist/sql-port.ts";
import { MAX_BLOB_BYTES, one } from "../../src/engine/persist/sql-port.ts";
import { SqlStateStore } from "../../src/engine/persist/state-store.ts";
import { snapshotFrames } from "../../src/engine/wire.ts";

/** Runs `fn` against the storage named `db` (the same name reaches the same data). */
type Run = <T>(db: string, fn: (sql: SqlPort) => T | Promise<T>) => Promise<T>;

/** Builds the same small family on every call: publisher -> ring, history; a writer; a time table. */
function family(sql: SqlPort, clock: () => number) {
  const store = new SqlStateStore(sql);
  const g = new UpdateGraph({ seed: 1, store, clock });
  const [blink, pub] = tablePublisher(g, {
    name: "p",
    columns: { X: "int32", S: "string", L: "int64" },
  });
  const ring = ringTable(blink, 5);
  const hist = blinkToAppendOnly(blink);
  const w = new DynamicTableWriter(g, { A: "float64" });
  const tt = timeTable(g, "PT1s", { startTime: 0n });
  return { store, g, pub, ring, hist, w, tt };
}

export function stateStoreContract(name: string, run: Run): void {
  it(`${name}: a rebuilt family resumes with exactly the rows it had`, async () => {
    let now = 10_500;
    const clock = () => now;
    const before = await run("resume", (sql) => {
      const f = family(sql, clock);
      for (let c = 0; c < 4; c++) {
        f.pub.addRows(
          Array.from({ length: 3 }, (_, i) => ({
            X: c * 10 + i,
            S: i === 1 ? null : `s${c}`,
            L: 2n ** 60n + BigInt(c),
          })),
        );
        f.w.writeRow(c + 0.5);
        f.g.runCycleSync();
        now += 1000;
      }
      return {
        ring: f.ring.toRows(),
        hist: f.hist.toRows(),
        w: f.w.table.toRows(),
        tt: f.tt.toRows(),
      };
    });
    expect(before.ring.map((r) => r.X)).toEqual([21, 22, 30, 31, 32]);
    expect(before.tt.length).toBe(14);
    await run("resume", (sql) => {
      const f = family(sql, clock);
      expect(f.ring.toRows()).toEqual(before.ring);
      expect(f.hist.toRows()).toEqual(before.hist);
      expect(f.w.table.toRows()).toEqual(before.w);
      expect(f.tt.toRows()).toEqual(before.tt);
      // And it keeps ticking from there.
      f.pub.addRows([{ X: 99, S: "z", L: 1n }]);
      f.g.runCycleSync();
      expect(f.ring.toRows().map((r) => r.X)).toEqual([22, 30, 31, 32, 99]);
      expect(f.hist.size).toBe(13);
      expect(f.ring.rowSet.toArray()).toEqual([8, 9, 10, 11, 12]);
    });
  });

  it(`${name}: history beyond the memory budget is read back from storage`, async () => {
    const n = PAGE_SIZE * 20 + 7;
    await run("history", (sql) => {
      const f = family(sql, () => 0);
      for (let off = 0; off < n; off += 10_000) {
        const len = Math.min(10_000, n - off);
        f.pub.addRows(Array.from({ length: len }, (_, i) => ({ X: off + i, S: null, L: null })));
        f.g.runCycleSync();
      }
      expect(f.hist.size).toBe(n);
      expect(asPagedColumn(f.hist.column("X")).loadedPages().length).toBeLessThan(20);
      expect(f.hist.getValue("X", 5)).toBe(5);
    });
    await run("history", (sql) => {
      const f = family(sql, () => 0);
      expect(f.hist.size).toBe(n);
      expect(asPagedColumn(f.hist.column("X")).loadedPages().length).toBe(0);
      const xs = f.hist.toRows().map((r) => r.X);
      expect(xs.length).toBe(n);
      expect(xs.every((x, i) => x === i)).toBe(true);
    });
  });

  /**
   * A history of `n` rows whose S is `s(i)` (X = i), published in batches of 10,000; `check`
   * sees its S column in memory. Then read back in a family rebuilt from storage.
   */
  async function historyOfStrings(
    label: string,
    n: number,
    s: (i: number) => string | null,
    check: (col: ReturnType<typeof asPagedColumn>) => void,
    sealedAs: "dictionary" | "utf8",
  ): Promise<void> {
    const readBack = (f: ReturnType<typeof family>) => {
      const rows = f.hist.toRows();
      expect(rows.length).toBe(n);
      expect(rows.every((r, i) => r.X === i && r.S === s(i))).toBe(true);
    };
    // Read back from storage, each full page of S is kept as its stored UTF-8 (no string made a
    // row), the partial last page as strings; the Arrow IPC of the rows is what their strings give.
    const readBackSealed = (f: ReturnType<typeof family>) => {
      readBack(f);
      const col = asPagedColumn(f.hist.column("S"));
      const full = Math.floor(n / PAGE_SIZE);
      for (let pi = 0; pi < full; pi++) expect(col.pageForm(pi)).toBe("utf8");
      expect(col.pageForm(full)).toBe("strings");
      const keys = f.hist.rowSet;
      const ipc = writeIPC({ S: "string" }, readRows([col], keys), 0, n);
      const strings: Vec = {
        data: Array.from({ length: n }, (_, i) => s(i) ?? ""),
        valid: Uint8Array.from({ length: n }, (_, i) => (s(i) === null ? 0 : 1)),
        length: n,
      };
      expect(ipc).toEqual(writeIPC({ S: "string" }, [strings], 0, n));
    };
    await run(label, (sql) => {
      const f = family(sql, () => 0);
      for (let off = 0; off < n; off += 10_000) {
        const len = Math.min(10_000, n - off);
        f.pub.addRows(
          Array.from({ length: len }, (_, i) => ({ X: off + i, S: s(off + i), L: null })),
        );
        f.g.runCycleSync();
      }
      check(asPagedColumn(f.hist.column("S")));
      readBack(f);
    });
    await run(label, (sql) => readBackSealed(family(sql, () => 0)));
    // The pages read back are sealed when a cycle ends, as the pages written were: by dictionary
    // when their values are few, else as UTF-8.
    await run(label, (sql) => {
      const f = family(sql, () => 0);
      readBack(f);
      f.pub.addRows([{ X: n, S: "last", L: null }]);
      f.g.runCycleSync();
      const col = asPagedColumn(f.hist.column("S"));
      const loaded = col.loadedPages().filter((pi) => pi < Math.floor(n / PAGE_SIZE));
      expect(loaded.length).toBeGreaterThan(0);
      for (const pi of loaded) expect(col.pageForm(pi)).toBe(sealedAs);
      const rows = f.hist.toRows();
      expect(rows.length).toBe(n + 1);
      expect(rows.every((r, i) => r.X === i && r.S === (i === n ? "last" : s(i)))).toBe(true);
    });
  }

  it(`${name}: a history's sealed string pages are stored and read back exactly`, async () => {
    // 30 symbols and nulls: full pages are sealed, at a byte a row (and a byte of validity).
    const sym = (i: number) => (i % 11 === 0 ? null : `SYM${(i * 7) % 30}`);
    await historyOfStrings(
      "sealed",
      PAGE_SIZE * 20 + 7,
      sym,
      (col) => {
        const loaded = col.loadedPages().length;
        expect(loaded).toBeGreaterThan(2);
        // An array of strings and a validity mask would be 9 bytes a row and the characters.
        expect(col.heapBytes).toBeLessThan(loaded * PAGE_SIZE * 4);
      },
      "dictionary",
    );
  });

  it(`${name}: a history's strings too many for a dictionary are sealed as UTF-8, stored and read back exactly`, async () => {
    // Every value distinct, with nulls and characters of 2, 3 and 4 UTF-8 bytes.
    const id = (i: number) => (i % 13 === 0 ? null : `row-é€😀-${i.toString(36)}`);
    await historyOfStrings(
      "utf8",
      PAGE_SIZE * 12 + 5,
      id,
      (col) => {
        const loaded = col.loadedPages().length;
        expect(loaded).toBeGreaterThan(2);
        // Sealed pages hold the values' own 17-20 bytes, their offsets and the mask (the pages'
        // form is checked by `historyOfStrings`).
        expect(col.heapBytes).toBeGreaterThan((loaded - 1) * PAGE_SIZE * 17);
      },
      "utf8",
    );
  });

  it(`${name}: a history's and a writer's narrowed numeric pages are stored and read back exactly`, async () => {
    const n = PAGE_SIZE * 6 + 11;
    // L: small integers with nulls (16 bits when sealed); A: prices of two decimals (cents).
    const l = (i: number) => (i % 17 === 0 ? null : BigInt((i % 2000) - 1000));
    const a = (i: number) => Math.round(i * 37.5) / 100;
    await run("narrow", (sql) => {
      const f = family(sql, () => 0);
      for (let off = 0; off < n; off += 10_000) {
        const len = Math.min(10_000, n - off);
        f.pub.addRows(
          Array.from({ length: len }, (_, i) => ({ X: off + i, S: null, L: l(off + i) })),
        );
        for (let i = off; i < off + len; i++) f.w.writeRow(a(i));
        f.g.runCycleSync();
      }
      // Full pages: 2 bytes a row and a byte of validity (L), 4 bytes a row (A); the page being
      // filled 8 (and a byte of validity for L).
      const full = Math.floor(n / PAGE_SIZE);
      expect(f.hist.column("L").heapBytes).toBe(full * 3 * PAGE_SIZE + 9 * PAGE_SIZE);
      expect(f.w.table.column("A").heapBytes).toBe(full * 4 * PAGE_SIZE + 8 * PAGE_SIZE);
      const rows = f.hist.toRows();
      expect(rows.length).toBe(n);
      expect(rows.every((r, i) => r.X === i && r.L === l(i))).toBe(true);
      expect(f.w.table.toRows().every((r, i) => r.A === a(i))).toBe(true);
    });
    await run("narrow", (sql) => {
      const f = family(sql, () => 0);
      const rows = f.hist.toRows();
      expect(rows.length).toBe(n);
      expect(rows.every((r, i) => r.X === i && r.L === l(i))).toBe(true);
      const as = f.w.table.toRows();
      expect(as.length).toBe(n);
      expect(as.every((r, i) => r.A === a(i))).toBe(true);
    });
  });

  it(`${name}: a history downsamples from its stored page summaries exactly as a scan`, async () => {
    const n = PAGE_SIZE * 20 + 300;
    // X rises with runs of equal values; L has nulls and wide values; A (the writer) falls.
    const xs = Array.from({ length: n }, (_, i) => Math.floor(i / 3));
    const ls = xs.map((x, i) =>
      i % 97 === 5 ? null : BigInt(((x * 7919) % 1000) - 500) * 10n ** 12n,
    );
    const as = xs.map((_, i) => (i % 50 === 0 ? Number.NaN : -i / 8));
    await run("summaries", (sql) => {
      const f = family(sql, () => 0);
      for (let off = 0; off < n; off += 7_000) {
        const end = Math.min(n, off + 7_000);
        f.pub.addRows(xs.slice(off, end).map((X, i) => ({ X, S: null, L: ls[off + i]! })));
        for (let i = off; i < end; i++) f.w.writeRow(as[i]!);
        f.g.runCycleSync();
      }
      // One summary per full page: 20 of the history's and 20 of the writer's (the last is partial).
      expect(Number(one(sql, "SELECT COUNT(*) AS n FROM tf_summary")!.n)).toBe(40);
    });
    const plain = newTable([intCol("X", xs), longCol("L", ls), doubleCol("A", as)]);
    const cases = [
      { x: "X", y: ["L"], by: null, width: 7 },
      { x: null, y: ["L"], by: null, width: 333 },
      { x: "X", y: ["L"], by: null, width: 1 },
    ];
    await run("summaries", (sql) => {
      const f = family(sql, () => 0);
      for (const opts of cases) {
        expect(downsample(f.hist, opts), JSON.stringify(opts)).toEqual(downsample(plain, opts));
      }
      const byPos = { x: null, y: ["A"], by: null, width: 50 };
      expect(downsample(f.w.table, byPos)).toEqual(downsample(plain, byPos));
      // The stored pages were read for the answers, not brought into memory.
      expect(asPagedColumn(f.hist.column("X")).loadedPages()).toEqual([]);
      expect(asPagedColumn(f.w.table.column("A")).loadedPages()).toEqual([]);
    });
  });

  it(`${name}: a viewport far into a history reads only the pages holding its rows`, async () => {
    const n = PAGE_SIZE * 20 + 7;
    await run("far-viewport", (sql) => {
      const f = family(sql, () => 0);
      for (let off = 0; off < n; off += 10_000) {
        const len = Math.min(10_000, n - off);
        f.pub.addRows(Array.from({ length: len }, (_, i) => ({ X: off + i, S: "s", L: 1n })));
        f.g.runCycleSync();
      }
    });
    await run("far-viewport", (sql) => {
      let pageReads = 0;
      const counting: SqlPort = {
        exec: (q, ...params) => {
          if (q.includes("FROM tf_page")) pageReads++;
          return sql.exec(q, ...params);
        },
      };
      const f = family(counting, () => 0);
      // 126 rows across the boundary of pages 7 and 8, as a viewport subscriber's snapshot reads them.
      const first = PAGE_SIZE * 8 - 60;
      const keys = f.hist.rowSet.subSetByPosition(first, first + 126);
      pageReads = 0;
      const frames = snapshotFrames(f.hist, 1, "json", undefined, { keys });
      const rows = JSON.parse(frames[0] as string).rows as { X: number }[];
      expect(rows.map((r) => r.X)).toEqual(Array.from({ length: 126 }, (_, i) => first + i));
      expect(pageReads).toBe(2);
      expect(asPagedColumn(f.hist.column("X")).loadedPages()).toEqual([7, 8]);
    });
  });

  it(`${name}: stored BLOBs stay under ${MAX_BLOB_BYTES} bytes`, async () => {
    const big = "x".repeat(100_000);
    await run("blobs", (sql) => {
      const f = family(sql, () => 0);
      f.pub.addRows(Array.from({ length: 40 }, (_, i) => ({ X: i, S: big, L: 0n })));
      f.g.runCycleSync();
      const lengths = [...sql.exec("SELECT LENGTH(data) AS n FROM tf_page")].map((r) =>
        Number(r.n),
      );
      expect(lengths.length).toBeGreaterThan(4);
      expect(Math.max(...lengths)).toBeLessThanOrEqual(MAX_BLOB_BYTES);
    });
    await run("blobs", (sql) => {
      const f = family(sql, () => 0);
      expect(f.hist.toRows().map((r) => r.S)).toEqual(Array.from({ length: 40 }, () => big));
    });
  });

  it(`${name}: a history keeps its newest pages within historyBytes in memory, and reads the rest back`, async () => {
    const budget = 1 << 20;
    // About 120 bytes a row, all distinct: a full page is sealed as UTF-8 (about 0.5 MB).
    const s = (i: number) => `row-${i}-${"v".repeat(100)}-${i % 7}`;
    const n = PAGE_SIZE * 10 + 5;
    const build = (sql: SqlPort) => {
      const g = new UpdateGraph({
        seed: 1,
        store: new SqlStateStore(sql, { historyBytes: budget }),
      });
      const [blink, pub] = tablePublisher(g, { name: "w", columns: { X: "int32", S: "string" } });
      return { g, pub, hist: blinkToAppendOnly(blink) };
    };
    await run("budget", (sql) => {
      const f = build(sql);
      for (let off = 0; off < n; off += 5_000) {
        const len = Math.min(5_000, n - off);
        f.pub.addRows(Array.from({ length: len }, (_, i) => ({ X: off + i, S: s(off + i) })));
        f.g.runCycleSync();
      }
      const pages = newestWithin(
        ["X", "S"].map((c) => asPagedColumn(f.hist.column(c))),
        Math.floor((n - 1) / PAGE_SIZE),
        budget,
      );
      expect(pages).toBeGreaterThan(1);
      expect(pages).toBeLessThan(4);
      // Every row reads back, the evicted pages from storage.
      const rows = f.hist.toRows();
      expect(rows.length).toBe(n);
      expect(rows.every((r, i) => r.X === i && r.S === s(i))).toBe(true);
    });
  });

  it(`${name}: formula columns over a history keep their newest pages within historyBytes, and compute the rest again`, async () => {
    const budget = 1 << 20;
    const s = (i: number) => `row-${i}-${"v".repeat(100)}`;
    const n = PAGE_SIZE * 10 + 5;
    await run("budget-formula", (sql) => {
      const g = new UpdateGraph({
        seed: 1,
        store: new SqlStateStore(sql, { historyBytes: budget }),
      });
      const [blink, pub] = tablePublisher(g, { name: "w", columns: { X: "int32", S: "string" } });
      // Two string columns of about 120 and 240 bytes a row: pages of about 0.5 and 1 MB.
      const derived = blinkToAppendOnly(blink).update("T = S + `|`", "U = T + T");
      for (let off = 0; off < n; off += 5_000) {
        const len = Math.min(5_000, n - off);
        pub.addRows(Array.from({ length: len }, (_, i) => ({ X: off + i, S: s(off + i) })));
        g.runCycleSync();
      }
      const pages = newestWithin(
        ["T", "U"].map((c) => asPagedColumn(derived.column(c))),
        Math.floor((n - 1) / PAGE_SIZE),
        budget,
      );
      // (A full page of the two is about 1.5 MB: the last page, and one more at most.)
      expect(pages).toBeLessThanOrEqual(2);
      // Every row reads back, the dropped pages computed again from the history's stored pages.
      const rows = derived.toRows();
      expect(rows.length).toBe(n);
      expect(rows.every((r, i) => r.T === `${s(i)}|` && r.U === `${s(i)}|${s(i)}|`)).toBe(true);
    });
  });

  it(`${name}: historyBytes must be a number of bytes`, async () => {
    await run("budget-bad", (sql) => {
      expect(() => new SqlStateStore(sql, { historyBytes: -1 })).toThrow(
        /historyBytes must be a number of bytes \(0 or more\), got -1/,
      );
      expect(() => new SqlStateStore(sql, { historyBytes: "8MB" as unknown as number })).toThrow(
        ArgumentError,
      );
    });
  });

  it(`${name}: a single row over the limit is refused`, async () => {
    await run("too-big", (sql) => {
      const f = family(sql, () => 0);
      f.pub.addRows([{ X: 1, S: "y".repeat(MAX_BLOB_BYTES + 10), L: 0n }]);
      expect(() => f.g.runCycleSync()).toThrow(/storage limit/);
    });
  });
}

/**
 * Checks that the pages `cols` hold in memory are the newest: `last`, and the pages right before
 * it, those within `budget` bytes (all columns together). Returns how many pages are held.
 */
function newestWithin(cols: readonly PagedColumn[], last: number, budget: number): number {
  const loaded = [...new Set(cols.flatMap((c) => c.loadedPages()))].sort((a, b) => a - b);
  expect(loaded[loaded.length - 1]).toBe(last);
  expect(loaded).toEqual(
    Array.from({ length: loaded.length }, (_, i) => last - loaded.length + 1 + i),
  );
  let held = 0;
  for (const pi of loaded) if (pi !== last) for (const c of cols) held += c.pageBytes(pi);
  expect(held).toBeLessThanOrEqual(budget);
  return loaded.length;
}
