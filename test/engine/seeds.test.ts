/**
 * The examples of the seed documents (shared/seeds 000, 002-004), cycle by cycle, with exact
 * expected contents. Time comes from an injected clock; random values from seeded generators
 * (expected contents are then derived from the input batches, which the test keeps).
 */
import { describe, expect, it } from "vitest";
import {
  blinkToAppendOnly,
  DynamicTableWriter,
  emptyTable,
  ringTable,
  seedStaticRandom,
  type Table,
  tablePublisher,
  timeTable,
  UpdateGraph,
} from "../../src/engine/index.ts";
import { colValues, manualClock, record } from "./helpers.ts";

const SEC = 1_000_000_000n;
const T0 = Date.UTC(2024, 0, 1); // aligned to every period used below
const T0_NS = BigInt(T0) * 1_000_000n;

/** A deterministic stand-in for Python's random module. */
function pyRandom(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  return {
    randint: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    choice: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!,
  };
}

describe("seed 000: writing to in-memory ticking tables", () => {
  it("getting started: add_table(10), then when_done() shuts the publisher down", async () => {
    seedStaticRandom(7);
    const g = new UpdateGraph({ seed: 7 });
    const shutdowns: string[] = [];
    const [myTable, publisher] = tablePublisher(g, {
      name: "My table",
      columns: { X: "int32", Y: "float64", Z: "float64" },
      onShutdown: () => shutdowns.push("Table publisher is shut down."),
    });
    const addTable = (n: number): Table => {
      const t = emptyTable(n).update(
        "X = randomInt(0, 10)",
        "Y = randomDouble(0.0, 1.0)",
        "Z = randomDouble(10.0, 100.0)",
      );
      publisher.add(t);
      return t;
    };
    expect(myTable.columns).toEqual({ X: "int32", Y: "float64", Z: "float64" });
    expect(myTable.size).toBe(0);
    const added = addTable(10);
    expect(myTable.size).toBe(0);
    await g.runCycle();
    expect(myTable.toRows()).toEqual(added.toRows());
    for (const r of myTable.toRows()) {
      expect(Number.isInteger(r.X) && (r.X as number) >= 0 && (r.X as number) < 10).toBe(true);
      expect((r.Y as number) >= 0 && (r.Y as number) < 1).toBe(true);
      expect((r.Z as number) >= 10 && (r.Z as number) < 100).toBe(true);
    }
    const failures = record(myTable).failures;
    const err = new Error("Publisher shut down by user.");
    publisher.publishFailure(err); // when_done()
    await g.runCycle();
    expect(failures).toEqual([err]);
    expect(myTable.isFailed).toBe(true);
    expect(publisher.isAlive).toBe(false);
    expect(shutdowns).toEqual(["Table publisher is shut down."]);
  });

  it("threading with data history: five batches of 5..10 rows, a ring of 15 and an append-only table", async () => {
    seedStaticRandom(11);
    const clock = manualClock(T0);
    const g = new UpdateGraph({ clock: clock.now, seed: 11 });
    const [myTable, myPublisher] = tablePublisher(g, {
      name: "Publisher",
      columns: { X: "int32", Y: "float64" },
    });
    const myRingTable = ringTable(myTable, 15, { initialize: true });
    const myAppendOnlyTable = blinkToAppendOnly(myTable);
    const py = pyRandom(3);
    const history: Record<string, unknown>[] = [];
    for (let i = 0; i < 5; i++) {
      const batch = emptyTable(py.randint(5, 10)).update(
        "X = randomInt(0, 10)",
        "Y = randomDouble(-50.0, 50.0)",
      );
      myPublisher.add(batch);
      history.push(...batch.toRows());
      clock.advance(1000); // time.sleep(1)
      await g.runCycle();
      expect(myTable.toRows()).toEqual(batch.toRows());
      expect(myAppendOnlyTable.toRows()).toEqual(history);
      expect(myRingTable.toRows()).toEqual(history.slice(-15));
    }
    expect(history.length).toBeGreaterThanOrEqual(25);
    expect(myRingTable.size).toBe(15);
  });

  it("DynamicTableWriter getting started: ten rows, one per second", async () => {
    const g = new UpdateGraph();
    const tableWriter = new DynamicTableWriter(g, { A: "int64", B: "string" });
    const result = tableWriter.table;
    const py = pyRandom(5);
    const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split("");
    const expected: { A: bigint; B: string }[] = [];
    for (let i = 0; i < 10; i++) {
      const a = py.randint(1, 100);
      const b = py.choice(letters);
      tableWriter.writeRow(a, b);
      expected.push({ A: BigInt(a), B: b });
      await g.runCycle();
      expect(result.toRows()).toEqual(expected);
    }
  });

  it("trig functions: X, SinX, CosX, TanX written live", async () => {
    const g = new UpdateGraph();
    const tableWriter = new DynamicTableWriter(g, {
      X: "float64",
      SinX: "float64",
      CosX: "float64",
      TanX: "float64",
    });
    const trig = tableWriter.table;
    for (let i = 0; i < 628; i++) {
      const x = 0.01 * i;
      tableWriter.writeRow(x, Math.sin(x), Math.cos(x), Math.tan(x));
      if (i % 100 === 99) await g.runCycle();
    }
    await g.runCycle();
    expect(trig.size).toBe(628);
    const rows = trig.toRows();
    expect(rows[157]).toEqual({
      X: 1.57,
      SinX: Math.sin(1.57),
      CosX: Math.cos(1.57),
      TanX: Math.tan(1.57),
    });
    expect(rows.every((r, i) => r.X === 0.01 * i && r.SinX === Math.sin(0.01 * i))).toBe(true);
  });

  it("the update graph: rows written in one block are not visible until the next cycle", async () => {
    const g = new UpdateGraph();
    const tableWriter = new DynamicTableWriter(g, { Numbers: "int32", Words: "string" });
    const result = tableWriter.table;
    tableWriter.writeRow(1, "Testing");
    tableWriter.writeRow(2, "Dynamic");
    tableWriter.writeRow(3, "Table");
    tableWriter.writeRow(4, "Writer");
    expect(result.size === 0).toBe(true); // print(result.j_table.isEmpty()) -> True
    await g.runCycle();
    expect(result.size === 0).toBe(false); // the same print as a second command -> False
  });
});

describe("seeds 002-004: table types", () => {
  it("static: emptyTable(10).update(IntIdx = i, LongIdx = ii)", () => {
    const t = emptyTable(10).update("IntIdx = i", "LongIdx = ii");
    expect(t.isRefreshing).toBe(false);
    expect(colValues(t, "IntIdx")).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(colValues(t, "LongIdx")).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n]);
  });

  it("a snapshot of timeTable(PT1s) is static", async () => {
    const clock = manualClock(T0);
    const g = new UpdateGraph({ clock: clock.now });
    const t = timeTable(g, "PT1s");
    await g.runCycle();
    clock.advance(2000);
    await g.runCycle();
    const tSnapshot = t.snapshot();
    expect([t.isRefreshing, tSnapshot.isRefreshing]).toEqual([true, false]);
    clock.advance(1000);
    await g.runCycle();
    expect(colValues(tSnapshot, "Timestamp")).toEqual([T0_NS, T0_NS + SEC, T0_NS + 2n * SEC]);
    expect(t.size).toBe(4);
  });

  it("a blink time table (PT0.2s) with X = ii is blink; ii restarts each cycle", async () => {
    const clock = manualClock(T0);
    const g = new UpdateGraph({ clock: clock.now });
    const t = timeTable(g, "PT0.2s", { blink: true }).update("X = ii");
    expect(t.isBlink).toBe(true);
    await g.runCycle();
    expect(colValues(t, "X")).toEqual([0n]);
    clock.advance(1000);
    await g.runCycle();
    expect(colValues(t, "X")).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(colValues(t, "Timestamp")).toEqual(
      [1n, 2n, 3n, 4n, 5n].map((i) => T0_NS + i * 200_000_000n),
    );
  });

  it("blink aggregation: sums keep growing; after removeBlink they cover only the current cycle", async () => {
    const clock = manualClock(T0);
    const g = new UpdateGraph({ clock: clock.now });
    const t = timeTable(g, "PT0.1s", { blink: true }).update(
      "X = ii",
      "Group = ii % 2 == 0 ? `A` : `B`",
    );
    const tSum = t.view("X", "Group").sumBy("Group");
    const tNoBlink = t.removeBlink();
    const tSumNoBlink = tNoBlink.view("X", "Group").sumBy("Group");
    expect([tSum.isBlink, tSum.isRefreshing, tNoBlink.isBlink]).toEqual([false, true, false]);
    await g.runCycle(); // one row due: X = 0 in group A
    expect(tSum.toRows()).toEqual([{ Group: "A", X: 0n }]);
    for (let cycle = 1; cycle <= 3; cycle++) {
      clock.advance(1000); // ten rows per cycle: X = 0..9
      await g.runCycle();
      expect(tSum.toRows()).toEqual([
        { Group: "A", X: 20n * BigInt(cycle) },
        { Group: "B", X: 25n * BigInt(cycle) },
      ]);
      expect(tSumNoBlink.toRows()).toEqual([
        { Group: "A", X: 20n },
        { Group: "B", X: 25n },
      ]);
    }
    clock.advance(50); // no row due: the blink table empties
    await g.runCycle();
    expect(tSum.toRows()).toEqual([
      { Group: "A", X: 60n },
      { Group: "B", X: 75n },
    ]);
    expect(tSumNoBlink.size).toBe(0);
  });

  it("blinkToAppendOnly of a blink time table keeps every row", async () => {
    const clock = manualClock(T0);
    const g = new UpdateGraph({ clock: clock.now });
    const t = timeTable(g, "PT1s", { blink: true }).update("X = ii");
    const tAppendOnly = blinkToAppendOnly(t);
    for (let i = 0; i < 4; i++) {
      await g.runCycle();
      clock.advance(1000);
    }
    expect(tAppendOnly.isAppendOnly).toBe(true);
    expect(tAppendOnly.toRows()).toEqual(
      [0n, 1n, 2n, 3n].map((i) => ({ Timestamp: T0_NS + i * SEC, X: 0n })),
    );
    expect(t.size).toBe(1);
  });

  it("RingTableTools.of(blink time table PT0.5s, 5) holds the five most recent rows", async () => {
    const clock = manualClock(T0);
    const g = new UpdateGraph({ clock: clock.now });
    const t = timeTable(g, "PT0.5s", { blink: true });
    const tRing = ringTable(t, 5);
    const rec = record(tRing);
    for (let i = 0; i < 4; i++) {
      await g.runCycle();
      clock.advance(1000);
    }
    // Rows 0..6 were due (0 at the first cycle, then two per second); the ring has the last five.
    expect(colValues(tRing, "Timestamp")).toEqual(
      [2n, 3n, 4n, 5n, 6n].map((i) => T0_NS + i * 500_000_000n),
    );
    expect(rec.updates.map((u) => [u.added, u.removed])).toEqual([
      [[0], []],
      [[1, 2], []],
      [[3, 4], []],
      [
        [5, 6],
        [0, 1],
      ],
    ]);
  });

  it("a ring of three over an append-only time table is a moving tail", async () => {
    const clock = manualClock(T0);
    const g = new UpdateGraph({ clock: clock.now });
    const t = timeTable(g, "PT0.5s");
    const tRing = ringTable(t, 3);
    for (let i = 0; i < 3; i++) {
      await g.runCycle();
      clock.advance(500);
    }
    expect(colValues(tRing, "Timestamp")).toEqual(
      [0n, 1n, 2n].map((i) => T0_NS + i * 500_000_000n),
    );
    clock.advance(1000);
    await g.runCycle();
    expect(colValues(tRing, "Timestamp")).toEqual(
      [3n, 4n, 5n].map((i) => T0_NS + i * 500_000_000n),
    );
    expect(t.size).toBe(6);
  });

  it("ring tables ignore deleted parent rows and fail on modified ones", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { name: "p", columns: { K: "string", X: "int32" } });
    const ignoresRemovals = ringTable(blink, 10);
    const last = blinkToAppendOnly(blink).lastBy("K"); // modifies rows when a key gets a new last value
    const ring = ringTable(last, 10);
    const rec = record(ring);
    pub.addRows([
      { K: "a", X: 1 },
      { K: "b", X: 2 },
    ]);
    await g.runCycle();
    expect(ring.toRows()).toEqual([
      { K: "a", X: 1 },
      { K: "b", X: 2 },
    ]);
    await g.runCycle(); // the blink table removes its rows
    expect(ignoresRemovals.size).toBe(2);
    pub.addRows([{ K: "a", X: 3 }]);
    await g.runCycle();
    expect(ring.isFailed).toBe(true);
    expect(String(rec.failures[0])).toMatch(/Not expecting modifies or shifts/);
    expect(ignoresRemovals.size).toBe(3);
  });
});
