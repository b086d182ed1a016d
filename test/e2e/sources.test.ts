/**
 * End to end, against the real `wrangler dev` (AUTH on): trades and quotes published
 * concurrently into one family, each alternating between HTTP (`POST .../sources/:source/rows`)
 * and its own publish WebSocket (`.../sources/:source/publish`). Subscribers mirror the `aj` view
 * and the two sources' `blinkToAppendOnly` histories; after every cycle the aj view equals the
 * as-of join recomputed here, in plain code, from the two histories at that cycle, and each
 * history holds exactly the rows acknowledged for a cycle up to it (rows acknowledged for both
 * sources before a cycle appear in that cycle together).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WS from "ws";
import type { Subscription, TickflareClient } from "../../src/client/index.ts";
import { connect } from "../../src/client/index.ts";
import type { DevServer } from "./dev-server.ts";
import { startSecured } from "./dev-server.ts";

const SPEC = {
  sources: {
    trades: { columns: { Sym: "string", Ts: "instant", Size: "int32" } },
    quotes: { columns: { Sym: "string", QuoteTs: "instant", Bid: "float64" } },
  },
  cycleMs: 100,
  derived: {
    tradeLog: "blinkToAppendOnly(trades)",
    quoteLog: "blinkToAppendOnly(quotes)",
    enriched: 'tradeLog.aj(quoteLog, "Sym, Ts >= QuoteTs", "Bid, QuoteTs")',
  },
};
const SYMS = ["AAPL", "MSFT", "GOOG"];
const T0 = 1_700_000_000_000_000_000n;
const BATCHES = 24;
const PER = 12;

type Row = Record<string, unknown>;

/** Quote batch `b`: one quote per symbol, stamps unique per symbol and increasing. */
function quotes(b: number): Row[] {
  return SYMS.map((Sym, s) => ({
    Sym,
    QuoteTs: String(T0 + BigInt(b * 1000 + s * 7)),
    Bid: 100 + b + s / 4,
  }));
}

/** Trade batch `b`: stamps spread around the quotes' (before the first, between, after the last). */
function trades(b: number): Row[] {
  return Array.from({ length: PER }, (_, i) => ({
    Sym: SYMS[(b + i) % SYMS.length],
    Ts: String(T0 + BigInt(((b * 7919 + i * 104729) % (BATCHES * 1000 + 500)) - 500)),
    Size: b * PER + i,
  }));
}

/** The as-of join of `tradeRows` on `quoteRows`: per trade, the quote of its symbol with the greatest stamp at or before it. */
function asOf(tradeRows: readonly Row[], quoteRows: readonly Row[]): Row[] {
  return tradeRows.map((t) => {
    let best: Row | null = null;
    for (const q of quoteRows) {
      if (q.Sym !== t.Sym || (q.QuoteTs as bigint) > (t.Ts as bigint)) continue;
      if (best === null || (q.QuoteTs as bigint) > (best.QuoteTs as bigint)) best = q;
    }
    return { ...t, Bid: best?.Bid ?? null, QuoteTs: best?.QuoteTs ?? null };
  });
}

let server: DevServer;
let tf: TickflareClient;
let token: string;

beforeAll(async () => {
  ({ server, token } = await startSecured("e2e-*"));
  tf = connect(server.url, { token });
}, 120_000);

afterAll(async () => {
  await server?.dispose();
}, 60_000);

/** A publish WebSocket for one source; `send` resolves with the ack of its frame. */
async function publishSocket(name: string, source: string) {
  const url = `${server.url.replace("http", "ws")}/v1/tables/${name}/sources/${source}/publish?token=${token}`;
  const ws = new WS(url);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const waiting = new Map<number, (m: Row) => void>();
  ws.on("message", (data) => {
    const m = JSON.parse(String(data)) as Row;
    waiting.get(m.seq as number)?.(m);
  });
  let seq = 0;
  return {
    send(rows: Row[], key: string): Promise<Row> {
      const s = ++seq;
      return new Promise((resolve) => {
        waiting.set(s, resolve);
        ws.send(JSON.stringify({ rows, idempotencyKey: key }));
      });
    },
    close: () => ws.close(1000, "done"),
  };
}

async function postRows(name: string, source: string, rows: Row[], key: string): Promise<Row> {
  const res = await fetch(`${server.url}/v1/tables/${name}/sources/${source}/rows`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${token}`,
      "Content-Type": "application/json",
      "Idempotency-Key": key,
    },
    body: JSON.stringify(rows),
  });
  expect(res.status, await res.clone().text()).toBe(202);
  return (await res.json()) as Row;
}

/** Every state a subscription's mirror went through: its rows after each applied cycle. */
async function recorded(name: string, view: string) {
  const states: { cycle: number; rows: Row[] }[] = [];
  let sub: Subscription | null = null;
  sub = await tf.subscribe(name, view, {
    format: "json",
    timeoutMs: 60_000,
    onUpdate: (e) => states.push({ cycle: e.cycle, rows: sub?.table.toRows() ?? [] }),
  });
  // The first snapshot may have been applied before `sub` was assigned.
  states.push({ cycle: sub.cycle, rows: sub.table.toRows() });
  return { sub, states };
}

/** The rows a recorded view held at `cycle`: its last state at or before it. */
function at(states: readonly { cycle: number; rows: Row[] }[], cycle: number): Row[] {
  let rows: Row[] = [];
  let seen = -1;
  for (const s of states) {
    if (s.cycle <= cycle && s.cycle >= seen) {
      rows = s.rows;
      seen = s.cycle;
    }
  }
  return rows;
}

describe("a family with two sources against wrangler dev", () => {
  it("trades and quotes published concurrently; after every cycle the aj equals the recomputed as-of join", async () => {
    const name = "e2e-fx";
    expect((await tf.createTable(name, SPEC)).created).toBe(true);
    const views = {
      enriched: await recorded(name, "enriched"),
      tradeLog: await recorded(name, "tradeLog"),
      quoteLog: await recorded(name, "quoteLog"),
    };
    const tradeSock = await publishSocket(name, "trades");
    const quoteSock = await publishSocket(name, "quotes");
    // Acknowledged cycle and row count of every batch, per source.
    const acked: Record<"trades" | "quotes", { cycle: number; rows: number }[]> = {
      trades: [],
      quotes: [],
    };
    const pace = () => new Promise((r) => setTimeout(r, 15)); // spread batches over cycles
    const run = async (source: "trades" | "quotes", make: (b: number) => Row[]) => {
      const sock = source === "trades" ? tradeSock : quoteSock;
      for (let b = 0; b < BATCHES; b++) {
        const rows = make(b);
        const key = `${source}-${b}`;
        const ack =
          b % 2 === 0 ? await postRows(name, source, rows, key) : await sock.send(rows, key);
        expect(ack).toMatchObject({ accepted: rows.length, duplicate: false });
        acked[source].push({ cycle: ack.cycle as number, rows: rows.length });
        await pace();
      }
    };
    await Promise.all([run("trades", trades), run("quotes", quotes)]);
    tradeSock.close();
    quoteSock.close();
    const last = Math.max(...[...acked.trades, ...acked.quotes].map((a) => a.cycle));
    // A view gets a delta only for cycles that change it: each history changes at the last cycle
    // its source's batches were acknowledged for, and the aj at least at the trades' last one
    // (new left rows). A later quote-only cycle may leave the aj unchanged (nothing is sent), so
    // the aj is complete once it shows the join of the final histories.
    const lastOf = (s: "trades" | "quotes") => Math.max(...acked[s].map((a) => a.cycle));
    await Promise.all([
      views.tradeLog.sub.waitForCycle(lastOf("trades"), 60_000),
      views.quoteLog.sub.waitForCycle(lastOf("quotes"), 60_000),
      views.enriched.sub.waitForCycle(lastOf("trades"), 60_000),
    ]);
    const text = (rows: Row[]) =>
      JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? `${v}n` : v));
    const joined = text(asOf(views.tradeLog.sub.table.toRows(), views.quoteLog.sub.table.toRows()));
    const deadline = Date.now() + 60_000;
    while (text(views.enriched.sub.table.toRows()) !== joined) {
      if (Date.now() > deadline)
        throw new Error("the aj never showed the join of the final histories");
      await new Promise((r) => setTimeout(r, 50));
    }

    const cycles = [...new Set(Object.values(views).flatMap((v) => v.states.map((s) => s.cycle)))];
    cycles.sort((a, b) => a - b);
    expect(cycles.length).toBeGreaterThan(3); // the batches spanned several cycles
    for (const c of cycles) {
      const tradeRows = at(views.tradeLog.states, c);
      const quoteRows = at(views.quoteLog.states, c);
      // Each history holds exactly the rows acknowledged for this cycle or an earlier one.
      const due = (s: "trades" | "quotes") =>
        acked[s].filter((a) => a.cycle <= c).reduce((n, a) => n + a.rows, 0);
      expect({ c, trades: tradeRows.length, quotes: quoteRows.length }).toEqual({
        c,
        trades: due("trades"),
        quotes: due("quotes"),
      });
      expect(at(views.enriched.states, c), `enriched at cycle ${c}`).toEqual(
        asOf(tradeRows, quoteRows),
      );
    }
    const final = at(views.enriched.states, last);
    expect(final).toHaveLength(BATCHES * PER);
    expect(final.filter((r) => r.Bid === null).length).toBeGreaterThan(0); // trades before any quote
    expect(final.filter((r) => r.Bid !== null).length).toBeGreaterThan((BATCHES * PER) / 2);
    for (const v of Object.values(views)) {
      expect(v.sub.stats.duplicates).toBe(0);
      v.sub.close();
    }
  }, 150_000);
});
