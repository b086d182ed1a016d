/**
 * Downsampling a persisted append-only history from its page summaries (src/engine/downsample-
 * pages.ts, src/engine/persist/page-summary.ts) must answer exactly what a plain scan of every
 * row answers: random histories with null and NaN x and y, ±Infinity, runs of equal and falling
 * x, ragged batches (pages filled across several cycles), more pages than stay in memory, read
 * in the running family and again after a restart (summaries and pages from storage only). The
 * reference below is the definition, row by row.
 */
import { describe, expect, it } from "vitest";
import { asPagedColumn, PAGE_SIZE } from "../../src/engine/column.ts";
import type { DownsampleOptions } from "../../src/engine/downsample.ts";
import { downsample } from "../../src/engine/downsample.ts";
import {
  blinkToAppendOnly,
  doubleCol,
  instantCol,
  intCol,
  longCol,
  newTable,
  stringCol,
  tablePublisher,
  UpdateGraph,
} from "../../src/engine/index.ts";
import type { SqlPort } from "../../src/engine/persist/sql-port.ts";
import { SqlStateStore } from "../../src/engine/persist/state-store.ts";
import { memoryDb, nodePort } from "../contracts/sqlite-node.ts";

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Rows {
  X: (number | null)[];
  T: (bigint | null)[];
  P: (number | null)[];
  Q: (number | null)[];
  L: (bigint | null)[];
  K: string[];
}

const COLUMNS = {
  X: "float64",
  T: "instant",
  P: "float64",
  Q: "int32",
  L: "int64",
  K: "string",
} as const;

/** Random rows: x mostly rising with runs of equal and falling values, nulls and NaN sprinkled. */
function randomRows(r: () => number, n: number, oddity: number): Rows {
  const out: Rows = { X: [], T: [], P: [], Q: [], L: [], K: [] };
  let x = r() * 100;
  for (let i = 0; i < n; i++) {
    const u = r();
    x += u < 0.05 ? -r() * 50 : u < 0.3 ? 0 : r() * 3;
    const odd = () => r() < oddity;
    out.X.push(odd() ? null : odd() ? Number.NaN : x);
    out.T.push(odd() ? null : 1_700_000_000_000_000_000n + BigInt(Math.round(x * 1e6)) * 1001n);
    out.P.push(odd() ? null : odd() ? Number.NaN : odd() ? -0 : Math.sin(i / 50) * 100 + r());
    out.Q.push(odd() ? null : Math.floor(r() * 2000) - 1000);
    out.L.push(odd() ? null : BigInt(Math.floor(r() * 1e6)) * 3_000_000_007n);
    out.K.push(r() < 0.5 ? "a" : "b");
  }
  if (oddity > 0) out.X[Math.floor(r() * n)] = r() < 0.5 ? Number.POSITIVE_INFINITY : -1e308;
  return out;
}

function slice(rows: Rows, from: number, to: number) {
  return newTable([
    doubleCol("X", rows.X.slice(from, to)),
    instantCol("T", rows.T.slice(from, to)),
    doubleCol("P", rows.P.slice(from, to)),
    intCol("Q", rows.Q.slice(from, to)),
    longCol("L", rows.L.slice(from, to)),
    stringCol("K", rows.K.slice(from, to)),
  ]);
}

/** A family: publisher -> blinkToAppendOnly, persisted to `sql`. */
function family(sql: SqlPort) {
  const g = new UpdateGraph({ seed: 1, store: new SqlStateStore(sql) });
  const [blink, pub] = tablePublisher(g, { name: "p", columns: COLUMNS });
  return { g, pub, hist: blinkToAppendOnly(blink) };
}

const toFloat = (v: number | bigint | null, instant = false): number => {
  if (v === null) return Number.NaN;
  if (typeof v === "bigint") return instant ? Math.round(Number(v) / 1e3) / 1e3 : Number(v);
  return v;
};

/** The definition: every row, one at a time. */
function reference(rows: Rows, opts: DownsampleOptions) {
  const n = rows.X.length;
  const xs =
    opts.x === null
      ? Array.from({ length: n }, (_, i) => i)
      : (rows[opts.x as "X" | "T"] as (number | bigint | null)[]).map((v) =>
          toFloat(v, opts.x === "T"),
        );
  let xMin = Number.POSITIVE_INFINITY;
  let xMax = Number.NEGATIVE_INFINITY;
  for (const x of xs) {
    if (x < xMin) xMin = x;
    if (x > xMax) xMax = x;
  }
  if (!(xMax >= xMin)) return { xMin: null, xMax: null, series: [] };
  const span = xMax - xMin;
  const keys = opts.by === null ? [null] : [...new Set(rows.K)];
  const series = opts.y.flatMap((y) =>
    keys.map((key) => {
      const min: (number | null)[] = new Array(opts.width).fill(null);
      const max: (number | null)[] = new Array(opts.width).fill(null);
      let count = 0;
      const vs = (rows[y as "P" | "Q" | "L"] as (number | bigint | null)[]).map((v) => toFloat(v));
      for (let i = 0; i < n; i++) {
        const x = xs[i]!;
        const v = vs[i]!;
        if (!Number.isFinite(x) || Number.isNaN(v)) continue;
        if (key !== null && rows.K[i] !== key) continue;
        const b =
          span === 0
            ? 0
            : Math.min(opts.width - 1, Math.floor(((x - xMin) / span) * opts.width)) | 0;
        if (min[b] === null || v < min[b]!) min[b] = v;
        if (max[b] === null || v > max[b]!) max[b] = v;
        count++;
      }
      return { y, key, rows: count, min, max };
    }),
  );
  return { xMin, xMax, series };
}

function randomOpts(r: () => number): DownsampleOptions {
  const xs = [null, "X", "T"] as const;
  const ys = [["P"], ["Q"], ["L"], ["P", "Q", "L"]];
  return {
    x: xs[Math.floor(r() * xs.length)]!,
    y: ys[Math.floor(r() * ys.length)]!,
    by: r() < 0.2 ? "K" : null,
    width: 1 + Math.floor(r() * (r() < 0.5 ? 8 : 300)),
  };
}

describe("downsample from page summaries", () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`equals a plain scan (seed ${seed})`, () => {
      const r = rng(seed);
      const n = PAGE_SIZE * 20 + Math.floor(r() * PAGE_SIZE);
      const rows = randomRows(r, n, seed === 1 ? 0 : 0.02 * seed);
      const db = memoryDb();
      const f = family(nodePort(db));
      for (let at = 0; at < n; ) {
        const len = Math.min(n - at, 1 + Math.floor(r() * 9000));
        f.pub.add(slice(rows, at, at + len));
        f.g.runCycleSync();
        at += len;
      }
      expect(f.hist.size).toBe(n);
      const restarted = family(nodePort(db));
      expect(restarted.hist.size).toBe(n);
      for (let i = 0; i < 12; i++) {
        const opts = randomOpts(r);
        const want = reference(rows, opts);
        expect(downsample(f.hist, opts), JSON.stringify(opts)).toMatchObject(want);
        expect(downsample(restarted.hist, opts), JSON.stringify(opts)).toMatchObject(want);
      }
      // Stored pages were read for the answers, not brought into memory.
      expect(asPagedColumn(restarted.hist.column("P")).loadedPages()).toEqual([]);
    });
  }

  it("reads only the pages that straddle a pixel column boundary", () => {
    const db = memoryDb();
    const port = nodePort(db);
    let pageReads = 0;
    const counting: SqlPort = {
      exec: (sql, ...params) => {
        if (sql.includes("FROM tf_page")) pageReads++;
        return port.exec(sql, ...params);
      },
    };
    const n = PAGE_SIZE * 30;
    const rows = randomRows(rng(9), n, 0);
    rows.X = rows.X.map((_, i) => i * 0.5);
    const f = family(port);
    for (let at = 0; at < n; at += 10_000) {
      f.pub.add(slice(rows, at, Math.min(n, at + 10_000)));
      f.g.runCycleSync();
    }
    const restarted = family(counting);
    const opts = { x: "X", y: ["P"], by: null, width: 7 };
    pageReads = 0;
    expect(downsample(restarted.hist, opts)).toMatchObject(reference(rows, opts));
    // 6 boundaries between 7 pixel columns of about 4.3 pages each, each inside one page.
    expect(pageReads).toBe(6);
    // With x as the row position, the same.
    pageReads = 0;
    const byPosition = { ...opts, x: null };
    expect(downsample(restarted.hist, byPosition)).toMatchObject(reference(rows, byPosition));
    expect(pageReads).toBe(6);
  });
});
