/**
 * Property tests of the column-source views: a RedirectedColumnSource (over a RowRedirection)
 * and a UnionColumnSource read in chunks (runs inside a page, runs across pages, sorted and
 * unsorted key arrays with NULL_KEY, fills at an offset of a reused chunk) give exactly what
 * per-key reads give, and both equal a plain model of the parent values and the redirection, for
 * current and previous values, for every column type, with nulls, across page boundaries.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PAGE_SIZE, PagedColumn } from "../../src/engine/column.ts";
import type { ChunkKeys, ColumnSource, Vec } from "../../src/engine/column-source.ts";
import { arrayKeys, Chunk, NULL_KEY, runKeys } from "../../src/engine/column-source.ts";
import { seededRandom } from "../../src/engine/random.ts";
import { RedirectedColumnSource } from "../../src/engine/redirected-column-source.ts";
import { RowRedirection } from "../../src/engine/row-redirection.ts";
import type { ColumnType, RawValue } from "../../src/engine/types.ts";
import { COLUMN_TYPES, elementType, isArrayType, rawToValue } from "../../src/engine/types.ts";
import { UnionColumnSource } from "../../src/engine/union-column-source.ts";
import { Tracker } from "./cycle-tracker.ts";

const P = PAGE_SIZE;
/** Parent keys [0, PARENT_KEYS) are all written. */
const PARENT_KEYS = 3 * P;

/** A random storage value of `type` (null with probability `nulls`). */
function rawOf(type: ColumnType, rnd: () => number, nulls: number): RawValue {
  if (rnd() < nulls) return null;
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  if (isArrayType(type)) {
    const et = elementType(type);
    const n = int(0, 3);
    const cell = Array.from({ length: n }, () => rawToValue(et, rawOf(et, rnd, 0.2)));
    return Object.freeze(cell) as RawValue;
  }
  switch (type) {
    case "int8":
      return int(-128, 127);
    case "int16":
      return int(-32768, 32767);
    case "int32":
      return int(-(2 ** 31), 2 ** 31 - 1);
    case "int64":
    case "instant":
      return BigInt(int(-(2 ** 31), 2 ** 31)) * BigInt(int(0, 2 ** 31)) + BigInt(int(0, 9));
    case "float32":
      return Math.fround((rnd() - 0.5) * 1e6);
    case "float64": {
      const r = rnd();
      return r < 0.05 ? Number.NaN : r < 0.1 ? -0 : (rnd() - 0.5) * 1e12;
    }
    case "bool":
      return int(0, 1);
    case "char":
      return int(0, 0xffff);
    case "string":
      return `s${int(0, 1000)}`;
  }
}

/** The value at position `i` of a chunk read. */
function at(v: Vec, i: number): RawValue {
  if (v.valid !== null && v.valid[i] === 0) return null;
  return v.data[i] as RawValue;
}

/** Checks every way of reading `rows` against `expected(key)` and against per-key reads. */
function checkReads(
  src: ColumnSource,
  queries: readonly ChunkKeys[],
  expected: (key: number) => RawValue,
  prev: boolean,
  what: string,
): void {
  const reused = new Chunk(src.type);
  const filled = new Chunk(src.type);
  for (const q of queries) {
    const keyAt = (i: number) => (q.isRun ? q.start + i : q.keys[i]!);
    const want = Array.from({ length: q.length }, (_, i) => expected(keyAt(i)));
    const perKey = Array.from({ length: q.length }, (_, i) => src.getRaw(keyAt(i), prev));
    const label = `${what}, ${prev ? "previous" : "current"}, ${q.isRun ? `run ${q.start}+${q.length}` : `${q.length} keys`}`;
    expect(perKey, `${label}: per-key reads`).toEqual(want);
    expect(
      Array.from({ length: q.length }, (_, i) => src.get(keyAt(i), prev)),
      `${label}: get`,
    ).toEqual(want.map((w) => rawToValue(src.type, w)));
    const fresh = src.getChunk(q, prev);
    expect(
      Array.from({ length: q.length }, (_, i) => at(fresh, i)),
      `${label}: getChunk`,
    ).toEqual(want);
    const viaChunk = src.getChunk(q, prev, reused);
    expect(
      Array.from({ length: q.length }, (_, i) => at(viaChunk, i)),
      `${label}: getChunk into a reused chunk`,
    ).toEqual(want);
    // Fill at an offset after three values of an earlier read (nulls included).
    const first = q.length > 0 ? keyAt(0) : NULL_KEY;
    filled.reset(q.length + 3);
    src.fillChunk(arrayKeys([NULL_KEY, first, NULL_KEY]), filled, 0, prev);
    src.fillChunk(q, filled, 3, prev);
    expect(
      Array.from({ length: q.length + 3 }, (_, i) => at(filled, i)),
      `${label}: fillChunk at offset 3`,
    ).toEqual([null, want[0] ?? null, null, ...want]);
  }
}

/** Runs inside pages, runs across pages, and key arrays (sorted, shuffled, with NULL_KEY). */
function queriesOver(
  runStart: number,
  runLength: number,
  keys: readonly number[],
  rnd: () => number,
): ChunkKeys[] {
  const out: ChunkKeys[] = [runKeys(runStart, runLength)];
  for (let s = runStart; s < runStart + runLength; ) {
    const e = Math.min(runStart + runLength, (Math.floor(s / P) + 1) * P);
    out.push(runKeys(s, e - s));
    s = e;
  }
  const sorted = [...keys].sort((a, b) => a - b);
  out.push(arrayKeys(Float64Array.from(sorted)));
  const shuffled = [...keys, NULL_KEY];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  out.push(arrayKeys(shuffled));
  return out;
}

const scenario = fc.record({
  type: fc.constantFrom(...COLUMN_TYPES),
  seed: fc.integer({ min: 1, max: 0x7ffffffe }),
  nulls: fc.constantFrom(0, 0.25),
  runStart: fc.integer({ min: 0, max: 2 * P }),
  runLength: fc.integer({ min: 1, max: P + 300 }),
  offset: fc.integer({ min: -P, max: P }),
});

describe("RedirectedColumnSource", () => {
  it("chunk reads equal per-key reads and the model, current and previous", () => {
    fc.assert(
      fc.property(scenario, ({ type, seed, nulls, runStart, runLength, offset }) => {
        const rnd = seededRandom(seed);
        const tracker = new Tracker();
        const parent = new PagedColumn(type, tracker);
        const values: RawValue[] = [];
        for (let k = 0; k < PARENT_KEYS; k++) {
          values.push(rawOf(type, rnd, nulls));
          parent.setRaw(k, values[k]!);
        }
        const redirection = new RowRedirection(tracker);
        const map = new Map<number, number>();
        // A run of result keys onto consecutive parent keys (where they exist), then scattered
        // keys onto random parent keys or to no row.
        const runParent = Math.max(0, Math.min(PARENT_KEYS - runLength, runStart + offset));
        redirection.setRun(runStart, runParent, runLength);
        for (let i = 0; i < runLength; i++) map.set(runStart + i, runParent + i);
        for (let i = 0; i < 200; i++) {
          const r = Math.floor(rnd() * 5 * P);
          const pk = rnd() < 0.15 ? NULL_KEY : Math.floor(rnd() * PARENT_KEYS);
          redirection.set(r, pk);
          map.set(r, pk);
        }
        tracker.end();
        const prevValues = values.slice();
        const prevMap = new Map(map);
        // The next cycle changes parent values and redirections (inside the run, too).
        for (let i = 0; i < 150; i++) {
          const k = Math.floor(rnd() * PARENT_KEYS);
          values[k] = rawOf(type, rnd, nulls);
          parent.setRaw(k, values[k]!);
        }
        const resultKeys = [...map.keys()];
        for (let i = 0; i < 100; i++) {
          const r = resultKeys[Math.floor(rnd() * resultKeys.length)]!;
          const pk = rnd() < 0.15 ? NULL_KEY : Math.floor(rnd() * PARENT_KEYS);
          redirection.set(r, pk);
          map.set(r, pk);
        }
        const src = new RedirectedColumnSource(parent, redirection);
        const queries = queriesOver(runStart, runLength, resultKeys, rnd);
        const model = (m: Map<number, number>, vs: RawValue[]) => (key: number) => {
          const pk = m.get(key) ?? NULL_KEY;
          return pk < 0 ? null : vs[pk]!;
        };
        checkReads(src, queries, model(map, values), false, type);
        checkReads(src, queries, model(prevMap, prevValues), true, type);
        // After the cycle ends, previous values are the current ones.
        tracker.end();
        checkReads(src, queries, model(map, values), true, `${type} after the cycle`);
      }),
      { numRuns: 40 },
    );
  }, 60_000);
});

describe("UnionColumnSource", () => {
  it("chunk reads across segments equal per-key reads and the model", () => {
    fc.assert(
      fc.property(scenario, ({ type, seed, nulls, runStart, runLength }) => {
        const rnd = seededRandom(seed);
        const tracker = new Tracker();
        // Segment 0: result keys [0, 3P) -> a; gap [3P, 4P) reads null; segment 1: result keys
        // [4P, 7P) -> b at key - 4P.
        const a = new PagedColumn(type, tracker);
        const b = new PagedColumn(type, tracker);
        const va: RawValue[] = [];
        const vb: RawValue[] = [];
        for (let k = 0; k < PARENT_KEYS; k++) {
          va.push(rawOf(type, rnd, nulls));
          vb.push(rawOf(type, rnd, nulls));
          a.setRaw(k, va[k]!);
          b.setRaw(k, vb[k]!);
        }
        const union = new UnionColumnSource(type, [
          { start: 0, end: 3 * P, source: a, shift: 0 },
          { start: 4 * P, end: 7 * P, source: b, shift: 4 * P },
        ]);
        tracker.end();
        const pa = va.slice();
        const pb = vb.slice();
        for (let i = 0; i < 100; i++) {
          const k = Math.floor(rnd() * PARENT_KEYS);
          va[k] = rawOf(type, rnd, nulls);
          a.setRaw(k, va[k]!);
          vb[k] = rawOf(type, rnd, nulls);
          b.setRaw(k, vb[k]!);
        }
        const model = (xa: RawValue[], xb: RawValue[]) => (key: number) =>
          key >= 0 && key < 3 * P
            ? xa[key]!
            : key >= 4 * P && key < 7 * P
              ? xb[key - 4 * P]!
              : null;
        const keys = Array.from({ length: 300 }, () => Math.floor(rnd() * 7 * P));
        // Runs within a segment, across the gap, and into segment 1.
        const queries = [
          ...queriesOver(runStart, runLength, keys, rnd),
          ...queriesOver(4 * P + runStart, Math.min(runLength, 3 * P - runStart), [], rnd),
          runKeys(3 * P - 5, P + 10),
          arrayKeys(Float64Array.from(keys.filter((k) => k >= 4 * P))),
        ];
        checkReads(union, queries, model(va, vb), false, type);
        checkReads(union, queries, model(pa, pb), true, type);
      }),
      { numRuns: 30 },
    );
  }, 60_000);

  it("a run inside one page of one input is a view of the input's page", () => {
    const a = new PagedColumn("int32");
    a.writeRun(0, { data: Int32Array.from({ length: 10 }, (_, i) => i), valid: null, length: 10 });
    const union = new UnionColumnSource("int32", [{ start: 100, end: 200, source: a, shift: 100 }]);
    const v = union.getChunk(runKeys(102, 5), false, new Chunk("int32"));
    const direct = a.getChunk(runKeys(2, 5));
    expect((v.data as Int32Array).buffer).toBe((direct.data as Int32Array).buffer);
    expect(Array.from(v.data as Int32Array)).toEqual([2, 3, 4, 5, 6]);
  });
});

describe("RowRedirection", () => {
  it("answers NULL_KEY for keys redirected to no row and keeps previous keys for the cycle", () => {
    const tracker = new Tracker();
    const r = new RowRedirection(tracker);
    r.setRun(P - 2, 10, 4);
    r.set(5, NULL_KEY);
    tracker.end();
    r.set(P - 1, 99);
    r.set(5, 3);
    expect([r.get(P - 2), r.get(P - 1), r.get(P), r.get(P + 1), r.get(5)]).toEqual([
      10, 99, 12, 13, 3,
    ]);
    expect([r.get(P - 1, true), r.get(5, true), r.get(NULL_KEY)]).toEqual([11, NULL_KEY, NULL_KEY]);
    expect(Array.from(r.parentKeys(arrayKeys([P + 1, NULL_KEY, 5]), true))).toEqual([
      13,
      NULL_KEY,
      NULL_KEY,
    ]);
    expect(r.heapBytes).toBe(3 * P * 8);
    tracker.end();
    expect(r.get(P - 1, true)).toBe(99);
  });

  it("a redirected run onto consecutive parent keys reads the parent's page without a copy", () => {
    const parent = new PagedColumn("float64");
    parent.writeRun(0, {
      data: Float64Array.from({ length: 50 }, (_, i) => i / 2),
      valid: null,
      length: 50,
    });
    const r = new RowRedirection();
    r.setRun(1000, 20, 8);
    const src = new RedirectedColumnSource(parent, r);
    const v = src.getChunk(runKeys(1000, 8), false, new Chunk("float64"));
    expect((v.data as Float64Array).buffer).toBe(
      (parent.getChunk(runKeys(0, 1)).data as Float64Array).buffer,
    );
    expect(Array.from(v.data as Float64Array)).toEqual([10, 10.5, 11, 11.5, 12, 12.5, 13, 13.5]);
  });
});
