/**
 * End to end against the real `wrangler dev` (AUTH on): a Node program reads a table family's
 * append-only history through HttpBackend with Node's own fetch and WebSocket (the token in the
 * socket's query), static and refreshing, while a client publishes; the engine table equals the
 * server's view after every batch.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TickflareClient } from "../../src/client/index.ts";
import { connect } from "../../src/client/index.ts";
import {
  HttpBackend,
  StringTableKey,
  TableDataService,
  UpdateGraph,
} from "../../src/engine/index.ts";
import type { DevServer } from "./dev-server.ts";
import { startSecured } from "./dev-server.ts";

const NAME = "e2e-data";
const SPEC = {
  columns: { Id: "int64", Sym: "string", Price: "float64" },
  cycleMs: 100,
  derived: { all: "blinkToAppendOnly(source)" },
};
const rows = (from: number, n: number) =>
  Array.from({ length: n }, (_, k) => ({ Id: from + k, Sym: `S${(from + k) % 7}`, Price: k / 4 }));

let server: DevServer;
let tf: TickflareClient;
let token: string;

beforeAll(async () => {
  ({ server, token } = await startSecured("e2e-*"));
  tf = connect(server.url, { token });
  await tf.createTable(NAME, SPEC);
}, 120_000);

afterAll(async () => {
  await server?.dispose();
}, 60_000);

async function viewRows() {
  return (await tf.snapshot(NAME, "all", { format: "arrow" })).table.toRows();
}

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("/v1/data over the network", () => {
  it("HttpBackend with Node's fetch and WebSocket reads a family's history as it grows", async () => {
    await tf.publish(NAME, rows(0, 500));
    await until(async () => (await viewRows()).length === 500, "500 rows");
    const key = new StringTableKey(`${NAME}/all`);
    const remote = new HttpBackend(server.url, { token });
    const fixed = await new TableDataService(remote, { pageSize: 128 }).makeTable(key);
    expect(fixed.toRows()).toEqual(await viewRows());

    const graph = new UpdateGraph();
    const t = await new TableDataService(remote, { graph, pageSize: 256 }).makeTable(key, {
      refreshing: true,
    });
    await graph.runCycle();
    expect(t.size).toBe(500);
    for (const [from, n] of [
      [500, 1000],
      [1500, 3],
    ] as const) {
      await tf.publish(NAME, rows(from, n));
      await until(
        async () => {
          await graph.runCycle();
          return t.size === from + n;
        },
        `${from + n} rows`,
      );
      expect(t.toRows()).toEqual(await viewRows());
    }
    expect(remote.openSockets).toBe(1);
    t.close();
    expect(remote.openSockets).toBe(0);

    // Without the token: refused.
    const anonymous = new HttpBackend(server.url);
    await expect(new TableDataService(anonymous).makeTable(key)).rejects.toThrow(
      /table_schema failed: .*\(401 unauthenticated/,
    );
  }, 120_000);
});
