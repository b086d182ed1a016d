/**
 * End to end, against the real `wrangler dev` on a free 127.0.0.1 port (AUTH on, a random
 * secret): a Node client publishes 100,000 rows as JSON and 100,000 as Arrow through the client
 * library; subscribers' mirrors equal the server's snapshots after every cycle; then the dev
 * server is killed mid-stream and started again on the same port and persistence directory, and
 * the subscribers resume with nothing missing and nothing doubled.
 *
 * Robust on a loaded machine: every wait polls against a deadline; nothing sleeps as an
 * assertion. The dev server's process tree is killed at the end whatever happens.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WS from "ws";
import type { Subscription, TickflareClient, WebSocketLike } from "../../src/client/index.ts";
import { connect, TickflareClientError } from "../../src/client/index.ts";
import type { Table } from "../../src/engine/index.ts";
import { col, newTable } from "../../src/engine/index.ts";
import { readContiguous } from "../../src/engine/ops/copy.ts";
import type { DevServer } from "./dev-server.ts";
import { startSecured } from "./dev-server.ts";

const ROWS = 100_000;
const BATCH = 10_000;
const SPEC = {
  columns: { Id: "int64", Sym: "string", Price: "float64", Size: "int32", Ts: "instant" },
  cycleMs: 100,
  derived: {
    all: "blinkToAppendOnly(source)",
    recent: "ringTable(source, 1000)",
    bySym: 'source.view("Sym", "Size").sumBy("Sym")',
  },
};
const SYMS = ["AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "META", "TSLA"];
const T0 = 1_700_000_000_000_000_000n;

/** Row `i` of the stream, as the server will hold it. */
function rowOf(i: number) {
  return {
    Id: BigInt(i),
    Sym: i % 13 === 0 ? null : SYMS[i % SYMS.length]!,
    Price: i % 17 === 0 ? null : 100 + (i % 1000) / 8,
    Size: i % 500,
    Ts: T0 + BigInt(i) * 1_000_123n,
  };
}
const jsonRows = (from: number, n: number) => Array.from({ length: n }, (_, k) => rowOf(from + k));
function arrowTable(from: number, n: number): Table {
  const rows = jsonRows(from, n);
  return newTable(
    Object.entries(SPEC.columns).map(([name, type]) =>
      col(
        name,
        type as never,
        rows.map((r) => r[name as keyof typeof r]),
      ),
    ),
  );
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

/** The server's view contents, read as Arrow (exact int64 and instants). */
async function serverTable(name: string, view: string) {
  const s = await tf.snapshot(name, view, { format: "arrow", limit: 1_000_000 });
  return s.table;
}

/** Retries a call while the server is unreachable (restarting), until the deadline. */
async function retrying<T>(fn: () => Promise<T>, deadlineMs = 120_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  let delay = 50;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      const transient =
        TickflareClientError.isClientError(e) && (e.status === 0 || e.status >= 500);
      if (!transient || Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(1000, delay * 2);
    }
  }
}

/**
 * Row-for-row equality of two tables, fast enough for 200,000 rows after every cycle: compares
 * schemas, then each column as contiguous vectors (values and nulls); on a difference, falls back
 * to a deep comparison of the rows for a readable diff.
 */
function expectSameTable(actual: Table, expected: Table, what: string): void {
  const differs = (): string | null => {
    if (JSON.stringify(actual.columns) !== JSON.stringify(expected.columns)) return "schema";
    if (actual.size !== expected.size) return "size";
    const names = actual.columnNames;
    const a = readContiguous(
      names.map((n) => actual.column(n)),
      actual.rowSet,
    );
    const b = readContiguous(
      names.map((n) => expected.column(n)),
      expected.rowSet,
    );
    for (let j = 0; j < names.length; j++) {
      const x = a[j]!;
      const y = b[j]!;
      for (let i = 0; i < actual.size; i++) {
        const nx = x.valid !== null && x.valid[i] === 0;
        const ny = y.valid !== null && y.valid[i] === 0;
        const u = x.data[i];
        const w = y.data[i];
        // biome-ignore lint/suspicious/noSelfCompare: NaN equals NaN here
        if (nx !== ny || (!nx && u !== w && (u === u || w === w))) {
          return `row ${i}, column ${names[j]}`;
        }
      }
    }
    return null;
  };
  const d = differs();
  if (d !== null)
    expect(actual.toRows(), `${what}: first difference at ${d}`).toEqual(expected.toRows());
}

/** Checks that an append-only mirror holds exactly Ids 0..n-1 in key order. */
function checkPrefix(t: Table): string | null {
  let bad: string | null = null;
  t.rowSet.forEach((k, pos) => {
    if (bad === null && t.getValue("Id", k) !== BigInt(pos))
      bad = `position ${pos} holds Id ${String(t.getValue("Id", k))}`;
  });
  return bad;
}

describe("end to end against wrangler dev", () => {
  it("publishes 100,000 rows as JSON and as Arrow; mirrors equal the server after every cycle", async () => {
    const name = "e2e-stream";
    expect((await tf.createTable(name, SPEC)).created).toBe(true);
    const views = ["all", "recent", "bySym"] as const;
    const subs: [string, Subscription][] = [];
    for (const v of views) {
      for (const format of ["arrow", "json"] as const) {
        subs.push([v, await tf.subscribe(name, v, { format, timeoutMs: 60_000 })]);
      }
    }
    // One more subscriber opens its socket through the client's `webSocket` option: the ws
    // package without permessage-deflate (docs/protocol.md, "Compression").
    const wsSockets: WS[] = [];
    const viaWs = connect(server.url, {
      token,
      webSocket: (u) => {
        const socket = new WS(u, { perMessageDeflate: false });
        wsSockets.push(socket);
        return socket as unknown as WebSocketLike;
      },
    });
    subs.push(["all", await viaWs.subscribe(name, "all", { format: "json", timeoutMs: 60_000 })]);
    let published = 0;
    let checkedCycles = 0;
    for (const format of ["json", "arrow"] as const) {
      for (let b = 0; b < ROWS / BATCH; b++) {
        const data = format === "json" ? jsonRows(published, BATCH) : arrowTable(published, BATCH);
        const ack = await tf.publish(name, data, { idempotencyKey: `${format}-${b}` });
        expect(ack).toMatchObject({ accepted: BATCH, duplicate: false });
        published += BATCH;
        // Every subscribed view changes in the batch's cycle: wait for all mirrors to apply it,
        // then compare each with the server (which only clears the blink source meanwhile).
        await Promise.all(subs.map(([, s]) => s.waitForCycle(ack.cycle, 60_000)));
        for (const v of views) {
          const server = await serverTable(name, v);
          for (const [sv, s] of subs) {
            if (sv !== v) continue;
            // At or after the batch's cycle (a reconnect may have brought a later snapshot).
            expect(s.cycle).toBeGreaterThanOrEqual(ack.cycle);
            expect(s.table.size, `${v} (${s.format}) at cycle ${ack.cycle}`).toBe(server.size);
            expectSameTable(s.table, server, `${v} (${s.format}) at cycle ${ack.cycle}`);
          }
        }
        checkedCycles++;
      }
    }
    expect(checkedCycles).toBe(20);
    const all = subs.find(([v, s]) => v === "all" && s.format === "arrow")![1];
    expect(all.table.size).toBe(2 * ROWS);
    expect(checkPrefix(all.table)).toBeNull();
    expect(all.table.toRows()[2 * ROWS - 1]).toEqual(rowOf(2 * ROWS - 1));
    for (const [, s] of subs) {
      expect(s.stats.duplicates).toBe(0);
      s.close();
    }
    expect(wsSockets.length).toBeGreaterThan(0);
    for (const socket of wsSockets) expect(socket.extensions).toBe("");
  }, 150_000);

  it("the dev server restarts mid-stream; subscribers resume with nothing missing or doubled", async () => {
    const name = "e2e-restart";
    await tf.createTable(name, SPEC);
    const subs = await Promise.all(
      (["arrow", "json"] as const).map((format) =>
        tf.subscribe(name, "all", {
          format,
          minReconnectMs: 100,
          maxReconnectMs: 1000,
          timeoutMs: 60_000,
        }),
      ),
    );
    // After every cycle each mirror holds exactly Ids 0..n-1: nothing missing, nothing doubled.
    const problems: string[] = [];
    const states: string[][] = subs.map(() => []);
    subs.forEach((s, i) => {
      s.onUpdate((e) => {
        const bad = checkPrefix(s.table);
        if (bad) problems.push(`${s.format} at cycle ${e.cycle}: ${bad}`);
      });
      s.onStateChange((st) => states[i]!.push(st));
    });
    const BATCHES = 100;
    const per = ROWS / BATCHES;
    let lastCycle = 0;
    let restarted = false;
    for (let b = 0; b < BATCHES; b++) {
      const data = b % 2 === 0 ? jsonRows(b * per, per) : arrowTable(b * per, per);
      // The same key on every retry: a batch stored before the crash counts once.
      const ack = await retrying(() => tf.publish(name, data, { idempotencyKey: `r-${b}` }));
      lastCycle = Math.max(lastCycle, ack.cycle);
      if (b === 40) {
        // Mid-stream: make sure the subscribers are at least part-way, then crash the server.
        await Promise.all(subs.map((s) => s.waitForCycle(ack.cycle, 60_000)));
        await server.kill();
        await server.start();
        restarted = true;
      }
    }
    expect(restarted).toBe(true);
    await Promise.all(subs.map((s) => s.waitForCycle(lastCycle, 90_000)));
    const server1 = await retrying(() => serverTable(name, "all"));
    const expected = arrowTable(0, ROWS);
    expect(server1.size).toBe(ROWS);
    expectSameTable(server1, expected, "server");
    for (const [i, s] of subs.entries()) {
      expect(s.table.size).toBe(ROWS);
      expectSameTable(s.table, expected, `${s.format} mirror`);
      expect(s.stats.connections, s.format).toBeGreaterThanOrEqual(2);
      expect(states[i]).toContain("reconnecting");
      expect(s.state).toBe("open");
    }
    expect(problems).toEqual([]);
    for (const s of subs) s.close();
  }, 150_000);
});
