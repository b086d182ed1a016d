/**
 * Aggregations over blink parents save their state to the graph's state store and resume from
 * it after a restart (the blink parent has no history to rebuild from).
 */
import { describe, expect, it } from "vitest";
import { agg } from "../../../src/engine/agg/index.ts";
import { asPagedColumn, PAGE_SIZE } from "../../../src/engine/column.ts";
import type { Table } from "../../../src/engine/index.ts";
import {
  DynamicTableWriter,
  ringTable,
  tablePublisher,
  UpdateGraph,
} from "../../../src/engine/index.ts";
import { SqlStateStore } from "../../../src/engine/persist/state-store.ts";
import { memoryDb, nodePort } from "../../contracts/sqlite-node.ts";

const COLUMNS = {
  K: "string",
  G: "int64",
  I: "int32",
  J: "int32",
  L: "int64",
  D: "float64",
  S: "string",
};
const SPECS = [
  agg.sum("SumI = I", "SumJ = J", "SumL = L", "SumD = D"),
  agg.count("N"),
  agg.avg("AvgI = I", "AvgJ = J", "AvgD = D"),
  agg.std("StdI = I", "StdJ = J", "StdD = D"),
  agg.min("MinI = I", "MinL = L", "MinS = S"),
  agg.max("MaxD = D", "MaxS = S"),
  agg.first("FirstS = S", "FirstL = L"),
  agg.last("LastI = I", "LastD = D"),
  agg.median("MedI = I", "MedS = S"),
  agg.countDistinct("CdS = S", "CdD = D"),
];

function build(g: UpdateGraph) {
  const [blink, pub] = tablePublisher(g, { name: "p", columns: COLUMNS });
  const tables: Table[] = [
    blink.aggBy(SPECS, "K", "G"),
    blink.aggBy(SPECS),
    ringTable(blink, 3).aggBy(SPECS, "K"), // slots saved; state rebuilt from the ring's saved rows
  ];
  return { pub, tables };
}

function batch(c: number) {
  return Array.from({ length: 4 }, (_, i) => ({
    K: ["a", "b", null][(c + i) % 3],
    G: i % 2 ? 2n ** 60n : null,
    I: c * 10 + i,
    // Null in every row of key "a" (its integer sums are null), and in some of the others'.
    J: (c + i) % 3 === 0 || (c === 3 && i === 1) ? null : c - 2 * i,
    L: BigInt(c) * 2n ** 58n,
    D: i === 3 && c === 2 ? Number.NaN : c + i / 4,
    S: ["x", "y", null, "z"][(c * i) % 4],
  }));
}

/** Smallest of bigints (Math.min does not take bigints). */
function minBig(xs: bigint[]): bigint {
  let m = xs[0]!;
  for (const x of xs) if (x < m) m = x;
  return m;
}

describe("aggregation state persistence", () => {
  it("an aggregation over a blink table resumes exactly after a restart", async () => {
    const db = memoryDb();
    const open = () => {
      const store = new SqlStateStore(nodePort(db));
      const g = new UpdateGraph({ store });
      return { store, g, ...build(g) };
    };
    const reference = build(new UpdateGraph()); // never restarts
    const refGraph = reference.tables[0]!.graph!;
    let live = open();
    live.store.saveAll();
    for (let c = 0; c < 6; c++) {
      for (const side of [reference, live]) side.pub.addRows(batch(c));
      await refGraph.runCycle();
      await live.g.runCycle();
      if (c % 2 === 1) live = open(); // restart: everything in memory is lost
      reference.tables.forEach((t, i) => {
        expect(live.tables[i]!.toRows(), `cycle ${c}, table ${i}`).toEqual(t.toRows());
      });
    }
    expect(live.tables[0]!.size).toBe(6);
    expect(live.tables[2]!.rowSet.toArray()).toEqual(reference.tables[2]!.rowSet.toArray());
  });

  for (const withMedian of [false, true]) {
    const title = withMedian
      ? "a median over append-only history is re-aggregated from the restored history"
      : "an aggregation over append-only history resumes from its own state, without reading the history back";
    it(title, async () => {
      const db = memoryDb();
      const rows = 3 * PAGE_SIZE * 20; // 60 history pages: far more than stay in memory
      const specs = [
        agg.sum("Sum = X"),
        agg.first("First = X"),
        agg.last("Last = X"),
        agg.min("Lo = X"),
      ];
      if (withMedian) specs.push(agg.median("Med = X"));
      const open = () => {
        const store = new SqlStateStore(nodePort(db));
        const g = new UpdateGraph({ store });
        const w = new DynamicTableWriter(g, { K: "string", X: "int64" });
        return { store, g, w, stats: w.table.aggBy(specs, "K") };
      };
      let live = open();
      live.store.saveAll();
      const xsByKey = new Map<string, bigint[]>();
      for (let start = 0; start < rows; start += 40_000) {
        for (let i = start; i < Math.min(rows, start + 40_000); i++) {
          const k = `k${i % 7}`;
          const x = BigInt((i * 7919) % 100_003);
          live.w.writeRow(k, x);
          if (!xsByKey.has(k)) xsByKey.set(k, []);
          xsByKey.get(k)!.push(x);
        }
        await live.g.runCycle();
      }
      live = open(); // restart
      expect(live.w.table.size).toBe(rows);
      const want = [...xsByKey].map(([K, xs]) => {
        const row: Record<string, unknown> = {
          K,
          Sum: xs.reduce((a, b) => a + b, 0n),
          First: xs[0],
          Last: xs[xs.length - 1],
          Lo: minBig(xs),
        };
        if (withMedian) {
          const s = [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(Number);
          row.Med =
            s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
        }
        return row;
      });
      expect(live.stats.toRows()).toEqual(want);
      // Small per-group state restores without reading the history back.
      if (!withMedian) expect(asPagedColumn(live.w.table.column("X")).loadedPages().length).toBe(0);
      live.w.writeRow("k0", -5n);
      await live.g.runCycle();
      expect(live.stats.toRows()[0]).toMatchObject({
        K: "k0",
        Last: -5n,
        Lo: -5n,
        Sum: (want[0]!.Sum as bigint) - 5n,
      });
    });
  }

  it("partitionBy over a ring keeps its constituents in order across a restart", async () => {
    const db = memoryDb();
    const open = () => {
      const store = new SqlStateStore(nodePort(db));
      const g = new UpdateGraph({ store });
      const [blink, pub] = tablePublisher(g, { name: "p", columns: { K: "string", X: "int32" } });
      const pt = ringTable(blink, 2).partitionBy("K");
      return { store, g, pub, pt };
    };
    let live = open();
    live.store.saveAll();
    live.pub.addRows([
      { K: "a", X: 1 },
      { K: "b", X: 2 },
    ]);
    await live.g.runCycle();
    live.pub.addRows([
      { K: "c", X: 3 },
      { K: "b", X: 4 },
    ]);
    await live.g.runCycle(); // "a" has left the ring
    live = open();
    expect(live.pt.table.toRows()).toEqual([
      { K: "b", Constituent: 1 },
      { K: "c", Constituent: 2 },
    ]);
    expect(live.pt.constituents.map((t) => t.size)).toEqual([0, 1, 1]);
    live.pub.addRows([{ K: "a", X: 5 }]);
    await live.g.runCycle();
    expect(live.pt.constituentFor("a")).toBe(live.pt.constituents[0]);
    expect(live.pt.constituentFor("a")!.toRows()).toEqual([{ K: "a", X: 5 }]);
  });
});
