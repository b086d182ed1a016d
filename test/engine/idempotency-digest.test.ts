/**
 * The idempotency digest of JSON rows (src/durable/idempotency.ts) stringifies them; a value
 * nested deeper than this runtime's JSON.stringify recurses (Node 22, the project's pinned
 * `node`, overflows at some 10^5 levels) is refused as a 400 naming its row and column, not a
 * RangeError. (workerd's JSON.stringify takes a million levels: there the conversion of the
 * values refuses it, test/workers/deep-values.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { batchDigest } from "../../src/durable/idempotency.ts";
import { ValueError } from "../../src/engine/errors.ts";

describe("batchDigest of JSON rows", () => {
  it("names the row and column of a value nested too deeply to digest", async () => {
    const depth = 1_000_000;
    const deep = `${"[".repeat(depth)}${"]".repeat(depth)}`;
    const text = `[{"S":"a"},{"S":"b","X":${deep}}]`;
    let stringified = true;
    try {
      JSON.stringify(JSON.parse(text));
    } catch (e) {
      expect(e).toBeInstanceOf(RangeError);
      stringified = false;
    }
    // The case this test is for: this runtime's JSON.stringify overflows on it.
    expect(stringified).toBe(false);
    const err = await batchDigest({ json: text }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValueError);
    expect((err as ValueError).message).toBe(
      'row 1, column "X": a value nested more than 64 levels deep; a cell holds a value or an array of values',
    );
    // Rows whose nesting is not in a row object's cell: the body as a whole.
    const rowsDeep = `[${deep}]`;
    const err2 = await batchDigest({ json: rowsDeep }).catch((e: unknown) => e);
    expect((err2 as ValueError).message).toBe("the body nests values more than 64 levels deep");
  });

  it("digests shallow rows as before: equal rows, equal digests; whitespace aside", async () => {
    const a = await batchDigest({ json: '[{"S":"a","X":[1,2]}]' });
    const b = await batchDigest({ json: '[ { "S" : "a", "X" : [1, 2] } ]' });
    const c = await batchDigest({ json: '[{"S":"b","X":[1,2]}]' });
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });
});
