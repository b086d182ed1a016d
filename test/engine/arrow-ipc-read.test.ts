/**
 * The direct Arrow IPC reader (`arrow/ipc-read.ts`, used by `arrowIPCToVecs`) against
 * apache-arrow's reader converted through the old path (`arrowToVecs(decodeIPC(bytes))`):
 * random schemas of every type the engine maps, nulls, dictionaries with deltas and replacement
 * dictionaries, slices with offsets, zero-length and multi-batch streams, stream and file
 * formats; corrupted bodies give the same ArrowError (same message) or the same values; and
 * the types and schema faults it leaves to apache-arrow still read or fail exactly as before.
 */
import * as arrow from "apache-arrow";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readIPC } from "../../src/engine/arrow/ipc-read.ts";
import {
  arrowIPCToVecs,
  arrowToVecs,
  decodeIPC,
  fromArrow,
  fromArrowIPC,
} from "../../src/engine/arrow.ts";
import type { ColumnType } from "../../src/engine/index.ts";
import { ArrowError } from "../../src/engine/index.ts";
import { corrupt, corruptionArb, exactBody, mixedBody } from "../contracts/arrow-corruption.ts";

type Outcome = { ok: ReturnType<typeof arrowToVecs> } | { error: string };

function outcome(read: () => ReturnType<typeof arrowToVecs>): Outcome {
  try {
    return { ok: read() };
  } catch (e) {
    expect(e).toBeInstanceOf(ArrowError);
    return { error: (e as Error).message };
  }
}

/** Both readers' outcomes for `bytes` (optionally against an expected schema). */
function both(bytes: Uint8Array, expected?: Record<string, ColumnType>): [Outcome, Outcome] {
  return [
    outcome(() => arrowIPCToVecs(bytes, expected)),
    outcome(() => arrowToVecs(decodeIPC(bytes), expected)),
  ];
}

/** One column kind of the random schemas: its Arrow type and a generator of its cells. */
interface Kind {
  type: () => arrow.DataType;
  cell: fc.Arbitrary<unknown>;
  /** Cells built as this type, then given `type` (timestamps: raw int64 values in their unit). */
  raw?: () => arrow.DataType;
}

const i64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const str = fc.oneof(fc.string({ maxLength: 6 }), fc.string({ unit: "binary", maxLength: 4 }));
const SCALARS: Record<string, Kind> = {
  int8: { type: () => new arrow.Int8(), cell: fc.integer({ min: -128, max: 127 }) },
  int16: { type: () => new arrow.Int16(), cell: fc.integer({ min: -32768, max: 32767 }) },
  int32: { type: () => new arrow.Int32(), cell: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) },
  int64: { type: () => new arrow.Int64(), cell: i64 },
  uint8: { type: () => new arrow.Uint8(), cell: fc.integer({ min: 0, max: 255 }) },
  uint16: { type: () => new arrow.Uint16(), cell: fc.integer({ min: 0, max: 65535 }) },
  uint32: { type: () => new arrow.Uint32(), cell: fc.integer({ min: 0, max: 2 ** 32 - 1 }) },
  float32: { type: () => new arrow.Float32(), cell: fc.float({ noNaN: true }) },
  float64: { type: () => new arrow.Float64(), cell: fc.double() },
  bool: { type: () => new arrow.Bool(), cell: fc.boolean() },
  utf8: { type: () => new arrow.Utf8(), cell: str },
  largeUtf8: { type: () => new arrow.LargeUtf8(), cell: str },
  tsSecond: {
    raw: () => new arrow.Int64(),
    type: () => new arrow.TimestampSecond("UTC"),
    cell: i64,
  },
  tsMilli: {
    raw: () => new arrow.Int64(),
    type: () => new arrow.TimestampMillisecond(),
    cell: i64,
  },
  tsMicro: {
    raw: () => new arrow.Int64(),
    type: () => new arrow.TimestampMicrosecond("UTC"),
    cell: i64,
  },
  tsNano: {
    raw: () => new arrow.Int64(),
    type: () => new arrow.TimestampNanosecond("UTC"),
    cell: i64,
  },
  dateDay: {
    type: () => new arrow.DateDay(),
    cell: fc.integer({ min: -1e6, max: 1e6 }).map((d) => new Date(d * 86_400_000)),
  },
  dateMilli: {
    type: () => new arrow.DateMillisecond(),
    cell: fc.integer({ min: -1e14, max: 1e14 }).map((ms) => new Date(ms)),
  },
};
const LISTS: Record<string, Kind> = {
  listInt32: {
    type: () => new arrow.List(new arrow.Field("item", new arrow.Int32(), true)),
    cell: fc.array(fc.option(SCALARS.int32!.cell), { maxLength: 3 }),
  },
  largeListUtf8: {
    type: () => new arrow.LargeList(new arrow.Field("item", new arrow.Utf8(), true)),
    cell: fc.array(fc.option(str), { maxLength: 3 }),
  },
  fixedListFloat64: {
    type: () => new arrow.FixedSizeList(2, new arrow.Field("item", new arrow.Float64(), true)),
    cell: fc.array(fc.option(fc.double()), { minLength: 2, maxLength: 2 }),
  },
};
const KINDS: Record<string, Kind> = { ...SCALARS, ...LISTS };
const INDEX_TYPES = [
  () => new arrow.Int8(),
  () => new arrow.Int16(),
  () => new arrow.Int32(),
  () => new arrow.Int64(),
  () => new arrow.Uint8(),
];

/** A plain column: its kind, a null rate, and per batch its cells and a leading slice offset. */
const plainColumn = fc.record({
  kind: fc.constantFrom(...Object.keys(KINDS)),
  nulls: fc.constantFrom(0, 0.3),
});

/**
 * A dictionary column: its index type, whether its values are Utf8 or LargeUtf8, and per batch
 * what happens to its dictionary (kept, a delta appended, or replaced).
 */
const dictColumn = fc.record({
  index: fc.integer({ min: 0, max: INDEX_TYPES.length - 1 }),
  large: fc.boolean(),
  nulls: fc.constantFrom(0, 0.3),
  steps: fc.array(
    fc.record({
      change: fc.constantFrom("keep", "delta", "replace"),
      entries: fc.array(fc.option(str, { freq: 8 }), { minLength: 1, maxLength: 4 }),
    }),
    { minLength: 4, maxLength: 4 },
  ),
});

const spec = fc.record({
  columns: fc.array(fc.oneof(plainColumn, dictColumn), { minLength: 1, maxLength: 5 }),
  batches: fc.array(fc.record({ rows: fc.nat(12), slice: fc.nat(3), seed: fc.nat() }), {
    maxLength: 4,
  }),
  file: fc.boolean(),
  seed: fc.nat(),
});
type Spec = typeof spec extends fc.Arbitrary<infer T> ? T : never;

/** Deterministic cells from a generator (fast-check's sample with a seed). */
function cells<T>(arb: fc.Arbitrary<T>, n: number, seed: number): T[] {
  return n === 0 ? [] : fc.sample(arb, { numRuns: n, seed });
}

/** Builds the IPC bytes a spec describes (batches of `slice + rows` rows, sliced to `rows`). */
function build(s: Spec): Uint8Array | null {
  const fields: arrow.Field[] = [];
  const perBatch: arrow.Data[][] = s.batches.map(() => []);
  s.columns.forEach((c, j) => {
    const name = `c${j}`;
    if ("kind" in c) {
      const kind = KINDS[c.kind]!;
      const type = kind.type();
      fields.push(new arrow.Field(name, type, true));
      s.batches.forEach((b, k) => {
        const n = b.slice + b.rows;
        const nullable = fc.option(kind.cell, { freq: c.nulls === 0 ? 1e9 : 3 });
        const values = cells(nullable, n, b.seed + j);
        let d = arrow.vectorFromArray(values, kind.raw ? kind.raw() : type).data[0]!;
        if (kind.raw) {
          d = arrow.makeData({
            type,
            length: n,
            nullCount: d.nullCount,
            nullBitmap: d.nullBitmap,
            data: d.values,
          } as never) as arrow.Data;
        }
        perBatch[k]!.push(d.slice(b.slice, b.rows));
      });
      return;
    }
    const indexType = INDEX_TYPES[c.index]!() as arrow.Int;
    const valueType = c.large ? new arrow.LargeUtf8() : new arrow.Utf8();
    const type = new arrow.Dictionary(valueType, indexType as never, j);
    fields.push(new arrow.Field(name, type, true));
    let dict = arrow.vectorFromArray(c.steps[0]!.entries, valueType) as arrow.Vector;
    s.batches.forEach((b, k) => {
      const step = c.steps[k]!;
      if (k > 0 && step.change === "delta")
        dict = dict.concat(arrow.vectorFromArray(step.entries, valueType) as arrow.Vector);
      if (k > 0 && step.change === "replace")
        dict = arrow.vectorFromArray(step.entries, valueType) as arrow.Vector;
      const n = b.slice + b.rows;
      const idx = fc.integer({ min: 0, max: dict.length - 1 });
      const nullable = fc.option(idx, { freq: c.nulls === 0 ? 1e9 : 3 });
      const raw = cells(nullable, n, b.seed + j);
      const iv = arrow.vectorFromArray(
        raw.map((x) => (x === null ? null : indexType.bitWidth === 64 ? BigInt(x) : x)),
        indexType,
      ).data[0]!;
      const d = arrow.makeData({
        type,
        length: n,
        nullCount: iv.nullCount,
        nullBitmap: iv.nullBitmap,
        data: iv.values,
        dictionary: dict,
      } as never) as arrow.Data;
      perBatch[k]!.push(d.slice(b.slice, b.rows));
    });
  });
  const schema = new arrow.Schema(fields);
  const batches = s.batches.map(
    (b, k) =>
      new arrow.RecordBatch(
        schema,
        arrow.makeData({
          type: new arrow.Struct(fields),
          length: b.rows,
          nullCount: 0,
          children: perBatch[k]!,
        }),
      ),
  );
  const table = new arrow.Table(schema, batches);
  try {
    return arrow.tableToIPC(table, s.file ? "file" : "stream");
  } catch {
    // The file writer refuses replacement dictionaries (the format has none).
    return null;
  }
}

describe("direct Arrow IPC reader", () => {
  it("property: random schemas decode exactly as apache-arrow's reader through arrowToVecs", () => {
    let compared = 0;
    fc.assert(
      fc.property(spec, (s) => {
        const bytes = build(s);
        if (bytes === null) return;
        // Every type here is one the direct reader reads itself (no fallback).
        expect(readIPC(bytes)).not.toBeNull();
        const [ours, theirs] = both(bytes);
        expect(ours).toEqual(theirs);
        compared++;
      }),
      { numRuns: 300 },
    );
    expect(compared).toBeGreaterThan(150);
  });

  it("a dictionary delta and a replacement across batches of one stream", () => {
    const t = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32(), 7);
    const d0 = arrow.vectorFromArray(["a", "b"], new arrow.Utf8()) as arrow.Vector;
    const d1 = d0.concat(arrow.vectorFromArray(["c"], new arrow.Utf8()) as arrow.Vector);
    const d2 = arrow.vectorFromArray(["x"], new arrow.Utf8()) as arrow.Vector;
    const field = new arrow.Field("Sym", t, true);
    const schema = new arrow.Schema([field]);
    const batch = (idx: number[], dictionary: arrow.Vector) =>
      new arrow.RecordBatch(
        schema,
        arrow.makeData({
          type: new arrow.Struct([field]),
          length: idx.length,
          nullCount: 0,
          children: [arrow.makeData({ type: t, data: Int32Array.from(idx), dictionary })],
        }),
      );
    const bytes = arrow.tableToIPC(
      new arrow.Table(schema, [batch([1, 0], d0), batch([2, 1], d1), batch([0], d2)]),
      "stream",
    );
    const { vecs, length } = arrowIPCToVecs(bytes, { Sym: "string" });
    expect(length).toBe(5);
    expect(vecs[0]).toEqual({ data: ["b", "a", "c", "b", "x"], valid: null, length: 5 });
  });

  it("zero-length batches and a stream with no batches", () => {
    const s: Spec = {
      columns: [{ kind: "int64", nulls: 0 }],
      batches: [
        { rows: 0, slice: 0, seed: 1 },
        { rows: 2, slice: 1, seed: 2 },
        { rows: 0, slice: 2, seed: 3 },
      ],
      file: false,
      seed: 0,
    };
    const bytes = build(s)!;
    const [ours, theirs] = both(bytes);
    expect(ours).toEqual(theirs);
    expect("ok" in ours && ours.ok.length).toBe(2);
    const empty = build({ ...s, batches: [] })!;
    expect(arrowIPCToVecs(empty)).toEqual({
      schema: { c0: "int64" },
      vecs: [{ data: new BigInt64Array(0), valid: null, length: 0 }],
      length: 0,
    });
  });

  it("property: a corrupted body gives the same ArrowError message or the same values", () => {
    fc.assert(
      fc.property(fc.oneof(exactBody(), mixedBody()), corruptionArb, (body, damages) => {
        const bad = corrupt(body, damages);
        const [ours, theirs] = both(bad);
        expect(ours).toEqual(theirs);
      }),
      { numRuns: 300 },
    );
  });

  it("a dictionary id past 2^53 gets apache-arrow's error, not a silent read", () => {
    // (Found by the corruption property: a byte of a schema's dictionary id made it 2^53 + 83,
    // which as a number could be another id; a stream of no batch then read as empty.) The id
    // 1,234,567: eight bytes found only there.
    const id = 1_234_567;
    const t = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32(), id);
    const schema = new arrow.Schema([new arrow.Field("S", t, true)]);
    const withRows = arrow.tableToIPC(
      new arrow.Table({
        S: arrow.makeVector({
          type: t,
          length: 2,
          nullCount: 0,
          data: Int32Array.of(1, 0),
          dictionary: arrow.vectorFromArray(["a", "b"], new arrow.Utf8()) as arrow.Vector,
        }),
      }),
      "stream",
    );
    expect(arrowIPCToVecs(withRows, { S: "string" }).vecs[0]!.data).toEqual(["b", "a"]);
    for (const bytes of [arrow.tableToIPC(new arrow.Table(schema), "stream"), withRows]) {
      const word = new Uint8Array(BigInt64Array.of(BigInt(id)).buffer);
      const at = bytes.findIndex((_, i) => word.every((b, j) => bytes[i + j] === b));
      expect(at).toBeGreaterThan(0);
      const bad = bytes.slice();
      bad[at + 6] = 0x20; // the schema's id is now 2^53 + 1,234,567
      const [ours, theirs] = both(bad);
      expect(ours).toEqual(theirs);
      expect("error" in ours && ours.error).toContain(`${2n ** 53n + BigInt(id)} is not safe`);
    }
  });

  it("types it leaves to apache-arrow read or fail as before (Uint64, Struct)", () => {
    const u64 = arrow.tableToIPC(
      new arrow.Table({ U: arrow.vectorFromArray([1n, 2n], new arrow.Uint64()) }),
    );
    expect(readIPC(u64)).toBeNull();
    const [ours, theirs] = both(u64);
    expect(ours).toEqual(theirs);
    expect("error" in ours && ours.error).toContain('Column "U": unsupported Arrow type Uint64');
    const st = arrow.tableToIPC(new arrow.Table({ S: arrow.vectorFromArray([{ a: 1 }]) }));
    expect(readIPC(st)).toBeNull();
    expect(both(st)[0]).toEqual(both(st)[1]);
  });

  it("schema faults (missing, extra, differently typed, bad names) keep their messages", () => {
    const bytes = arrow.tableToIPC(
      new arrow.Table({
        A: arrow.vectorFromArray([1, 2], new arrow.Int32()),
        "bad name": arrow.vectorFromArray(["x", "y"], new arrow.Utf8()),
      }),
    );
    const cases: (Record<string, ColumnType> | undefined)[] = [
      undefined,
      { A: "int32" },
      { A: "int64", "bad name": "string" },
      { A: "int32", "bad name": "string", C: "bool" },
      { A: "int32", "bad name": "string" },
    ];
    for (const expected of cases) {
      const [ours, theirs] = both(bytes, expected);
      expect(ours).toEqual(theirs);
    }
    expect("ok" in both(bytes, cases[4])[0]).toBe(true);
  });

  it("bytes at an unaligned offset read as apache-arrow reads them", () => {
    const good = arrow.tableToIPC(
      new arrow.Table({ A: arrow.vectorFromArray([1.5, 2.5], new arrow.Float64()) }),
    );
    const shifted = new Uint8Array(good.byteLength + 1).subarray(1);
    shifted.set(good);
    const [ours, theirs] = both(shifted);
    expect(ours).toEqual(theirs);
  });

  it("property: fromArrowIPC (decoded into whole pages) equals fromArrow(decodeIPC(bytes))", () => {
    fc.assert(
      fc.property(spec, (s) => {
        const bytes = build(s);
        if (bytes === null) return;
        const read = (f: () => ReturnType<typeof fromArrowIPC>) => {
          try {
            const t = f();
            return { columns: t.columns, rows: t.toRows() };
          } catch (e) {
            expect(e).toBeInstanceOf(ArrowError);
            return { error: (e as Error).message };
          }
        };
        expect(read(() => fromArrowIPC(bytes))).toEqual(read(() => fromArrow(decodeIPC(bytes))));
      }),
      { numRuns: 100 },
    );
  });

  it("tables spanning several pages, with nulls, read into their pages exactly", () => {
    const n = 10_000;
    const ints = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : i * 3));
    const strs = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : `s${i % 300}é`));
    const bytes = arrow.tableToIPC(
      new arrow.Table({
        I: arrow.vectorFromArray(ints, new arrow.Int32()),
        S: arrow.vectorFromArray(strs, new arrow.Utf8()),
        F: arrow.vectorFromArray(
          ints.map((x) => (x === null ? x : x / 2)),
          new arrow.Float64(),
        ),
      }),
    );
    const t = fromArrowIPC(bytes);
    expect(t.size).toBe(n);
    const rows = t.toRows();
    expect(rows[0]).toEqual({ I: null, S: null, F: null });
    expect(rows[4097]).toEqual({ I: 12291, S: "s197é", F: 6145.5 });
    expect(rows[9999]).toEqual({ I: 29997, S: "s99é", F: 14998.5 });
    expect(rows).toEqual(fromArrow(decodeIPC(bytes)).toRows());
  });
});
