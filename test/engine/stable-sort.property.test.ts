/**
 * The radix paths of a static sort against a comparison sort: float64, int64 and int32 columns
 * read page by page (no copy) or gathered (a filtered parent), sizes around every threshold (the
 * comparison cut-over at 1,024 rows, the 4,096-row page, the 65,536-row first pass), values with
 * many duplicates, NaN (other payloads too), ±Infinity, -0, subnormals, nulls, runs of equal
 * high words shorter and longer than the insertion limit, and narrow ranges (keys sharing their
 * top 16 bits: one large bucket, or a few); both orders, alone and before a second column (which
 * sorts at permuted positions).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Table } from "../../src/engine/index.ts";
import { doubleCol, intCol, longCol, newTable } from "../../src/engine/index.ts";

const SIZES = [1023, 1024, 4095, 4097, 65_535, 65_536, 70_001];

/** The Id column of `t` in row order. */
function ids(t: Table): number[] {
  const c = t.column("Id");
  const out: number[] = [];
  t.rowSet.forEachRange((s, e) => {
    for (let k = s; k < e; k++) out.push(c.get(k) as number);
  });
  return out;
}

function cmpNum(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
}

function cmpNull<T>(a: T | null, b: T | null, cmp: (x: T, y: T) => number): number {
  return a === null ? (b === null ? 0 : -1) : b === null ? 1 : cmp(a, b);
}

const big = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

/** A float from its storage words (high, low). */
function fromWords(hi: number, lo: number): number {
  const w = new Uint32Array([lo >>> 0, hi >>> 0]);
  return new Float64Array(w.buffer)[0]!;
}

const SPECIAL = [
  Number.NaN,
  fromWords(0x7ff00000, 1), // NaN with another payload
  fromWords(0xfff80000, 0), // a negative NaN
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  0,
  5e-324,
  -5e-324,
];

const spec = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 30 }),
  n: fc.constantFrom(...SIZES),
  mode: fc.constantFrom("dups", "hiRuns", "wide", "narrow"),
  nulls: fc.boolean(),
  filtered: fc.boolean(),
  desc: fc.boolean(),
});

describe("static sort's radix paths (pages, 64-bit keys) equal a comparison sort", () => {
  it("float64, int64 and int32 columns, every threshold", () => {
    fc.assert(
      fc.property(spec, ({ seed, n, mode, nulls, filtered, desc }) => {
        let st = seed;
        const next = () => {
          st = (Math.imul(st, 1103515245) + 12345) >>> 0;
          return st;
        };
        const pool = Array.from(
          { length: 50 },
          () => (next() / 2 ** 32 - 0.5) * 2 ** (next() % 60),
        );
        const tops = [0x40100000, 0xc0100000, 0x3ff00000, 0x41000000];
        // "narrow": every value shares the top 16 bits of its key, or spans a few of them (one
        // large bucket, or a few); one sign, no specials.
        const width = [4, 40, 0.001][seed % 3]!;
        const sign = seed % 2 === 0 ? 1 : -1;
        const ds = Array.from({ length: n }, (_, i): number | null => {
          if (nulls && i % 53 === 0) return null;
          if (mode === "narrow") return sign * (100 + ((next() % 4000) / 4000) * width);
          if (i % 41 === 0) return SPECIAL[next() % SPECIAL.length]!;
          if (mode === "dups") return pool[next() % pool.length]!;
          if (mode === "hiRuns") {
            // Few high words, each with few low words: runs of equal hi of every length.
            const hi = tops[next() % tops.length]! | (next() % 3);
            return fromWords(hi, next() % (1 + (next() % 60)));
          }
          return fromWords(next(), next());
        });
        const ls = ds.map((d, i) =>
          d === null
            ? null
            : mode === "narrow"
              ? 1_700_000_000_000_000_000n + BigInt(next() % 100_000) * 1000n // instants of a day
              : (BigInt((next() % 5) - 2) << 40n) + BigInt(i % 97) - 48n,
        );
        const xs = ds.map((d, i) => (d === null ? null : (next() | 0) >> (i % 3 === 0 ? 0 : 20)));
        const ks = ds.map((_, i) => (i * 7) % 3);
        let t = newTable([
          doubleCol("D", ds),
          longCol("L", ls),
          intCol("X", xs),
          intCol("K", ks),
          intCol(
            "Id",
            ds.map((_, i) => i),
          ),
        ]);
        let rows = ds.map((_, i) => i);
        if (filtered) {
          // Runs of kept keys shorter than a gather's minimum between longer ones.
          t = t.where("Id % 300 < 250 && Id % 7 != 3");
          rows = rows.filter((i) => i % 300 < 250 && i % 7 !== 3);
        }
        const dir = desc ? -1 : 1;
        const order = desc ? "desc" : "asc";
        const by =
          <T>(vals: (T | null)[], cmp: (x: T, y: T) => number) =>
          (a: number, b: number) =>
            dir * cmpNull(vals[a]!, vals[b]!, cmp);
        const byD = by(ds, cmpNum);
        expect(ids(t.sort("D", order))).toEqual([...rows].sort((a, b) => byD(a, b) || a - b));
        expect(ids(t.sort(["D", "K"], order))).toEqual(
          [...rows].sort((a, b) => byD(a, b) || dir * (ks[a]! - ks[b]!) || a - b),
        );
        const byL = by(ls, big);
        expect(ids(t.sort("L", order))).toEqual([...rows].sort((a, b) => byL(a, b) || a - b));
        const byX = by(xs, cmpNum);
        expect(ids(t.sort("X", order))).toEqual([...rows].sort((a, b) => byX(a, b) || a - b));
      }),
      {
        numRuns: 32,
        // Narrow ranges above the first-pass size always run: every width, both signs and orders.
        examples: [3, 4, 5, 6, 7, 8].map((seed) => [
          {
            seed,
            n: 70_001,
            mode: "narrow",
            nulls: seed % 3 === 0,
            filtered: seed % 4 === 0,
            desc: seed > 5,
          },
        ]),
      },
    );
  });
});
