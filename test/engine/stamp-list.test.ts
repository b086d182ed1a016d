import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { StampCursor, StampList } from "../../src/engine/ops/stamp-list.ts";

/** Model: entries sorted by (stamp, key), reversed for dir -1. */
function model(entries: [number, number][], dir: 1 | -1): [number, number][] {
  return [...entries].sort((x, y) => dir * (x[0] - y[0] || x[1] - y[1]));
}

describe("StampList", () => {
  it("keeps (stamp, key) entries in order across block splits and removals", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<1 | -1>(1, -1),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.boolean()), {
          minLength: 1500,
          maxLength: 3000,
        }),
        fc.integer({ min: -1, max: 302 }),
        (dir, ops, probe) => {
          const list = new StampList(false, dir);
          const live = new Map<number, number>();
          let next = 0;
          for (const [stamp, remove] of ops) {
            if (remove && live.size > 0) {
              const key = [...live.keys()][stamp % live.size]!;
              expect(list.remove(live.get(key)!, 0, "", key)).toBe(true);
              live.delete(key);
            } else {
              list.insert(stamp, 0, "", next);
              live.set(next++, stamp);
            }
          }
          const sorted = model(
            [...live].map(([k, s]) => [s, k]),
            dir,
          );
          expect(list.size).toBe(sorted.length);
          expect(list.keys()).toEqual(sorted.map((e) => e[1]));
          // floorKey: last entry whose stamp is at or before the probe (strictly before).
          const at = sorted.filter((e) => dir * (e[0] - probe) <= 0);
          const before = sorted.filter((e) => dir * (e[0] - probe) < 0);
          expect(list.floorKey(probe, 0, "", false)).toBe(at.at(-1)?.[1] ?? -1);
          expect(list.floorKey(probe, 0, "", true)).toBe(before.at(-1)?.[1] ?? -1);
          const after = sorted.find((e) => dir * (e[0] - probe) > 0);
          expect(list.higher(probe, 0, "")).toBe(after !== undefined);
          if (after) expect(list.nextA).toBe(after[0]);
          const seen: number[] = [];
          list.forEachBetween(probe, 0, "", true, true, probe + dir * 3, 0, "", false, (k) =>
            seen.push(k),
          );
          expect(seen).toEqual(
            sorted
              .filter((e) => dir * (e[0] - probe) >= 0 && dir * (e[0] - probe) < 3)
              .map((e) => e[1]),
          );
          expect(list.remove(probe, 0, "", next + 1)).toBe(false);
          // Cursors: forward probes (some far apart, across blocks) give what searches give.
          const rc = new StampCursor();
          const lc = new StampCursor();
          for (let p = -1; p < 305; p += 1 + ((p + 1) % 7) * 9) {
            const floor = sorted.filter((e) => dir * (e[0] - p * dir) <= 0).at(-1);
            expect(list.floorAndNext(rc, p * dir, 0, "")).toBe(floor?.[1] ?? -1);
            const nxt = sorted.find((e) => dir * (e[0] - p * dir) > 0);
            expect(list.hasNext).toBe(nxt !== undefined);
            const got: number[] = [];
            list.scan(lc, p * dir, 0, "", true, true, (p + 1) * dir, 0, "", false, (k) =>
              got.push(k),
            );
            expect(got).toEqual(
              sorted.filter((e) => dir * e[0] >= p && dir * e[0] < p + 1).map((e) => e[1]),
            );
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  it("orders (a, b) pairs and strings by UTF-16 code units", () => {
    const pairs = new StampList(false, 1);
    pairs.insert(1, 5, "", 0);
    pairs.insert(1, 2, "", 1);
    pairs.insert(Number.POSITIVE_INFINITY, 1, "", 2); // NaN
    pairs.insert(Number.POSITIVE_INFINITY, 0, "", 3);
    expect(pairs.keys()).toEqual([1, 0, 3, 2]);
    const strings = new StampList(true, 1);
    for (const [i, s] of ["b", "\u{1F600}", "B", "\uFFFF", "", "ab"].entries())
      strings.insert(0, 0, s, i);
    // "\u{1F600}" is the surrogate pair D83D DE00, below U+FFFF in code units.
    expect(strings.keys()).toEqual([4, 2, 5, 0, 1, 3]);
    expect(strings.floorKey(0, 0, "a", false)).toBe(2);
  });
});
