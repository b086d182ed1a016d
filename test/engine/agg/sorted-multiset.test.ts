/** SortedMultiset against a sorted-array model, across block splits. */
import fc from "fast-check";
import { expect, it } from "vitest";
import { SortedMultiset } from "../../../src/engine/agg/sorted-multiset.ts";

it("matches a sorted array under random adds and removes", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 1500 })), {
        minLength: 1,
        maxLength: 3000,
      }),
      (ops) => {
        const set = new SortedMultiset();
        const model: number[] = [];
        for (const [add, v] of ops) {
          const i = model.indexOf(v);
          if (add || i < 0) {
            set.add(v);
            model.push(v);
            model.sort((a, b) => a - b);
          } else {
            set.remove(v);
            model.splice(i, 1);
          }
        }
        expect(set.size).toBe(model.length);
        expect(set.min()).toBe(model[0]);
        expect(set.max()).toBe(model[model.length - 1]);
        for (const k of [0, model.length >> 1, model.length - 1])
          if (model.length > 0) expect(set.at(k)).toBe(model[k]);
      },
    ),
    { numRuns: 40 },
  );
});

it("orders strings and mixed number/bigint values; refuses to remove what it lacks", () => {
  const s = new SortedMultiset();
  for (const v of ["b", "a", "c", "a"]) s.add(v);
  expect([s.min(), s.max(), s.at(1), s.size]).toEqual(["a", "c", "a", 4]);
  const m = new SortedMultiset();
  for (const v of [2n ** 60n, 5, -(2n ** 60n), 7]) m.add(v);
  expect([m.min(), m.at(1), m.max()]).toEqual([-(2n ** 60n), 5, 2n ** 60n]);
  expect(() => m.remove(6)).toThrow("does not hold");
});
