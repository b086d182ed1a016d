/**
 * Publish bodies and keys through the router Worker inside workerd: invalid instants and float32
 * values beyond range are 400s naming row and column (JSON, CSV and the publish WebSocket);
 * `text/csv` bodies in the snapshot writer's form (a CSV snapshot published again gives the same
 * rows); idempotency keys reused with another batch are 422 over HTTP and the WebSocket; keys
 * with control or non-ASCII characters are refused the same way on both paths.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { FamilyHost } from "../../src/durable/host.ts";
import type { SqlPort } from "../../src/engine/persist/sql-port.ts";
import { MAX_PUBLISH_BYTES } from "../../src/worker/body.ts";
import { call, create, family, mustOpen, publish, rowsOf, step } from "./router-helpers.ts";

/** Every scalar type, an array type, and a derived view that keeps every row. */
const TYPES = {
  columns: {
    S: "string",
    C: "char",
    B: "bool",
    I: "int32",
    L: "int64",
    F: "float32",
    D: "float64",
    T: "instant",
    Xs: "string[]",
  },
  cycleMs: 3_600_000,
  derived: { all: "blinkToAppendOnly(source)" },
};

const csvPost = (name: string, body: BodyInit, headers: Record<string, string> = {}) =>
  call(`/v1/tables/${name}/rows`, {
    method: "POST",
    headers: { "Content-Type": "text/csv; charset=utf-8", ...headers },
    body,
  });

/** Status and body of a response. */
async function answer(res: Response): Promise<{ status: number; body: Record<string, unknown> }> {
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const pendingRows = async (name: string) =>
  ((await (await call(`/v1/tables/${name}`)).json()) as { pending: { rows: number } }).pending.rows;

describe("values refused with row and column", () => {
  it("invalid instants (fields, offsets, leap seconds) and float32 overflow are 400; nothing is stored", async () => {
    await create("pf-values", TYPES);
    const cases: [unknown[], string][] = [
      [
        [{ T: "2024-05-01T13:30:00Z" }, { T: "2024-05-01T13:99:99Z" }],
        'row 1, column "T": expected instant, got "2024-05-01T13:99:99Z" (minute 99 is out of range 00-59)',
      ],
      [
        [{ T: "2024-05-01T13:30:00+99:99" }],
        'row 0, column "T": expected instant, got "2024-05-01T13:30:00+99:99" (offset +99:99 is out of range (at most ±18:00, minutes 00-59))',
      ],
      [
        [{ T: "2023-02-29T00:00:00Z" }],
        'row 0, column "T": expected instant, got "2023-02-29T00:00:00Z" (day 29 does not exist in February 2023 (2023 is not a leap year))',
      ],
      [
        [{ T: "2016-12-31T23:59:60Z" }],
        'row 0, column "T": expected instant, got "2016-12-31T23:59:60Z" (second 60 is out of range 00-59 (leap seconds are not accepted))',
      ],
      [
        [{ F: 1 }, { F: 2 }, { F: -1e39 }],
        'row 2, column "F": expected float32, got -1e+39 (out of float32 range: largest magnitude 3.4028234663852886e+38)',
      ],
    ];
    for (const [rows, detail] of cases) {
      expect(await answer(await publish("pf-values", rows))).toEqual({
        status: 400,
        body: { error: "bad_value", detail },
      });
    }
    expect(await pendingRows("pf-values")).toBe(0);
    // The edges are accepted: Feb 29 of a leap year, +18:00, the largest float32, its non-finite values.
    const ok = await publish("pf-values", [
      { T: "2024-02-29T23:00:00+18:00", F: 3.4028234663852886e38 },
      { F: "Infinity" },
      { F: "NaN" },
    ]);
    expect(ok.status).toBe(202);
    await step("pf-values");
    expect((await rowsOf("pf-values", "all")).map((r) => [r.T, r.F])).toEqual([
      ["2024-02-29T05:00:00Z", 3.4028234663852886e38],
      [null, "Infinity"],
      [null, "NaN"],
    ]);
  });

  it("specs refuse invalid instants in formula literals and timeTable startTime", async () => {
    const put = (name: string, spec: unknown) =>
      call(`/v1/tables/${name}`, {
        method: "PUT",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(spec),
      });
    const literal = await answer(
      await put("pf-literal", {
        columns: { T: "instant" },
        derived: { late: "source.where(\"T > '2024-05-01T13:99:99Z'\")" },
      }),
    );
    expect(literal.status).toBe(400);
    expect(literal.body.detail).toContain(
      "Invalid instant literal '2024-05-01T13:99:99Z': minute 99 is out of range 00-59 at position 4",
    );
    const start = await answer(
      await put("pf-start", {
        source: { timeTable: "PT1s", startTime: "2024-05-01T25:00:00Z" },
      }),
    );
    expect(start.status).toBe(400);
    expect(start.body.detail).toContain(
      'startTime "2024-05-01T25:00:00Z" is not a valid ISO-8601 instant: hour 25 is out of range 00-23',
    );
  });
});

describe("text/csv publish bodies", () => {
  it("a CSV snapshot published again gives exactly the same rows (every type, nulls, empty strings)", async () => {
    await create("pf-csv-a", TYPES);
    await create("pf-csv-b", TYPES);
    const rows = [
      {
        S: 'a, "quoted"\r\nline',
        C: ",",
        B: true,
        I: -7,
        L: "9007199254740993",
        F: 1.5,
        D: "NaN",
        T: "2024-05-01T13:30:00.123456789Z",
        Xs: ["x", null, ""],
      },
      { S: "", C: '"', B: false, I: 0, L: -1, F: "-Infinity", D: 1e-300, T: null, Xs: [] },
      { S: null, C: null, B: null, I: null, L: null, F: null, D: null, T: null, Xs: null },
    ];
    expect((await publish("pf-csv-a", rows)).status).toBe(202);
    await step("pf-csv-a");
    const csv = await (await call("/v1/tables/pf-csv-a/views/all?format=csv")).text();
    // The empty string is written quoted, null as nothing.
    expect(csv).toContain('\r\n"","""",false,0,-1,-Infinity,1e-300,,[]\r\n,,,,,,,,\r\n');
    const res = await csvPost("pf-csv-b", csv);
    expect(await answer(res)).toEqual({
      status: 202,
      body: { accepted: 3, cycle: 1, duplicate: false },
    });
    await step("pf-csv-b");
    const back = await rowsOf("pf-csv-b", "all");
    expect(back).toEqual(await rowsOf("pf-csv-a", "all"));
    expect(back[1]!.S).toBe("");
    expect(back[2]!.S).toBeNull();
  });

  it("columns in any order, some left out (null); LF line ends; a header alone is an empty batch", async () => {
    await create("pf-csv-order", TYPES);
    const res = await csvPost("pf-csv-order", "I,S\n1,x\n2,\n");
    expect(await answer(res)).toEqual({
      status: 202,
      body: { accepted: 2, cycle: 1, duplicate: false },
    });
    expect(await answer(await csvPost("pf-csv-order", "I,S\r\n"))).toEqual({
      status: 202,
      body: { accepted: 0, cycle: 1, duplicate: false },
    });
    await step("pf-csv-order");
    expect((await rowsOf("pf-csv-order", "all")).map((r) => [r.I, r.S, r.T])).toEqual([
      [1, "x", null],
      [2, null, null],
    ]);
  });

  it("refuses bad CSV with 400 naming the row and line or column; nothing is stored", async () => {
    await create("pf-csv-bad", TYPES);
    const cases: [BodyInit, string, string][] = [
      ["", "bad_csv", "the CSV body is empty; expected a header row"],
      ["I,S\r\n1,a\r\n2\r\n", "bad_csv", "row 1 (line 3): 1 field, but the header has 2"],
      ['I,S\r\n1,"open\r\n', "bad_csv", "row 0 (line 2): a quoted field is not closed"],
      ["I,I\r\n1,2\r\n", "bad_csv", 'the CSV header (line 1): column "I" appears twice'],
      [
        "I,Nope\r\n1,2\r\n",
        "bad_value",
        'the CSV header names unknown column "Nope"; columns are [S, C, B, I, L, F, D, T, Xs]',
      ],
      ["I,S\r\n1,a\r\n1.5,b\r\n", "bad_value", 'row 1, column "I": expected int32, got 1.5'],
      [
        "T\r\n2024-05-01T13:99:99Z\r\n",
        "bad_value",
        'row 0, column "T": expected instant, got "2024-05-01T13:99:99Z" (minute 99 is out of range 00-59)',
      ],
      [
        "F\r\n1e39\r\n",
        "bad_value",
        'row 0, column "F": expected float32, got 1e+39 (out of float32 range: largest magnitude 3.4028234663852886e+38)',
      ],
      [new Uint8Array([0x49, 0x0a, 0xff, 0x0a]), "bad_body", "the body is not valid UTF-8"],
    ];
    for (const [body, error, detail] of cases) {
      expect(await answer(await csvPost("pf-csv-bad", body))).toEqual({
        status: 400,
        body: { error, detail },
      });
    }
    expect(await pendingRows("pf-csv-bad")).toBe(0);
    const big = new Uint8Array(MAX_PUBLISH_BYTES + 1).fill(0x31);
    expect((await answer(await csvPost("pf-csv-bad", big))).status).toBe(413);
  });
});

describe("idempotency keys", () => {
  it("HTTP: the same key and body answer the first acknowledgement; another body is 422, nothing stored", async () => {
    await create("pf-idem", TYPES);
    const key = { "Idempotency-Key": "batch-7" };
    const first = await answer(await publish("pf-idem", [{ I: 1 }, { I: 2 }], key));
    expect(first).toEqual({ status: 202, body: { accepted: 2, cycle: 1, duplicate: false } });
    // The same rows, as NDJSON: the same batch.
    const nd = await call("/v1/tables/pf-idem/rows", {
      method: "POST",
      headers: { "Content-Type": "application/x-ndjson", ...key },
      body: '{"I":1}\n{"I":2}\n',
    });
    expect(await answer(nd)).toEqual({
      status: 202,
      body: { accepted: 2, cycle: 1, duplicate: true },
    });
    expect(await answer(await publish("pf-idem", [{ I: 3 }], key))).toEqual({
      status: 422,
      body: {
        error: "idempotency_key_reused",
        detail:
          'idempotency key "batch-7" was used for a different batch; nothing was stored (use a new key for a new batch)',
      },
    });
    expect((await answer(await csvPost("pf-idem", "I\r\n1\r\n2\r\n", key))).status).toBe(422);
    expect(await pendingRows("pf-idem")).toBe(2);
    // CSV bodies take keys too.
    const ck = { "Idempotency-Key": "csv-1" };
    expect((await answer(await csvPost("pf-idem", "I\r\n5\r\n", ck))).body).toMatchObject({
      duplicate: false,
    });
    expect((await answer(await csvPost("pf-idem", "I\r\n5\r\n", ck))).body).toMatchObject({
      duplicate: true,
    });
    await step("pf-idem");
    expect((await rowsOf("pf-idem", "all")).map((r) => r.I)).toEqual([1, 2, 5]);
  });

  it("HTTP: keys with control characters are refused naming the character", async () => {
    await create("pf-idem-bad", TYPES);
    // A tab is the one control character a header value may carry.
    const res = await publish("pf-idem-bad", [{ I: 1 }], { "Idempotency-Key": "tab\there" });
    expect(await answer(res)).toEqual({
      status: 400,
      body: {
        error: "bad_idempotency_key",
        detail:
          "Idempotency-Key has U+0009 (a control character) at position 3; it must be 1 to 256 printable ASCII characters (space to ~)",
      },
    });
    expect(await pendingRows("pf-idem-bad")).toBe(0);
  });

  it("publish WebSocket: keys validated as the header is; a reused key with another batch is refused", async () => {
    await create("pf-ws", TYPES);
    const p = await mustOpen("/v1/tables/pf-ws/publish");
    const frame = (rows: unknown[], idempotencyKey?: unknown) =>
      p.ws.send(JSON.stringify(idempotencyKey === undefined ? rows : { rows, idempotencyKey }));
    const rule = "it must be 1 to 256 printable ASCII characters (space to ~)";
    frame([{ I: 1 }], "a\u0000b");
    frame([{ I: 1 }], "bell\u0007");
    frame([{ I: 1 }], "naïve");
    frame([{ I: 1 }], "");
    frame([{ I: 1 }], "k".repeat(257));
    frame([{ I: 1 }], 42);
    frame([{ I: 1 }], "w-1");
    frame([{ I: 1 }], "w-1");
    frame([{ I: 2 }], "w-1");
    frame([{ T: "2024-05-01T13:30:00+99:99" }]);
    frame([{ I: 3 }]);
    await p.frameCount(11);
    expect(p.messages()).toEqual([
      {
        type: "error",
        seq: 1,
        error: "bad_idempotency_key",
        detail: `frame 1: idempotencyKey has U+0000 (a control character) at position 1; ${rule}`,
      },
      {
        type: "error",
        seq: 2,
        error: "bad_idempotency_key",
        detail: `frame 2: idempotencyKey has U+0007 (a control character) at position 4; ${rule}`,
      },
      {
        type: "error",
        seq: 3,
        error: "bad_idempotency_key",
        detail: `frame 3: idempotencyKey has U+00EF (not ASCII) at position 2; ${rule}`,
      },
      {
        type: "error",
        seq: 4,
        error: "bad_idempotency_key",
        detail: `frame 4: idempotencyKey is empty; ${rule}`,
      },
      {
        type: "error",
        seq: 5,
        error: "bad_idempotency_key",
        detail: `frame 5: idempotencyKey has 257 characters; ${rule}`,
      },
      {
        type: "error",
        seq: 6,
        error: "bad_idempotency_key",
        detail:
          "frame 6: idempotencyKey must be a string of 1 to 256 printable ASCII characters (space to ~), got a number",
      },
      { type: "ack", seq: 7, accepted: 1, cycle: 1, duplicate: false },
      { type: "ack", seq: 8, accepted: 1, cycle: 1, duplicate: true },
      {
        type: "error",
        seq: 9,
        error: "idempotency_key_reused",
        detail:
          'idempotency key "w-1" was used for a different batch; nothing was stored (use a new key for a new batch)',
      },
      {
        type: "error",
        seq: 10,
        error: "bad_value",
        detail:
          'row 0, column "T": expected instant, got "2024-05-01T13:30:00+99:99" (offset +99:99 is out of range (at most ±18:00, minutes 00-59))',
      },
      { type: "ack", seq: 11, accepted: 1, cycle: 1, duplicate: false },
    ]);
    // A key used over the WebSocket is the same key over HTTP.
    expect(await answer(await publish("pf-ws", [{ I: 1 }], { "Idempotency-Key": "w-1" }))).toEqual({
      status: 202,
      body: { accepted: 1, cycle: 1, duplicate: true },
    });
    await step("pf-ws");
    expect((await rowsOf("pf-ws", "all")).map((r) => r.I)).toEqual([1, 3]);
    p.ws.close();
  });

  it("an object whose key table predates digests gains the column in workerd's SQLite", async () => {
    await create("pf-migrate", TYPES);
    const columns = await runInDurableObject(family("pf-migrate"), (_instance, state) => {
      const sql = state.storage.sql;
      sql.exec("DROP TABLE host_idem");
      sql.exec(
        "CREATE TABLE host_idem (key TEXT PRIMARY KEY, accepted INTEGER NOT NULL, cycle INTEGER NOT NULL, at INTEGER NOT NULL)",
      );
      sql.exec("INSERT INTO host_idem VALUES ('old', 1, 1, 0)");
      new FamilyHost(sql as unknown as SqlPort);
      return sql.exec("SELECT key, digest FROM host_idem").toArray();
    });
    expect(columns).toEqual([{ key: "old", digest: null }]);
  });
});

describe("JSON bodies reach the object as text", () => {
  it("escapes, unicode, a byte order mark, -0, exponents and int64 strings publish as parsed", async () => {
    await create("pf-json-text", TYPES);
    const body =
      '\uFEFF [ {"S": "a\\"b\\\\c\\u00e9\\n", "C": "\\u00e9", "D": -0, "F": 1.5e2, "L": "-9007199254740993", "I": -2147483648},\r\n' +
      '{"S": "\u65e5\u672c\ud83d\ude00", "D": 1E-7, "L": 9007199254740991, "B": true, "Xs": ["x", null]} ]';
    expect(await answer(await publish("pf-json-text", body))).toEqual({
      status: 202,
      body: { accepted: 2, cycle: 1, duplicate: false },
    });
    await step("pf-json-text");
    expect(await rowsOf("pf-json-text", "all")).toEqual([
      {
        S: 'a"b\\c\u00e9\n',
        C: "\u00e9",
        B: null,
        I: -2147483648,
        L: "-9007199254740993",
        F: 150,
        D: 0,
        T: null,
        Xs: null,
      },
      {
        S: "\u65e5\u672c\ud83d\ude00",
        C: null,
        B: true,
        I: null,
        L: 9007199254740991,
        F: null,
        D: 1e-7,
        T: null,
        Xs: ["x", null],
      },
    ]);
  });

  it("the object refuses JSON text that does not parse (an RPC caller other than the router)", async () => {
    await create("pf-json-rpc", TYPES);
    expect(await family("pf-json-rpc").publish({ json: '[{"I": 1},' })).toEqual({
      ok: false,
      status: 400,
      error: "bad_json",
      detail: `the body is not valid JSON: ${jsonError('[{"I": 1},')}`,
    });
    expect(await family("pf-json-rpc").publish({ json: '{"I": 1}' })).toEqual({
      ok: false,
      status: 400,
      error: "bad_value",
      detail: "the body must be a JSON array of row objects",
    });
    expect(await pendingRows("pf-json-rpc")).toBe(0);
  });
});

/** JSON.parse's message for `text` in this runtime. */
function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`${text} parses`);
}
