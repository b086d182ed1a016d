/**
 * The decoded-dictionary cache (`arrow/dictionary-cache.ts`) through `fromArrowIPC`: a dictionary
 * sent again byte for byte is found (its strings reused, values unchanged), one that differs in a
 * byte or only in where its values split is decoded afresh, small dictionaries and dictionaries
 * with nulls are never kept, and a property: any sequence of large dictionaries (repeated, or
 * changed here and there) decodes exactly as apache-arrow's own reader does.
 */
import * as arrow from "apache-arrow";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MIN_ENTRIES, sharedDictionaryCache } from "../../src/engine/arrow/dictionary-cache.ts";
import { fromArrowIPC } from "../../src/engine/index.ts";

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
});
