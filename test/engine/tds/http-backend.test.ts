/**
 * HttpBackend in plain Node against a scripted server: a fetch that answers from a table of
 * paths, and WebSockets the test drives frame by frame. Covers the requests it makes (paths,
 * escaping, the token), what it makes of the answers (Arrow schemas with partitioning columns,
 * JSON partition values, refusals as BackendErrors with the remote's status and code), and the
 * subscription socket: shared per table, late joiners, per-location failures, reconnecting with
 * backoff and delivering only what is new, giving up, pings, and closing when unused.
 * (The real endpoints are exercised in workerd: test/workers/data-http-backend.test.ts.)
 */
import { tableToIPC } from "apache-arrow";
import { describe, expect, it } from "vitest";
import {
  BackendError,
  HttpBackend,
  intCol,
  newTable,
  StringTableKey,
  StringTableLocationKey,
  stringCol,
  TableDataService,
} from "../../../src/engine/index.ts";
import { schemaToArrow } from "../../../src/engine/tds/data-protocol.ts";
import type { ResponseLike, WebSocketLike } from "../../../src/engine/tds/http-backend.ts";
import type { WebSocketEventLike } from "../../../src/engine/tds/http-subscription.ts";
import { ManualTimer } from "./r2-helpers.ts";

const BASE = "https://remote.test";

class FakeSocket implements WebSocketLike {
  static made: FakeSocket[] = [];
  readonly url: string;
  readonly sent: string[] = [];
  closed: { code?: number; reason?: string } | null = null;
  accepted = false;
  readonly #listeners: Record<string, ((e: WebSocketEventLike) => void)[]> = {};
  constructor(url: string) {
    this.url = url;
    FakeSocket.made.push(this);
  }
  send(data: string): void {
    if (this.closed) throw new Error("closed");
    this.sent.push(data);
  }
  close(code?: number, reason?: string): void {
    this.closed = { code, reason };
  }
  accept(): void {
    this.accepted = true;
  }
  addEventListener(type: string, listener: (e: WebSocketEventLike) => void): void {
    const list = this.#listeners[type] ?? [];
    list.push(listener);
    this.#listeners[type] = list;
  }
  /** The server sends a frame. */
  receive(m: object | string): void {
    const data = typeof m === "string" ? m : JSON.stringify(m);
    for (const l of this.#listeners.message ?? []) l({ data });
  }
  /** The connection drops. */
  drop(code = 1006, reason = ""): void {
    this.closed = { code, reason };
    for (const l of this.#listeners.close ?? []) l({ code, reason });
  }
}

const lastSocket = () => FakeSocket.made[FakeSocket.made.length - 1]!;

const schema = newTable([intCol("X", [])]).toArrow().schema;
const partitions = newTable([stringCol("Sym", [])]).toArrow().schema;

/** A fetch answering from `routes` (path + query -> response), recording every request. */
function server(routes: Record<string, () => ResponseLike | Promise<ResponseLike>>) {
  const requests: { url: string; headers: Record<string, string> }[] = [];
  const fetch = async (url: string, init: { headers: Record<string, string> }) => {
    requests.push({ url, headers: init.headers });
    const path = url.slice(BASE.length);
    const route = routes[path];
    if (!route) {
      return new Response(JSON.stringify({ error: "not_found", detail: `no ${path}` }), {
        status: 404,
      });
    }
    return route();
  };
  return { fetch, requests };
}

const arrow = (bytes: Uint8Array) => () => new Response(bytes);
const json = (body: unknown) => () => Response.json(body);

function call<T>(fn: (ok: (v: T) => void, fail: (e: unknown) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn(resolve, reject));
}

describe("HttpBackend one-shot calls", () => {
  const t = new StringTableKey("fam/hist");
  const s = server({
    "/v1/data/fam%2Fhist/schema?format=arrow": arrow(
      tableToIPC(
        newTable([stringCol("Sym", []), intCol("X", [])])
          .toArrow()
          .slice(0, 0)
          .select(["Sym", "X"]),
        "stream",
      ),
    ),
    "/v1/data/fam%2Fhist/locations": json({
      table: "fam/hist",
      partitionColumns: { Sym: "string" },
      locations: [{ location: "Sym=A/x", partitionValues: { Sym: "A" } }],
    }),
    "/v1/data/fam%2Fhist/locations/Sym%3DA%2Fx/size": json({ size: 3 }),
    "/v1/data/fam%2Fhist/locations/Sym%3DA%2Fx/columns/X?offset=1&minRows=1&maxRows=2": arrow(
      tableToIPC(newTable([intCol("X", [2, 3])]).toArrow(), "stream"),
    ),
  });
  const backend = new HttpBackend(`${BASE}/`, { token: "tok", fetch: s.fetch });
  const loc = new StringTableLocationKey("Sym=A/x");

  it("escapes names, sends the token, and decodes Arrow and JSON answers", async () => {
    const [data, parts] = await call<unknown[]>((ok, fail) =>
      backend.tableSchema(t, (...a) => ok(a), fail),
    );
    // No partitioning metadata: every field is a data column.
    expect((data as typeof schema).fields.map((f) => f.name)).toEqual(["Sym", "X"]);
    expect(parts).toBeNull();
    const locs: [string, unknown][] = [];
    await call<void>((ok, fail) =>
      backend.tableLocations(t, (l, v) => locs.push([String(l), v?.toArray()]), ok, fail),
    );
    expect(locs.map(([l]) => l)).toEqual(["StringTableLocationKey{Sym=A/x}"]);
    expect(JSON.parse(JSON.stringify(locs[0]![1]))).toEqual([{ Sym: "A" }]);
    expect(await call((ok, fail) => backend.tableLocationSize(t, loc, ok, fail))).toBe(3);
    const values = await call<import("apache-arrow").Table>((ok, fail) =>
      backend.columnValues(t, loc, "X", 1, 1, 2, ok, fail),
    );
    expect([...values.getChild("X")!.toArray()]).toEqual([2, 3]);
    expect(s.requests.every((r) => r.headers.Authorization === "Bearer tok")).toBe(true);
  });

  it("reads the partitioning columns from the schema's metadata", async () => {
    const both = server({
      "/v1/data/p/schema?format=arrow": arrow(
        tableToIPC(
          new (await import("apache-arrow")).Table(schemaToArrow(schema, partitions)),
          "stream",
        ),
      ),
    });
    const b = new HttpBackend(BASE, { fetch: both.fetch });
    const [data, parts] = await call<unknown[]>((ok, fail) =>
      b.tableSchema(new StringTableKey("p"), (...a) => ok(a), fail),
    );
    expect((data as typeof schema).fields.map((f) => f.name)).toEqual(["X"]);
    expect((parts as typeof schema).fields.map((f) => f.name)).toEqual(["Sym"]);
  });

  it("refusals are BackendErrors with the remote's status, code and detail", async () => {
    const e = await call((ok, fail) =>
      backend.tableSchema(new StringTableKey("nope"), ok, fail),
    ).catch((x: BackendError) => x);
    expect(e).toBeInstanceOf(BackendError);
    expect(e).toMatchObject({ status: 404, code: "not_found" });
    expect((e as BackendError).message).toBe(
      "no /v1/data/nope/schema?format=arrow (404 not_found from https://remote.test/v1/data/nope/schema?format=arrow)",
    );
    const down = new HttpBackend(BASE, {
      fetch: async () => {
        throw new TypeError("connection refused");
      },
    });
    await expect(
      call((ok, fail) => down.tableLocationSize(t, loc, ok, fail)),
    ).rejects.toMatchObject({ status: 502, code: "remote_unreachable" });
    const garbage = new HttpBackend(BASE, { fetch: async () => new Response("not arrow") });
    await expect(call((ok, fail) => garbage.tableSchema(t, ok, fail))).rejects.toMatchObject({
      code: "bad_response",
    });
    // Keys it cannot name.
    await expect(
      call((ok, fail) => backend.tableSchema({ toString: () => "K" } as never, ok, fail)),
    ).rejects.toMatchObject({ code: "bad_key" });
    // The engine reports them as usual.
    await expect(
      new TableDataService(backend).makeTable(new StringTableKey("nope")),
    ).rejects.toThrow(/StringTableKey\{nope\}: table_schema failed: no \/v1\/data\/nope/);
  });
});

describe("HttpBackend subscriptions", () => {
  function setup(options: { retries?: number; pingMs?: number } = {}) {
    FakeSocket.made = [];
    const timer = new ManualTimer();
    const backend = new HttpBackend(BASE, {
      token: "t k",
      fetch: server({}).fetch,
      WebSocket: FakeSocket,
      timer,
      pingMs: 0,
      retryMs: 100,
      ...options,
    });
    const events: string[] = [];
    const key = new StringTableKey("fam/all");
    const subscribeLocations = (tag = "L") =>
      backend.subscribeToTableLocations(
        key,
        (l, v) =>
          events.push(
            `${tag} loc ${(l as StringTableLocationKey).name} ${JSON.stringify(v?.toArray() ?? null)}`,
          ),
        () => events.push(`${tag} ready`),
        (e) => events.push(`${tag} failed ${(e as Error).message}`),
      );
    const subscribeSize = (name: string, tag = "S") =>
      backend.subscribeToTableLocationSize(
        key,
        new StringTableLocationKey(name),
        (n) => events.push(`${tag} ${name} size ${n}`),
        () => events.push(`${tag} ${name} ok`),
        (e) => events.push(`${tag} ${name} failed ${(e as Error).message}`),
      );
    const flush = () => new Promise((r) => setTimeout(r, 0));
    return { timer, backend, events, subscribeLocations, subscribeSize, flush };
  }

  const hello = (ws: FakeSocket) => {
    ws.receive({ type: "schema", columns: { X: "int32" }, partitionColumns: { Sym: "string" } });
    ws.receive({ type: "location", location: "Sym=A", partitionValues: { Sym: "A" } });
    ws.receive({ type: "ready" });
    ws.receive({ type: "size", location: "Sym=A", size: 2 });
  };

  it("one socket per table; late subscribers hear everything so far", async () => {
    const { backend, events, subscribeLocations, subscribeSize, flush } = setup();
    const stopL = subscribeLocations();
    const stopS = subscribeSize("Sym=A");
    await flush();
    expect(FakeSocket.made).toHaveLength(1);
    const ws = lastSocket();
    expect(ws.url).toBe("wss://remote.test/v1/data/fam%2Fall/subscribe?token=t+k");
    hello(ws);
    ws.receive({ type: "size", location: "Sym=A", size: 2 }); // not larger: ignored
    ws.receive({ type: "size", location: "Sym=A", size: 5 });
    expect(events).toEqual([
      'L loc Sym=A [{"Sym":"A"}]',
      "L ready",
      "S Sym=A size 2",
      "S Sym=A ok",
      "S Sym=A size 5",
    ]);
    events.length = 0;
    const stopL2 = subscribeLocations("L2");
    const stopS2 = subscribeSize("Sym=A", "S2");
    expect(events).toEqual([
      'L2 loc Sym=A [{"Sym":"A"}]',
      "L2 ready",
      "S2 Sym=A size 5",
      "S2 Sym=A ok",
    ]);
    expect(FakeSocket.made).toHaveLength(1);
    // The socket closes with the last subscription.
    for (const stop of [stopL, stopS, stopL2]) stop();
    expect(ws.closed).toBeNull();
    stopS2();
    expect(ws.closed).toEqual({ code: 1000, reason: "unsubscribed" });
    expect(backend.openSockets).toBe(0);
  });

  it("a failure for one location fails its sizes only; a table failure fails everything", async () => {
    const { events, subscribeLocations, subscribeSize, flush } = setup();
    subscribeLocations();
    subscribeSize("Sym=A");
    subscribeSize("Sym=B");
    await flush();
    const ws = lastSocket();
    hello(ws);
    ws.receive({
      type: "failure",
      location: "Sym=A",
      status: 404,
      error: "gone",
      detail: "A went",
    });
    ws.receive({ type: "size", location: "Sym=B", size: 1 });
    subscribeSize("Sym=A", "late");
    ws.receive({ type: "failure", status: 502, error: "backend_failed", detail: "all gone" });
    expect(events.slice(2)).toEqual([
      "S Sym=A size 2",
      "S Sym=A ok",
      "S Sym=A failed A went",
      "S Sym=B size 1",
      "S Sym=B ok",
      "late Sym=A failed A went",
      "L failed all gone",
      "S Sym=B failed all gone",
    ]);
    expect(ws.closed).toMatchObject({ code: 1000 });
  });

  it("reconnects a dropped socket with backoff and delivers only what is new", async () => {
    const { timer, events, subscribeLocations, subscribeSize, flush } = setup();
    subscribeLocations();
    subscribeSize("Sym=A");
    await flush();
    hello(lastSocket());
    events.length = 0;
    lastSocket().drop(1012, "restart");
    expect([...timer.pending.values()].map((t) => t.ms)).toEqual([100]);
    timer.fire();
    await flush();
    expect(FakeSocket.made).toHaveLength(2);
    const ws = lastSocket();
    hello(ws); // everything again: nothing new
    ws.receive({ type: "location", location: "Sym=B", partitionValues: { Sym: "B" } });
    ws.receive({ type: "size", location: "Sym=A", size: 7 });
    expect(events).toEqual(['L loc Sym=B [{"Sym":"B"}]', "S Sym=A size 7"]);
  });

  it("gives up after `retries` failed attempts in a row; a 4xx is not retried", async () => {
    const { timer, events, subscribeLocations, flush } = setup({ retries: 2 });
    subscribeLocations();
    await flush();
    lastSocket().drop();
    timer.fire();
    await flush();
    lastSocket().drop();
    expect([...timer.pending.values()].map((t) => t.ms)).toEqual([200]);
    timer.fire();
    await flush();
    lastSocket().drop(1006, "gone");
    expect(events).toEqual(["L failed the subscription to fam/all closed (1006 gone)"]);
    expect(timer.pending.size).toBe(0);

    // Without a WebSocket constructor, the socket comes from fetch: a 403 fails at once.
    const refusing = new HttpBackend(BASE, {
      fetch: async () =>
        new Response(JSON.stringify({ error: "forbidden", detail: "no" }), { status: 403 }),
      timer,
    });
    const failures: unknown[] = [];
    refusing.subscribeToTableLocations(
      new StringTableKey("x/y"),
      () => {},
      () => {},
      (e) => failures.push(e),
    );
    await flush();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ status: 403, code: "forbidden" });
    expect(timer.pending.size).toBe(0);
  });

  it("pings every pingMs; sockets from fetch are accepted", async () => {
    FakeSocket.made = [];
    const timer = new ManualTimer();
    const ws = new FakeSocket("x");
    const res = { ok: false, status: 101, webSocket: ws } as unknown as ResponseLike;
    const requests: Record<string, string>[] = [];
    const backend = new HttpBackend(BASE, {
      token: "tok",
      fetch: async (_url, init) => {
        requests.push(init.headers);
        return res;
      },
      timer,
      pingMs: 30_000,
    });
    const stop = backend.subscribeToTableLocations(
      new StringTableKey("t"),
      () => {},
      () => {},
      () => {},
    );
    await new Promise((r) => setTimeout(r, 0));
    expect(ws.accepted).toBe(true);
    expect(requests[0]).toMatchObject({ Upgrade: "websocket", Authorization: "Bearer tok" });
    timer.fire();
    timer.fire();
    expect(ws.sent).toEqual(["ping", "ping"]);
    stop();
    expect(timer.pending.size).toBe(0);
  });
});
