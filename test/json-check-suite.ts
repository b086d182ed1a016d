/**
 * The cases and properties of the router's JSON body check (`isJsonArrayOfObjects`,
 * src/worker/json-check.ts) against what it stands in for: a fatal UTF-8 decode that keeps a byte
 * order mark, `JSON.parse` and the row check. Run inside workerd (test/workers/json-check.test.ts)
 * and in Node with the engine's WebAssembly on and off (test/engine/json-check-wasm.test.ts).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";

export const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();
export const bytesOf = (text: string) => encoder.encode(text);

/** The reference: the bytes decode (without stripping a BOM) and parse to an array of objects. */
export function reference(bytes: Uint8Array): boolean {
  let value: unknown;
  try {
    value = JSON.parse(strict.decode(bytes));
  } catch {
    return false;
  }
  return (
    Array.isArray(value) &&
    value.every((r) => r !== null && typeof r === "object" && !Array.isArray(r))
  );
}

export const row = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });
const rows = fc.array(row, { maxLength: 8 });

/** JSON texts of rows, compact or spaced. */
export const rowsText = fc
  .tuple(rows, fc.constantFrom(undefined, 1, 2, "\t", " \r\n"))
  .map(([r, space]) => JSON.stringify(r, null, space as string | number | undefined));

/** Bytes that matter to the grammar and to UTF-8, to mutate texts with or build them from. */
const SPECIAL = [...'[]{}",:\\/ \t\r\n0123456789-+.eEtrufalsnbu', "\u0000", "\u001f", "\u007f"].map(
  (c) => c.charCodeAt(0),
);
const RAW = [
  0x80, 0xbf, 0xc0, 0xc2, 0xc3, 0xa9, 0xe0, 0xed, 0xa0, 0x9f, 0xef, 0xbb, 0xf0, 0xf4, 0x90, 0x8f,
  0xf5, 0xff,
];
const anyByte = fc.oneof(
  fc.constantFrom(...SPECIAL),
  fc.constantFrom(...RAW),
  fc.integer({ min: 0, max: 255 }),
);

type Edit = { at: number; kind: "insert" | "delete" | "replace"; byte: number };
export const edits = fc.array(
  fc.record({
    at: fc.nat(),
    kind: fc.constantFrom("insert", "delete", "replace"),
    byte: anyByte,
  }) as fc.Arbitrary<Edit>,
  { minLength: 1, maxLength: 3 },
);

export function mutate(bytes: Uint8Array, list: Edit[]): Uint8Array {
  const b = Array.from(bytes);
  for (const e of list) {
    const at = b.length === 0 ? 0 : e.at % (b.length + (e.kind === "insert" ? 1 : 0));
    if (e.kind === "insert") b.splice(at, 0, e.byte);
    else if (b.length > 0 && e.kind === "delete") b.splice(at, 1);
    else if (b.length > 0) b[at] = e.byte;
  }
  return new Uint8Array(b);
}

/** The suite, over `isJsonArrayOfObjects` (or another check of the same contract). */
export function jsonCheckSuite(name: string, isJsonArrayOfObjects: (b: Uint8Array) => boolean) {
  describe(name, () => {
    it("property: takes every array of objects JSON.stringify writes, compact or spaced", () => {
      fc.assert(
        fc.property(rowsText, (text) => {
          expect(isJsonArrayOfObjects(bytesOf(text))).toBe(true);
        }),
        { numRuns: 300 },
      );
    });

    it("property: agrees with decode + JSON.parse + the row check on any JSON value", () => {
      fc.assert(
        fc.property(fc.jsonValue({ maxDepth: 4 }), fc.boolean(), (v, spaced) => {
          const b = bytesOf(JSON.stringify(v, null, spaced ? 1 : undefined));
          expect(isJsonArrayOfObjects(b)).toBe(reference(b));
        }),
        { numRuns: 300 },
      );
    });

    it("property: agrees with the reference on texts of rows with bytes inserted, deleted or replaced", () => {
      fc.assert(
        fc.property(rowsText, edits, (text, list) => {
          const b = mutate(bytesOf(text), list);
          expect(isJsonArrayOfObjects(b)).toBe(reference(b));
        }),
        { numRuns: 2000 },
      );
    });

    it("property: agrees with the reference on short runs of grammar and UTF-8 bytes", () => {
      fc.assert(
        fc.property(fc.array(anyByte, { maxLength: 24 }), (list) => {
          const b = new Uint8Array(list);
          expect(isJsonArrayOfObjects(b)).toBe(reference(b));
          // The same bytes as a string value in a row: the scan's UTF-8 check is the decoder's.
          const inRow = new Uint8Array([...bytesOf('[{"S":"'), ...list, ...bytesOf('"}]')]);
          expect(isJsonArrayOfObjects(inRow)).toBe(reference(inRow));
        }),
        { numRuns: 3000 },
      );
    });

    it("cases: literals, numbers, escapes, nesting, what follows the array", () => {
      const cases: [string, boolean][] = [
        ["[]", true],
        [" \r\n\t[ ] \n", true],
        ["[{}]", true],
        ['[{"a":[1,[2,{"b":null}],[]],"c":{}}]', true],
        ['[{"a":true,"b":false,"c":null}]', true],
        ['[{"a":tru}]', false],
        ['[{"a":nul}]', false],
        ['[{"a":falsey}]', false],
        ['[{"a":-0.5e+10,"b":0,"c":1E3}]', true],
        ['[{"a":01}]', false],
        ['[{"a":1.}]', false],
        ['[{"a":.5}]', false],
        ['[{"a":-}]', false],
        ['[{"a":1e}]', false],
        ['[{"a":+1}]', false],
        ['[{"a":"\\u00e9\\"\\\\\\/\\b\\f\\n\\r\\t"}]', true],
        ['[{"a":"\\x"}]', false],
        ['[{"a":"\\u00g0"}]', false],
        ['[{"a":"\\u00ez"}]', false],
        ['[{"a":[1}}]', false],
        ['[{"a":{"b":1]}]', false],
        ['[{"a":"tab\there"}]', false],
        ['[{"a":1,}]', false],
        ["[{},]", false],
        ['[{"a" 1}]', false],
        ["[{1:2}]", false],
        ["[{}] x", false],
        ["[{}][]", false],
        ["[null]", false],
        ["[[]]", false],
        ['[{"a":1}, 2]', false],
        ["{}", false],
        ["", false],
        ["[", false],
        ['[{"a":"é"}]', true],
        ["\uFEFF[]", false],
      ];
      for (const [text, want] of cases) {
        expect([text, isJsonArrayOfObjects(bytesOf(text))]).toEqual([text, want]);
        expect([text, reference(bytesOf(text))]).toEqual([text, want]);
      }
    });

    it("UTF-8 edges in a string read as the fatal decoder reads them", () => {
      const sequences: [number[], boolean][] = [
        [[0xc3, 0xa9], true],
        [[0xe2, 0x82, 0xac], true],
        [[0xf0, 0x9f, 0x98, 0x80], true],
        [[0xf4, 0x8f, 0xbf, 0xbf], true],
        [[0xed, 0x9f, 0xbf], true],
        [[0xee, 0x80, 0x80], true],
        [[0xc0, 0x80], false],
        [[0xc1, 0xbf], false],
        [[0xe0, 0x80, 0x80], false],
        [[0xe0, 0x9f, 0xbf], false],
        [[0xf0, 0x80, 0x80, 0x80], false],
        [[0xf0, 0x8f, 0xbf, 0xbf], false],
        [[0xed, 0xa0, 0x80], false],
        [[0xed, 0xbf, 0xbf], false],
        [[0xf4, 0x90, 0x80, 0x80], false],
        [[0xf5, 0x80, 0x80, 0x80], false],
        [[0xff], false],
        [[0x80], false],
        [[0xc3], false],
        [[0xe2, 0x82], false],
        [[0xf0, 0x9f, 0x98], false],
        [[0xc3, 0x41], false],
      ];
      for (const [seq, want] of sequences) {
        const b = new Uint8Array([...bytesOf('[{"S":"'), ...seq, ...bytesOf('"}]')]);
        expect([seq, isJsonArrayOfObjects(b)]).toEqual([seq, want]);
        expect([seq, reference(b)]).toEqual([seq, want]);
      }
    });

    it("follows nesting deeper than its first stack", () => {
      const deep = `[{"a":${"[".repeat(500)}1${"]".repeat(500)}}]`;
      expect(isJsonArrayOfObjects(bytesOf(deep))).toBe(true);
      expect(isJsonArrayOfObjects(bytesOf(deep.slice(0, -3)))).toBe(false);
    });
  });
}
