/**
 * Property test for PagedColumn's previous values kept through undo logs (undo-log.ts): over
 * random cycles of single writes (nulls included), runs long enough to overflow a page's log,
 * scattered writes and releases of whole pages, every previous-value read (`getPrev`, `run` and
 * `getChunk` with `prev`, at any point of the cycle, before or after further writes) gives what
 * the key held when the cycle began, and every current read what was last written. int64
 * columns are also read as numbers before some writes (their pages' 32-bit word views made, which the undo log then saves through). String runs
 * are also written as UTF-8 into a column that keeps them so (`takeUtf8`, with and without
 * sealing), with runs appended at a page's end: open UTF-8 pages appended to in place, in the
 * cycle that made them or a later one, then overwritten, scattered into and released.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PAGE_SIZE, PagedColumn } from "../../src/engine/column.ts";
import { arrayKeys } from "../../src/engine/column-source.ts";
import { RowSet } from "../../src/engine/row-set.ts";
import type { ColumnType, RawValue } from "../../src/engine/types.ts";
import { allocStorage } from "../../src/engine/types.ts";
import { Tracker } from "./cycle-tracker.ts";

const PAGES = 3;
const KEYS = PAGES * PAGE_SIZE;

type Op =
  | { kind: "set"; key: number; v: number | null }
  | { kind: "run"; key: number; length: number; v: number; nullAt: number }
  | { kind: "scatter"; keys: number[]; v: number }
  | { kind: "release"; page: number }
  | { kind: "readPrev"; key: number; length: number }
  | { kind: "append"; page: number; length: number; v: number; nullAt: number };

const keyArb = fc.oneof(
  fc.integer({ min: 0, max: KEYS - 1 }),
  fc.integer({ min: 0, max: 40 }),
  fc.integer({ min: PAGE_SIZE - 20, max: PAGE_SIZE + 20 }),
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("set" as const),
      key: keyArb,
      v: fc.option(fc.integer({ min: -50, max: 50 }), { freq: 4 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("run" as const),
      key: keyArb,
      // Up to a page: long runs overflow the page's log (PAGE_SIZE / 8 slots).
      length: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 100, max: PAGE_SIZE })),
      v: fc.integer({ min: -50, max: 50 }),
      nullAt: fc.integer({ min: -1, max: 20 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("scatter" as const),
      keys: fc
        .uniqueArray(keyArb, { minLength: 1, maxLength: 30 })
        .map((k) => k.sort((a, b) => a - b)),
      v: fc.integer({ min: -50, max: 50 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("release" as const),
      page: fc.integer({ min: 0, max: PAGES - 1 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("readPrev" as const),
      key: keyArb,
      length: fc.integer({ min: 1, max: 300 }),
    }),
  },
);

/**
 * With appends: a run at the end of a page's written slots (an open UTF-8 page takes it in
 * place, in this cycle or a later one), or starting an empty page.
 */
const appendOpArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: opArb },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("append" as const),
      page: fc.integer({ min: 0, max: PAGES - 1 }),
      length: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 500, max: 3000 })),
      v: fc.integer({ min: -50, max: 50 }),
      nullAt: fc.integer({ min: -1, max: 20 }),
    }),
  },
);

/** The stored form of test value `v` in a column of `type`. */
function raw(type: ColumnType, v: number | null): RawValue {
  if (v === null) return null;
  if (type === "string") return `s${v}`;
  // int64: values whose high word is used, negative ones among them (the undo log's words).
  if (type === "int64") return BigInt(v) * 3_000_000_019n + BigInt(v % 2);
  return v;
}

/**
 * Writes `values` (raw, null for null) at keys `[key, key + values.length)`; with `utf8`, a
 * string column's values as their UTF-8 (`Vec.utf8`, as a publish of distinct values gives them).
 */
function writeRun(
  c: PagedColumn,
  type: ColumnType,
  key: number,
  values: RawValue[],
  utf8 = false,
): void {
  if (utf8) {
    const enc = new TextEncoder();
    const parts = values.map((v) => enc.encode(v === null ? "" : (v as string)));
    const offsets = new Int32Array(values.length + 1);
    parts.forEach((b, i) => {
      offsets[i + 1] = offsets[i]! + b.length;
    });
    const bytes = new Uint8Array(offsets[values.length]!);
    parts.forEach((b, i) => {
      bytes.set(b, offsets[i]!);
    });
    const valid = Uint8Array.from(values, (v) => (v === null ? 0 : 1));
    c.writeRun(key, { data: [] as never, valid, length: values.length, utf8: { offsets, bytes } });
    return;
  }
  const data = allocStorage(type, values.length) as unknown as RawValue[];
  const valid = new Uint8Array(values.length);
  values.forEach((v, i) => {
    if (v !== null) {
      data[i] = v;
      valid[i] = 1;
    }
  });
  c.writeRun(key, { data: data as never, valid, length: values.length });
}

/**
 * `utf8`: string runs are written as UTF-8 to a column that keeps them so (`takeUtf8`), in open
 * pages where they start a page or continue an open one; `seal`: the column also seals its full
 * pages (`sealFullPages`).
 */
function check(type: ColumnType, cycles: Op[][], utf8 = false, seal = false): void {
  const t = new Tracker();
  const c = new PagedColumn(type, t);
  if (utf8) c.takeUtf8();
  if (seal) c.sealFullPages();
  // Model: the current value of each key (undefined: never written or released) and the values
  // when the cycle began.
  let cur = new Map<number, RawValue>();
  for (const ops of cycles) {
    const begin = new Map(cur);
    const checkPrev = (key: number, length: number) => {
      const end = Math.min(KEYS, key + length);
      const keys: number[] = [];
      for (let k = key; k < end; k++) if (begin.has(k)) keys.push(k);
      if (keys.length === 0) return;
      const expected = keys.map((k) => begin.get(k));
      expect(keys.map((k) => c.getRaw(k, true))).toEqual(expected);
      const chunk = c.getChunk(arrayKeys(keys), true);
      const got = keys.map((_, i) =>
        chunk.valid !== null && chunk.valid[i] === 0
          ? null
          : (chunk.data as unknown as RawValue[])[i],
      );
      expect(got).toEqual(expected);
      // A run inside one page whose keys all had values: the page's previous contents.
      const page = Math.floor(key / PAGE_SIZE);
      const runEnd = Math.min(end, (page + 1) * PAGE_SIZE);
      let all = true;
      for (let k = key; k < runEnd; k++) all &&= begin.has(k);
      if (all && runEnd > key) {
        const v = c.run(key, runEnd - key, true);
        for (let k = key; k < runEnd; k++) {
          const i = k - key;
          const x =
            v.valid !== null && v.valid[i] === 0 ? null : (v.data as never as RawValue[])[i];
          expect(x).toEqual(begin.get(k));
        }
      }
    };
    for (const op of ops) {
      switch (op.kind) {
        case "set":
          // An int64 read as a number first: its page's 32-bit word view is made, and the
          // undo log then saves the values it replaces as words (no BigInt).
          if (type === "int64" && op.key % 2 === 0) c.getNumber(op.key);
          c.setRaw(op.key, raw(type, op.v));
          cur.set(op.key, raw(type, op.v));
          break;
        case "append":
        case "run": {
          let key = op.kind === "run" ? op.key : op.page * PAGE_SIZE;
          if (op.kind === "append") {
            // The end of the page's written keys (the keys of a page are written from its first
            // on, or released together).
            const lo = op.page * PAGE_SIZE;
            for (const k of cur.keys()) if (k >= lo && k < lo + PAGE_SIZE && k >= key) key = k + 1;
          }
          const len = Math.min(op.length, KEYS - key);
          if (len <= 0) break;
          const values = Array.from({ length: len }, (_, i) =>
            i === op.nullAt ? null : raw(type, op.v + i),
          );
          writeRun(c, type, key, values, utf8);
          values.forEach((v, i) => {
            cur.set(key + i, v);
          });
          break;
        }
        case "scatter": {
          const data = allocStorage(type, op.keys.length) as unknown as RawValue[];
          op.keys.forEach((_, i) => {
            data[i] = raw(type, op.v - i);
          });
          c.scatter(op.keys, op.keys.length, {
            data: data as never,
            valid: null,
            length: op.keys.length,
          });
          op.keys.forEach((k, i) => {
            cur.set(k, raw(type, op.v - i));
          });
          break;
        }
        case "release": {
          const lo = op.page * PAGE_SIZE;
          const hi = lo + PAGE_SIZE;
          c.release(RowSet.range(lo, hi), RowSet.EMPTY);
          const next = new Map<number, RawValue>();
          for (const [k, v] of cur) if (k < lo || k >= hi) next.set(k, v);
          cur = next;
          break;
        }
        case "readPrev":
          checkPrev(op.key, op.length);
          break;
      }
    }
    checkPrev(0, KEYS);
    for (const [k, v] of cur) expect(c.getRaw(k)).toEqual(v);
    t.end();
  }
}

describe("PagedColumn previous values (undo logs)", () => {
  for (const type of ["int32", "float64", "int64", "string"] as const) {
    it(`${type}: previous reads give the values the cycle began with`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.array(opArb, { maxLength: 40 }), { minLength: 1, maxLength: 6 }),
          (cycles) => check(type, cycles),
        ),
        { numRuns: 60 },
      );
    });
  }

  for (const seal of [false, true])
    it(`string, runs as UTF-8 into open pages${seal ? ", sealed when full" : ""}: previous reads give the values the cycle began with`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.array(appendOpArb, { maxLength: 40 }), { minLength: 1, maxLength: 6 }),
          (cycles) => check("string", cycles, true, seal),
        ),
        { numRuns: 60 },
      );
    });

  it("a cycle that rewrites a few rows in every page copies no page", () => {
    const t = new Tracker();
    const c = new PagedColumn("float64", t);
    const n = KEYS;
    c.writeRun(0, { data: new Float64Array(n).fill(1), valid: null, length: n });
    t.end();
    for (let pi = 0; pi < PAGES; pi++) c.setRaw(pi * PAGE_SIZE + 7, 2);
    // Only the current pages: the rewritten slots' old values sit in the logs.
    expect(c.pageCount).toBe(PAGES);
    // The first previous read of a page copies that page aside (and only that one).
    expect(c.getPrev(PAGE_SIZE + 7)).toBe(1);
    expect(c.pageCount).toBe(PAGES + 1);
    expect(c.getPrev(7)).toBe(1);
    expect(c.get(7)).toBe(2);
    t.end();
    expect(c.pageCount).toBe(PAGES);
    expect(c.getPrev(7)).toBe(2);
  });
});
