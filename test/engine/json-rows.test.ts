/**
 * json-rows.ts against its contract: when `readJsonRows` answers, its Vecs equal
 * `JSON.parse` + `vecFromRows` per column (length, data per row with Object.is, validity);
 * when that path throws (or a row leaves out a key column) it answers null. Also
 * `TablePublisher.addJson` against `addRows(JSON.parse(text))` and the host's `toVecs({ json })`
 * against `toVecs({ rows: JSON.parse(json) })`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toVecs } from "../../src/durable/host.ts";
import type { Vec } from "../../src/engine/column-source.ts";
import { ValueError } from "../../src/engine/errors.ts";
import { blinkToAppendOnly, tablePublisher, UpdateGraph } from "../../src/engine/index.ts";
import { readJsonRows } from "../../src/engine/json-rows.ts";
import type { ColumnType, Schema } from "../../src/engine/types.ts";
import { vecFromRows } from "../../src/engine/values-to-vec.ts";
import { anyValue, NAMES, NUMBER_FORMS, rowText, space, TYPES, textArb } from "./json-texts.ts";

type Cells = { length: number; cells: unknown[]; valid: number[] | null };

/** A Vec's rows as comparable cells (ignoring `codes` / `dict`); -0 kept apart from 0. */
function cellsOf(v: Vec): Cells {
  const cells = Array.from(v.data as ArrayLike<unknown>)
    .slice(0, v.length)
    .map((x) => (Object.is(x, -0) ? "-0" : x));
  return {
    length: v.length,
    cells,
    valid: v.valid === null ? null : Array.from(v.valid).slice(0, v.length),
  };
}

/** JSON.parse then vecFromRows per column; null when either throws or a key is left out. */
function reference(text: string, schema: Schema, keys: string[] = []): Cells[] | null {
  let rows: Record<string, unknown>[];
  try {
    rows = JSON.parse(text) as Record<string, unknown>[];
  } catch {
    return null;
  }
  if (!Array.isArray(rows)) return null;
  for (const r of rows) {
    if (r === null || typeof r !== "object" || Array.isArray(r)) return null;
    for (const k of keys) if (!Object.hasOwn(r, k)) return null;
  }
  try {
    return Object.keys(schema).map((n) => cellsOf(vecFromRows(schema[n]!, rows, n)));
  } catch {
    return null;
  }
}

/** The contract for one text, as a JS string and as UTF-8 bytes; which of the two were taken. */
function check(text: string, schema: Schema, keys: string[] = []) {
  const want = reference(text, schema, keys);
  const took = { text: false, bytes: false };
  for (const input of [text, new TextEncoder().encode(text)]) {
    const got = readJsonRows(input, { ...schema }, keys);
    if (got === null) continue;
    took[typeof input === "string" ? "text" : "bytes"] = true;
    expect(want, `read text the reference refuses: ${text}`).not.toBeNull();
    expect(got.vecs.length).toBe(want!.length);
    for (const v of got.vecs) expect(v.length).toBe(got.length);
    expect(got.vecs.map(cellsOf), text).toEqual(want);
  }
  return took;
}

const schemaArb: fc.Arbitrary<Schema> = fc
  .uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 5 })
  .chain((names) =>
    fc
      .tuple(...names.map(() => fc.constantFrom(...TYPES)))
      .map((ts) => Object.fromEntries(names.map((n, i) => [n, ts[i]!])) as Schema),
  );

/** Rows with keys in random order, some left out, some unknown or repeated, random spacing. */
const anyTextArb = (schema: Schema) =>
  textArb(
    schema,
    () => anyValue,
    (names) => fc.array(fc.constantFrom("Unknown", "p", "Pxyz", "", ...names), { maxLength: 2 }),
    10,
  );

const SIMPLE: Partial<Record<ColumnType, fc.Arbitrary<string>>> = {
  float64: fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
    fc.integer().map(String),
  ),
  float32: fc.float({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  int32: fc.integer().map(String),
  int16: fc.integer({ min: -32768, max: 32767 }).map(String),
  int8: fc.integer({ min: -128, max: 127 }).map(String),
  int64: fc.maxSafeInteger().map(String),
  instant: fc.maxSafeInteger().map(String),
  string: fc.string({ unit: fc.constantFrom(..."abcXYZ019 -_.:~") }).map((s) => JSON.stringify(s)),
  bool: fc.boolean().map(String),
  char: fc.constantFrom('"a"', '"~"', '" "'),
};
const SIMPLE_TYPES = Object.keys(SIMPLE) as ColumnType[];
/**
 * A schema of columns whose values the fast path reads, `texts` lists of rows of it (each list a
 * text's rows) and the blanks to write between tokens.
 */
const simpleTextsArb = (texts: number) =>
  fc
    .uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 5 })
    .chain((names) =>
      fc.tuple(fc.constant(names), fc.tuple(...names.map(() => fc.constantFrom(...SIMPLE_TYPES)))),
    )
    .chain(([names, ts]) => {
      const schema: Schema = Object.fromEntries(names.map((n, i) => [n, ts[i]!]));
      const row = fc
        .tuple(
          fc.shuffledSubarray(names),
          fc.tuple(...names.map((n) => fc.option(SIMPLE[schema[n]!]!, { freq: 5 }))),
          space,
        )
        .map(([keys, vals, sp]) => rowText(keys, (k) => vals[names.indexOf(k)] ?? null, sp));
      return fc.tuple(
        fc.constant(schema),
        fc.array(fc.array(row, { maxLength: 15 }), { minLength: texts, maxLength: texts }),
        space,
      );
    });

/** A JSON array text of `rows` with `sp` between its tokens. */
const textOfRows = (rows: string[], sp: string) =>
  `${sp}[${sp}${rows.join(`${sp},${sp}`)}${sp}]${sp}`;

describe("readJsonRows against JSON.parse + vecFromRows (property)", () => {
  it("answers the reference's Vecs or null, for string and bytes input", () => {
    fc.assert(
      fc.property(
        schemaArb.chain((s) => fc.tuple(fc.constant(s), anyTextArb(s), fc.boolean())),
        ([schema, text, withKey]) => {
          check(text, schema, withKey ? [Object.keys(schema)[0]!] : []);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("gives the reference's Vecs text after text when each result is released (buffers reused)", () => {
    fc.assert(
      fc.property(simpleTextsArb(4), ([schema, texts, sp]) => {
        const s = { ...schema }; // one schema object: its results share buffers once released
        for (const rows of texts) {
          const text = textOfRows(rows, sp);
          const got = readJsonRows(new TextEncoder().encode(text), s); // bytes: any UTF-8 key
          expect(got, text).not.toBeNull();
          expect(got!.vecs.map(cellsOf), text).toEqual(reference(text, schema));
          got!.release();
        }
      }),
      { numRuns: 300 },
    );
  });

  it("takes the simple inputs (numbers in range, ASCII strings, nulls, any key order, whitespace)", () => {
    fc.assert(
      fc.property(simpleTextsArb(1), ([schema, [rows], sp]) => {
        const text = textOfRows(rows!, sp);
        // (A JS string past ASCII, here a key such as "Prïce", is read as its UTF-8.)
        expect(check(text, schema), `not taken: ${text}`).toEqual({ text: true, bytes: true });
      }),
      { numRuns: 250 },
    );
  });
});

describe("readJsonRows on text that is not JSON", () => {
  const schema: Schema = { A: "float64", S: "string", B: "bool", N: "int32", Px: "float64" };
  const valid =
    '[{"A": -1.5e3, "S": "x y", "B": true, "N": 7, "Px": null}, {"A": 0, "S": "", "B": false}]';

  it("answers null at every truncation of a valid text", () => {
    expect(readJsonRows(valid, { ...schema })).not.toBeNull();
    for (let i = 0; i < valid.length; i++) {
      const cut = valid.slice(0, i);
      expect(() => JSON.parse(cut)).toThrow();
      expect(readJsonRows(cut, { ...schema }), cut).toBeNull();
      expect(readJsonRows(new TextEncoder().encode(cut), { ...schema }), cut).toBeNull();
    }
  });

  it("answers null for malformed numbers, literals, commas and strings", () => {
    const bad = [
      '[{"A": 01}]',
      '[{"A": -01}]',
      '[{"A": 00}]',
      '[{"A": 1.}]',
      '[{"A": .5}]',
      '[{"A": +1}]',
      '[{"A": -}]',
      '[{"A": 1e}]',
      '[{"A": 1e+}]',
      '[{"A": 1.e5}]',
      '[{"A": 0x10}]',
      '[{"A": Infinity}]',
      '[{"A": NaN}]',
      '[{"A": 1},]',
      '[{"A": 1,}]',
      '[{"A": 1} {"A": 2}]',
      '[{"A": 1 "N": 2}]',
      '[{"A" 1}]',
      "[{A: 1}]",
      "[{'A': 1}]",
      '[{"A": nul}]',
      '[{"B": tru}]',
      '[{"B": fals}]',
      '[{"B": True}]',
      '[{"A": 1}] x',
      '[{"A": 1}]]',
      '[{"A": 1}],',
      '[{"S": "a\tb"}]',
      '[{"S": "a\nb"}]',
      '[{"S": "a\u0001b"}]',
      '[{"S": "a\\xb"}]',
      '[{"S": "\\u00g0"}]',
      '[{"S": "abc}]',
      "[",
      "]",
      "",
      " ",
      "[{}",
      "[,]",
      "[{},]",
      '[{"A": 1}{"A": 2}]',
      "[\u00a0]",
      "[\v]",
    ];
    for (const t of bad) {
      expect(() => JSON.parse(t), t).toThrow();
      expect(readJsonRows(t, { ...schema }), t).toBeNull();
      expect(readJsonRows(new TextEncoder().encode(t), { ...schema }), t).toBeNull();
    }
  });

  it("answers null for random one-byte mutations that JSON.parse refuses", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: valid.length - 1 }),
        fc.constantFrom(...'{}[],:"0.-+eE \\x1'),
        fc.constantFrom("replace", "insert", "delete"),
        (at, ch, op) => {
          const t =
            op === "replace"
              ? valid.slice(0, at) + ch + valid.slice(at + 1)
              : op === "insert"
                ? valid.slice(0, at) + ch + valid.slice(at)
                : valid.slice(0, at) + valid.slice(at + 1);
          check(t, schema);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("answers null for non-array and non-object rows", () => {
    for (const t of ["{}", '{"A":1}', "1", "null", '"x"', "[1]", "[null]", "[[]]", '[{"A":1},2]']) {
      expect(readJsonRows(t, { ...schema }), t).toBeNull();
    }
  });
});

describe("readJsonRows reads numbers exactly", () => {
  it("float64: every double, as JSON.stringify, toExponential, toPrecision give it, equals JSON.parse (Object.is)", () => {
    const forms = (d: number) => [
      JSON.stringify(d),
      d.toExponential(),
      d.toExponential(3),
      d.toPrecision(17),
      d.toPrecision(21),
      d.toPrecision(5),
      d.toExponential().toUpperCase(),
      d.toExponential().replace("e+", "e"),
    ];
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        for (const form of forms(d)) {
          if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(form)) continue;
          const text = `[{"X":${form}}]`;
          const want = JSON.parse(form) as number;
          for (const input of [text, new TextEncoder().encode(text)]) {
            const got = readJsonRows(input, { X: "float64" });
            expect(got, form).not.toBeNull();
            const v = (got!.vecs[0]!.data as Float64Array)[0]!;
            expect(Object.is(v, want), `${form}: got ${v}, want ${want}`).toBe(true);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("float64: the hand list of number forms", () => {
    for (const form of NUMBER_FORMS) check(`[{"X":${form}}]`, { X: "float64" });
    for (const form of NUMBER_FORMS) check(`[{"X":${form}}]`, { X: "float32" });
    for (const form of NUMBER_FORMS)
      for (const t of ["int8", "int16", "int32", "int64", "instant"] as const)
        check(`[{"X":${form}}]`, { X: t });
    expect(
      Object.is(
        (readJsonRows('[{"X":-0}]', { X: "float64" })!.vecs[0]!.data as Float64Array)[0],
        -0,
      ),
    ).toBe(true);
  });

  it("int64: safe integers give vecFromRows' BigInt64Array bits", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.maxSafeInteger(), fc.integer()), { minLength: 1, maxLength: 20 }),
        (xs) => {
          const text = JSON.stringify(xs.map((x) => ({ X: x })));
          const got = readJsonRows(text, { X: "int64" });
          expect(got).not.toBeNull();
          const want = vecFromRows("int64", JSON.parse(text), "X");
          expect(Array.from(got!.vecs[0]!.data as BigInt64Array).slice(0, xs.length)).toEqual(
            Array.from(want.data as BigInt64Array).slice(0, xs.length),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("readJsonRows sizes", () => {
  it("grows past the initial capacity: 5,000 rows with long strings", () => {
    const schema: Schema = { S: "string", D: "float64", I: "int32", L: "int64", B: "bool" };
    const rows = Array.from({ length: 5000 }, (_, i) => ({
      S: `${"s".repeat(i % 300)}-${i}`,
      D: i / 7,
      I: i % 3 === 0 ? null : -i,
      L: i * 1_000_003,
      B: i % 2 === 0,
    }));
    const text = JSON.stringify(rows);
    expect(readJsonRows(text, { ...schema })?.length).toBe(5000);
    check(text, schema);
    // Again with the same schema (plan kept, buffers reused) then a bigger text.
    const s2 = { ...schema };
    expect(readJsonRows(JSON.stringify(rows.slice(0, 10)), s2)?.length).toBe(10);
    const big = JSON.stringify([...rows, ...rows]);
    const got = readJsonRows(big, s2);
    expect(got?.length).toBe(10000);
    expect(got!.vecs.map(cellsOf)).toEqual(reference(big, schema));
  });

  it("reads [] and ' [ ] ' as no rows", () => {
    for (const t of ["[]", " [ ] ", "\n[\t]\r\n"]) {
      const got = readJsonRows(t, { A: "float64", S: "string" });
      expect(got?.length, t).toBe(0);
      expect(got!.vecs.map((v) => v.length)).toEqual([0, 0]);
      check(t, { A: "float64", S: "string" });
    }
  });

  it("reads many string columns", () => {
    const names = Array.from({ length: 40 }, (_, i) => `S${i}`);
    const schema: Schema = Object.fromEntries(names.map((n) => [n, "string"]));
    const rows = Array.from({ length: 200 }, (_, r) =>
      Object.fromEntries(names.map((n, c) => [n, (r + c) % 11 === 0 ? null : `${n}:${r}`])),
    );
    const text = JSON.stringify(rows);
    expect(check(text, schema)).toEqual({ text: true, bytes: true });
  });

  it("sends a schema to the slow path for SKIP_CALLS calls after a null answer", () => {
    const schema: Schema = { A: "float64" };
    expect(readJsonRows('[{"A":"x"}]', schema)).toBeNull();
    expect(readJsonRows('[{"A":1}]', schema)).toBeNull();
    expect(readJsonRows('[{"A":1}]', { ...schema })).not.toBeNull();
  });
});

describe("TablePublisher.addJson", () => {
  const columns: Schema = { Sym: "string", Price: "float64", Size: "int64", T: "instant" };

  async function rowsVia(feed: (pub: ReturnType<typeof tablePublisher>[1]) => void) {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { name: "p", columns });
    feed(pub);
    await g.runCycle();
    return blink.toRows();
  }

  it("gives addRows(JSON.parse(text))'s rows, on the fast path and off it, for string and bytes", async () => {
    const texts = [
      '[{"Sym":"A","Price":1.25,"Size":3,"T":1714570200000},{"Size":4,"Sym":"B"}]',
      '[{"Sym":"A","T":"2024-05-01T13:30:00.25Z"},{"T":"2024-05-01T13:30:01+02:00"}]',
      '[{"Sym":"A\\u00e9","Price":2,"Size":"9007199254740993","Extra":1}]',
      '[{"Sym":"é","Price":-0,"Unknown":[1,{}]}]',
      " [ ] ",
    ];
    for (const t of texts) {
      const want = await rowsVia((p) => p.addRows(JSON.parse(t) as Record<string, unknown>[]));
      expect(await rowsVia((p) => p.addJson(t)), t).toEqual(want);
      expect(await rowsVia((p) => p.addJson(new TextEncoder().encode(t))), t).toEqual(want);
    }
  });

  it("throws the ValueError addRows throws for a bad value", async () => {
    const t = '[{"Price":"abc"}]';
    const g = new UpdateGraph();
    const [, pub] = tablePublisher(g, { name: "p", columns });
    let rowsErr: unknown;
    try {
      pub.addRows(JSON.parse(t));
    } catch (e) {
      rowsErr = e;
    }
    const g2 = new UpdateGraph();
    const [, pub2] = tablePublisher(g2, { name: "p", columns });
    let jsonErr: unknown;
    try {
      pub2.addJson(t);
    } catch (e) {
      jsonErr = e;
    }
    expect(rowsErr).toBeInstanceOf(ValueError);
    expect(jsonErr).toBeInstanceOf(ValueError);
    expect((jsonErr as Error).message).toBe((rowsErr as Error).message);
  });

  it("throws ValueError for invalid JSON and enqueues nothing", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { name: "p", columns });
    for (const t of ['[{"Sym":"A"},', "[01]", '[{"Sym":"A"}] x', "nul"]) {
      expect(() => pub.addJson(t), t).toThrow(ValueError);
      expect(() => pub.addJson(new TextEncoder().encode(t)), t).toThrow(ValueError);
    }
    expect(() => pub.addJson(new Uint8Array([0x5b, 0xff, 0x5d]))).toThrow(ValueError);
    await g.runCycle();
    expect(blink.size).toBe(0);
    pub.addJson('[{"Sym":"ok"}]');
    await g.runCycle();
    expect(blink.toRows()).toEqual([{ Sym: "ok", Price: null, Size: null, T: null }]);
  });
});

describe("readJsonRows buffers: released results are reused, held ones never", () => {
  const schema: Schema = { Sym: "string", Price: "float64", Size: "int64", B: "bool" };
  const text = (k: number) =>
    JSON.stringify(
      [0, 1, 2].map((i) => ({ Sym: `S${k}`, Price: k + i / 4, Size: k * 10 + i, B: i === 1 })),
    );

  const buf = (v: Vec) => (v.data as Float64Array).buffer;

  it("fills a released result's number buffers again, and a held result's never", () => {
    const a = readJsonRows(text(1), schema)!;
    const b = readJsonRows(text(2), schema)!;
    // Both held: separate buffers, each with its own text's values.
    for (const c of [1, 2, 3]) expect(buf(a.vecs[c]!)).not.toBe(buf(b.vecs[c]!));
    expect(Array.from(a.vecs[1]!.data as Float64Array)).toEqual([1, 1.25, 1.5]);
    b.release();
    const c = readJsonRows(text(3), schema)!;
    // c took b's buffers; a's are untouched.
    for (const col of [1, 2, 3]) expect(buf(c.vecs[col]!)).toBe(buf(b.vecs[col]!));
    expect(Array.from(a.vecs[1]!.data as Float64Array)).toEqual([1, 1.25, 1.5]);
    expect(Array.from(a.vecs[2]!.data as BigInt64Array)).toEqual([10n, 11n, 12n]);
    expect(Array.from(c.vecs[1]!.data as Float64Array)).toEqual([3, 3.25, 3.5]);
    expect(Array.from(c.vecs[3]!.data as Uint8Array)).toEqual([0, 1, 0]);
    // Releasing twice gives the buffers back once: two later texts get different ones.
    c.release();
    c.release();
    const d = readJsonRows(text(4), schema)!;
    const e = readJsonRows(text(5), schema)!;
    expect(buf(d.vecs[1]!)).not.toBe(buf(e.vecs[1]!));
  });

  it("keeps no result of more than 1 MiB of columns", () => {
    const one: Schema = { P: "float64" };
    const big = `[${'{"P":1},'.repeat(140_000)}{"P":2}]`; // 140,001 float64 slots: over 1 MiB
    const a = readJsonRows(big, one)!;
    expect(a.length).toBe(140_001);
    a.release();
    const b = readJsonRows('[{"P":3}]', one)!;
    expect(buf(b.vecs[0]!)).not.toBe(buf(a.vecs[0]!));
    const small = readJsonRows('[{"P":4}]', one)!;
    b.release();
    small.release();
    const c = readJsonRows('[{"P":5}]', one)!;
    expect([buf(b.vecs[0]!), buf(small.vecs[0]!)]).toContain(buf(c.vecs[0]!));
  });

  it("starts a reused result's nulls afresh", () => {
    const withNull = readJsonRows('[{"Sym":"A","Price":null,"Size":1,"B":true}]', schema)!;
    expect(withNull.vecs[1]!.valid).not.toBeNull();
    withNull.release();
    const next = readJsonRows('[{"Sym":"A","Price":2,"Size":1,"B":true}]', schema)!;
    expect(next.vecs[1]!.valid).toBeNull();
    expect(Array.from(next.vecs[1]!.data as Float64Array)).toEqual([2]);
  });

  it("refills a released result's strings, nulls as vecFromRows gives them", () => {
    const first = readJsonRows('[{"Sym":"AA"},{"Sym":"BB"}]', schema)!;
    const strings = first.vecs[0]!.data;
    first.release();
    const text = '[{"Sym":null},{"Sym":"CC"}]';
    const next = readJsonRows(text, schema)!;
    expect(next.vecs[0]!.data).toBe(strings);
    const want = vecFromRows("string", JSON.parse(text), "Sym");
    expect(Array.from(next.vecs[0]!.data as string[])).toEqual(Array.from(want.data as string[]));
    expect(Array.from(next.vecs[0]!.valid!)).toEqual(Array.from(want.valid!));
  });

  it("a publisher fed several texts a cycle keeps every row (property, append-only history)", async () => {
    const cols: Schema = { Sym: "string", Price: "float64", Size: "int64" };
    const row = fc.record({
      Sym: fc.constantFrom("A", "B", "CC"),
      Price: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null)),
      Size: fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.constant(null)),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.array(row, { maxLength: 6 }), { maxLength: 4 }), { maxLength: 6 }),
        async (cycles) => {
          const g = new UpdateGraph();
          const [blink, pub] = tablePublisher(g, { name: "p", columns: cols });
          const all = blinkToAppendOnly(blink);
          const [refBlink, ref] = tablePublisher(g, { name: "r", columns: cols });
          const refAll = blinkToAppendOnly(refBlink);
          for (const texts of cycles) {
            for (const rows of texts) {
              const text = JSON.stringify(rows);
              pub.addJson(text);
              ref.addRows(JSON.parse(text) as typeof rows); // the text's values (-0 is written 0)
            }
            await g.runCycle();
            expect(blink.toRows()).toEqual(refBlink.toRows());
          }
          expect(all.toRows()).toEqual(refAll.toRows());
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("host toVecs with { json } vs { rows: JSON.parse(json) }", () => {
  type Out = { vecs: Cells[]; length: number } | { cls: string; message: string };
  function run(f: () => { vecs: Vec[]; length: number }): Out {
    try {
      const r = f();
      return { vecs: r.vecs.map(cellsOf), length: r.length };
    } catch (e) {
      return { cls: (e as Error).constructor.name, message: (e as Error).message };
    }
  }
  const schema: Schema = { K: "string", V: "float64", N: "int32", T: "instant" };
  const cases: [string, string[]][] = [
    ['[{"K":"a","V":1.5,"N":2,"T":0}]', ["K"]],
    ['[{"V":1,"K":"a"},{"V":2}]', ["K"]],
    ['[{"V":1,"K":"a"},{"V":2}]', []],
    ['[{"K":"a","Other":1}]', []],
    ['[{"K":"a"},3]', []],
    ['[{"K":"a"},[1]]', []],
    ['[{"K":"a"},null]', []],
    ['{"K":"a"}', []],
    ['[{"N":2147483648}]', []],
    ['[{"N":1.5}]', []],
    ['[{"V":"x"}]', []],
    ['[{"K":1}]', []],
    ['[{"T":"2024-05-01T13:30:00Z"},{"T":"nope"}]', []],
    ['[{"K":"x","K":"y"}]', ["K"]],
    ['[{"K":null}]', ["K"]],
    ["[]", ["K"]],
  ];
  it("gives the same vecs or the same error class and message", () => {
    for (const [json, keys] of cases) {
      for (const input of [json, new TextEncoder().encode(json)]) {
        const got = run(() => toVecs({ ...schema }, { json: input }, keys));
        const want = run(() => toVecs({ ...schema }, { rows: JSON.parse(json) }, keys));
        expect(got, `${json} keys=${keys}`).toEqual(want);
      }
    }
  });

  it("a JSON body's result can be released, and the next body of the schema refills its buffers", () => {
    const s: Schema = { ...schema };
    const first = toVecs(s, { json: '[{"K":"a","V":1.5,"N":2,"T":0}]' });
    expect(first.release).toBeTypeOf("function");
    const v = first.vecs[1]!.data;
    first.release!();
    const next = toVecs(s, { json: '[{"K":"b","V":2.5,"N":3,"T":1}]' });
    expect((next.vecs[1]!.data as Float64Array).buffer).toBe((v as Float64Array).buffer);
    expect(run(() => next)).toEqual(
      run(() => toVecs(s, { rows: [{ K: "b", V: 2.5, N: 3, T: 1 }] })),
    );
    // A body of rows has nothing to give back.
    expect(toVecs(s, { rows: [{ K: "c" }] }).release).toBeUndefined();
  });

  it("random texts: same vecs or same error", () => {
    fc.assert(
      fc.property(
        schemaArb.chain((s) => fc.tuple(fc.constant(s), anyTextArb(s), fc.boolean())),
        ([s, json, withKey]) => {
          const keys = withKey ? [Object.keys(s)[0]!] : [];
          const got = run(() => toVecs({ ...s }, { json }, keys));
          let parsed: unknown;
          try {
            parsed = JSON.parse(json);
          } catch {
            return;
          }
          const want = run(() => toVecs({ ...s }, { rows: parsed as never }, keys));
          expect(got, json).toEqual(want);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("readJsonRows strings and instants", () => {
  it("reads string values exactly: escapes and UTF-8 (as bytes) on the engine's WebAssembly, all taken", () => {
    const value = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'ab \\"\n/é\u0001~') }),
      fc.string({ unit: "grapheme-ascii" }),
      // Long enough for the four-bytes-at-a-time scan, with a byte it must stop at in any place
      // of a word: a control, DEL, a quote, a backslash, non-ASCII.
      fc.string({
        unit: fc.constantFrom(..."ab~ !", '"', "\\", "\u001f", "\u007f", "é"),
        maxLength: 40,
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.option(value, { freq: 6 }), { maxLength: 10 }), (values) => {
        const text = JSON.stringify(values.map((S) => ({ S })));
        // The module reads escapes and UTF-8: every text, as bytes and as a JS string (one past
        // ASCII as its UTF-8).
        const took = check(text, { S: "string" });
        expect(took.bytes).toBe(true);
        expect(took.text).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("property: instants of one second with any fraction read as JSON.parse + coerceStrict read them", () => {
    // The first canonical value of a text gives the second; the later ones of that second are
    // compared with it word by word and only their fraction read (`instantText`).
    const fraction = fc.oneof(
      fc.constantFrom(
        "Z",
        ".Z",
        ".0Z",
        ".5Z",
        ".000000001Z",
        ".999999999Z",
        ".1234567890Z",
        ".12a4Z",
        "+00:00",
        ".5z",
        ".5Z ",
        " Z",
        ".5",
        "",
        "0Z",
        ".-1Z",
      ),
      fc.stringMatching(/^\.\d{1,9}Z$/),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 253_402_300_799 }),
        fc.array(fraction, { minLength: 1, maxLength: 8 }),
        (sec, fracs) => {
          const iso = new Date(sec * 1000).toISOString().slice(0, 19);
          check(JSON.stringify(fracs.map((f) => ({ T: `${iso}${f}` }))), { T: "instant" });
        },
      ),
      { numRuns: 500 },
    );
  });

  it("a text that ends inside an instant of the remembered second, or a value not closed after its Z, is refused", () => {
    const iso = "2024-05-01T13:30:00";
    const whole = JSON.stringify([".25Z", ".123456789Z", "Z"].map((f) => ({ T: `${iso}${f}` })));
    const last = whole.lastIndexOf(iso);
    for (let end = last; end < whole.length; end++) {
      // The whole text first, so the reader's buffer holds the rest of it past the cut.
      expect(check(whole, { T: "instant" })).toEqual({ text: true, bytes: true });
      expect(check(whole.slice(0, end), { T: "instant" })).toEqual({ text: false, bytes: false });
    }
    // A value of the second whose "Z" is followed by anything but its closing quote.
    for (const tail of ["Zx}]", ".5Zx}]", ".5Z}]", "Z"])
      expect(check(`[{"T":"${iso}Z"},{"T":"${iso}${tail}`, { T: "instant" })).toEqual({
        text: false,
        bytes: false,
      });
  });

  it("adds a fraction to the remembered second with the carry into the high word", () => {
    // A second whose nanoseconds' low 32 bits are within a second of 2^32: a fraction added to
    // it carries into the high half.
    let sec = 1_700_000_000;
    const low = (s: number) => Number((BigInt(s) * 1_000_000_000n) % 2n ** 32n);
    while (low(sec) < 2 ** 32 - 999_999_999) sec++;
    const iso = new Date(sec * 1000).toISOString().slice(0, 19);
    const text = JSON.stringify(
      ["Z", ".5Z", ".999999999Z", ".000000001Z", ".25Z"].map((f) => ({ T: `${iso}${f}` })),
    );
    expect(check(text, { T: "instant" })).toEqual({ text: true, bytes: true });
  });
});
