/**
 * whereIn / whereNotIn against a recomputation: random left and right tables of every type,
 * random cycles of adds, removes and modifications on both sides; after every cycle the result
 * holds exactly the left rows (same keys, same values) whose match values are (are not) among the
 * right's current rows, and the updates it emitted rebuild it exactly.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DynamicTableWriter,
  type Mirror,
  mirrorTable,
  newTable,
  RowSet,
  ringTable,
  type Table,
  tablePublisher,
  UpdateGraph,
  type Value,
} from "../../src/engine/index.ts";
import { col, vecFromValues } from "../../src/engine/new-table.ts";
import type { ColumnType } from "../../src/engine/types.ts";

type Kind = "static" | "blink" | "appendOnly" | "ring" | "standard";
type Row = Record<string, Value>;

const LEFT: Record<string, ColumnType> = { Sym: "string", K: "int32", Px: "float64" };
const RIGHT: Record<string, ColumnType> = { Sym: "string", K: "int32" };

const rowArb = fc.record({
  Sym: fc.constantFrom("a", "b", "c", null),
  K: fc.constantFrom(0, 1, null),
  Px: fc.constantFrom(1, 2.5, Number.NaN, null),
});
type GenRow = { Sym: string | null; K: number | null; Px: number | null };

const cycleArb: fc.Arbitrary<GenCycle> = fc.record({
  adds: fc.array(rowArb, { maxLength: 5 }),
  removes: fc.array(fc.nat(), { maxLength: 3 }),
  modifies: fc.array(
    fc.record({ sel: fc.nat(), row: rowArb, cols: fc.subarray(["Sym", "K", "Px"]) }),
    { maxLength: 3 },
  ),
});
interface GenCycle {
  adds: GenRow[];
  removes: number[];
  modifies: { sel: number; row: GenRow; cols: string[] }[];
}

/** One live input of `kind` with `schema` (a subset of the generated row's columns). */
class Input {
  readonly table: Table;
  readonly #apply: (c: GenCycle) => void;

  constructor(g: UpdateGraph, kind: Kind, schema: Record<string, ColumnType>, initial: GenRow[]) {
    const names = Object.keys(schema);
    const pick = (r: GenRow) => Object.fromEntries(names.map((n) => [n, r[n as keyof GenRow]]));
    if (kind === "static") {
      this.table = newTable(
        names.map((n) =>
          col(
            n,
            schema[n]!,
            initial.map((r) => r[n as keyof GenRow]),
          ),
        ),
      );
      this.#apply = () => {};
    } else if (kind === "appendOnly") {
      const w = new DynamicTableWriter(g, schema);
      this.table = w.table;
      this.#apply = (c) => {
        for (const r of c.adds) w.writeRow(...names.map((n) => r[n as keyof GenRow]));
      };
      this.#apply({ adds: initial, removes: [], modifies: [] });
    } else if (kind === "blink" || kind === "ring") {
      const [t, pub] = tablePublisher(g, { name: "in", columns: schema });
      this.table = kind === "ring" ? ringTable(t, 3) : t;
      this.#apply = (c) => pub.addRows(c.adds.map(pick));
      this.#apply({ adds: initial, removes: [], modifies: [] });
    } else {
      const m = mirrorTable(g, schema);
      this.table = m.table;
      this.#apply = standardScript(m, schema);
      this.#apply({ adds: initial, removes: [], modifies: [] });
    }
  }

  apply(c: GenCycle): void {
    this.#apply(c);
  }
}

/** A standard table's cycle: removes and modifications of existing rows, adds at new keys. */
function standardScript(m: Mirror, schema: Record<string, ColumnType>): (c: GenCycle) => void {
  const names = Object.keys(schema);
  let next = 0;
  const keyed = (keys: number[], values: Row[]) => ({
    keys: RowSet.fromKeys(keys),
    vecs: names.map((n) =>
      vecFromValues(
        schema[n]!,
        values.map((v) => v[n]),
        n,
      ),
    ),
  });
  return (c) => {
    const current = m.table.rowSet.toArray();
    const rows = m.table.toRows();
    const removed = new Set<number>();
    for (const sel of c.removes)
      if (current.length > 0) removed.add(current[sel % current.length]!);
    const modified = new Map<number, Row>();
    const changed = new Set<string>();
    for (const mod of c.modifies) {
      if (current.length === 0) break;
      const i = mod.sel % current.length;
      const key = current[i]!;
      const cols = mod.cols.filter((n) => n in schema);
      if (removed.has(key) || modified.has(key) || cols.length === 0) continue;
      const row = { ...rows[i]! };
      for (const n of cols) row[n] = mod.row[n as keyof GenRow];
      for (const n of cols) changed.add(n);
      modified.set(key, row);
    }
    const addKeys: number[] = [];
    for (const _ of c.adds) {
      next += 1 + (next % 2);
      addKeys.push(next);
    }
    const mk = [...modified.keys()].sort((a, b) => a - b);
    m.delta(
      RowSet.fromKeys([...removed]),
      keyed(addKeys, c.adds as Row[]),
      keyed(
        mk,
        mk.map((k) => modified.get(k)!),
      ),
      names.filter((n) => changed.has(n)),
    );
  };
}

/** Equality of match values as documented: null = null, NaN = NaN. */
const keyOf = (r: Row, cols: readonly string[]) => cols.map((c) => `${String(r[c])}`).join("|");

function expected(left: Table, right: Table, on: readonly string[], inverted: boolean) {
  const present = new Set(right.toRows().map((r) => keyOf(r, on)));
  const keys = left.rowSet.toArray();
  const rows = left.toRows();
  const out: { key: number; row: Row }[] = [];
  rows.forEach((r, i) => {
    if (present.has(keyOf(r, on)) !== inverted) out.push({ key: keys[i]!, row: r });
  });
  return out;
}

const KINDS: Kind[] = ["static", "blink", "appendOnly", "ring", "standard"];

describe("whereIn / whereNotIn recompute property", () => {
  it("after every cycle the result equals the filter recomputed from scratch", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...KINDS),
        fc.constantFrom(...KINDS),
        fc.constantFrom(["Sym"], ["K"], ["Sym", "K"]),
        fc.boolean(),
        fc.array(rowArb, { maxLength: 6 }),
        fc.array(rowArb, { maxLength: 4 }),
        fc.array(fc.tuple(cycleArb, cycleArb), { minLength: 1, maxLength: 6 }),
        async (lk, rk, on, inverted, li, ri, cycles) => {
          const g = new UpdateGraph();
          const left = new Input(g, lk, LEFT, li);
          const right = new Input(g, rk, RIGHT, ri);
          if (lk !== "static" || rk !== "static") await g.runCycle();
          const result = inverted
            ? left.table.whereNotIn(right.table, [...on])
            : left.table.whereIn(right.table, [...on]);
          const shadow = new Map<number, string>();
          const snap = () => {
            const keys = result.rowSet.toArray();
            return new Map(result.toRows().map((r, i) => [keys[i]!, JSON.stringify(r)]));
          };
          for (const [k, v] of snap()) shadow.set(k, v);
          result.listen((u) => {
            const now = snap();
            u.removed.forEach((k) => {
              expect(shadow.delete(k), `removed ${k} was present`).toBe(true);
            });
            u.modified.forEach((k) => {
              expect(shadow.has(k), `modified ${k} is present`).toBe(true);
              shadow.set(k, now.get(k)!);
            });
            u.added.forEach((k) => {
              expect(shadow.has(k), `added ${k} was absent`).toBe(false);
              shadow.set(k, now.get(k)!);
            });
          });
          const check = () => {
            const want = expected(left.table, right.table, on, inverted);
            expect(result.rowSet.toArray()).toEqual(want.map((w) => w.key));
            expect(result.toRows()).toEqual(want.map((w) => w.row));
            expect(new Map([...shadow].sort((a, b) => a[0] - b[0]))).toEqual(snap());
          };
          check();
          for (const [lc, rc] of cycles) {
            left.apply(lc);
            right.apply(rc);
            await g.runCycle();
            expect(result.isFailed).toBe(false);
            check();
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
