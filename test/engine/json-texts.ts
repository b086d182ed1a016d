/**
 * Generators of JSON publish texts for the JSON scan's tests (json-rows.test.ts against JSON.parse,
 * json-rows-wasm.test.ts against the JavaScript scan): number and string forms at every edge the
 * scans treat apart, values of every kind, whitespace, rows with keys in any order, and whole
 * texts.
 */
import fc from "fast-check";
import type { ColumnType, Schema } from "../../src/engine/types.ts";

/** Column types of every kind the scans treat apart. */
export const TYPES: ColumnType[] = [
  "float64",
  "float32",
  "int32",
  "int16",
  "int8",
  "int64",
  "instant",
  "string",
  "bool",
  "char",
  "int32[]",
];
/** Column names: prefixes of each other, one longer than 8 bytes, one not ASCII. */
export const NAMES = ["P", "Px", "Pxy", "Sym", "LongColumnName", "Prïce", "T"];

export const NUMBER_FORMS = [
  "0",
  "-0",
  "-0.0",
  "0e0",
  "1",
  "-7",
  "127",
  "128",
  "-129",
  "32767",
  "32768",
  "2147483647",
  "2147483648",
  "-2147483649",
  "1.5",
  "-2.25",
  "1e2",
  "1E2",
  "1e+2",
  "1e-2",
  "2.5E-3",
  "0.1",
  "0.30000000000000004",
  "1.2345678901234567890",
  "123456789012345678",
  "1e400",
  "-1e400",
  "5e-324",
  "2e-324",
  "3.4028234663852886e38",
  "3.4028235e38",
  "3.4028236e38",
  "1.4e-45",
  "9007199254740991",
  "9007199254740992",
  "9007199254740993",
  "-9007199254740993",
  "123456789012345678901234567890",
  "1e22",
  "1e23",
  "4.35679e-10",
];

export function numberArb(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...NUMBER_FORMS),
    fc.integer({ min: -300, max: 300 }).map(String),
    fc.integer().map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => d.toExponential()),
    fc.float({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  );
}

export const asciiString = fc
  .string({ unit: fc.constantFrom(..."abcXYZ019 -_.:~{}[],") })
  .map((s) => JSON.stringify(s));
export const STRING_FORMS = [
  '""',
  '"a\\"b"',
  '"\\\\"',
  '"x\\ny"',
  '"\\u00e9"',
  '"\\u0041"',
  '"\\t"',
  '"\\u0000"',
  '"\\/"',
  '"é"',
  '"日本"',
  '"😀"',
  '"a"',
  '"2024-05-01T13:30:00.25Z"',
  '"2024-05-01T13:30:00Z"',
  '"2024-05-01T13:30:00.123456789Z"',
  '"2024-05-01T13:30:00+01:00"',
  '"2024-05-01"',
  '"9007199254740993"',
  '"-9223372036854775808"',
  '"9223372036854775808"',
  '"12"',
  '" 12"',
  '"1e3"',
];
export const stringArb = fc.oneof(
  asciiString,
  fc.constantFrom(...STRING_FORMS),
  fc.string({ unit: "grapheme", maxLength: 6 }).map((s) => JSON.stringify(s)),
);
export const instantArb = fc
  .integer({ min: -1_000_000_000_000, max: 4_000_000_000_000 })
  .chain((ms) => {
    const iso = new Date(ms).toISOString();
    return fc.constantFrom(
      JSON.stringify(iso),
      JSON.stringify(iso.replace(/\.\d+Z$/, "Z")),
      JSON.stringify(iso.replace("Z", "456Z")),
      JSON.stringify(iso.replace("Z", "+00:00")),
    );
  });
export const nested = fc.constantFrom(
  "[]",
  "[1,2]",
  "{}",
  '{"a":1}',
  "[[1]]",
  '[{"P":1}]',
  "[null]",
);
export const anyValue = fc.oneof(
  { weight: 4, arbitrary: numberArb() },
  { weight: 3, arbitrary: stringArb },
  { weight: 1, arbitrary: instantArb },
  { weight: 2, arbitrary: fc.constantFrom("null", "true", "false") },
  { weight: 1, arbitrary: nested },
);

/** JSON whitespace, mostly none. */
export const space = fc.oneof(
  { weight: 3, arbitrary: fc.constant("") },
  {
    weight: 1,
    arbitrary: fc.string({ unit: fc.constantFrom(" ", "\t", "\n", "\r"), maxLength: 3 }),
  },
);

/** One row's text: `keys` in that order, each with `value(key)` (null: `null`), `sp` between tokens. */
export function rowText(
  keys: readonly string[],
  value: (key: string) => string | null,
  sp: string,
): string {
  const f = keys.map((k) => `${sp}${JSON.stringify(k)}${sp}:${sp}${value(k) ?? "null"}`);
  return `{${f.join(`${sp},`)}${sp}}`;
}

/**
 * Texts of rows of `schema`: each row's keys in random order, some left out, `extra` ones added
 * (unknown or repeated), values from `value(key)`, random spacing; at most `maxRows` rows.
 */
export function textArb(
  schema: Schema,
  value: (key: string) => fc.Arbitrary<string>,
  extra: (names: string[]) => fc.Arbitrary<string[]>,
  maxRows: number,
): fc.Arbitrary<string> {
  const names = Object.keys(schema);
  const row = fc
    .tuple(
      fc.shuffledSubarray(names),
      extra(names),
      fc.array(space, { minLength: 4, maxLength: 4 }),
    )
    .chain(([keys, more, sp]) =>
      fc
        .tuple(...[...keys, ...more].map((k) => fc.tuple(fc.constant(k), value(k))))
        .map((fields) => {
          const parts = fields.map(
            ([k, v], i) =>
              `${sp[i % 4]}${JSON.stringify(k)}${sp[(i + 1) % 4]}:${sp[(i + 2) % 4]}${v}`,
          );
          return `{${parts.join(",")}${sp[3]}}`;
        }),
    );
  return fc
    .tuple(fc.array(row, { maxLength: maxRows }), space, space, space)
    .map(([rows, a, b, c]) => `${a}[${b}${rows.join(`${c},${b}`)}${c}]${a}`);
}
