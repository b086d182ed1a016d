import { describe, expect, it } from "vitest";
import {
  ArgumentError,
  blinkToAppendOnly,
  doubleCol,
  intCol,
  longCol,
  newTable,
  stringCol,
  TableFailedError,
  tablePublisher,
  UpdateGraph,
  ValueError,
} from "../../src/engine/index.ts";
import { record } from "./helpers.ts";

const cols = { S: "string", B: "bool", I: "int32", L: "int64", D: "float64" } as const;

describe("tablePublisher", () => {
  it("shows rows only at the next cycle, keyed 0..n-1, replacing the previous cycle's", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const [blink, pub] = tablePublisher(g, { name: "p", columns: { X: "int32", Y: "float64" } });
    expect(blink.isRefreshing).toBe(true);
    expect(blink.isBlink).toBe(true);
    expect(blink.isAppendOnly).toBe(false);
    const rec = record(blink);
    pub.add(newTable([intCol("X", [1, 2, 3]), doubleCol("Y", [0.5, null, 2.5])]));
    expect(blink.size).toBe(0);
    await g.runCycle();
    expect(blink.toRows()).toEqual([
      { X: 1, Y: 0.5 },
      { X: 2, Y: null },
      { X: 3, Y: 2.5 },
    ]);
    pub.addRows([{ X: 7, Y: 1 }]);
    pub.add(newTable([doubleCol("Y", [9]), intCol("X", [8]), stringCol("Extra", ["ignored"])]));
    await g.runCycle();
    expect(blink.toRows()).toEqual([
      { X: 7, Y: 1 },
      { X: 8, Y: 9 },
    ]);
    await g.runCycle(); // removes the two rows
    await g.runCycle(); // nothing at all: no update
    expect(blink.size).toBe(0);
    expect(rec.updates).toEqual([
      { added: [0, 1, 2], removed: [], modified: [], modifiedColumns: [] },
      { added: [0, 1], removed: [0, 1, 2], modified: [], modifiedColumns: [] },
      { added: [], removed: [0, 1], modified: [], modifiedColumns: [] },
    ]);
  });

  it("notifies the listeners a cycle starts with: one added or removed by a listener counts from the next", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const [blink, pub] = tablePublisher(g, { name: "p", columns: { X: "int32" } });
    const calls: string[] = [];
    let offB: (() => void) | null = null;
    const offA = blink.listen((u) => {
      calls.push(`a${u.added.size}`);
      // During the first notification: removes b (still called this cycle), adds c (not yet).
      if (offB !== null) {
        offB();
        offB = null;
        blink.listen((v) => calls.push(`c${v.added.size}`));
      }
    });
    offB = blink.listen((u) => calls.push(`b${u.added.size}`));
    pub.addRows([{ X: 1 }]);
    await g.runCycle();
    expect(calls).toEqual(["a1", "b1"]);
    pub.addRows([{ X: 1 }, { X: 2 }]);
    await g.runCycle();
    expect(calls).toEqual(["a1", "b1", "a2", "c2"]);
    offA();
    offA(); // (a second call changes nothing)
    pub.addRows([{ X: 3 }]);
    await g.runCycle();
    expect(calls).toEqual(["a1", "b1", "a2", "c2", "c1"]);
  });

  it("rejects a table missing a column, naming it, and enqueues nothing", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { name: "p", columns: { ...cols, T: "instant" } });
    const t = newTable([
      stringCol("S", ["a"]),
      intCol("I", [1]),
      longCol("L", [1n]),
      doubleCol("D", [1]),
      { name: "B", type: "bool", values: [true] },
    ]);
    expect(() => pub.add(t)).toThrow(ArgumentError);
    expect(() => pub.add(t)).toThrow(
      "Unknown column names [T], available column names are [S, I, L, D, B]",
    );
    await g.runCycle();
    expect(blink.size).toBe(0);
  });

  it("rejects a whole addRows call on one bad value, naming row, column and type", async () => {
    const g = new UpdateGraph();
    const [blink, pub] = tablePublisher(g, { name: "p", columns: cols });
    const good = { S: "x", B: true, I: 1, L: 5n, D: 1.5 };
    let err: unknown;
    try {
      pub.addRows([good, { ...good, I: "seven" }]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValueError);
    expect((err as ValueError).row).toBe(1);
    expect((err as ValueError).column).toBe("I");
    expect((err as Error).message).toContain("row 1");
    expect((err as Error).message).toContain("expected int32");
    expect(() => pub.addRows([{ ...good, I: 2 ** 31 }])).toThrow(/out of range/);
    expect(() => pub.addRows([{ ...good, L: 2 ** 60 }])).toThrow(/string/);
    await g.runCycle();
    expect(blink.size).toBe(0);
    pub.addRows([good, { S: null, B: null, I: null, L: "9223372036854775807", D: null }]);
    await g.runCycle();
    expect(blink.toRows()).toEqual([
      good,
      { S: null, B: null, I: null, L: 9223372036854775807n, D: null },
    ]);
  });

  it("runs onFlush every cycle before taking rows; its rows land in that cycle", async () => {
    const g = new UpdateGraph();
    let calls = 0;
    const [blink] = tablePublisher(g, {
      name: "p",
      columns: { X: "int32" },
      onFlush: (p) => {
        calls++;
        if (calls === 2) p.addRows([{ X: 42 }]);
      },
    });
    await g.runCycle();
    expect(calls).toBe(1);
    expect(blink.size).toBe(0);
    await g.runCycle();
    expect(calls).toBe(2);
    expect(blink.toRows()).toEqual([{ X: 42 }]);
  });

  it("publishFailure fails the blink table and everything downstream at the next cycle, then shuts down once", async () => {
    const g = new UpdateGraph();
    let shutdowns = 0;
    const [blink, pub] = tablePublisher(g, {
      name: "p",
      columns: { X: "int32" },
      onShutdown: () => shutdowns++,
    });
    const hist = blinkToAppendOnly(blink);
    const recBlink = record(blink);
    const recHist = record(hist);
    pub.addRows([{ X: 1 }]);
    await g.runCycle();
    const err = new Error("Publisher shut down by user.");
    pub.publishFailure(err);
    expect(pub.isAlive).toBe(true);
    expect(blink.isFailed).toBe(false);
    pub.addRows([{ X: 2 }]);
    await g.runCycle();
    expect(pub.isAlive).toBe(false);
    expect(blink.isFailed).toBe(true);
    expect(hist.isFailed).toBe(true);
    expect(recBlink.failures).toEqual([err]);
    expect(recHist.failures).toEqual([err]);
    expect(recBlink.updates.length).toBe(1);
    expect(shutdowns).toBe(1);
    pub.addRows([{ X: 3 }]);
    pub.add(newTable([intCol("X", [4])]));
    await g.runCycle();
    expect(shutdowns).toBe(1);
    expect(hist.toRows()).toEqual([{ X: 1 }]);
    expect(() => blink.listen(() => {})).toThrow(TableFailedError);
  });

  it("publishFailure inside onFlush takes effect in that same cycle, with no data update", async () => {
    const g = new UpdateGraph();
    const err = new Error("feed ended");
    let fail = false;
    const [blink, pub] = tablePublisher(g, {
      name: "p",
      columns: { X: "int32" },
      onFlush: (p) => {
        p.addRows([{ X: 1 }]);
        if (fail) p.publishFailure(err);
      },
    });
    const rec = record(blink);
    await g.runCycle();
    fail = true;
    await g.runCycle();
    expect(pub.isAlive).toBe(false);
    expect(rec.updates.length).toBe(1);
    expect(rec.failures).toEqual([err]);
  });

  it("rejects a non-positive chunkSize and bad schemas", () => {
    const g = new UpdateGraph();
    expect(() => tablePublisher(g, { name: "p", columns: { X: "int32" }, chunkSize: 0 })).toThrow(
      /chunkSize/,
    );
    expect(() => tablePublisher(g, { name: "p", columns: { X: "int33" } })).toThrow(
      /Unknown type "int33" for column "X"/,
    );
    expect(() => tablePublisher(g, { name: "p", columns: { "1X": "int32" } })).toThrow(
      /Invalid column name "1X"/,
    );
    expect(() => tablePublisher(g, { name: "p", columns: { ii: "int32" } })).toThrow(/reserved/);
  });
});
