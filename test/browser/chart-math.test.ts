/**
 * The console chart's arithmetic in plain Node: reading columns out of engine tables, M4
 * decimation, the outlier-proof y range and axis ticks.
 */
import { describe, expect, it } from "vitest";
import { m4, niceTicks, readNumbers, tickLabel, yRange } from "../../src/console/chart-math.ts";
import { doubleCol, instantCol, intCol, longCol, newTable } from "../../src/engine/index.ts";

describe("readNumbers", () => {
  it("reads every numeric type in row-key order, nulls as NaN, instants as epoch ms", () => {
    const t = newTable([
      intCol("I", [1, null, 3]),
      doubleCol("D", [0.5, 1.5, null]),
      longCol("L", [10n, 20n, null]),
      instantCol("T", [1_700_000_000_000_000_000n, null, 1_700_000_000_001_000_000n]),
    ]);
    expect([...readNumbers(t, "I").subarray(0, 3)]).toEqual([1, Number.NaN, 3]);
    expect([...readNumbers(t, "D").subarray(0, 3)]).toEqual([0.5, 1.5, Number.NaN]);
    expect([...readNumbers(t, "L").subarray(0, 3)]).toEqual([10, 20, Number.NaN]);
    expect([...readNumbers(t, "T").subarray(0, 3)]).toEqual([
      1_700_000_000_000,
      Number.NaN,
      1_700_000_000_001,
    ]);
    expect([...readNumbers(t, null).subarray(0, 3)]).toEqual([0, 1, 2]);
  });

  it("crosses page boundaries and reuses a buffer that is large enough", () => {
    const n = 10_000;
    const t = newTable([
      doubleCol(
        "V",
        Array.from({ length: n }, (_, i) => i * 2),
      ),
    ]);
    const buf = new Float64Array(n);
    const out = readNumbers(t, "V", buf);
    expect(out).toBe(buf);
    expect(out[0]).toBe(0);
    expect(out[4095]).toBe(8190);
    expect(out[4096]).toBe(8192);
    expect(out[n - 1]).toBe(2 * (n - 1));
  });
});

describe("m4", () => {
  it("keeps everything when there are few points", () => {
    expect([...m4(new Float64Array([3, 1, 2]), 3, 10)]).toEqual([0, 1, 2]);
  });

  it("keeps first, min, max and last of each bucket, in order", () => {
    const ys = new Float64Array([5, 9, 1, 4, 7, 2, 8, 3, 6, 0, 5, 5]);
    const kept = [...m4(ys, 12, 1)];
    expect(kept).toEqual([0, 1, 9, 11]);
    const big = new Float64Array(100_000).map((_, i) => Math.sin(i / 1000));
    const idx = m4(big, big.length, 500);
    expect(idx.length).toBeLessThanOrEqual(2000);
    for (let i = 1; i < idx.length; i++) expect(idx[i]!).toBeGreaterThan(idx[i - 1]!);
    const values = [...idx].map((i) => big[i]!);
    expect(Math.max(...values)).toBeCloseTo(1, 5);
    expect(Math.min(...values)).toBeCloseTo(-1, 5);
  });

  it("keeps a NaN of a bucket so the line breaks there", () => {
    const ys = new Float64Array(100).map((_, i) => (i === 50 ? Number.NaN : i));
    const idx = [...m4(ys, 100, 2)];
    expect(idx).toContain(50);
  });
});

describe("yRange", () => {
  it("pads the full range of ordinary data", () => {
    const r = yRange([new Float64Array([0, 10, 5])], 3)!;
    expect(r.clipped).toBe(false);
    expect(r.min).toBeCloseTo(-0.5);
    expect(r.max).toBeCloseTo(10.5);
  });

  it("clips rare huge spikes (tan near π/2) to the 2nd..98th percentile", () => {
    const xs = Array.from({ length: 628 }, (_, i) => i / 100);
    const r = yRange(
      [
        Float64Array.from(xs, Math.sin),
        Float64Array.from(xs, Math.cos),
        Float64Array.from(xs, Math.tan),
      ],
      628,
    )!;
    expect(r.clipped).toBe(true);
    expect(r.max).toBeLessThan(100);
    expect(r.min).toBeGreaterThan(-100);
    expect(r.max).toBeGreaterThan(1);
  });

  it("gives a range around a constant and null for no finite values", () => {
    expect(yRange([new Float64Array([2, 2])], 2)).toEqual({ min: 1.8, max: 2.2, clipped: false });
    expect(yRange([new Float64Array([Number.NaN])], 1)).toBeNull();
  });
});

describe("ticks", () => {
  it("are round numbers covering the range", () => {
    const t = niceTicks(0, 1, 5);
    expect(t).toHaveLength(6);
    for (const [i, v] of [0, 0.2, 0.4, 0.6, 0.8, 1].entries()) expect(t[i]).toBeCloseTo(v, 12);
    expect(niceTicks(-1.2, 1.2, 4)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(tickLabel(0.6000000000000001, 0.2)).toBe("0.6");
    expect(tickLabel(1500, 500)).toBe("1500");
    expect(tickLabel(2e12, 1e12)).toBe("2.0e+12");
  });
});
