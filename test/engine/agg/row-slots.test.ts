/**
 * RowSlots (the group slot remembered per live parent row) on its own, and the aggregations that
 * rely on it for removed and modified rows: ring evictions, removeBlink's previous rows, modified
 * key and value columns, null keys, groups emptied and refilled, and a sparse-keyed parent (a
 * refreshing sort) for which the memory is dropped.
 */
import { describe, expect, it } from "vitest";
import { agg } from "../../../src/engine/agg/index.ts";
import { RowSlots } from "../../../src/engine/agg/row-slots.ts";
import { PAGE_SIZE } from "../../../src/engine/column.ts";
import { inputTable, ringTable, tablePublisher, UpdateGraph } from "../../../src/engine/index.ts";
import type { Span } from "../../../src/engine/spans.ts";
import { record } from "../helpers.ts";

const run = (start: number, length: number): Span => ({
  isRun: true,
  start,
  keys: new Float64Array(0),
  length,
  position: 0,
});
const gather = (keys: number[]): Span => ({
  isRun: false,
  start: -1,
  keys: Float64Array.from(keys),
  length: keys.length,
  position: 0,
});
const got = (m: RowSlots, span: Span, release: boolean): number[] => {
  const out = new Int32Array(span.length);
  m.get(span, out, release);
  return [...out];
};

describe("RowSlots", () => {
  it("returns the slots remembered for runs and gathers, and frees a page with its last row", () => {
    const m = new RowSlots();
    m.add(run(PAGE_SIZE - 2, 2), Int32Array.of(7, 8));
    m.add(gather([PAGE_SIZE, PAGE_SIZE + 5]), Int32Array.of(9, 7));
    expect(m.bytes).toBe(2 * PAGE_SIZE * 4);
    expect(got(m, gather([PAGE_SIZE - 1, PAGE_SIZE + 5]), false)).toEqual([8, 7]);
    expect(got(m, run(PAGE_SIZE - 2, 2), true)).toEqual([7, 8]);
    // The first page is empty now: kept as the one spare, not in use.
    expect(() => got(m, run(PAGE_SIZE - 1, 1), false)).toThrow(
      `parent row ${PAGE_SIZE - 1} was removed or modified but never added`,
    );
    m.set(gather([PAGE_SIZE + 5]), Int32Array.of(3));
    expect(got(m, gather([PAGE_SIZE, PAGE_SIZE + 5]), true)).toEqual([9, 3]);
    expect(m.bytes).toBe(PAGE_SIZE * 4);
    expect(m.checkDensity()).toBe(true);
  });

  it("rejects a row removed twice or never added", () => {
    const m = new RowSlots();
    m.add(run(10, 3), Int32Array.of(1, 2, 3));
    expect(got(m, run(11, 1), true)).toEqual([2]);
    expect(() => got(m, run(10, 3), true)).toThrow("parent row 11 was removed or modified");
    expect(() => got(m, gather([12, 13]), false)).toThrow("parent row 13 was removed or modified");
    expect(() => m.set(run(5 * PAGE_SIZE, 1), Int32Array.of(0))).toThrow(
      `parent row ${5 * PAGE_SIZE} was removed`,
    );
  });

  it("drops itself for sparse keys (more than 16 keys of pages per live row)", () => {
    const m = new RowSlots();
    m.add(gather([0, PAGE_SIZE, 2 * PAGE_SIZE]), Int32Array.of(0, 1, 2));
    expect(m.checkDensity()).toBe(false);
    expect(m.active).toBe(false);
    expect(m.bytes).toBe(0);
    const dense = new RowSlots();
    dense.add(run(0, PAGE_SIZE), new Int32Array(PAGE_SIZE));
    dense.add(run(PAGE_SIZE, 300), new Int32Array(300));
    dense.add(run(2 * PAGE_SIZE, 300), new Int32Array(300));
    expect(dense.checkDensity()).toBe(true);
  });
});

function setup(columns: Record<string, string>) {
  const g = new UpdateGraph({ seed: 5 });
  const [blink, pub] = tablePublisher(g, { name: "p", columns });
  const cycle = async (rows: Record<string, unknown>[]) => {
    pub.addRows(rows);
    await g.runCycle();
  };
  return { blink, cycle };
}

describe("aggregations over removed and modified rows (remembered slots)", () => {
  it("ring evictions leave the groups they came from, null keys included, across pages", async () => {
    const { blink, cycle } = setup({ K: "string", N: "int32", X: "int64" });
    const ring = ringTable(blink, 3000);
    const t = ring.aggBy([agg.sum("S = X"), agg.count("C")], "K", "N");
    const rows = (c: number) =>
      Array.from({ length: 1000 }, (_, i) => ({
        K: i % 7 === 0 ? null : ["a", "b", "c"][(i + c) % 3]!,
        N: i % 5 === 0 ? null : i % 2,
        X: BigInt(c * 1000 + i),
      }));
    const all: Record<string, unknown>[] = [];
    for (let c = 0; c < 9; c++) {
      const batch = rows(c);
      all.push(...batch);
      await cycle(batch);
    }
    const want = new Map<string, { S: bigint; C: bigint }>();
    for (const r of all.slice(-3000)) {
      const k = `${r.K}|${r.N}`;
      const e = want.get(k) ?? { S: 0n, C: 0n };
      e.S += r.X as bigint;
      e.C += 1n;
      want.set(k, e);
    }
    const have = new Map(t.toRows().map((r) => [`${r.K}|${r.N}`, { S: r.S, C: r.C }]));
    expect(have).toEqual(want);
  });

  it("a group emptied by evictions and refilled comes back at its row key with fresh sums", async () => {
    const { blink, cycle } = setup({ K: "string", X: "int32" });
    const t = ringTable(blink, 2).aggBy([agg.sum("X"), agg.count("N")], "K");
    const rec = record(t);
    await cycle([
      { K: "a", X: 1 },
      { K: null, X: 2 },
    ]);
    await cycle([
      { K: "b", X: 3 },
      { K: "b", X: 4 },
    ]);
    expect(t.toRows()).toEqual([{ K: "b", X: 7n, N: 2n }]);
    await cycle([
      { K: null, X: 5 },
      { K: "a", X: 6 },
    ]);
    expect(t.toRows()).toEqual([
      { K: "a", X: 6n, N: 1n },
      { K: null, X: 5n, N: 1n },
    ]);
    expect(rec.updates).toEqual([
      { added: [0, 1], removed: [], modified: [], modifiedColumns: [] },
      { added: [2], removed: [0, 1], modified: [], modifiedColumns: [] },
      { added: [0, 1], removed: [2], modified: [], modifiedColumns: [] },
    ]);
  });

  it("removeBlink's previous rows leave their groups every cycle", async () => {
    const { blink, cycle } = setup({ K: "string", X: "int32" });
    const t = blink.removeBlink().aggBy([agg.sum("X"), agg.count("N")], "K");
    await cycle([
      { K: "a", X: 1 },
      { K: "b", X: 2 },
      { K: "a", X: 3 },
    ]);
    expect(t.toRows()).toEqual([
      { K: "a", X: 4n, N: 2n },
      { K: "b", X: 2n, N: 1n },
    ]);
    await cycle([{ K: "b", X: 10 }]);
    expect(t.toRows()).toEqual([{ K: "b", X: 10n, N: 1n }]);
    await cycle([]);
    expect(t.toRows()).toEqual([]);
  });

  it("a modified key column moves the row (to a null key and back); a modified value does not", async () => {
    const { blink, cycle } = setup({ Id: "int32", K: "string", X: "int32" });
    const latest = blink.lastBy("Id"); // one row per Id, modified as new rows arrive
    const t = latest.aggBy([agg.sum("X"), agg.count("N")], "K");
    await cycle([
      { Id: 1, K: "a", X: 10 },
      { Id: 2, K: "a", X: 20 },
      { Id: 3, K: "b", X: 1 },
    ]);
    await cycle([{ Id: 2, K: null, X: 5 }]); // key changes: a -> null
    expect(t.toRows()).toEqual([
      { K: "a", X: 10n, N: 1n },
      { K: "b", X: 1n, N: 1n },
      { K: null, X: 5n, N: 1n },
    ]);
    await cycle([{ Id: 3, K: "b", X: 7 }]); // same key, new value
    expect(t.toRows()).toEqual([
      { K: "a", X: 10n, N: 1n },
      { K: "b", X: 7n, N: 1n },
      { K: null, X: 5n, N: 1n },
    ]);
    await cycle([
      { Id: 2, K: "a", X: 6 }, // null -> a
      { Id: 1, K: "b", X: 2 }, // a -> b
    ]);
    expect(t.toRows()).toEqual([
      { K: "a", X: 6n, N: 1n },
      { K: "b", X: 9n, N: 2n },
    ]);
  });

  it("a row deleted after its key moved leaves its new group (keyed input table)", async () => {
    const g = new UpdateGraph({ seed: 5 });
    const input = inputTable(g, {
      columns: { Id: "int32", K: "string", X: "int32" },
      keys: ["Id"],
    });
    const t = input.table.aggBy([agg.sum("X"), agg.count("N")], "K");
    input.add([
      { Id: 1, K: "a", X: 1 },
      { Id: 2, K: "a", X: 2 },
      { Id: 3, K: null, X: 4 },
    ]);
    await g.runCycle();
    input.add([{ Id: 1, K: "b", X: 8 }]); // a -> b
    await g.runCycle();
    expect(t.toRows()).toEqual([
      { K: "a", X: 2n, N: 1n },
      { K: null, X: 4n, N: 1n },
      { K: "b", X: 8n, N: 1n },
    ]);
    input.delete([{ Id: 1 }, { Id: 3 }]);
    input.add([{ Id: 2, K: "a", X: 16 }]); // a value change only
    await g.runCycle();
    expect(t.toRows()).toEqual([{ K: "a", X: 16n, N: 1n }]);
    input.add([{ Id: 4, K: "b", X: 32 }]);
    await g.runCycle();
    expect(t.toRows()).toEqual([
      { K: "a", X: 16n, N: 1n },
      { K: "b", X: 32n, N: 1n },
    ]);
  });

  it("over a refreshing sort (sparse row keys) the memory is dropped and results stay right", async () => {
    const { blink, cycle } = setup({ K: "string", X: "int32" });
    const sorted = ringTable(blink, 50).sort("X");
    const t = sorted.aggBy([agg.sum("X"), agg.count("N")], "K");
    const all: { K: string; X: number }[] = [];
    for (let c = 0; c < 12; c++) {
      const batch = Array.from({ length: 9 }, (_, i) => ({
        K: ["a", "b", "c", "d"][(i * 3 + c) % 4]!,
        X: ((c * 9 + i) * 7919) % 1000,
      }));
      all.push(...batch);
      await cycle(batch);
    }
    const want = new Map<string, [bigint, bigint]>();
    for (const r of all.slice(-50)) {
      const e = want.get(r.K) ?? [0n, 0n];
      want.set(r.K, [e[0] + BigInt(r.X), e[1] + 1n]);
    }
    expect(new Map(t.toRows().map((r) => [r.K, [r.X, r.N]]))).toEqual(want);
  });
});
