/**
 * The radix paths of a static sort against a comparison sort: float64, int64 and int32 columns
 * read page by page (no copy) or gathered (a filtered parent), sizes around every threshold (the
 * comparison cut-over at 1,024 rows, the 4,096-row page, the 65,536-row first pass), values with
 * many duplicates, NaN (other payloads too), ±Infinity, -0, subnormals, nulls, runs of equal
 * high words shorter and longer than the insertion limit, narrow ranges (keys sharing their top
 * bits: the first digit placed below them), all keys equal, two values, keys sharing all of the
 * high word (tiny subnormals, small int64 ids: the digit placed in the low word), and a leading
 * sample unlike the rest (narrow first rows, then wider ones, ±Infinity or NaN: the guessed
 * window misses); both orders, alone and before a second column (which sorts at permuted
 * positions).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Table } from "../../src/engine/index.ts";
import { doubleCol, intCol, longCol, newTable } from "../../src/engine/index.ts";

const SIZES = [1023, 1024, 4095, 4097, 65_535, 65_536, 70_001, 140_003];
/** Rows the 64-bit sort samples to guess the keys' range (radix64-digit.ts). */
const SAMPLE = 4096;

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
  mode: fc.constantFrom("dups", "hiRuns", "wide", "narrow", "equal", "two", "tiny", "sampleMiss"),
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
        const two = [sign * 1.5, [-0, 2.5, Number.NaN, 1.5 + 2 ** -52][seed % 4]!];
        // Past the sample: wider values, or (one row in 997) a value far out of the window.
        const far = [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, Number.NaN, -100, 1e300];
        const ds = Array.from({ length: n }, (_, i): number | null => {
          if (nulls && i % 53 === 0) return null;
          if (mode === "narrow") return sign * (100 + ((next() % 4000) / 4000) * width);
          if (mode === "equal") return sign * 100.25;
          if (mode === "two") return two[next() % 2]!;
          // Tiny subnormals: every high word equal (0), keys in the low word, a narrow range of it.
          if (mode === "tiny")
            return sign * (1 + (seed % 5000) + (next() % (1 + (seed % 300)))) * 5e-324;
          if (mode === "sampleMiss") {
            if (i < SAMPLE) return 100 + (next() % 1000) / 1000;
            if (seed % 3 === 0 && i % 997 === 0) return far[next() % far.length]!;
            return 100 + ((next() % 40_000) / 1000) * (seed % 2 === 0 ? 1 : width);
          }
          if (i % 41 === 0) return SPECIAL[next() % SPECIAL.length]!;
          if (mode === "dups") return pool[next() % pool.length]!;
          if (mode === "hiRuns") {
            // Few high words, each with few low words: runs of equal hi of every length.
            const hi = tops[next() % tops.length]! | (next() % 3);
            return fromWords(hi, next() % (1 + (next() % 60)));
          }
          return fromWords(next(), next());
        });
        const ls = ds.map((d, i) => {
          if (d === null) return null;
          if (mode === "narrow" || mode === "sampleMiss") {
            // Instants of a day (past the sample of "sampleMiss": of a year).
            const range = mode === "narrow" || i < SAMPLE ? 100_000 : 2 ** 30;
            return 1_700_000_000_000_000_000n + BigInt(next() % range) * 1000n;
          }
          if (mode === "equal") return -7n;
          if (mode === "two") return next() % 2 === 0 ? -(2n ** 63n) : 2n ** 63n - 1n;
          // Small ids: every high word equal, keys in a narrow range of the low word.
          if (mode === "tiny") return BigInt((seed % 100_000) + (next() % (1 + (seed % 300))));
          return (BigInt((next() % 5) - 2) << 40n) + BigInt(i % 97) - 48n;
        });
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
        // Narrow ranges above the first-pass size always run: every width, both signs and orders;
        // and every other digit placement once or twice.
        examples: [
          ...[3, 4, 5, 6, 7, 8].map((seed) => ({ seed, mode: "narrow", desc: seed > 5 })),
          ...[3, 4, 5, 6].map((seed) => ({ seed, mode: "sampleMiss", desc: seed % 2 === 0 })),
          ...[4, 4998, 4999, 3001].map((seed) => ({ seed, mode: "tiny", desc: seed !== 4999 })),
          ...[4, 7, 8, 9].map((seed) => ({ seed, mode: "two", desc: seed === 7 })),
          { seed: 5, mode: "equal", desc: true },
        ].map(({ seed, mode, desc }) => [
          { seed, n: 70_001, mode, nulls: seed % 3 === 0, filtered: seed % 4 === 0, desc },
        ]),
      },
    );
  }, 180_000);
});
