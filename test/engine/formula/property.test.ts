/**
 * Property tests: the vectorised kernels against a straightforward per-row reference in BigInt
 * and Number arithmetic, over random batches that mix nulls, small values and (for longs) values
 * far beyond 2^53, so both the fast double path and the exact fallback are exercised.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileFormula } from "../../../src/engine/formula/index.ts";
import type { ColumnType } from "../../../src/engine/types.ts";
import { type Col, ctxOf, fromVecOf, MAX_LONG, MIN_LONG, type Plain, toVecOf } from "./helpers.ts";

const I32 = fc.integer({ min: -2147483648, max: 2147483647 });
const SMALL = fc.integer({ min: -100, max: 100 });
const I64 = fc.oneof(
  fc.bigInt({ min: MIN_LONG, max: MAX_LONG }),
  fc.bigInt({ min: -(2n ** 53n), max: 2n ** 53n }),
  SMALL.map(BigInt),
);
const F64 = fc.oneof(fc.double(), SMALL);

function rows<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<[T | null, T | null][]> {
  const cell = fc.option(arb, { freq: 6 });
  return fc.array(fc.tuple(cell, cell), { minLength: 1, maxLength: 40 });
}

function evaluate(text: string, type: ColumnType, data: [Plain, Plain][]): Plain[] {
  const a: Col = { type, values: data.map((r) => r[0]) };
  const b: Col = { type, values: data.map((r) => r[1]) };
  const f = compileFormula(text, { A: type, B: type }, "assign");
  const out = f.evaluate([toVecOf(a), toVecOf(b)], data.length, ctxOf());
  return fromVecOf(out, f.type);
}

type Ref<T> = (a: T, b: T) => Plain;

/** Deephaven's null rules for comparisons: null equals null and is less than every value. */
const NULL_CMP: Readonly<Record<string, (aNull: boolean, bNull: boolean) => boolean>> = {
  "<": (a, b) => a && !b,
  "<=": (a) => a,
  ">": (a, b) => !a && b,
  ">=": (_a, b) => b,
  "==": (a, b) => a && b,
  "!=": (a, b) => a !== b,
};

function check<T extends Plain>(
  type: ColumnType,
  arb: fc.Arbitrary<T>,
  op: string,
  ref: Ref<T>,
): void {
  fc.assert(
    fc.property(rows(arb), (data) => {
      const got = evaluate(`R = A ${op} B`, type, data);
      const want = data.map(([a, b]) => {
        if (a !== null && b !== null) return ref(a, b);
        return NULL_CMP[op] ? NULL_CMP[op](a === null, b === null) : null;
      });
      expect(got).toEqual(want);
    }),
    { numRuns: 150 },
  );
}

const wrap64 = (v: bigint) => BigInt.asIntN(64, v);

describe("int kernels match Java int arithmetic", () => {
  it.each([
    ["+", (a: number, b: number) => (a + b) | 0],
    ["-", (a: number, b: number) => (a - b) | 0],
    ["*", (a: number, b: number) => Number(BigInt.asIntN(32, BigInt(a) * BigInt(b)))],
    ["%", (a: number, b: number) => (b === 0 ? null : Number(BigInt(a) % BigInt(b)))],
    ["/", (a: number, b: number) => a / b],
  ] as const)("A %s B", (op, ref) => {
    check("int32", fc.oneof(I32, SMALL), op, ref);
  });
});

describe("long kernels match 64-bit BigInt arithmetic", () => {
  it.each([
    ["+", (a: bigint, b: bigint) => wrap64(a + b)],
    ["-", (a: bigint, b: bigint) => wrap64(a - b)],
    ["*", (a: bigint, b: bigint) => wrap64(a * b)],
    ["%", (a: bigint, b: bigint) => (b === 0n ? null : a % b)],
    ["/", (a: bigint, b: bigint) => Number(a) / Number(b)],
    ["<", (a: bigint, b: bigint) => a < b],
    ["<=", (a: bigint, b: bigint) => a <= b],
    ["==", (a: bigint, b: bigint) => a === b],
    [">", (a: bigint, b: bigint) => a > b],
  ] as const)("A %s B", (op, ref) => {
    check("int64", I64, op, ref);
  });

  it("unary minus, (double) and (int) casts", () => {
    fc.assert(
      fc.property(rows(I64), (data) => {
        expect(evaluate("R = -A", "int64", data)).toEqual(
          data.map(([a]) => (a === null ? null : wrap64(-a))),
        );
        expect(evaluate("R = (double) A", "int64", data)).toEqual(
          data.map(([a]) => (a === null ? null : Number(a))),
        );
        expect(evaluate("R = (int) A", "int64", data)).toEqual(
          data.map(([a]) => (a === null ? null : Number(BigInt.asIntN(32, a)))),
        );
      }),
      { numRuns: 150 },
    );
  });

  it("chained expressions stay exact (A * 3 + B - 7)", () => {
    fc.assert(
      fc.property(rows(I64), (data) => {
        const got = evaluate("R = A * 3L + B - 7L", "int64", data);
        const want = data.map(([a, b]) =>
          a === null || b === null ? null : wrap64(wrap64(wrap64(a * 3n) + b) - 7n),
        );
        expect(got).toEqual(want);
      }),
      { numRuns: 150 },
    );
  });
});

describe("double kernels match JS Number arithmetic", () => {
  it.each([
    ["+", (a: number, b: number) => a + b],
    ["-", (a: number, b: number) => a - b],
    ["*", (a: number, b: number) => a * b],
    ["/", (a: number, b: number) => a / b],
    ["%", (a: number, b: number) => a % b],
    ["<", (a: number, b: number) => a < b],
    ["==", (a: number, b: number) => a === b],
  ] as const)("A %s B", (op, ref) => {
    check("float64", F64, op, ref);
  });

  it("(long) and (int) casts follow Java's saturating conversion", () => {
    const toLong = (d: number) =>
      Number.isNaN(d)
        ? 0n
        : d >= 2 ** 63
          ? MAX_LONG
          : d <= -(2 ** 63)
            ? MIN_LONG
            : BigInt(Math.trunc(d));
    const toInt = (d: number) =>
      Number.isNaN(d)
        ? 0
        : d >= 2147483647
          ? 2147483647
          : d <= -2147483648
            ? -2147483648
            : Math.trunc(d);
    fc.assert(
      fc.property(rows(F64), (data) => {
        expect(evaluate("R = (long) A", "float64", data)).toEqual(
          data.map(([a]) => (a === null ? null : toLong(a))),
        );
        expect(evaluate("R = (int) A", "float64", data)).toEqual(
          data.map(([a]) => (a === null ? null : toInt(a) + 0)),
        );
      }),
      { numRuns: 150 },
    );
  });
});
