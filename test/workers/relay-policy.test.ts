/**
 * The router's relay policy (worker/relays.ts `placeOnRelay`, `nextRelay`) simulated over relays
 * that hold at most N subscribers and report the most relays they have heard of, as durable/relay.ts
 * does: how many relays a view of S subscribers opens, how many tries a connection makes, and that
 * no subscriber is refused while relays have room. The relay objects themselves are tested in
 * relay.test.ts.
 */
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../src/engine/random.ts";
import { MAX_RELAYS, nextRelay, placeOnRelay } from "../../src/worker/relays.ts";

/** Deterministic 32-bit connection hashes from the engine's seeded generator. */
function hashes(seed: number): () => number {
  const random = seededRandom(seed);
  return () => Math.floor(random() * 4294967296) >>> 0;
}

interface Outcome {
  relays: number;
  refused: number;
  maxTries: number;
}

/** S connections through `isolates` routers (each with its own last-seen count), N per relay. */
async function simulate(
  s: number,
  perRelay: number,
  isolates: number,
  seed: number,
): Promise<Outcome> {
  const held = new Map<number, number>();
  const heard = new Map<number, number>();
  const seen = new Array<number>(isolates).fill(1);
  const next = hashes(seed);
  let refused = 0;
  let maxTries = 0;
  for (let i = 0; i < s; i++) {
    const iso = i % isolates;
    let tries = 0;
    const placed = await placeOnRelay(next(), seen[iso]!, async (n, r) => {
      tries++;
      heard.set(n, Math.max(heard.get(n) ?? 0, r));
      const count = held.get(n) ?? 0;
      if (count >= perRelay) return { full: true, told: heard.get(n)!, answer: n };
      held.set(n, count + 1);
      return { full: false, told: heard.get(n)!, answer: n };
    });
    maxTries = Math.max(maxTries, tries);
    if (placed === null) refused++;
    else if (placed.r > seen[iso]!) seen[iso] = placed.r;
  }
  return { relays: held.size, refused, maxTries };
}

describe("relay policy", () => {
  it("opens about the power of two of S / N relays and refuses nobody", async () => {
    for (const [s, perRelay] of [
      [2_000, 250],
      [5_000, 250],
      [1_000, 250],
      [300, 5],
      [100, 250],
    ] as const) {
      const needed = Math.ceil(s / perRelay);
      const power = 2 ** Math.ceil(Math.log2(needed));
      for (const isolates of [1, 4]) {
        const out = await simulate(s, perRelay, isolates, s + perRelay + isolates);
        expect(out.refused, `${s} of ${perRelay}, ${isolates} isolates`).toBe(0);
        expect(out.relays, `${s} of ${perRelay}, ${isolates} isolates`).toBeGreaterThanOrEqual(
          needed,
        );
        expect(out.relays, `${s} of ${perRelay}, ${isolates} isolates`).toBeLessThanOrEqual(
          2 * power,
        );
      }
    }
  });

  it("a small view stays on one relay", async () => {
    const out = await simulate(250, 250, 3, 7);
    expect(out).toEqual({ relays: 1, refused: 0, maxTries: 1 });
  });

  it("bounds the tries per connection by two per relay count", async () => {
    const out = await simulate(5_000, 250, 1, 11);
    // From 1 relay to at most 64 (seven relay counts), two tries at each.
    expect(out.maxTries).toBeLessThanOrEqual(2 * 7);
  });

  it("refuses once every relay up to the limit is full", async () => {
    const out = await simulate(MAX_RELAYS * 2 + 3, 2, 1, 5);
    expect(out.relays).toBe(MAX_RELAYS);
    expect(out.refused).toBe(3);
  });

  it("steps: a reported count above ours, then the newer half's partner, then a doubling", () => {
    expect(nextRelay(13, 1, 4, 16)).toEqual({ n: 13, r: 16 });
    expect(nextRelay(13, 1, 4, 4)).toEqual({ n: 3, r: 4 });
    expect(nextRelay(13, 3, 4, 4)).toEqual({ n: 5, r: 8 });
    expect(nextRelay(13, 0, 1, Number.NaN)).toEqual({ n: 1, r: 2 });
    expect(nextRelay(13, 0, 1, MAX_RELAYS * 2)).toEqual({ n: 1, r: 2 });
  });
});
