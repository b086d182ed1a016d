/**
 * The Arrow readers remember the schema message they read last (`framing.ts` its soundness,
 * `ipc-read.ts` its fields, `arrow.ts` the columns picked for a schema): a repeated schema message
 * is not walked again. These check that nothing but the very same bytes (and the same expected
 * schema) is ever taken from that memory: every one-byte change of a schema message reads as it
 * does when another stream was read just before.
 */
import * as arrow from "apache-arrow";
import { describe, expect, it } from "vitest";
import { arrowIPCToVecs, fromArrowIPC, toArrowIPC } from "../../src/engine/arrow.ts";
import { col, newTable } from "../../src/engine/index.ts";

/** What reading `bytes` gives: the rows, or the error's name and message. */
function outcome(bytes: Uint8Array): unknown {
  try {
    return fromArrowIPC(bytes).toRows();
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

const original = toArrowIPC(
  newTable([
    col("Sym", "string", ["AAPL", null, "MSFT"]),
    col("Px", "float64", [1.5, 2, null]),
    col("At", "instant", [1n, null, 3n]),
    col("N", "int32", [1, 2, 3]),
  ]),
);
const other = toArrowIPC(newTable([col("Q", "int8", [1])]));

describe("the readers' memory of the last schema message", () => {
  it("every one-byte change of the schema metadata reads as it does without that memory", () => {
    const metaLength = new DataView(original.buffer, original.byteOffset).getInt32(4, true);
    expect(metaLength).toBeGreaterThan(100);
    const seen = new Set<string>();
    for (let at = 8; at < 8 + metaLength; at++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const changed = original.slice();
        changed[at]! ^= flip;
        outcome(other);
        const fresh = outcome(changed);
        outcome(original);
        const afterOriginal = outcome(changed);
        expect(afterOriginal, `byte ${at} ^ ${flip}`).toEqual(fresh);
        seen.add(typeof fresh === "string" ? fresh.split(":")[0]! : "rows");
      }
    }
    // Both kinds of outcome occur: some changes still read, others are refused.
    expect(seen.has("rows")).toBe(true);
    expect(seen.has("ArrowError")).toBe(true);
  });

  it("streams whose schemas differ only in a name or a type, read in turn, each read as written", () => {
    const a = toArrowIPC(newTable([col("Ab", "int32", [1, 2])]));
    const b = toArrowIPC(newTable([col("Ba", "int32", [3])]));
    const c = toArrowIPC(newTable([col("Ab", "float32", [0.5])]));
    for (let k = 0; k < 3; k++) {
      expect(fromArrowIPC(a).toRows()).toEqual([{ Ab: 1 }, { Ab: 2 }]);
      expect(fromArrowIPC(b).toRows()).toEqual([{ Ba: 3 }]);
      expect(fromArrowIPC(c).toRows()).toEqual([{ Ab: 0.5 }]);
    }
  });

  it("the same stream read against another expected schema is checked against that one", () => {
    const t = new arrow.Table({
      Sym: arrow.vectorFromArray(["A", "B"], new arrow.Utf8()),
      Size: arrow.vectorFromArray([1n, 2n], new arrow.Int64()),
    });
    const bytes = arrow.tableToIPC(t, "stream");
    const want = { Sym: "string", Size: "int64" } as const;
    expect(arrowIPCToVecs(bytes, want).length).toBe(2);
    expect(() => arrowIPCToVecs(bytes, { Sym: "string", Size: "int32" })).toThrow(
      /Column "Size": expected int32, but the Arrow data has Int64/,
    );
    expect(() => arrowIPCToVecs(bytes, { Sym: "string" })).toThrow(
      /Column "Size" is not in the table's schema \[Sym\]/,
    );
    // An expected schema object changed in place between two reads is checked as it is now.
    const mutable: Record<string, "string" | "int64" | "int32"> = { Sym: "string", Size: "int64" };
    expect(arrowIPCToVecs(bytes, mutable).length).toBe(2);
    mutable.Size = "int32";
    expect(() => arrowIPCToVecs(bytes, mutable)).toThrow(/Column "Size": expected int32/);
    const again = arrowIPCToVecs(bytes, want);
    expect(again.vecs.map((v) => Array.from(v.data as ArrayLike<unknown>))).toEqual([
      ["A", "B"],
      [1n, 2n],
    ]);
  });
});
