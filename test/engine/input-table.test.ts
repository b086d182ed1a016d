/** inputTable: keyed upserts and deletes, append-only adds, per cycle; errors; persistence. */
import { describe, expect, it } from "vitest";
import {
  ArgumentError,
  doubleCol,
  inputTable,
  newTable,
  SchemaError,
  stringCol,
  UnsupportedOperationError,
  UpdateGraph,
  ValueError,
} from "../../src/engine/index.ts";
import { SqlStateStore } from "../../src/engine/persist/state-store.ts";
import { memoryDb, nodePort } from "../contracts/sqlite-node.ts";
import { record } from "./helpers.ts";

const REF = { Sym: "string", Name: "string", Px: "float64" };

describe("inputTable with keys", () => {
  it("upserts by key: a new key is added, an existing key modified, at the next cycle", async () => {
    const g = new UpdateGraph();
    const ref = inputTable(g, { columns: REF, keys: ["Sym"] });
    const t = ref.table;
    expect([t.isRefreshing, t.isBlink, t.isAppendOnly, t.isAddOnly]).toEqual([
      true,
      false,
      false,
      false,
    ]);
    const rec = record(t);
    const prev: unknown[] = [];
    t.listen((u) => u.modified.forEach((k) => void prev.push(t.column("Name").getPrev(k))));
    ref.add([
      { Sym: "A", Name: "Alpha", Px: 1 },
      { Sym: "B", Name: "Beta", Px: 2 },
    ]);
    expect(t.size).toBe(0);
    await g.runCycle();
    expect(t.toRows()).toEqual([
      { Sym: "A", Name: "Alpha", Px: 1 },
      { Sym: "B", Name: "Beta", Px: 2 },
    ]);
    ref.add([
      { Sym: "B", Name: "Bravo", Px: 2.5 },
      { Sym: "C", Name: "Gamma", Px: null },
    ]);
    await g.runCycle();
    expect(t.toRows()).toEqual([
      { Sym: "A", Name: "Alpha", Px: 1 },
      { Sym: "B", Name: "Bravo", Px: 2.5 },
      { Sym: "C", Name: "Gamma", Px: null },
    ]);
    expect(prev).toEqual(["Beta"]);
    expect(rec.updates).toEqual([
      { added: [0, 1], removed: [], modified: [], modifiedColumns: [] },
      { added: [2], removed: [], modified: [1], modifiedColumns: ["Name", "Px"] },
    ]);
  });

  it("deletes by key; an absent key is a no-op; a freed row key is reused in a later cycle", async () => {
    const g = new UpdateGraph();
    const ref = inputTable(g, { columns: REF, keys: ["Sym"] });
    const rec = record(ref.table);
    ref.add([
      { Sym: "A", Name: "Alpha" },
      { Sym: "B", Name: "Beta" },
      { Sym: "C", Name: "Gamma" },
    ]);
    await g.runCycle();
    ref.delete([{ Sym: "B" }, { Sym: "Z" }]);
    ref.add([{ Sym: "D", Name: "Delta" }]);
    await g.runCycle();
    expect(ref.table.toRows().map((r) => r.Sym)).toEqual(["A", "C", "D"]);
    ref.delete([{ Sym: "Z" }]);
    await g.runCycle(); // nothing changed: no update
    ref.add([{ Sym: "E", Name: "Epsilon" }]);
    await g.runCycle();
    expect(ref.table.toRows().map((r) => r.Sym)).toEqual(["A", "E", "C", "D"]);
    expect(rec.updates).toEqual([
      { added: [0, 1, 2], removed: [], modified: [], modifiedColumns: [] },
      { added: [3], removed: [1], modified: [], modifiedColumns: [] },
      { added: [1], removed: [], modified: [], modifiedColumns: [] },
    ]);
  });

  it("several changes of one key in a cycle: the last wins", async () => {
    const g = new UpdateGraph();
    const ref = inputTable(g, { columns: REF, keys: ["Sym"] });
    ref.add([{ Sym: "A", Name: "one" }]);
    await g.runCycle();
    const rec = record(ref.table);
    ref.add([
      { Sym: "A", Name: "two" },
      { Sym: "B", Name: "x" },
    ]);
    ref.add([{ Sym: "A", Name: "three" }]);
    ref.delete([{ Sym: "B" }]);
    await g.runCycle();
    expect(ref.table.toRows()).toEqual([{ Sym: "A", Name: "three", Px: null }]);
    ref.delete([{ Sym: "A" }]);
    ref.add([{ Sym: "A", Name: "four" }]);
    await g.runCycle();
    ref.add([{ Sym: "A", Name: "five" }]);
    ref.delete([{ Sym: "A" }]);
    await g.runCycle();
    expect(ref.table.size).toBe(0);
    expect(rec.updates).toEqual([
      { added: [], removed: [], modified: [0], modifiedColumns: ["Name"] },
      { added: [], removed: [], modified: [0], modifiedColumns: ["Name"] },
      { added: [], removed: [0], modified: [], modifiedColumns: [] },
    ]);
  });

  it("keys on several columns, with null as a key value; adds and deletes from tables", async () => {
    const g = new UpdateGraph();
    const q = inputTable(g, {
      columns: { Sym: "string", Venue: "string", Bid: "float64" },
      keys: ["Sym", "Venue"],
    });
    q.add([
      { Sym: "A", Venue: "X", Bid: 1 },
      { Sym: "A", Venue: null, Bid: 2 },
      { Sym: "A", Venue: "Y", Bid: 3 },
    ]);
    await g.runCycle();
    q.add(newTable([stringCol("Sym", ["A"]), stringCol("Venue", [null]), doubleCol("Bid", [9])]));
    q.delete(newTable([stringCol("Sym", ["A"]), stringCol("Venue", ["X"])]));
    await g.runCycle();
    expect(q.table.toRows()).toEqual([
      { Sym: "A", Venue: null, Bid: 9 },
      { Sym: "A", Venue: "Y", Bid: 3 },
    ]);
  });

  it("rejects bad rows whole, naming the row and column", async () => {
    const g = new UpdateGraph();
    const ref = inputTable(g, { columns: REF, keys: ["Sym"] });
    expect(() => ref.add([{ Sym: "A" }, { Name: "no key" }])).toThrow(
      'row 1: key column "Sym" is missing; every row needs its key columns [Sym]',
    );
    expect(() => ref.add([{ Sym: "A", Px: "high" }])).toThrow(ValueError);
    expect(() => ref.add([{ Sym: "A", Nope: 1 }])).toThrow(
      'row 0: unknown column "Nope"; add takes [Sym, Name, Px]',
    );
    expect(() => ref.delete([{ Sym: "A", Name: "x" }])).toThrow(
      'row 0: unknown column "Name"; delete takes [Sym]',
    );
    expect(() => ref.delete([{}])).toThrow('row 0: key column "Sym" is missing');
    expect(() => ref.add(newTable([stringCol("Sym", ["A"])]))).toThrow(ArgumentError);
    expect(() => ref.delete(newTable([doubleCol("Sym", [1])]))).toThrow(SchemaError);
    await g.runCycle();
    expect(ref.table.size).toBe(0);
  });

  it("checks its options", () => {
    const g = new UpdateGraph();
    expect(() => inputTable(g, { columns: REF, keys: ["Nope"] })).toThrow(
      'key column "Nope" is not a column; columns are [Sym, Name, Px]',
    );
    expect(() => inputTable(g, { columns: REF, keys: ["Sym", "Sym"] })).toThrow(
      'key column "Sym" is named twice',
    );
    expect(() => inputTable(g, { columns: { X: "int32[]" }, keys: ["X"] })).toThrow(
      "an array column cannot be a key",
    );
    expect(() => inputTable(g, { columns: { X: "int99" } })).toThrow(SchemaError);
  });
  it("an upsert that changes no value is no change; a modification names only changed columns", async () => {
    const g = new UpdateGraph();
    const ref = inputTable(g, { columns: REF, keys: ["Sym"] });
    ref.add([
      { Sym: "A", Name: "Alpha", Px: Number.NaN },
      { Sym: "B", Name: "Beta", Px: 0 },
    ]);
    await g.runCycle();
    const rec = record(ref.table);
    ref.add([{ Sym: "A", Name: "Alpha", Px: Number.NaN }]);
    await g.runCycle();
    ref.add([
      { Sym: "A", Name: "Alpha", Px: 1 },
      { Sym: "B", Name: "Beta", Px: -0 },
    ]);
    await g.runCycle();
    expect(rec.updates).toEqual([
      { added: [], removed: [], modified: [0, 1], modifiedColumns: ["Px"] },
    ]);
    expect(Object.is(ref.table.toRows()[1]!.Px, -0)).toBe(true);
  });
});

describe("inputTable without keys", () => {
  it("is append-only and takes no deletes", async () => {
    const g = new UpdateGraph();
    const { table, add, delete: del } = inputTable(g, { columns: { X: "int32" } });
    expect([table.isAppendOnly, table.isAddOnly]).toEqual([true, true]);
    const rec = record(table);
    add([{ X: 1 }, { X: 1 }]);
    await g.runCycle();
    add([{ X: 2 }]);
    await g.runCycle();
    expect(table.toRows()).toEqual([{ X: 1 }, { X: 1 }, { X: 2 }]);
    expect(() => del([{ X: 1 }])).toThrow(UnsupportedOperationError);
    expect(rec.updates.map((u) => u.added)).toEqual([[0, 1], [2]]);
  });
});

describe("inputTable persistence", () => {
  it("a keyed table restores its rows, keys and free row keys from the store", async () => {
    const sql = nodePort(memoryDb());
    const g1 = new UpdateGraph({ store: new SqlStateStore(sql) });
    const a = inputTable(g1, { columns: REF, keys: ["Sym"] });
    a.add([
      { Sym: "A", Name: "Alpha" },
      { Sym: "B", Name: "Beta" },
      { Sym: "C", Name: "Gamma" },
    ]);
    g1.runCycleSync();
    a.delete([{ Sym: "A" }]);
    a.add([{ Sym: "C", Name: "Charlie", Px: 3 }]);
    g1.runCycleSync();

    const g2 = new UpdateGraph({ store: new SqlStateStore(sql), initialCycle: g1.cycle });
    const b = inputTable(g2, { columns: REF, keys: ["Sym"] });
    expect(b.table.toRows()).toEqual([
      { Sym: "B", Name: "Beta", Px: null },
      { Sym: "C", Name: "Charlie", Px: 3 },
    ]);
    const rec = record(b.table);
    b.add([
      { Sym: "C", Name: "C3" },
      { Sym: "D", Name: "Delta" },
    ]);
    b.delete([{ Sym: "B" }]);
    g2.runCycleSync();
    expect(b.table.toRows().map((r) => [r.Sym, r.Name])).toEqual([
      ["D", "Delta"],
      ["C", "C3"],
    ]);
    expect(rec.updates).toEqual([
      { added: [0], removed: [1], modified: [2], modifiedColumns: ["Name", "Px"] },
    ]);
  });

  it("an append-only input table restores its rows", async () => {
    const sql = nodePort(memoryDb());
    const g1 = new UpdateGraph({ store: new SqlStateStore(sql) });
    inputTable(g1, { columns: { X: "int32" } }).add([{ X: 1 }, { X: 2 }]);
    g1.runCycleSync();
    const g2 = new UpdateGraph({ store: new SqlStateStore(sql), initialCycle: g1.cycle });
    const b = inputTable(g2, { columns: { X: "int32" } });
    b.add([{ X: 3 }]);
    g2.runCycleSync();
    expect(b.table.toRows()).toEqual([{ X: 1 }, { X: 2 }, { X: 3 }]);
  });
});
