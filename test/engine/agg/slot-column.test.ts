/**
 * SlotColumn (agg/slot-column.ts): an aggregation's number and int64 outputs held per group.
 * Writes report whether the value changed; previous reads answer the value from before the
 * cycle's first write until the cycle ends; int64 columns read numbers back as bigints and wrap
 * bigints to 64 bits; float32 columns store what a float32 page would. Also end to end: a sumBy
 * and a countBy read through `getPrev` in a listener during the cycle, and after it.
 */
import { describe, expect, it } from "vitest";
import { SlotColumn } from "../../../src/engine/agg/slot-column.ts";
import {
  arrayKeys,
  Chunk,
  type CycleParticipant,
  runKeys,
} from "../../../src/engine/column-source.ts";
import { tablePublisher, UpdateGraph } from "../../../src/engine/index.ts";

/** A cycle counter that ends its participants' cycles as the update graph does. */
class Cycles {
  cycle = 0;
  readonly #dirty: CycleParticipant[] = [];
  markDirty(p: CycleParticipant): void {
    this.#dirty.push(p);
  }
  run(f: () => void): void {
    this.cycle++;
    f();
    for (const p of this.#dirty.splice(0)) p.endCycle();
  }
}

describe("SlotColumn", () => {
  it("reports changes, reads null where never written, and keeps previous values for a cycle", () => {
    const c = new SlotColumn("float64");
    const t = new Cycles();
    c.ensure(4);
    expect(c.write(0, 1.5, true)).toBe(true);
    expect(c.write(1, null, true)).toBe(true);
    c.setTracker(t);
    expect([c.get(0), c.get(1), c.get(2), c.get(-1), c.get(99)]).toEqual([
      1.5,
      null,
      null,
      null,
      null,
    ]);
    t.run(() => {
      expect(c.write(0, 1.5, false)).toBe(false);
      expect(c.write(0, 2.5, false)).toBe(true);
      expect(c.write(0, 3.5, false)).toBe(true);
      expect(c.write(1, 7, false)).toBe(true);
      // First written in this cycle: its previous value is its current one.
      expect(c.write(2, 9, true)).toBe(true);
      expect([c.get(0), c.get(1), c.get(2)]).toEqual([3.5, 7, 9]);
      expect([c.getPrev(0), c.getPrev(1), c.getPrev(2)]).toEqual([1.5, null, 9]);
      const chunk = c.getChunk(arrayKeys([2, 0, -1, 1]), true, new Chunk("float64"));
      expect(Array.from(chunk.data as Float64Array).slice(0, 4)).toEqual([9, 1.5, 0, 0]);
      expect(Array.from(chunk.valid!).slice(0, 4)).toEqual([1, 1, 0, 0]);
    });
    expect([c.getPrev(0), c.getPrev(1), c.getPrev(2)]).toEqual([3.5, 7, 9]);
    t.run(() => {
      expect(c.write(1, 8, false)).toBe(true);
      expect([c.getPrev(0), c.getPrev(1)]).toEqual([3.5, 7]);
    });
    expect(c.getPrev(1)).toBe(8);
  });

  it("tells NaN from NaN as equal and -0 from 0 as different", () => {
    const c = new SlotColumn("float64");
    c.ensure(1);
    c.write(0, Number.NaN, true);
    expect(c.write(0, Number.NaN, false)).toBe(false);
    c.write(0, 0, false);
    expect(c.write(0, -0, false)).toBe(true);
    expect(Object.is(c.get(0), -0)).toBe(true);
  });

  it("int64: numbers read as bigints, bigints kept and wrapped to 64 bits, in chunks too", () => {
    const c = new SlotColumn("int64");
    const t = new Cycles();
    c.ensure(3);
    c.setTracker(t);
    c.write(0, -5, true);
    c.writeBig(1, 2n ** 70n + 3n, true);
    expect([c.get(0), c.get(1)]).toEqual([-5n, 3n]);
    expect(c.writeBig(0, -5n, false)).toBe(false);
    t.run(() => {
      expect(c.writeBig(0, 2n ** 63n, false)).toBe(true);
      expect(c.write(1, 2 ** 52, false)).toBe(true);
      expect([c.get(0), c.get(1)]).toEqual([-(2n ** 63n), 2n ** 52n]);
      expect([c.getPrev(0), c.getPrev(1)]).toEqual([-5n, 3n]);
      const now = c.getChunk(runKeys(0, 3), false, new Chunk("int64"));
      expect(Array.from(now.data as BigInt64Array).slice(0, 3)).toEqual([
        -(2n ** 63n),
        2n ** 52n,
        0n,
      ]);
      expect(Array.from(now.valid!).slice(0, 3)).toEqual([1, 1, 0]);
      const before = c.getChunk(runKeys(0, 2), true, new Chunk("int64"));
      expect(Array.from(before.data as BigInt64Array).slice(0, 2)).toEqual([-5n, 3n]);
    });
  });

  it("float32 and int32 outputs hold what pages of their type would", () => {
    const f = new SlotColumn("float32");
    f.ensure(1);
    f.write(0, 0.1, true);
    expect(f.get(0)).toBe(Math.fround(0.1));
    expect(f.write(0, Math.fround(0.1), false)).toBe(false);
    const i = new SlotColumn("int32");
    i.ensure(2);
    i.write(1, -7, true);
    const chunk = i.getChunk(runKeys(0, 2), false, new Chunk("int32"));
    expect(Array.from(chunk.data as Int32Array).slice(0, 2)).toEqual([0, -7]);
    expect(chunk.valid![0]).toBe(0);
  });

  it("end to end: sumBy and countBy outputs read their previous values in a listener", async () => {
    const g = new UpdateGraph({ seed: 1 });
    const [blink, pub] = tablePublisher(g, {
      name: "p",
      columns: { Sym: "string", Size: "int64" },
    });
    const sums = blink.sumBy("Sym");
    const counts = blink.countBy("N", "Sym");
    const seen: unknown[] = [];
    sums.listen((u) =>
      u.modified.forEach((k) => {
        seen.push([sums.column("Size").get(k), sums.column("Size").getPrev(k)]);
        seen.push([counts.column("N").get(k), counts.column("N").getPrev(k)]);
      }),
    );
    pub.addRows([{ Sym: "a", Size: 5n }]);
    await g.runCycle();
    pub.addRows([
      { Sym: "a", Size: 2n },
      { Sym: "a", Size: 1n },
    ]);
    await g.runCycle();
    expect(seen).toEqual([
      [8n, 5n],
      [3n, 1n],
    ]);
    expect(sums.column("Size").getPrev(0)).toBe(8n);
  });
});
