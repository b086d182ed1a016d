import { describe, expect, it } from "vitest";
import {
  ArgumentError,
  DynamicTableWriter,
  parseDuration,
  timeTable,
  UpdateGraph,
  WriterClosedError,
} from "../../src/engine/index.ts";
import { colValues, manualClock, record } from "./helpers.ts";

describe("DynamicTableWriter", () => {
  it("feeds an append-only table; rows appear at the next cycle", async () => {
    const g = new UpdateGraph();
    const w = new DynamicTableWriter(g, { Numbers: "int32", Words: "string" });
    const result = w.table;
    expect([result.isRefreshing, result.isAppendOnly, result.isAddOnly, result.isBlink]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    w.writeRow(1, "Testing");
    w.writeRow(2, "Dynamic");
    w.writeRow(3, "Table");
    w.writeRow(4, "Writer");
    expect(result.size).toBe(0); // as the seed: not visible before the cycle
    const rec = record(result);
    await g.runCycle();
    expect(result.toRows()).toEqual([
      { Numbers: 1, Words: "Testing" },
      { Numbers: 2, Words: "Dynamic" },
      { Numbers: 3, Words: "Table" },
      { Numbers: 4, Words: "Writer" },
    ]);
    w.writeRow(5, null);
    await g.runCycle();
    expect(result.size).toBe(5);
    expect(rec.updates.map((u) => u.added)).toEqual([[0, 1, 2, 3], [4]]);
    expect(rec.updates.every((u) => u.removed.length === 0)).toBe(true);
  });

  it("converts permissively like write_row and checks arity", async () => {
    const g = new UpdateGraph();
    const w = new DynamicTableWriter(g, { A: "int64", I: "int32", D: "float64", S: "string" });
    w.writeRow(11.9, 11.1, 3, 7);
    w.writeRow(-2.5, -7.9, true, false);
    expect(() => w.writeRow(1, 2)).toThrow("writeRow expects 4 values (A, I, D, S), got 2");
    expect(() => w.writeRow(1, 2, 3, 4, 5)).toThrow(ArgumentError);
    expect(() => w.writeRow(1, {}, 3, "x")).toThrow(/column "I": expected int32/);
    await g.runCycle();
    expect(w.table.toRows()).toEqual([
      { A: 11n, I: 11, D: 3, S: "7" },
      { A: -2n, I: -7, D: 1, S: "false" },
    ]);
  });

  it("groups a transaction's rows; a new transaction discards an uncommitted one", async () => {
    const g = new UpdateGraph();
    const w = new DynamicTableWriter(g, { X: "int32" });
    w.beginTransaction();
    w.writeRow(1);
    w.beginTransaction(); // discards 1
    w.writeRow(2);
    w.writeRow(3);
    await g.runCycle();
    expect(w.table.size).toBe(0);
    w.commitTransaction();
    w.writeRow(4);
    await g.runCycle();
    expect(colValues(w.table, "X")).toEqual([2, 3, 4]);
    expect(() => w.commitTransaction()).toThrow(/without beginTransaction/);
  });

  it("close keeps rows already written and refuses new ones", async () => {
    const g = new UpdateGraph();
    const w = new DynamicTableWriter(g, { X: "int32" });
    w.writeRow(1);
    w.close();
    expect(() => w.writeRow(2)).toThrow(WriterClosedError);
    await g.runCycle();
    expect(colValues(w.table, "X")).toEqual([1]);
  });
});

describe("timeTable", () => {
  const sec = 1_000_000_000n;

  it("parses ISO-8601 durations", () => {
    expect(parseDuration("PT1s")).toBe(sec);
    expect(parseDuration("PT0.2s")).toBe(200_000_000n);
    expect(parseDuration("PT1M30S")).toBe(90n * sec);
    expect(parseDuration("P1D")).toBe(86_400n * sec);
    expect(parseDuration("PT")).toBeNull();
    expect(parseDuration("1s")).toBeNull();
  });

  it("adds one row per period due, from a start floored to the period", async () => {
    const clock = manualClock(Date.UTC(2024, 0, 1, 0, 0, 0, 700));
    const g = new UpdateGraph({ clock: clock.now });
    const t = timeTable(g, "PT1s");
    expect([t.isRefreshing, t.isAppendOnly, t.isBlink]).toEqual([true, true, false]);
    expect(t.columns).toEqual({ Timestamp: "instant" });
    const start = BigInt(Date.UTC(2024, 0, 1)) * 1_000_000n;
    await g.runCycle();
    expect(colValues(t, "Timestamp")).toEqual([start]);
    clock.advance(500); // 1.2 s
    await g.runCycle();
    expect(colValues(t, "Timestamp")).toEqual([start, start + sec]);
    clock.advance(3000); // 4.2 s: a long gap adds every row that came due
    await g.runCycle();
    expect(colValues(t, "Timestamp")).toEqual([0n, 1n, 2n, 3n, 4n].map((i) => start + i * sec));
  });

  it("starts at startTime (bigint, Date or ISO) and in blink mode keeps increasing keys", async () => {
    const clock = manualClock(Date.UTC(2024, 0, 1, 0, 0, 1));
    const g = new UpdateGraph({ clock: clock.now });
    const start = BigInt(Date.UTC(2024, 0, 1)) * 1_000_000n;
    const t = timeTable(g, "PT0.5s", { startTime: "2024-01-01T00:00:00Z", blink: true });
    const t2 = timeTable(g, 500_000_000n, { startTime: new Date(Date.UTC(2024, 0, 1)) });
    expect(t.isBlink).toBe(true);
    const rec = record(t);
    await g.runCycle();
    expect(colValues(t, "Timestamp")).toEqual([start, start + 500_000_000n, start + sec]);
    clock.advance(1000);
    await g.runCycle();
    expect(colValues(t, "Timestamp")).toEqual([start + 1_500_000_000n, start + 2n * sec]);
    expect(t2.size).toBe(5);
    await g.runCycle();
    expect(t.size).toBe(0);
    expect(rec.updates).toEqual([
      { added: [0, 1, 2], removed: [], modified: [], modifiedColumns: [] },
      { added: [3, 4], removed: [0, 1, 2], modified: [], modifiedColumns: [] },
      { added: [], removed: [3, 4], modified: [], modifiedColumns: [] },
    ]);
  });

  it("rejects bad periods and start times", () => {
    const g = new UpdateGraph();
    expect(() => timeTable(g, "PT0s")).toThrow(/positive/);
    expect(() => timeTable(g, -5n)).toThrow(/positive/);
    expect(() => timeTable(g, "soon")).toThrow(/cannot parse period/);
    expect(() => timeTable(g, "PT1s", { startTime: "yesterday" })).toThrow(/startTime/);
  });
});
