import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IntMap } from "../../src/engine/int-map.ts";

/** Keys from a few small ranges that collide in a small table, and some past 2^31 and 2^32. */
const key = fc.oneof(
  fc.integer({ min: 0, max: 40 }),
  fc.integer({ min: 2 ** 31 - 4, max: 2 ** 31 + 4 }),
  fc.integer({ min: 2 ** 32 - 2, max: 2 ** 32 + 2 }),
  fc.integer({ min: 0, max: 2 ** 41 }),
);

type Op =
  | { op: "set"; k: number; v: number }
  | { op: "delete"; k: number }
  | { op: "clear" }
  | { op: "sweep"; mod: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant("set" as const), k: key, v: fc.integer() }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("delete" as const), k: key }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("clear" as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("sweep" as const),
      mod: fc.integer({ min: 1, max: 4 }),
    }),
  },
);

function entries(m: IntMap<number>): [number, number][] {
  const out: [number, number][] = [];
  m.forEach((v, k) => {
    out.push([k, v]);
  });
  return out.sort((a, b) => a[0] - b[0]);
}

describe("IntMap", () => {
  it("agrees with Map after any sequence of set, delete, clear and deleting sweeps", () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 300 }),
        fc.array(key, { maxLength: 20 }),
        (ops, probes) => {
          const m = new IntMap<number>();
          const ref = new Map<number, number>();
          for (const o of ops) {
            if (o.op === "set") {
              m.set(o.k, o.v);
              ref.set(o.k, o.v);
            } else if (o.op === "delete") {
              expect(m.delete(o.k)).toBe(ref.delete(o.k));
            } else if (o.op === "clear") {
              m.clear();
              ref.clear();
            } else {
              // forEach may delete the key it is given: each entry is visited exactly once.
              const seen: number[] = [];
              m.forEach((_, k) => {
                seen.push(k);
                if (k % o.mod === 0) m.delete(k);
              });
              expect(seen.sort((a, b) => a - b)).toEqual([...ref.keys()].sort((a, b) => a - b));
              for (const k of [...ref.keys()]) if (k % o.mod === 0) ref.delete(k);
            }
            expect(m.size).toBe(ref.size);
            // Read back the key just touched (get remembers its last answer: a set, delete or
            // clear must not leave it stale).
            if (o.op === "set" || o.op === "delete") expect(m.get(o.k)).toBe(ref.get(o.k));
            else expect(m.get(probes[0] ?? 0)).toBe(ref.get(probes[0] ?? 0));
          }
          for (const k of [...probes, ...ref.keys()]) {
            expect(m.get(k)).toBe(ref.get(k));
            expect(m.has(k)).toBe(ref.has(k));
          }
          expect(entries(m)).toEqual([...ref].sort((a, b) => a[0] - b[0]));
          expect(m.keys().sort((a, b) => a - b)).toEqual([...ref.keys()].sort((a, b) => a - b));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps every key through growth and deletes in probe runs that wrap the table", () => {
    const m = new IntMap<string>();
    // Consecutive page numbers, then every other one deleted, then set again.
    for (let k = 0; k < 5000; k++) m.set(k, `v${k}`);
    for (let k = 0; k < 5000; k += 2) expect(m.delete(k)).toBe(true);
    expect(m.size).toBe(2500);
    for (let k = 0; k < 5000; k++) expect(m.get(k)).toBe(k % 2 === 0 ? undefined : `v${k}`);
    for (let k = 0; k < 5000; k += 2) m.set(k, `w${k}`);
    for (let k = 0; k < 5000; k++) expect(m.get(k)).toBe(k % 2 === 0 ? `w${k}` : `v${k}`);
  });

  it("takes a key released and set again every cycle without growing", () => {
    const m = new IntMap<number>();
    m.set(7, 1);
    m.set(9, 2);
    for (let c = 0; c < 1000; c++) {
      expect(m.delete(7)).toBe(true);
      m.set(7, c);
    }
    expect(entries(m)).toEqual([
      [7, 999],
      [9, 2],
    ]);
    expect(m.delete(8)).toBe(false);
  });
});
