/**
 * Host contract: a table family hosted over SQLite keeps every acknowledged row exactly once,
 * across restarts at any point, and derived tables equal a recomputation from the acknowledged
 * input. Run over node:sqlite (test/engine/host.test.ts) and inside a real Durable Object
 * (test/workers/family.test.ts).
 */
import { expect, it } from "vitest";

/** What a host under test offers: the same operations, whether in-process or through RPC. */
export interface HostDriver {
  create(spec: unknown): Promise<{ created: boolean }>;
  publish(
    rows: unknown[],
    key?: string,
  ): Promise<{ accepted: number; cycle: number; duplicate: boolean }>;
  /** Runs one cycle now (an alarm). */
  cycle(): Promise<void>;
  /** Loses everything in memory; storage survives (eviction / restart). */
  restart(): Promise<void>;
  rows(view: string): Promise<Record<string, unknown>[]>;
  describe(): Promise<{
    cycle: number;
    pending: { rows: number };
    views: Record<string, { size: number }>;
  }>;
}

export type DriverFactory = (name: string) => Promise<HostDriver>;

// cycleMs is long so that real alarms never fire on their own mid-test; tests step cycles.
const SPEC = {
  cycleMs: 3_600_000,
  columns: { Sym: "string", Price: "float64", Size: "int64" },
  derived: {
    recent: "ringTable(source, 4)",
    history: "blinkToAppendOnly(source)",
    bySym: 'source.view("Sym", "Size").sumBy("Sym")',
    stats: 'source.aggBy([agg.count("N"), agg.max("Hi = Price"), agg.last("Last = Price")], "Sym")',
  },
};

function batch(c: number, n = 3) {
  return Array.from({ length: n }, (_, i) => ({
    Sym: ["A", "B", "C"][(c + i) % 3]!,
    Price: c * 10 + i,
    Size: c * 100 + i,
  }));
}

/** The expected tables, recomputed from every acknowledged row. */
function expected(all: { Sym: string; Price: number; Size: number }[]) {
  const bySym = new Map<string, bigint>();
  const stats = new Map<string, { N: bigint; Hi: number; Last: number }>();
  for (const r of all) {
    bySym.set(r.Sym, (bySym.get(r.Sym) ?? 0n) + BigInt(r.Size));
    const s = stats.get(r.Sym);
    if (!s) stats.set(r.Sym, { N: 1n, Hi: r.Price, Last: r.Price });
    else stats.set(r.Sym, { N: s.N + 1n, Hi: Math.max(s.Hi, r.Price), Last: r.Price });
  }
  const hist = all.map((r) => ({ ...r, Size: BigInt(r.Size) }));
  return {
    history: hist,
    recent: hist.slice(-4),
    bySym: [...bySym].map(([Sym, Size]) => ({ Sym, Size })),
    stats: [...stats].map(([Sym, s]) => ({ Sym, ...s })),
  };
}

/** Rows as plain comparable values (int64 may come back as number or bigint). */
function norm(rows: Record<string, unknown>[]) {
  return rows.map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => [
        k,
        typeof v === "number" && ["Size", "N"].includes(k) ? BigInt(v) : v,
      ]),
    ),
  );
}

export function hostContract(name: string, open: DriverFactory): void {
  it(`${name}: creates once; the same spec is a no-op; another spec is refused`, async () => {
    const h = await open("create");
    expect(await h.create(SPEC)).toMatchObject({ created: true });
    expect(await h.create(JSON.parse(JSON.stringify(SPEC)))).toMatchObject({ created: false });
    await expect(h.create({ ...SPEC, cycleMs: 50 })).rejects.toThrow(/different spec/);
    const d = await h.describe();
    expect(Object.keys(d.views)).toEqual(["source", "recent", "history", "bySym", "stats"]);
  });

  it(`${name}: rows appear at the next cycle, exactly once, surviving restarts at every point`, async () => {
    const h = await open("restarts");
    await h.create(SPEC);
    const acked: ReturnType<typeof batch> = [];
    for (let c = 1; c <= 6; c++) {
      const b = batch(c);
      const ack = await h.publish(b, `k${c}`);
      expect(ack).toMatchObject({ accepted: 3, duplicate: false });
      acked.push(...b);
      // Restart between the publish and its cycle on odd cycles, right after the cycle on even ones.
      if (c % 2 === 1) await h.restart();
      // A retried publish with the same key counts once.
      expect((await h.publish(b, `k${c}`)).duplicate).toBe(true);
      await h.cycle();
      if (c % 2 === 0) await h.restart();
      const want = expected(acked);
      expect(norm(await h.rows("history"))).toEqual(want.history);
      expect(norm(await h.rows("recent"))).toEqual(want.recent);
      expect(norm(await h.rows("bySym"))).toEqual(want.bySym);
      expect(norm(await h.rows("stats"))).toEqual(want.stats);
    }
    const d = await h.describe();
    expect(d.cycle).toBe(6);
    expect(d.pending.rows).toBe(0);
  });

  it(`${name}: a rejected batch changes nothing`, async () => {
    const h = await open("reject");
    await h.create(SPEC);
    await expect(
      h.publish([
        { Sym: "A", Price: 1, Size: 1 },
        { Sym: "B", Price: "x", Size: 2 },
      ]),
    ).rejects.toThrow(/row 1, column "Price": expected float64/);
    await expect(h.publish([{ Sym: "A", Price: 1, Size: 1, Extra: 1 }])).rejects.toThrow(
      /unknown column "Extra"/,
    );
    await h.cycle();
    expect(await h.rows("history")).toEqual([]);
    expect((await h.describe()).pending.rows).toBe(0);
  });
}
