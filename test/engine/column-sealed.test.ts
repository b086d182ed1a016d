/**
 * Sealed string pages (PagedColumn.sealFullPages): a full page of an append-only table's string
 * column becomes a dictionary of its column's strings and one small index a slot, at the end of
 * the cycle that filled it. Every read gives what was written (per key, in chunks, runs, copies,
 * previous values), a write to a sealed page works as on any page (the sealed page is the
 * previous values for the rest of the cycle), columns of many distinct strings are sealed as
 * UTF-8 bytes and offsets instead, and an append-only table takes 1 or 2 bytes a row for
 * categorical strings.
 */
import * as arrow from "apache-arrow";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { writeIPC, writeIPCParts } from "../../src/engine/arrow.ts";
import { PAGE_SIZE, PagedColumn, SEAL_MAX_STRINGS } from "../../src/engine/column.ts";
import type { ChunkKeys, Vec } from "../../src/engine/column-source.ts";
import { arrayKeys, Chunk, NULL_KEY, runKeys } from "../../src/engine/column-source.ts";
import {
  agg,
  blinkToAppendOnly,
  DynamicTableWriter,
  fromArrowIPC,
  tablePublisher,
  toArrowIPC,
  UpdateGraph,
} from "../../src/engine/index.ts";
import { readContiguous, readRows } from "../../src/engine/ops/copy.ts";
import { seededRandom } from "../../src/engine/random.ts";
import { RowSet } from "../../src/engine/row-set.ts";
import { Tracker } from "./cycle-tracker.ts";
import { NUMERIC_CASE, numericValues } from "./numeric-pages.ts";

const P = PAGE_SIZE;

type Raw = string | number | bigint | null;

function at(v: Vec, i: number): Raw {
  if (v.valid !== null && v.valid[i] === 0) return null;
  return (v.data as ArrayLike<Raw>)[i]!;
}

/** `values` (null for null) as a vector of column type `type`. */
function vecOf(type: "string" | "int64" | "instant" | "float64", values: readonly Raw[]): Vec {
  const valid = Uint8Array.from(values, (v) => (v === null ? 0 : 1));
  const data =
    type === "string"
      ? values.map((v) => (v ?? "") as string)
      : type === "float64"
        ? Float64Array.from(values, (v) => (v ?? 0) as number)
        : BigInt64Array.from(values, (v) => (v ?? 0n) as bigint);
  return { data, valid, length: values.length };
}

/** Writes `values` (null for null) at keys `[key, key + values.length)` with one writeRun. */
function writeRun(c: PagedColumn, key: number, values: readonly Raw[]): void {
  c.writeRun(key, vecOf(c.type as "string", values));
}

/** Every way of reading `c` at the keys of `queries` gives `want(key)`. */
function checkReads(
  c: PagedColumn,
  queries: readonly ChunkKeys[],
  want: (key: number) => Raw,
  prev: boolean,
  label: string,
): void {
  const reused = new Chunk(c.type);
  const filled = new Chunk(c.type);
  for (const q of queries) {
    const keyAt = (i: number) => (q.isRun ? q.start + i : q.keys[i]!);
    const expected = Array.from({ length: q.length }, (_, i) =>
      keyAt(i) === NULL_KEY ? null : want(keyAt(i)),
    );
    const what = `${label}, ${prev ? "previous" : "current"}, ${q.isRun ? `run ${q.start}+${q.length}` : `${q.length} keys`}`;
    const perKey = Array.from({ length: q.length }, (_, i) =>
      keyAt(i) === NULL_KEY ? null : c.getRaw(keyAt(i), prev),
    );
    expect(perKey, `${what}: getRaw`).toEqual(expected);
    const fresh = c.getChunk(q, prev);
    expect(
      Array.from({ length: q.length }, (_, i) => at(fresh, i)),
      `${what}: getChunk`,
    ).toEqual(expected);
    const viaChunk = c.getChunk(q, prev, reused);
    expect(
      Array.from({ length: q.length }, (_, i) => at(viaChunk, i)),
      `${what}: getChunk into a chunk`,
    ).toEqual(expected);
    filled.reset(q.length + 2);
    c.fillChunk(arrayKeys([NULL_KEY, NULL_KEY]), filled, 0, prev);
    c.fillChunk(q, filled, 2, prev);
    expect(
      Array.from({ length: q.length }, (_, i) => at(filled, i + 2)),
      `${what}: fillChunk at 2`,
    ).toEqual(expected);
    if (q.isRun && Math.floor(q.start / P) === Math.floor((q.start + q.length - 1) / P)) {
      const v = c.run(q.start, q.length, prev);
      expect(
        Array.from({ length: q.length }, (_, i) => at(v, i)),
        `${what}: run`,
      ).toEqual(expected);
    }
  }
}

/** Characters of `values`, which `heapBytes` counts a byte each for a string held in an array. */
function chars(values: readonly (string | null)[]): number {
  return values.reduce((n, v) => n + (v === null ? 0 : v.length), 0);
}

/**
 * `heapBytes` of a full page sealed as UTF-8: its values' bytes, offsets of 16 bits (32 past
 * 65,535 bytes), and a byte of validity a slot if it holds a null.
 */
function utf8PageBytes(values: readonly (string | null)[]): number {
  const enc = new TextEncoder();
  const bytes = values.reduce((n, v) => n + (v === null ? 0 : enc.encode(v).length), 0);
  return bytes + (P + 1) * (bytes > 0xffff ? 4 : 2) + (values.includes(null) ? P : 0);
}

/** Runs inside pages (whole pages too), runs across pages, sorted and shuffled key arrays. */
function queriesOver(n: number, rnd: () => number): ChunkKeys[] {
  const out: ChunkKeys[] = [runKeys(0, n)];
  for (let s = 0; s < n; s += P) out.push(runKeys(s, Math.min(P, n - s)));
  const a = Math.floor(rnd() * n);
  out.push(runKeys(a, Math.max(1, Math.min(n - a, 1 + Math.floor(rnd() * (P + 100))))));
  const keys = Array.from({ length: 300 }, () => Math.floor(rnd() * n));
  out.push(arrayKeys(Float64Array.from([...new Set(keys)].sort((x, y) => x - y))));
  out.push(arrayKeys([...keys, NULL_KEY, keys[0]!]));
  // A run of consecutive keys inside a key array (copied in one block).
  const b = Math.floor(rnd() * Math.max(1, n - 40));
  out.push(arrayKeys([keys[1]!, ...Array.from({ length: 30 }, (_, i) => b + i)]));
  return out;
}

/**
 * With `c` (its tracker `t`) holding `model` after a cycle that sealed its full pages: every read
 * gives the model, current and previous; then single writes, a run and a scatter into sealed
 * pages (values `value()` and `fresh(i)`), previous values kept for the rest of that cycle; a
 * copy out of the column; the first page released, its values still the previous ones.
 */
function exercise(
  c: PagedColumn,
  t: Tracker,
  model: Raw[],
  rnd: () => number,
  value: () => Raw,
  fresh: (i: number) => Raw,
  label: string,
): void {
  const n = model.length;
  const queries = queriesOver(n, rnd);
  checkReads(c, queries, (k) => model[k]!, false, label);
  checkReads(c, queries, (k) => model[k]!, true, label);
  // Cycle 2: single writes, a run and a scatter into the (sealed) pages.
  const before = model.slice();
  for (let i = 0; i < 20; i++) {
    const k = Math.floor(rnd() * n);
    const v = rnd() < 0.5 ? fresh(i) : value();
    c.setRaw(k, v);
    model[k] = v;
  }
  const rs = P + Math.floor(rnd() * P);
  const run = Array.from({ length: Math.min(n - rs, 50) }, (_, i) =>
    i === 3 ? null : fresh(100 + (i % 4)),
  );
  writeRun(c, rs, run);
  run.forEach((v, i) => {
    model[rs + i] = v;
  });
  const keys = [5, P + 7, 2 * P + 9].filter((k) => k < n);
  const scattered = keys.map((k) => fresh(1000 + k));
  c.scatter(keys, keys.length, { ...vecOf(c.type as "string", scattered), valid: null });
  keys.forEach((k, i) => {
    model[k] = scattered[i]!;
  });
  checkReads(c, queries, (k) => model[k]!, false, `${label}, after writes`);
  checkReads(c, queries, (k) => before[k]!, true, `${label}, after writes`);
  // A copy out of the column, page to page.
  const d = new PagedColumn(c.type);
  d.copyRunFrom(c, 0, 7, n);
  for (let k = 0; k < n; k += 37) expect(d.getRaw(k + 7)).toEqual(model[k]);
  t.end();
  checkReads(c, queries, (k) => model[k]!, false, `${label}, the cycle after the writes`);
  checkReads(c, queries, (k) => model[k]!, true, `${label}, the cycle after the writes`);
  // Cycle 3: the first page released: its values stay readable as previous values.
  const kept = model.slice();
  c.release(RowSet.range(0, P), RowSet.range(P, n));
  for (let k = 0; k < P; k += 101) expect(c.getRaw(k, true)).toEqual(kept[k]);
  expect(c.hasPage(0)).toBe(false);
  t.end();
  checkReads(c, queriesOver(n - P, rnd).map(shift(P)), (k) => kept[k]!, false, `${label}, kept`);
}

/**
 * A string column that seals its full pages (not written yet), and the model of its `3 * P +
 * extra` values: `distinct` strings of the `text` kind, a share `nulls` of them null.
 */
function sealingStrings(o: {
  seed: number;
  distinct: number;
  nulls: number;
  extra: number;
  text: "ascii" | "unicode" | "long";
}) {
  const rnd = seededRandom(o.seed);
  const prefix = o.text === "ascii" ? "v" : o.text === "unicode" ? "é€😀" : "x".repeat(24);
  const value = () =>
    rnd() < o.nulls ? null : `${prefix}${Math.floor(rnd() * o.distinct).toString(36)}`;
  const t = new Tracker();
  const c = new PagedColumn("string", t);
  c.sealFullPages();
  const n = 3 * P + o.extra;
  const model: (string | null)[] = Array.from({ length: n }, value);
  return { rnd, value, t, c, n, model };
}

describe("sealed string pages", () => {
  it("read as written, through writes to them, previous values and releases", () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 0x7ffffffe }),
          // 1 and 200 distinct seal (8-bit indices); 700 seal with 16-bit ones; past
          // SEAL_MAX_STRINGS the pages are sealed as UTF-8.
          distinct: fc.constantFrom(1, 200, 700, 3 * SEAL_MAX_STRINGS),
          nulls: fc.constantFrom(0, 0.2),
          extra: fc.integer({ min: 0, max: P - 1 }),
          // Short ASCII; characters of 2, 3 and 4 UTF-8 bytes; values long enough that a page's
          // bytes pass 65,535 (32-bit offsets).
          text: fc.constantFrom("ascii", "unicode", "long"),
        }),
        (params) => {
          const { distinct, extra } = params;
          const { rnd, value, t, c, n, model } = sealingStrings(params);
          // Cycle 1: written in runs of random lengths, some across page ends.
          for (let k = 0; k < n; ) {
            const len = Math.min(n - k, 1 + Math.floor(rnd() * (P + 500)));
            writeRun(c, k, model.slice(k, k + len));
            k += len;
          }
          t.end();
          // (700 distinct seal too, but not from the first page: its first 256 slots are mostly
          // new strings, so the column tries again a page later with the strings it has seen.)
          // (Less than the full pages' slots as arrays: what is counted besides is the characters
          // of the dictionary and of the rows past them, still an array.)
          if (distinct <= 200) {
            const text = chars([...new Set(model)]) + chars(model.slice(3 * P));
            expect(c.heapBytes).toBeLessThan(3 * P * 8 + text);
          }
          if (distinct > SEAL_MAX_STRINGS) {
            // Three full pages as UTF-8, the rest an array of strings.
            const rest = model.slice(3 * P);
            let want = extra === 0 ? 0 : P * 8 + chars(rest) + (rest.includes(null) ? P : 0);
            for (let pi = 0; pi < 3; pi++) want += utf8PageBytes(model.slice(pi * P, pi * P + P));
            expect(c.heapBytes).toBe(want);
          }
          exercise(c, t, model, rnd, value, (i) => `new${i}`, `${distinct} distinct`);
        },
      ),
      { numRuns: 15 },
    );
  }, 120_000);

  it("seal a column of few distinct strings with a dictionary, one of many as UTF-8, and only when asked", () => {
    const t = new Tracker();
    const few = new PagedColumn("string", t);
    const many = new PagedColumn("string", t);
    const plain = new PagedColumn("string", t);
    few.sealFullPages();
    many.sealFullPages();
    for (let pi = 0; pi < 8; pi++) {
      const k = pi * P;
      writeRun(
        few,
        k,
        Array.from({ length: P }, (_, i) => `S${(i * 7) % 100}`),
      );
      writeRun(
        many,
        k,
        Array.from({ length: P }, (_, i) => `id${k + i}`),
      );
      writeRun(
        plain,
        k,
        Array.from({ length: P }, (_, i) => `S${i % 100}`),
      );
      t.end();
    }
    // 100 strings: one byte a row, and the dictionary once (with "").
    const hundred = Array.from({ length: 100 }, (_, i) => `S${i}`);
    expect(few.heapBytes).toBe(8 * P + 101 * 8 + chars(hundred));
    // Ids: each page's bytes and 16-bit offsets.
    let manyBytes = 0;
    for (let pi = 0; pi < 8; pi++)
      manyBytes += utf8PageBytes(Array.from({ length: P }, (_, i) => `id${pi * P + i}`));
    expect(many.heapBytes).toBe(manyBytes);
    expect(plain.heapBytes).toBe(
      8 * P * 8 + 8 * chars(Array.from({ length: P }, (_, i) => `S${i % 100}`)),
    );
    expect(few.getRaw(3 * P + 5)).toBe(`S${35 % 100}`);
    expect(many.getRaw(3 * P + 5)).toBe(`id${3 * P + 5}`);
  });

  it("an append-only table keeps categorical strings in a byte a row; reads, aggregations and Arrow see them as written", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const [blink, pub] = tablePublisher(g, {
      name: "p",
      columns: { Sym: "string", Size: "int32" },
    });
    const all = blinkToAppendOnly(blink);
    const rows: { Sym: string | null; Size: number }[] = [];
    const rnd = seededRandom(7);
    for (let cycle = 0; cycle < 12; cycle++) {
      const batch = Array.from({ length: 1000 }, (_, i) => ({
        Sym: rnd() < 0.05 ? null : `SYM${Math.floor(rnd() * 40)}`,
        Size: cycle * 1000 + i,
      }));
      pub.addRows(batch);
      rows.push(...batch);
      await g.runCycle();
    }
    expect(all.toRows()).toEqual(rows);
    // Two full pages sealed at a byte a row (plus validity); the page being filled is an array.
    const sym = all.column("Sym");
    expect(sym.heapBytes).toBeLessThan(2 * P * 2 + 41 * (8 + 5) + P * (8 + 5) + 3 * P);
    // A group-by made now reads the sealed pages.
    const counts = all.aggBy([agg.count("N"), agg.sum("Total = Size")], "Sym");
    const want = new Map<string | null, [number, number]>();
    for (const r of rows) {
      const w = want.get(r.Sym) ?? [0, 0];
      w[0]++;
      w[1] += r.Size;
      want.set(r.Sym, w);
    }
    const got = new Map(
      counts.toRows().map((r) => [r.Sym as string | null, [Number(r.N), Number(r.Total)]]),
    );
    expect(got).toEqual(want);
    // And the rows still arrive as written in the cycles that follow.
    pub.addRows([{ Sym: "LAST", Size: -1 }]);
    await g.runCycle();
    expect(all.size).toBe(rows.length + 1);
    expect(sym.get(rows.length)).toBe("LAST");
    expect(sym.get(5)).toBe(rows[5]!.Sym);
  });
});

/**
 * `heapBytes` of a full int64, instant or float64 page once sealed, by an oracle of its own: the
 * least number of decimals (at most 6) that writes every float exactly (`toFixed`), the integers
 * then needing 8, 16 or 32 bits (null slots count as 0); else the page stays 8 bytes a slot.
 * Plus a byte of validity a slot if it holds a null.
 */
function numericPageBytes(type: string, values: readonly Raw[]): number {
  const set = values.filter((v) => v !== null);
  const validity = set.length < values.length ? P : 0;
  let ints: number[] | null = null;
  if (type === "float64") {
    for (let e = 0; e <= 6 && ints === null; e++) {
      const xs = set as number[];
      if (xs.every((v) => Number.isFinite(v) && !Object.is(v, -0) && Number(v.toFixed(e)) === v))
        ints = xs.map((v) => Math.round(v * 10 ** e));
    }
  } else ints = (set as bigint[]).map(Number);
  if (ints === null || ints.some((k) => k < -(2 ** 31) || k > 2 ** 31 - 1)) return 8 * P + validity;
  const lo = Math.min(0, ...ints);
  const hi = Math.max(0, ...ints);
  const width = lo >= -128 && hi <= 127 ? 1 : lo >= -32768 && hi <= 32767 ? 2 : 4;
  return width * P + validity;
}

describe("narrowed numeric pages", () => {
  it("read as written, through writes to them, previous values and releases", () => {
    fc.assert(
      fc.property(
        fc.record({ ...NUMERIC_CASE, extra: fc.integer({ min: 0, max: P - 1 }) }),
        (cs) => {
          const { type, kind, past, decimals, extra } = cs;
          const { value, rnd } = numericValues(cs);
          const fresh = (i: number): Raw => (type === "float64" ? i / 4 : BigInt(i) - 2n ** 40n);
          const t = new Tracker();
          const c = new PagedColumn(type, t);
          c.sealFullPages();
          const n = 3 * P + extra;
          const model: Raw[] = Array.from({ length: n }, (_, i) => value(i % P));
          for (let k = 0; k < n; ) {
            const len = Math.min(n - k, 1 + Math.floor(rnd() * (P + 500)));
            writeRun(c, k, model.slice(k, k + len));
            k += len;
          }
          t.end();
          const tail = model.slice(3 * P);
          let want = extra === 0 ? 0 : 8 * P + (tail.includes(null) ? P : 0);
          for (let pi = 0; pi < 3; pi++)
            want += numericPageBytes(type, model.slice(pi * P, pi * P + P));
          expect(c.heapBytes).toBe(want);
          exercise(c, t, model, rnd, value, fresh, `${type} ${kind} ${past} ${decimals}`);
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  it("narrow to the width that holds the extremes, and never NaN, -0 or an infinity", () => {
    // Each case: one extreme value in a page of small values; the page's width follows it.
    const cases: [string, Raw, number][] = [];
    for (const type of ["int64", "float64"]) {
      const num = (v: number): Raw => (type === "int64" ? BigInt(v) : v);
      for (const [v, width] of [
        [127, 1],
        [-128, 1],
        [128, 2],
        [-129, 2],
        [32767, 2],
        [-32768, 2],
        [32768, 4],
        [-32769, 4],
        [2 ** 31 - 1, 4],
        [-(2 ** 31), 4],
        [2 ** 31, 8],
        [-(2 ** 31) - 1, 8],
        [2 ** 32, 8],
        [-(2 ** 32), 8],
      ] as const)
        cases.push([type, num(v), width]);
    }
    // Decimals scale every value: 1.5 makes -50 into -500 (16 bits), 0.125 into -50,000.
    cases.push(["float64", 1.5, 2], ["float64", 0.125, 4], ["float64", 1e-6, 4]);
    for (const v of [Number.NaN, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-7])
      cases.push(["float64", v, 8]);
    for (const [type, extreme, width] of cases) {
      const t = new Tracker();
      const c = new PagedColumn(type as "int64", t);
      c.sealFullPages();
      const values: Raw[] = Array.from({ length: P }, (_, i) =>
        i === 77 ? extreme : type === "int64" ? BigInt(i % 100) : (i % 100) - 50,
      );
      writeRun(c, 0, values);
      t.end();
      const label = `${type} ${String(extreme)}`;
      expect(c.heapBytes, label).toBe(width * P);
      expect(numericPageBytes(type, values), label).toBe(width * P);
      checkReads(c, [runKeys(0, P), arrayKeys([77, 5, 78, 77])], (k) => values[k]!, false, label);
    }
    // A value that needs a decimal after one that fits only as it is: scaled by ten, the first
    // no longer fits 32 bits, and the page stays as it is (and the other way round, 4 bytes).
    for (const [early, late, width] of [
      [2e9, 0.5, 8],
      [2e8, 0.5, 4],
      [-2e9, 0.5, 8],
    ] as const) {
      const t = new Tracker();
      const c = new PagedColumn("float64", t);
      c.sealFullPages();
      const values: Raw[] = Array.from({ length: P }, (_, i) =>
        i === 10 ? early : i === 77 ? late : i % 100,
      );
      writeRun(c, 0, values);
      t.end();
      expect(c.heapBytes, `${early} then ${late}`).toBe(width * P);
      checkReads(c, [runKeys(0, P)], (k) => values[k]!, false, `${early} then ${late}`);
    }
  });

  it("narrow only when asked, and hold small integers and prices in 1, 2 or 4 bytes a row", () => {
    const t = new Tracker();
    const sizes = new PagedColumn("int64", t);
    const prices = new PagedColumn("float64", t);
    const plain = new PagedColumn("int64", t);
    sizes.sealFullPages();
    prices.sealFullPages();
    for (let pi = 0; pi < 4; pi++) {
      const k = pi * P;
      writeRun(
        sizes,
        k,
        Array.from({ length: P }, (_, i) => BigInt((i % 1000) + 1)),
      );
      writeRun(
        prices,
        k,
        Array.from({ length: P }, (_, i) => 1000 + ((k + i) % 5000) / 100),
      );
      writeRun(
        plain,
        k,
        Array.from({ length: P }, (_, i) => BigInt(i)),
      );
      t.end();
    }
    // Sizes 1..1000 in 16 bits; prices of two decimals up to 1,049.99 as cents in 32.
    expect(sizes.heapBytes).toBe(4 * P * 2);
    expect(prices.heapBytes).toBe(4 * P * 4);
    expect(plain.heapBytes).toBe(4 * P * 8);
    expect(sizes.getRaw(2 * P + 7)).toBe(8n);
    expect(prices.getRaw(2 * P + 7)).toBe(1000 + ((2 * P + 7) % 5000) / 100);
  });
});

describe("an append-only table's numeric columns", () => {
  it("narrow full pages, and read, aggregate and encode as written", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const [blink, pub] = tablePublisher(g, {
      name: "n",
      columns: { Size: "int64", Price: "float64", T: "instant", Big: "int64" },
    });
    const all = blinkToAppendOnly(blink);
    type Row = { Size: bigint | null; Price: number | null; T: bigint; Big: bigint };
    const rows: Row[] = [];
    const rnd = seededRandom(11);
    for (let cycle = 0; cycle < 10; cycle++) {
      const batch: Row[] = Array.from({ length: 1000 }, (_, i) => ({
        Size: rnd() < 0.05 ? null : BigInt(1 + Math.floor(rnd() * 1000)),
        Price: rnd() < 0.05 ? null : Math.round((100 + rnd() * 50) * 100) / 100,
        // Nanoseconds since the epoch (never 32 bits) and ids past 2^31.
        T: 1_700_000_000_000_000_000n + BigInt(cycle * 1000 + i),
        Big: 2n ** 40n + BigInt(i),
      }));
      pub.addRows(batch);
      rows.push(...batch);
      await g.runCycle();
    }
    expect(all.toRows()).toEqual(rows);
    // Two full pages: sizes 1..1000 in 16 bits, prices as cents in 16 bits (plus validity); the
    // instants and the wide ids stay 8 bytes a row. The page being filled is 8 bytes a row.
    expect(all.column("Size").heapBytes).toBe(2 * (2 * P + P) + 8 * P + P);
    expect(all.column("Price").heapBytes).toBe(2 * (2 * P + P) + 8 * P + P);
    expect(all.column("T").heapBytes).toBe(3 * 8 * P);
    expect(all.column("Big").heapBytes).toBe(3 * 8 * P);
    // A group-by made now reads the narrowed pages.
    const sums = all.aggBy([agg.sum("Total = Size"), agg.count("N"), agg.max("Hi = Price")]);
    const [r] = sums.toRows();
    const sizes = rows.filter((x) => x.Size !== null).map((x) => x.Size as bigint);
    const prices = rows.filter((x) => x.Price !== null).map((x) => x.Price as number);
    expect(r!.Total).toBe(sizes.reduce((a, b) => a + b, 0n));
    expect(r!.N).toBe(BigInt(rows.length));
    expect(r!.Hi).toBe(Math.max(...prices));
    // Arrow written from the pages reads back exactly.
    expect(fromArrowIPC(toArrowIPC(all)).toRows()).toEqual(rows);
  });
});

describe("a DynamicTableWriter's string columns", () => {
  it("are sealed once their pages are full, and read as written", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const w = new DynamicTableWriter(g, { N: "int32", Venue: "string" });
    const venue = (i: number) => (i % 13 === 0 ? null : `V${i % 20}`);
    const n = 3 * P + 100;
    for (let i = 0; i < n; i++) {
      w.writeRow(i, venue(i));
      if (i % 5000 === 4999) await g.runCycle();
    }
    await g.runCycle();
    const rows = w.table.toRows();
    expect(rows.length).toBe(n);
    expect(rows.every((r, i) => r.N === i && r.Venue === venue(i))).toBe(true);
    // Three sealed pages (a byte a row and a validity byte), the partial page an array.
    const venues = Array.from({ length: 20 }, (_, i) => `V${i}`);
    expect(w.table.column("Venue").heapBytes).toBe(
      3 * (P + P) +
        21 * 8 +
        chars(venues) +
        P * 8 +
        chars(rows.slice(3 * P).map((r) => r.Venue as string | null)) +
        P,
    );
  });
});

describe("sealed pages of a key column", () => {
  it("translate the string cache's codes into the column's dictionary, and read as written", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const [blink, pub] = tablePublisher(g, {
      name: "k",
      columns: { Key26: "string", N: "int32" },
    });
    const all = blinkToAppendOnly(blink);
    // A group-by makes Key26 a key column: the Arrow decoder gives its rows the string cache's
    // codes (a dictionary of 262,144 slots, too large for 16-bit indices).
    const counts = all.aggBy([agg.count("C")], "Key26");
    // 700 keys, the first 700 rows all different: a dictionary built by hashing strings gives up
    // on such a first page (its first 256 slots are all new); the codes seal it.
    const keys = Array.from({ length: 700 }, (_, i) => `K${i}`);
    const want: string[] = [];
    for (let b = 0; b < 9; b++) {
      const ks = Array.from({ length: 1000 }, (_, i) => keys[((b * 1000 + i) * 3) % 700]!);
      const table = new arrow.Table({
        Key26: arrow.vectorFromArray(ks, new arrow.Utf8()),
        N: arrow.vectorFromArray(Int32Array.from(ks, (_, i) => i)),
      });
      pub.addArrow(arrow.tableToIPC(table, "stream"));
      want.push(...ks);
      await g.runCycle();
    }
    expect(all.toRows().map((r) => r.Key26)).toEqual(want);
    // The decoder gave no codes to the first batch, so the first page is sealed as UTF-8 (its
    // strings were too new for a dictionary); the second at 16 bits a row (700 strings and ""),
    // the dictionary once; the page being filled is an array with the rows' codes beside it.
    expect(all.column("Key26").heapBytes).toBe(
      utf8PageBytes(want.slice(0, P)) +
        P * 2 +
        701 * 8 +
        chars(keys) +
        P * 8 +
        chars(want.slice(2 * P)) +
        P * 4,
    );
    const got = new Map(counts.toRows().map((r) => [r.Key26, Number(r.C)]));
    const byKey = new Map<string, number>();
    for (const k of want) byKey.set(k, (byKey.get(k) ?? 0) + 1);
    expect(got).toEqual(byKey);
  });
});

describe("sealed pages of a dictionary-encoded column", () => {
  it("keep the Arrow dictionary's own indices, narrowed, and read as written", async () => {
    // 256 categories, sent again with every batch (the dictionary cache recognises them, so
    // every batch's codes index one dictionary).
    const cats = Array.from({ length: 256 }, (_, i) => `C${i}`);
    const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
    const g = new UpdateGraph({ seed: 1 });
    const [blink, pub] = tablePublisher(g, { name: "d", columns: { Cat: "string" } });
    const all = blinkToAppendOnly(blink);
    const want: string[] = [];
    for (let b = 0; b < 10; b++) {
      const idx = Int32Array.from({ length: 1000 }, (_, i) => (b * 1000 + i * 17) % 256);
      const cat = arrow.makeVector({
        type,
        length: idx.length,
        nullCount: 0,
        data: idx,
        dictionary: arrow.vectorFromArray(cats, new arrow.Utf8()),
      });
      pub.addArrow(arrow.tableToIPC(new arrow.Table({ Cat: cat }), "stream"));
      for (const i of idx) want.push(cats[i]!);
      await g.runCycle();
    }
    expect(all.toRows().map((r) => r.Cat)).toEqual(want);
    // Pages 0 and 1 sealed with the dictionary's 256 strings: a byte a row (a dictionary of the
    // column's own would also hold "", 257 strings, two bytes a row); page 2, being filled, is
    // an array of strings with the rows' codes beside it.
    expect(all.column("Cat").heapBytes).toBe(
      2 * P + 256 * 8 + chars(cats) + P * 8 + chars(want.slice(2 * P)) + P * 4,
    );
  });
});

/**
 * Rows `rows` of string column `c` through the Arrow IPC writer, read by apache-arrow's reader;
 * the bytes are those written from the rows' strings (nulls "" under either).
 */
function throughIPC(c: PagedColumn, rows: RowSet): (string | null)[] {
  const bytes = writeIPC({ S: "string" }, readRows([c], rows), 0, rows.size);
  const fromStrings = writeIPC({ S: "string" }, readContiguous([c], rows), 0, rows.size);
  expect(bytes).toEqual(fromStrings);
  return stringsOf(bytes);
}

function stringsOf(bytes: Uint8Array): (string | null)[] {
  const col = arrow.tableFromIPC(bytes).getChild("S")!;
  return Array.from({ length: col.length }, (_, i) => col.get(i) as string | null);
}

describe("sealed string pages in Arrow IPC", () => {
  it("are written from their UTF-8 bytes and dictionaries, exactly as the strings (property)", () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 0x7ffffffe }),
          // 1 and 200 distinct: dictionary pages; 3 * SEAL_MAX_STRINGS: UTF-8 pages.
          distinct: fc.constantFrom(1, 200, 3 * SEAL_MAX_STRINGS),
          nulls: fc.constantFrom(0, 0.2),
          extra: fc.integer({ min: 0, max: P - 1 }),
          text: fc.constantFrom("ascii", "unicode", "long"),
          cut: fc.tuple(fc.nat(), fc.nat()),
          maxBytes: fc.integer({ min: 600, max: 40_000 }),
        }),
        (params) => {
          const { cut, maxBytes, extra } = params;
          const { t, c, n, model } = sealingStrings(params);
          writeRun(c, 0, model);
          t.end();
          // The sealed pages give their bytes, not strings.
          const whole = readRows([c], RowSet.flat(n))[0]!;
          expect(whole.utf8).toBeTruthy();
          expect((whole.data as string[]).length).toBe(0);
          expect(throughIPC(c, RowSet.flat(n))).toEqual(model);
          // Any run of rows: starting and ending inside pages.
          const a = cut[0] % (n + 1);
          const b = a + (cut[1] % (n - a + 1));
          expect(throughIPC(c, RowSet.range(a, b))).toEqual(model.slice(a, b));
          // Split into streams of at most maxBytes (each but the first starts mid-vector).
          if (b > a) {
            const parts = writeIPCParts(
              { S: "string" },
              readRows([c], RowSet.range(a, b)),
              0,
              b - a,
              maxBytes,
            );
            expect(parts.flatMap((part) => stringsOf(part.bytes))).toEqual(model.slice(a, b));
          }
          // Rows all in the page of strings are left to the writer to encode (no copy made).
          if (extra > 0) expect(readRows([c], RowSet.range(3 * P, n))[0]!.utf8 ?? null).toBeNull();
          // Rows that are not one run are read as strings, to the same bytes.
          const gaps = RowSet.fromRanges([0, Math.min(n, 10), Math.min(n, P + 5), n]);
          const vecs = readRows([c], gaps);
          expect(vecs[0]!.utf8 ?? null).toBeNull();
          expect(throughIPC(c, gaps)).toEqual(gaps.toArray().map((k) => model[k]!));
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  it("install a whole page of stored UTF-8 as a sealed page, and anything else as strings", () => {
    const enc = new TextEncoder();
    const utf8Vec = (vals: readonly (string | null)[], underNull = ""): Vec => {
      const parts = vals.map((v) => enc.encode(v ?? underNull));
      const offsets = new Int32Array(vals.length + 1);
      parts.forEach((b, i) => {
        offsets[i + 1] = offsets[i]! + b.length;
      });
      const bytes = new Uint8Array(offsets[vals.length]!);
      parts.forEach((b, i) => {
        bytes.set(b, offsets[i]!);
      });
      const valid = Uint8Array.from(vals, (v) => (v === null ? 0 : 1));
      return { data: [], valid, length: vals.length, utf8: { offsets, bytes } };
    };
    const vals = Array.from({ length: P }, (_, i) => (i % 9 === 0 ? null : `é${i}`));
    const sealing = () => {
      const c = new PagedColumn("string", new Tracker());
      c.sealFullPages();
      return c;
    };
    // A whole page into a column that seals: UTF-8, read as written.
    const c = sealing();
    c.installPage(0, utf8Vec(vals), 0, P);
    expect(c.pageForm(0)).toBe("utf8");
    expect(Array.from({ length: P }, (_, i) => c.get(i))).toEqual(vals);
    // Bytes under a null (not what tickflare stores): strings, the null still null.
    const odd = sealing();
    odd.installPage(0, utf8Vec(vals, "x"), 0, P);
    expect(odd.pageForm(0)).toBe("strings");
    expect(Array.from({ length: P }, (_, i) => odd.get(i))).toEqual(vals);
    // Part of a page, or a column that does not seal (a ring's): strings.
    const part = sealing();
    part.installPage(1, utf8Vec(vals.slice(0, 100)), 0, 100);
    expect(part.pageForm(1)).toBe("strings");
    expect(Array.from({ length: 100 }, (_, i) => part.get(P + i))).toEqual(vals.slice(0, 100));
    const plain = new PagedColumn("string", new Tracker());
    plain.installPage(0, utf8Vec(vals), 0, P);
    expect(plain.pageForm(0)).toBe("strings");
    expect(Array.from({ length: P }, (_, i) => plain.get(i))).toEqual(vals);
  });

  it("write an Arrow dictionary's pages with their nulls as nulls, whatever string code 0 names", async () => {
    // 256 categories: the dictionary cache keeps the dictionary, so every batch's codes index
    // one dictionary (a smaller one is decoded afresh each time, and the pages then seal with
    // the column's own). Code 0 is "first".
    const cats = Array.from({ length: 256 }, (_, i) => (i === 0 ? "first" : `c${i}`));
    const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
    const g = new UpdateGraph({ seed: 1 });
    const [blink, pub] = tablePublisher(g, { name: "dn", columns: { S: "string" } });
    const all = blinkToAppendOnly(blink);
    const want: (string | null)[] = [];
    for (let b = 0; b < 5; b++) {
      const idx = Int32Array.from({ length: 2000 }, (_, i) => (b + i * 7) % 256);
      const valid = Uint8Array.from({ length: 2000 }, (_, i) => ((i * 7 + b) % 5 === 0 ? 0 : 1));
      const vals = Array.from(idx, (k, i) => (valid[i] === 0 ? null : cats[k]!));
      // The same dictionary every batch (the cache knows it: one dictionary's codes throughout).
      const nullBitmap = new Uint8Array(Math.ceil(valid.length / 8));
      valid.forEach((v, i) => {
        if (v === 1) nullBitmap[i >> 3]! |= 1 << (i & 7);
      });
      const cat = arrow.makeVector(
        arrow.makeData({
          type,
          length: idx.length,
          nullCount: valid.filter((v) => v === 0).length,
          nullBitmap,
          data: idx,
          dictionary: arrow.vectorFromArray(cats, new arrow.Utf8()),
        }),
      );
      pub.addArrow(arrow.tableToIPC(new arrow.Table({ S: cat }), "stream"));
      want.push(...vals);
      await g.runCycle();
    }
    const col = all.column("S") as PagedColumn;
    // Pages 0 and 1 are sealed with the Arrow dictionary's codes, a byte a row (and their
    // validity), its code 0 "first" under every null; page 2, being filled, is strings with
    // their validity and codes.
    expect(col.heapBytes).toBe(
      2 * (P + P) + 256 * 8 + chars(cats) + (P * 8 + chars(want.slice(2 * P)) + P + P * 4),
    );
    expect(throughIPC(col, all.rowSet)).toEqual(want);
    expect(stringsOf(toArrowIPC(all))).toEqual(want);
    expect(all.toRows().map((r) => r.S)).toEqual(want);
  });
});

/** Query keys shifted by `d` (runs and arrays; NULL_KEY stays). */
function shift(d: number): (q: ChunkKeys) => ChunkKeys {
  return (q) =>
    q.isRun
      ? runKeys(q.start + d, q.length)
      : arrayKeys(
          Array.from({ length: q.length }, (_, i) => (q.keys[i]! < 0 ? NULL_KEY : q.keys[i]! + d)),
        );
}
