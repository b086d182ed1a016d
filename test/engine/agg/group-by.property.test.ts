/**
 * Property test for groupBy / agg.group: after any sequence of cycles, the incremental result
 * equals a recomputation from the rows the parent holds (ring, append-only history, the current
 * cycle after removeBlink, a modifying lastBy, an add-only merge whose rows land at any key), and
 * every update it emitted matches its contents (cells change identity exactly when they change).
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { agg } from "../../../src/engine/agg/index.ts";
import type { Table } from "../../../src/engine/index.ts";
import {
  blinkToAppendOnly,
  merge,
  ringTable,
  tablePublisher,
  UpdateGraph,
} from "../../../src/engine/index.ts";
import type { Row } from "./reference.ts";
import { byKey, expectRowsClose, extendOrder, groupRows, watchUpdates } from "./reference.ts";

const COLUMNS = { K: "string", K2: "int32", Id: "int32", L: "int64", D: "float64", S: "string" };
const VALUES = ["L", "D", "S"];

const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 5 });

const rowArb: fc.Arbitrary<Row> = fc.record({
  K: opt(fc.constantFrom("a", "b", "c")),
  K2: opt(fc.integer({ min: 0, max: 1 })),
  Id: fc.integer({ min: 0, max: 5 }),
  L: opt(fc.constantFrom(0n, 7n, 2n ** 60n, -3n)),
  D: opt(fc.constantFrom(0, -0.5, 2, Number.NaN)),
  S: opt(fc.constantFrom("x", "y", "z")),
});

const batchesArb = fc.array(fc.array(rowArb, { maxLength: 20 }), { minLength: 1, maxLength: 10 });

const KEY_SETS: string[][] = [[], ["K"], ["K", "K2"]];

/**
 * Expected groupBy result over `rows` (in row-key order): per key tuple, in `order` (first
 * appearance) or first appearance within `rows`, every column of `cols` as an array.
 */
function expected(
  rows: readonly Row[],
  keys: readonly string[],
  cols: readonly { out: string; in: string }[],
  order: readonly string[] | null,
): Row[] {
  return groupRows(rows, keys, order, (out, g) => {
    for (const c of cols) out[c.out] = g.map((r) => r[c.in] ?? null);
  });
}

/** Rows compared with array cells element by element (NaN equals NaN). */
function expectSame(actual: Row[], wanted: Row[], context: string): void {
  const flat = (rows: Row[]) =>
    rows.map((r) =>
      Object.fromEntries(
        Object.entries(r).map(([c, v]) => [
          c,
          Array.isArray(v)
            ? JSON.stringify(v, (_k, x) =>
                typeof x === "bigint" ? `${x}n` : Number.isNaN(x) ? "NaN" : x,
              )
            : v,
        ]),
      ),
    );
  expectRowsClose(flat(actual), flat(wanted), context);
}

async function runScenario(batches: Row[][], keys: string[], cap: number): Promise<void> {
  const g = new UpdateGraph({ seed: 1 });
  const [blink, pub] = tablePublisher(g, { name: "p", columns: COLUMNS });
  const ring = ringTable(blink, cap);
  const history = blinkToAppendOnly(blink);
  const lastById = ring.lastBy("Id");
  // An add-only parent whose rows arrive at any key: each half owns a key slice of the merge.
  const both = merge(history.where("Id < 3"), history.where("Id >= 3"));
  const view = (t: Table) => t.view(...keys, ...VALUES);
  const specs = [agg.group("Ls = L", "Ds = D", "Ss = S"), agg.count("N")];
  const results = {
    ring: view(ring).groupBy(keys),
    ringAgg: ring.aggBy(specs, keys),
    appendOnly: view(history).groupBy(keys),
    appendOnlyAgg: history.aggBy(specs, keys),
    removeBlink: view(blink.removeBlink()).groupBy(keys),
    modified: view(lastById).aggBy(specs, keys),
    addOnly: view(both).groupBy(keys),
  };
  const watchers = Object.values(results).map((t) => watchUpdates(t, keys));
  const plain = VALUES.map((c) => ({ out: c, in: c }));
  const renamed = VALUES.map((c) => ({ out: `${c}s`, in: c }));
  const withCount = (rows: Row[]) =>
    rows.map((r) => ({ ...r, N: BigInt(r.Ls ? (r.Ls as unknown[]).length : 0) }));
  const all: Row[] = [];
  let ringRows: Row[] = [];
  const orderAll: string[] = [];
  const orderRing: string[] = [];
  const orderMerged: string[] = [];
  const low = (r: Row) => (r.Id as number) < 3;
  for (const [c, batch] of batches.entries()) {
    pub.addRows(batch);
    await g.runCycle();
    const entered = batch.slice(Math.max(0, batch.length - cap));
    all.push(...batch);
    ringRows = [...ringRows, ...entered].slice(-cap);
    extendOrder(orderAll, batch, keys);
    extendOrder(orderRing, entered, keys);
    const ctx = (name: string) => `cycle ${c}, keys [${keys}], ${name}`;
    expectSame(results.ring.toRows(), expected(ringRows, keys, plain, orderRing), ctx("ring"));
    expectSame(
      results.ringAgg.toRows(),
      withCount(expected(ringRows, keys, renamed, orderRing)),
      ctx("ring aggBy"),
    );
    expectSame(results.appendOnly.toRows(), expected(all, keys, plain, orderAll), ctx("history"));
    expectSame(
      results.appendOnlyAgg.toRows(),
      withCount(expected(all, keys, renamed, orderAll)),
      ctx("history aggBy"),
    );
    expectSame(
      results.removeBlink.toRows(),
      expected(batch, keys, plain, orderAll),
      ctx("removeBlink"),
    );
    // The merge's keys hold the rows with Id < 3 first, then the others, each in arrival
    // order; a cycle's rows are aggregated in key order, so groups appear lows first.
    const merged = [...all.filter(low), ...all.filter((r) => !low(r))];
    extendOrder(orderMerged, [...batch.filter(low), ...batch.filter((r) => !low(r))], keys);
    expectSame(
      results.addOnly.toRows(),
      expected(merged, keys, plain, orderMerged),
      ctx("add-only"),
    );
    // Over lastBy("Id"), whose rows are modified (keys included) and removed: a group's array
    // follows lastBy's row-key order; groups compared in key order.
    expectSame(
      byKey(results.modified.toRows(), keys),
      byKey(withCount(expected(lastById.toRows(), keys, renamed, null)), keys),
      ctx("over lastBy"),
    );
    for (const w of watchers) w.check();
  }
}

describe("groupBy equals a recomputation from scratch", () => {
  for (const keys of KEY_SETS) {
    it(`keys [${keys.join(", ")}]`, async () => {
      await fc.assert(
        fc.asyncProperty(batchesArb, fc.integer({ min: 1, max: 30 }), async (batches, cap) => {
          await runScenario(batches, keys, cap);
        }),
        { numRuns: 50 },
      );
    });
  }
});
