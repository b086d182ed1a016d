/**
 * values-to-vec.ts: the per-type fast paths give exactly what converting every cell through
 * `coerceStrict` gives (the path before), values and errors alike, and the boundaries of each
 * fast path are refused or accepted as coerceStrict does.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toVecs } from "../../src/durable/host.ts";
import type { Vec } from "../../src/engine/column-source.ts";
import { ValueError } from "../../src/engine/errors.ts";
import { tablePublisher, UpdateGraph } from "../../src/engine/index.ts";
import type { ColumnType } from "../../src/engine/types.ts";
import { allocStorage, coerceStrict, rawToValue } from "../../src/engine/types.ts";
import { vecFromRows, vecFromValues } from "../../src/engine/values-to-vec.ts";

/** The conversion before the fast paths: every cell through coerceStrict. */
function reference(type: ColumnType, values: readonly unknown[], column: string, rowBase = 0): Vec {
  const n = values.length;
  const data = allocStorage(type, n) as unknown as unknown[];
  let valid: Uint8Array | null = null;
  const where = { column, row: 0 };
  for (let i = 0; i < n; i++) {
    where.row = rowBase + i;
    const v = coerceStrict(type, values[i], where);
    if (v === null) {
      if (!valid) valid = new Uint8Array(n).fill(1);
      valid[i] = 0;
    } else data[i] = v;
  }
  return { data: data as unknown as Vec["data"], valid, length: n };
}

/** A Vec's cells as plain values (Object.is-comparable: -0 and NaN kept). */
function cells(v: Vec): unknown[] {
  return Array.from(v.data as ArrayLike<unknown>, (x) => x);
}

type Outcome =
  | { vec: Vec }
  | { error: { name: string; message: string; column?: string; row?: number } };

function outcome(f: () => Vec): Outcome {
  try {
    return { vec: f() };
  } catch (e) {
    const err = e as ValueError;
    return { error: { name: err.name, message: err.message, column: err.column, row: err.row } };
  }
}

function expectSame(a: Outcome, b: Outcome): void {
  if ("error" in b) {
    expect(a).toEqual(b);
    return;
  }
  expect("vec" in a).toBe(true);
  const va = (a as { vec: Vec }).vec;
  expect(va.length).toBe(b.vec.length);
  expect(va.data.constructor).toBe(b.vec.data.constructor);
  expect(va.valid).toEqual(b.vec.valid);
  const ca = cells(va);
  const cb = cells(b.vec);
  for (let i = 0; i < cb.length; i++) {
    // Array cells are fresh frozen arrays: compare their elements.
    if (Array.isArray(cb[i])) expect(ca[i]).toEqual(cb[i]);
    else expect([i, ca[i], Object.is(ca[i], cb[i])]).toEqual([i, cb[i], true]);
  }
}

const SCALARS: ColumnType[] = [
  "int8",
  "int16",
  "int32",
  "int64",
  "instant",
  "float32",
  "float64",
  "bool",
  "char",
  "string",
];

const TWO_53 = 2 ** 53;
/** Values of every kind, weighted to each fast path's edges. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.integer({ min: -300, max: 300 }),
  fc.integer(),
  fc.constantFrom(
    0,
    -0,
    127,
    128,
    -128,
    -129,
    32767,
    32768,
    -32768,
    -32769,
    2 ** 31 - 1,
    2 ** 31,
    -(2 ** 31),
    -(2 ** 31) - 1,
    2 ** 32,
    -(2 ** 32),
    2 ** 32 - 1,
    -(2 ** 32) + 1,
    TWO_53 - 1,
    TWO_53,
    -(TWO_53 - 1),
    -TWO_53,
    2 ** 63,
    NaN,
    Infinity,
    -Infinity,
    3.4028234663852886e38,
    3.4028235677973366e38,
    3.5e38,
    -3.5e38,
    1.5,
    -0.5,
  ),
  fc.integer({ min: -(TWO_53 - 1), max: TWO_53 - 1 }),
  fc.double(),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }),
  fc.constantFrom(
    "NaN",
    "Infinity",
    "-Infinity",
    "9007199254740993",
    "-9223372036854775808",
    "9223372036854775808",
    "2024-01-02T03:04:05.123456789Z",
    "x",
    "",
    "12",
    "1.5",
  ),
  fc.string({ maxLength: 3 }),
  fc.boolean(),
  fc.constantFrom({}, [1], new Date(0)),
);

describe("vecFromValues", () => {
  it("equals converting every cell through coerceStrict, values and errors (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SCALARS, "int64[]" as ColumnType, "string[]" as ColumnType),
        fc.array(anyValue, { maxLength: 12 }),
        fc.nat({ max: 1000 }),
        (type, values, rowBase) => {
          expectSame(
            outcome(() => vecFromValues(type, values, "C", rowBase)),
            outcome(() => reference(type, values, "C", rowBase)),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("mostly-valid columns convert as coerceStrict does (property)", () => {
    const typed: Record<string, fc.Arbitrary<unknown>> = {
      int8: fc.integer({ min: -128, max: 127 }),
      int16: fc.integer({ min: -32768, max: 32767 }),
      int32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      int64: fc.oneof(
        fc.integer({ min: -(TWO_53 - 1), max: TWO_53 - 1 }),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
      ),
      instant: fc.integer({ min: -(TWO_53 - 1), max: TWO_53 - 1 }),
      float32: fc.float(),
      float64: fc.oneof(fc.double(), fc.constantFrom("NaN", "Infinity", "-Infinity")),
      bool: fc.boolean(),
      char: fc.string({ minLength: 1, maxLength: 1 }),
      string: fc.string(),
    };
    fc.assert(
      fc.property(
        fc
          .constantFrom(...SCALARS)
          .chain((t) =>
            fc.tuple(
              fc.constant(t),
              fc.array(fc.option(typed[t]!, { freq: 5 }), { maxLength: 40 }),
            ),
          ),
        ([type, values]) => {
          expectSame(
            outcome(() => vecFromValues(type, values, "C")),
            outcome(() => reference(type, values, "C")),
          );
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("instant strings of a second seen before convert as coerceStrict does (property)", () => {
    const seconds = fc.constantFrom(
      "2024-05-01T13:30:00",
      "2024-05-01T13:30:01",
      // Its nanoseconds' low 32 bits plus a large fraction carry into the high half.
      "2024-05-01T13:30:03",
      "1969-12-31T23:59:59",
      "1970-01-01T00:00:00",
      "2262-04-11T23:47:16",
      "2262-04-11T23:47:15",
      "1677-09-21T00:12:43",
      "1677-09-21T00:12:44",
      "2024-02-30T00:00:00",
      "2024-05-01T13:99:00",
    );
    const suffix = fc.oneof(
      fc.constant("Z"),
      fc.constant(".Z"),
      fc.constant(""),
      fc.constantFrom(".854775807Z", ".854775808Z", ".145224192Z", ".145224191Z", ".999999999Z"),
      fc.stringMatching(/^\.[0-9]{1,10}Z$/),
      fc.stringMatching(/^\.[0-9a]{1,3}Z$/),
      fc.constantFrom("+00:00", ".5+01:00", "z"),
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            { arbitrary: fc.tuple(seconds, suffix).map(([a, b]) => a + b), weight: 9 },
            { arbitrary: fc.constantFrom(null, 5, "12"), weight: 1 },
          ),
          { maxLength: 30 },
        ),
        (values) => {
          expectSame(
            outcome(() => vecFromValues("instant", values, "T")),
            outcome(() => reference("instant", values, "T")),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("writes safe integers into int64 storage exactly, both halves", () => {
    const xs = [
      0,
      -0,
      1,
      -1,
      2 ** 31,
      -(2 ** 31) - 1,
      2 ** 32,
      -(2 ** 32),
      2 ** 32 + 5,
      TWO_53 - 1,
      -(TWO_53 - 1),
    ];
    const v = vecFromValues("int64", xs, "L");
    expect(Array.from(v.data as BigInt64Array)).toEqual([
      0n,
      0n,
      1n,
      -1n,
      2147483648n,
      -2147483649n,
      4294967296n,
      -4294967296n,
      4294967301n,
      9007199254740991n,
      -9007199254740991n,
    ]);
    expect(v.valid).toBe(null);
  });

  it("refuses each fast path's first value beyond it, naming the row and the column", () => {
    const cases: [ColumnType, unknown, string][] = [
      ["int8", 128, 'row 1, column "C": expected int8, got 128 (out of range)'],
      ["int16", -32769, 'row 1, column "C": expected int16, got -32769 (out of range)'],
      ["int32", 2 ** 31, 'row 1, column "C": expected int32, got 2147483648 (out of range)'],
      ["int32", 1.5, 'row 1, column "C": expected int32, got 1.5'],
      ["int32", NaN, 'row 1, column "C": expected int32, got NaN'],
      ["int32", Infinity, 'row 1, column "C": expected int32, got Infinity'],
      ["string", -Infinity, 'row 1, column "C": expected string, got -Infinity'],
      [
        "int64",
        TWO_53,
        'row 1, column "C": expected int64, got 9007199254740992 (beyond +/-(2^53-1); send it as a string)',
      ],
      ["int64", 0.5, 'row 1, column "C": expected int64, got 0.5 (not an integer)'],
      [
        "int64",
        "9223372036854775808",
        'row 1, column "C": expected int64, got "9223372036854775808" (out of int64 range)',
      ],
      [
        "instant",
        -TWO_53,
        'row 1, column "C": expected instant, got -9007199254740992 (beyond +/-(2^53-1); send it as a string)',
      ],
      [
        "float32",
        3.5e38,
        'row 1, column "C": expected float32, got 3.5e+38 (out of float32 range: largest magnitude 3.4028234663852886e+38)',
      ],
      ["float64", "1.5", 'row 1, column "C": expected float64, got "1.5"'],
      ["bool", 1, 'row 1, column "C": expected bool, got 1'],
      ["string", 7, 'row 1, column "C": expected string, got 7'],
    ];
    for (const [type, bad, message] of cases) {
      const err = outcome(() => vecFromValues(type, [null, bad], "C"));
      expect(err).toEqual({ error: { name: "ValueError", message, column: "C", row: 1 } });
    }
  });

  it("accepts what each fast path hands to coerceStrict", () => {
    expect(cells(vecFromValues("int64", ["9007199254740993", -5n], "L"))).toEqual([
      9007199254740993n,
      -5n,
    ]);
    expect(cells(vecFromValues("float64", ["NaN", "-Infinity", 10n], "D"))).toEqual([
      NaN,
      -Infinity,
      10,
    ]);
    expect(cells(vecFromValues("float32", [3.4028235e38, Infinity], "F"))).toEqual([
      3.4028234663852886e38,
      Infinity,
    ]);
    expect(cells(vecFromValues("int32", [7n, -0], "I"))).toEqual([7, 0]);
    expect(cells(vecFromValues("instant", ["1970-01-01T00:00:01Z", 5], "T"))).toEqual([
      1000000000n,
      5n,
    ]);
  });
});

describe("vecFromRows", () => {
  it("reads rows[i][column], a missing property being null", () => {
    const v = vecFromRows("int64", [{ L: 3 }, {}, { L: null }, { L: "-7" }], "L");
    expect(cells(v)).toEqual([3n, 0n, 0n, -7n]);
    expect(Array.from(v.valid!)).toEqual([1, 0, 0, 1]);
  });
});

describe("a refused value in the error message", () => {
  it("is cut after 200 characters, and a value nested too deeply to render is named by its kind", () => {
    const refused = (type: ColumnType, v: unknown) => {
      try {
        vecFromRows(type, [{ X: null }, { X: v }], "X");
      } catch (e) {
        expect(e).toBeInstanceOf(ValueError);
        return (e as Error).message;
      }
      throw new Error("not refused");
    };
    const long = "x".repeat(1000);
    expect(refused("int32", long)).toBe(
      `row 1, column "X": expected int32, got "${"x".repeat(199)}... (1002 characters)`,
    );
    const deep = JSON.parse(`${"[".repeat(100_000)}${"]".repeat(100_000)}`) as unknown;
    expect(refused("string", deep)).toBe(
      'row 1, column "X": expected string, got an array of 1 (nested too deeply to show)',
    );
    expect(refused("string[]", deep)).toBe(
      'row 1, column "X": element 0: expected string, got an array of 1 (nested too deeply to show)',
    );
    let obj: unknown = 1;
    for (let i = 0; i < 100_000; i++) obj = { a: obj };
    expect(refused("float64", obj)).toBe(
      'row 1, column "X": expected float64, got an object (nested too deeply to show)',
    );
    expect(refused("int32", [1, 2])).toBe('row 1, column "X": expected int32, got [1,2]');
  });
});

describe("addRows through the fast paths", () => {
  it("publishes the same table as the values before, and refuses a bad cell by row and column", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, {
      name: "p",
      columns: { S: "string", D: "float64", L: "int64", I: "int32", B: "bool" },
    });
    pub.addRows([
      { S: "a", D: -0, L: -(TWO_53 - 1), I: -1, B: true },
      { S: null, D: NaN, L: "-9223372036854775808", B: false },
    ]);
    await g.runCycle();
    expect(blink.toRows()).toEqual([
      { S: "a", D: -0, L: -9007199254740991n, I: -1, B: true },
      { S: null, D: NaN, L: -9223372036854775808n, I: null, B: false },
    ]);
    expect(() => pub.addRows([{ S: "a", D: 1, L: 1, I: 1, B: true }, { L: 1.25 }])).toThrow(
      new ValueError('row 1, column "L": expected int64, got 1.25 (not an integer)', "L", 1),
    );
  });
});

/** Values a JSON body can carry for a column of `type`, mostly valid, some not. */
function jsonish(type: ColumnType): fc.Arbitrary<unknown> {
  const valid: Record<string, fc.Arbitrary<unknown>> = {
    int8: fc.integer({ min: -128, max: 127 }),
    int16: fc.integer({ min: -32768, max: 32767 }),
    int32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    int64: fc.oneof(
      fc.integer({ min: -(TWO_53 - 1), max: TWO_53 - 1 }),
      fc.constantFrom(TWO_53 - 1, -(TWO_53 - 1), 2 ** 32, -(2 ** 32)),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
    ),
    instant: fc.oneof(
      fc.integer({ min: -(TWO_53 - 1), max: TWO_53 - 1 }),
      fc
        .date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true })
        .map((d) => d.toISOString()),
    ),
    float32: fc.oneof(fc.float(), fc.constantFrom("NaN", "Infinity", "-Infinity")),
    float64: fc.oneof(fc.double(), fc.constantFrom("NaN", "Infinity", "-Infinity")),
    bool: fc.boolean(),
    char: fc.string({ minLength: 1, maxLength: 1 }),
    string: fc.string(),
  };
  return fc.oneof(
    { arbitrary: valid[type]!, weight: 12 },
    { arbitrary: fc.constant(null), weight: 2 },
    { arbitrary: anyValue, weight: 1 },
  );
}

describe("addRows against the conversion before (property)", () => {
  it("random schemas and rows give the same table, or the same error", async () => {
    const schemaArb = fc.uniqueArray(
      fc.tuple(fc.constantFrom("A", "B", "C", "D", "E"), fc.constantFrom(...SCALARS)),
      { minLength: 1, maxLength: 5, selector: ([n]) => n },
    );
    await fc.assert(
      fc.asyncProperty(
        schemaArb.chain((cols) =>
          fc.tuple(
            fc.constant(cols),
            fc.array(
              fc.record(Object.fromEntries(cols.map(([n, t]) => [n, jsonish(t)])), {
                requiredKeys: [],
              }),
              { maxLength: 20 },
            ),
          ),
        ),
        async ([cols, rows]) => {
          const schema = Object.fromEntries(cols);
          // Before: every cell through coerceStrict, columns in schema order.
          let expected: Outcome | { rows: Record<string, unknown>[] };
          try {
            const vecs = cols.map(([n, t]) =>
              reference(
                t,
                rows.map((r) => r[n]),
                n,
              ),
            );
            expected = {
              rows: rows.map((_, i) =>
                Object.fromEntries(
                  cols.map(([n, t], c) => {
                    const v = vecs[c]!;
                    const raw =
                      v.valid && v.valid[i] === 0 ? null : (v.data as ArrayLike<unknown>)[i];
                    return [n, rawToValue(t, raw as never)];
                  }),
                ),
              ),
            };
          } catch (e) {
            const err = e as ValueError;
            expected = {
              error: { name: err.name, message: err.message, column: err.column, row: err.row },
            };
          }
          const g = new UpdateGraph();
          const [blink, pub] = tablePublisher(g, { name: "p", columns: schema });
          let actual: typeof expected;
          try {
            pub.addRows(rows);
            await g.runCycle();
            actual = { rows: blink.toRows() };
          } catch (e) {
            const err = e as ValueError;
            actual = {
              error: { name: err.name, message: err.message, column: err.column, row: err.row },
            };
          }
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("toVecs (an object's JSON publish)", () => {
  const schema = { S: "string", I: "int32", L: "int64" } as const;
  const refused = (rows: unknown[]) => outcome(() => ({ ...toVecs(schema, { rows }).vecs[0]! }));

  it("refuses an unknown column, naming the row and the first unknown key in the row's order", () => {
    expect(refused([{ S: "a" }, { S: "b", Zz: 1, Nope: 2 }])).toEqual({
      error: {
        name: "ValueError",
        message: 'row 1: unknown column "Zz"; columns are [S, I, L]',
        column: "Zz",
        row: 1,
      },
    });
    // A key of a megabyte is cut in the message (the body may hold 16 MiB of it).
    const long = "k".repeat(1 << 20);
    const err = refused([{ [long]: 1 }]) as { error: { message: string } };
    expect(err.error.message).toBe(
      `row 0: unknown column "${"k".repeat(199)}... (${(1 << 20) + 2} characters); columns are [S, I, L]`,
    );
  });

  it("an inherited enumerable property is not a column of the row", () => {
    const proto = { Inherited: 1 };
    const row = Object.assign(Object.create(proto) as Record<string, unknown>, { L: 2 ** 40 });
    const { vecs, length } = toVecs(schema, { rows: [row] });
    expect(length).toBe(1);
    expect(cells(vecs[2]!)).toEqual([1099511627776n]);
    expect(vecs[0]!.valid).toEqual(new Uint8Array([0]));
  });

  it("refuses a row that is not an object, a wrong type, a fraction and a value out of range", () => {
    expect(refused([{ S: "a" }, [1]])).toEqual({
      error: {
        name: "ValueError",
        message: "row 1: expected an object of column values",
        column: undefined,
        row: 1,
      },
    });
    const bad = (row: Record<string, unknown>, message: string, column: string) =>
      expect(refused([{ S: "a", I: 1, L: 1 }, row])).toEqual({
        error: { name: "ValueError", message, column, row: 1 },
      });
    bad({ S: 1 }, 'row 1, column "S": expected string, got 1', "S");
    bad({ I: 2.5 }, 'row 1, column "I": expected int32, got 2.5', "I");
    bad(
      { I: -(2 ** 31) - 1 },
      'row 1, column "I": expected int32, got -2147483649 (out of range)',
      "I",
    );
    bad(
      { L: 1e300 },
      'row 1, column "L": expected int64, got 1e+300 (beyond +/-(2^53-1); send it as a string)',
      "L",
    );
    bad({ L: "1e3" }, 'row 1, column "L": expected int64, got "1e3"', "L");
  });
});
