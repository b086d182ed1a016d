/**
 * `getNumber`: a numeric column's value as a number (an int64 read from its words, without a
 * BigInt), against `Number(get(...))` for every kind of source that holds numbers: a static
 * table's pages, an append-only table's sealed (narrowed) and open pages, an aggregation's slot
 * columns (numbers and bigints, current and previous values), views (a sort's and a where's
 * redirection, a merge's union); and the error for a column that is not numeric.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PAGE_SIZE } from "../../src/engine/column.ts";
import type { Table } from "../../src/engine/index.ts";
import {
  ArgumentError,
  agg,
  blinkToAppendOnly,
  col,
  merge,
  newTable,
  tablePublisher,
  UpdateGraph,
} from "../../src/engine/index.ts";
import type { ColumnType, Value } from "../../src/engine/types.ts";

const NUMERIC: ColumnType[] = ["int8", "int16", "int32", "int64", "float32", "float64"];

/** `Number(v)` of a cell (null stays null). */
const asNumber = (v: Value): number | null => (v === null ? null : Number(v));

/** Every cell of `t`'s column `c`: getNumber against Number(getValue). */
function expectNumbers(t: Table, c: string, prev = false): void {
  const source = t.column(c);
  const got: (number | null)[] = [];
  const want: (number | null)[] = [];
  t.rowSet.forEach((k) => {
    got.push(prev ? source.getNumber(k, true) : t.getNumber(c, k));
    want.push(asNumber(prev ? source.getPrev(k) : t.getValue(c, k)));
  });
  expect(got).toEqual(want);
}

/** Values of each numeric type: its edges, nulls, and for int64 values past 2^53. */
const VALUES: Record<string, fc.Arbitrary<unknown>> = {
  int8: fc.integer({ min: -128, max: 127 }),
  int16: fc.integer({ min: -32768, max: 32767 }),
  int32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  int64: fc.oneof(
    fc.integer({ min: -1000, max: 1000 }).map(BigInt),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    fc.constantFrom(2n ** 53n + 1n, -(2n ** 53n) - 3n, 2n ** 63n - 1n, -(2n ** 63n)),
  ),
  float32: fc.float({ noNaN: false }),
  float64: fc.oneof(
    fc.double(),
    fc.integer({ min: -1e6, max: 1e6 }).map((i) => i / 100),
  ),
};

describe("getNumber: a numeric cell as a number, as Number(get()) gives it", () => {
  it("static tables of every numeric type, nulls and int64 past 2^53 (property)", () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom(...NUMERIC)
          .chain((type) =>
            fc.tuple(
              fc.constant(type),
              fc.array(fc.option(VALUES[type]!, { freq: 4 }), { minLength: 1, maxLength: 50 }),
            ),
          ),
        ([type, values]) => {
          const t = newTable([col("X", type, values)]);
          expectNumbers(t, "X");
        },
      ),
      { numRuns: 300 },
    );
  });

  it("an append-only table's pages: sealed (narrowed int64 and decimals) and open", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const [blink, pub] = tablePublisher(g, {
      columns: { I: "int64", F: "float64", W: "int64", N: "int32" },
    });
    const all = blinkToAppendOnly(blink);
    // Two and a half pages: I and F narrow when sealed (small integers, two decimals); W holds
    // values past 32 bits (never narrowed); every 7th row of N null.
    const rows = 2 * PAGE_SIZE + PAGE_SIZE / 2;
    for (let k = 0; k < rows; k += 1000) {
      const n = Math.min(1000, rows - k);
      pub.addRows(
        Array.from({ length: n }, (_, i) => ({
          I: (k + i) % 500,
          F: ((k + i) % 1000) / 100,
          W: 2n ** 40n * BigInt(k + i) + 1n,
          N: (k + i) % 7 === 0 ? null : k + i,
        })),
      );
      await g.runCycle();
    }
    expect(all.size).toBe(rows);
    for (const c of ["I", "F", "W", "N"]) expectNumbers(all, c);
  });

  it("an aggregation's outputs (counts, sums, averages; bigints past 2^53), and their previous values in a listener", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const [blink, pub] = tablePublisher(g, { columns: { Sym: "string", Size: "int64" } });
    const all = blinkToAppendOnly(blink);
    const by = all.aggBy([agg.count("N"), agg.sum("Total = Size"), agg.avg("Mean = Size")], "Sym");
    let checked = 0;
    by.listen(() => {
      for (const c of ["N", "Total", "Mean"]) {
        expectNumbers(by, c);
        expectNumbers(by, c, true);
      }
      checked++;
    });
    const big = 2n ** 62n;
    for (let cycle = 0; cycle < 4; cycle++) {
      pub.addRows([
        { Sym: "A", Size: 5n },
        { Sym: "B", Size: cycle === 2 ? big : 7n },
        { Sym: cycle % 2 === 0 ? "C" : "A", Size: -3n },
      ]);
      await g.runCycle();
    }
    expect(checked).toBe(4);
    // B's total went past 2^53: held as a bigint, read as the nearest double.
    const b = by.rowSet.toArray().find((k) => by.getValue("Sym", k) === "B")!;
    expect(by.getNumber("Total", b)).toBe(Number(big + 21n));
  });

  it("views: a sort's and a where's redirection, a merge's union", () => {
    const a = newTable([
      col("X", "int64", [3n, null, 2n ** 60n]),
      col("Y", "float64", [1.5, 2, 3]),
    ]);
    const b = newTable([col("X", "int64", [-7n]), col("Y", "float64", [null])]);
    for (const t of [
      a.sort("X"),
      a.where("Y > 1.5"),
      merge(a, b),
      merge(a, b).sortDescending("Y"),
    ]) {
      expectNumbers(t, "X");
      expectNumbers(t, "Y");
    }
  });

  it("a column that is not numeric throws ArgumentError naming it and its type", () => {
    const t = newTable([
      col("S", "string", ["a"]),
      col("B", "bool", [true]),
      col("T", "instant", [0n]),
      col("C", "char", ["x"]),
    ]);
    for (const [c, type] of [
      ["S", "string"],
      ["B", "bool"],
      ["T", "instant"],
      ["C", "char"],
    ] as const) {
      expect(() => t.getNumber(c, 0)).toThrow(ArgumentError);
      expect(() => t.getNumber(c, 0)).toThrow(`column "${c}" is ${type}`);
      expect(() => t.column(c).getNumber(0)).toThrow(ArgumentError);
    }
    const view = t.sort("S");
    expect(() => view.column("S").getNumber(0)).toThrow(ArgumentError);
  });
});
