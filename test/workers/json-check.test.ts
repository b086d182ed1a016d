/**
 * The router's JSON body scan (src/worker/json-check.ts) inside workerd against what it stands in
 * for: a fatal UTF-8 decode that keeps a byte order mark, `JSON.parse` and the row check, which
 * must give the same answer on every input (test/json-check-suite.ts; in Node with the engine's
 * WebAssembly on and off too: test/engine/json-check-wasm.test.ts). (The router's own decoder
 * strips a leading byte order mark: such a body goes to the parse, router.test.ts and
 * publish-forms.test.ts.)
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isJsonArrayOfObjects, ndjsonAsJsonArray } from "../../src/worker/json-check.ts";
import { bytesOf, edits, jsonCheckSuite, mutate, row, strict } from "../json-check-suite.ts";

/** The NDJSON reference: the router's line-by-line parse, as a JSON array's rows, or null. */
function ndjsonReference(bytes: Uint8Array): unknown[] | null {
  let text: string;
  try {
    text = strict.decode(bytes);
  } catch {
    return null;
  }
  const rows: unknown[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    let r: unknown;
    try {
      r = JSON.parse(line);
    } catch {
      return null;
    }
    if (r === null || typeof r !== "object" || Array.isArray(r)) return null;
    rows.push(r);
  }
  return rows;
}

jsonCheckSuite("isJsonArrayOfObjects", isJsonArrayOfObjects);

/** Characters `String.prototype.trim` removes that are not JSON spaces. */
const TRIMMED_NOT_JSON_SPACE =
  /[\v\f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;

describe("ndjsonAsJsonArray", () => {
  /** NDJSON texts: rows one a line, with blank lines, spaces and CR LF between them. */
  const ndjson = fc
    .tuple(
      fc.array(fc.tuple(row, fc.constantFrom("\n", "\r\n", "\n\n", " \n  \t\n", "\n   ")), {
        maxLength: 8,
      }),
      fc.constantFrom("", "\n", " "),
    )
    .map(([lines, lead]) => lead + lines.map(([r, sep]) => JSON.stringify(r) + sep).join(""));

  it("property: gives the rows the line-by-line parse gives", () => {
    fc.assert(
      fc.property(ndjson, (text) => {
        const b = bytesOf(text);
        const out = ndjsonAsJsonArray(b);
        expect(out).not.toBeNull();
        expect(JSON.parse(strict.decode(out!))).toEqual(ndjsonReference(b));
      }),
      { numRuns: 300 },
    );
  });

  it("property: when it answers after edits, the line-by-line parse gives the same rows", () => {
    fc.assert(
      fc.property(ndjson, edits, (text, list) => {
        const b = mutate(bytesOf(text), list);
        const out = ndjsonAsJsonArray(b);
        const ref = ndjsonReference(b);
        if (out !== null) expect(JSON.parse(strict.decode(out))).toEqual(ref);
        // Only a space that trim() takes and JSON does not may leave good rows to the parse.
        else if (ref !== null) expect(strict.decode(b)).toMatch(TRIMMED_NOT_JSON_SPACE);
      }),
      { numRuns: 2000 },
    );
  });

  it("cases: an object over two lines, two on a line, non-objects and blank bodies", () => {
    expect(ndjsonAsJsonArray(bytesOf('{"a":\n1}'))).toBeNull();
    expect(ndjsonAsJsonArray(bytesOf('{"a":1} {"a":2}'))).toBeNull();
    expect(ndjsonAsJsonArray(bytesOf('{"a":1}\n[1]'))).toBeNull();
    expect(ndjsonAsJsonArray(bytesOf('{"a":1}\n2'))).toBeNull();
    expect(strict.decode(ndjsonAsJsonArray(bytesOf(""))!)).toBe("[]");
    expect(strict.decode(ndjsonAsJsonArray(bytesOf(" \n\r\n\t"))!)).toBe("[]");
    expect(strict.decode(ndjsonAsJsonArray(bytesOf(' {"a" : 1} \r\n\n{"b":[2, 3]}'))!)).toBe(
      '[{"a" : 1},{"b":[2, 3]}]',
    );
  });
});
