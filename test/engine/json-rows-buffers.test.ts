/**
 * readJsonRows keeps its string buffers between calls and sizes a call's columns from the last
 * call's bytes per row: calls of different sizes in turn must still read every row (a longer
 * kept offsets buffer once broke the growth of a later call that outgrew its estimate).
 */
import { describe, expect, it } from "vitest";
import { readJsonRows } from "../../src/engine/json-rows.ts";
import type { Schema } from "../../src/engine/types.ts";
import { vecFromRows } from "../../src/engine/values-to-vec.ts";

const schema: Schema = { A: "string", B: "float64", T: "instant", N: "int32" };

function text(rows: number, pad: number, seed: number): string {
  return JSON.stringify(
    Array.from({ length: rows }, (_, i) => ({
      A: `${"x".repeat(pad)}${(i * seed) % 13}`,
      B: i / 8 + seed,
      T: new Date(1_700_000_000_000 + seed * 1000 + i).toISOString(),
      N: i % 5 === 0 ? null : i - seed,
    })),
  );
}

function expectAsParsed(t: string): void {
  const got = readJsonRows(t, schema);
  expect(got).not.toBeNull();
  const rows = JSON.parse(t) as Record<string, unknown>[];
  expect(got!.length).toBe(rows.length);
  Object.keys(schema).forEach((name, c) => {
    const want = vecFromRows(schema[name]!, rows, name);
    const v = got!.vecs[c]!;
    expect(v.length).toBe(want.length);
    expect(Array.from(v.data as ArrayLike<unknown>)).toEqual(
      Array.from(want.data as ArrayLike<unknown>),
    );
    expect(v.valid === null ? null : Array.from(v.valid)).toEqual(
      want.valid === null ? null : Array.from(want.valid),
    );
  });
}

describe("readJsonRows across calls of different sizes", () => {
  it("reads every row when a call outgrows the estimate after a larger call", () => {
    // Long rows make the estimate small; a large call leaves long kept buffers behind.
    const sizes: [number, number][] = [
      [40_000, 30],
      [200, 60],
      [5_000, 0],
      [3, 200],
      [20_000, 1],
      [0, 0],
      [10_000, 40],
      [12_000, 0],
    ];
    for (const [seed, [rows, pad]] of sizes.entries()) expectAsParsed(text(rows, pad, seed + 1));
  });
});

describe("readJsonRows results released and read again", () => {
  /** `rows` rows whose N column has nulls when `nulls`, B and T always values. */
  function sameShape(rows: number, seed: number, nulls: boolean): string {
    return JSON.stringify(
      Array.from({ length: rows }, (_, i) => ({
        A: `s${(i + seed) % 7}`,
        B: i * 0.5 + seed,
        T: new Date(1_700_000_000_000 + seed * 1000 + i).toISOString(),
        N: nulls && i % 3 === seed % 3 ? null : i * seed,
      })),
    );
  }

  it("gives each result its own values when released results hand their buffers on", () => {
    // Same row count every time (the Vec objects of a released result are handed out again),
    // nulls coming and going in N, and a row count change in between.
    const plan: [number, boolean][] = [
      [50, false],
      [50, true],
      [50, true],
      [50, false],
      [70, false],
      [50, false],
      [50, true],
    ];
    for (const [seed, [rows, nulls]] of plan.entries()) {
      const t = sameShape(rows, seed + 1, nulls);
      expectAsParsed(t);
      const got = readJsonRows(t, schema)!;
      const b = Array.from(got.vecs[1]!.data as Float64Array);
      const n = got.vecs[3]!.valid === null ? null : Array.from(got.vecs[3]!.valid);
      // A result not released keeps its values while later texts are read.
      const other = readJsonRows(sameShape(rows, seed + 100, !nulls), schema)!;
      expect(Array.from(got.vecs[1]!.data as Float64Array)).toEqual(b);
      expect(got.vecs[3]!.valid === null ? null : Array.from(got.vecs[3]!.valid)).toEqual(n);
      expect(other.vecs[1]).not.toBe(got.vecs[1]);
      other.release();
      got.release();
    }
  });
});
