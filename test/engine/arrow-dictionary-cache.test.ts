/**
 * The decoded-dictionary cache (`arrow/dictionary-cache.ts`) through `fromArrowIPC`: a dictionary
 * sent again byte for byte is found (its strings reused, values unchanged), one that differs in a
 * byte or only in where its values split is decoded afresh, small dictionaries and dictionaries
 * with nulls are never kept, and a property: any sequence of large dictionaries (repeated, or
 * changed here and there) decodes exactly as apache-arrow's own reader does. A kept dictionary sent
 * again is not validated again, but one whose offsets differ (out of order) is checked and
 * rejected; and the byte comparison itself (`sameBytes`) against a plain loop at every alignment.
 */
import * as arrow from "apache-arrow";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MIN_ENTRIES, sharedDictionaryCache } from "../../src/engine/arrow/dictionary-cache.ts";
import { sameBytes } from "../../src/engine/arrow/framing.ts";
import { ArrowError, fromArrowIPC, tablePublisher, UpdateGraph } from "../../src/engine/index.ts";

/** One IPC stream of a Dictionary<Int32, Utf8> column "S" with indices `idx` into `dict`. */
function ipc(dict: readonly (string | null)[], idx: readonly number[]): Uint8Array {
  const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
  const s = arrow.makeVector({
    type,
    length: idx.length,
    nullCount: 0,
    data: Int32Array.from(idx),
    dictionary: arrow.vectorFromArray(dict as (string | null)[], new arrow.Utf8()),
  });
  return arrow.tableToIPC(new arrow.Table({ S: s }), "stream");
}

const column = (bytes: Uint8Array) =>
  fromArrowIPC(bytes)
    .toRows()
    .map((r) => r.S);
/** What apache-arrow's reader gives. */
const theirs = (bytes: Uint8Array) =>
  arrow
    .tableFromIPC(bytes)
    .getChild("S")!
    .toArray()
    .map((v: unknown) => v ?? null);

/** Where in `body` the offsets of `dict`'s values start (found by their first eight values). */
function offsetsAt(body: Uint8Array, dict: readonly string[]): number {
  const want = new Int32Array(8);
  for (let i = 1; i < 8; i++)
    want[i] = want[i - 1]! + new TextEncoder().encode(dict[i - 1]!).length;
  const w = new Uint8Array(want.buffer);
  for (let at = 0; at + w.length <= body.length; at += 4) {
    if (w.every((x, i) => body[at + i] === x)) return at;
  }
  throw new Error("offsets not found");
}

const cats = (n: number, tag = "") => Array.from({ length: n }, (_, i) => `cat-${tag}${i}`);

describe("decoded dictionary cache", () => {
  it("reuses a dictionary sent again byte for byte", () => {
    const dict = cats(1000);
    const { hits, misses } = sharedDictionaryCache;
    expect(column(ipc(dict, [5, 999, 5]))).toEqual(["cat-5", "cat-999", "cat-5"]);
    expect([sharedDictionaryCache.hits - hits, sharedDictionaryCache.misses - misses]).toEqual([
      0, 1,
    ]);
    expect(column(ipc(dict, [0, 1, 2, 998]))).toEqual(["cat-0", "cat-1", "cat-2", "cat-998"]);
    expect([sharedDictionaryCache.hits - hits, sharedDictionaryCache.misses - misses]).toEqual([
      1, 1,
    ]);
  });

  it("decodes afresh a dictionary that differs in one byte, or only in where values split", () => {
    const dict = cats(600, "x");
    column(ipc(dict, [0]));
    const { hits, misses } = sharedDictionaryCache;
    const changed = [...dict];
    changed[300] = "cat-x30!";
    expect(column(ipc(changed, [300, 301]))).toEqual(["cat-x30!", "cat-x301"]);
    // The same bytes cut elsewhere: "cat-x0" + "cat-x1" vs "cat-x0c" + "at-x1".
    const resplit = [...dict];
    resplit[0] = "cat-x0c";
    resplit[1] = "at-x1";
    expect(column(ipc(resplit, [0, 1, 2]))).toEqual(["cat-x0c", "at-x1", "cat-x2"]);
    expect([sharedDictionaryCache.hits - hits, sharedDictionaryCache.misses - misses]).toEqual([
      0, 2,
    ]);
    // The original is still kept.
    expect(column(ipc(dict, [1]))).toEqual(["cat-x1"]);
    expect(sharedDictionaryCache.hits - hits).toBe(1);
  });

  it("never keeps a small dictionary or one with nulls", () => {
    const small = cats(MIN_ENTRIES - 1, "s");
    const nulls: (string | null)[] = cats(MIN_ENTRIES * 2, "n");
    nulls[7] = null;
    const { hits, misses } = sharedDictionaryCache;
    for (let r = 0; r < 2; r++) {
      expect(column(ipc(small, [3]))).toEqual(["cat-s3"]);
      expect(column(ipc(nulls, [7, 8]))).toEqual([null, "cat-n8"]);
    }
    expect([sharedDictionaryCache.hits - hits, sharedDictionaryCache.misses - misses]).toEqual([
      0, 0,
    ]);
  });

  it("decodes any sequence of large dictionaries as apache-arrow does (property)", () => {
    const base = cats(MIN_ENTRIES + 40, "p");
    const edit = fc.record({
      at: fc.integer({ min: 0, max: base.length - 1 }),
      value: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("", "é", "cat-p1")),
    });
    fc.assert(
      fc.property(
        fc.array(fc.array(edit, { maxLength: 3 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 0, max: base.length - 1 }), { minLength: 1, maxLength: 20 }),
        (steps, idx) => {
          for (const edits of steps) {
            const dict = [...base];
            for (const e of edits) dict[e.at] = e.value;
            const bytes = ipc(dict, idx);
            expect(column(bytes)).toEqual(theirs(bytes));
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("a group-by over kept dictionaries, with repeats or without, equals one over their strings (property)", async () => {
    // A kept dictionary of a key column without repeats is read by the key index without a Map
    // (keys/key-columns.ts); one that repeats a string (an edit to "cat-g1") must not be, nor a
    // batch of plain Utf8 (no codes) among them.
    // (Rows and edits among the first 8 entries, so that a repeat is read under both its codes.)
    const base = cats(MIN_ENTRIES + 40, "g");
    const edit = fc.record({
      at: fc.integer({ min: 0, max: 7 }),
      // (Repeats with codes, and of values the string cache never holds: empty, past ASCII, long.)
      value: fc.oneof(
        fc.string({ maxLength: 4 }),
        fc.constantFrom("cat-g1", "cat-g2", "é", "", "a value longer than sixteen bytes"),
      ),
    });
    const batchArb = fc.record({
      edits: fc.array(edit, { maxLength: 3 }),
      idx: fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 30 }),
      plain: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(batchArb, { minLength: 1, maxLength: 6 }), async (batches) => {
        const g = new UpdateGraph();
        const [blink, pub] = tablePublisher(g, { name: "d", columns: { S: "string", X: "int64" } });
        const sums = blink.sumBy("S");
        const want = new Map<string, bigint>();
        let x = 0n;
        for (const b of batches) {
          const dict = [...base];
          for (const e of b.edits) dict[e.at] = e.value;
          const xs = b.idx.map(() => ++x);
          const strs = b.idx.map((k) => dict[k]!);
          const s = b.plain
            ? arrow.vectorFromArray(strs, new arrow.Utf8())
            : arrow.makeVector({
                type: new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()),
                length: b.idx.length,
                nullCount: 0,
                data: Int32Array.from(b.idx),
                dictionary: arrow.vectorFromArray(dict, new arrow.Utf8()),
              });
          const table = new arrow.Table({ S: s, X: arrow.makeVector(BigInt64Array.from(xs)) });
          pub.addArrow(arrow.tableToIPC(table, "stream"));
          await g.runCycle();
          strs.forEach((v, i) => {
            want.set(v, (want.get(v) ?? 0n) + xs[i]!);
          });
        }
        const got = new Map(sums.toRows().map((r) => [r.S as string, r.X as bigint]));
        expect(got).toEqual(want);
        expect(sums.size).toBe(want.size);
      }),
      { numRuns: 100 },
    );
  });

  it("a kept dictionary that repeats a string, held by the string cache or not, is read as one key", async () => {
    for (const repeated of ["", "é", "a value longer than sixteen bytes", "cat-r1"]) {
      const dict = cats(MIN_ENTRIES + 4, "r");
      dict[2] = repeated;
      dict[5] = repeated;
      const g = new UpdateGraph();
      const [blink, pub] = tablePublisher(g, { name: "r", columns: { S: "string", X: "int64" } });
      const sums = blink.sumBy("S");
      const s = arrow.makeVector({
        type: new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()),
        length: 4,
        nullCount: 0,
        data: Int32Array.of(2, 5, 2, 0),
        dictionary: arrow.vectorFromArray(dict, new arrow.Utf8()),
      });
      const x = arrow.makeVector(BigInt64Array.of(1n, 2n, 4n, 8n));
      pub.addArrow(arrow.tableToIPC(new arrow.Table({ S: s, X: x }), "stream"));
      await g.runCycle();
      expect(sums.toRows(), repeated).toEqual([
        { S: repeated, X: 7n },
        { S: "cat-r0", X: 8n },
      ]);
    }
  });

  it("checks, and rejects, a kept dictionary's bytes under offsets out of order", () => {
    const dict = cats(MIN_ENTRIES + 10, "v");
    const good = ipc(dict, [3, 4]);
    expect(column(good)).toEqual(["cat-v3", "cat-v4"]);
    // Entry 4's end moved before its start: the same bytes, offsets out of order.
    const bad = good.slice();
    const at = offsetsAt(good, dict);
    new DataView(bad.buffer).setInt32(at + 4 * 5, 2, true);
    const { hits, misses } = sharedDictionaryCache;
    expect(() => column(bad)).toThrow(ArrowError);
    expect(() => column(bad)).toThrow(
      /Column "S": the string at dictionary entry 4 ends at byte 2, before it starts/,
    );
    expect([sharedDictionaryCache.hits - hits, sharedDictionaryCache.misses - misses]).toEqual([
      0, 2,
    ]);
    // The kept one is still found, once per decode (validation's look-up is the decode's).
    expect(column(good)).toEqual(["cat-v3", "cat-v4"]);
    expect([sharedDictionaryCache.hits - hits, sharedDictionaryCache.misses - misses]).toEqual([
      1, 2,
    ]);
  });
});

describe("sameBytes", () => {
  const plain = (a: Uint8Array, b: Uint8Array) =>
    a.length === b.length && a.every((x, i) => x === b[i]);

  it("answers as a byte-by-byte loop at every alignment of either side (property)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 80 }),
        fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: 0, max: 15 }),
        fc.option(fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) })),
        fc.integer({ min: -2, max: 2 }),
        (bytes, offA, offB, edit, lengthChange) => {
          const a = new Uint8Array(offA + bytes.length);
          a.set(bytes, offA);
          const b = new Uint8Array(offB + bytes.length + 2);
          b.set(bytes, offB);
          const x = a.subarray(offA);
          let y = b.subarray(offB, offB + bytes.length);
          if (edit !== null && bytes.length > 0) y[edit.at % bytes.length]! ^= edit.xor;
          if (lengthChange !== 0) {
            y = b.subarray(offB, Math.max(offB, offB + bytes.length + lengthChange));
          }
          expect(sameBytes(x, y)).toBe(plain(x, y));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("tells apart the words of +0 and -0, and equal NaN bit patterns are equal", () => {
    const zero = new Uint8Array(16);
    const negZero = new Uint8Array(16);
    negZero[15] = 0x80;
    expect(sameBytes(zero, negZero)).toBe(false);
    const nan = new Uint8Array(new Float64Array([Number.NaN, Number.NaN]).buffer);
    expect(sameBytes(nan, nan.slice())).toBe(true);
    const otherNaN = nan.slice();
    otherNaN[0]! ^= 1;
    expect(sameBytes(nan, otherNaN)).toBe(false);
  });
});
