/**
 * Query parameters inside workerd: every endpoint declares the parameters it takes; any other is
 * `400 bad_query` naming it (and the one meant, for a near miss), before any object changes; bad
 * values of known parameters are refused with their own codes.
 */
import { describe, expect, it } from "vitest";
import { call, create, rowsOf, step } from "./router-helpers.ts";

const errorOf = async (path: string, init?: RequestInit) => {
  const res = await call(path, init);
  return { status: res.status, body: await res.json() };
};
const ws = { headers: { Upgrade: "websocket" } };

describe("query parameters", () => {
  it("an unknown parameter is a 400 naming it, on every endpoint", async () => {
    await create("qp");
    const cases: [string, RequestInit | undefined, string, string][] = [
      [
        "/v1/tables/qp/views/source?fromat=csv",
        undefined,
        "format",
        "format, offset, limit, sort, where, columns",
      ],
      [
        "/v1/tables/qp/views/source/subscribe?fromat=csv",
        ws,
        "format",
        "format, since, sort, where, columns, first, last",
      ],
      ["/v1/data/qp%2Fall/schema?fromat=csv", undefined, "format", "format"],
      [
        "/v1/data/qp%2Fall/locations/all/columns/Size?maxrow=5",
        undefined,
        "maxRows",
        "offset, minRows, maxRows",
      ],
    ];
    for (const [path, init, meant, takes] of cases) {
      const given = new URL(path, "http://x").searchParams.keys().next().value;
      expect(await errorOf(path, init)).toEqual({
        status: 400,
        body: {
          error: "bad_query",
          detail: `unknown query parameter "${given}" (did you mean "${meant}"?); this endpoint takes ${takes}`,
        },
      });
    }
    const none: [string, RequestInit | undefined][] = [
      ["/v1/tables?fromat=csv", undefined],
      ["/v1/tables/qp?fromat=csv", undefined],
      ["/v1/tables/qp?fromat=csv", { method: "DELETE" }],
      ["/v1/tables/qp2?fromat=csv", { method: "PUT", body: '{"columns":{"X":"int32"}}' }],
      ["/v1/tables/qp/rows?fromat=csv", { method: "POST", body: "[]" }],
      ["/v1/tables/qp/publish?fromat=csv", ws],
      ["/v1/health/qp?fromat=csv", undefined],
      ["/v1/data/qp%2Fall/locations?fromat=csv", undefined],
      ["/v1/data/qp%2Fall/locations/all/size?fromat=csv", undefined],
      ["/v1/data/qp%2Fall/subscribe?fromat=csv", ws],
    ];
    for (const [path, init] of none) {
      expect({ path, ...(await errorOf(path, init)) }).toEqual({
        path,
        status: 400,
        body: {
          error: "bad_query",
          detail: 'unknown query parameter "fromat"; this endpoint takes no query parameters',
        },
      });
    }
    // Nothing changed: the family is still there, the other was not created, no rows arrived.
    expect((await call("/v1/tables/qp")).status).toBe(200);
    expect((await call("/v1/tables/qp2")).status).toBe(404);
    await step("qp");
    expect(await rowsOf("qp", "all")).toEqual([]);
  });

  it("names a parameter that is not close to a known one, without a guess", async () => {
    await create("qp-far");
    expect(await errorOf("/v1/tables/qp-far/views/source?rows=5")).toEqual({
      status: 400,
      body: {
        error: "bad_query",
        detail:
          'unknown query parameter "rows"; this endpoint takes format, offset, limit, sort, where, columns',
      },
    });
  });

  it("accepts ?token= everywhere (read on sockets, ignored elsewhere)", async () => {
    await create("qp-token");
    expect((await call("/v1/tables/qp-token?token=x")).status).toBe(200);
    const rows = await call("/v1/tables/qp-token/rows?token=x", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify([{ Sym: "A" }]),
    });
    expect(rows.status).toBe(202);
  });

  it("refuses bad values of known parameters with their own codes", async () => {
    await create("qp-values");
    const base = "/v1/tables/qp-values/views/source";
    expect(await errorOf(`${base}?format=xml`)).toEqual({
      status: 400,
      body: { error: "bad_format", detail: 'format must be json, arrow or csv, got "xml"' },
    });
    expect(await errorOf(`${base}?format=json&format=csv`)).toEqual({
      status: 400,
      body: { error: "bad_format", detail: "query parameter format is repeated" },
    });
    expect(await errorOf(`${base}?offset=-1`)).toEqual({
      status: 400,
      body: {
        error: "bad_offset",
        detail: `offset must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}, got "-1"`,
      },
    });
    expect(await errorOf(`${base}?limit=1000001`)).toEqual({
      status: 400,
      body: {
        error: "bad_limit",
        detail: 'limit must be an integer from 0 to 1000000, got "1000001"',
      },
    });
    expect(await errorOf(`${base}/subscribe?format=csv`, ws)).toEqual({
      status: 400,
      body: { error: "bad_format", detail: 'format must be json or arrow, got "csv"' },
    });
    expect(await errorOf(`${base}/subscribe?since=x`, ws)).toEqual({
      status: 400,
      body: {
        error: "bad_since",
        detail: `since must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}, got "x"`,
      },
    });
  });
});
