/**
 * head / tail over a refreshing sort (src/engine/ops/top-n.ts), cycle by cycle: exact rows and
 * updates when removals exhaust the reserve (a refill from the parent), ties at the window's
 * boundary (broken by parent key, reversed for a tail), a mover that keeps its key, the sort
 * under it dormant until read and then exact, and a wake in the middle of a cycle; a family's
 * `last.sortDescending("Price").head(10)` view takes this path and restores to the same rows in
 * the same order (FamilyHost over node:sqlite); and over a 2,000-row ring fed hundreds of rows a
 * cycle, heads and tails equal a static sort then head / tail after every cycle.
 */
import { describe, expect, it } from "vitest";
import { FamilyHost } from "../../src/durable/host.ts";
import type { Table } from "../../src/engine/index.ts";
import {
  mirrorTable,
  RowSet,
  ringTable,
  tablePublisher,
  UpdateGraph,
} from "../../src/engine/index.ts";
import { vecFromValues } from "../../src/engine/new-table.ts";
import { isWindowOverSort } from "../../src/engine/ops/top-n.ts";
import { nodeOf } from "../../src/engine/table-core.ts";
import { memoryDb, nodePort, nodeTransaction } from "../contracts/sqlite-node.ts";
import { colValues, record } from "./helpers.ts";

const SCHEMA = { Id: "int32", Px: "float64" } as const;

/** A mirror source with rows Id = key; `set` stages rows (key -> Px), `drop` removals. */
function source(initial: [number, number | null][]) {
  const g = new UpdateGraph({ seed: 1 });
  const m = mirrorTable(g, SCHEMA);
  const rows = (entries: [number, number | null][]) => {
    const sorted = [...entries].sort((a, b) => a[0] - b[0]);
    return {
      keys: RowSet.fromKeys(sorted.map((e) => e[0])),
      vecs: [
        vecFromValues(
          "int32",
          sorted.map((e) => e[0]),
          "Id",
        ),
        vecFromValues(
          "float64",
          sorted.map((e) => e[1]),
          "Px",
        ),
      ],
    };
  };
  m.reset(rows(initial));
  const cycle = async (
    change: {
      remove?: number[];
      add?: [number, number | null][];
      modify?: [number, number][];
    } = {},
  ) => {
    m.delta(
      RowSet.fromKeys(change.remove ?? []),
      rows(change.add ?? []),
      rows(change.modify ?? []),
      ["Px"],
    );
    await g.runCycle();
  };
  return { g, m, cycle };
}

/** Rows Id = 0..n-1 with Px = Id. */
function ramp(n: number): [number, number][] {
  return Array.from({ length: n }, (_, i) => [i, i]);
}

describe("head and tail over a refreshing sort", () => {
  it("refills from the parent when removals exhaust the reserve, with exact updates", async () => {
    const { g, m, cycle } = source(ramp(200));
    await g.runCycle();
    const sorted = m.table.sortDescending("Px");
    const top = sorted.head(3);
    expect(colValues(top, "Id")).toEqual([199, 198, 197]);
    const keys = top.rowSet.toArray();
    const rec = record(top);
    // The buffer holds 3 + 64 rows (199..133): removing 199..134 leaves one, so the head is
    // refilled from the parent by one read.
    await cycle({ remove: Array.from({ length: 66 }, (_, i) => 199 - i) });
    expect(colValues(top, "Id")).toEqual([133, 132, 131]);
    // No row stayed, so the window is spread again: the same three keys, now other rows (each a
    // modification of every column, as a key one row left and another took).
    expect(top.rowSet.toArray()).toEqual(keys);
    expect(rec.updates).toEqual([
      { added: [], removed: [], modified: keys, modifiedColumns: ["Id", "Px"] },
    ]);
    // Removing every row below the window changes nothing in it: no update.
    await cycle({ remove: Array.from({ length: 131 }, (_, i) => i) });
    expect(rec.updates.length).toBe(1);
    expect(colValues(top, "Id")).toEqual([133, 132, 131]);
    // The sort under the head was never read: it kept no order.
    expect(nodeOf(sorted).isDormant).toBe(true);
  });

  it("breaks ties at the boundary by parent key, reversed for a tail", async () => {
    // Px 5 at keys 10, 20, 30, 40; the rest lower.
    const { g, m, cycle } = source([
      [10, 5],
      [20, 5],
      [30, 5],
      [40, 5],
      [50, 1],
      [60, 2],
    ]);
    await g.runCycle();
    const head = m.table.sortDescending("Px").head(2);
    const tail = m.table.sort("Px").tail(2);
    expect(colValues(head, "Id")).toEqual([10, 20]);
    expect(colValues(tail, "Id")).toEqual([30, 40]);
    const h = record(head);
    const t = record(tail);
    const headKeys = head.rowSet.toArray();
    const tailKeys = tail.rowSet.toArray();
    // A new tie after the others (key 70) is last among them: the tail's end, not the head.
    await cycle({ add: [[70, 5]] });
    expect(h.updates).toEqual([]);
    expect(colValues(tail, "Id")).toEqual([40, 70]);
    expect(t.updates.length).toBe(1);
    expect(t.updates[0]!.removed).toEqual([tailKeys[0]]);
    expect(t.updates[0]!.added).toEqual([tail.rowSet.toArray()[1]]);
    expect(tail.rowSet.toArray()[1]).toBeGreaterThan(tailKeys[1]!);
    // A new tie before the others (key 5) is first among them: the head's top, not the tail.
    await cycle({ add: [[5, 5]] });
    expect(colValues(head, "Id")).toEqual([5, 10]);
    expect(h.updates).toEqual([
      {
        added: [head.rowSet.toArray()[0]],
        removed: [headKeys[1]],
        modified: [],
        modifiedColumns: [],
      },
    ]);
    expect(head.rowSet.toArray()[0]).toBeLessThan(headKeys[0]!);
    expect(t.updates.length).toBe(1);
    // Removing the tie at the head's boundary brings in the next tie by key, which takes the key
    // right after 5's: the key 10 held, so a modification of that key, in Id only (both Px 5).
    await cycle({ remove: [10] });
    expect(colValues(head, "Id")).toEqual([5, 20]);
    expect(head.rowSet.toArray()[1]).toBe(headKeys[0]);
    expect(h.updates[1]).toEqual({
      added: [],
      removed: [],
      modified: [headKeys[0]],
      modifiedColumns: ["Id"],
    });
  });

  it("keeps a mover's key while it stays between its neighbours; other movers re-enter", async () => {
    const { g, m, cycle } = source(ramp(10));
    await g.runCycle();
    const top = m.table.sortDescending("Px").head(3);
    const keys = top.rowSet.toArray();
    const rec = record(top);
    await cycle({ modify: [[8, 8.5]] });
    expect(colValues(top, "Px")).toEqual([9, 8.5, 7]);
    expect(rec.updates[0]).toEqual({
      added: [],
      removed: [],
      modified: [keys[1]],
      modifiedColumns: ["Px"],
    });
    // 7 moves above 9: a new key before it; 9 and 8 keep theirs.
    await cycle({ modify: [[7, 20]] });
    expect(colValues(top, "Id")).toEqual([7, 9, 8]);
    const now = top.rowSet.toArray();
    expect(now.slice(1)).toEqual(keys.slice(0, 2));
    expect(rec.updates[1]).toEqual({
      added: [now[0]],
      removed: [keys[2]],
      modified: [],
      modifiedColumns: [],
    });
    // 9 drops out of the window (a row from below takes its place at the end).
    await cycle({ modify: [[9, -1]] });
    expect(colValues(top, "Id")).toEqual([7, 8, 6]);
  });

  it("reports a key another row took as modified in the columns that differ, or not at all", async () => {
    // The window is spread again when no row stays, so a new row takes the key the old one held.
    const g = new UpdateGraph({ seed: 1 });
    const m = mirrorTable(g, { Sym: "string", Px: "float64" });
    const rows = (key: number, sym: string, px: number) => ({
      keys: RowSet.fromKeys([key]),
      vecs: [vecFromValues("string", [sym], "Sym"), vecFromValues("float64", [px], "Px")],
    });
    const none = {
      keys: RowSet.EMPTY,
      vecs: [vecFromValues("string", [], "Sym"), vecFromValues("float64", [], "Px")],
    };
    m.reset(rows(0, "a", 5));
    await g.runCycle();
    const tail = m.table.sort("Px").tail(3);
    const key = tail.rowSet.toArray();
    const rec = record(tail);
    // Row 0 replaced by row 1 holding the same values: the window did not change.
    m.delta(RowSet.fromKeys([0]), rows(1, "a", 5), none, []);
    await g.runCycle();
    expect(tail.rowSet.toArray()).toEqual(key);
    expect(rec.updates).toEqual([]);
    // Row 1 replaced by row 2 with another Sym and the same Px: only Sym changed.
    m.delta(RowSet.fromKeys([1]), rows(2, "b", 5), none, []);
    await g.runCycle();
    expect(colValues(tail, "Sym")).toEqual(["b"]);
    expect(rec.updates).toEqual([
      { added: [], removed: [], modified: key, modifiedColumns: ["Sym"] },
    ]);
    // And by row 3 differing in both columns.
    m.delta(RowSet.fromKeys([2]), rows(3, "c", 6), none, []);
    await g.runCycle();
    expect(rec.updates[1]).toEqual({
      added: [],
      removed: [],
      modified: key,
      modifiedColumns: ["Sym", "Px"],
    });
  });

  it("leaves the sort dormant until read; then it is exact and stays live", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const [blink, pub] = tablePublisher(g, { name: "p", columns: { X: "int32" } });
    const ring = ringTable(blink, 5);
    const sorted = ring.sort("X");
    const low = sorted.head(2);
    const feed = async (xs: number[]) => {
      pub.addRows(xs.map((X) => ({ X })));
      await g.runCycle();
    };
    await feed([5, 3, 9]);
    await feed([1, 7, 2]);
    expect(nodeOf(sorted).isDormant).toBe(true);
    expect(colValues(low, "X")).toEqual([1, 2]);
    // First read: the order built from the ring's rows now.
    expect(colValues(sorted, "X")).toEqual([1, 2, 3, 7, 9]);
    expect(nodeOf(sorted).isDormant).toBe(false);
    const rec = record(sorted);
    await feed([0, 8]);
    expect(colValues(sorted, "X")).toEqual([0, 1, 2, 7, 8]);
    expect(colValues(low, "X")).toEqual([0, 1]);
    expect(rec.updates.length).toBe(1);
  });

  it("wakes the sort inside a cycle after its parent changed without applying that change twice", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const [blink, pub] = tablePublisher(g, { name: "p", columns: { X: "int32" } });
    const ring = ringTable(blink, 4);
    const sorted = ring.sortDescending("X");
    sorted.head(1);
    let seen: unknown[] = [];
    // A listener of the ring reads the sort during the cycle's notifications.
    const stop = ring.listen(() => {
      seen = colValues(sorted, "X");
    });
    pub.addRows([{ X: 4 }, { X: 6 }]);
    await g.runCycle();
    pub.addRows([{ X: 5 }, { X: 1 }, { X: 9 }]);
    await g.runCycle();
    expect(seen).toEqual([9, 6, 5, 1]);
    stop();
    pub.addRows([{ X: 7 }]);
    await g.runCycle();
    expect(colValues(sorted, "X")).toEqual([9, 7, 5, 1]);
  });
});

describe("a family view that is a head over a sort", () => {
  const SPEC = {
    columns: { Sym: "string", Price: "float64" },
    derived: {
      last: 'source.lastBy("Sym")',
      top: 'last.sortDescending("Price").head(10)',
      ring: "ringTable(source, 30)",
      low: 'ring.sort("Price").tail(3)',
    },
  };

  /** The rows a static sort then head / tail gives over `t`'s rows now. */
  function expected(t: Table, by: "desc" | "asc", n: number, fromEnd: boolean) {
    const snap = t.snapshot();
    const sorted = by === "desc" ? snap.sortDescending("Price") : snap.sort("Price");
    return (fromEnd ? sorted.tail(n) : sorted.head(n)).toRows();
  }

  it("is computed from the sort's parent and restores to the same rows in the same order", () => {
    const db = memoryDb();
    const make = () => new FamilyHost(nodePort(db), { transaction: nodeTransaction(db) });
    let host = make();
    host.create("t", SPEC);
    expect(isWindowOverSort(host.view("top"))).toBe(true);
    expect(isWindowOverSort(host.view("low"))).toBe(true);
    let price = 7;
    const publish = (cycles: number) => {
      for (let c = 0; c < cycles; c++) {
        const rows = Array.from({ length: 9 }, (_, i) => {
          price = (price * 31 + 17) % 101;
          return { Sym: `S${(price * 7 + i) % 23}`, Price: price % 13 === 0 ? null : price / 4 };
        });
        host.publish({ rows });
        host.runCycle();
      }
    };
    publish(6);
    const top = host.view("top").toRows();
    const low = host.view("low").toRows();
    expect(top.length).toBe(10);
    expect(top).toEqual(expected(host.view("last"), "desc", 10, false));
    expect(low).toEqual(expected(host.view("ring"), "asc", 3, true));
    host = make(); // restart from storage
    expect(isWindowOverSort(host.view("top"))).toBe(true);
    expect(host.view("top").toRows()).toEqual(top);
    expect(host.view("low").toRows()).toEqual(low);
    publish(4);
    expect(host.view("top").toRows()).toEqual(expected(host.view("last"), "desc", 10, false));
    expect(host.view("low").toRows()).toEqual(expected(host.view("ring"), "asc", 3, true));
  });
});

describe("head and tail over a sorted ring at scale", () => {
  /** Px values with ties, nulls and NaN, rising slowly when `trend` (new rows beat old ones). */
  function batch(next: () => number, size: number, cycle: number, trend: boolean) {
    return Array.from({ length: size }, () => {
      const r = next();
      if (r < 0.03) return { Px: null };
      if (r < 0.05) return { Px: Number.NaN };
      const v = Math.floor(next() * 50) / 2;
      return { Px: trend ? v + cycle * 10 : v };
    });
  }

  for (const trend of [false, true]) {
    it(`equals a static sort then head / tail every cycle (${trend ? "rising" : "random"} values, batches above the comparison-sort size)`, async () => {
      let seed = trend ? 7 : 3;
      const next = () => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed / 2147483648;
      };
      const g = new UpdateGraph({ seed: 1 });
      const [blink, pub] = tablePublisher(g, { name: "p", columns: { Px: "float64" } });
      const ring = ringTable(blink, 2000);
      const views = [
        {
          t: ring.sortDescending("Px").head(100),
          want: (s: Table) => s.sortDescending("Px").head(100),
        },
        { t: ring.sort("Px").tail(40), want: (s: Table) => s.sort("Px").tail(40) },
        { t: ring.sort("Px").head(1), want: (s: Table) => s.sort("Px").head(1) },
      ];
      for (const v of views) expect(isWindowOverSort(v.t)).toBe(true);
      for (let c = 0; c < 40; c++) {
        pub.addRows(batch(next, 150 + Math.floor(next() * 300), c, trend));
        await g.runCycle();
        const snap = ring.snapshot();
        for (const v of views) expect(v.t.toRows(), `cycle ${c}`).toEqual(v.want(snap).toRows());
      }
    });
  }
});
