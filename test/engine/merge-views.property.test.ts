/**
 * merge reads its inputs' columns through views (no copies): after every random cycle the result
 * holds exactly its inputs' rows (current values) and its update's removed and modified rows
 * read, through the views, the values they held before the cycle.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PAGE_SIZE } from "../../src/engine/column.ts";
import type { Table, Value } from "../../src/engine/index.ts";
import {
  emptyTable,
  intCol,
  merge,
  newTable,
  ringTable,
  stringCol,
  tablePublisher,
  UpdateGraph,
} from "../../src/engine/index.ts";

const COLUMNS = { K: "string", X: "int64", D: "float64" } as const;

const rowArb = fc.record({
  K: fc.constantFrom("a", "b", "c", "d"),
  X: fc.option(fc.bigInt({ min: -50n, max: 50n }), { nil: null }),
  D: fc.option(fc.double({ noNaN: true, min: -10, max: 10 }), { nil: null }),
});
const cyclesArb = fc.array(
  fc.record({
    left: fc.array(rowArb, { maxLength: 12 }),
    right: fc.array(rowArb, { maxLength: 12 }),
  }),
  { minLength: 1, maxLength: 8 },
);

/** Row key -> row, of the current rows. */
function byKey(t: Table): Map<number, Record<string, Value>> {
  const rows = t.toRows();
  const out = new Map<number, Record<string, Value>>();
  t.rowSet.toArray().forEach((k, i) => {
    out.set(k, rows[i]!);
  });
  return out;
}

function prevRow(t: Table, key: number): Record<string, Value> {
  const row: Record<string, Value> = {};
  for (const n of t.columnNames) row[n] = t.column(n).getPrev(key);
  return row;
}

describe("merge over views", () => {
  it("a static merge of inputs with sparse keys reads them through a redirection, keyed 0..n-1", () => {
    const dense = newTable([intCol("X", [1, null]), stringCol("S", ["a", "b"])]);
    const sparse = emptyTable(10_000)
      .update("X = i", "S = `s` + i")
      .where("X % 4097 == 3 || X == 9999");
    const m = merge(sparse, emptyTable(0).update("X = i", "S = `e`"), dense, sparse);
    expect(m.isRefreshing).toBe(false);
    expect(m.rowSet.toArray()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const want = [
      { X: 3, S: "s3" },
      { X: 4100, S: "s4100" },
      { X: 8197, S: "s8197" },
      { X: 9999, S: "s9999" },
      { X: 1, S: "a" },
      { X: null, S: "b" },
      { X: 3, S: "s3" },
      { X: 4100, S: "s4100" },
      { X: 8197, S: "s8197" },
      { X: 9999, S: "s9999" },
    ];
    expect(m.toRows()).toEqual(want);
    expect(m.toArrow().getChild("X")?.toArray()).toEqual(
      Int32Array.from(want.map((r) => r.X ?? 0)),
    );
    expect(m.where("X > 4000").toRows()).toEqual(want.filter((r) => r.X !== null && r.X > 4000));
    // The redirection (one float64 page) is the only memory the merge holds, counted once (in
    // its first column); dense inputs need none.
    expect([m.column("X").heapBytes, m.column("S").heapBytes]).toEqual([PAGE_SIZE * 8, 0]);
    expect(merge(dense, dense).column("S").heapBytes).toBe(0);
  });

  it("reads previous values of removed and modified rows and current values of every row", async () => {
    await fc.assert(
      fc.asyncProperty(cyclesArb, fc.integer({ min: 1, max: 6 }), async (cycles, cap) => {
        const g = new UpdateGraph({ seed: 1 });
        const [left, pubL] = tablePublisher(g, { name: "l", columns: COLUMNS });
        const [right, pubR] = tablePublisher(g, { name: "r", columns: COLUMNS });
        // Inputs with removals (a ring), modifications and removals (lastBy over a ring), and blink.
        const inputs = [ringTable(left, cap), ringTable(right, cap).lastBy("K"), right];
        const m = merge(inputs);
        let before = byKey(m);
        const problems: string[] = [];
        m.listen((u) => {
          for (const k of [...u.removed.toArray(), ...u.modified.toArray()]) {
            const want = before.get(k);
            const got = prevRow(m, k);
            if (JSON.stringify(got, big) !== JSON.stringify(want, big))
              problems.push(
                `prev of ${k}: ${JSON.stringify(got, big)} != ${JSON.stringify(want, big)}`,
              );
          }
        });
        for (const c of cycles) {
          pubL.addRows(c.left);
          pubR.addRows(c.right);
          await g.runCycle();
          expect(problems).toEqual([]);
          expect(m.toRows()).toEqual(inputs.flatMap((t) => t.toRows()));
          before = byKey(m);
        }
      }),
      { numRuns: 40 },
    );
  }, 60_000);
});

function big(_k: string, v: unknown): unknown {
  return typeof v === "bigint" ? `${v}n` : v;
}
