/**
 * naturalJoin, exactJoin and join over inputs of every table type on both sides: after every
 * random cycle the result equals the same join computed from scratch over static snapshots of
 * its inputs (or both fail), and its update is exact: removed/added/modified keys and
 * modifiedColumns account for every difference from the previous cycle's rows, and removed and
 * modified rows read, through the views, the values they held before the cycle.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Table, TableUpdate, Value } from "../../src/engine/index.ts";
import { tableFromRows, tablePublisher, UpdateGraph } from "../../src/engine/index.ts";
import type { Change, Kind, Row } from "./join-inputs.ts";
import { KINDS, makeInput } from "./join-inputs.ts";
import { nuggets as joinNuggets } from "./nuggets/join.nugget.ts";

interface JoinCase {
  readonly name: string;
  build(left: Table, right: Table): Table;
}

const CASES: readonly JoinCase[] = [
  {
    name: "naturalJoin firstMatch Sym",
    build: (l, r) => l.naturalJoin(r, "Sym", "RK = K, RV = V", { type: "firstMatch" }),
  },
  {
    name: "naturalJoin lastMatch Sym,K",
    build: (l, r) => l.naturalJoin(r, "Sym, K", "RV = V", { type: "lastMatch" }),
  },
  {
    name: "naturalJoin errorOnDuplicate K",
    build: (l, r) => l.naturalJoin(r, ["K"], ["RS = Sym", "RV = V"]),
  },
  { name: "exactJoin Sym", build: (l, r) => l.exactJoin(r, "Sym", "RV = V") },
  { name: "join Sym", build: (l, r) => l.join(r, "Sym", "RK = K, RV = V") },
  { name: "join Sym = Sym, K", build: (l, r) => l.join(r, "Sym, K", "RV = V") },
  { name: "join cross", build: (l, r) => l.join(r, "", "RS = Sym, RV = V") },
];

const rowArb: fc.Arbitrary<Row> = fc.record({
  Sym: fc.constantFrom("A", "B", "C", null),
  K: fc.constantFrom(0, 1, 2, null),
  V: fc.oneof(fc.constantFrom(null, Number.NaN), fc.integer({ min: -9, max: 9 })),
});
const changeArb: fc.Arbitrary<Change> = fc.record({
  add: fc.array(rowArb, { maxLength: 4 }),
  remove: fc.array(fc.nat(8), { maxLength: 2 }),
  modify: fc.array(
    fc.record({
      at: fc.nat(8),
      row: rowArb,
      cols: fc.subarray(["Sym", "K", "V"] as ("Sym" | "K" | "V")[], { minLength: 1 }),
    }),
    { maxLength: 2 },
  ),
});
const kindArb = fc.constantFrom(...KINDS);

function byKey(t: Table): Map<number, Record<string, Value>> {
  const rows = t.toRows();
  const out = new Map<number, Record<string, Value>>();
  t.rowSet.toArray().forEach((k, i) => {
    out.set(k, rows[i]!);
  });
  return out;
}

const same = (a: Value, b: Value) => Object.is(a, b) || a === b;

/** Checks `u` against the rows before (`before`) and after the cycle, inside the listener. */
function checkUpdate(t: Table, before: Map<number, Record<string, Value>>, u: TableUpdate): void {
  const after = byKey(t);
  for (const k of u.removed) {
    expect(before.has(k), `removed ${k} existed`).toBe(true);
    for (const n of t.columnNames)
      expect(same(t.column(n).getPrev(k), before.get(k)![n]!)).toBe(true);
  }
  for (const k of u.added)
    expect(before.has(k) && !u.removed.contains(k), `added ${k} is new`).toBe(false);
  for (const k of u.modified) {
    expect(before.has(k) && after.has(k), `modified ${k} stays`).toBe(true);
    for (const n of t.columnNames) {
      expect(same(t.column(n).getPrev(k), before.get(k)![n]!), `prev ${n}@${k}`).toBe(true);
      if (!u.modifiedColumns.includes(n))
        expect(
          same(after.get(k)![n]!, before.get(k)![n]!),
          `${n}@${k} changed but not listed`,
        ).toBe(true);
    }
  }
  for (const [k, row] of before) {
    if (u.removed.contains(k) || u.modified.contains(k)) continue;
    expect(after.has(k), `row ${k} vanished without removal`).toBe(true);
    for (const n of t.columnNames)
      expect(same(after.get(k)![n]!, row[n]!), `${n}@${k} changed without modification`).toBe(true);
  }
  const expectedKeys = [...before.keys()]
    .filter((k) => !u.removed.contains(k))
    .concat(u.added.toArray());
  expect(after.size).toBe(expectedKeys.length);
}

function rowsOf(t: Table): Record<string, Value>[] {
  return t.toRows();
}

async function run(
  c: JoinCase,
  kinds: [Kind, Kind],
  initial: [Row[], Row[]],
  cycles: [Change, Change][],
): Promise<void> {
  const g = new UpdateGraph({ seed: 1 });
  const left = makeInput(g, kinds[0], initial[0], "left");
  const right = makeInput(g, kinds[1], initial[1], "right");
  let result: Table;
  try {
    result = c.build(left.table, right.table);
  } catch (e) {
    expect(() => c.build(left.table.snapshot(), right.table.snapshot())).toThrow(
      (e as Error).message,
    );
    return;
  }
  expect(result.isBlink).toBe(left.table.isBlink);
  let before = byKey(result);
  let problem: unknown = null;
  result.listen(
    (u) => {
      try {
        checkUpdate(result, before, u);
      } catch (e) {
        problem ??= e;
      }
    },
    () => {},
  );
  for (const [lc, rc] of [
    [
      { add: [], remove: [], modify: [] },
      { add: [], remove: [], modify: [] },
    ] as [Change, Change],
    ...cycles,
  ]) {
    left.apply(lc);
    right.apply(rc);
    await g.runCycle();
    if (problem) throw problem;
    let expected: Table | null = null;
    let error: unknown = null;
    try {
      expected = c.build(left.table.snapshot(), right.table.snapshot());
    } catch (e) {
      error = e;
    }
    if (error) {
      expect(result.isFailed, `should fail: ${(error as Error).message}`).toBe(true);
      return;
    }
    if (result.isFailed) throw result.failure;
    expect(rowsOf(result)).toEqual(rowsOf(expected!));
    before = byKey(result);
  }
}

describe("joins equal a recomputation after every cycle", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.tuple(kindArb, kindArb),
          fc.tuple(fc.array(rowArb, { maxLength: 5 }), fc.array(rowArb, { maxLength: 5 })),
          fc.array(fc.tuple(changeArb, changeArb), { minLength: 1, maxLength: 6 }),
          (kinds, initial, cycles) => run(c, kinds, initial, cycles),
        ),
        { numRuns: 150, seed: 12 },
      );
    }, 60_000);
  }
});

describe("the join nuggets of the recompute harness", () => {
  it("build over the harness schema, incrementally equal to their recomputation", async () => {
    const schema = {
      Sym: "string",
      K: "int32",
      Px: "float64",
      Size: "int64",
      Ts: "instant",
      Flag: "bool",
    } as const;
    const rows = (n: number, shift: number) =>
      Array.from({ length: n }, (_, i) => ({
        Sym: ["A", "B", null][(i + shift) % 3]!,
        K: (i * shift) % 2,
        Px: i + 0.5,
        Size: BigInt(i),
        Ts: BigInt(1000 + i),
        Flag: i % 2 === 0,
      }));
    for (const nugget of joinNuggets) {
      const g = new UpdateGraph();
      const [blink, pub] = tablePublisher(g, { name: "b", columns: schema });
      const right = tableFromRows(schema, rows(4, 1));
      const result = nugget.build([blink, right]);
      for (const n of [3, 5, 0]) {
        pub.addRows(rows(n, 2));
        await g.runCycle();
        expect(result.toRows(), nugget.name).toEqual(
          nugget.build([blink.snapshot(), right]).toRows(),
        );
      }
    }
  });
});
