/**
 * The WebAssembly scan of a JSON body (json-rows-wasm.ts, wasm/json-rows.c) against the
 * JavaScript scan it stands in for: `readJsonRows` with the module on gives exactly what it gives
 * with the module off (every form of every column: data, validity, UTF-8 bytes and offsets), for
 * random schemas and texts of every kind, whichever scan took them; and the module does take the
 * texts it is there for. (json-rows.test.ts checks both against JSON.parse, with the module on.)
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import type { Utf8Mode } from "../../src/engine/arrow/utf8.ts";
import type { Vec } from "../../src/engine/column-source.ts";
import { parseInstant } from "../../src/engine/instant.ts";
import { readJsonRows, SKIP_CALLS } from "../../src/engine/json-rows.ts";
import { jsonRowsWasm, MAX_TEXT, OUT_OF_ROWS, wasmKinds } from "../../src/engine/json-rows-wasm.ts";
import type { ColumnType, Schema } from "../../src/engine/types.ts";
import { vecFromRows } from "../../src/engine/values-to-vec.ts";
import {
  engineWasm,
  MAX_SCRATCH,
  setEngineWasmEnabled,
} from "../../src/engine/wasm/engine-wasm.ts";
import {
  anyValue,
  NAMES,
  NUMBER_FORMS,
  rowText,
  STRING_FORMS,
  space,
  TYPES,
  textArb,
} from "./json-texts.ts";

afterEach(() => setEngineWasmEnabled(true));

/** The kinds the module reads, and the others (read by the JavaScript scan alone). */
const OTHER_TYPES: ColumnType[] = ["int32[]"];
const WASM_TYPES = TYPES.filter((t) => !OTHER_TYPES.includes(t));

const utf8 = new TextDecoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * A Vec's rows as plain values (-0 apart from 0; a UTF-8 column's rows decoded), its length and
 * validity, and whether it came as UTF-8. (Not its cache codes: which columns get codes, and
 * which the string cache gives up on, depends on what the cache saw before, and each call here
 * feeds it.)
 */
function formOf(v: Vec) {
  const cells =
    v.utf8 === undefined
      ? Array.from(v.data as ArrayLike<unknown>)
          .slice(0, v.length)
          .map((x) => (Object.is(x, -0) ? "-0" : x))
      : Array.from({ length: v.length }, (_, i) =>
          utf8.decode(v.utf8!.bytes.subarray(v.utf8!.offsets[i], v.utf8!.offsets[i + 1])),
        );
  return {
    length: v.length,
    cells,
    valid: v.valid === null ? null : Array.from(v.valid.subarray(0, v.length)),
  };
}

/**
 * What the caller of `readJsonRows` does with a text it leaves (`addJson`): `JSON.parse` and
 * `vecFromRows` per column, as forms; null when that throws or a row is no object or leaves out
 * a key column.
 */
function parsedForms(input: string | Uint8Array, schema: Schema, keys: string[]) {
  let rows: unknown;
  try {
    rows = JSON.parse(typeof input === "string" ? input : strictUtf8.decode(input));
  } catch {
    return null;
  }
  if (!Array.isArray(rows)) return null;
  for (const r of rows) {
    if (r === null || typeof r !== "object" || Array.isArray(r)) return null;
    for (const k of keys) if (!Object.hasOwn(r, k)) return null;
  }
  try {
    return Object.keys(schema).map((n) =>
      formOf(vecFromRows(schema[n]!, rows as Record<string, unknown>[], n)),
    );
  } catch {
    return null;
  }
}

/**
 * `readJsonRows` with the module on, then off (each on a fresh copy of the schema). The module
 * reads strings the JavaScript scan leaves to `JSON.parse` (escapes, UTF-8): for a text it takes
 * and the JavaScript scan does not, `off` is what `JSON.parse` and `vecFromRows` give.
 */
function bothWays(input: string | Uint8Array, schema: Schema, keys: string[], mode: Utf8Mode) {
  setEngineWasmEnabled(true);
  const on = readJsonRows(input, { ...schema }, keys, mode);
  const onForms = on === null ? null : on.vecs.map(formOf);
  on?.release();
  setEngineWasmEnabled(false);
  const off = readJsonRows(input, { ...schema }, keys, mode);
  const offForms = off === null ? null : off.vecs.map(formOf);
  off?.release();
  setEngineWasmEnabled(true);
  if (offForms === null && onForms !== null)
    return { on: onForms, off: parsedForms(input, schema, keys) };
  return { on: onForms, off: offForms };
}

/** Whether the module itself takes the text (rows, or -1). */
function moduleRows(input: string | Uint8Array, schema: Schema, keys: string[] = []): number {
  const names = Object.keys(schema);
  const enc = names.map((n) => new TextEncoder().encode(n));
  const kinds = wasmKinds(
    names.map((n) => schema[n]!),
    enc,
  );
  if (kinds === null) return -1;
  const nameAt = new Int32Array(names.length + 1);
  for (let c = 0; c < names.length; c++) nameAt[c + 1] = nameAt[c]! + enc[c]!.length;
  const nameBytes = new Uint8Array(nameAt[names.length]!);
  for (let c = 0; c < names.length; c++) nameBytes.set(enc[c]!, nameAt[c]!);
  const order = Int32Array.from(names, (_, c) => c);
  const keyMask =
    keys.length === 0 ? null : Int32Array.from(names, (n) => (keys.includes(n) ? 1 : 0));
  const wasm = jsonRowsWasm()!;
  let n = wasm.read(input, { nameBytes, nameAt, order }, kinds, keyMask, 4);
  if (n === OUT_OF_ROWS)
    n = wasm.read(input, { nameBytes, nameAt, order }, kinds, keyMask, input.length);
  return n;
}

/** Number and string forms at the WebAssembly scan's own edges, besides json-texts.ts's. */
const MORE_NUMBERS = [
  "123.45",
  "-0.001",
  "01",
  "1.",
  ".5",
  "-",
  "+1",
  "0.1234567890123456789012345",
  // Each integer kind's edges, and one past them.
  "127",
  "128",
  "-128",
  "-129",
  "32767",
  "32768",
  "-32768",
  "-32769",
  "2147483647",
  "2147483648",
  "-2147483648",
  "-2147483649",
  "9007199254740991",
  "-9007199254740991",
  // 2^64 + 5 (20 digits, as an integer and with a point): an integer of them would wrap to 5.
  "18446744073709551621",
  "1844674407370955162.1",
  // 2^53 + 1 with a point: past 2^53 (no one exact division).
  "900719925474099.3",
];
/**
 * Instant strings at the edges of what the module reads itself (the canonical form, years 1678 to
 * 2261, every field in range) and of what `coerceStrict` accepts.
 */
const INSTANT_FORMS = [
  '"2024-02-29T23:59:59.999999999Z"',
  '"2023-02-29T00:00:00Z"',
  '"1900-02-29T00:00:00Z"',
  '"2000-02-29T12:00:00Z"',
  '"2024-04-31T00:00:00Z"',
  '"2024-12-31T23:59:59Z"',
  '"2024-13-01T00:00:00Z"',
  '"2024-00-10T00:00:00Z"',
  '"2024-05-00T00:00:00Z"',
  '"2024-05-01T24:00:00Z"',
  '"2024-05-01T23:60:00Z"',
  '"2024-05-01T23:59:60Z"',
  '"2024-05-01T13:30:00.Z"',
  '"2024-05-01T13:30:00.1234567891Z"',
  '"2024-05-01T13:30:00.1z"',
  '"2024-05-01 13:30:00Z"',
  '"2024-05-01T13:30:00.5+00:00"',
  '"1678-01-01T00:00:00Z"',
  '"1677-12-31T23:59:59.999Z"',
  '"1677-09-21T00:12:43.145224192Z"',
  '"1677-09-21T00:12:43.145224191Z"',
  '"2261-12-31T23:59:59.999999999Z"',
  '"2262-04-11T23:47:16.854775807Z"',
  '"2262-04-11T23:47:16.854775808Z"',
  '"1970-01-01T00:00:00Z"',
  '"1969-12-31T23:59:59.999999999Z"',
  '"0001-01-01T00:00:00Z"',
  '"2024-05-01T13:30:0Z"',
  '"2024-5-01T13:30:00Z"',
  '"2024-05-01T13:30:00"',
  '"2024-05-01T13:30:00Zx"',
  '"2024-05-01T13:30:00.5Z "',
];
/** A char column's edges: one character (escaped or not, ASCII or not), none, two. */
const CHAR_FORMS = [
  '"a"',
  '" "',
  '"~"',
  '"\\""',
  '"\\\\"',
  '"\\u0041"',
  '"é"',
  '""',
  '"ab"',
  '"\\n"',
];
/** int64 decimal strings at and past the range's ends, with leading zeros, signs and spaces. */
const INT64_STRINGS = [
  '"9223372036854775807"',
  '"9223372036854775808"',
  '"-9223372036854775808"',
  '"-9223372036854775809"',
  '"18446744073709551616"',
  '"99999999999999999999"',
  '"0009007199254740993"',
  '"-0"',
  '"+1"',
  '" 1"',
  '"1 "',
  '"-"',
  '""',
  '"1e3"',
  '"0x10"',
];
const MORE_STRINGS = [
  '"SYM000042"',
  '"exactly sixteen!"',
  '"seventeen bytes.."',
  '"a fairly long string value of more than thirty-two bytes"',
  '"~!@#$%^&*()"',
];
const NUMBERS = [...NUMBER_FORMS, ...MORE_NUMBERS];

const schemaArb = (types: ColumnType[]): fc.Arbitrary<Schema> =>
  fc
    .uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 5 })
    .chain((names) =>
      fc
        .tuple(...names.map(() => fc.constantFrom(...types)))
        .map((ts) => Object.fromEntries(names.map((n, i) => [n, ts[i]!])) as Schema),
    );

/** Texts the module takes: values every column of the schema reads. */
const GOOD: Record<string, fc.Arbitrary<string>> = {
  float64: fc.oneof(
    fc.integer({ min: -1e9, max: 1e9 }).map((i) => String(i / 100)),
    fc.integer().map(String),
  ),
  float32: fc.integer({ min: -1e6, max: 1e6 }).map((i) => String(i / 8)),
  int32: fc.integer().map(String),
  int16: fc.integer({ min: -32768, max: 32767 }).map(String),
  int8: fc.integer({ min: -128, max: 127 }).map(String),
  int64: fc.oneof(
    fc.maxSafeInteger().map(String),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((b) => JSON.stringify(String(b))),
  ),
  string: fc
    .string({ unit: fc.constantFrom(..."abcXYZ019 -_.:~"), maxLength: 40 })
    .map((s) => JSON.stringify(s)),
  bool: fc.boolean().map(String),
  // One printable character (no quote or backslash, which a string would escape).
  char: fc
    .integer({ min: 32, max: 126 })
    .filter((x) => x !== 34 && x !== 92)
    .map((x) => JSON.stringify(String.fromCharCode(x))),
  // Canonical instants of the years the module reads itself, and safe-integer nanoseconds.
  instant: fc.oneof(
    fc
      .tuple(
        fc.integer({ min: Date.UTC(1678, 0, 1), max: Date.UTC(2261, 11, 31) }),
        fc.option(fc.stringMatching(/^[0-9]{1,9}$/), { freq: 2 }),
      )
      .map(([ms, frac]) => {
        const iso = new Date(ms).toISOString().slice(0, 19);
        return JSON.stringify(frac === null ? `${iso}Z` : `${iso}.${frac}Z`);
      }),
    fc.maxSafeInteger().map(String),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((b) => JSON.stringify(String(b))),
  ),
};

/**
 * A value for a column of type `t`: mostly one of its own forms (edges included: out of range, an
 * exponent, a leading zero), else anything.
 */
function valueFor(t: ColumnType): fc.Arbitrary<string> {
  const own =
    t === "string"
      ? fc.oneof(fc.constantFrom(...STRING_FORMS, ...MORE_STRINGS), GOOD.string!)
      : t === "instant"
        ? fc.oneof(fc.constantFrom(...INSTANT_FORMS, ...STRING_FORMS, ...NUMBERS), GOOD.instant!)
        : t === "char"
          ? fc.oneof(fc.constantFrom(...CHAR_FORMS, ...STRING_FORMS, ...NUMBERS), GOOD.char!)
          : t === "bool"
            ? fc.constantFrom("true", "false", "True", "1")
            : GOOD[t] !== undefined
              ? fc.oneof(fc.constantFrom(...NUMBERS), GOOD[t]!)
              : anyValue;
  return fc.oneof(
    { weight: 6, arbitrary: own },
    { weight: 1, arbitrary: fc.constant("null") },
    { weight: 1, arbitrary: anyValue },
  );
}

/** Rows with keys in random order, some left out, a few unknown or repeated, random spacing. */
const wasmTextArb = (schema: Schema) =>
  textArb(
    schema,
    (k) => (schema[k] === undefined ? anyValue : valueFor(schema[k]!)),
    (names) =>
      fc.oneof(
        { weight: 6, arbitrary: fc.constant([] as string[]) },
        {
          weight: 1,
          arbitrary: fc.array(fc.constantFrom("Unknown", "p", "Pxyz", ...names), { maxLength: 1 }),
        },
      ),
    12,
  );

const MODES: Utf8Mode[] = ["none", "values", "nonkey", "all"];

describe("the WebAssembly scan gives what the JavaScript scan gives", () => {
  it("compiles here (Node), and reads a schema of its kinds only", () => {
    expect(jsonRowsWasm()).not.toBeNull();
    const enc = (ns: string[]) => ns.map((n) => new TextEncoder().encode(n));
    expect(wasmKinds(WASM_TYPES, enc(WASM_TYPES))).not.toBeNull();
    for (const t of OTHER_TYPES) expect(wasmKinds(["float64", t], enc(["a", "b"]))).toBeNull();
    expect(wasmKinds(["float64"], enc(["a\u0000b"]))).toBeNull();
  });

  it("every edge form of a value, in a column of every kind it reads: the same Vecs, or null both ways", () => {
    const forms = [
      ...NUMBERS,
      ...STRING_FORMS,
      ...MORE_STRINGS,
      ...INSTANT_FORMS,
      ...CHAR_FORMS,
      ...INT64_STRINGS,
      "true",
      "false",
      "null",
      "[]",
    ];
    let taken = 0;
    for (const t of WASM_TYPES)
      for (const form of forms)
        for (const text of [`[{"X":${form}}]`, `[{"X":${form},"Y":1},{"Y":2}]`]) {
          const schema: Schema = { X: t, Y: "int32" };
          const { on, off } = bothWays(new TextEncoder().encode(text), schema, [], "none");
          expect(on, `${t}: ${text}`).toEqual(off);
          if (moduleRows(new TextEncoder().encode(text), schema) >= 0) taken++;
        }
    // (Most forms are read by the module itself: what it gives is compared, not only declined.)
    expect(taken).toBeGreaterThan(200);
    // Each integer kind's own edges are among them, and an instant's.
    const edges: [ColumnType, string[]][] = [
      [
        "instant",
        [
          '"1678-01-01T00:00:00Z"',
          '"2261-12-31T23:59:59.999999999Z"',
          '"2000-02-29T12:00:00Z"',
          '"1969-12-31T23:59:59.999999999Z"',
          "-9007199254740991",
        ],
      ],
      ["int8", ["-128", "127"]],
      ["int16", ["-32768", "32767"]],
      ["int32", ["-2147483648", "2147483647"]],
      ["int64", ["-9007199254740991", "9007199254740991"]],
    ];
    for (const [t, forms] of edges)
      for (const form of forms)
        expect(
          moduleRows(new TextEncoder().encode(`[{"X":${form}}]`), { X: t }),
          `${t} ${form}`,
        ).toBe(1);
  });

  it("random texts of its kinds and others: the same Vecs, or null both ways (property)", () => {
    fc.assert(
      fc.property(
        fc
          .oneof(
            { weight: 4, arbitrary: schemaArb(WASM_TYPES) },
            { weight: 1, arbitrary: schemaArb([...WASM_TYPES, ...OTHER_TYPES]) },
          )
          .chain((s) =>
            fc.tuple(
              fc.constant(s),
              wasmTextArb(s),
              fc.boolean(),
              fc.constantFrom(...MODES),
              fc.boolean(),
            ),
          ),
        ([schema, text, withKey, mode, asBytes]) => {
          const keys = withKey ? [Object.keys(schema)[0]!] : [];
          const input = asBytes ? new TextEncoder().encode(text) : text;
          const { on, off } = bothWays(input, schema, keys, mode);
          expect(on, text).toEqual(off);
        },
      ),
      { numRuns: 600 },
    );
  });

  it("takes every text of values its columns read, and gives the JavaScript scan's Vecs (property)", () => {
    fc.assert(
      fc.property(
        schemaArb(WASM_TYPES).chain((schema) => {
          const names = Object.keys(schema);
          const row = fc
            .tuple(
              fc.shuffledSubarray(names, { minLength: names.length }),
              fc.tuple(...names.map((n) => fc.option(GOOD[schema[n]!]!, { freq: 6 }))),
              space,
            )
            .map(([ks, vals, sp]) => rowText(ks, (k) => vals[names.indexOf(k)] ?? null, sp));
          return fc.tuple(
            fc.constant(schema),
            fc.array(row, { maxLength: 40 }),
            space,
            fc.constantFrom(...MODES),
          );
        }),
        ([schema, rows, sp, mode]) => {
          const text = `${sp}[${sp}${rows.join(`${sp},${sp}`)}${sp}]${sp}`;
          // (As bytes: a JS string is read only when all ASCII, and a name here is not.)
          const bytes = new TextEncoder().encode(text);
          expect(moduleRows(bytes, schema), text).toBe(rows.length);
          const { on, off } = bothWays(bytes, schema, [], mode);
          expect(on, text).not.toBeNull();
          expect(on, text).toEqual(off);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("rows written alike (one key order, no space), now and then one written otherwise: the same Vecs, and the module takes them (property)", () => {
    // The module reads a row written as the row before it (the same keys in the same order, no
    // space) by a template, and any other row key by key: a row that leaves the template midway
    // (a space, another order, a key left out, after nulls and strings already read) is read
    // again the other way, what it wrote undone.
    const ways = [
      ...["alike", "alike", "alike", "space", "order", "missing", "unknown", "twice"],
      // One key in place of another: as many keys as columns, one of them twice.
      "doubled",
    ];
    fc.assert(
      fc.property(
        schemaArb(WASM_TYPES).chain((schema) => {
          const names = Object.keys(schema);
          const row = fc.tuple(
            fc.tuple(...names.map((n) => fc.option(GOOD[schema[n]!]!, { freq: 5 }))),
            fc.constantFrom(...ways),
            fc.nat(),
            fc.shuffledSubarray(names, { minLength: names.length }),
          );
          return fc.tuple(
            fc.constant(schema),
            fc.array(row, { maxLength: 30 }),
            fc.constantFrom(...MODES),
          );
        }),
        ([schema, rows, mode]) => {
          const names = Object.keys(schema);
          const texts = rows.map(([vals, way, at, shuffled]) => {
            let keys = way === "order" ? shuffled : names;
            if (way === "missing") keys = keys.filter((_, i) => i !== at % keys.length);
            const fields = keys.map(
              (k) => `${JSON.stringify(k)}:${vals[names.indexOf(k)] ?? "null"}`,
            );
            if (way === "unknown") fields.splice(at % (fields.length + 1), 0, '"Unknown":1');
            if (way === "twice" && fields.length > 0) fields.push(fields[at % fields.length]!);
            if (way === "doubled" && fields.length > 1) {
              const j = at % fields.length;
              fields[j] = fields[(j + 1) % fields.length]!;
            }
            if (way === "space" && fields.length > 0) {
              const j = at % fields.length;
              const where = at % 3;
              if (where === 0) fields[j] = ` ${fields[j]}`;
              else if (where === 1) fields[j] = fields[j]!.replace(":", ": ");
              else fields[fields.length - 1] += " ";
            }
            return `{${fields.join(",")}}`;
          });
          const text = `[${texts.join(",")}]`;
          const bytes = new TextEncoder().encode(text);
          const refused = rows.some(
            ([, way]) =>
              way === "unknown" || way === "twice" || (way === "doubled" && names.length > 1),
          );
          expect(moduleRows(bytes, schema), text).toBe(refused ? -1 : rows.length);
          const { on, off } = bothWays(bytes, schema, [], mode);
          expect(on, text).toEqual(off);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("a row without a key, then one naming another key twice: not read by a template of the same key twice", () => {
    // The row without "a" leaves the key order [b, b]; a template made from it would take the
    // next row's two "b"s and never write "a".
    const schema: Schema = { a: "int32", b: "int32" };
    for (const text of [
      '[{"a":1,"b":2},{"b":3},{"b":4,"b":5}]',
      '[{"a":1,"b":2},{"b":3},{"b":4,"b":5},{"a":6,"b":7}]',
      '[{"b":3},{"b":4,"b":5}]',
    ]) {
      const bytes = new TextEncoder().encode(text);
      expect(moduleRows(bytes, schema), text).toBe(-1);
      const { on, off } = bothWays(bytes, schema, [], "none");
      expect(on, text).toEqual(off);
    }
  });

  it("leaves to the JavaScript scan what only it reads: an int64 with an exponent, long mantissas, doubles past the normal range", () => {
    const schema: Schema = { I: "int64", F: "float64" };
    for (const [text, want] of [
      ['[{"I":1e3,"F":1}]', [1000n]],
      ['[{"I":5,"F":0.1234567890123456789012345}]', [5n]],
      ['[{"I":5,"F":1.234567890123456789}]', [5n]],
      ['[{"I":5,"F":5e-324}]', [5n]],
      ['[{"I":5,"F":1e-400}]', [5n]],
      ['[{"I":5,"F":1.8e308}]', [5n]],
    ] as const) {
      expect(moduleRows(text, schema), text).toBe(-1);
      const got = readJsonRows(text, { ...schema });
      expect(got, text).not.toBeNull();
      expect(Array.from(got!.vecs[0]!.data as BigInt64Array), text).toEqual(want);
    }
  });

  it("after a text it leaves to the JavaScript scan, the schema's next SKIP_CALLS texts skip it", () => {
    const wasm = jsonRowsWasm()!;
    const read = wasm.read;
    let calls = 0;
    wasm.read = (...args) => {
      calls++;
      return read.apply(wasm, args);
    };
    try {
      const schema: Schema = { F: "float64" };
      const values: number[] = [];
      values.push(readJsonRows('[{"F":1e-400}]', schema)!.vecs[0]!.data[0] as number);
      expect(calls).toBe(1);
      for (let i = 0; i < SKIP_CALLS; i++)
        values.push(readJsonRows(`[{"F":${i}.5}]`, schema)!.vecs[0]!.data[0] as number);
      expect(calls).toBe(1);
      values.push(readJsonRows('[{"F":2.25}]', schema)!.vecs[0]!.data[0] as number);
      expect(calls).toBe(2);
      expect(values).toEqual([0, ...Array.from({ length: SKIP_CALLS }, (_, i) => i + 0.5), 2.25]);
    } finally {
      wasm.read = read;
    }
  });

  it("refuses what neither scan reads, and a row without a key column", () => {
    const schema: Schema = { K: "string", V: "float64" };
    for (const text of [
      '[{"K":"a","V":1},]',
      '[{"K":"a","V":1,"V":2}]',
      '[{"K":"a","V":01}]',
      '[{"K":"a","V":1}] x',
      '[{"K":"a","X":1}]',
      "[1]",
    ]) {
      expect(moduleRows(text, schema), text).toBe(-1);
      expect(readJsonRows(text, { ...schema }), text).toBeNull();
    }
    expect(moduleRows('[{"V":1}]', schema, ["K"])).toBe(-1);
    expect(moduleRows('[{"V":1}]', schema)).toBe(1);
  });

  it("reads a text of rows shorter than the last one's (more rows than its first guess)", () => {
    const schema: Schema = { S: "string", N: "int32" };
    const long = JSON.stringify(
      Array.from({ length: 20 }, (_, i) => ({ S: "x".repeat(200), N: i })),
    );
    const short = JSON.stringify(Array.from({ length: 3000 }, (_, i) => ({ N: i % 7 })));
    const s = { ...schema };
    readJsonRows(long, s)!.release();
    const got = readJsonRows(short, s)!;
    expect(got.length).toBe(3000);
    expect(Array.from(got.vecs[1]!.data as Int32Array)).toEqual(
      Array.from({ length: 3000 }, (_, i) => i % 7),
    );
    expect(got.vecs[0]!.valid!.every((v) => v === 0)).toBe(true);
  });

  it("a large text of rows a little shorter than the last one's is still read by the module (its guess doubles, not jumps to a layout past MAX_SCRATCH)", () => {
    const wasm = jsonRowsWasm()!;
    const read = wasm.read;
    const answers: number[] = [];
    wasm.read = (...args) => {
      const n = read.apply(wasm, args);
      answers.push(n);
      return n;
    };
    try {
      // Five 8-byte columns, 10,000 rows of about 90 bytes: every row as many rows as 3 bytes
      // allow would lay out about 14 MB of columns.
      const schema: Schema = { A: "float64", B: "int64", C: "float64", D: "instant", E: "int64" };
      const rowsOf = (pad: number) =>
        Array.from({ length: 10_000 }, (_, i) => ({
          A: 100 + (i % 1000) / 8,
          B: i * pad,
          C: i / 4,
          D: `2024-01-01T00:00:00.${String(i).padStart(9, "0")}Z`,
          E: i,
        }));
      const long = JSON.stringify(rowsOf(1_000_003));
      const short = JSON.stringify(rowsOf(1));
      expect(long.length).toBeLessThan(MAX_TEXT);
      expect(((short.length / 3) * 5 * 8) / MAX_SCRATCH).toBeGreaterThan(1);
      const s = { ...schema };
      readJsonRows(long, s)!.release();
      answers.length = 0;
      const got = readJsonRows(short, s)!;
      expect(answers[0]).toBe(OUT_OF_ROWS);
      expect(answers[answers.length - 1]).toBe(10_000);
      expect(Array.from((got.vecs[1]!.data as BigInt64Array).subarray(0, 3))).toEqual([0n, 1n, 2n]);
      expect(Number((got.vecs[3]!.data as BigInt64Array)[9_999])).toBe(
        Number(parseInstant("2024-01-01T00:00:00.000009999Z")),
      );
      got.release();
    } finally {
      wasm.read = read;
    }
  });

  it("a text whose columns would lay out more than MAX_SCRATCH goes to the JavaScript scan; the module's memory stays bounded", () => {
    // 40 string columns of a 300 KB text: each string column's buffer holds the text's length.
    const names = Array.from({ length: 40 }, (_, c) => `S${c}`);
    const schema: Schema = Object.fromEntries(names.map((n) => [n, "string"]));
    const rows = Array.from({ length: 800 }, (_, i) =>
      Object.fromEntries(names.map((n, c) => [n, `${n}-${(i * 31 + c) % 97}`])),
    );
    const text = JSON.stringify(rows);
    expect(text.length * names.length).toBeGreaterThan(MAX_SCRATCH);
    expect(moduleRows(text, schema)).toBe(-1);
    const { on, off } = bothWays(text, schema, [], "none");
    expect(on).not.toBeNull();
    expect(on).toEqual(off);
    expect(on![39]!.cells).toEqual(rows.map((r) => r.S39));
    expect(engineWasm()!.buffer.byteLength).toBeLessThan(MAX_SCRATCH + (4 << 20));
  });

  it("a text longer than MAX_TEXT goes to the JavaScript scan, with the same values", () => {
    const schema: Schema = { S: "string", P: "float64" };
    const rows = Array.from({ length: Math.ceil(MAX_TEXT / 15) }, (_, i) => ({
      S: `s${i % 97}`,
      P: i / 4,
    }));
    const text = JSON.stringify(rows);
    expect(text.length).toBeGreaterThan(MAX_TEXT);
    const { on, off } = bothWays(text, schema, [], "values");
    expect(on).not.toBeNull();
    expect(on).toEqual(off);
    expect(on![1]!.cells).toEqual(rows.map((r) => r.P));
  });
});

/**
 * The module's decimal-to-double conversion (json-rows.c, `floatAt` and `decimalToDouble`)
 * against the JavaScript engine's own (`Number` of the text, which is JSON.parse's): every value
 * it takes is the same double bit for bit (-0 included), and it takes what a producer writes:
 * every double JSON.stringify writes in the normal range, and any decimal of up to 18
 * significant digits with any exponent there. Texts are read with the module on; `moduleRows`
 * says whether the module took them (else the JavaScript scan answered).
 */
describe("the WebAssembly scan's doubles", () => {
  /**
   * Reads `[{"F":v,"G":v}]` (float64 F, float32 G; F alone for a value past float32's range,
   * which a float32 column refuses): their values (G: null when not read), and whether the
   * module took the text.
   */
  function readBoth(v: string): { f: number; g: number | null; taken: boolean } {
    const f32 = Math.abs(Number(v)) <= 3.4028234663852886e38;
    const schema: Schema = f32 ? { F: "float64", G: "float32" } : { F: "float64" };
    const text = f32 ? `[{"F":${v},"G":${v}}]` : `[{"F":${v}}]`;
    const taken = moduleRows(text, schema) === 1;
    const r = readJsonRows(text, { ...schema });
    expect(r, text).not.toBeNull();
    const out = {
      f: (r!.vecs[0]!.data as Float64Array)[0]!,
      g: f32 ? (r!.vecs[1]!.data as Float32Array)[0]! : null,
      taken,
    };
    r!.release();
    return out;
  }

  /**
   * Whether text `v` is in the range the module converts: a normal double, or a zero written as
   * one (not a value too small for a double, which is 0 too).
   */
  const inRange = (v: string) => {
    const x = Number(v);
    if (x === 0) return /^-?0(\.0*)?([eE].*)?$/.test(v);
    return Math.abs(x) >= 2.2250738585072014e-308 && Math.abs(x) <= Number.MAX_VALUE;
  };

  function expectSame(v: string, mustTake: boolean): void {
    const want = Number(v);
    const got = readBoth(v);
    expect(Object.is(got.f, want), `${v}: ${got.f} for ${want}`).toBe(true);
    if (got.g !== null) expect(Object.is(got.g, Math.fround(want)), `${v} as float32`).toBe(true);
    if (mustTake) expect(got.taken, `${v} taken by the module`).toBe(true);
  }

  it("every double JSON.stringify writes, as Number reads it, and takes it (property)", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expectSame(JSON.stringify(x), inRange(JSON.stringify(x)));
      }),
      { numRuns: 3000 },
    );
  });

  it("decimals of up to 18 digits with any exponent, as Number reads them (property)", () => {
    const decimal = fc
      .tuple(
        fc.boolean(),
        fc.stringMatching(/^[1-9][0-9]{0,17}$/),
        fc.nat({ max: 20 }),
        fc.option(fc.integer({ min: -360, max: 330 }), { freq: 2 }),
        fc.constantFrom("e", "E", "e+"),
      )
      .map(([neg, digits, point, exp, e]) => {
        const at = Math.min(point, digits.length - 1);
        const mant = at === 0 ? digits : `${digits.slice(0, -at)}.${digits.slice(-at)}`;
        const ex = exp === null ? "" : exp < 0 ? `e${exp}` : `${e}${exp}`;
        return `${neg ? "-" : ""}${mant}${ex}`;
      });
    fc.assert(
      fc.property(decimal, (v) => {
        expectSame(v, inRange(v));
      }),
      { numRuns: 3000 },
    );
  });

  it("values on and beside rounding boundaries, exact values written long, and the range's ends", () => {
    const cases = [
      // Odd integers in [2^53, 2^54) are halfway between two doubles: ties to even.
      "9007199254740993",
      "9007199254740993.0",
      "90071992547409930e-1",
      "9007199254740995",
      "-9007199254740995",
      "9007199254740994",
      "18014398509481990",
      "18014398509481994",
      "12902445019002403.0",
      // Exact in a double, written with a decimal part.
      "2498193909414112.5",
      "-264693494653329.25",
      "1018412850669256.0",
      "4503599627370496.5",
      "4503599627370497.5",
      // Halfway below a power of two, rounding up to it (the mantissa carries into the exponent).
      "9007199254740991.5",
      "4503599627370495.75",
      "2251799813685247.875",
      "18014398509481983",
      "36028797018963967",
      // Halfway past 2^53 written with an exponent; just above and below a halfway point.
      "9.007199254740993e15",
      "9.0071992547409931e15",
      "9.0071992547409929e15",
      // Zeros past 18 digits; values JSON.stringify writes with an exponent.
      "100000000000000000000",
      "123456789012345678000",
      "1e+21",
      "1.7976931348623157e308",
      "2.2250738585072014e-308",
      "5e-324",
      "1e-400",
      "-0",
      "-0.0e5",
      "0e999",
      "0.1",
      "0.30000000000000004",
      "1.5E-7",
      "123456789012345678",
      "1234567890123456789",
    ];
    for (const v of cases) {
      const digits = v
        .replace(/^-/, "")
        .replace(/[eE].*$/, "")
        .replace(".", "")
        .replace(/^0+/, "");
      expectSame(v, inRange(v) && digits.replace(/0+$/, "").length <= 18);
    }
  });

  it("a float column's integers, decimals and exponents in one text of many rows: Number's values", () => {
    let seed = 11;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    const values = Array.from({ length: 500 }, (_, i) =>
      i % 3 === 0 ? 100 + rnd() * 50 : i % 3 === 1 ? Math.round(rnd() * 1e6) / 100 : rnd() * 1e-5,
    );
    const text = JSON.stringify(values.map((F) => ({ F })));
    expect(moduleRows(text, { F: "float64" })).toBe(values.length);
    const r = readJsonRows(text, { F: "float64" })!;
    expect(Array.from((r.vecs[0]!.data as Float64Array).subarray(0, values.length))).toEqual(
      values,
    );
    r.release();
  });
});

describe("the WebAssembly scan's instants", () => {
  it("rows of one minute, second by second, and of one second, fraction by fraction: coerceStrict's nanoseconds, read by the module", () => {
    const values: string[] = [];
    for (let sec = 0; sec < 60; sec++) {
      const ss = String(sec).padStart(2, "0");
      values.push(`2024-05-01T13:30:${ss}Z`, `2024-05-01T13:30:${ss}.5Z`);
    }
    for (let f = 1; f <= 9; f++) values.push(`2024-05-01T13:31:00.${"7".repeat(f)}Z`);
    values.push("2024-05-01T13:31:01Z", "2024-06-01T13:31:01Z", "2024-05-01T13:31:01Z");
    const text = JSON.stringify(values.map((T) => ({ T })));
    expect(moduleRows(text, { T: "instant" })).toBe(values.length);
    const r = readJsonRows(text, { T: "instant" })!;
    expect(Array.from((r.vecs[0]!.data as BigInt64Array).subarray(0, values.length))).toEqual(
      values.map((v) => parseInstant(v)),
    );
    r.release();
  });

  it("a value must end where its form does: texts that would read on past a stray character are refused by both scans", () => {
    for (const [schema, text] of [
      [{ T: "instant", A: "int32" }, '[{"T":"2024-05-01T13:30:00Zx,"A":1}]'],
      [{ T: "instant", A: "int32" }, '[{"T":"2024-05-01T13:30:00.5Zx,"A":1}]'],
      [{ T: "instant", A: "int32" }, '[{"T":"123x,"A":1}]'],
      [{ T: "int64", A: "int32" }, '[{"T":"123x,"A":1}]'],
      [{ T: "char", A: "int32" }, '[{"T":""","A":1}]'],
      [{ T: "char", A: "int32" }, '[{"T":"\\","A":1}]'],
    ] as [Schema, string][]) {
      expect(moduleRows(text, schema), text).toBe(-1);
      const { on, off } = bothWays(text, schema, [], "none");
      expect(on, text).toBeNull();
      expect(off, text).toBeNull();
    }
  });
});

describe("the WebAssembly scan's strings", () => {
  it("escapes and UTF-8: JSON.parse's values, kept as UTF-8 marked not ASCII; a lone surrogate left to JSON.parse", () => {
    const values = [
      'a"b',
      "back\\slash/",
      "tab\tnew\nline\r\b\f",
      "\u0000\u001f",
      "é",
      "日本",
      "😀",
      'mixé😀"x',
      "\u007f",
      "plain",
    ];
    const bytes = new TextEncoder().encode(JSON.stringify(values.map((S) => ({ S }))));
    expect(moduleRows(bytes, { S: "string" })).toBe(values.length);
    const kept = readJsonRows(bytes, { S: "string" }, [], "all")!;
    expect(kept.vecs[0]!.utf8!.ascii).toBe(false);
    expect(formOf(kept.vecs[0]!).cells).toEqual(values);
    kept.release();
    const decoded = readJsonRows(bytes, { S: "string" }, [], "none")!;
    expect(Array.from(decoded.vecs[0]!.data as string[]).slice(0, values.length)).toEqual(values);
    decoded.release();
    // Escapes written as escapes: \u forms (a surrogate pair as one character), \/ and the rest.
    const escaped =
      '[{"S":"\\u00e9\\ud83d\\ude00\\/\\"\\\\\\u0041"},{"S":"a\\nb"},' +
      '{"S":"\\u0080\\u0416\\u07ff\\u0800\\uffff\\udbff\\udfff\\u0000"}]';
    expect(moduleRows(escaped, { S: "string" })).toBe(3);
    const got = readJsonRows(escaped, { S: "string" }, [], "all")!;
    expect(formOf(got.vecs[0]!).cells).toEqual(JSON.parse(escaped).map((r: { S: string }) => r.S));
    got.release();
    // Only ASCII escapes: still ASCII.
    const asciiOnly = readJsonRows('[{"S":"a\\nb\\"c"}]', { S: "string" }, [], "all")!;
    expect(asciiOnly.vecs[0]!.utf8!.ascii).toBe(true);
    asciiOnly.release();
    // A JS string past ASCII: read as its UTF-8; one with a lone surrogate left to JSON.parse.
    const text = JSON.stringify(values.map((S) => ({ S })));
    const fromString = readJsonRows(text, { S: "string" }, [], "none")!;
    expect(Array.from(fromString.vecs[0]!.data as string[]).slice(0, values.length)).toEqual(
      values,
    );
    fromString.release();
    expect(readJsonRows('[{"S":"é\ud800"}]', { S: "string" })).toBeNull();
    expect(readJsonRows('[{"S":"é\ud83d\ude00"}]', { S: "string" })).not.toBeNull();
    // A real U+FFFD (what an encoder writes for a lone surrogate) is taken, with its value.
    const fffd = readJsonRows('[{"S":"é\ufffd"},{"S":"\ufffd\ud800"}]', { S: "string" });
    expect(fffd).toBeNull();
    const real = readJsonRows('[{"S":"é\ufffdx"}]', { S: "string" }, [], "none")!;
    expect((real.vecs[0]!.data as string[])[0]).toBe("é\ufffdx");
    real.release();
    for (const text of ['[{"S":"\\ud800"}]', '[{"S":"\\udc00x"}]', '[{"S":"\\ud800\\u0041"}]']) {
      expect(moduleRows(text, { S: "string" }), text).toBe(-1);
      expect(readJsonRows(text, { S: "string" }), text).toBeNull();
    }
    // Bytes that are no UTF-8, and a raw control byte: refused by both (JSON.parse refuses them).
    for (const raw of [[0xc3], [0xed, 0xa0, 0x80], [0xff], [0x01]]) {
      const b = new Uint8Array([...new TextEncoder().encode('[{"S":"a'), ...raw, 0x22, 0x7d, 0x5d]);
      expect(moduleRows(b, { S: "string" }), String(raw)).toBe(-1);
    }
  });
});
