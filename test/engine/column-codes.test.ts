/**
 * Dictionary codes in string pages (column.ts, column-source.ts): taken with the storage, handed
 * out by `run` and copied into chunks by `fillChunk`, carried by `writeRun` and `copyRunFrom`
 * (borrowed pages too), marked unknown by any write without them or from another dictionary, and
 * absent from previous values once a page was written. A property drives random writes, copies
 * and reads over two dictionaries and checks the one invariant every reader relies on: a row's
 * known code names its string (`data[i] === dict.strs[codes[i]]`).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Vec } from "../../src/engine/column.ts";
import { PAGE_SIZE, PagedColumn } from "../../src/engine/column.ts";
import type { StringDict } from "../../src/engine/column-source.ts";
import { arrayKeys, Chunk, runKeys } from "../../src/engine/column-source.ts";
import { Tracker } from "./cycle-tracker.ts";

const dictA: StringDict = { strs: ["a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7"] };
const dictB: StringDict = { strs: ["b0", "b1", "b2", "a3", "b4"] };

/** A string vector of codes `cs` into `dict` (its strings are the dictionary's). */
function coded(dict: StringDict, cs: readonly number[]): Vec {
  return {
    data: cs.map((c) => dict.strs[c]!),
    valid: null,
    length: cs.length,
    codes: Int32Array.from(cs),
    dict,
  };
}

/** Codes as a plain array, or null when the vector has none. */
function codesOf(v: Vec): number[] | null {
  return v.dict ? Array.from(v.codes!.subarray(0, v.length)) : null;
}

/** Every known code of `v` names its string. */
function checkInvariant(v: Vec): void {
  if (!v.dict) return;
  const data = v.data as string[];
  for (let i = 0; i < v.length; i++) {
    if (v.valid && v.valid[i] === 0) continue;
    const c = v.codes![i]!;
    if (c >= 0) expect(data[i]).toBe(v.dict.strs[c]);
  }
}

describe("dictionary codes in string pages", () => {
  it("are taken with the storage and handed out by run and getChunk", () => {
    const col = new PagedColumn("string");
    const n = PAGE_SIZE + 10;
    const cs = Array.from({ length: n }, (_, i) => i % 8);
    col.takeStorage(coded(dictA, cs));
    const page = col.run(0, PAGE_SIZE);
    expect(page.dict).toBe(dictA);
    expect(codesOf(page)).toEqual(cs.slice(0, PAGE_SIZE));
    // A partial run read into a chunk: the codes are copied with the values.
    const chunk = new Chunk("string");
    const part = col.getChunk(runKeys(PAGE_SIZE - 3, 8), false, chunk);
    expect(part.dict).toBe(dictA);
    expect(codesOf(part)).toEqual(cs.slice(PAGE_SIZE - 3, PAGE_SIZE + 5));
    // Gathered keys too; a NULL_KEY position reads as null with no code.
    const keys = [5, -1, PAGE_SIZE + 2, 7];
    const g = col.getChunk(arrayKeys(keys), false, chunk);
    const got = g.data as string[];
    expect([got[0], got[2], got[3]]).toEqual(["a5", "a2", "a7"]);
    expect(g.valid![1]).toBe(0);
    expect(codesOf(g)).toEqual([5, -1, 2, 7]);
    checkInvariant(g);
  });

  it("are kept by writes of the same dictionary and cleared by any other write", () => {
    const col = new PagedColumn("string");
    col.writeRun(0, coded(dictA, [1, 2, 3, 4]));
    expect(codesOf(col.run(0, 4))).toEqual([1, 2, 3, 4]);
    col.setRaw(1, "x");
    col.scatter([2], 1, { data: ["y"], valid: null, length: 1 });
    expect(codesOf(col.run(0, 4))).toEqual([1, -1, -1, 4]);
    // Another dictionary at an offset: unknown there; the page keeps dictionary A.
    col.writeRun(4, coded(dictB, [0, 1]));
    const v = col.run(0, 6);
    expect(v.dict).toBe(dictA);
    expect(codesOf(v)).toEqual([1, -1, -1, 4, -1, -1]);
    expect(v.data).toEqual(["a1", "x", "y", "a4", "b0", "b1"]);
    // A write without codes over codes: unknown.
    col.writeRun(0, { data: ["p", "q"], valid: null, length: 2 });
    expect(codesOf(col.run(0, 6))).toEqual([-1, -1, -1, 4, -1, -1]);
    // Every written slot replaced from the start: the page takes the new dictionary.
    col.writeRun(0, coded(dictB, [4, 3, 2, 1, 0, 0, 1]));
    const w = col.run(0, 7);
    expect(w.dict).toBe(dictB);
    expect(codesOf(w)).toEqual([4, 3, 2, 1, 0, 0, 1]);
    checkInvariant(w);
  });

  it("are copied page to page, and a borrowed page's are owned before a write", () => {
    const src = new PagedColumn("string");
    const cs = Array.from({ length: PAGE_SIZE * 2 }, (_, i) => (i * 3) % 8);
    src.takeStorage(coded(dictA, cs));
    const dst = new PagedColumn("string");
    dst.copyRunFrom(src, 0, 0, PAGE_SIZE * 2, true); // borrowed pages
    dst.copyRunFrom(src, 5, PAGE_SIZE * 2, 20); // copied
    expect(codesOf(dst.run(PAGE_SIZE * 2, 20))).toEqual(cs.slice(5, 25));
    dst.setRaw(3, "mine");
    expect(codesOf(dst.run(0, 6))).toEqual([0, 3, 6, -1, 4, 7]);
    // The source's codes are untouched.
    expect(codesOf(src.run(0, 6))).toEqual([0, 3, 6, 1, 4, 7]);
    expect(src.get(3)).toBe("a1");
  });

  it("are not in previous values once the page was written in the cycle", () => {
    const t = new Tracker();
    const col = new PagedColumn("string", t);
    col.writeRun(0, coded(dictA, [0, 1, 2]));
    t.end();
    expect(codesOf(col.run(0, 3, true))).toEqual([0, 1, 2]);
    col.writeRun(1, coded(dictA, [7]));
    const prev = col.run(0, 3, true);
    expect(prev.data).toEqual(["a0", "a1", "a2"]);
    expect(prev.dict).toBeNull();
    expect(codesOf(col.run(0, 3))).toEqual([0, 7, 2]);
    t.end();
  });

  it("are dropped from a full page of a refreshing column once a cycle ends without writing it", () => {
    const t = new Tracker();
    const col = new PagedColumn("string", t);
    const codes = Array.from({ length: PAGE_SIZE + 5 }, (_, i) => i % 8);
    col.writeRun(0, coded(dictA, codes)); // page 0 full, page 1 partly filled
    t.end();
    // Written in the cycle that ended: both keep their codes.
    expect(col.run(0, 4).dict).toBe(dictA);
    col.writeRun(PAGE_SIZE + 5, coded(dictA, [1, 2]));
    const before = col.heapBytes;
    t.end();
    expect(before - col.heapBytes).toBe(4 * PAGE_SIZE);
    // Page 0 is full and was not written: its codes are gone; page 1 is still being filled.
    expect(col.run(0, 4).dict).toBeNull();
    expect(col.run(0, 4).data).toEqual(["a0", "a1", "a2", "a3"]);
    expect(codesOf(col.run(PAGE_SIZE, 7))).toEqual([0, 1, 2, 3, 4, 1, 2]);
    // A column without a tracker (a static table) keeps them.
    const fixed = new PagedColumn("string");
    fixed.writeRun(0, coded(dictA, codes));
    expect(fixed.run(0, 2).dict).toBe(dictA);
  });

  it("always name their string, whatever the writes, copies and reads (property)", () => {
    const code = (d: StringDict) => fc.integer({ min: 0, max: d.strs.length - 1 });
    const span = fc.record({
      at: fc.integer({ min: 0, max: 2 * PAGE_SIZE }),
      n: fc.integer({ min: 1, max: 300 }),
    });
    const op = fc.oneof(
      fc.record({ kind: fc.constant("codedA" as const), span, c: code(dictA) }),
      fc.record({ kind: fc.constant("codedB" as const), span, c: code(dictB) }),
      fc.record({ kind: fc.constant("plain" as const), span }),
      fc.record({
        kind: fc.constant("set" as const),
        at: fc.integer({ min: 0, max: 2 * PAGE_SIZE }),
      }),
      fc.record({
        kind: fc.constant("copy" as const),
        span,
        from: fc.integer({ min: 0, max: PAGE_SIZE }),
      }),
      fc.record({ kind: fc.constant("endCycle" as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 25 }), (ops) => {
        const t = new Tracker();
        const col = new PagedColumn("string", t);
        const other = new PagedColumn("string");
        other.takeStorage(
          coded(
            dictB,
            Array.from({ length: 2 * PAGE_SIZE }, (_, i) => i % 5),
          ),
        );
        const model: string[] = [];
        for (const o of ops) {
          if (o.kind === "endCycle") t.end();
          else if (o.kind === "set") {
            col.setRaw(o.at, `s${o.at}`);
            model[o.at] = `s${o.at}`;
          } else if (o.kind === "copy") {
            col.copyRunFrom(other, o.from, o.span.at, o.span.n);
            for (let i = 0; i < o.span.n; i++) model[o.span.at + i] = dictB.strs[(o.from + i) % 5]!;
          } else {
            const { at, n } = o.span;
            const cs = Array.from(
              { length: n },
              (_, i) => (("c" in o ? o.c : 0) + i) % (o.kind === "codedB" ? 5 : 8),
            );
            const v =
              o.kind === "plain"
                ? { data: cs.map((c) => `p${c}`), valid: null, length: n }
                : coded(o.kind === "codedA" ? dictA : dictB, cs);
            col.writeRun(at, v);
            for (let i = 0; i < n; i++) model[at + i] = (v.data as string[])[i]!;
          }
        }
        // Read back every written run within pages, and gathers into a chunk.
        const written = model.map((s, k) => (s === undefined ? -1 : k)).filter((k) => k >= 0);
        const chunk = new Chunk("string");
        for (let pi = 0; pi * PAGE_SIZE < model.length; pi++) {
          const lo = pi * PAGE_SIZE;
          const hi = Math.min(model.length, lo + PAGE_SIZE);
          const keys = written.filter((k) => k >= lo && k < hi);
          if (keys.length === 0) continue;
          const g = col.getChunk(arrayKeys(keys), false, chunk);
          expect(Array.from(g.data as string[]).slice(0, keys.length)).toEqual(
            keys.map((k) => model[k]),
          );
          checkInvariant(g);
        }
        for (const k of written.slice(0, 50)) {
          const v = col.getChunk(runKeys(k, 1), false);
          expect((v.data as string[])[0]).toBe(model[k]);
          checkInvariant(v);
        }
      }),
      { numRuns: 150 },
    );
  });
});
