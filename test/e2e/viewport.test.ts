/**
 * End to end against the real `wrangler dev`: viewports over a 1,000,000-row append-only history
 * (docs/protocol.md, "Viewports and ad-hoc views"). Each cycle a viewport subscriber receives only
 * the rows of its viewport (row counts in frames are asserted, never timings); the viewport moves
 * on the same socket sending only newly visible rows; per-subscriber sort and where share one
 * transient table between equal requests (describe shows it) and are released after the
 * subscribers leave; a subscriber whose socket drops resumes with its viewport, sort and where;
 * the transient bound and the query errors answer their documented codes; `sub.table` and
 * `sub.size` are exact after every cycle.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WS from "ws";
import type { TickflareClient, WebSocketLike } from "../../src/client/index.ts";
import { connect } from "../../src/client/index.ts";
import { MAX_TRANSIENT_VIEWS } from "../../src/durable/transients.ts";
import { col, newTable } from "../../src/engine/index.ts";
import { DevServer } from "./dev-server.ts";

const HISTORY = 1_000_000;
const SPEC = {
  columns: { Id: "int32", Price: "float64" },
  cycleMs: 100,
  derived: { history: "blinkToAppendOnly(source)" },
};
const price = (i: number) => (i * 7919) % 1000;
const rowOf = (i: number) => ({ Id: i, Price: price(i) });
const rowsFrom = (from: number, n: number) => Array.from({ length: n }, (_, k) => rowOf(from + k));
function batch(from: number, n: number) {
  const ids = Array.from({ length: n }, (_, k) => from + k);
  return newTable([col("Id", "int32", ids), col("Price", "float64", ids.map(price))]);
}

let server: DevServer;
let tf: TickflareClient;
/** Sockets the client opened (to drop one and watch it resume). */
const clientSockets: WS[] = [];

beforeAll(async () => {
  server = await DevServer.start();
  tf = connect(server.url, {
    webSocket: (u) => {
      const s = new WS(u, { perMessageDeflate: false });
      clientSockets.push(s);
      return s as unknown as WebSocketLike;
    },
  });
}, 120_000);

afterAll(async () => {
  await server?.dispose();
}, 60_000);

/** A raw JSON subscriber collecting parsed messages. */
function rawSocket(path: string) {
  const ws = new WS(`${server.url.replace("http", "ws")}${path}`, { perMessageDeflate: false });
  const messages: Record<string, unknown>[] = [];
  ws.on("message", (data, binary) => {
    if (!binary && String(data) !== "pong") messages.push(JSON.parse(String(data)));
  });
  return { ws, messages };
}

/** A WebSocket handshake the server must refuse: its status and JSON body. */
function refusedUpgrade(path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const ws = new WS(`${server.url.replace("http", "ws")}${path}`, { perMessageDeflate: false });
    ws.on("open", () => {
      ws.close();
      reject(new Error(`${path} upgraded`));
    });
    ws.on("unexpected-response", (_req, res) => {
      let text = "";
      res.on("data", (c: Buffer) => {
        text += String(c);
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    ws.on("error", () => {});
  });
}

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 60_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function historySize(name: string): Promise<number> {
  return (await tf.describe(name)).views.history!.size;
}

/** Publishes `n` rows and waits until the history holds them. */
async function append(name: string, from: number, n: number) {
  await tf.publish(name, batch(from, n));
  await until(async () => (await historySize(name)) === from + n, `${from + n} rows`);
}

describe("viewports over a 1,000,000-row history", () => {
  const name = "viewports";

  it("each cycle sends only the viewport's rows; moves send only newly visible rows", async () => {
    await tf.createTable(name, SPEC);
    for (let i = 0; i < HISTORY; i += 250_000) await tf.publish(name, batch(i, 250_000));
    await until(async () => (await historySize(name)) === HISTORY, "the history", 120_000);

    const path = `/v1/tables/${name}/views/history/subscribe?format=json`;
    const tail = rawSocket(`${path}&first=${HISTORY - 30}&last=${HISTORY + 29}`);
    const head = rawSocket(`${path}&first=0&last=59`);
    await until(() => tail.messages.length > 0 && head.messages.length > 0, "snapshots");
    expect(tail.messages[0]).toMatchObject({ type: "snapshot", total: 30, size: HISTORY });
    expect(tail.messages[0]!.rows).toEqual(rowsFrom(HISTORY - 30, 30));
    expect(head.messages[0]).toMatchObject({ type: "snapshot", total: 60, size: HISTORY });
    expect(head.messages[0]!.rows).toEqual(rowsFrom(0, 60));

    // 10,000 rows appended: the tail viewport gets its 30 empty positions filled, the head
    // viewport only the new size.
    await append(name, HISTORY, 10_000);
    await until(() => tail.messages.length > 1 && head.messages.length > 1, "deltas");
    const dTail = tail.messages[1]!;
    expect(dTail).toMatchObject({
      type: "delta",
      removed: [],
      modified: [],
      size: HISTORY + 10_000,
    });
    expect(dTail.addedRows).toEqual(rowsFrom(HISTORY, 30));
    expect(head.messages[1]).toMatchObject({
      type: "delta",
      added: [],
      removed: [],
      modified: [],
      addedRows: [],
      size: HISTORY + 10_000,
    });

    // Moving the head viewport 20 rows down on the same socket: 20 rows leave, 20 arrive.
    head.ws.send(JSON.stringify({ type: "viewport", first: 20, last: 79 }));
    await until(() => head.messages.length > 2, "the move");
    const moved = head.messages[2]!;
    expect(moved).toMatchObject({ type: "delta", viewport: { first: 20, last: 79 } });
    expect(moved.removed).toEqual(Array.from({ length: 20 }, (_, k) => k));
    expect(moved.addedRows).toEqual(rowsFrom(60, 20));
    tail.ws.close();
    head.ws.close();
  }, 180_000);

  it("client: sub.table and sub.size per cycle; resume keeps viewport, sort and where", async () => {
    let size = await historySize(name);
    const s0 = size;
    const sub = await tf.subscribe(name, "history", {
      format: "arrow",
      viewport: { first: size - 5, last: size + 4 },
    });
    expect(sub.size).toBe(size);
    expect(sub.table.toRows()).toEqual(rowsFrom(size - 5, 5));
    for (const n of [3, 4]) {
      await append(name, size, n);
      await until(() => sub.size === size + n, "the client's size");
      size += n;
      expect(sub.table.toRows()).toEqual(rowsFrom(s0 - 5, Math.min(10, size - s0 + 5)));
    }
    await sub.setViewport(100, 102);
    expect(sub.table.toRows()).toEqual(rowsFrom(100, 3));

    // Sort and where per subscriber, resumed after the socket drops.
    const where = "Id % 1000 == 7";
    const sorted = await tf.subscribe(name, "history", {
      format: "json",
      where,
      sort: [{ column: "Price", order: "desc" }, "Id"],
      viewport: { first: 0, last: 4 },
    });
    const expected = () =>
      rowsFrom(0, size)
        .filter((r) => r.Id % 1000 === 7)
        .sort((a, b) => b.Price - a.Price || a.Id - b.Id);
    expect(sorted.size).toBe(expected().length);
    expect(sorted.table.toRows()).toEqual(expected().slice(0, 5));
    const connections = sorted.stats.connections;
    clientSockets.at(-1)!.terminate();
    await until(() => sorted.stats.connections > connections && sorted.state === "open", "resume");
    await append(name, size, 2000);
    size += 2000;
    await until(() => sorted.size === expected().length, "the resumed size");
    expect(sorted.viewport).toEqual({ first: 0, last: 4 });
    expect(sorted.table.toRows()).toEqual(expected().slice(0, 5));
    sub.close();
    sorted.close();
  }, 120_000);

  it("shares transient tables between equal requests and releases them", async () => {
    const sort = [{ column: "Price", order: "desc" as const }];
    const where = ["Id < 1000", "Price > 500"];
    const a = await tf.subscribe(name, "history", { where, sort, viewport: { first: 0, last: 9 } });
    const b = await tf.subscribe(name, "history", {
      where,
      sort,
      viewport: { first: 5, last: 20 },
    });
    const c = await tf.subscribe(name, "history", { where: "Id < 10", format: "json" });
    const d = await tf.describe(name);
    expect(d.transient.map((t) => [t.where, t.sort, t.subscribers])).toEqual([
      [where, sort, 2],
      [["Id < 10"], [], 1],
    ]);
    expect(c.table.toRows()).toEqual(rowsFrom(0, 10));
    const want = rowsFrom(0, 1000)
      .filter((r) => r.Price > 500)
      .sort((x, y) => y.Price - x.Price || x.Id - y.Id);
    expect(a.table.toRows()).toEqual(want.slice(0, 10));
    expect(b.table.toRows()).toEqual(want.slice(5, 21));
    for (const s of [a, b, c]) s.close();
    await until(async () => (await tf.describe(name)).transient.length === 0, "release");
  }, 60_000);
});

describe("limits and errors", () => {
  const name = "viewport-errors";

  it("answers the transient bound and bad parameters with their codes", async () => {
    await tf.createTable(name, SPEC);
    await append(name, 0, 100);
    const sockets: ReturnType<typeof rawSocket>[] = [];
    for (let i = 0; i < MAX_TRANSIENT_VIEWS; i++) {
      sockets.push(
        rawSocket(
          `/v1/tables/${name}/views/history/subscribe?where=${encodeURIComponent(`Id >= ${i}`)}`,
        ),
      );
    }
    await until(() => sockets.every((s) => s.messages.length > 0), "the snapshots");
    const over = await refusedUpgrade(
      `/v1/tables/${name}/views/history/subscribe?where=${encodeURIComponent("Id >= 999")}`,
    );
    expect(over.status).toBe(409);
    expect((over.body as { error: string }).error).toBe("transient_limit");
    for (const s of sockets) s.ws.close();
    await until(async () => (await tf.describe(name)).transient.length === 0, "release");

    const get = async (q: string) => {
      const res = await fetch(`${server.url}/v1/tables/${name}/views/history?${q}`);
      return [res.status, await res.json()] as const;
    };
    expect(await get("sort=-Price,Id&where=Id%20%3C%2010&columns=Id&offset=2&limit=3")).toEqual([
      200,
      {
        schema: { Id: "int32" },
        cycle: expect.any(Number),
        total: 10,
        offset: 2,
        keys: expect.any(Array),
        rows: rowsFrom(0, 10)
          .sort((x, y) => y.Price - x.Price || x.Id - y.Id)
          .slice(2, 5)
          .map((r) => ({ Id: r.Id })),
      },
    ]);
    const [s1, e1] = await get("where=Price%20%3E%20%60x%60");
    expect(s1).toBe(400);
    expect((e1 as { error: string }).error).toBe("bad_formula");
    expect(await get("sort=Nope")).toEqual([
      400,
      {
        error: "bad_query",
        detail: 'sort: no column "Nope" in view "history"; columns are [Id, Price]',
      },
    ]);
    expect(await get("columns=Id,,Price")).toEqual([
      400,
      { error: "bad_query", detail: 'query parameter columns: "" is not a column name' },
    ]);
    expect(await get("offset=-1")).toEqual([
      400,
      {
        error: "bad_offset",
        detail: 'offset must be an integer from 0 to 9007199254740991, got "-1"',
      },
    ]);
  }, 120_000);
});
