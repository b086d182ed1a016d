/**
 * merge reads its inputs' columns through views (no copies): after every random cycle the result
 * holds exactly its inputs' rows (current values) and its update's removed and modified rows
 * read, through the views, the values they held before the cycle.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Table, Value } from "../../src/engine/index.ts";
import { merge, ringTable, tablePublisher, UpdateGraph } from "../../src/engine/index.ts";

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
