/**
 * An aggregation's loops on the engine's WebAssembly (agg/agg-wasm.ts, wasm/agg.c) against the
 * JavaScript loops they stand in for: the same sequences of spans added and removed, with the
 * module on and off, leave the same state bit for bit (integer sums with values and partials past
 * 2^52, which the module hands back to JavaScript mid-span; float sums with NaN, infinities, -0
 * and squares; nulls with junk under them; absSum), and the same aggregations over a ring give
 * the same rows. Each property also checks that the module took the spans it should.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { sumIntWasm } from "../../src/engine/agg/agg-wasm.ts";
import { FloatAccumulator } from "../../src/engine/agg/float-accumulator.ts";
import { agg } from "../../src/engine/agg/index.ts";
import { IntAccumulator } from "../../src/engine/agg/int-accumulator.ts";
import type { Vec } from "../../src/engine/column-source.ts";
import { ringTable, tablePublisher, UpdateGraph } from "../../src/engine/index.ts";
import { setEngineWasmEnabled } from "../../src/engine/wasm/engine-wasm.ts";

afterEach(() => setEngineWasmEnabled(true));

const SPILL = 2 ** 52;

/** One span: its rows' groups and values (null: a null row), added or removed. */
interface Step {
  slots: number[];
  values: (number | bigint | null)[];
  sign: 1 | -1;
}

const int64Arb = fc.oneof(
  { weight: 8, arbitrary: fc.bigInt({ min: -1000n, max: 1000n }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      2n ** 52n - 1n,
      2n ** 52n,
      -(2n ** 52n),
      -(2n ** 52n) - 1n,
      2n ** 51n + 7n,
      -(2n ** 51n),
      2n ** 62n,
      -(2n ** 63n),
      2n ** 63n - 1n,
    ),
  },
  { weight: 1, arbitrary: fc.constant(null) },
);

const int32Arb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -1000, max: 1000 }) },
  { weight: 2, arbitrary: fc.constantFrom(2 ** 31 - 1, -(2 ** 31)) },
  { weight: 1, arbitrary: fc.constant(null) },
);

const float64Arb = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 0, 1e300, -1e300, 5e-324),
  },
  { weight: 1, arbitrary: fc.constant(null) },
);

/** Spans of 16 to 80 rows over `groups` groups (so the module takes them). */
function stepsArb<T>(value: fc.Arbitrary<T>, groups: number): fc.Arbitrary<Step[]> {
  const step = fc.integer({ min: 16, max: 80 }).chain((n) =>
    fc.record({
      slots: fc.array(fc.integer({ min: 0, max: groups - 1 }), { minLength: n, maxLength: n }),
      values: fc.array(value, { minLength: n, maxLength: n }),
      sign: fc.constantFrom(1 as const, -1 as const),
    }),
  );
  return fc.array(step, { minLength: 1, maxLength: 12 }) as fc.Arbitrary<Step[]>;
}

/** The span's values as a vector of `kind` (junk under each null, as a chunk may hold). */
function vecOf(kind: "int64" | "int32" | "float64", values: Step["values"]): Vec {
  const valid = Uint8Array.from(values, (v) => (v === null ? 0 : 1));
  const n = values.length;
  const data =
    kind === "int64"
      ? BigInt64Array.from(values, (v, i) => (v === null ? BigInt(i * 977) << 40n : (v as bigint)))
      : kind === "int32"
        ? Int32Array.from(values, (v, i) => (v === null ? i * 7919 : (v as number)))
        : Float64Array.from(values, (v, i) => (v === null ? i * 1e200 : (v as number)));
  return { data, valid: values.includes(null) ? valid : null, length: n };
}

/** Every double of `a`, NaN and -0 told apart. */
const bits = (a: Float64Array | null) =>
  a === null ? null : Array.from(a, (x) => (Object.is(x, -0) ? "-0" : String(x)));

function intState(
  kind: "int64" | "int32",
  steps: Step[],
  groups: number,
  abs: boolean,
  squares: boolean,
  wasm: boolean,
) {
  setEngineWasmEnabled(wasm);
  // The groups' row counts, kept as the aggregation keeps them: a span's rows counted first.
  const rows = { counts: new Float64Array(groups) };
  const acc = new IntAccumulator(kind, rows, { abs, squares });
  acc.ensure(groups);
  for (const s of steps) {
    for (const slot of s.slots) rows.counts[slot]! += s.sign;
    acc.apply(Int32Array.from(s.slots), s.slots.length, vecOf(kind, s.values), s.sign);
  }
  setEngineWasmEnabled(true);
  return {
    d: bits(acc.sum.d),
    nn: Array.from({ length: groups }, (_, s) => acc.nonNull(s)),
    totals: Array.from({ length: groups }, (_, s) => acc.sum.bigint(s)),
    squares: squares ? Array.from({ length: groups }, (_, s) => acc.sq!.bigint(s)) : null,
  };
}

function floatState(steps: Step[], groups: number, abs: boolean, squares: boolean, wasm: boolean) {
  setEngineWasmEnabled(wasm);
  const acc = new FloatAccumulator({ abs, squares });
  acc.ensure(groups);
  for (const s of steps)
    acc.apply(Int32Array.from(s.slots), s.slots.length, vecOf("float64", s.values), s.sign);
  setEngineWasmEnabled(true);
  return [acc.sum, acc.sq, acc.normal, acc.nan, acc.pinf, acc.ninf].map(bits);
}

describe("integer sums on the module equal the JavaScript loop", () => {
  for (const kind of ["int64", "int32"] as const) {
    const what = kind === "int64" ? "values and partials past 2^52 among them" : "the extremes";
    it(`${kind}: ${what}, nulls, abs, squares`, () => {
      const groups = fc.integer({ min: 1, max: 16 });
      fc.assert(
        fc.property(
          groups.chain((g) =>
            fc.tuple(
              fc.constant(g),
              stepsArb<number | bigint | null>(kind === "int64" ? int64Arb : int32Arb, g),
            ),
          ),
          fc.boolean(),
          fc.boolean(),
          ([g, steps], abs, squares) => {
            expect(intState(kind, steps, g, abs, squares, true)).toEqual(
              intState(kind, steps, g, abs, squares, false),
            );
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it("hands a row back where its value or its group's partial passes 2^52", () => {
    const acc = new IntAccumulator("int64", { counts: new Float64Array(64) });
    acc.ensure(4);
    const slots = Int32Array.from({ length: 20 }, (_, i) => i % 2);
    const values = Array.from({ length: 20 }, () => 1n);
    // Row 5's value is 2^52: the module stops before it.
    values[5] = 2n ** 52n;
    expect(sumIntWasm(slots, 20, vecOf("int64", values), true, 1, false, 4, acc.sum.d)).toBe(5);
    // Group 1's partial at 2^52 - 1: row 1 (group 1) takes it past, so the module stops there.
    const fresh = new IntAccumulator("int64", { counts: new Float64Array(64) });
    fresh.ensure(4);
    fresh.sum.d[1] = SPILL - 1;
    const ones = Array.from({ length: 20 }, () => 1n);
    expect(sumIntWasm(slots, 20, vecOf("int64", ones), true, 1, false, 4, fresh.sum.d)).toBe(3);
    // (Row 1 takes it to exactly 2^52, still a double; row 3 would pass it.)
    expect(fresh.sum.d[1]).toBe(SPILL);
    // The same for int32 values.
    const i32 = new IntAccumulator("int32", { counts: new Float64Array(64) });
    i32.ensure(4);
    i32.sum.d[1] = SPILL - 1;
    const small = vecOf(
      "int32",
      Array.from({ length: 20 }, () => 1),
    );
    expect(sumIntWasm(slots, 20, small, false, 1, false, 4, i32.sum.d)).toBe(3);
    // The accumulator applies the span again (the module's 1 to group 1 above, then its 10 ones),
    // finishing it in JavaScript: the total is exact, its excess in a bigint.
    i32.apply(slots, 20, small, 1);
    expect(i32.sum.bigint(1)).toBe(2n ** 52n + 10n);
    expect(i32.sum.isSmall(1)).toBe(false);
  });

  it("leaves a span over more groups than rows to the JavaScript loop", () => {
    const acc = new IntAccumulator("int64", { counts: new Float64Array(64) });
    acc.ensure(64);
    const slots = Int32Array.from({ length: 20 }, (_, i) => i);
    const vec = vecOf(
      "int64",
      Array.from({ length: 20 }, () => 3n),
    );
    expect(sumIntWasm(slots, 20, vec, true, 1, false, 64, acc.sum.d)).toBe(0);
    acc.apply(slots, 20, vec, 1);
    expect(Array.from(acc.sum.d.subarray(0, 21))).toEqual([...Array(20).fill(3), 0]);
  });
});

describe("float sums on the module equal the JavaScript loop", () => {
  it("NaN, infinities, -0, nulls, abs, squares", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 16 })
          .chain((g) => fc.tuple(fc.constant(g), stepsArb(float64Arb, g))),
        fc.boolean(),
        fc.boolean(),
        ([g, steps], abs, squares) => {
          expect(floatState(steps, g, abs, squares, true)).toEqual(
            floatState(steps, g, abs, squares, false),
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("aggregations over a ring give the same rows with the module on and off", () => {
  const rowArb = fc.record({
    K: fc.constantFrom("a", "b", "c", "d"),
    L: fc.option(int64Arb.filter((v) => v !== null) as fc.Arbitrary<bigint>, {
      nil: null,
      freq: 6,
    }),
    I: fc.option(fc.integer({ min: -50, max: 50 }), { nil: null, freq: 6 }),
    D: fc.option(float64Arb.filter((v) => v !== null) as fc.Arbitrary<number>, {
      nil: null,
      freq: 6,
    }),
  });
  // (Batches of up to 60 rows drawn evenly: most spans are long enough for the module.)
  const batches = fc.array(fc.array(rowArb, { minLength: 0, maxLength: 60, size: "max" }), {
    minLength: 1,
    maxLength: 8,
  });

  function run(bs: Record<string, unknown>[][], cap: number, wasm: boolean) {
    setEngineWasmEnabled(wasm);
    const g = new UpdateGraph({ seed: 1 });
    const [blink, pub] = tablePublisher(g, {
      name: "p",
      columns: { K: "string", L: "int64", I: "int32", D: "float64" },
    });
    const out = ringTable(blink, cap).aggBy(
      [
        agg.count("N"),
        agg.sum("SL = L", "SI = I", "SD = D"),
        agg.absSum("AL = L", "AD = D"),
        agg.avg("VL = L", "VD = D"),
        agg.var("QL = L", "QD = D"),
      ],
      "K",
    );
    const cycles: unknown[] = [];
    let update = "";
    out.listen((u) => {
      update = `+${u.added} -${u.removed} ~${u.modified} [${u.modifiedColumns}]`;
    });
    for (const b of bs) {
      update = "none";
      pub.addRows(b);
      g.runCycleSync();
      cycles.push(update);
      cycles.push(
        JSON.stringify(out.toRows(), (_k, v) =>
          typeof v === "bigint"
            ? `${v}n`
            : Object.is(v, -0)
              ? "-0"
              : typeof v === "number" && !Number.isFinite(v)
                ? String(v)
                : v,
        ),
      );
    }
    setEngineWasmEnabled(true);
    return cycles;
  }

  it("count, sum, absSum, avg and var by key, cycle by cycle: rows and updates", () => {
    fc.assert(
      fc.property(batches, fc.integer({ min: 16, max: 120 }), (bs, cap) => {
        expect(run(bs, cap, true)).toEqual(run(bs, cap, false));
      }),
      { numRuns: 60 },
    );
  });
});
