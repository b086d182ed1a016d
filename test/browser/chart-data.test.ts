/**
 * The console chart's data in plain Node (src/console/chart-data.ts): series from a local table,
 * split by a key column and on two y axes, and from a server downsample (two points per pixel
 * column).
 */
import { describe, expect, it } from "vitest";
import { downsampledChartData, localChartData, MAX_SERIES } from "../../src/console/chart-data.ts";
import { doubleCol, intCol, newTable, stringCol } from "../../src/engine/index.ts";

const t = () =>
  newTable([
    intCol("T", [3, 1, 2, 4]),
    stringCol("Sym", ["A", "B", "A", null]),
    doubleCol("Price", [30, 10, 20, null]),
    intCol("Size", [3, 1, 2, 4]),
  ]);

describe("localChartData", () => {
  it("orders rows by x and keeps one series per y column", () => {
    const d = localChartData(t(), { x: "T", ys: ["Price"], y2: ["Size"], by: null });
    expect(d).toEqual({
      xs: [1, 2, 3, 4],
      series: [
        { label: "Price", y: "Price", key: null, axis: 1, values: [10, 20, 30, null] },
        { label: "Size", y: "Size", key: null, axis: 2, values: [1, 2, 3, 4] },
      ],
      rows: 4,
      points: 7,
      truncated: false,
    });
  });

  it("splits every y column by a key, each series holding only its key's rows", () => {
    const d = localChartData(t(), { x: null, ys: ["Price"], y2: [], by: "Sym" });
    expect(d.xs).toEqual([0, 1, 2, 3]);
    expect(d.series).toEqual([
      { label: "Price · A", y: "Price", key: "A", axis: 1, values: [30, null, 20, null] },
      { label: "Price · B", y: "Price", key: "B", axis: 1, values: [null, 10, null, null] },
      { label: "Price · null", y: "Price", key: "null", axis: 1, values: [null, null, null, null] },
    ]);
  });

  it("draws at most MAX_SERIES series and says so", () => {
    const n = MAX_SERIES + 5;
    const big = newTable([
      intCol(
        "K",
        Array.from({ length: n }, (_, i) => i),
      ),
      doubleCol(
        "V",
        Array.from({ length: n }, (_, i) => i),
      ),
    ]);
    const d = localChartData(big, { x: null, ys: ["V"], y2: [], by: "K" });
    expect(d.series.length).toBe(MAX_SERIES);
    expect(d.truncated).toBe(true);
  });
});

describe("downsampledChartData", () => {
  it("draws each pixel column's min and max at its centre", () => {
    const d = downsampledChartData(
      {
        width: 2,
        total: 5,
        xMin: 0,
        xMax: 4,
        series: [
          { y: "Price", key: "A", rows: 3, min: [1, null], max: [2, null] },
          { y: "Size", key: "A", rows: 3, min: [5, 6], max: [7, 6] },
          { y: "Size", key: null, rows: 1, min: [null, 9], max: [null, 9] },
        ],
      },
      { x: "T", ys: ["Price"], y2: ["Size"], by: "Sym" },
    );
    expect(d.xs).toEqual([1, 1 + 2e-6, 3, 3 + 2e-6]);
    expect(d.series).toEqual([
      { label: "Price · A", y: "Price", key: "A", axis: 1, values: [1, 2, null, null] },
      { label: "Size · A", y: "Size", key: "A", axis: 2, values: [5, 7, 6, 6] },
      { label: "Size · null", y: "Size", key: "null", axis: 2, values: [null, null, 9, 9] },
    ]);
    expect([d.rows, d.points, d.truncated]).toEqual([5, 8, false]);
  });

  it("has no points when no row had a finite x", () => {
    const d = downsampledChartData(
      { width: 3, total: 0, xMin: null, xMax: null, series: [] },
      { x: null, ys: ["V"], y2: [], by: null },
    );
    expect(d).toEqual({ xs: [], series: [], rows: 0, points: 0, truncated: false });
  });
});
