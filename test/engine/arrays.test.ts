/**
 * Array columns (`int32[]`, `string[]`, ...): construction and strict conversion, toRows, Arrow
 * (List) and JSON forms, formulas (len, isNull, pass-through), the streaming operators that copy
 * rows, and persistence through the state store.
 */
import * as arrow from "apache-arrow";
import { describe, expect, it } from "vitest";
import { FamilyHost } from "../../src/durable/host.ts";
import {
  ArrowError,
  agg,
  arrayCol,
  blinkToAppendOnly,
  COLUMN_TYPES,
  col,
  DynamicTableWriter,
  deltaFrames,
  FormulaError,
  fromArrow,
  fromArrowIPC,
  intCol,
  merge,
  newTable,
  ringTable,
  rowsToCsv,
  rowsToJson,
  type ScalarType,
  SchemaError,
  snapshotFrames,
  stringCol,
  type Table,
  tableFromRows,
  tablePublisher,
  tableToArrow,
  toArrowIPC,
  toJsonValue,
  UpdateGraph,
  ValueError,
  validateSchema,
} from "../../src/engine/index.ts";
import { SqlStateStore } from "../../src/engine/persist/state-store.ts";
import { memoryDb, nodePort, nodeTransaction } from "../contracts/sqlite-node.ts";
import { record } from "./helpers.ts";

const BIG = 2n ** 62n + 7n;
const NS = 1_700_000_000_123_456_789n;

/** One array column per element type: a value, a null cell, an empty array, null elements. */
const SAMPLES: Record<ScalarType, unknown[][]> = {
  int8: [[1, -128, 127], [], [null, 5]],
  int16: [[-32768, 32767], [], [null]],
  int32: [[1, 2, 3], [], [null, -2147483648]],
  int64: [[1n, BIG, -BIG], [], [null, 0n]],
  float32: [[1.5, -0.25], [], [null, Number.NaN]],
  float64: [[0.1, Number.POSITIVE_INFINITY], [], [null, -0.5]],
  bool: [[true, false], [], [null, true]],
  char: [["a", "é"], [], [null, "z"]],
  string: [["x", ""], [], [null, "日本"]],
  instant: [[NS, 0n], [], [null, -1n]],
};
const TYPES = Object.keys(SAMPLES) as ScalarType[];

/** A table with one column `A_<type>` per element type; row 1 holds null cells. */
function sampleTable(): Table {
  return newTable(
    TYPES.map((t) => {
      const [a, b, c] = SAMPLES[t];
      return arrayCol(`A_${t}`, t, [a!, null, b!, c!]);
    }),
  );
}

function sampleRows(): Record<string, unknown>[] {
  return [0, 1, 2, 3].map((i) =>
    Object.fromEntries(
      TYPES.map((t) => {
        const [a, b, c] = SAMPLES[t];
        return [`A_${t}`, [a, null, b, c][i]];
      }),
    ),
  );
}

describe("array column types", () => {
  it("are spelled <scalar>[] and accepted by schemas", () => {
    for (const t of TYPES) expect(COLUMN_TYPES).toContain(`${t}[]`);
    expect(validateSchema({ Xs: "int32[]", Ss: "string[]" })).toEqual({
      Xs: "int32[]",
      Ss: "string[]",
    });
    for (const bad of ["int32[][]", "int33[]", "[]", "Int32[]"]) {
      expect(() => validateSchema({ X: bad })).toThrow(SchemaError);
      expect(() => validateSchema({ X: bad })).toThrow(`Unknown type "${bad}" for column "X"`);
    }
  });

  it("newTable and toRows: one frozen array per cell, elements in API form", () => {
    const t = sampleTable();
    expect(t.columns.A_int64).toBe("int64[]");
    expect(t.columns.A_char).toBe("char[]");
    const rows = t.toRows();
    expect(rows).toEqual(sampleRows());
    expect(Object.isFrozen(rows[0]!.A_int32)).toBe(true);
    expect(rows[0]!.A_int64).toEqual([1n, BIG, -BIG]);
    expect(rows[0]!.A_instant).toEqual([NS, 0n]);
    expect(rows[1]!.A_int32).toBeNull();
    expect(rows[2]!.A_int32).toEqual([]);
    expect(t.getValue("A_bool", 3)).toEqual([null, true]);
  });

  it("converts elements as their scalar type does (int64 from safe numbers and strings, instants from ISO)", () => {
    const t = newTable([
      arrayCol("L", "int64", [[1, "9007199254740993", 3n]]),
      arrayCol("T", "instant", [["2024-01-01T00:00:00.5Z", new Date(0), "1"]]),
      arrayCol("B", "bool", [Uint8Array.of()]),
      arrayCol("I", "int32", [Int32Array.of(4, 5)]),
      col("S", "string[]", [["q"]]),
    ]);
    expect(t.toRows()).toEqual([
      {
        L: [1n, 9007199254740993n, 3n],
        T: [1704067200500000000n, 0n, 1n],
        B: [],
        I: [4, 5],
        S: ["q"],
      },
    ]);
    expect(tableFromRows({ Xs: "int16[]" }, [{ Xs: [1, null] }, { Xs: null }]).toRows()).toEqual([
      { Xs: [1, null] },
      { Xs: null },
    ]);
  });

  it("strict conversion names the row, the column and the element", () => {
    const bad =
      (values: unknown[], type: ScalarType = "int32") =>
      () =>
        newTable([
          intCol(
            "X",
            values.map(() => 0),
          ),
          arrayCol("Xs", type, values as never),
        ]);
    expect(bad([[1], [2], [3], [4, 5, "a"]])).toThrow(ValueError);
    expect(bad([[1], [2], [3], [4, 5, "a"]])).toThrow(
      'row 3, column "Xs": element 2: expected int32, got "a"',
    );
    expect(bad([[1.5]])).toThrow('row 0, column "Xs": element 0: expected int32, got 1.5');
    expect(bad([[2 ** 40]])).toThrow("element 0: expected int32, got 1099511627776 (out of range)");
    expect(bad([["ab"]], "char")).toThrow(
      'element 0: expected char, got "ab" (a char is a one-character string)',
    );
    expect(bad([[1]], "bool")).toThrow("element 0: expected bool, got 1");
    expect(bad([[2 ** 60]], "int64")).toThrow("element 0: expected int64");
    expect(bad([5])).toThrow(
      'row 0, column "Xs": expected int32[], got 5 (an array column takes an array of values)',
    );
    expect(bad(["ab"], "char")).toThrow('expected char[], got "ab"');
    expect(() => arrayCol("Xs", "int32[]" as ScalarType, [])).toThrow(SchemaError);
    expect(() => newTable([col("X", "nope" as never, [])])).toThrow('Unknown type "nope"');
  });

  it("publishers validate every element and reject the whole batch; writers convert permissively", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { name: "p", columns: { K: "string", Xs: "int64[]" } });
    expect(() =>
      pub.addRows([
        { K: "a", Xs: [1] },
        { K: "b", Xs: [1, 2, 1.5] },
      ]),
    ).toThrow('row 1, column "Xs": element 2: expected int64, got 1.5 (not an integer)');
    pub.addRows([
      { K: "a", Xs: [1, "2"] },
      { K: "b", Xs: null },
    ]);
    pub.add(newTable([stringCol("K", ["c"]), arrayCol("Xs", "int64", [[BIG]])]));
    expect(() =>
      pub.add(newTable([stringCol("K", ["c"]), arrayCol("Xs", "int32", [[1]])])),
    ).toThrow(SchemaError);
    await g.runCycle();
    expect(blink.toRows()).toEqual([
      { K: "a", Xs: [1n, 2n] },
      { K: "b", Xs: null },
      { K: "c", Xs: [BIG] },
    ]);
    const w = new DynamicTableWriter(g, { Xs: "int32[]", Cs: "char[]" });
    w.writeRow([1.7, -2.2, null], ["a", 98]);
    expect(() => w.writeRow(5, [])).toThrow('column "Xs": expected int32[], got 5');
    await g.runCycle();
    expect(w.table.toRows()).toEqual([{ Xs: [1, -2, null], Cs: ["a", "b"] }]);
  });
});

describe("Arrow forms of array columns", () => {
  it("write List<element> with nullable elements and read back exactly", () => {
    const t = sampleTable();
    const at = tableToArrow(t);
    for (const ty of TYPES) {
      const field = at.schema.fields.find((f) => f.name === `A_${ty}`)!;
      expect(arrow.DataType.isList(field.type), ty).toBe(true);
      expect(field.nullable).toBe(true);
      expect((field.type as arrow.List).children[0]!.nullable).toBe(true);
    }
    expect(String(at.schema.fields.find((f) => f.name === "A_int64")!.type)).toBe("List<Int64>");
    expect(String(at.schema.fields.find((f) => f.name === "A_instant")!.type)).toBe(
      "List<Timestamp<NANOSECOND, UTC>>",
    );
    expect(at.getChild("A_int32")!.get(3)!.toArray()).toEqual(Int32Array.of(0, -2147483648));
    expect(at.getChild("A_int32")!.get(1)).toBeNull();
    const back = fromArrow(at);
    expect(back.columns).toEqual(t.columns);
    expect(back.toRows()).toEqual(sampleRows());
    const viaIpc = fromArrowIPC(toArrowIPC(t));
    expect(viaIpc.columns).toEqual(t.columns);
    expect(viaIpc.toRows()).toEqual(sampleRows());
  });

  it("reads sliced, multi-batch, LargeList and FixedSizeList data, and lists of Uint8 widened", () => {
    const t = sampleTable();
    const at = tableToArrow(t);
    expect(fromArrow(at.slice(2)).toRows()).toEqual(sampleRows().slice(2));
    const two = new arrow.Table([...at.slice(0, 1).batches, ...at.slice(1).batches]);
    expect(fromArrow(two).toRows()).toEqual(sampleRows());
    const large = arrow.vectorFromArray(
      [[1n, null], null, []],
      new arrow.LargeList(new arrow.Field("item", new arrow.Int64(), true)),
    );
    const fixed = arrow.vectorFromArray(
      [["a", null], null, ["b", "c"]],
      new arrow.FixedSizeList(2, new arrow.Field("item", new arrow.Utf8(), true)),
    );
    const bytes = arrow.vectorFromArray(
      [[255, 0], null, []],
      new arrow.List(new arrow.Field("item", new arrow.Uint8(), true)),
    );
    const other = fromArrowIPC(
      arrow.tableToIPC(new arrow.Table({ Large: large, Fixed: fixed, Bytes: bytes })),
    );
    expect(other.columns).toEqual({ Large: "int64[]", Fixed: "string[]", Bytes: "int16[]" });
    expect(other.toRows()).toEqual([
      { Large: [1n, null], Fixed: ["a", null], Bytes: [255, 0] },
      { Large: null, Fixed: null, Bytes: null },
      { Large: [], Fixed: ["b", "c"], Bytes: [] },
    ]);
  });

  it("refuses lists of lists and mismatched element types", () => {
    const nested = arrow.vectorFromArray(
      [[[1]]],
      new arrow.List(
        new arrow.Field("item", new arrow.List(new arrow.Field("item", new arrow.Int32()))),
      ),
    );
    expect(() => fromArrow(new arrow.Table({ N: nested }))).toThrow(ArrowError);
    expect(() => fromArrow(new arrow.Table({ N: nested }))).toThrow(/"N".*list elements/);
  });
});

describe("JSON forms of array columns", () => {
  it("a JSON array of the element forms; CSV holds the JSON text", () => {
    expect(toJsonValue("int64[]", [1n, BIG, null])).toEqual([1, BIG.toString(), null]);
    expect(toJsonValue("instant[]", [NS])).toEqual(["2023-11-14T22:13:20.123456789Z"]);
    expect(toJsonValue("float64[]", [Number.NaN, 1])).toEqual(["NaN", 1]);
    expect(toJsonValue("int32[]", null)).toBeNull();
    const t = newTable([
      arrayCol("Xs", "int64", [[1n, BIG], null]),
      arrayCol("Cs", "char", [["a", null], []]),
    ]);
    const rows = rowsToJson(t, [0, 1]);
    expect(rows).toEqual([
      { Xs: [1, BIG.toString()], Cs: ["a", null] },
      { Xs: null, Cs: [] },
    ]);
    expect(rowsToCsv(["Xs", "Cs"], rows)).toBe(
      `Xs,Cs\r\n"[1,""${BIG}""]","[""a"",null]"\r\n,[]\r\n`,
    );
    // The JSON form is accepted back as input (what a publish body sends).
    expect(
      newTable([
        col(
          "Xs",
          "int64[]",
          rows.map((r) => r.Xs),
        ),
      ]).toRows(),
    ).toEqual([{ Xs: [1n, BIG] }, { Xs: null }]);
  });

  it("snapshot and delta frames carry array columns in JSON and Arrow", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { name: "p", columns: { Xs: "int64[]" } });
    const ring = ringTable(blink, 5);
    pub.addRows([{ Xs: [BIG] }, { Xs: null }]);
    await g.runCycle();
    const [json] = snapshotFrames(ring, 1, "json");
    expect(JSON.parse(json as string).rows).toEqual([{ Xs: [BIG.toString()] }, { Xs: null }]);
    const frames = snapshotFrames(ring, 1, "arrow");
    expect(fromArrowIPC(frames[1] as Uint8Array).toRows()).toEqual([{ Xs: [BIG] }, { Xs: null }]);
    const rec: Uint8Array[] = [];
    ring.listen((u) => {
      const [, ...bin] = deltaFrames(ring, u, 2, "arrow");
      rec.push(...(bin as Uint8Array[]));
    });
    pub.addRows([{ Xs: [1n, null] }]);
    await g.runCycle();
    expect(fromArrowIPC(rec[0]!).toRows()).toEqual([{ Xs: [1n, null] }]);
  });
});

describe("formulas over array columns", () => {
  const t = newTable([
    intCol("X", [1, 2, 3]),
    arrayCol("Xs", "int32", [[1, null], null, []]),
    arrayCol("Ss", "string", [["a"], ["b", "c"], null]),
  ]);

  it("len gives the element count (null for a null cell), isNull tests the cell", () => {
    const u = t.update("N = len(Xs)", "M = Ss.length()", "Z = isNull(Xs)", "W = len(Ss) + X");
    expect(u.columns.N).toBe("int32");
    expect(u.toRows().map(({ N, M, Z, W }) => ({ N, M, Z, W }))).toEqual([
      { N: 2, M: 1, Z: false, W: 2 },
      { N: null, M: 2, Z: true, W: 4 },
      { N: 0, M: null, Z: false, W: null },
    ]);
    expect(
      t
        .where("len(Xs) > 0")
        .toRows()
        .map((r) => r.X),
    ).toEqual([1]);
    expect(
      t
        .where("!isNull(Ss)")
        .toRows()
        .map((r) => r.X),
    ).toEqual([1, 2]);
  });

  it("a bare reference passes the column through, sharing its storage", () => {
    const v = t.view("Xs", "Ys = Xs");
    expect(v.columns).toEqual({ Xs: "int32[]", Ys: "int32[]" });
    expect(v.column("Ys")).toBe(t.column("Xs"));
    expect(v.toRows()).toEqual([
      { Xs: [1, null], Ys: [1, null] },
      { Xs: null, Ys: null },
      { Xs: [], Ys: [] },
    ]);
    expect(t.select("Ss").toRows()).toEqual([{ Ss: ["a"] }, { Ss: ["b", "c"] }, { Ss: null }]);
    expect(t.renameColumns("Ys = Xs").dropColumns("Ss").columns).toEqual({
      X: "int32",
      Ys: "int32[]",
    });
  });

  it("any other use is a FormulaError naming the column", () => {
    const msg =
      'Column "Xs" is an array column (int32[]); array columns cannot be used in formulas yet';
    for (const f of ["Y = Xs + 1", "Y = Xs == null", "Y = sqrt(Xs)", "Y = X > 0 ? Xs : null"]) {
      expect(() => t.update(f), f).toThrow(FormulaError);
      expect(() => t.update(f), f).toThrow(msg);
    }
    expect(() => t.where("Xs")).toThrow(msg);
    expect(() => t.update("Y = len(Xs, 2)")).toThrow(FormulaError);
    expect(() => t.update("Y = upper(Ss)")).toThrow('Column "Ss" is an array column (string[])');
  });
});

describe("streaming operators carry array columns", () => {
  it("ring, blinkToAppendOnly, merge, snapshot and where, cycle by cycle", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, {
      name: "p",
      columns: { K: "string", Xs: "int32[]", Ts: "instant[]" },
    });
    const ring = ringTable(blink, 3);
    const history = blinkToAppendOnly(blink);
    const both = merge(history, ring);
    const long = ring.where("len(Xs) >= 2");
    const recRing = record(ring);
    const rows = [
      { K: "a", Xs: [1, 2], Ts: [NS] },
      { K: "b", Xs: null, Ts: [] },
      { K: "c", Xs: [3], Ts: [null] },
      { K: "d", Xs: [4, 5, 6], Ts: null },
    ];
    pub.addRows(rows.slice(0, 2));
    await g.runCycle();
    const first = ring.getValue("Xs", 0);
    pub.addRows(rows.slice(2));
    await g.runCycle();
    expect(ring.toRows()).toEqual(rows.slice(1));
    expect(history.toRows()).toEqual(rows);
    expect(both.toRows()).toEqual([...rows, ...rows.slice(1)]);
    expect(long.toRows()).toEqual([rows[3]]);
    expect(recRing.updates.at(-1)).toMatchObject({ added: [2, 3], removed: [0] });
    expect(first).toEqual([1, 2]); // a cell read earlier stays valid after its row left
    const snap = ring.snapshot();
    pub.addRows([{ K: "e", Xs: [], Ts: [] }]);
    await g.runCycle();
    expect(snap.toRows()).toEqual(rows.slice(1));
    expect(ring.toRows()).toEqual([...rows.slice(2), { K: "e", Xs: [], Ts: [] }]);
  });
});

describe("persistence of array columns", () => {
  it("rings, history, groupBy and lastBy survive a restart through the state store", async () => {
    const db = memoryDb();
    const open = () => {
      const store = new SqlStateStore(nodePort(db));
      const g = new UpdateGraph({ store });
      const [blink, pub] = tablePublisher(g, {
        name: "p",
        columns: { K: "string", X: "int64", Xs: "int64[]", Cs: "char[]" },
      });
      const history = blinkToAppendOnly(blink);
      const tables = {
        ring: ringTable(blink, 3),
        history,
        grouped: history.view("K", "X").groupBy("K"),
        groupedRing: ringTable(blink, 3).dropColumns("Xs", "Cs").groupBy("K"),
        byK: history.aggBy([agg.group("Xg = X"), agg.last("Xs"), agg.first("Cs")], "K"),
        last: blink.lastBy("K"), // blink state: the array outputs are saved per group
        first: blink.firstBy(),
      };
      return { store, g, pub, tables };
    };
    const refGraph = new UpdateGraph();
    const [refBlink, refPub] = tablePublisher(refGraph, {
      name: "p",
      columns: { K: "string", X: "int64", Xs: "int64[]", Cs: "char[]" },
    });
    const refHistory = blinkToAppendOnly(refBlink);
    const ref = {
      ring: ringTable(refBlink, 3),
      history: refHistory,
      grouped: refHistory.view("K", "X").groupBy("K"),
      groupedRing: ringTable(refBlink, 3).dropColumns("Xs", "Cs").groupBy("K"),
      byK: refHistory.aggBy([agg.group("Xg = X"), agg.last("Xs"), agg.first("Cs")], "K"),
      last: refBlink.lastBy("K"),
      first: refBlink.firstBy(),
    };
    let live = open();
    live.store.saveAll();
    for (let c = 0; c < 6; c++) {
      const batch = [0, 1].map((i) => ({
        K: ["a", "b", "c"][(c + i) % 3],
        X: BigInt(c * 10 + i),
        Xs: i === 1 && c === 2 ? null : [BIG + BigInt(c), null, BigInt(i)],
        Cs: ["x", null, "y"].slice(0, (c + i) % 4),
      }));
      refPub.addRows(batch);
      live.pub.addRows(batch);
      await refGraph.runCycle();
      await live.g.runCycle();
      if (c % 2 === 1) live = open(); // restart: everything in memory is lost
      for (const [name, t] of Object.entries(ref)) {
        expect(live.tables[name as keyof typeof ref].toRows(), `cycle ${c}, ${name}`).toEqual(
          t.toRows(),
        );
      }
    }
    expect(live.tables.grouped.toRows()[0]).toEqual({ K: "a", X: [0n, 21n, 30n, 51n] });
    expect(live.tables.last.columns.Xs).toBe("int64[]");
  });
});

describe("a table family with array columns (FamilyHost over node:sqlite)", () => {
  it("publishes JSON and Arrow bodies, derives groupBy, snapshots and restarts", () => {
    const db = memoryDb();
    let now = 1_000_000;
    const make = () =>
      new FamilyHost(nodePort(db), { now: () => now, transaction: nodeTransaction(db) });
    let host = make();
    host.create("t", {
      columns: { K: "string", Xs: "int64[]", Ts: "instant[]" },
      derived: {
        history: "blinkToAppendOnly(source)",
        byK: 'blinkToAppendOnly(source).view("K", "Xs").aggBy([agg.last("Xs"), agg.count("N")], "K")',
        lens: 'blinkToAppendOnly(source).update("N = len(Xs)").view("K", "N").groupBy("K")',
      },
    });
    const big = (2n ** 60n).toString();
    expect(() => host.publish({ rows: [{ K: "a", Xs: [1, "x"], Ts: [] }] })).toThrow(
      'row 0, column "Xs": element 1: expected int64, got "x"',
    );
    host.publish({
      rows: [
        { K: "a", Xs: [1, big, null], Ts: ["2024-01-01T00:00:00Z"] },
        { K: "b", Xs: null, Ts: [] },
      ],
    });
    host.publish({
      arrow: toArrowIPC(
        newTable([
          stringCol("K", ["a"]),
          arrayCol("Xs", "int64", [[]]),
          arrayCol("Ts", "instant", [[0n, null]]),
        ]),
      ),
    });
    now += 1000;
    host.runCycle();
    const expectHistory = (h: FamilyHost) => {
      expect(h.view("history").toRows()).toEqual([
        { K: "a", Xs: [1n, 2n ** 60n, null], Ts: [1704067200000000000n] },
        { K: "b", Xs: null, Ts: [] },
        { K: "a", Xs: [], Ts: [0n, null] },
      ]);
      expect(h.view("lens").toRows()).toEqual([
        { K: "a", N: [3, 0] },
        { K: "b", N: [null] },
      ]);
      expect(h.view("byK").toRows()).toEqual([
        { K: "a", Xs: [], N: 2n },
        { K: "b", Xs: null, N: 1n },
      ]);
    };
    expectHistory(host);
    const json = host.snapshot("history");
    expect(json.format === "json" && json.rows[0]).toEqual({
      K: "a",
      Xs: [1, big, null],
      Ts: ["2024-01-01T00:00:00Z"],
    });
    const arrowSnap = host.snapshot("lens", { format: "arrow" });
    expect(arrowSnap.format === "arrow" && fromArrowIPC(arrowSnap.bytes).toRows()).toEqual(
      host.view("lens").toRows(),
    );
    host = make(); // restart: history comes back from storage, the aggregations from it
    expectHistory(host);
  });
});
