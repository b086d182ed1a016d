import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { asPagedColumn, PAGE_SIZE } from "../../src/engine/column.ts";
import {
  ArgumentError,
  blinkToAppendOnly,
  DynamicTableWriter,
  intCol,
  newTable,
  ringTable,
  tablePublisher,
  UpdateGraph,
} from "../../src/engine/index.ts";
import { colValues, record } from "./helpers.ts";

function publisher(g = new UpdateGraph()) {
  const [blink, pub] = tablePublisher(g, { name: "p", columns: { X: "int32" } });
  const add = (...xs: number[]) => pub.addRows(xs.map((X) => ({ X })));
  return { g, blink, pub, add };
}

describe("ringTable", () => {
  it("keeps the last N rows ever added, keyed by sequence number", async () => {
    const { g, blink, add } = publisher();
    const ring = ringTable(blink, 3);
    expect([ring.isRefreshing, ring.isBlink, ring.isAppendOnly, ring.isAddOnly]).toEqual([
      true,
      false,
      false,
      false,
    ]);
    const rec = record(ring);
    add(1, 2);
    await g.runCycle();
    expect(colValues(ring, "X")).toEqual([1, 2]);
    add(3, 4);
    await g.runCycle();
    expect(colValues(ring, "X")).toEqual([2, 3, 4]);
    await g.runCycle(); // blink removes its rows; the ring ignores removals
    expect(colValues(ring, "X")).toEqual([2, 3, 4]);
    add(5, 6, 7, 8, 9); // more than capacity in one update: keep the last 3
    await g.runCycle();
    expect(colValues(ring, "X")).toEqual([7, 8, 9]);
    expect(rec.updates).toEqual([
      { added: [0, 1], removed: [], modified: [], modifiedColumns: [] },
      { added: [2, 3], removed: [0], modified: [], modifiedColumns: [] },
      { added: [6, 7, 8], removed: [1, 2, 3], modified: [], modifiedColumns: [] },
    ]);
  });

  it("initializes from the parent's current rows unless told not to", async () => {
    const g = new UpdateGraph();
    const w = new DynamicTableWriter(g, { X: "int32" });
    for (let i = 0; i < 5; i++) w.writeRow(i);
    await g.runCycle();
    const withInit = ringTable(w.table, 3);
    const without = ringTable(w.table, 3, { initialize: false });
    expect(colValues(withInit, "X")).toEqual([2, 3, 4]);
    expect(without.size).toBe(0);
    w.writeRow(5);
    await g.runCycle();
    expect(colValues(withInit, "X")).toEqual([3, 4, 5]);
    expect(colValues(without, "X")).toEqual([5]);
  });

  it("of a static parent is a static tail; errors for bad arguments", () => {
    const t = newTable([intCol("X", [1, 2, 3, 4])]);
    const r = ringTable(t, 2);
    expect(r.isRefreshing).toBe(false);
    expect(colValues(r, "X")).toEqual([3, 4]);
    expect(() => ringTable(t, 2, { initialize: false })).toThrow(ArgumentError);
    expect(() => ringTable(t, 0)).toThrow(/capacity must be a positive integer/);
    expect(() => ringTable(t, -1)).toThrow(ArgumentError);
  });

  it("keeps memory O(capacity) over a long stream", async () => {
    const { g, blink, pub } = publisher();
    const ring = ringTable(blink, 100);
    const batch = Array.from({ length: 1000 }, (_, i) => ({ X: i }));
    for (let i = 0; i < 50; i++) {
      pub.addRows(batch);
      await g.runCycle();
    }
    expect(ring.size).toBe(100);
    expect(asPagedColumn(ring.column("X")).pageCount).toBeLessThanOrEqual(2);
    expect(colValues(ring, "X")).toEqual(Array.from({ length: 100 }, (_, i) => 900 + i));
    expect(ring.rowSet.first()).toBe(50 * 1000 - 100);
  });
});

describe("blinkToAppendOnly", () => {
  it("accumulates every row in arrival order; sizeLimit keeps the first N", async () => {
    const { g, blink, add } = publisher();
    const all = blinkToAppendOnly(blink);
    const first3 = blinkToAppendOnly(blink, { sizeLimit: 3 });
    expect([all.isAppendOnly, all.isAddOnly, all.isBlink, all.isRefreshing]).toEqual([
      true,
      true,
      false,
      true,
    ]);
    const rec = record(all);
    add(1, 2);
    await g.runCycle();
    add(3, 4);
    await g.runCycle();
    await g.runCycle();
    expect(colValues(all, "X")).toEqual([1, 2, 3, 4]);
    expect(colValues(first3, "X")).toEqual([1, 2, 3]);
    expect(rec.updates.map((u) => u.added)).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });

  it("refuses a non-blink input", () => {
    const g = new UpdateGraph();
    const w = new DynamicTableWriter(g, { X: "int32" });
    expect(() => blinkToAppendOnly(w.table)).toThrow("Input is not a blink table!");
    expect(() => blinkToAppendOnly(newTable([intCol("X", [1])]))).toThrow(ArgumentError);
  });

  it("head and tail of a blink table mean blinkToAppendOnly with a limit and a ring", async () => {
    const { g, blink, add } = publisher();
    const h = blink.head(2);
    const t = blink.tail(2);
    add(1, 2, 3);
    await g.runCycle();
    add(4);
    await g.runCycle();
    expect(colValues(h, "X")).toEqual([1, 2]);
    expect(colValues(t, "X")).toEqual([3, 4]);
    expect(h.isAppendOnly).toBe(true);
  });
});

describe("ring and blinkToAppendOnly agree (property)", () => {
  it("ring(n) is the last n rows of the append-only history, which is every batch concatenated", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 60 }), {
          maxLength: 25,
        }),
        fc.boolean(),
        async (capacity, batches, bigPages) => {
          const { g, blink, add } = publisher();
          const ring = ringTable(blink, capacity);
          const hist = blinkToAppendOnly(blink);
          const seen: number[] = [];
          for (const b of batches) {
            add(...b);
            if (bigPages) add(...Array.from({ length: PAGE_SIZE / 8 }, (_, i) => i));
            seen.push(...b);
            if (bigPages) seen.push(...Array.from({ length: PAGE_SIZE / 8 }, (_, i) => i));
            await g.runCycle();
            const h = colValues(hist, "X");
            expect(h).toEqual(seen);
            expect(colValues(ring, "X")).toEqual(h.slice(Math.max(0, h.length - capacity)));
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
