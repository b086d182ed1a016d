/**
 * String keys read through dictionary codes (`StringKeys` in keys/key-columns.ts): a
 * KeyHashTable fed chunks that carry codes hands out exactly the slots of one fed the same
 * strings without codes, through `findOrInsert`, `find` and `remove` (freed slots reused), with
 * nulls, a dictionary that repeats a string under two codes, chunks whose codes are partly
 * unknown (-1), and chunks switching between dictionaries, with and without repeats (`unique`:
 * then no Map is kept until something else comes). Single-column (string ids are the slots) and
 * two-column keys (string ids hashed) alike.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Vec } from "../../../src/engine/column.ts";
import type { StringDict } from "../../../src/engine/column-source.ts";
import { KeyHashTable } from "../../../src/engine/keys/key-hash-table.ts";

const dicts: StringDict[] = [
  { strs: ["A", "B", "C", "D", "A", "E"] }, // "A" under codes 0 and 4
  { strs: ["E", "D", "F", "G"] },
  // Dictionaries without repeats (`unique`): the keys keep no Map while every code comes from one
  // of them.
  { strs: ["A", "B", "C", "D", "E", "F"], unique: true },
  { strs: ["F", "G", "A", "H"], unique: true },
  // One that tells a string's code now (as the string cache's level does): a row read without a
  // code may name one of its strings; "I" it never holds (a value the level turned away).
  withCodeOf(["A", "B", "C", "D", "E", "F", "I"], (i) => (i === 6 ? -1 : i)),
  // One that can no longer tell (a level that emptied and started another).
  withCodeOf(["B", "H", "J", "A"], () => -2),
];

/** A dictionary without repeats whose `codeOf` answers `answer(index)` for its strings. */
function withCodeOf(strs: string[], answer: (i: number) => number): StringDict {
  return {
    strs,
    unique: true,
    codeOf: (s) => (strs.includes(s) ? answer(strs.indexOf(s)) : -1),
  };
}

interface Row {
  /** Dictionary index (into `dicts`), code, or null for a null key. */
  code: number | null;
  known: boolean;
}

const chunkArb = fc.record({
  dict: fc.integer({ min: 0, max: dicts.length - 1 }),
  op: fc.constantFrom("insert", "find", "remove"),
  rows: fc.array(
    fc.record({
      code: fc.option(fc.integer({ min: 0, max: 6 }), { freq: 8 }),
      known: fc.boolean(),
    }),
    { minLength: 1, maxLength: 12 },
  ),
  removeSlot: fc.integer({ min: 0, max: 10 }),
});

/** The key vectors of `rows` over `dict`: with codes (some unknown) or without. */
function vec(dict: StringDict, rows: readonly Row[], withCodes: boolean): Vec {
  const n = rows.length;
  const data = rows.map((r) => (r.code === null ? "" : dict.strs[r.code % dict.strs.length]!));
  const valid = Uint8Array.from(rows, (r) => (r.code === null ? 0 : 1));
  if (!withCodes) return { data, valid, length: n };
  // (A string the dictionary does not hold, by its `codeOf`, never has a code.)
  const codes = Int32Array.from(rows, (r) =>
    r.code === null || !r.known || dict.codeOf?.(dict.strs[r.code % dict.strs.length]!) === -1
      ? -1
      : r.code % dict.strs.length,
  );
  // Fresh string objects: codes must not depend on identity.
  return { data: data.map((s) => `${s}`), valid, length: n, codes, dict };
}

describe("string keys read through dictionary codes", () => {
  for (const width of [1, 2]) {
    it(`hand out the slots the strings alone give (${width} key column${width > 1 ? "s" : ""})`, () => {
      fc.assert(
        fc.property(
          // A stretch of chunks whose codes are all of one dictionary without repeats (read
          // without the Map of every string; rows without a code through its `codeOf`), then any
          // chunks (another dictionary, one that cannot tell, a removal, a dictionary without
          // `codeOf` and a row without a code make the keys build the Map).
          fc.array(
            chunkArb.map((c) => ({
              ...c,
              dict: 4,
              op: c.op === "remove" ? "insert" : c.op,
            })),
            { maxLength: 8 },
          ),
          fc.array(chunkArb, { minLength: 1, maxLength: 20 }),
          (stretch, rest) => {
            const chunks = [...stretch, ...rest];
            const types = width === 1 ? (["string"] as const) : (["string", "int32"] as const);
            const coded = new KeyHashTable([...types]);
            const plain = new KeyHashTable([...types]);
            const live = new Set<number>();
            for (const c of chunks) {
              const n = c.rows.length;
              const extra: Vec = {
                data: Int32Array.from(c.rows, (_, i) => i % 2),
                valid: null,
                length: n,
              };
              const keysC = [vec(dicts[c.dict]!, c.rows, true), ...(width > 1 ? [extra] : [])];
              const keysP = [vec(dicts[c.dict]!, c.rows, false), ...(width > 1 ? [extra] : [])];
              const a = new Int32Array(n);
              const b = new Int32Array(n);
              if (c.op === "remove") {
                const slot = [...live][c.removeSlot % Math.max(1, live.size)];
                if (slot === undefined) continue;
                coded.remove(slot);
                plain.remove(slot);
                live.delete(slot);
                continue;
              }
              if (c.op === "insert") {
                expect(coded.findOrInsert(keysC, n, a)).toBe(plain.findOrInsert(keysP, n, b));
                for (const s of b) live.add(s);
              } else {
                coded.find(keysC, n, a);
                plain.find(keysP, n, b);
              }
              expect(Array.from(a)).toEqual(Array.from(b));
            }
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  for (const unique of [false, true])
    it(`hand out the slots the strings alone give while an open dictionary${unique ? " without repeats" : ""} grows between chunks`, () => {
      // The string cache's large level hands out an open dictionary that gains strings after its
      // codes were read: a translation made when it was small must not answer for its new codes
      // (with what a larger dictionary read before left there, say).
      const more = ["H", "A", "I", "J", "C", "K", "L", "M", "N", "O"];
      fc.assert(
        fc.property(
          fc.array(
            fc.record({
              which: fc.constantFrom(0, 1, 2),
              grow: fc.integer({ min: 0, max: 3 }),
              insert: fc.boolean(),
              rows: fc.array(
                fc.record({
                  code: fc.option(fc.integer({ min: 0, max: 12 }), { freq: 8 }),
                  known: fc.boolean(),
                }),
                { minLength: 1, maxLength: 12 },
              ),
            }),
            { minLength: 1, maxLength: 25 },
          ),
          (chunks) => {
            const strs = ["E", "B"];
            // Without repeats it tells a string's code now, as the string cache's level does.
            const open: StringDict = unique
              ? { strs, open: true, unique, codeOf: (s) => strs.indexOf(s) }
              : { strs, open: true };
            const coded = new KeyHashTable(["string"]);
            const plain = new KeyHashTable(["string"]);
            for (const c of chunks) {
              for (let g = 0; g < c.grow && strs.length < 2 + more.length; g++)
                strs.push(more[strs.length - 2]!);
              const dict = c.which === 2 ? open : dicts[c.which]!;
              const n = c.rows.length;
              const a = new Int32Array(n);
              const b = new Int32Array(n);
              const keysC = [vec(dict, c.rows, true)];
              const keysP = [vec(dict, c.rows, false)];
              if (c.insert)
                expect(coded.findOrInsert(keysC, n, a)).toBe(plain.findOrInsert(keysP, n, b));
              else {
                coded.find(keysC, n, a);
                plain.find(keysP, n, b);
              }
              expect(Array.from(a)).toEqual(Array.from(b));
            }
          },
        ),
        { numRuns: 400 },
      );
    });
});
