/**
 * The host contract for a family whose views join other views of the same family (naturalJoin
 * of the blink source and of a ring against a lastBy, join, aj against another ring), evicted
 * mid-stream: the restarted object serves the same rows in the same order (the blink view starts
 * empty, as after any cycle boundary), and keeps ticking them correctly (every view equals the same join computed here from the published rows).
 */
import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { create, family, publish, rowsOf, step } from "./router-helpers.ts";

const SPEC = {
  columns: { Sym: "string", Seq: "int32", Price: "float64" },
  cycleMs: 3_600_000,
  derived: {
    last: 'source.lastBy("Sym")',
    enriched: 'source.naturalJoin(last, "Sym", "LastPx = Price")',
    ring: "ringTable(source, 6)",
    hist: "ringTable(source, 12)",
    ringLast: 'ring.naturalJoin(last, "Sym", "LastPx = Price")',
    pairs: 'ring.view("Sym", "Seq").join(hist, "Sym", "HSeq = Seq")',
    prev: 'ring.aj(hist, "Sym, Seq > Seq", "PrevSeq = Seq, PrevPx = Price")',
  },
};

type Row = { Sym: string; Seq: number; Price: number };

/** The views computed from the published rows (`cycle`: the last cycle's rows). */
function expected(all: Row[], cycle: Row[]) {
  const last = new Map<string, number>();
  for (const r of all) last.set(r.Sym, r.Price);
  const ring = all.slice(-6);
  const hist = all.slice(-12);
  return {
    enriched: cycle.map((r) => ({ ...r, LastPx: last.get(r.Sym) ?? null })),
    ringLast: ring.map((r) => ({ ...r, LastPx: last.get(r.Sym) ?? null })),
    pairs: ring.flatMap((r) =>
      hist.filter((h) => h.Sym === r.Sym).map((h) => ({ Sym: r.Sym, Seq: r.Seq, HSeq: h.Seq })),
    ),
    prev: ring.map((r) => {
      const before = hist.filter((h) => h.Sym === r.Sym && h.Seq < r.Seq);
      const m = before.reduce<Row | null>((a, h) => (a === null || h.Seq > a.Seq ? h : a), null);
      return { ...r, PrevSeq: m?.Seq ?? null, PrevPx: m?.Price ?? null };
    }),
  };
}

async function views(name: string) {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const v of ["enriched", "ringLast", "pairs", "prev"]) out[v] = await rowsOf(name, v);
  return out;
}

describe("a family of joins, evicted mid-stream", () => {
  it("serves the same rows in the same order after a restart and keeps ticking", async () => {
    const name = "join-evict";
    await create(name, SPEC);
    const all: Row[] = [];
    let seq = 0;
    const syms = ["A", "B", "C"];
    const cycle = async (n: number) => {
      const rows = Array.from({ length: n }, (_, i) => ({
        Sym: syms[(seq * 7 + i) % 3]!,
        Seq: seq++,
        Price: ((seq * 13) % 17) + 0.5,
      }));
      all.push(...rows);
      const res = await publish(name, rows);
      expect(res.status, await res.clone().text()).toBeLessThan(300);
      await step(name);
      return rows;
    };
    let rows: Row[] = [];
    for (let c = 0; c < 4; c++) {
      rows = await cycle(2 + c);
      expect(await views(name)).toEqual(expected(all, rows));
    }
    const before = await views(name);
    expect(before.enriched!.length).toBe(rows.length);
    // Every view is the same after the restart, except the blink one, which starts empty as
    // after any cycle boundary (docs/architecture.md, "Persistence and memory").
    await evictDurableObject(family(name));
    expect(await views(name)).toEqual({ ...before, enriched: [] });
    for (let c = 0; c < 3; c++) {
      rows = await cycle(3 + c);
      expect(await views(name)).toEqual(expected(all, rows));
    }
  });
});
