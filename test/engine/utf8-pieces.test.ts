/**
 * utf8.ts decodes and encodes a string column's bytes in pieces of at most PIECE_BYTES (a longer
 * text would be a large-object string in V8). Bodies of several pieces, values longer than a
 * piece, non-ASCII and invalid UTF-8 in any piece, nulls and row offsets: the result is always
 * that of a separate decode (or TextEncoder encode) of each value.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeUtf8, encodeUtf8, PIECE_BYTES } from "../../src/engine/arrow/utf8.ts";
import { Utf8Intern } from "../../src/engine/arrow/utf8-intern.ts";
import { ArrowError } from "../../src/engine/index.ts";
import { decodedEach, utf8Body } from "./utf8-body.ts";

const enc = new TextEncoder();

/** A value: a string, or raw bytes (possibly invalid UTF-8). */
type Value = string | Uint8Array;

/** Values of a few bytes up to more than a piece: ASCII, 2- and 4-byte characters, raw bytes. */
const value: fc.Arbitrary<Value> = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc
    .tuple(
      fc.constantFrom("x", "é", "😀", "ab"),
      fc.constantFrom(1, 7, 1000, 20_000, PIECE_BYTES - 1, PIECE_BYTES + 3),
    )
    .map(([ch, n]) => ch.repeat(Math.ceil(n / enc.encode(ch).length))),
  fc
    .tuple(
      fc.integer({ min: 0, max: 40_000 }),
      fc.constantFrom(0x80, 0xc3, 0xe2, 0xf0, 0xff),
      fc.integer({ min: 0, max: 40_000 }),
    )
    .map(([a, bad, b]) => {
      const bytes = new Uint8Array(a + 1 + b).fill(0x61);
      bytes[a] = bad;
      return bytes;
    }),
);

const body = utf8Body;

/** The first index where `a` and `b` differ (-1: equal): a failure names it, not a huge diff. */
function mismatch(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return -1;
}

const each = decodedEach;

describe("Utf8 bodies of several pieces", () => {
  it("decodes every value as a separate decode of it, without and with the string cache (property)", () => {
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 14 }),
        fc.boolean(),
        (values, cached) => {
          const { bytes, offs } = body(values);
          const out = new Array<string>(values.length + 2).fill("?");
          // A warm cache turns some rows into hits and decodes only the misses.
          const c = cached ? new Utf8Intern(4, 1 << 22) : null;
          if (c) decodeUtf8(bytes, offs, values.length, [], 0, "S", c);
          decodeUtf8(bytes, offs, values.length, out, 1, "S", c);
          expect(out.slice(1, -1)).toEqual(each(values));
          expect([out[0], out.at(-1)]).toEqual(["?", "?"]);
        },
      ),
      { numRuns: 120 },
    );
  });

  it("decodes a body of many short values across piece boundaries", () => {
    const values = Array.from({ length: 60_000 }, (_, i) =>
      i % 1000 === 999 ? `é${i}` : `value-${i}`,
    );
    const { bytes, offs } = body(values);
    expect(bytes.length).toBeGreaterThan(3 * PIECE_BYTES);
    const out = new Array<string>(values.length);
    decodeUtf8(bytes, offs, values.length, out, 0, "S", null);
    expect(out).toEqual(values);
  });

  it("still refuses offsets out of order in a later piece", () => {
    const values = Array.from({ length: 40_000 }, (_, i) => `value-${i}`);
    const { bytes, offs } = body(values);
    offs[35_000] = offs[34_990]!;
    offs[35_001] = offs[34_980]!;
    expect(() => decodeUtf8(bytes, offs, values.length, [], 0, "S", null)).toThrow(ArrowError);
  });

  it("encodes many ASCII values across piece boundaries, and a non-ASCII value in the last piece", () => {
    const values = Array.from({ length: 60_000 }, (_, i) => `value-${i}`);
    const valid = Uint8Array.from(values, (_, i) => (i % 7 === 3 ? 0 : 1));
    for (const last of ["tail", "tailé"]) {
      const data = [...values, last];
      const v = Uint8Array.from([...valid, 1]);
      const got = encodeUtf8({ data, valid: v, length: data.length }, 0, data.length, "S");
      const want = body(data.map((s, i) => (v[i] === 0 ? "" : s)));
      expect(want.bytes.length).toBeGreaterThan(3 * PIECE_BYTES);
      expect(mismatch(got.offsets, want.offs)).toBe(-1);
      expect(mismatch(got.bytes, want.bytes)).toBe(-1);
    }
  });

  it("encodes values of several pieces as TextEncoder does, nulls empty (property)", () => {
    const str = value.map((v) => decodedEach([v])[0]!);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(str, fc.boolean()), { minLength: 1, maxLength: 14 }),
        fc.nat(3),
        (cells, from) => {
          const data = [...Array<string>(from).fill("pad"), ...cells.map(([s]) => s)];
          const valid = Uint8Array.from([
            ...Array<number>(from).fill(1),
            ...cells.map(([, v]) => (v ? 1 : 0)),
          ]);
          const got = encodeUtf8({ data, valid, length: data.length }, from, cells.length, "S");
          const want = body(cells.map(([s, v]) => (v ? s : "")));
          expect(mismatch(got.offsets, want.offs)).toBe(-1);
          expect(mismatch(got.bytes, want.bytes)).toBe(-1);
        },
      ),
      { numRuns: 80 },
    );
  });
});
