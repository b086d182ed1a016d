import { describe, expect, it } from "vitest";
import { asPagedColumn, PAGE_SIZE } from "../../src/engine/column.ts";
import {
  blinkToAppendOnly,
  DynamicTableWriter,
  emptyTable,
  FormulaError,
  merge,
  ringTable,
  tablePublisher,
  timeTable,
  UpdateGraph,
} from "../../src/engine/index.ts";
import { colValues, manualClock, record } from "./helpers.ts";

function writer(seed = 7) {
  const g = new UpdateGraph({ seed });
  const w = new DynamicTableWriter(g, { X: "int32", S: "string" });
  return { g, w };
}

describe("formula operations on refreshing tables", () => {
  it("update computes only added rows (old values of a random column never change)", async () => {
    const { g, w } = writer();
    const t = w.table.update("R = randomDouble(0.0, 1.0)", "Y = X * 10", "Pos = ii");
    expect(t.isAppendOnly).toBe(true);
    const rec = record(t);
    w.writeRow(1, "a");
    w.writeRow(2, "b");
    await g.runCycle();
    const first = colValues(t, "R");
    w.writeRow(3, "c");
    await g.runCycle();
    expect(colValues(t, "R").slice(0, 2)).toEqual(first);
    expect(colValues(t, "Y")).toEqual([10, 20, 30]);
    expect(colValues(t, "Pos")).toEqual([0n, 1n, 2n]);
    expect(rec.updates.map((u) => u.added)).toEqual([[0, 1], [2]]);
  });

  it("where on an append-only table stays append-only and filters each cycle's rows", async () => {
    const { g, w } = writer();
    const f = w.table.where("X % 2 == 0", "S != `skip`");
    expect([f.isAppendOnly, f.isRefreshing]).toEqual([true, true]);
    const rec = record(f);
    for (let i = 1; i <= 6; i++) w.writeRow(i, i === 4 ? "skip" : "ok");
    await g.runCycle();
    w.writeRow(8, "ok");
    w.writeRow(9, "ok");
    await g.runCycle();
    expect(colValues(f, "X")).toEqual([2, 6, 8]);
    expect(rec.updates.map((u) => u.added)).toEqual([[1, 5], [6]]);
  });

  it("where and update over a blink table tick with it", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { name: "p", columns: { X: "int32" } });
    const big = blink.where("X > 10").update("Y = X + i");
    expect(big.isBlink).toBe(true);
    const rec = record(big);
    pub.addRows([{ X: 5 }, { X: 20 }, { X: 30 }]);
    await g.runCycle();
    expect(big.toRows()).toEqual([
      { X: 20, Y: 20 },
      { X: 30, Y: 31 },
    ]);
    pub.addRows([{ X: 40 }]);
    await g.runCycle();
    expect(big.toRows()).toEqual([{ X: 40, Y: 40 }]);
    await g.runCycle();
    expect(big.size).toBe(0);
    expect(rec.updates).toEqual([
      { added: [1, 2], removed: [], modified: [], modifiedColumns: [] },
      { added: [0], removed: [1, 2], modified: [], modifiedColumns: [] },
      { added: [], removed: [0], modified: [], modifiedColumns: [] },
    ]);
  });

  it("i and ii are refused on refreshing tables that are neither blink nor append-only", async () => {
    const g = new UpdateGraph();
    const [blink] = tablePublisher(g, { name: "p", columns: { X: "int32" } });
    const ring = ringTable(blink, 5);
    expect(() => ring.update("P = ii")).toThrow(FormulaError);
    expect(() => ring.update("P = ii")).toThrow(/neither blink nor append-only/);
    expect(() => ring.where("i > 2")).toThrow(FormulaError);
    expect(() => blink.update("P = ii")).not.toThrow();
    expect(() => blinkToAppendOnly(blink).update("P = i")).not.toThrow();
    expect(() => ring.update("Y = X")).not.toThrow();
  });

  it("a ring's derived tables follow its evictions", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { name: "p", columns: { X: "int32" } });
    const doubled = ringTable(blink, 3).update("Y = X * 2").where("Y > 2");
    const rec = record(doubled);
    pub.addRows([{ X: 1 }, { X: 2 }, { X: 3 }]);
    await g.runCycle();
    pub.addRows([{ X: 4 }, { X: 5 }]);
    await g.runCycle();
    expect(colValues(doubled, "Y")).toEqual([6, 8, 10]);
    expect(rec.updates).toEqual([
      { added: [1, 2], removed: [], modified: [], modifiedColumns: [] },
      { added: [3, 4], removed: [1], modified: [], modifiedColumns: [] },
    ]);
  });

  it("merge of refreshing tables ticks with each input", async () => {
    const clock = manualClock();
    const g = new UpdateGraph({ clock: clock.now });
    // Seed 002: a static table merged with a ticking time table, then a ring with initialize.
    const tStatic = emptyTable(5).update("X = ii");
    const tDynamic = timeTable(g, "PT1s").update("X = ii + 5").dropColumns("Timestamp");
    const t = merge(tStatic, tDynamic);
    expect([t.isRefreshing, t.isAddOnly, t.isAppendOnly, t.isBlink]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    const withInit = ringTable(t, 10);
    const without = ringTable(t, 10, { initialize: false });
    expect(colValues(withInit, "X")).toEqual([0n, 1n, 2n, 3n, 4n]);
    for (let i = 0; i < 7; i++) {
      await g.runCycle();
      clock.advance(1000);
    }
    expect(colValues(t, "X")).toEqual(Array.from({ length: 12 }, (_, i) => BigInt(i)));
    expect(colValues(withInit, "X")).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(i + 2)));
    expect(colValues(without, "X")).toEqual(Array.from({ length: 7 }, (_, i) => BigInt(i + 5)));
    expect(() => t.update("P = ii")).toThrow(/neither blink nor append-only/);
  });

  it("head and tail of refreshing non-blink tables follow the window", async () => {
    const { g, w } = writer();
    const h = w.table.head(2);
    const t = w.table.tail(2);
    const recT = record(t);
    for (const x of [1, 2, 3]) w.writeRow(x, "s");
    await g.runCycle();
    w.writeRow(4, "s");
    await g.runCycle();
    expect(colValues(h, "X")).toEqual([1, 2]);
    expect(colValues(t, "X")).toEqual([3, 4]);
    expect(recT.updates).toEqual([
      { added: [1, 2], removed: [], modified: [], modifiedColumns: [] },
      { added: [3], removed: [1], modified: [], modifiedColumns: [] },
    ]);
  });

  it("snapshot of a refreshing table is static and does not tick", async () => {
    const { g, w } = writer();
    w.writeRow(1, "a");
    await g.runCycle();
    const s = w.table.snapshot();
    w.writeRow(2, "b");
    await g.runCycle();
    expect(s.isRefreshing).toBe(false);
    expect(colValues(s, "X")).toEqual([1]);
    expect(w.table.size).toBe(2);
  });
});

describe("formula columns over append-only history", () => {
  it("keep only a tail of pages in memory and compute evicted pages again when read", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { name: "p", columns: { X: "int32" } });
    const hist = blinkToAppendOnly(blink);
    const derived = hist.update("Y = X * 2", "Z = Y + ii");
    const evens = hist.where("X % 2 == 0").update("W = X + 1");
    const random = hist.update("R = randomDouble(0.0, 1.0)");
    const n = PAGE_SIZE * 40 + 123;
    for (let start = 0; start < n; start += 10_000) {
      pub.addRows(
        Array.from({ length: Math.min(10_000, n - start) }, (_, i) => ({ X: start + i })),
      );
      await g.runCycle();
    }
    expect(asPagedColumn(derived.column("Y")).loadedPages().length).toBeLessThanOrEqual(17);
    expect(asPagedColumn(derived.column("Z")).loadedPages().length).toBeLessThanOrEqual(17);
    // Random values cannot be recomputed: that column keeps every page.
    expect(asPagedColumn(random.column("R")).loadedPages().length).toBe(41);
    const ys = colValues(derived, "Y") as number[];
    const zs = colValues(derived, "Z") as bigint[];
    expect(ys.length).toBe(n);
    expect(ys.every((y, i) => y === 2 * i)).toBe(true);
    expect(zs.every((z, i) => z === BigInt(3 * i))).toBe(true);
    expect(colValues(evens, "W")).toEqual(
      Array.from({ length: Math.ceil(n / 2) }, (_, i) => 2 * i + 1),
    );
  });

  it("compute nothing at construction over a long history", async () => {
    const g = new UpdateGraph();
    const w = new DynamicTableWriter(g, { X: "int32", S: "string" });
    for (let i = 0; i < PAGE_SIZE * 3; i++) w.writeRow(i, "s");
    await g.runCycle();
    const derived = w.table.update("Y = X + 1");
    expect(asPagedColumn(derived.column("Y")).loadedPages()).toEqual([]);
    expect(derived.getValue("Y", PAGE_SIZE * 2 + 5)).toBe(PAGE_SIZE * 2 + 6);
    expect(asPagedColumn(derived.column("Y")).loadedPages()).toEqual([2]);
    w.writeRow(-1, "t");
    await g.runCycle();
    expect(derived.getValue("Y", PAGE_SIZE * 3)).toBe(0);
    expect(derived.getValue("Y", 0)).toBe(1);
  });
});
