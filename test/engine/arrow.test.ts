/** Arrow interop: engine tables <-> apache-arrow Tables and IPC bytes. */
import * as arrow from "apache-arrow";
import { describe, expect, it } from "vitest";
import {
  arrowToVecs,
  arrowTypeOf,
  columnTypeOfField,
  fromArrow,
  fromArrowIPC,
  tableToArrow,
  toArrowIPC,
} from "../../src/engine/arrow.ts";
import { PAGE_SIZE, PagedColumn } from "../../src/engine/column.ts";
import type { ColumnType } from "../../src/engine/index.ts";
import {
  ArrowError,
  boolCol,
  byteCol,
  charCol,
  doubleCol,
  emptyTable,
  floatCol,
  instantCol,
  intCol,
  longCol,
  newTable,
  RowSet,
  ringTable,
  shortCol,
  stringCol,
  Table,
  tablePublisher,
  UpdateGraph,
} from "../../src/engine/index.ts";
import { STATIC_ATTRIBUTES } from "../../src/engine/table.ts";

const MIN_I64 = -(2n ** 63n);
const MAX_I64 = 2n ** 63n - 1n;

/** Every column type, with nulls and edge values. */
function everyType(): Table {
  return newTable([
    byteCol("B", [-128, 127, null, 0, 5]),
    shortCol("Sh", [-32768, 32767, 0, null, -1]),
    intCol("I", [-2147483648, 2147483647, null, 0, 42]),
    longCol("L", [MIN_I64, MAX_I64, 2n ** 53n + 1n, null, -(2n ** 53n) - 1n]),
    floatCol("F", [Number.NaN, Number.POSITIVE_INFINITY, -0, null, 1.5]),
    doubleCol("D", [Number.NaN, Number.NEGATIVE_INFINITY, -0, 0.1, null]),
    boolCol("Bo", [true, false, null, true, false]),
    charCol("C", ["a", "é", "中", null, "\uffff"]),
    stringCol("S", ["", null, "héllo wörld", "😀 emoji 𝄞", "中文字符"]),
    instantCol("T", [
      1_700_000_000_123_456_789n,
      -1n,
      -86_400_000_000_000_123n,
      null,
      "1969-07-20T20:17:40.000000001Z",
    ]),
  ]);
}

/** Rows with -0 made visible (toEqual does not tell 0 from -0). */
function rowsOf(t: Table): unknown[] {
  return t
    .toRows()
    .map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Object.is(v, -0) ? "-0" : v])),
    );
}

function expectSameTable(actual: Table, expected: Table): void {
  expect(actual.columns).toEqual(expected.columns);
  expect(actual.size).toBe(expected.size);
  expect(rowsOf(actual)).toEqual(rowsOf(expected));
}

/** A static table over arbitrary (sparse) row keys, built directly on column storage. */
function sparseTable(keys: number[]): Table {
  const x = new PagedColumn("int32");
  const s = new PagedColumn("string");
  const l = new PagedColumn("int64");
  for (const k of keys) {
    x.setRaw(k, k % 5 === 0 ? null : k);
    s.setRaw(k, k % 7 === 0 ? null : `s${k}`);
    l.setRaw(k, BigInt(k) * 1_000_000_007n);
  }
  const map = new Map([
    ["X", x],
    ["S", s],
    ["L", l],
  ]);
  return new Table(map, RowSet.fromKeys(keys), STATIC_ATTRIBUTES, null, "sparse");
}

describe("type mapping", () => {
  it("maps every column type to its Arrow type and back", () => {
    const types: ColumnType[] = [
      "int8",
      "int16",
      "int32",
      "int64",
      "float32",
      "float64",
      "bool",
      "char",
      "string",
      "instant",
    ];
    const names = types.map((t) => String(arrowTypeOf(t)));
    expect(names).toEqual([
      "Int8",
      "Int16",
      "Int32",
      "Int64",
      "Float32",
      "Float64",
      "Bool",
      "Uint16",
      "Utf8",
      "Timestamp<NANOSECOND, UTC>",
    ]);
    for (const t of types) expect(columnTypeOfField(new arrow.Field("X", arrowTypeOf(t)))).toBe(t);
  });

  it("writes the Arrow schema with the expected types and char metadata", () => {
    const at = tableToArrow(everyType());
    const f = Object.fromEntries(at.schema.fields.map((x) => [x.name, x]));
    expect(f.I!.type).toBeInstanceOf(arrow.Int32);
    expect(f.L!.type).toBeInstanceOf(arrow.Int64);
    expect(f.C!.type).toBeInstanceOf(arrow.Uint16);
    expect(f.C!.metadata.get("deephaven:type")).toBe("char");
    expect(f.I!.metadata.has("deephaven:type")).toBe(false);
    expect(f.S!.type).toBeInstanceOf(arrow.Utf8);
    const ts = f.T!.type as arrow.Timestamp;
    expect(arrow.DataType.isTimestamp(ts)).toBe(true);
    expect(ts.unit).toBe(arrow.TimeUnit.NANOSECOND);
    expect(ts.timezone).toBe("UTC");
    expect(at.schema.fields.every((x) => x.nullable)).toBe(true);
  });

  it("keeps the char metadata through IPC", () => {
    const back = arrow.tableFromIPC(toArrowIPC(newTable([charCol("C", ["x"])])));
    expect(back.schema.fields[0]!.metadata.get("deephaven:type")).toBe("char");
    const type = back.schema.fields[0]!.type as arrow.Int;
    expect([arrow.DataType.isInt(type), type.bitWidth, type.isSigned]).toEqual([true, 16, false]);
    expect(fromArrowIPC(toArrowIPC(newTable([charCol("C", ["x"])]))).columns).toEqual({
      C: "char",
    });
  });
});

describe("round trips", () => {
  it("every type with nulls and edge values through tableToArrow -> fromArrow", () => {
    const t = everyType();
    const back = fromArrow(tableToArrow(t));
    expectSameTable(back, t);
    expect(back.getValue("L", 0)).toBe(MIN_I64);
    expect(back.getValue("L", 1)).toBe(MAX_I64);
    expect(back.getValue("L", 2)).toBe(2n ** 53n + 1n);
    expect(Object.is(back.getValue("F", 2), -0)).toBe(true);
    expect(Object.is(back.getValue("D", 2), -0)).toBe(true);
    expect(back.getValue("S", 0)).toBe("");
    expect(back.getValue("S", 1)).toBeNull();
    expect(back.getValue("T", 2)).toBe(-86_400_000_000_000_123n);
    expect(back.isRefreshing).toBe(false);
  });

  it("every type with nulls through IPC stream bytes", () => {
    const t = everyType();
    const bytes = toArrowIPC(t);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expectSameTable(fromArrowIPC(bytes), t);
    // An ArrayBuffer (e.g. a request body) works too.
    const copy = bytes.slice().buffer;
    expectSameTable(fromArrowIPC(copy), t);
  });

  it("IPC file format decodes as well", () => {
    const t = everyType();
    expectSameTable(fromArrowIPC(arrow.tableToIPC(tableToArrow(t), "file")), t);
  });

  it("apache-arrow reads the values we write", () => {
    const at = tableToArrow(everyType());
    expect(at.numRows).toBe(5);
    expect(at.getChild("L")!.get(1)).toBe(MAX_I64);
    expect(at.getChild("I")!.get(2)).toBeNull();
    expect(at.getChild("Bo")!.toArray()).toEqual([true, false, null, true, false]);
    expect([...at.getChild("S")!]).toEqual(["", null, "héllo wörld", "😀 emoji 𝄞", "中文字符"]);
    expect(at.getChild("C")!.get(2)).toBe("中".charCodeAt(0));
    expect(at.getChild("T")!.data[0]!.values[0]).toBe(1_700_000_000_123_456_789n);
  });

  it("writes zeros and empty strings under null slots", () => {
    const x = new PagedColumn("int32");
    const s = new PagedColumn("string");
    for (let k = 0; k < 4; k++) {
      x.setRaw(k, 100 + k);
      s.setRaw(k, `v${k}`);
    }
    x.setRaw(1, null);
    s.setRaw(2, null);
    const t = new Table(
      new Map([
        ["X", x],
        ["S", s],
      ]),
      RowSet.flat(4),
      STATIC_ATTRIBUTES,
      null,
    );
    const at = tableToArrow(t);
    const xd = at.getChild("X")!.data[0]!;
    expect([...xd.values]).toEqual([100, 0, 102, 103]);
    expect(xd.nullCount).toBe(1);
    const sd = at.getChild("S")!.data[0]!;
    expect([...sd.valueOffsets]).toEqual([0, 2, 4, 4, 6]);
  });

  it("columns without nulls carry no validity bitmap", () => {
    const at = tableToArrow(newTable([intCol("X", [1, 2, 3])]));
    expect(at.getChild("X")!.data[0]!.nullCount).toBe(0);
    expect(fromArrow(at).toRows()).toEqual([{ X: 1 }, { X: 2 }, { X: 3 }]);
  });

  it("tables larger than a page, with nulls", () => {
    const n = 10_000;
    const ints: (number | null)[] = [];
    const longs: (bigint | null)[] = [];
    const strs: (string | null)[] = [];
    const bools: (boolean | null)[] = [];
    const dbls: (number | null)[] = [];
    for (let i = 0; i < n; i++) {
      ints.push(i % 7 === 0 ? null : i * 3 - 5000);
      longs.push(i % 11 === 0 ? null : BigInt(i) * 123_456_789_012n - 2n ** 60n);
      strs.push(i % 13 === 0 ? null : i % 5 === 0 ? `ü${i}` : `s${i}`);
      bools.push(i % 3 === 0 ? null : i % 2 === 0);
      dbls.push(i % 17 === 0 ? null : i / 7);
    }
    const t = newTable([
      intCol("I", ints),
      longCol("L", longs),
      stringCol("S", strs),
      boolCol("B", bools),
      doubleCol("D", dbls),
    ]);
    expectSameTable(fromArrow(tableToArrow(t)), t);
    expectSameTable(fromArrowIPC(toArrowIPC(t)), t);
  });

  it("reads fixed-width columns of the bytes in place, and nothing derived writes to them", () => {
    const n = PAGE_SIZE + 100;
    const src = newTable([
      intCol(
        "I",
        Array.from({ length: n }, (_, i) => i),
      ),
      longCol(
        "L",
        Array.from({ length: n }, (_, i) => BigInt(i) * 3n),
      ),
      doubleCol(
        "D",
        Array.from({ length: n }, (_, i) => i / 4),
      ),
      stringCol(
        "S",
        Array.from({ length: n }, (_, i) => `s${i % 10}`),
      ),
    ]);
    const bytes = toArrowIPC(src);
    const copy = bytes.slice();
    const t = fromArrowIPC(bytes);
    const g = new UpdateGraph({ seed: 1 });
    const [blink, pub] = tablePublisher(g, { name: "p", columns: t.columns });
    const ring = ringTable(blink, 3 * n);
    pub.add(t);
    g.runCycleSync();
    pub.add(t);
    g.runCycleSync();
    const derived = [
      t.update("I = I + 1", "D = D * 2"),
      t.sortDescending("D"),
      t.where("I % 2 == 0"),
      t.sumBy("S"),
      ring.lastBy("S"),
    ];
    expect(derived.map((d) => d.size)).toEqual([n, n, Math.ceil(n / 2), 10, 10]);
    expect(ring.size).toBe(2 * n);
    expect(bytes).toEqual(copy);
    expectSameTable(t, src);
  });

  it("sparse row keys come out in key order, densely", () => {
    const keys: number[] = [];
    for (let k = 3; k < 30_000; k += k % 100 < 80 ? 1 : 37) keys.push(k);
    const t = sparseTable(keys);
    const back = fromArrowIPC(toArrowIPC(t));
    expect(back.size).toBe(keys.length);
    expect(back.rowSet.toArray()).toEqual(keys.map((_, i) => i));
    expect(back.toRows()).toEqual(t.toRows());
  });

  it("sparse row keys from a where", () => {
    const n = 10_000;
    const t = newTable([
      intCol(
        "X",
        Array.from({ length: n }, (_, i) => i),
      ),
      stringCol(
        "S",
        Array.from({ length: n }, (_, i) => (i % 4 === 0 ? null : `r${i}`)),
      ),
    ]);
    const w = t.where("X % 3 == 0");
    expect(w.size).toBe(Math.ceil(n / 3));
    const back = fromArrow(tableToArrow(w));
    expect(back.toRows()).toEqual(w.toRows());
  });

  it("empty tables keep their schema; column-less tables keep their size", () => {
    const t = newTable([intCol("X", []), stringCol("S", []), instantCol("T", [])]);
    const back = fromArrowIPC(toArrowIPC(t));
    expect(back.columns).toEqual({ X: "int32", S: "string", T: "instant" });
    expect(back.size).toBe(0);
    const e = fromArrow(tableToArrow(emptyTable(5)));
    expect(e.size).toBe(5);
    expect(e.columns).toEqual({});
  });

  it("an Arrow table with a schema but no batches reads as an empty table", () => {
    const schema = new arrow.Schema([
      new arrow.Field("X", new arrow.Int64(), true),
      new arrow.Field("S", new arrow.Utf8(), true),
    ]);
    const t = fromArrow(new arrow.Table(schema));
    expect(t.columns).toEqual({ X: "int64", S: "string" });
    expect(t.size).toBe(0);
    expect(arrowToVecs(new arrow.Table(schema), { S: "string", X: "int64" }).length).toBe(0);
  });

  it("toArrowIPC also takes an apache-arrow Table", () => {
    const at = arrow.tableFromArrays({ X: Int32Array.from([1, 2]) });
    expect(fromArrowIPC(toArrowIPC(at)).toRows()).toEqual([{ X: 1 }, { X: 2 }]);
  });

  it("round trips lone surrogates as U+FFFD (UTF-8 cannot hold them)", () => {
    const t = newTable([stringCol("S", ["a\ud800", "\udc00b", "ok"])]);
    expect(fromArrow(tableToArrow(t)).toRows()).toEqual([
      { S: "a\ufffd" },
      { S: "\ufffdb" },
      { S: "ok" },
    ]);
  });

  it("multi-byte strings of every width, many rows", () => {
    const words = [
      "中文字符",
      "😀😀",
      "é",
      "ascii",
      "",
      "𝄞x",
      "\u0800",
      "\u07ff",
      "\ud800x",
      "y\udfff",
      "\udc00\ud800",
      "\uffff\u0080",
    ];
    const vals = Array.from({ length: 5000 }, (_, i) =>
      i % 9 === 0 ? null : words[i % words.length]! + i,
    );
    const t = newTable([stringCol("S", vals)]);
    const fixed = (s: string) => new TextDecoder().decode(new TextEncoder().encode(s)); // lone surrogates -> U+FFFD
    expect(fromArrow(tableToArrow(t)).toRows()).toEqual(
      vals.map((v) => ({ S: v === null ? null : fixed(v) })),
    );
    const bytes = tableToArrow(t).getChild("S")!.data[0]!.values;
    const encoded = new TextEncoder().encode(vals.map((v) => v ?? "").join(""));
    expect(bytes).toEqual(encoded);
  });

  it("keeps a leading U+FEFF in a value", () => {
    const t = newTable([stringCol("S", ["\ufeffx", "\ufeff", "é"])]);
    expect(fromArrow(tableToArrow(t)).toRows()).toEqual(t.toRows());
  });
});

describe("Arrow tables made by apache-arrow", () => {
  it("tableFromArrays with typed arrays and strings (dictionary-encoded)", () => {
    const at = arrow.tableFromArrays({
      B: Int8Array.from([1, -2]),
      Sh: Int16Array.from([300, -300]),
      I: Int32Array.from([7, 8]),
      L: BigInt64Array.from([MAX_I64, MIN_I64]),
      F: Float32Array.from([0.5, -1]),
      D: Float64Array.from([Math.PI, 1e300]),
      S: ["x", "yé"],
    });
    expect(String(at.schema.fields.find((f) => f.name === "S")!.type)).toMatch(/^Dictionary/);
    const t = fromArrow(at);
    expect(t.columns).toEqual({
      B: "int8",
      Sh: "int16",
      I: "int32",
      L: "int64",
      F: "float32",
      D: "float64",
      S: "string",
    });
    expect(t.toRows()).toEqual([
      { B: 1, Sh: 300, I: 7, L: MAX_I64, F: 0.5, D: Math.PI, S: "x" },
      { B: -2, Sh: -300, I: 8, L: MIN_I64, F: -1, D: 1e300, S: "yé" },
    ]);
  });

  it("tableFromJSON with nulls", () => {
    const at = arrow.tableFromJSON([
      { n: 1.5, s: "a", b: true, d: new Date(1000) },
      { n: null, s: null, b: null, d: null },
      { n: -2, s: "a", b: false, d: new Date(-1500) },
    ]);
    const t = fromArrowIPC(arrow.tableToIPC(at));
    expect(t.columns).toEqual({ n: "float64", s: "string", b: "bool", d: "instant" });
    expect(t.toRows()).toEqual([
      { n: 1.5, s: "a", b: true, d: 1_000_000_000n },
      { n: null, s: null, b: null, d: null },
      { n: -2, s: "a", b: false, d: -1_500_000_000n },
    ]);
  });

  it("multi-batch tables, including differing dictionaries per batch", () => {
    const dictType = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32(), 0);
    const schema = new arrow.Schema([
      new arrow.Field("X", new arrow.Int32(), true),
      new arrow.Field("S", dictType, true),
    ]);
    const batch = (xs: number[], idx: number[], dict: string[]) => {
      const x = arrow.makeData({ type: new arrow.Int32(), data: Int32Array.from(xs) });
      const s = arrow.makeData({
        type: dictType,
        data: Int32Array.from(idx),
        dictionary: arrow.vectorFromArray(dict, new arrow.Utf8()),
      });
      const struct = arrow.makeData({
        type: new arrow.Struct(schema.fields),
        length: xs.length,
        children: [x, s],
      });
      return new arrow.RecordBatch(schema, struct);
    };
    const b1 = batch([1, 2, 3], [0, 1, 0], ["a", "b"]);
    const b2 = batch([4, 5], [1, 0], ["c", "d"]);
    const at = new arrow.Table([b1, b2]);
    expect(at.batches.length).toBe(2);
    const want = [
      { X: 1, S: "a" },
      { X: 2, S: "b" },
      { X: 3, S: "a" },
      { X: 4, S: "d" },
      { X: 5, S: "c" },
    ];
    expect(fromArrow(at).toRows()).toEqual(want);
    expect(fromArrow([b1, b2]).toRows()).toEqual(want);
    expect(fromArrowIPC(arrow.tableToIPC(at, "stream")).toRows()).toEqual(want);
    // Plain multi-batch tables from tableFromArrays.
    const p1 = arrow.tableFromArrays({
      X: Int32Array.from([1, 2]),
      L: BigInt64Array.from([1n, 2n]),
    });
    const p2 = arrow.tableFromArrays({ X: Int32Array.from([3]), L: BigInt64Array.from([MIN_I64]) });
    const joined = new arrow.Table([...p1.batches, ...p2.batches]);
    expect(fromArrowIPC(toArrowIPC(joined)).toRows()).toEqual([
      { X: 1, L: 1n },
      { X: 2, L: 2n },
      { X: 3, L: MIN_I64 },
    ]);
  });

  it("multi-batch tables with nulls at unaligned offsets", () => {
    const big = tableToArrow(everyType());
    const parts = [big.slice(0, 3), big.slice(3, 5)].flatMap((p) => p.batches);
    const t = fromArrow(new arrow.Table(parts));
    expectSameTable(t, everyType());
    // A slice starting mid-byte of the validity bitmap.
    const n = 100;
    const src = newTable([
      boolCol(
        "B",
        Array.from({ length: n }, (_, i) => (i % 3 === 0 ? null : i % 2 === 0)),
      ),
      stringCol(
        "S",
        Array.from({ length: n }, (_, i) => (i % 4 === 0 ? null : `é${i}`)),
      ),
    ]);
    const sliced = tableToArrow(src).slice(3, 90);
    expect(fromArrow(sliced).toRows()).toEqual(src.toRows().slice(3, 90));
  });

  it("LargeUtf8 and Dictionary<Utf8> with nulls", () => {
    const large = arrow.vectorFromArray(["a", null, "日本", ""], new arrow.LargeUtf8());
    const dict = arrow.vectorFromArray(
      ["x", null, "y", "x"],
      new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()),
    );
    const at = new arrow.Table({ L: large, D: dict });
    const rows = [
      { L: "a", D: "x" },
      { L: null, D: null },
      { L: "日本", D: "y" },
      { L: "", D: "x" },
    ];
    expect(fromArrow(at).columns).toEqual({ L: "string", D: "string" });
    expect(fromArrow(at).toRows()).toEqual(rows);
    expect(fromArrowIPC(arrow.tableToIPC(at)).toRows()).toEqual(rows);
  });

  it("invalid UTF-8 decodes to U+FFFD per value", () => {
    const utf8 = (bytes: number[], offsets: number[]) =>
      arrow.makeVector(
        arrow.makeData({
          type: new arrow.Utf8(),
          valueOffsets: Int32Array.from(offsets),
          data: Uint8Array.from(bytes),
        }),
      );
    // A stray byte; and a value boundary that splits "é" (C3 A9) in two.
    const t = fromArrow(
      new arrow.Table({
        A: utf8([0xff, 0x61, 0xc3, 0xa9], [0, 1, 2, 4]),
        B: utf8([0x61, 0xc3, 0xa9, 0x62], [0, 1, 2, 4]),
      }),
    );
    expect(t.toRows()).toEqual([
      { A: "\ufffd", B: "a" },
      { A: "a", B: "\ufffd" },
      { A: "é", B: "\ufffdb" },
    ]);
  });

  it("timestamps in seconds, milliseconds and microseconds become exact nanoseconds", () => {
    const sec = arrow.makeData({
      type: new arrow.TimestampSecond(),
      data: BigInt64Array.from([1n, -1n, 1_700_000_000n]),
    });
    const ms = arrow.makeData({
      type: new arrow.TimestampMillisecond("UTC"),
      data: BigInt64Array.from([1n, -1n, 1_700_000_000_123n]),
    });
    const us = arrow.makeData({
      type: new arrow.TimestampMicrosecond(),
      data: BigInt64Array.from([1n, -1n, 1_700_000_000_123_456n]),
    });
    const ms2 = arrow.vectorFromArray(
      [new Date(Date.UTC(1960, 0, 1)), null, new Date(5)],
      new arrow.TimestampMillisecond(),
    );
    const at = new arrow.Table({
      Sec: arrow.makeVector(sec),
      Ms: arrow.makeVector(ms),
      Us: arrow.makeVector(us),
      Ms2: ms2,
    });
    const t = fromArrowIPC(arrow.tableToIPC(at));
    expect(t.columns).toEqual({ Sec: "instant", Ms: "instant", Us: "instant", Ms2: "instant" });
    expect(t.toRows()).toEqual([
      {
        Sec: 1_000_000_000n,
        Ms: 1_000_000n,
        Us: 1_000n,
        Ms2: BigInt(Date.UTC(1960, 0, 1)) * 1_000_000n,
      },
      { Sec: -1_000_000_000n, Ms: -1_000_000n, Us: -1_000n, Ms2: null },
      {
        Sec: 1_700_000_000_000_000_000n,
        Ms: 1_700_000_000_123_000_000n,
        Us: 1_700_000_000_123_456_000n,
        Ms2: 5_000_000n,
      },
    ]);
  });

  it("dates (day and millisecond) become instants at midnight UTC", () => {
    const day = arrow.makeData({
      type: new arrow.DateDay(),
      data: Int32Array.from([0, -1, 19_000]),
    });
    const ms = arrow.vectorFromArray(
      [new Date(86_400_000), null, new Date(0)],
      new arrow.DateMillisecond(),
    );
    const t = fromArrow(new arrow.Table({ D: arrow.makeVector(day), M: ms }));
    expect(t.toRows()).toEqual([
      { D: 0n, M: 86_400_000_000_000n },
      { D: -86_400_000_000_000n, M: null },
      { D: 19_000n * 86_400_000_000_000n, M: 0n },
    ]);
  });

  it("unsigned integers widen losslessly (Uint8 -> int16, Uint16 -> char, Uint32 -> int64)", () => {
    const at = arrow.tableFromArrays({
      U8: Uint8Array.from([0, 255]),
      U16: Uint16Array.from([65, 0xffff]),
      U32: Uint32Array.from([0, 0xffffffff]),
    });
    const t = fromArrow(at);
    expect(t.columns).toEqual({ U8: "int16", U16: "char", U32: "int64" });
    expect(t.toRows()).toEqual([
      { U8: 0, U16: "A", U32: 0n },
      { U8: 255, U16: "\uffff", U32: 4294967295n },
    ]);
  });
});

describe("errors", () => {
  it("unsupported Arrow types name the field and the type", () => {
    const struct = arrow.vectorFromArray(
      [{ a: 1 }],
      new arrow.Struct([new arrow.Field("a", new arrow.Int32())]),
    );
    const list = arrow.vectorFromArray(
      [[[1, 2]]],
      new arrow.List(
        new arrow.Field("item", new arrow.List(new arrow.Field("item", new arrow.Int32()))),
      ),
    );
    const u64 = arrow.vectorFromArray([1n], new arrow.Uint64());
    const f16 = arrow.vectorFromArray([1], new arrow.Float16());
    for (const [name, v, type] of [
      ["Nested", struct, "Struct"],
      ["Items", list, "List"],
      ["Big", u64, "Uint64"],
      ["Half", f16, "Float16"],
    ] as const) {
      const at = new arrow.Table({ Ok: arrow.vectorFromArray([1], new arrow.Int32()), [name]: v });
      expect(() => fromArrow(at)).toThrow(ArrowError);
      expect(() => fromArrow(at)).toThrow(new RegExp(`"${name}".*${type}`));
      expect(() => fromArrowIPC(arrow.tableToIPC(at))).toThrow(new RegExp(`"${name}"`));
    }
    expect(() => columnTypeOfField(new arrow.Field("Z", new arrow.Binary()))).toThrow(
      /"Z".*Binary/,
    );
  });

  it("garbage bytes throw ArrowError", () => {
    const junk = [
      new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
      new Uint8Array(0),
      new Uint8Array([0, 0, 0, 0]),
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]),
      new TextEncoder().encode('{"not":"arrow"}'),
      new TextEncoder().encode("ARROW1\0\0garbage"),
    ];
    const good = toArrowIPC(everyType());
    junk.push(good.slice(0, good.length >> 1));
    const noise = new Uint8Array(4096);
    let seed = 7;
    for (let i = 0; i < noise.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      noise[i] = seed >>> 24;
    }
    junk.push(noise);
    for (const bytes of junk) {
      let err: unknown = null;
      try {
        fromArrowIPC(bytes);
      } catch (e) {
        err = e;
      }
      expect(err, `bytes ${bytes.length}`).toBeInstanceOf(ArrowError);
    }
  });

  it("arrowToVecs validates against an expected schema, naming the column", () => {
    const at = tableToArrow(newTable([intCol("X", [1, null]), stringCol("S", ["a", "b"])]));
    expect(() => arrowToVecs(at, { X: "int32", S: "string", Y: "float64" })).toThrow(ArrowError);
    expect(() => arrowToVecs(at, { X: "int32", S: "string", Y: "float64" })).toThrow(
      /"Y".*missing/,
    );
    expect(() => arrowToVecs(at, { X: "int64", S: "string" })).toThrow(
      /"X".*expected int64.*Int32/,
    );
    expect(() => arrowToVecs(at, { X: "int32" })).toThrow(/"S".*not in the table's schema/);
  });

  it("arrowToVecs returns contiguous vectors in the expected order", () => {
    const at = tableToArrow(
      newTable([
        intCol("X", [1, null, 3]),
        stringCol("S", ["a", "b", null]),
        longCol("L", [1n, 2n, 3n]),
      ]),
    );
    const { schema, vecs, length } = arrowToVecs(at, { L: "int64", S: "string", X: "int32" });
    expect(length).toBe(3);
    expect(Object.keys(schema)).toEqual(["L", "S", "X"]);
    expect(vecs[0]!.data).toEqual(BigInt64Array.from([1n, 2n, 3n]));
    expect(vecs[0]!.valid).toBeNull();
    expect(vecs[1]!.data).toEqual(["a", "b", ""]);
    expect([...vecs[1]!.valid!]).toEqual([1, 1, 0]);
    expect(vecs[2]!.data).toEqual(Int32Array.from([1, 0, 3]));
    expect([...vecs[2]!.valid!]).toEqual([1, 0, 1]);
    const plain = arrowToVecs(at);
    expect(plain.schema).toEqual({ X: "int32", S: "string", L: "int64" });
  });

  it("field names that are not valid or distinct column names are rejected", () => {
    const bad = new arrow.Table({ "not a name": arrow.vectorFromArray([1], new arrow.Int32()) });
    expect(() => fromArrow(bad)).toThrow(ArrowError);
    expect(() => fromArrow(bad)).toThrow(/not a name/);
    const f = new arrow.Field("X", new arrow.Int32(), true);
    const schema = new arrow.Schema([f, f]);
    const child = arrow.makeData({ type: new arrow.Int32(), data: Int32Array.from([1]) });
    const struct = arrow.makeData({
      type: new arrow.Struct(schema.fields),
      length: 1,
      children: [child, child],
    });
    const dup = new arrow.Table(schema, [new arrow.RecordBatch(schema, struct)]);
    expect(() => fromArrow(dup)).toThrow(/"X".*more than once/);
  });

  it("timestamps beyond the nanosecond instant range are rejected, not wrapped", () => {
    const sec = arrow.makeData({
      type: new arrow.TimestampSecond(),
      data: BigInt64Array.from([0n, 10_000_000_000n]),
    });
    expect(() => fromArrow(new arrow.Table({ T: arrow.makeVector(sec) }))).toThrow(
      /"T".*row 1.*range/,
    );
  });

  it("non-Arrow arguments throw ArrowError", () => {
    expect(() => fromArrow({} as never)).toThrow(ArrowError);
    expect(() => toArrowIPC({} as never)).toThrow(ArrowError);
    expect(() => fromArrowIPC("abc" as never)).toThrow(ArrowError);
  });
});
