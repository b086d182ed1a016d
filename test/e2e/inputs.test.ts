/**
 * End to end, against the real `wrangler dev` (real alarms, cycleMs 50): a keyed input-table
 * family read by another family that joins its trades with it. Rounds of random upserts, deletes
 * and trades over HTTP; the dev server is killed (both objects lose their memory at once) and
 * restarted mid-stream. After each round the consumer converges (eventual consistency across
 * families, polled): its copy equals the producer's rows and its join equals the join recomputed
 * here from them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TickflareClient } from "../../src/client/index.ts";
import { connect } from "../../src/client/index.ts";
import { DevServer } from "./dev-server.ts";

type Row = Record<string, unknown>;

const PRODUCER = {
  sources: {
    names: {
      type: "input",
      columns: { Sym: "string", Name: "string", Lot: "int64" },
      keys: ["Sym"],
    },
  },
  cycleMs: 50,
};
const CONSUMER = {
  sources: { trades: { columns: { Sym: "string", Ts: "int64", Size: "int32" } } },
  inputs: { ref: "refe2e/names" },
  cycleMs: 50,
  derived: {
    log: "blinkToAppendOnly(trades)",
    named: 'log.naturalJoin(ref, "Sym", "Name, Lot")',
  },
};
const SYMS = ["A", "B", "C", "D", "E"];

let server: DevServer;
let tf: TickflareClient;

beforeAll(async () => {
  server = await DevServer.start();
  tf = connect(server.url);
}, 120_000);

afterAll(async () => {
  await server?.dispose();
}, 60_000);

/**
 * Polls until `check` passes (the consumer catches up with the producer's latest cycle: eventual
 * consistency across families), then runs it once more as the assertion.
 */
async function eventually(check: () => Promise<void>): Promise<void> {
  const end = Date.now() + 30_000;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > end) throw e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("inputs from other families (wrangler dev)", () => {
  it("the consumer's join converges to the producer's rows, across a server crash", async () => {
    await tf.createTable("refe2e", PRODUCER);
    await tf.createTable("deske2e", CONSUMER);
    const trades: Row[] = [];
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let round = 0; round < 10; round++) {
      const ups = SYMS.filter(() => rnd() < 0.5).map((Sym) => ({
        Sym,
        Name: `${Sym}${round}`,
        Lot: round * 10 + 1,
      }));
      const dels = SYMS.filter(() => rnd() < 0.2).map((Sym) => ({ Sym }));
      const mine =
        round % 2 === 1 ? [] : SYMS.map((Sym, i) => ({ Sym, Ts: round * 10 + i, Size: round }));
      // Concurrently: edits to the producer, trades to the consumer.
      await Promise.all([
        ups.length > 0 ? tf.publish("refe2e", ups, { source: "names" }) : null,
        dels.length > 0 ? tf.deleteRows("refe2e", "names", dels) : null,
        mine.length > 0 ? tf.publish("deske2e", mine, { source: "trades" }) : null,
      ]);
      trades.push(...mine);
      if (round === 4) {
        // A crash: both objects lose their memory; storage and alarms survive.
        await server.kill();
        await server.start();
      }
      await eventually(async () => {
        const ref = (await tf.snapshot("refe2e", "names")).rows;
        expect((await tf.snapshot("deske2e", "ref")).rows, `round ${round}`).toEqual(ref);
        const bySym = new Map(ref.map((r) => [r.Sym, r]));
        const expected = trades.map((t) => ({
          ...t,
          Name: bySym.get(t.Sym)?.Name ?? null,
          Lot: bySym.get(t.Sym)?.Lot ?? null,
        }));
        expect((await tf.snapshot("deske2e", "named")).rows, `round ${round}`).toEqual(expected);
        // Both sides idle: nothing pending that could still change either.
        expect((await tf.describe("refe2e")).pending.rows).toBe(0);
        expect((await tf.describe("deske2e")).pending.rows).toBe(0);
      });
    }
  }, 300_000);
});
