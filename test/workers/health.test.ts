/**
 * Platform wiring: the Worker answers, the TableFamily binding resolves, RPC works and the
 * object's SQLite storage is usable. Storage is isolated per test file, not per test, so each
 * test uses its own object name.
 */
import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { TableFamily } from "../../src/durable/table-family.ts";

describe("worker", () => {
  it("answers GET /health", async () => {
    const res = await exports.default.fetch("http://tickflare.test/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it("answers unknown routes with a JSON 404", async () => {
    const res = await exports.default.fetch("http://tickflare.test/nope");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: "not_found" });
  });

  it("forwards GET /v1/health/:name to the object's health() RPC", async () => {
    const id = env.TABLES.idFromName("worker-health");
    const res = await exports.default.fetch("http://tickflare.test/v1/health/worker-health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, object: id.toString() });
  });
});

describe("TableFamily", () => {
  it("answers the health() RPC with its id", async () => {
    const id = env.TABLES.idFromName("rpc-health");
    const stub = env.TABLES.get(id);
    expect(await stub.health()).toEqual({ ok: true, object: id.toString() });
  });

  it("answers fetch /health", async () => {
    const stub = env.TABLES.get(env.TABLES.idFromName("fetch-health"));
    const res = await stub.fetch("http://object/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
  });

  it("has working SQLite storage", async () => {
    const stub = env.TABLES.get(env.TABLES.idFromName("sql-smoke"));
    const rows = await runInDurableObject(stub, (instance, state) => {
      expect(instance).toBeInstanceOf(TableFamily);
      const sql = state.storage.sql;
      sql.exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)");
      sql.exec("INSERT INTO t (k, v) VALUES (?, ?), (?, ?)", 1, "a", 2, "b");
      return sql.exec<{ k: number; v: string }>("SELECT k, v FROM t ORDER BY k").toArray();
    });
    expect(rows).toEqual([
      { k: 1, v: "a" },
      { k: 2, v: "b" },
    ]);
  });
});
