import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildFamily } from "../../src/engine/family/family.ts";
import { normalizeSpec } from "../../src/engine/family/spec.ts";
import {
  ArgumentError,
  DynamicTableWriter,
  merge,
  newTable,
  ringTable,
  tablePublisher,
  timeWindow,
  UpdateGraph,
} from "../../src/engine/index.ts";
import { col } from "../../src/engine/new-table.ts";
import { colValues, manualClock, record } from "./helpers.ts";

const BASE = Date.UTC(2024, 0, 1); // epoch ms
const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n;
const S = 1000;

function setup(window: string | bigint = "PT10S") {
  const clock = manualClock(BASE);
  const g = new UpdateGraph({ clock: clock.now });
  const w = new DynamicTableWriter(g, { Ts: "instant", X: "int32" });
  const t = timeWindow(w.table, "Ts", window, "InWindow");
  return { clock, g, w, t, rec: record(t) };
}

describe("timeWindow", () => {
  it("marks rows in the window, the edge included, and ages them out as modifications", async () => {
    const { clock, g, w, t, rec } = setup();
    // Rows change as they age out: the result is neither append-only nor add-only.
    expect([t.isRefreshing, t.isAddOnly, t.isAppendOnly, t.isBlink]).toEqual([
      true,
      false,
      false,
      false,
    ]);
    w.writeRow(ns(BASE - 20 * S), 1); // added already outside
    w.writeRow(ns(BASE - 10 * S), 2); // exactly on the edge: ts == now - window
    w.writeRow(ns(BASE - 5 * S), 3);
    w.writeRow(null, 4); // null timestamp: null, forever
    w.writeRow(ns(BASE), 5);
    await g.runCycle();
    expect(colValues(t, "InWindow")).toEqual([false, true, true, null, true]);
    expect(rec.updates).toEqual([
      { added: [0, 1, 2, 3, 4], removed: [], modified: [], modifiedColumns: [] },
    ]);
    // The edge row leaves one millisecond later.
    expect(g.nextChangeMs()).toBe(BASE + 1);

    clock.advance(1);
    await g.runCycle();
    expect(colValues(t, "InWindow")).toEqual([false, false, true, null, true]);
    expect(rec.updates[1]).toEqual({
      added: [],
      removed: [],
      modified: [1],
      modifiedColumns: ["InWindow"],
    });
    expect(g.nextChangeMs()).toBe(BASE + 5 * S + 1);

    // Nothing ages out: no update.
    clock.advance(1000);
    await g.runCycle();
    expect(rec.updates.length).toBe(2);
    expect(rec.failures).toEqual([]);
  });

  it("reads the previous value of an aged-out row as true during the cycle", async () => {
    const { clock, g, w, t } = setup("PT1S");
    w.writeRow(ns(BASE), 1);
    await g.runCycle();
    const seen: unknown[] = [];
    t.listen((u) => {
      for (const k of u.modified.toArray())
        seen.push([t.column("InWindow").getPrev(k), t.getValue("InWindow", k)]);
    });
    clock.advance(S + 1);
    await g.runCycle();
    expect(seen).toEqual([[true, false]]);
  });

  it("keeps the window's clock from going back; a jump ages out every row it passes", async () => {
    const { clock, g, w, t, rec } = setup();
    w.writeRow(ns(BASE - 9 * S), 1);
    w.writeRow(ns(BASE - 1 * S), 2);
    await g.runCycle();
    expect(colValues(t, "InWindow")).toEqual([true, true]);

    clock.set(BASE - 60 * S); // backwards: nothing changes, the window keeps its latest reading
    w.writeRow(ns(BASE - 11 * S), 3); // in the window of the clock's reading, not of the window's
    await g.runCycle();
    expect(colValues(t, "InWindow")).toEqual([true, true, false]);
    expect(rec.updates[1]).toEqual({ added: [2], removed: [], modified: [], modifiedColumns: [] });

    clock.set(BASE + 3600 * S); // a jump forward: both remaining rows leave in one cycle
    await g.runCycle();
    expect(colValues(t, "InWindow")).toEqual([false, false, false]);
    expect(rec.updates[2]!.modified).toEqual([0, 1]);
    expect(g.nextChangeMs()).toBe(null);
  });

  it("handles rows out of time order (several runs) and bigint windows", async () => {
    const { clock, g, w, t, rec } = setup(ns(10 * S));
    for (const [s, x] of [
      [5, 1],
      [1, 2],
      [3, 3],
      [2, 4],
      [4, 5],
    ] as const)
      w.writeRow(ns(BASE + s * S), x);
    await g.runCycle();
    expect(colValues(t, "InWindow")).toEqual([true, true, true, true, true]);
    const flips: number[][] = [];
    for (let s = 11; s <= 16; s++) {
      clock.set(BASE + s * S + 1);
      await g.runCycle();
      flips.push(rec.updates.length > 0 ? rec.updates[rec.updates.length - 1]!.modified : []);
      rec.updates.length = 0;
    }
    // Row keys by timestamp: 1 (1s), 3 (2s), 2 (3s), 4 (4s), 0 (5s).
    expect(flips).toEqual([[1], [3], [2], [4], [0], []]);
  });

  it("is a sliding window under where: ageing rows are removals of the filtered table", async () => {
    const { clock, g, w } = setup();
    const sliding = timeWindow(w.table, "Ts", "PT10S", "InWindow").where("InWindow");
    const rec = record(sliding);
    w.writeRow(ns(BASE - 2 * S), 1);
    w.writeRow(ns(BASE), 2);
    await g.runCycle();
    expect(colValues(sliding, "X")).toEqual([1, 2]);
    clock.advance(8 * S + 1);
    w.writeRow(ns(BASE + 8 * S), 3);
    await g.runCycle();
    expect(colValues(sliding, "X")).toEqual([2, 3]);
    expect(rec.updates[1]).toEqual({ added: [2], removed: [0], modified: [], modifiedColumns: [] });
  });

  it("follows an add-only parent (a merge of writers) whose new rows land between keys", async () => {
    const clock = manualClock(BASE);
    const g = new UpdateGraph({ clock: clock.now });
    const a = new DynamicTableWriter(g, { Ts: "instant", X: "int32" });
    const b = new DynamicTableWriter(g, { Ts: "instant", X: "int32" });
    const m = merge(a.table, b.table);
    expect(m.isAddOnly && !m.isAppendOnly).toBe(true);
    const t = timeWindow(m, "Ts", "PT10S", "InWindow");
    const rec = record(t);
    a.writeRow(ns(BASE), 1);
    b.writeRow(ns(BASE + 2 * S), 2);
    await g.runCycle();
    clock.advance(S);
    a.writeRow(ns(BASE + 1 * S), 3);
    await g.runCycle();
    expect(t.toRows().map((r) => [r.X, r.InWindow])).toEqual([
      [1, true],
      [3, true],
      [2, true],
    ]);
    const flips: number[][] = [];
    for (const s of [10, 11, 12]) {
      clock.set(BASE + s * S + 1);
      await g.runCycle();
      flips.push(
        rec.updates[rec.updates.length - 1]!.modified.map((k) => t.getValue("X", k) as number),
      );
    }
    expect(flips).toEqual([[1], [3], [2]]);
    expect(() => timeWindow(ringTable(m, 100), "Ts", "PT1S", "W")).toThrow(
      /neither append-only nor add-only/,
    );
  });

  it("refuses what it cannot follow, naming the argument", () => {
    const g = new UpdateGraph();
    const w = new DynamicTableWriter(g, { Ts: "instant", N: "int64", D: "float64" });
    const err = (fn: () => unknown, re: RegExp) => {
      expect(fn).toThrow(ArgumentError);
      expect(fn).toThrow(re);
    };
    err(() => timeWindow(w.table, "Nope", "PT1S", "W"), /unknown timestamp column "Nope"/);
    err(() => timeWindow(w.table, "D", "PT1S", "W"), /"D" is float64; it must be instant or int64/);
    err(() => timeWindow(w.table, "Ts", "5 minutes", "W"), /"5 minutes" is not an ISO-8601/);
    err(() => timeWindow(w.table, "Ts", "-PT1S", "W"), /negative/);
    err(() => timeWindow(w.table, "Ts", "PT1S", "N"), /already has a column "N"/);
    const [blink] = tablePublisher(g, { name: "b", columns: { Ts: "instant" } });
    err(() => timeWindow(blink, "Ts", "PT1S", "W"), /blink table.*blinkToAppendOnly/);
    const st = newTable([col("Ts", "instant", [1n])]);
    err(() => timeWindow(st, "Ts", "PT1S", "W"), /static/);
    // int64 nanoseconds work as timestamps.
    expect(timeWindow(w.table, "N", 5n, "W").columns.W).toBe("bool");
  });

  it("works in a family spec over the source of a writer family", async () => {
    const clock = manualClock(BASE);
    const g = new UpdateGraph({ clock: clock.now });
    const fam = buildFamily(
      normalizeSpec({
        columns: { Ts: "instant", X: "int32" },
        source: "writer",
        derived: {
          w: 'timeWindow(source, "Ts", "PT5M", "InWindow").where("InWindow")',
          n: 'timeWindow(source, "Ts", "PT5M", "InWindow").countBy("N", "InWindow")',
        },
      }),
      g,
    );
    fam.writer!.writeRow(ns(BASE - 60 * S), 1);
    fam.writer!.writeRow(ns(BASE), 2);
    await g.runCycle();
    expect(colValues(fam.views.get("w")!, "X")).toEqual([1, 2]);
    clock.advance(4 * 60 * S + 1);
    await g.runCycle();
    expect(colValues(fam.views.get("w")!, "X")).toEqual([2]);
    expect(fam.views.get("n")!.toRows()).toEqual([
      { InWindow: true, N: 1n },
      { InWindow: false, N: 1n },
    ]);
    expect(() =>
      buildFamily(
        normalizeSpec({
          columns: { Ts: "instant" },
          source: "writer",
          derived: { w: 'timeWindow(source, "Ts", "soon", "W")' },
        }),
        new UpdateGraph(),
      ),
    ).toThrow(/window must be an ISO-8601 duration/);
  });

  it("equals a recomputation over random add-only input and a clock that jumps both ways", () => {
    const step = fc.record({
      // Rows for writer a or b: a stamp offset (ms) from the clock, or null.
      rows: fc.array(
        fc.record({
          b: fc.boolean(),
          dt: fc.option(fc.integer({ min: -40, max: 10 }), { nil: null }),
        }),
        { maxLength: 5 },
      ),
      clock: fc.integer({ min: -30, max: 30 }),
    });
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 25 }),
        (steps, win) => {
          let now = BASE;
          const g = new UpdateGraph({ clock: () => now });
          const a = new DynamicTableWriter(g, { Ts: "instant" });
          const b = new DynamicTableWriter(g, { Ts: "instant" });
          const t = timeWindow(merge(a.table, b.table), "Ts", ns(win), "W");
          const rec = record(t);
          let seen = now; // the window's clock: the latest reading
          let before = t.toRows();
          let beforeKeys = t.rowSet.toArray();
          for (const st of steps) {
            for (const r of st.rows) (r.b ? b : a).writeRow(r.dt === null ? null : ns(now + r.dt));
            now += st.clock;
            seen = Math.max(seen, now);
            rec.updates.length = 0;
            g.runCycleSync();
            const rows = t.toRows();
            const want = rows.map((r) =>
              r.Ts === null ? null : (r.Ts as bigint) >= ns(seen - win),
            );
            expect(rows.map((r) => r.W)).toEqual(want);
            // Rows that were true and are false now are exactly the modified ones.
            const keys = t.rowSet.toArray();
            const wasTrue = new Set(
              before.flatMap((r, i) => (r.W === true ? [beforeKeys[i]] : [])),
            );
            const flipped = keys.filter((k, i) => wasTrue.has(k) && rows[i]!.W === false);
            const u = rec.updates[0];
            expect(u?.modified ?? []).toEqual(flipped);
            expect(g.nextChangeMs()).toBe(
              (() => {
                const live = rows.filter((r) => r.W === true).map((r) => r.Ts as bigint);
                if (live.length === 0) return null;
                // (bigints: Math.min does not apply)
                const min = live.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))[0]!;
                return Number((min + ns(win)) / 1_000_000n) + 1;
              })(),
            );
            before = rows;
            beforeKeys = keys;
          }
          expect(rec.failures).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });
});
