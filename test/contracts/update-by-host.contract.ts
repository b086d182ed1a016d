/**
 * updateBy host contract: over a blink source, running state (cumulative sums and products with
 * exact int64, EMAs by ticks and by time, tick and time windows) survives restarts. The same
 * stream runs twice, once without restarts and once restarted mid-stream (between a publish and
 * its cycle, and right after cycles); every cycle's output must be the same. Run over node:sqlite
 * (test/engine/host.test.ts) and inside a real Durable Object evicted with evictDurableObject
 * (test/workers/family.test.ts).
 */
import { expect, it } from "vitest";
import type { DriverFactory, HostDriver } from "./host.contract.ts";

// cycleMs is long so that real alarms never fire on their own mid-test; tests step cycles.
const SPEC = {
  cycleMs: 3_600_000,
  columns: { Sym: "string", Price: "float64", Size: "int64", T: "int64" },
  derived: {
    running:
      'source.updateBy([updateby.cumSum("CS = Size, CF = Price"), updateby.cumProd("CP = Size"), updateby.cumMin("Lo = Price"), updateby.cumMax("Hi = Size"), updateby.delta("D = Size"), updateby.forwardFill("FF = Price"), updateby.emaTick(3, "E = Price")], "Sym")',
    windows:
      'source.updateBy([updateby.emaTime("T", "PT2S", "ET = Price"), updateby.rollingAvgTick("RA = Price", 4), updateby.rollingSumTick("RS = Size", 3), updateby.rollingStdTick("SD = Price", 5), updateby.rollingMinTick("RMin = Price", 4), updateby.rollingMaxTime("T", "RMax = Size", "PT3S"), updateby.rollingProductTick("RP = Price", 3), updateby.rollingCountTime("T", "RC = Price", "PT2.5S"), updateby.rollingSumTime("T", "RST = Size", "PT2.5S"), updateby.rollingAvgTime("T", "RAT = Price", "PT2.5S")], "Sym")',
    vwap: 'source.update("N = Price * Size").updateBy(updateby.cumSum("N, V = Size")).view("Vwap = N / V", "V")',
  },
};

const VIEWS = ["running", "windows", "vwap"] as const;
const BIG = "2000000000000000000";

/** Cycle `c`'s rows: three symbols, nulls, an int64 past 2^53, stamps 0.4 s apart. */
function batch(c: number): Record<string, unknown>[] {
  return Array.from({ length: 4 }, (_, i) => ({
    Sym: i === 3 ? "BIG" : ["A", "B", "C"][(c + i) % 3]!,
    Price: (c * 7 + i) % 5 === 0 ? null : c * 1.5 + i * 0.25 - 3,
    Size: i === 3 ? (c % 2 === 0 ? BIG : -c) : (c * 3 + i) % 4 === 0 ? null : c * 100 + i,
    T: c * 1_000_000_000 + i * 400_000_000,
  }));
}

async function outputs(h: HostDriver) {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const v of VIEWS) out[v] = await h.rows(v);
  return out;
}

export function updateByHostContract(name: string, open: DriverFactory): void {
  it(`${name}: updateBy over a blink source resumes its running state after restarts, equal to a run without them`, async () => {
    const ref = await open("updateby-ref");
    const h = await open("updateby-restarted");
    await ref.create(SPEC);
    await h.create(SPEC);
    for (let c = 1; c <= 9; c++) {
      const b = batch(c);
      await ref.publish(b, `u${c}`);
      await h.publish(b, `u${c}`);
      // Restart between the publish and its cycle every third cycle, right after even cycles.
      if (c % 3 === 0) await h.restart();
      await ref.cycle();
      await h.cycle();
      const want = await outputs(ref);
      expect(want.running).toHaveLength(4);
      expect(await outputs(h)).toEqual(want);
      if (c % 2 === 0) await h.restart();
    }
    // The state reaches across cycles: BIG's running sum is past 2^53 and the VWAP covers all.
    const last = await outputs(ref);
    expect(String(last.running![3]!.CS)).toBe("7999999999999999975");
    expect(String(last.vwap![3]!.V)).toBe("8000000000000009995");
    expect((await h.describe()).cycle).toBe(9);
  });
}
