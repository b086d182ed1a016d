/**
 * Downsampling for charts (src/engine/downsample.ts): per pixel column one min/max pair per
 * series, split by a key column, over x values or row positions; bad options name the parameter.
 */
import { describe, expect, it } from "vitest";
import { bucketCentre, downsample, MAX_DOWNSAMPLE_KEYS } from "../../src/engine/downsample.ts";
import {
  ArgumentError,
  doubleCol,
  instantCol,
  intCol,
  newTable,
  stringCol,
} from "../../src/engine/index.ts";

const trades = () =>
  newTable([
    intCol("T", [0, 1, 2, 3, 4, 5, 6, 7]),
    stringCol("Sym", ["A", "B", "A", "B", "A", "B", "A", null]),
    doubleCol("Price", [10, 20, 11, 19, null, 18, 9, 5]),
    intCol("Size", [1, 2, 3, 4, 5, 6, 7, 8]),
  ]);

describe("downsample", () => {
  it("keeps one min/max pair per pixel column per series, split by a key", () => {
    const d = downsample(trades(), { x: "T", y: ["Price"], by: "Sym", width: 2 });
    expect(d).toEqual({
      x: "T",
      xType: "int32",
      by: "Sym",
      width: 2,
      total: 8,
      xMin: 0,
      xMax: 7,
      series: [
        // x 0..3.5 in column 0, 3.5..7 in column 1 (x = 7 falls in the last column).
        { y: "Price", key: "A", rows: 3, min: [10, 9], max: [11, 9] },
        { y: "Price", key: "B", rows: 3, min: [19, 18], max: [20, 18] },
        { y: "Price", key: null, rows: 1, min: [null, 5], max: [null, 5] },
      ],
    });
    expect(bucketCentre(d, 0)).toBe(1.75);
    expect(bucketCentre(d, 1)).toBe(5.25);
  });

  it("plots several y columns against row positions without a key", () => {
    const d = downsample(trades(), { x: null, y: ["Size", "Price"], by: null, width: 4 });
    expect(d.xType).toBe("position");
    expect(d.series).toEqual([
      { y: "Size", key: null, rows: 8, min: [1, 3, 5, 7], max: [2, 4, 6, 8] },
      { y: "Price", key: null, rows: 7, min: [10, 11, 18, 5], max: [20, 19, 18, 9] },
    ]);
  });

  it("reads instants as epoch milliseconds and skips null x", () => {
    const ms = 1_700_000_000_000;
    const t = newTable([
      instantCol("Ts", [BigInt(ms) * 1_000_000n, null, BigInt(ms + 10) * 1_000_000n]),
      doubleCol("V", [1, 2, 3]),
    ]);
    const d = downsample(t, { x: "Ts", y: ["V"], by: null, width: 1 });
    expect([d.xType, d.xMin, d.xMax]).toEqual(["instant", ms, ms + 10]);
    expect(d.series).toEqual([{ y: "V", key: null, rows: 2, min: [1], max: [3] }]);
  });

  it("answers an empty table with no series and no range", () => {
    const t = newTable([doubleCol("X", []), doubleCol("Y", [])]);
    expect(downsample(t, { x: "X", y: ["Y"], by: null, width: 10 })).toEqual({
      x: "X",
      xType: "float64",
      by: null,
      width: 10,
      total: 0,
      xMin: null,
      xMax: null,
      series: [],
    });
  });

  it("puts every row in column 0 when all x are equal", () => {
    const t = newTable([doubleCol("X", [2, 2]), doubleCol("Y", [4, 1])]);
    const d = downsample(t, { x: "X", y: ["Y"], by: null, width: 3 });
    expect(d.series[0]).toEqual({
      y: "Y",
      key: null,
      rows: 2,
      min: [1, null, null],
      max: [4, null, null],
    });
  });

  it("refuses bad options, naming the parameter", () => {
    const t = trades();
    const bad = (o: Partial<Parameters<typeof downsample>[1]>) => () =>
      downsample(t, { x: "T", y: ["Price"], by: null, width: 10, ...o });
    expect(bad({ width: 0 })).toThrow(
      new ArgumentError("width must be an integer from 1 to 4096, got 0"),
    );
    expect(bad({ x: "Nope" })).toThrow(
      new ArgumentError('x: no column "Nope"; columns are [T, Sym, Price, Size]'),
    );
    expect(bad({ x: "Sym" })).toThrow(
      new ArgumentError('x: column "Sym" is string; x must be numeric or an instant'),
    );
    expect(bad({ y: [] })).toThrow(new ArgumentError("y must name 1 to 8 columns, got 0"));
    expect(bad({ y: ["Sym"] })).toThrow(
      new ArgumentError('y: column "Sym" is string; y columns must be numeric'),
    );
    expect(bad({ y: ["Price", "Price"] })).toThrow(
      new ArgumentError('y: column "Price" is named twice'),
    );
    expect(bad({ by: "Zzz" })).toThrow(
      new ArgumentError('by: no column "Zzz"; columns are [T, Sym, Price, Size]'),
    );
  });

  it("refuses a key column with too many distinct values", () => {
    const n = MAX_DOWNSAMPLE_KEYS + 1;
    const t = newTable([
      intCol(
        "K",
        Array.from({ length: n }, (_, i) => i),
      ),
      doubleCol(
        "V",
        Array.from({ length: n }, () => 1),
      ),
    ]);
    expect(() => downsample(t, { x: null, y: ["V"], by: "K", width: 10 })).toThrow(
      new ArgumentError(
        'by: column "K" has more than 64 distinct values; filter the view or split by a column with fewer',
      ),
    );
  });

  it("crosses page boundaries (100,000 rows)", () => {
    const n = 100_000;
    const t = newTable([
      doubleCol(
        "X",
        Array.from({ length: n }, (_, i) => i),
      ),
      doubleCol(
        "Y",
        Array.from({ length: n }, (_, i) => (i % 2 === 0 ? i : -i)),
      ),
    ]);
    const d = downsample(t, { x: "X", y: ["Y"], by: null, width: 4 });
    // Column b holds x in [b * 24999.75, (b + 1) * 24999.75).
    expect(d.series[0]!.rows).toBe(n);
    expect(d.series[0]!.min).toEqual([-24999, -49999, -74999, -99999]);
    expect(d.series[0]!.max).toEqual([24998, 49998, 74998, 99998]);
  });
});
