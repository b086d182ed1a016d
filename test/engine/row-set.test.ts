import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RowSet, RowSetBuilder } from "../../src/engine/row-set.ts";

const keysArb = fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 120 });
const sortedUnique = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b);

describe("RowSet", () => {
  it("stores ranges and reports size, first, last", () => {
    const r = RowSet.of(5, 1, 2, 3, 9, 10);
    expect(r.toArray()).toEqual([1, 2, 3, 5, 9, 10]);
    expect(r.size).toBe(6);
    expect(r.rangeCount).toBe(3);
    expect(r.first()).toBe(1);
    expect(r.last()).toBe(10);
    expect(r.toString()).toBe("{1-3,5,9-10}");
    expect(RowSet.EMPTY.first()).toBe(-1);
    expect(RowSet.flat(0).isEmpty).toBe(true);
  });

  it("finds keys and positions", () => {
    const r = RowSet.of(1, 2, 3, 5, 9, 10);
    expect(r.get(0)).toBe(1);
    expect(r.get(3)).toBe(5);
    expect(r.get(5)).toBe(10);
    expect(r.get(6)).toBe(-1);
    expect(r.find(9)).toBe(4);
    expect(r.find(4)).toBe(-1);
    expect(r.contains(3)).toBe(true);
    expect(r.contains(4)).toBe(false);
    expect(r.subSetByPosition(2, 5).toArray()).toEqual([3, 5, 9]);
    expect(r.overlapsRange(6, 9)).toBe(false);
    expect(r.overlapsRange(6, 10)).toBe(true);
  });

  it("ranks keys and cuts by position over many ranges (viewports)", () => {
    const r = RowSet.of(1, 2, 3, 5, 9, 10);
    expect([0, 1, 2, 4, 5, 9, 10, 11].map((k) => r.rank(k))).toEqual([0, 0, 1, 3, 3, 4, 5, 6]);
    expect(RowSet.range(10, 20).rank(15)).toBe(5);
    expect(RowSet.range(10, 20).rank(25)).toBe(10);
    expect(RowSet.EMPTY.rank(3)).toBe(0);
    const sparse = RowSet.fromKeys(Array.from({ length: 1000 }, (_, i) => i * 10));
    expect(sparse.subSetByPosition(997, 1200).toArray()).toEqual([9970, 9980, 9990]);
    expect(sparse.subSetByPosition(0, 2).toArray()).toEqual([0, 10]);
    expect(sparse.subSetByPosition(500, 503).toArray()).toEqual([5000, 5010, 5020]);
    const ranged = RowSet.fromRanges([0, 5, 10, 15, 20, 25]);
    expect(ranged.subSetByPosition(3, 12).toArray()).toEqual([3, 4, 10, 11, 12, 13, 14, 20, 21]);
    expect(ranged.subSetByPosition(14, 99).toArray()).toEqual([24]);
    expect(ranged.rank(12)).toBe(7);
  });

  it("builder rejects keys out of order", () => {
    const b = new RowSetBuilder();
    b.addKey(5);
    b.addKey(5);
    b.addRange(6, 8);
    expect(() => b.addKey(3)).toThrow(RangeError);
    expect(b.build().toArray()).toEqual([5, 6, 7]);
  });

  it("set algebra matches a Set reference (property)", () => {
    fc.assert(
      fc.property(keysArb, keysArb, (a, b) => {
        const ra = RowSet.fromKeys(a);
        const rb = RowSet.fromKeys(b);
        const sa = new Set(a);
        const sb = new Set(b);
        expect(ra.toArray()).toEqual(sortedUnique(a));
        expect(ra.union(rb).toArray()).toEqual(sortedUnique([...a, ...b]));
        expect(ra.minus(rb).toArray()).toEqual(sortedUnique(a.filter((k) => !sb.has(k))));
        expect(ra.intersect(rb).toArray()).toEqual(sortedUnique(a.filter((k) => sb.has(k))));
        expect(ra.union(rb).size).toBe(new Set([...sa, ...sb]).size);
        // A change applied in one pass: removed b, then added the first half of a and b's odd keys.
        const back = [...a.slice(0, a.length >> 1), ...b.filter((k) => k % 2 === 1)];
        const changed = ra.minusUnion(rb, RowSet.fromKeys(back));
        expect(changed.toArray()).toEqual(sortedUnique([...a.filter((k) => !sb.has(k)), ...back]));
        expect(changed.equals(ra.minus(rb).union(RowSet.fromKeys(back)))).toBe(true);
        const arr = ra.toArray();
        arr.forEach((k, i) => {
          expect(ra.get(i)).toBe(k);
          expect(ra.find(k)).toBe(i);
        });
        expect(ra.shift(7).toArray()).toEqual(arr.map((k) => k + 7));
        for (const [s, e] of [
          [0, 301],
          [17, 90],
          [90, 17],
          [150, 151],
          [-5, 40],
        ] as const)
          expect(ra.subSetByKeyRange(s, e).toArray()).toEqual(arr.filter((k) => k >= s && k < e));
        expect(ra.equals(RowSet.fromKeys([...arr].reverse()))).toBe(true);
      }),
    );
  });
});

describe("RowSet.fromKeys of unordered keys over a narrow span (the bitmap path)", () => {
  it("equals the sorted distinct keys, with runs joined across words, at any offset", () => {
    // Runs of keys (crossing 32-key words, or filling whole words) shuffled, at offsets up to 2^52.
    const runsArb = fc.array(
      fc.record({ at: fc.integer({ min: 0, max: 700 }), len: fc.integer({ min: 1, max: 70 }) }),
      { minLength: 1, maxLength: 12 },
    );
    fc.assert(
      fc.property(
        runsArb,
        fc.constantFrom(0, 31, 32, 1000, 2 ** 40 + 5, 2 ** 52),
        fc.integer({ min: 0, max: 1 << 30 }),
        fc.boolean(),
        (runs, offset, seed, int32) => {
          const keys: number[] = [];
          for (const r of runs) for (let k = 0; k < r.len; k++) keys.push(offset + r.at + k);
          let x = seed;
          for (let i = keys.length - 1; i > 0; i--) {
            x = (Math.imul(x, 1103515245) + 12345) >>> 0;
            const j = x % (i + 1);
            [keys[i], keys[j]] = [keys[j]!, keys[i]!];
          }
          const want = sortedUnique(keys);
          const got =
            int32 && offset < 2 ** 31 - 1000
              ? RowSet.fromKeys(Int32Array.from(keys))
              : RowSet.fromKeys(keys);
          expect(got.toArray()).toEqual(want);
          // Normalised: one range per run of consecutive keys.
          expect(got.equals(RowSet.fromKeys(want))).toBe(true);
          expect(got.rangeCount).toBe(
            want.filter((k, i) => i === 0 || want[i - 1] !== k - 1).length,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("sorts keys spread wider than the bitmap takes", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { maxLength: 60 }), (keys) => {
        const doubled = [...keys, ...keys.slice(0, 5)];
        expect(RowSet.fromKeys(doubled).toArray()).toEqual(sortedUnique(doubled));
      }),
    );
  });

  it("sorts hundreds of keys spread wide by radix, in two or three passes, at any offset", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 256, max: 1500 }),
        fc.constantFrom(2 ** 20, 2 ** 31, 2 ** 32 - 1, 2 ** 45),
        fc.constantFrom(0, 7, 2 ** 40),
        fc.integer({ min: 0, max: 2 ** 30 }),
        (n, span, offset, seed) => {
          let x = seed;
          const keys = Array.from({ length: n }, () => {
            x = (Math.imul(x, 1103515245) + 12345) >>> 0;
            return offset + Math.floor((x / 2 ** 32) * span);
          });
          keys.push(offset, offset + span - 1, keys[0]!, keys[n >> 1]!);
          const got = RowSet.fromKeys(keys);
          expect(got.toArray()).toEqual(sortedUnique(keys));
          expect(got.equals(RowSet.fromKeys(sortedUnique(keys)))).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("reads whole words of keys, a run ending on the span's last key, and a lone key", () => {
    const words = Array.from({ length: 96 }, (_, i) => 95 - i);
    expect(RowSet.fromKeys(words).toString()).toBe("{0-95}");
    expect(RowSet.fromKeys([63, 40, 41, 62, 0]).toString()).toBe("{0,40-41,62-63}");
    expect(RowSet.fromKeys([7, 7, 7]).toString()).toBe("{7}");
  });
});

describe("RowSet algebra over sets of thousands of ranges (typed-array ranges)", () => {
  it("matches a key-by-key reference, sets large and small mixed", () => {
    // Sets drawn from a seed: keys of [0, span) each present with probability `p`, so a set of
    // 0.5 over 30,000 keys holds about 7,500 ranges (15,000 numbers: past the JS-array size).
    const setOf = (seed: number, span: number, p: number) => {
      let x = seed >>> 0;
      const keys: number[] = [];
      for (let k = 0; k < span; k++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        if (x / 2 ** 32 < p) keys.push(k);
      }
      return keys;
    };
    const spec = fc.record({
      seed: fc.integer({ min: 0, max: 2 ** 30 }),
      span: fc.constantFrom(100, 9_000, 30_000),
      p: fc.constantFrom(0.02, 0.5, 0.97),
    });
    fc.assert(
      fc.property(spec, spec, fc.integer({ min: 0, max: 5 }), (sa, sb, shift) => {
        const a = setOf(sa.seed, sa.span, sa.p);
        const b = setOf(sb.seed + 1, sb.span, sb.p);
        const ra = RowSet.fromKeys(a);
        const rb = RowSet.fromKeys(b);
        const inB = new Set(b);
        const union = sortedUnique([...a, ...b]);
        const minus = a.filter((k) => !inB.has(k));
        const both = a.filter((k) => inB.has(k));
        for (const [got, want] of [
          [ra.union(rb), union],
          [rb.union(ra), union],
          [ra.minus(rb), minus],
          [ra.intersect(rb), both],
          [ra.minus(rb).union(rb.intersect(ra)), a],
          [ra.minusUnion(rb, rb.intersect(ra)), a],
          [ra.minusUnion(ra, rb), b],
          [
            ra.minusUnion(rb.shift(shift), rb),
            sortedUnique([...a.filter((k) => !inB.has(k - shift)), ...b]),
          ],
          [ra.shift(shift), a.map((k) => k + shift)],
          [ra.subSetByKeyRange(50, 20_000), a.filter((k) => k >= 50 && k < 20_000)],
        ] as const) {
          expect(got.toArray()).toEqual(want);
          expect(got.size).toBe(want.length);
          expect(got.equals(RowSet.fromKeys(want))).toBe(true);
        }
        // Built key by key (the builder past the JS-array size) and by bitmap, shuffled.
        const shuffled = [...a].sort((x, y) => ((x * 7919) % 101) - ((y * 7919) % 101));
        expect(RowSet.fromKeys(shuffled).equals(ra)).toBe(true);
        if (a.length > 0) {
          expect(ra.get(a.length - 1)).toBe(a[a.length - 1]);
          expect(ra.find(a[a.length >> 1]!)).toBe(a.length >> 1);
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe("RowSet union and minus with a much smaller set (the binary-search path)", () => {
  it("equal the key-by-key results", () => {
    const setArb = (max: number, len: number) =>
      fc.array(fc.integer({ min: 0, max }), { maxLength: len }).map((ks) => RowSet.fromKeys(ks));
    fc.assert(
      fc.property(setArb(400, 300), setArb(400, 12), (big, small) => {
        const b = new Set(big.toArray());
        const s = new Set(small.toArray());
        const union = [...new Set([...b, ...s])].sort((x, y) => x - y);
        const minus = [...b].filter((k) => !s.has(k));
        expect(big.union(small).toArray()).toEqual(union);
        expect(big.minus(small).toArray()).toEqual(minus);
        expect(big.union(small).size).toBe(union.length);
        expect(big.minus(small).size).toBe(minus.length);
        // Normalised: no empty or adjacent ranges (equals the same keys built key by key).
        expect(big.union(small).equals(RowSet.fromKeys(union))).toBe(true);
        expect(big.minus(small).equals(RowSet.fromKeys(minus))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe("RowSet over sparse key chunks (a refreshing sort's keys)", () => {
  /** The keys of `keys` split into chunks at `cuts` (positions), as a sparse set. */
  const sparse = (keys: number[], cuts: number[]) => {
    const at = [...new Set(cuts.filter((c) => c > 0 && c < keys.length))].sort((a, b) => a - b);
    const chunks: Float64Array[] = [];
    let from = 0;
    for (const c of [...at, keys.length]) {
      chunks.push(Float64Array.from(keys.slice(from, c)));
      from = c;
    }
    return RowSet.fromKeyChunks(chunks);
  };
  const keysArb = fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 200 }).map(sortedUnique);
  const cutsArb = fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 8 });
  const smallArb = fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 10 });

  it("answers every query like the range set of the same keys (property)", () => {
    fc.assert(
      fc.property(keysArb, cutsArb, keysArb, smallArb, (keys, cuts, other, few) => {
        const s = sparse(keys, cuts);
        const r = RowSet.fromKeys(keys);
        expect(s.size).toBe(keys.length);
        expect(s.toArray()).toEqual(keys);
        expect([...s]).toEqual(keys);
        expect(s.toString()).toBe(r.toString());
        expect(s.first()).toBe(r.first());
        expect(s.last()).toBe(r.last());
        expect(s.isContiguous).toBe(r.isContiguous);
        expect(s.rangeCount).toBe(r.rangeCount);
        expect(s.equals(r) && r.equals(s)).toBe(true);
        const ranges: number[] = [];
        s.forEachRange((a, b) => ranges.push(a, b));
        const expected: number[] = [];
        r.forEachRange((a, b) => expected.push(a, b));
        expect(ranges).toEqual(expected);
        const seen: number[] = [];
        s.forEach((k, p) => {
          seen.push(k);
          expect(p).toBe(seen.length - 1);
        });
        expect(seen).toEqual(keys);
        for (let k = -1; k <= 402; k += 3) {
          expect(s.contains(k)).toBe(r.contains(k));
          expect(s.find(k)).toBe(r.find(k));
          expect(s.rank(k)).toBe(r.rank(k));
          expect(s.overlapsRange(k, k + 5)).toBe(r.overlapsRange(k, k + 5));
          expect(s.subSetByKeyRange(k, k + 40).toArray()).toEqual(
            r.subSetByKeyRange(k, k + 40).toArray(),
          );
        }
        for (let p = -1; p <= keys.length; p++) expect(s.get(p)).toBe(r.get(p));
        for (const [a, b] of [
          [0, 3],
          [2, 50],
          [5, 1000],
          [-3, 7],
        ] as const)
          expect(s.subSetByPosition(a, b).toArray()).toEqual(r.subSetByPosition(a, b).toArray());
        expect(s.shift(9).toArray()).toEqual(r.shift(9).toArray());
        for (const o of [RowSet.fromKeys(other), RowSet.fromKeys(few), sparse(other, cuts)]) {
          expect(s.union(o).toArray()).toEqual(r.union(o).toArray());
          expect(s.minus(o).toArray()).toEqual(r.minus(o).toArray());
          expect(s.intersect(o).toArray()).toEqual(r.intersect(o).toArray());
          expect(o.union(s).toArray()).toEqual(o.union(r).toArray());
          expect(o.minus(s).toArray()).toEqual(o.minus(r).toArray());
          expect(o.intersect(s).toArray()).toEqual(o.intersect(r).toArray());
          expect(s.minus(o).equals(r.minus(o))).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  }, 60_000);

  it("slices by position and finds keys across chunks", () => {
    const chunk = Float64Array.from([10, 20, 30, 40]);
    const s = RowSet.fromKeyChunks([chunk, Float64Array.from([50, 60])]);
    expect(s.subSetByPosition(1, 5).toArray()).toEqual([20, 30, 40, 50]);
    expect(s.get(4)).toBe(50);
    expect(s.find(60)).toBe(5);
    expect(RowSet.fromKeyChunks([new Float64Array(0)])).toBe(RowSet.EMPTY);
  });
});
