/**
 * `GET /v1/tables/:name/views/:view/downsample` inside workerd: the exact min/max pairs per pixel
 * column of a small view split by a key, the same after an ad-hoc `where` and `sort`, and every
 * bad parameter refused with `400 bad_query` naming it (a bad filter `400 bad_formula`; an
 * unknown view is the usual 404).
 */
import { describe, expect, it } from "vitest";
import { call, create, publish, step } from "./router-helpers.ts";

const get = async (path: string) => {
  const res = await call(path);
  return {
    status: res.status,
    cycle: res.headers.get("X-Tickflare-Cycle"),
    body: (await res.json()) as {
      error?: string;
      xType?: string;
      width?: number;
      series: { rows: number }[];
    },
  };
};

const T0 = Date.UTC(2024, 4, 1, 13, 30);
const iso = (ms: number) => new Date(ms).toISOString();

describe("downsample", () => {
  it("answers one min/max pair per pixel column per series, split by a key", async () => {
    await create("ds");
    const rows = [
      ["AAPL", 10, 1, 0],
      ["MSFT", 20, 2, 1000],
      ["AAPL", 12, 3, 2000],
      ["MSFT", 18, 4, 3000],
      ["AAPL", 11, 5, 4000],
    ].map(([Sym, Price, Size, dt]) => ({ Sym, Price, Size, Ts: iso(T0 + (dt as number)) }));
    expect((await publish("ds", rows)).status).toBe(202);
    await step("ds");
    const r = await get("/v1/tables/ds/views/all/downsample?x=Ts&y=Price,Size&by=Sym&width=2");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      cycle: Number(r.cycle),
      x: "Ts",
      xType: "instant",
      by: "Sym",
      width: 2,
      total: 5,
      xMin: T0,
      xMax: T0 + 4000,
      series: [
        { y: "Price", key: "AAPL", rows: 3, min: [10, 11], max: [10, 12] },
        { y: "Price", key: "MSFT", rows: 2, min: [20, 18], max: [20, 18] },
        { y: "Size", key: "AAPL", rows: 3, min: [1, 3], max: [1, 5] },
        { y: "Size", key: "MSFT", rows: 2, min: [2, 4], max: [2, 4] },
      ],
    });
    // Without x: row positions; the default width is 800.
    const byPos = await get("/v1/tables/ds/views/all/downsample?y=Size");
    expect(byPos.body.xType).toBe("position");
    expect(byPos.body.width).toBe(800);
    expect(byPos.body.series[0]!.rows).toBe(5);
    // After where and sort: only AAPL's rows, in descending Size (x is the row position).
    const shaped = await get(
      `/v1/tables/ds/views/all/downsample?y=Size&width=3&where=${encodeURIComponent("Sym == `AAPL`")}&sort=-Size`,
    );
    expect(shaped.status).toBe(200);
    expect(shaped.body).toEqual({
      cycle: Number(shaped.cycle),
      x: null,
      xType: "position",
      by: null,
      width: 3,
      total: 3,
      xMin: 0,
      xMax: 2,
      series: [{ y: "Size", key: null, rows: 3, min: [5, 3, 1], max: [5, 3, 1] }],
    });
  });

  it("refuses bad parameters with 400 bad_query naming the parameter", async () => {
    await create("dsbad");
    const cases: [string, string][] = [
      ["", "y is required: the columns to plot, comma-separated"],
      ["?y=", 'y must name a column, got ""'],
      ["?y=Price,", 'y must be column names separated by commas, got "Price,"'],
      ["?y=Price&y=Size", "query parameter y is repeated"],
      ["?y=Price&width=0", 'width must be an integer from 1 to 4096, got "0"'],
      ["?y=Price&width=wide", 'width must be an integer from 1 to 4096, got "wide"'],
      ["?y=Nope", 'y: no column "Nope"; columns are [Sym, Price, Size, Ts]'],
      ["?y=Sym", 'y: column "Sym" is string; y columns must be numeric'],
      ["?y=Price&x=Sym", 'x: column "Sym" is string; x must be numeric or an instant'],
      ["?y=Price&by=Zzz", 'by: no column "Zzz"; columns are [Sym, Price, Size, Ts]'],
      [
        "?y=Price&widht=5",
        'unknown query parameter "widht" (did you mean "width"?); this endpoint takes x, y, by, width, where, sort',
      ],
      [
        "?y=Price&sort=Nope",
        'sort: no column "Nope" in view "all"; columns are [Sym, Price, Size, Ts]',
      ],
    ];
    for (const [query, detail] of cases) {
      const r = await get(`/v1/tables/dsbad/views/all/downsample${query}`);
      expect({ query, status: r.status, body: r.body }).toEqual({
        query,
        status: 400,
        body: { error: "bad_query", detail },
      });
    }
    const formula = await get("/v1/tables/dsbad/views/all/downsample?y=Price&where=Price%20%3E");
    expect([formula.status, formula.body.error]).toEqual([400, "bad_formula"]);
    const unknown = await get("/v1/tables/dsbad/views/nope/downsample?y=Price");
    expect([unknown.status, unknown.body.error]).toEqual([404, "unknown_view"]);
  });
});
