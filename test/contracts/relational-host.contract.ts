/**
 * Relational host contract: a family whose views filter by another view of the same family
 * (`whereIn` / `whereNotIn` against a `lastBy` view) serves, after a restart mid-stream, exactly
 * the rows it served before, in the same order, and keeps ticking from there. Run over the bare
 * engine and node:sqlite (test/engine/host.test.ts) and inside a real Durable Object evicted
 * with evictDurableObject (test/workers/family.test.ts).
 */
import { expect, it } from "vitest";
import type { DriverFactory } from "./host.contract.ts";

// cycleMs is long so that real alarms never fire on their own mid-test; tests step cycles.
const SPEC = {
  cycleMs: 3_600_000,
  columns: { Sym: "string", Price: "float64", Size: "int64" },
  derived: {
    history: "blinkToAppendOnly(source)",
    // A symbol is watched while its last trade is a big one: it can leave the watch list.
    wl: 'source.lastBy("Sym").where("Size >= 100")',
    watched: 'history.whereIn(wl, "Sym")',
    quiet: 'history.whereNotIn(wl, "Sym")',
  },
};

interface Trade {
  Sym: string;
  Price: number;
  Size: number;
}

function batch(c: number): Trade[] {
  return Array.from({ length: 3 }, (_, i) => ({
    Sym: ["A", "B", "C", "D"][(c + 2 * i) % 4]!,
    Price: c * 10 + i,
    Size: ((c * 3 + i) * 37) % 200,
  }));
}

/** watched / quiet recomputed from every acknowledged trade, in history order. */
function expected(all: readonly Trade[]) {
  const last = new Map<string, number>();
  for (const t of all) last.set(t.Sym, t.Size);
  const rows = all.map((t) => ({ ...t, Size: BigInt(t.Size) }));
  const watched = (t: Trade) => (last.get(t.Sym) ?? 0) >= 100;
  return {
    watched: rows.filter((_, i) => watched(all[i]!)),
    quiet: rows.filter((_, i) => !watched(all[i]!)),
  };
}

/** Rows as comparable values (int64 may come back as number or bigint). */
function norm(rows: Record<string, unknown>[]) {
  return rows.map((r) => ({ ...r, Size: BigInt(r.Size as number | bigint) }));
}

export function relationalHostContract(name: string, open: DriverFactory): void {
  it(`${name}: whereIn views against another view serve the same rows in the same order after a restart`, async () => {
    const h = await open("relational");
    await h.create(SPEC);
    const all: Trade[] = [];
    const views = async () => ({
      watched: norm(await h.rows("watched")),
      quiet: norm(await h.rows("quiet")),
    });
    let sawLeave = false;
    for (let c = 1; c <= 8; c++) {
      const b = batch(c);
      await h.publish(b, `r${c}`);
      all.push(...b);
      // Restart between the publish and its cycle every third cycle.
      if (c % 3 === 0) await h.restart();
      const before = c > 1 ? (await views()).watched.length : 0;
      await h.cycle();
      const want = expected(all);
      const got = await views();
      expect(got).toEqual(want);
      if (got.watched.length < before) sawLeave = true;
      // Restart right after the cycle on even cycles: the same rows, the same order.
      if (c % 2 === 0) {
        await h.restart();
        expect(await views()).toEqual(got);
      }
    }
    // The script makes a watched symbol leave (its rows leave `watched`) at least once.
    expect(sawLeave).toBe(true);
    expect((await h.describe()).cycle).toBe(8);
  });
}
