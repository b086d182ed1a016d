/**
 * json-rows.ts against its contract: whenever `readJsonRows` answers, its Vecs are exactly what
 * `JSON.parse` + `vecFromRows` give for the same text (values, -0, validity), for text given as a
 * string and as UTF-8 bytes; whenever that path throws, the reader answers null; and the inputs it
 * is meant to take (numbers, ASCII strings, instants, bools, nulls, any key order, whitespace) it
 * does take. Random schemas and texts from fast-check, with wrong types, escapes, unknown,
 * duplicate and missing keys, and invalid JSON mixed in.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toVecs } from "../../src/durable/host.ts";
import type { Vec } from "../../src/engine/column-source.ts";
import { ValueError } from "../../src/engine/errors.ts";
import { tablePublisher, UpdateGraph } from "../../src/engine/index.ts";
import { readJsonRows } from "../../src/engine/json-rows.ts";
import type { ColumnType, Schema } from "../../src/engine/types.ts";
import { vecFromRows } from "../../src/engine/values-to-vec.ts";

const TYPES: ColumnType[] = [
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
/** Names that are prefixes of each other, one longer than 8 bytes, one not ASCII. */
const NAMES = ["P", "Px", "Pxy", "Sym", "LongColumnName", "Prïce", "T"];

/** The reference: JSON.parse, then vecFromRows per column; null when either throws. */
function reference(text: string, schema: Schema): Vec[] | null {
  try {
    const rows = JSON.parse(text) as Record<string, unknown>[];
    if (!Array.isArray(rows)) return null;
    for (const r of rows) if (r === null || typeof r !== "object" || Array.isArray(r)) return null;
    return Object.keys(schema).map((n) => vecFromRows(schema[n]!, rows, n));
  } catch {
    return null;
  }
}

/** Whether every character of `text` is ASCII. */
function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** A Vec's cells and validity, comparable with toEqual (Object.is for -0). */
function cellsOf(v: Vec): { cells: unknown[]; valid: number[] | null; length: number } {
  return {
    cells: Array.from(v.data as ArrayLike<unknown>).slice(0, v.length),
    valid: v.valid === null ? null : Array.from(v.valid).slice(0, v.length),
    length: v.length,
  };
}

/** Checks the contract for one text; returns whether the reader took it, as text and as bytes. */
function check(text: string, schema: Schema): { text: boolean; bytes: boolean } {
  const want = reference(text, schema);
  const took = { text: false, bytes: false };
  for (const input of [text, new TextEncoder().encode(text)]) {
    // A fresh schema object: a fresh plan, so no earlier fallback makes this call skip the scan.
    const got = readJsonRows(input, { ...schema });
    if (got === null) continue;
    if (typeof input === "string") took.text = true;
    else took.bytes = true;
    expect(want, `the reader took text JSON.parse + vecFromRows refuse: ${text}`).not.toBeNull();
    expect(got.length).toBe(want![0]?.length ?? got.length);
    expect(got.vecs.map(cellsOf)).toEqual(want!.map(cellsOf));
  }
  return took;
}

/** A JSON value of any kind, for a column of `type` (often its own kind, sometimes another). */
function valueFor(type: ColumnType): fc.Arbitrary<string> {
  const own: fc.Arbitrary<string>[] = [];
  const number = fc.oneof(
    fc.integer({ min: -200, max: 200 }).map(String),
    fc.integer().map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => d.toExponential()),
    fc.constantFrom(
      "-0",
      "0.0",
      "1e400",
      "-1e-400",
      "5e-324",
      "9007199254740993",
      "1E+2",
      "3.4028235e38",
      "123456789012345678901234567890",
    ),
  );
  const ascii = fc
    .string({ unit: fc.constantFrom(..."abcXYZ019 -_.:~") })
    .map((s) => JSON.stringify(s));
  const anyString = fc.string({ unit: "grapheme" }).map((s) => JSON.stringify(s));
  const instant = fc
    .integer({ min: 0, max: 4_000_000_000_000 })
    .chain((ms) =>
      fc.constantFrom(
        JSON.stringify(new Date(ms).toISOString()),
        JSON.stringify(new Date(ms).toISOString().replace(/\.\d+Z$/, "Z")),
        JSON.stringify(new Date(ms).toISOString().replace("Z", "123456Z")),
        JSON.stringify(new Date(ms).toISOString().replace("Z", "+01:00")),
        JSON.stringify(new Date(ms).toISOString().replace(/\.\d+Z$/, ".Z")),
      ),
    );
  const escaped = fc.constantFrom('"a\\"b"', '"\\\\"', '"x\\ny"', '"\\u0041"', '"x\\/y"', '"\\t"');
  if (type === "string") own.push(ascii, anyString, escaped);
  else if (type === "bool") own.push(fc.constantFrom("true", "false"));
  else if (type === "char") own.push(fc.constantFrom('"a"', '"Z"', '"ab"', '""', '"\\n"', '"é"'));
  else if (type === "instant") own.push(instant, fc.integer({ min: -1e15, max: 1e15 }).map(String));
  else if (type === "int64")
    own.push(
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((b) => JSON.stringify(String(b))),
    );
  else if (type === "int32[]") own.push(fc.constantFrom("[1,2]", "[]"));
  if (type !== "string" && type !== "bool" && type !== "char" && type !== "int32[]")
    own.push(number);
  const other = fc.oneof(number, ascii, fc.constantFrom("true", "{}", "[1]", '"x"'));
  return fc.oneof(
    { weight: 6, arbitrary: fc.oneof(...own) },
    { weight: 1, arbitrary: fc.constant("null") },
    { weight: 1, arbitrary: other },
  );
}

/** JSON whitespace, mostly none. */
const space = fc.oneof(
  { weight: 4, arbitrary: fc.constant("") },
  {
    weight: 1,
    arbitrary: fc.string({ unit: fc.constantFrom(" ", "\t", "\n", "\r"), maxLength: 3 }),
  },
);

const schemaArb: fc.Arbitrary<Schema> = fc
  .uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 5 })
  .chain((names) =>
    fc
      .tuple(...names.map(() => fc.constantFrom(...TYPES)))
      .map((types) => Object.fromEntries(names.map((n, i) => [n, types[i]!]))),
  );

/** A text of rows for `schema`: keys shuffled, some left out, some unknown or repeated. */
function textArb(schema: Schema, oddKeys: boolean): fc.Arbitrary<string> {
  const names = Object.keys(schema);
  const field = (n: string) => fc.tuple(fc.constant(n), valueFor(schema[n]!));
  const row = fc
    .tuple(
      fc.shuffledSubarray(names, { minLength: oddKeys ? 0 : names.length }),
      oddKeys ? fc.option(fc.constantFrom("Unknown", ...names), { freq: 3 }) : fc.constant(null),
    )
    .chain(([keys, extra]) =>
      fc.tuple(
        ...[...keys, ...(extra === null ? [] : [extra])].map((k) => field(k)),
        fc.array(space, { minLength: 8, maxLength: 8 }),
      ),
    )
    .map((parts) => {
      const sp = parts.pop() as string[];
      const fields = (parts as [string, string][]).map(
        ([k, v], i) => `${sp[i % 8]}${JSON.stringify(k)}${sp[(i + 1) % 8]}:${sp[(i + 2) % 8]}${v}`,
      );
      return `{${fields.join(",")}${sp[3]}}`;
    });
  return fc
    .tuple(fc.array(row, { maxLength: 12 }), space, space)
    .map(([rows, a, b]) => `${a}[${rows.join(`,${b}`)}]${a}`);
}

describe("readJsonRows against JSON.parse + vecFromRows", () => {
  it("answers exactly as the reference, or null (random schemas, values and keys)", () => {
    fc.assert(
      fc.property(
        schemaArb.chain((s) => fc.tuple(fc.constant(s), textArb(s, true))),
        ([schema, text]) => {
          check(text, schema);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("takes every text of the subset it reads (numbers, ASCII strings, instants, bools, nulls)", () => {
    const simple: Record<string, fc.Arbitrary<string>> = {
      float64: fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
      float32: fc.float({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
      int32: fc.integer().map(String),
      int16: fc.integer({ min: -32768, max: 32767 }).map(String),
      int64: fc.oneof(
        fc.maxSafeInteger().map(String),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((b) => `"${b}"`),
      ),
      instant: fc
        .integer({ min: 0, max: 4_000_000_000_000 })
        .map((ms) => JSON.stringify(new Date(ms).toISOString())),
      string: fc
        .string({ unit: fc.constantFrom(..."abcXYZ019 -_.:~") })
        .map((s) => JSON.stringify(s)),
      bool: fc.boolean().map(String),
      char: fc.constantFrom('"a"', '"~"', '" "'),
    };
    const types = Object.keys(simple) as ColumnType[];
    const arb = fc
      .uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 5 })
      .chain((names) =>
        fc.tuple(fc.constant(names), fc.tuple(...names.map(() => fc.constantFrom(...types)))),
      )
      .chain(([names, ts]) => {
        const schema: Schema = Object.fromEntries(names.map((n, i) => [n, ts[i]!]));
        const row = fc
          .tuple(
            fc.shuffledSubarray(names),
            ...names.map((n) => fc.option(simple[schema[n]!]!, { freq: 5 })),
            space,
          )
          .map(([keys, ...rest]) => {
            const sp = rest.pop() as string;
            const vals = rest as (string | null)[];
            const fields = keys.map(
              (k) => `${JSON.stringify(k)}:${sp}${vals[names.indexOf(k)] ?? "null"}`,
            );
            return `{${sp}${fields.join(`,${sp}`)}}`;
          });
        return fc.tuple(fc.constant(schema), fc.array(row, { maxLength: 20 }), space);
      });
    fc.assert(
      fc.property(arb, ([schema, rows, sp]) => {
        const text = `${sp}[${sp}${rows.join(`${sp},`)}${sp}]${sp}`;
        // Text given as a JS string is taken only when all ASCII (a non-ASCII column name).
        expect(check(text, schema), `not taken: ${text}`).toEqual({
          text: isAscii(text),
          bytes: true,
        });
      }),
      { numRuns: 300 },
    );
  });

  it("reads string values exactly, leaving escapes and non-ASCII to JSON.parse", () => {
    const value = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'ab \\"\n/é\u0001~') }),
      fc.string({ unit: "grapheme-ascii" }),
    );
    fc.assert(
      fc.property(fc.array(fc.option(value, { freq: 6 }), { maxLength: 10 }), (values) => {
        const text = JSON.stringify(values.map((S) => ({ S })));
        const plain = values.every((v) => v === null || /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(v));
        expect(check(text, { S: "string" }).text).toBe(plain);
      }),
      { numRuns: 500 },
    );
  });

  it("reads every double exactly as JSON.parse does, in every form", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        for (const form of [
          JSON.stringify(d),
          d.toExponential(),
          d.toPrecision(17),
          d.toFixed(3),
        ]) {
          if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(form)) continue;
          const text = `[{"X":${form}}]`;
          const got = readJsonRows(text, { X: "float64" });
          expect(got).not.toBeNull();
          expect(Object.is((got!.vecs[0]!.data as Float64Array)[0], JSON.parse(form))).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("answers null for text that is not JSON: every truncation, and malformed numbers and tokens", () => {
    const schema: Schema = { A: "float64", S: "string", B: "bool", T: "instant" };
    const valid =
      '[{"A": -1.5e3, "S": "x y", "B": true, "T": "2024-05-01T13:30:00.25Z"}, {"A": 0, "S": "", "B": false, "T": null}]';
    expect(readJsonRows(valid, { ...schema })).not.toBeNull();
    for (let i = 0; i < valid.length; i++) {
      const cut = valid.slice(0, i);
      expect(readJsonRows(cut, { ...schema }), cut).toBeNull();
    }
    const bad = [
      '[{"A": 01}]',
      '[{"A": 1.}]',
      '[{"A": .5}]',
      '[{"A": +1}]',
      '[{"A": -}]',
      '[{"A": 1e}]',
      '[{"A": 1e+}]',
      '[{"A": 1},]',
      '[{"A": 1} {"A": 2}]',
      '[{"A": 1 "S": "x"}]',
      '[{"A": nul}]',
      '[{"B": tru}]',
      '[{"A": 1}] x',
      '[{"S": "a\tb"}]',
      "[",
      "",
      "[{}",
      '{"A": 1}',
    ];
    for (const t of bad) {
      expect(reference(t, schema), t).toBeNull();
      expect(readJsonRows(t, { ...schema }), t).toBeNull();
    }
    expect(readJsonRows(" [ ] ", { ...schema })?.length).toBe(0);
  });
});

describe("readJsonRows with key columns (an input table's)", () => {
  it("answers null when a row leaves out a key column, and reads rows that name them all", () => {
    const schema: Schema = { K: "string", V: "float64" };
    expect(readJsonRows('[{"K":"a","V":1},{"V":2}]', { ...schema }, ["K"])).toBeNull();
    // Without keys the same text is read, the left-out K null.
    const loose = readJsonRows('[{"K":"a","V":1},{"V":2}]', { ...schema });
    expect(loose).not.toBeNull();
    expect(loose!.vecs[0]!.valid).toEqual(new Uint8Array([1, 0]));
    // A key given as null is the caller's to refuse: it is read as null.
    const got = readJsonRows('[{"V":1,"K":"a"},{"K":null,"V":2}]', { ...schema }, ["K"]);
    expect(got?.length).toBe(2);
    expect(readJsonRows('[{"V":1}]', { ...schema }, ["Missing"])).toBeNull();
  });
});

describe("TablePublisher.addJson", () => {
  const columns: Schema = { Sym: "string", Price: "float64", Size: "int64", T: "instant" };

  async function viaBoth(text: string): Promise<[unknown[], unknown[]]> {
    const out: unknown[][] = [];
    for (const feed of ["json", "rows"] as const) {
      const g = new UpdateGraph();
      const [blink, pub] = tablePublisher(g, { name: "p", columns });
      if (feed === "json") pub.addJson(text);
      else pub.addRows(JSON.parse(text) as Record<string, unknown>[]);
      await g.runCycle();
      out.push(blink.toRows());
    }
    return [out[0]!, out[1]!];
  }

  it("gives the rows addRows(JSON.parse(text)) gives, on the fast path and off it", async () => {
    const texts = [
      '[{"Sym":"A","Price":1.25,"Size":3,"T":"2024-05-01T13:30:00.25Z"},{"Size":4,"Sym":"B"}]',
      // An escape and a key addRows ignores: the slow path.
      '[{"Sym":"A\\u00e9","Price":2,"Size":"9007199254740993","Extra":1}]',
      "[]",
    ];
    for (const t of texts) {
      const [json, rows] = await viaBoth(t);
      expect(json).toEqual(rows);
    }
    const [bytes] = await viaBoth(texts[0]!);
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { name: "p", columns });
    pub.addJson(new TextEncoder().encode(texts[0]!));
    await g.runCycle();
    expect(blink.toRows()).toEqual(bytes);
  });

  it("throws ValueError for text that is not JSON and enqueues nothing", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { name: "p", columns });
    expect(() => pub.addJson('[{"Sym":"A"},')).toThrow(ValueError);
    expect(() => pub.addJson(new Uint8Array([0x5b, 0xff, 0x5d]))).toThrow(ValueError);
    await g.runCycle();
    expect(blink.size).toBe(0);
  });
});

describe("the object's toVecs with JSON text", () => {
  /** Vecs as comparable cells, or the error's class, message, column and row. */
  function outcome(f: () => { vecs: Vec[]; length: number }): unknown {
    try {
      const r = f();
      return { length: r.length, vecs: r.vecs.map(cellsOf) };
    } catch (e) {
      const err = e as ValueError;
      return {
        error: err.constructor.name,
        message: err.message,
        column: err.column,
        row: err.row,
      };
    }
  }

  it("gives what the parsed rows give: values, or the same error", () => {
    const schema: Schema = { K: "string", V: "float64", T: "instant" };
    const texts = [
      '[{"K":"a","V":1.5,"T":"2024-05-01T13:30:00Z"},{"K":"b","V":null}]',
      '[{"K":"a","V":1,"Other":2}]', // an unknown column: the object refuses it
      '[{"K":"a"}, 5]', // a row that is not an object
      '[{"V":2}]', // a key column left out (with keys)
      '[{"K":"a","V":"x"}]', // a wrong type
      '[{"K":"a","T":"not a time"}]',
    ];
    for (const keys of [[], ["K"]]) {
      for (const t of texts) {
        const rows = JSON.parse(t) as unknown[];
        expect(
          outcome(() => toVecs({ ...schema }, { json: t }, keys)),
          `${t} keys ${keys}`,
        ).toEqual(outcome(() => toVecs(schema, { rows }, keys)));
        expect(
          outcome(() => toVecs({ ...schema }, { json: new TextEncoder().encode(t) }, keys)),
        ).toEqual(outcome(() => toVecs(schema, { rows }, keys)));
      }
    }
  });
});
