/**
 * The Utf8 decode's string cache (`arrow/utf8-intern.ts` through `decodeUtf8`): hits and misses,
 * collisions and FIFO eviction in a set, values that are never cached (non-ASCII, longer than
 * 16 bytes), values near the end of their buffer, the text budget, the large level (which columns
 * go there, credit, barring and retry), and a property: any values, any batches, any cache size,
 * with or without a large level, decode exactly as a separate decode of each value does.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeUtf8 } from "../../src/engine/arrow/utf8.ts";
import {
  BARRED_CALLS,
  COLD_INSERTS,
  GROW_FROM_SET_BITS,
  MAX_CACHED_BYTES,
  RETRY_CREDIT,
  Utf8Intern,
  WARM_CREDIT,
} from "../../src/engine/arrow/utf8-intern.ts";
import type { StringDict } from "../../src/engine/column-source.ts";
import { ArrowError } from "../../src/engine/index.ts";
import { decodedEach, utf8Body } from "./utf8-body.ts";

const enc = new TextEncoder();

const body = utf8Body;

function decode(
  values: readonly (string | number[])[],
  intern: Utf8Intern | null,
  column = "S",
): string[] {
  const { bytes, offs } = body(values);
  const out = new Array<string>(values.length).fill("?");
  decodeUtf8(bytes, offs, values.length, out, 0, column, intern);
  return out;
}

/** A small cache of 2^setBits sets whose large level (2^largeBits sets) takes columns `want`. */
function twoLevels(setBits: number, largeBits: number, want?: (column: string) => boolean) {
  return new Utf8Intern(setBits, 1 << 22, {
    make: () => new Utf8Intern(largeBits),
    ...(want ? { want } : {}),
  });
}

const each = decodedEach;

describe("Utf8 string cache", () => {
  it("misses the first time, hits after, and leaves empty values out", () => {
    const c = new Utf8Intern(4);
    const vals = ["AAPL", "MSFT", "", "AAPL", "IBM"];
    expect(decode(vals, c)).toEqual(vals);
    // The first call looks every non-empty value up before inserting any.
    expect([c.hits, c.misses]).toEqual([0, 4]);
    expect(decode(vals, c)).toEqual(vals);
    expect([c.hits, c.misses]).toEqual([4, 4]);
    expect(decode(["IBM", "ORCL", "MSFT"], c)).toEqual(["IBM", "ORCL", "MSFT"]);
    expect([c.hits, c.misses]).toEqual([6, 5]);
  });

  it("confirms a hit by the whole key: same set, same length, other bytes", () => {
    const c = new Utf8Intern(0); // one set of two ways: every value collides
    expect(decode(["ab", "ac"], c)).toEqual(["ab", "ac"]);
    expect(decode(["ac", "ab", "ad", "ab"], c)).toEqual(["ac", "ab", "ad", "ab"]);
    expect([c.hits, c.misses]).toEqual([3, 3]);
    // Keys differing only in their 13th..16th byte, or only in length (zero padding).
    const long = ["ABCDEFGHIJKL0123", "ABCDEFGHIJKL0124", "ABCDEFGH", "ABCDEFGH\u0000"];
    const c2 = new Utf8Intern(0);
    for (let r = 0; r < 3; r++) expect(decode(long, c2)).toEqual(long);
  });

  it("evicts the older entry of a full set (FIFO per set)", () => {
    const c = new Utf8Intern(0);
    decode(["x"], c);
    decode(["y"], c); // set: y, x
    expect(decode(["x", "y"], c)).toEqual(["x", "y"]);
    expect(c.hits).toBe(2);
    decode(["z"], c); // set: z, y (x dropped)
    expect(decode(["y", "z"], c)).toEqual(["y", "z"]);
    expect(c.hits).toBe(4);
    const misses = c.misses;
    expect(decode(["x"], c)).toEqual(["x"]);
    expect(c.misses).toBe(misses + 1);
  });

  it("never caches non-ASCII values or values past the maximum length, and decodes them", () => {
    const c = new Utf8Intern(4);
    const long = "L".repeat(MAX_CACHED_BYTES + 1);
    const max = "M".repeat(MAX_CACHED_BYTES);
    const vals = ["é", "日本", "🙂x", long, max, "a"];
    for (let r = 0; r < 3; r++) expect(decode(vals, c)).toEqual(vals);
    // Per round after the first: 2 hits ("M"*16, "a"), 4 misses.
    expect([c.hits, c.misses]).toEqual([4, 6 + 8]);
  });

  it("decodes each missed value on its own: a code point split across misses stays invalid", () => {
    const c = new Utf8Intern(4);
    decode(["abc"], c);
    // "€" is E2 82 AC: cut across two values around a cached one, gathering the misses would
    // join the halves; each is invalid alone and decodes to U+FFFD.
    const vals: (string | number[])[] = [[0xe2, 0x82], "abc", [0xac], "é", [0xff], "abc"];
    expect(decode(vals, c)).toEqual(each(vals));
    expect(decode(vals, c)).toEqual(["\ufffd", "abc", "\ufffd", "é", "\ufffd", "abc"]);
    expect(decode(vals, null)).toEqual(each(vals));
  });

  it("reads values near the end of their buffer and inside a larger buffer alike", () => {
    const c = new Utf8Intern(6);
    const vals = ["SYM000001", "B", "SYM000002", "ABCDEFGHIJKLMNOP", "xyz"];
    const a = body(vals); // the last values lie within 16 bytes of the buffer's end
    const b = body(["PAD", ...vals], 64); // a view of a buffer 64 bytes longer
    for (let r = 0; r < 2; r++) {
      const out1 = new Array<string>(vals.length).fill("?");
      decodeUtf8(a.bytes, a.offs, vals.length, out1, 0, "S", c);
      expect(out1).toEqual(vals);
      const out2 = new Array<string>(vals.length + 1).fill("?");
      decodeUtf8(b.bytes, b.offs, vals.length + 1, out2, 0, "S", c);
      expect(out2).toEqual(["PAD", ...vals]);
    }
    expect(c.misses).toBe(6);
    expect(c.hits).toBe(5 + 5 + 6);
  });

  it("looks every value of a column's first call up and inserts each miss once", () => {
    const c = new Utf8Intern(12);
    // 1,000 rows of 100 keys: a sample of the first 64 would find none in a cold cache.
    const keys = Array.from({ length: 100 }, (_, i) => `k${i}`);
    const rows = Array.from({ length: 1000 }, (_, i) => keys[(i * 37) % 100]!);
    expect(decode(rows, c, "Sym")).toEqual(rows);
    expect([c.hits, c.misses]).toEqual([0, 1000]);
    // Every key is in, each once (a key inserted twice would fill both ways of its set).
    expect(decode(keys, c, "Sym")).toEqual(keys);
    expect([c.hits, c.misses]).toEqual([100, 1000]);
    expect(decode(rows, c, "Sym")).toEqual(rows);
    expect([c.hits, c.misses]).toEqual([1100, 1000]);
    // Another column's first call is not sampled either; the same column's later calls are.
    const ids = Array.from({ length: 100 }, (_, i) => `id${i}`);
    expect(decode(ids, c, "Id")).toEqual(ids);
    expect([c.hits, c.misses]).toEqual([1100, 1100]);
    const more = Array.from({ length: 100 }, (_, i) => `id${i + 100}`);
    expect(decode(more, c, "Id")).toEqual(more);
    expect(c.route("Id")).toBe(2); // gave up after 64 values: it idles
    expect([c.hits, c.misses]).toEqual([1100, 1200]);
    // One set of two ways: A, B, A, A inserts A and B (a second A would push B out).
    const one = new Utf8Intern(0);
    expect(decode(["A", "B", "A", "A"], one)).toEqual(["A", "B", "A", "A"]);
    expect(decode(["A", "B"], one)).toEqual(["A", "B"]);
    expect([one.hits, one.misses]).toEqual([2, 4]);
  });

  it("inserts at most COLD_INSERTS misses from a column's first call", () => {
    const c = new Utf8Intern(12);
    const ids = Array.from({ length: COLD_INSERTS + 500 }, (_, i) => `i${i}`);
    expect(decode(ids, c, "Id")).toEqual(ids);
    // The first COLD_INSERTS are in (a later call of another column finds them); the rest not.
    const firsts = ids.slice(COLD_INSERTS - 100, COLD_INSERTS);
    const lasts = ids.slice(COLD_INSERTS, COLD_INSERTS + 100);
    expect(decode(firsts, c, "A")).toEqual(firsts);
    expect([c.hits, c.misses]).toEqual([100, COLD_INSERTS + 500]);
    expect(decode(lasts, c, "B")).toEqual(lasts);
    expect([c.hits, c.misses]).toEqual([100, COLD_INSERTS + 600]);
  });

  it("gives up on a call whose first 64 values are not 3/4 found; its column idles 7 calls", () => {
    const c = new Utf8Intern(12);
    // The column's first call (of other values) is looked up whole; the calls after it sample.
    const first = Array.from({ length: 100 }, (_, i) => `w${i}`);
    expect(decode(first, c)).toEqual(first);
    expect([c.hits, c.misses]).toEqual([0, 100]);
    const vals = Array.from({ length: 100 }, (_, i) => `v${i}`);
    const steps: number[][] = [];
    for (let r = 1; r <= 26; r++) {
      expect(decode(vals, c)).toEqual(vals);
      steps.push([r, c.hits, c.misses - 100]);
    }
    expect(steps.filter(([r]) => r === 1 || r === 2 || r === 8 || r % 8 === 1 || r === 26)).toEqual(
      [
        [1, 0, 100], // gave up: v0..v15 inserted
        [2, 0, 100], // calls 2..8 decode without the cache
        [8, 0, 100],
        [9, 16, 184], // 16 of 64 found: gave up, v16..v31 inserted
        [17, 48, 252], // 32 of 64 found: gave up, v32..v47 inserted
        [25, 96, 304], // 48 of 64 found: every value looked up, every miss inserted
        [26, 196, 304],
      ],
    );
  });

  it("idles by column name: another column still uses the cache", () => {
    const c = new Utf8Intern(12);
    const ids = Array.from({ length: 100 }, (_, i) => `id${i}`);
    const { bytes, offs } = body(ids);
    decodeUtf8(bytes, offs, 100, new Array<string>(100), 0, "Id", c); // gives up
    const syms = body(["A", "B", "A"]);
    const out = ["", "", ""];
    decodeUtf8(syms.bytes, syms.offs, 3, out, 0, "Sym", c);
    decodeUtf8(syms.bytes, syms.offs, 3, out, 0, "Sym", c);
    expect(out).toEqual(["A", "B", "A"]);
    expect([c.hits, c.misses]).toEqual([3, 103]);
  });

  it("takes LargeUtf8 offsets and writes at an offset into the output", () => {
    const c = new Utf8Intern(4);
    const { bytes, offs } = body(["k1", "", "k2", "k1"]);
    const big = BigInt64Array.from(offs, (o) => BigInt(o));
    const out = ["x", "x", "x", "x", "x", "x"];
    decodeUtf8(bytes, big, 4, out, 1, "S", c);
    decodeUtf8(bytes, big, 4, out, 1, "S", c);
    expect(out).toEqual(["x", "k1", "", "k2", "k1", "x"]);
    expect([c.hits, c.misses]).toEqual([3, 3]);
  });

  it("rejects offsets out of order with the error of the uncached decode", () => {
    const bytes = enc.encode("abcdef");
    const offs = Int32Array.from([0, 3, 2, 6]);
    const run = (intern: Utf8Intern | null) => () =>
      decodeUtf8(bytes, offs, 3, ["", "", ""], 0, "S", intern);
    expect(run(new Utf8Intern(2))).toThrow(ArrowError);
    expect(run(new Utf8Intern(2))).toThrow(
      'Column "S": string value offsets are out of order or out of bounds',
    );
    expect(run(null)).toThrow('Column "S": string value offsets are out of order or out of bounds');
  });

  it("empties itself once the text its long entries were cut from passes the budget", () => {
    const c = new Utf8Intern(4, 40);
    const vals = ["ABCDEFGHIJKLM", "ABCDEFGHIJKLN"]; // 13 units each: slices of their text
    decode(vals, c); // charges 26
    expect(c.clears).toBe(0);
    decode(["NOPQRSTUVWXYZ"], c); // 26 + 13 = 39
    decode(["short"], c); // entries under 13 units charge nothing
    expect(c.clears).toBe(0);
    decode(["ZYXWVUTSRQPON"], c); // would pass 40: emptied first
    expect(c.clears).toBe(1);
    const misses = c.misses;
    expect(decode([...vals, "ZYXWVUTSRQPON", "short"], c)).toEqual([
      ...vals,
      "ZYXWVUTSRQPON",
      "short",
    ]);
    expect(c.misses).toBe(misses + 3);
  });

  it("sends a key column straight to the large level, and other columns to the small one", () => {
    const c = twoLevels(2, 10, (col) => col === "Sym");
    const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
    // "Id" is not wanted: after its first call (looked up whole at the small level), it gives up
    // on the small level and idles as without a large level, which is never made.
    const first = Array.from({ length: 200 }, (_, i) => `f${i}`);
    expect(decode(first, c, "Id")).toEqual(first);
    expect(decode(keys, c, "Id")).toEqual(keys);
    expect(c.large).toBeNull();
    expect(c.route("Id")).toBe(2);
    // "Sym" looks every value up in the large level from its first call on (none at the small
    // one): the first misses them all and inserts them.
    const smallSeen = c.hits + c.misses;
    expect(decode(keys, c, "Sym")).toEqual(keys);
    const large = c.large!;
    expect([large.hits, large.misses]).toEqual([0, 200]);
    expect(c.credit("Sym")).toBe(WARM_CREDIT - 200);
    // Its next calls find every key there; hits earn credit.
    expect(decode(keys, c, "Sym")).toEqual(keys);
    expect(decode(keys, c, "Sym")).toEqual(keys);
    expect([large.hits, large.misses]).toEqual([400, 200]);
    expect(c.hits + c.misses).toBe(smallSeen);
    expect(c.credit("Sym")).toBe(WARM_CREDIT + 200);
  });

  it("keeps a key column at the large level however few keys it repeats, with their codes", () => {
    const c = new Utf8Intern(12, 1 << 22, { make: () => new Utf8Intern(10, 1 << 22, null, 8) });
    // 100 keys would fit the small level; a key column stays at the large one, whose entries
    // are codes the key lookups read.
    const keys = Array.from({ length: 100 }, (_, i) => `q${i}`);
    let dict = null;
    for (let r = 0; r < 40; r++) {
      const { bytes, offs } = body(keys);
      const out = new Array<string>(keys.length).fill("?");
      const codes = new Int32Array(keys.length).fill(-7);
      dict = decodeUtf8(bytes, offs, keys.length, out, 0, "Q", c, codes);
      expect(out).toEqual(keys);
      expect(dict).not.toBeNull();
      expect(Array.from(codes, (code) => dict!.strs[code])).toEqual(keys);
    }
    expect(c.hits + c.misses).toBe(0);
    const large = c.large!;
    expect([large.hits, large.misses]).toEqual([3900, 100]);
    expect(c.credit("Q")).toBe(WARM_CREDIT - 100 + 3900);
  });

  it("bars a column that spends its credit, then retries it with less", () => {
    const c = twoLevels(2, 8);
    const many = WARM_CREDIT + 1000;
    const distinct = Array.from({ length: many }, (_, i) => `d${i}`);
    expect(decode(distinct, c, "Id")).toEqual(distinct);
    const large = c.large!;
    expect([large.hits, large.misses]).toEqual([0, many]);
    expect(c.credit("Id")).toBe(0);
    // Barred: BARRED_CALLS calls look nothing up at either level.
    const vals = Array.from({ length: 100 }, (_, i) => `v${i}`);
    const small = [c.hits, c.misses];
    for (let r = 0; r < BARRED_CALLS; r++) expect(decode(vals, c, "Id")).toEqual(vals);
    expect([c.hits, c.misses, large.hits, large.misses]).toEqual([...small, 0, many]);
    // Then the small level gives up again, and the large level takes the call with RETRY_CREDIT.
    expect(decode(vals, c, "Id")).toEqual(vals);
    expect(large.misses).toBe(many + 100);
    expect(c.credit("Id")).toBe(RETRY_CREDIT - 100);
  });

  it("inserts no more misses at the large level than the column has credit for", () => {
    const c = twoLevels(0, 12);
    const first = Array.from({ length: RETRY_CREDIT * 40 }, (_, i) => `a${i}`);
    decode(first, c, "X"); // spends WARM_CREDIT: barred
    for (let r = 0; r < BARRED_CALLS; r++) decode(["z"], c, "X");
    // The retry (credit RETRY_CREDIT) misses 2 * RETRY_CREDIT new values: only the first
    // RETRY_CREDIT go in, so of the two halves only the first is found on the next pass.
    const fresh = Array.from({ length: 2 * RETRY_CREDIT }, (_, i) => `b${i}`);
    const large = c.large!;
    decode(fresh, c, "X");
    for (let r = 0; r < BARRED_CALLS; r++) decode(["z"], c, "X");
    const hits = large.hits;
    expect(decode(fresh, c, "X")).toEqual(fresh);
    const found = large.hits - hits;
    // The 2^12 sets of two hold them all but for collisions, which can only lose some.
    expect(found).toBeLessThanOrEqual(RETRY_CREDIT);
    expect(found).toBeGreaterThan(RETRY_CREDIT * 0.8);
  });

  it("grows the large level as keys come in, each code naming its value through every doubling", () => {
    // At most 2^15 sets of 8 (the shared cache's); it starts at 2^GROW_FROM_SET_BITS sets.
    const c = new Utf8Intern(12, 1 << 22, { make: () => new Utf8Intern(15, 1 << 22, null, 8) });
    const first = 8 << GROW_FROM_SET_BITS;
    const batches = Array.from({ length: 25 }, (_, b) =>
      Array.from({ length: 1000 }, (_, i) => `g${b * 1000 + i}`),
    );
    const taken: { codes: Int32Array; vals: string[] }[] = [];
    let dict: { strs: readonly string[] } | null = null;
    const sizes: number[] = [];
    for (const vals of batches) {
      const { bytes, offs } = body(vals);
      const out = new Array<string>(vals.length).fill("?");
      const codes = new Int32Array(vals.length).fill(-7);
      const d = decodeUtf8(bytes, offs, vals.length, out, 0, "G", c, codes);
      expect(out).toEqual(vals);
      if (dict === null) dict = d;
      expect(d).toBe(dict); // one dictionary throughout: growing never empties the level
      taken.push({ codes, vals });
      sizes.push(c.large!.entries);
    }
    const large = c.large!;
    expect(sizes[0]).toBe(first);
    expect(large.entries).toBeGreaterThanOrEqual(4 * first); // 25,000 keys: at least 2^12 sets
    expect(large.entries).toBeLessThanOrEqual(8 << 15);
    expect(large.clears).toBe(0);
    // Every code taken before and after each doubling still names its value, and the second
    // pass finds every key with the code it was given the first time.
    expect(dict!.strs.length).toBe(25_000);
    for (const { codes, vals } of taken) {
      expect(Array.from(codes, (k) => dict!.strs[k])).toEqual(vals);
      const { bytes, offs } = body(vals);
      const out = new Array<string>(vals.length).fill("?");
      const again = new Int32Array(vals.length).fill(-7);
      const hits = large.hits;
      decodeUtf8(bytes, offs, vals.length, out, 0, "G", c, again);
      expect(large.hits - hits).toBe(vals.length);
      expect(again).toEqual(codes);
      expect(out).toEqual(vals);
    }
  });

  it("keeps a large level over a few keys at its first size, and starts it small again when it empties", () => {
    const c = new Utf8Intern(12, 1 << 22, { make: () => new Utf8Intern(11, 1 << 22, null, 8) });
    const few = Array.from({ length: 100 }, (_, i) => `f${i}`);
    for (let r = 0; r < 50; r++) expect(decode(few, c, "F")).toEqual(few);
    const large = c.large!;
    const first = 8 << GROW_FROM_SET_BITS;
    expect(large.entries).toBe(first);
    // Distinct keys past what 2^11 sets hold: the level grows once, then turns values away, and
    // once it turned away half its entries it empties, back at its first size, with a new
    // dictionary (the old one keeps its strings for the codes taken from it).
    const old = large.dict!;
    const oldStrs = [...old.strs];
    let grown = 0;
    let emptiedAt = -1;
    for (let b = 0; b < 400 && emptiedAt < 0; b++) {
      const vals = Array.from({ length: 100 }, (_, i) => `e${b * 100 + i}`);
      expect(decode(vals, c, "F")).toEqual(vals);
      grown = Math.max(grown, large.entries);
      if (large.clears === 1) emptiedAt = b;
    }
    expect(grown).toBe(2 * first);
    expect(emptiedAt).toBeGreaterThan(0);
    expect(large.entries).toBe(first);
    expect(large.dict).not.toBe(old);
    expect(old.strs).toEqual(oldStrs.concat(old.strs.slice(oldStrs.length)));
    expect(old.strs.slice(0, 100)).toEqual(few);
  });

  it("gives codes from the large level only, each naming its row's value (property)", () => {
    const pool = [
      ...Array.from({ length: 60 }, (_, i) => `k${i}`),
      // Every key word in use, the length bit of 16 (`codeOf` makes the words from characters),
      // and "i", whose key would be that of "é" if a character past ASCII were taken.
      "abcdefghijklmnop",
      "abcdefghijk",
      "i",
      "",
      "é",
      "x".repeat(MAX_CACHED_BYTES + 1),
    ];
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: 90, size: "max" }), {
          minLength: 1,
          maxLength: 8,
        }),
        (batches) => {
          // A small level of 2 entries, a large one of 4 sets of 8: sets fill up, values are
          // turned away, and the level empties and starts a new dictionary.
          const c = new Utf8Intern(0, 1 << 22, { make: () => new Utf8Intern(2, 1 << 22, null, 8) });
          // A key column (every column is one here): it goes to the large level.
          decode(
            Array.from({ length: 100 }, (_, i) => `w${i}`),
            c,
          );
          const large = c.large!;
          const seen: { dict: StringDict; codes: Int32Array; vals: string[] }[] = [];
          for (const vals of batches) {
            const { bytes, offs } = body(vals);
            const out = new Array<string>(vals.length).fill("?");
            const codes = new Int32Array(vals.length).fill(-7);
            const dict = decodeUtf8(bytes, offs, vals.length, out, 0, "S", c, codes);
            expect(out).toEqual(vals);
            // No codes when the level emptied during the call (a new dictionary), or when every
            // value is empty.
            if (dict === null) continue;
            expect(dict).toBe(large.dict);
            seen.push({ dict, codes, vals });
            vals.forEach((v, i) => {
              const code = codes[i]!;
              expect(code).toBeGreaterThanOrEqual(-1);
              if (code !== -1) expect(dict.strs[code]).toBe(v);
              // Empty, long and non-ASCII values are never in the level.
              if (v === "" || v === "é" || v.length > MAX_CACHED_BYTES) expect(code).toBe(-1);
            });
          }
          // Codes taken before the level emptied still name their values: an old dictionary
          // keeps its strings.
          for (const { dict, codes, vals } of seen)
            vals.forEach((v, i) => {
              if (codes[i] !== -1) expect(dict.strs[codes[i]!]).toBe(v);
            });
          // Every dictionary it handed out holds each string once, as its `unique` says (a value
          // repeated among one call's misses is inserted once; string keys read through its
          // codes keep no Map while they can: keys/key-columns.ts).
          for (const { dict } of seen) {
            expect(dict.unique).toBe(true);
            expect(new Set(dict.strs).size).toBe(dict.strs.length);
          }
          // Its `codeOf` tells a string's code while the dictionary is the level's (-1 for a
          // value never held), and -2 once the level has started another.
          for (const { dict, codes, vals } of seen)
            vals.forEach((v, i) => {
              const now = dict.codeOf!(v);
              if (dict !== large.dict) expect(now).toBe(-2);
              else if (codes[i] !== -1) expect(now).toBe(codes[i]);
              else if (v === "" || v === "é" || v.length > MAX_CACHED_BYTES) expect(now).toBe(-1);
              else expect(now === -1 || dict.strs[now] === v).toBe(true);
            });
        },
      ),
      { numRuns: 200 },
    );
    // Only a level that never evicts has a dictionary.
    expect(new Utf8Intern(4).dict).toBeNull();
  });

  it("decodes any values in any batches as a separate decode of each (property)", () => {
    const byte = fc.oneof(
      fc.integer({ min: 0x41, max: 0x44 }),
      fc.constantFrom(0x00, 0x7f, 0x80, 0xbf, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0xff),
    );
    const value = fc.oneof(
      fc.constantFrom("A", "AB", "ABC", "ABCD", "ABCDE", "é", "", "ABCDEFGHIJKLMNOPQ"),
      fc.array(byte, { maxLength: 20 }),
      fc.string({ maxLength: 18 }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(value, { maxLength: 12 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        (batches, setBits, large) => {
          const c = large
            ? new Utf8Intern(setBits, 64, { make: () => new Utf8Intern(setBits + 1, 64) })
            : new Utf8Intern(setBits, 64);
          for (const vals of batches) expect(decode(vals, c)).toEqual(each(vals));
        },
      ),
      { numRuns: 300 },
    );
  });
});
