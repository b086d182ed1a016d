/**
 * aj / raj against a from-scratch reference: random left and right inputs of every table type
 * (static, blink, append-only, ring, and a standard table whose rows are modified, moving their
 * keys and stamps), random cycles on both sides, stamps of several types (with ties, nulls and
 * NaN). After every cycle the result equals a brute-force as-of join over the inputs' current
 * rows, every row the update does not name kept its values, and every removed or modified row
 * reads its values from before the cycle through `getPrev`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Table, Value } from "../../src/engine/index.ts";
import {
  blinkToAppendOnly,
  ringTable,
  tableFromRows,
  tablePublisher,
  UpdateGraph,
} from "../../src/engine/index.ts";

type StampType = "int32" | "float64" | "string" | "instant";
type Kind = "static" | "blink" | "appendOnly" | "ring" | "standard";
type Row = { Id: number; Sym: string | null; Ts: Value; V: number };

const STAMPS: Record<StampType, fc.Arbitrary<Value>> = {
  int32: fc.option(fc.integer({ min: 0, max: 8 }), { nil: null, freq: 6 }),
  float64: fc.option(
    fc.oneof(
      fc.integer({ min: 0, max: 8 }),
      fc.constantFrom(Number.NaN, -0, Number.POSITIVE_INFINITY),
    ),
    { nil: null, freq: 6 },
  ),
  string: fc.option(fc.constantFrom("", "a", "ab", "b", "B", "é", "\u{1F600}"), {
    nil: null,
    freq: 6,
  }),
  // Nanosecond instants beyond 2^53, so both 32-bit words matter.
  instant: fc.option(
    fc
      .integer({ min: 0, max: 8 })
      .map((i) => 1_700_000_000_000_000_000n + BigInt(i) * 4_294_967_296n + BigInt(i % 3)),
    { nil: null, freq: 6 },
  ),
};

function rowArb(stamp: StampType): fc.Arbitrary<Row> {
  return fc.record({
    Id: fc.integer({ min: 0, max: 5 }),
    Sym: fc.option(fc.constantFrom("A", "B"), { nil: null, freq: 5 }),
    Ts: STAMPS[stamp],
    V: fc.integer({ min: 0, max: 1000 }),
  });
}

const KINDS: Kind[] = ["static", "blink", "appendOnly", "ring", "standard"];

/** Orders two non-null stamps: NaN above everything, strings by code units. */
function cmp(x: unknown, y: unknown): number {
  if (typeof x === "number" && typeof y === "number") {
    const xn = Number.isNaN(x);
    const yn = Number.isNaN(y);
    if (xn || yn) return xn && yn ? 0 : xn ? 1 : -1;
  }
  return (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
}

/** Brute-force as-of join of current rows. */
function reference(
  left: Record<string, Value>[],
  right: Record<string, Value>[],
  kind: "aj" | "raj",
  strict: boolean,
  keys: number,
): Record<string, Value>[] {
  return left.map((l) => {
    let best: Record<string, Value> | null = null;
    if (l.Ts !== null) {
      for (const r of right) {
        if (r.Ts === null || (keys > 0 && r.Sym !== l.Sym) || (keys > 1 && r.Id !== l.Id)) continue;
        const c = cmp(r.Ts, l.Ts);
        const ok = kind === "aj" ? (strict ? c < 0 : c <= 0) : strict ? c > 0 : c >= 0;
        if (!ok) continue;
        if (best === null) best = r;
        else {
          const d = cmp(r.Ts, best.Ts);
          // aj: greatest stamp, last row among ties; raj: least stamp, first row among ties.
          if (kind === "aj" ? d >= 0 : d < 0) best = r;
        }
      }
    }
    return { ...l, RId: best?.Id ?? null, RTs: best?.Ts ?? null, RV: best?.V ?? null };
  });
}

function byKey(t: Table): Map<number, string> {
  const rows = t.toRows();
  const out = new Map<number, string>();
  t.rowSet.toArray().forEach((k, i) => {
    out.set(k, show(rows[i]));
  });
  return out;
}

function show(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    typeof x === "bigint" ? `${x}n` : typeof x === "number" && !Number.isFinite(x) ? String(x) : x,
  );
}

function prevRow(t: Table, key: number): string {
  const row: Record<string, Value> = {};
  for (const n of t.columnNames) row[n] = t.column(n).getPrev(key);
  return show(row);
}

const scenario = fc
  .constantFrom<StampType>("int32", "float64", "string", "instant")
  .chain((stamp) =>
    fc.record({
      stamp: fc.constant(stamp),
      leftKind: fc.constantFrom(...KINDS),
      rightKind: fc.constantFrom(...KINDS),
      kind: fc.constantFrom<"aj" | "raj">("aj", "raj"),
      strict: fc.boolean(),
      keys: fc.integer({ min: 0, max: 2 }),
      cap: fc.integer({ min: 1, max: 6 }),
      initialLeft: fc.array(rowArb(stamp), { maxLength: 8 }),
      initialRight: fc.array(rowArb(stamp), { maxLength: 8 }),
      cycles: fc.array(
        fc.record({
          left: fc.array(rowArb(stamp), { maxLength: 6 }),
          right: fc.array(rowArb(stamp), { maxLength: 6 }),
        }),
        { minLength: 1, maxLength: 8 },
      ),
    }),
  );

describe("aj / raj equal a from-scratch as-of join after every cycle", () => {
  it("over every table type, with ties, nulls, NaN and moving rows", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const g = new UpdateGraph({ seed: 1 });
        const columns = { Id: "int32", Sym: "string", Ts: s.stamp, V: "int32" } as const;
        const make = (kind: Kind, name: string, initial: Row[]) => {
          if (kind === "static") return { table: tableFromRows(columns, initial), pub: null };
          const [blink, pub] = tablePublisher(g, { name, columns });
          pub.addRows(initial);
          const table =
            kind === "blink"
              ? blink
              : kind === "appendOnly"
                ? blinkToAppendOnly(blink)
                : kind === "ring"
                  ? ringTable(blink, s.cap)
                  : ringTable(blink, s.cap).lastBy("Id");
          return { table, pub };
        };
        const L = make(s.leftKind, "l", s.initialLeft);
        const R = make(s.rightKind, "r", s.initialRight);
        await g.runCycle();
        const on = `${["", "Sym, ", "Sym, Id, "][s.keys]}Ts${s.strict ? (s.kind === "aj" ? " > Ts" : " < Ts") : ""}`;
        const right = R.table.view("Id", "Sym", "Ts", "RId = Id", "RTs = Ts", "RV = V");
        const result = L.table[s.kind](right, on, "RId, RTs, RV");
        const check = () => {
          const want = reference(L.table.toRows(), R.table.toRows(), s.kind, s.strict, s.keys);
          expect(show(result.toRows())).toBe(show(want));
          expect(result.rowSet.toArray()).toEqual(L.table.rowSet.toArray());
        };
        check();
        let before = byKey(result);
        const problems: string[] = [];
        let last: { added: number[]; modified: number[] } | null = null;
        result.listen((u) => {
          for (const k of [...u.removed.toArray(), ...u.modified.toArray()]) {
            if (prevRow(result, k) !== before.get(k))
              problems.push(`prev of ${k}: ${prevRow(result, k)} != ${before.get(k)}`);
          }
          last = { added: u.added.toArray(), modified: u.modified.toArray() };
        });
        for (const c of s.cycles) {
          L.pub?.addRows(c.left);
          R.pub?.addRows(c.right);
          last = null;
          await g.runCycle();
          expect(problems).toEqual([]);
          expect(result.isFailed).toBe(false);
          check();
          const now = byKey(result);
          const u = last as { added: number[]; modified: number[] } | null;
          const named = new Set([...(u?.added ?? []), ...(u?.modified ?? [])]);
          for (const [k, v] of now) {
            if (!named.has(k) && before.has(k))
              expect(`row ${k}: ${v}`).toBe(`row ${k}: ${before.get(k)}`);
          }
          before = now;
        }
      }),
      { numRuns: Number(process.env.RUNS ?? 300) },
    );
  }, 120_000);
});
