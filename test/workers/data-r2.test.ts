/**
 * R2Backend in workerd against the real (miniflare) R2 bucket bound as DATA: the seed's table in
 * the hive layout, static and refreshing (polls stepped by hand: a manual timer and `refresh()`),
 * row counts from custom metadata (R2's `list` with `include`), parts that change; then the
 * built-in `r2` mount through the `/v1/data` endpoints, and a refreshing table read through
 * HttpBackend from an R2 mount whose polls the test steps.
 */
import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import {
  R2Backend,
  StringTableKey,
  StringTableLocationKey,
  TableDataService,
  UpdateGraph,
} from "../../src/engine/index.ts";
import { mountData } from "../../src/worker/data-registry.ts";
import { record } from "../engine/helpers.ts";
import { keys, locationData, tickerRows } from "../engine/tds/helpers.ts";
import { ipc, ManualTimer, seedR2Table } from "../engine/tds/r2-helpers.ts";
import { cycleUntil, data, remote } from "./data-helpers.ts";
import { call } from "./router-helpers.ts";

function setup(prefix: string) {
  const timer = new ManualTimer();
  const backend = new R2Backend(env.DATA, { prefix, timer });
  const graph = new UpdateGraph();
  return { timer, backend, graph, svc: new TableDataService(backend, { graph }) };
}

const SAMPLE = new StringTableKey("sample");

describe("R2Backend over the DATA bucket", () => {
  it("static: the seed's table from hive-partitioned parts", async () => {
    const { svc } = setup("static/");
    const { addTickerData } = await seedR2Table(env.DATA, "static/sample/");
    await addTickerData("GOOG", "NYSE");
    await addTickerData("MSFT", "BZX");
    await addTickerData("MSFT", "BZX");
    const t = await svc.makeTable(SAMPLE);
    expect(t.toRows()).toEqual([...tickerRows("GOOG", "NYSE"), ...tickerRows("MSFT", "BZX", 2)]);
  });

  it("refreshing: new locations and parts at the next poll, exact after every step", async () => {
    const { timer, backend, graph, svc } = setup("refresh/");
    const { addTickerData } = await seedR2Table(env.DATA, "refresh/sample/");
    await addTickerData("GOOG", "NYSE");
    await addTickerData("MSFT", "BZX");
    const t = await svc.makeTable(SAMPLE, { refreshing: true });
    const rec = record(t);
    await graph.runCycle();
    expect(t.toRows()).toEqual([...tickerRows("GOOG", "NYSE"), ...tickerRows("MSFT", "BZX")]);
    await addTickerData("GOOG", "BZX");
    await addTickerData("MSFT", "BZX");
    expect(timer.fire()).toBe(1); // the poll
    await backend.refresh();
    await cycleUntil(graph, () => t.size === 8);
    expect(rec.updates.at(-1)!.added).toEqual([...keys(1, 2, 4), ...keys(2, 0, 2)]);
    expect(t.toRows()).toEqual([
      ...tickerRows("GOOG", "NYSE"),
      ...tickerRows("MSFT", "BZX", 2),
      ...tickerRows("GOOG", "BZX"),
    ]);
    t.close();
    expect(timer.pending.size).toBe(0);
  });

  it("row counts from a part's `rows` custom metadata, listed with include", async () => {
    const { backend } = setup("meta/");
    await env.DATA.put("meta/sample/_schema.arrow", ipc(locationData().slice(0, 0)));
    await env.DATA.put("meta/sample/part-0.arrow", ipc(locationData()), {
      customMetadata: { rows: "2" },
    });
    const size = await new Promise((ok, fail) =>
      backend.tableLocationSize(SAMPLE, new StringTableLocationKey("all"), ok, fail),
    );
    expect(size).toBe(2);
    expect(backend.cache.parts).toBe(0); // never read
  });

  it("a part that changes fails the table's subscriptions", async () => {
    const { timer, graph, svc } = setup("change/");
    const { addTickerData } = await seedR2Table(env.DATA, "change/sample/");
    await addTickerData("GOOG", "NYSE");
    const t = await svc.makeTable(SAMPLE, { refreshing: true });
    const rec = record(t);
    await graph.runCycle();
    // R2's etag is the content's MD5: the same bytes again are the same part.
    await env.DATA.put(
      "change/sample/Ticker=GOOG/Exchange=NYSE/part-0000.arrow",
      ipc(locationData().slice(0, 1)),
    );
    timer.fire();
    await cycleUntil(graph, () => t.isFailed);
    expect(String(rec.failures[0])).toMatch(/part-0000.arrow" changed .*parts are append-only/);
  });
});

describe("the r2 mount through /v1/data", () => {
  it("serves the DATA bucket's tables as r2/<table>", async () => {
    const { addTickerData } = await seedR2Table(env.DATA, "served/");
    await addTickerData("GOOG", "NYSE");
    await addTickerData("GOOG", "NYSE");
    const loc = "Ticker=GOOG/Exchange=NYSE";
    const json = async (path: string, status = 200) => {
      const res = await call(path);
      expect(res.status, path).toBe(status);
      return res.json();
    };
    expect(await json(data("r2/served", "locations"))).toEqual({
      table: "r2/served",
      partitionColumns: { Ticker: "string", Exchange: "string" },
      locations: [{ location: loc, partitionValues: { Ticker: "GOOG", Exchange: "NYSE" } }],
    });
    expect(await json(data("r2/served", "locations", loc, "size"))).toMatchObject({ size: 4 });
    const res = await call(
      `${data("r2/served", "locations", loc, "columns", "String")}?offset=1&minRows=2&maxRows=2`,
    );
    expect(res.status).toBe(200);
    const { decodeIPC } = await import("../../src/engine/arrow.ts");
    const strings = decodeIPC(new Uint8Array(await res.arrayBuffer())).getChild("String")!;
    expect([...strings]).toEqual(["bar", "foo"]);
    expect(await json(data("r2/nope", "schema"), 404)).toMatchObject({ error: "unknown_table" });
    expect(
      await json(data("r2/served", "locations", "Ticker=X/Exchange=Y", "size"), 404),
    ).toMatchObject({
      error: "unknown_location",
    });
    expect(
      await json(
        `${data("r2/served", "locations", loc, "columns", "Ticker")}?minRows=1&maxRows=1`,
        404,
      ),
    ).toMatchObject({ error: "unknown_column" });
  });

  it("a refreshing table through HttpBackend, the mount's polls stepped by the test", async () => {
    const made: R2Backend[] = [];
    const timer = new ManualTimer();
    const unmount = mountData("r2t", {
      backend: (e) => {
        const b = new R2Backend(e.DATA, { prefix: "r2t/", timer });
        made.push(b);
        return b;
      },
      shared: true, // the test's refresh() calls back from the test's context
    });
    afterAll(unmount);
    const { addTickerData } = await seedR2Table(env.DATA, "r2t/sample/");
    await addTickerData("MSFT", "BZY");
    const graph = new UpdateGraph();
    const t = await new TableDataService(remote(), { graph }).makeTable(
      new StringTableKey("r2t/sample"),
      { refreshing: true },
    );
    await graph.runCycle();
    expect(t.toRows()).toEqual(tickerRows("MSFT", "BZY"));
    await addTickerData("MSFT", "BZY");
    await addTickerData("GOOG", "NYSE");
    await Promise.all(made.map((b) => b.refresh()));
    await cycleUntil(graph, () => t.size === 6);
    expect(t.toRows()).toEqual([...tickerRows("MSFT", "BZY", 2), ...tickerRows("GOOG", "NYSE")]);
    t.close();
  });
});
