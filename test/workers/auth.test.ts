/**
 * Auth inside workerd. The Worker's fetch handler is called with the real bindings (TABLES,
 * CATALOG, DATA) but `AUTH = "on"` (the deployed default in wrangler.toml) and a test
 * TOKEN_SECRET; the rest of the suite runs as the local dev server does (AUTH=off,
 * vitest.config.ts). The auth matrix: every endpoint (HTTP, both WebSockets, `/v1/data`) × every
 * token fault (missing, malformed, unsigned, bad signature, expired, wrong scope, another table's
 * glob) is 401 or 403 with `{error, detail}`, and nothing changed. Then the configuration: auth on
 * without a usable TOKEN_SECRET answers 503 on every endpoint, never open.
 */
import { createExecutionContext, runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/worker/index.ts";
import type { Scope, TokenPayload } from "../../src/worker/token.ts";
import {
  base64urlEncode,
  globMatches,
  mintToken,
  TokenError,
  verifyToken,
} from "../../src/worker/token.ts";
import { data } from "./data-helpers.ts";

const SECRET = "test-secret-0123456789abcdef";
const authEnv = { ...env, AUTH: "on", TOKEN_SECRET: SECRET } as Env;
const T = "authz-t";
const SPEC = {
  columns: { X: "int32" },
  cycleMs: 3_600_000,
  derived: { all: "blinkToAppendOnly(source)" },
};

const now = () => Math.floor(Date.now() / 1000);
const token = (scopes: Scope[], tables = "*", exp = now() + 600, secret = SECRET) =>
  mintToken(secret, { scopes, tables, exp });

function send(path: string, init: RequestInit = {}, e: Env = authEnv): Promise<Response> {
  return worker.fetch(
    new Request(`http://tickflare.test${path}`, init) as Request<
      unknown,
      IncomingRequestCfProperties
    >,
    e,
    createExecutionContext(),
  );
}

interface Endpoint {
  name: string;
  scope: Scope;
  /** Table-less endpoints have no "wrong table" case. */
  table: boolean;
  socket: boolean;
  request: (auth: Record<string, string>) => [string, RequestInit];
  ok: number;
}

const json = { "Content-Type": "application/json" };
const ws = { Upgrade: "websocket" };
const ENDPOINTS: Endpoint[] = [
  {
    name: "PUT /v1/tables/:name",
    scope: "admin",
    table: true,
    socket: false,
    request: (h) => [
      "/v1/tables/authz-new",
      { method: "PUT", headers: { ...json, ...h }, body: JSON.stringify(SPEC) },
    ],
    ok: 201,
  },
  {
    name: "GET /v1/tables",
    scope: "admin",
    table: false,
    socket: false,
    request: (h) => ["/v1/tables", { headers: h }],
    ok: 200,
  },
  {
    name: "GET /v1/tables/:name",
    scope: "read",
    table: true,
    socket: false,
    request: (h) => [`/v1/tables/${T}`, { headers: h }],
    ok: 200,
  },
  {
    name: "POST /v1/tables/:name/rows",
    scope: "publish",
    table: true,
    socket: false,
    request: (h) => [
      `/v1/tables/${T}/rows`,
      { method: "POST", headers: { ...json, ...h }, body: '[{"X": 7}]' },
    ],
    ok: 202,
  },
  {
    name: "GET /v1/tables/:name/publish",
    scope: "publish",
    table: true,
    socket: true,
    request: (h) => [`/v1/tables/${T}/publish`, { headers: { ...ws, ...h } }],
    ok: 101,
  },
  {
    name: "GET /v1/tables/:name/views/:view",
    scope: "read",
    table: true,
    socket: false,
    request: (h) => [`/v1/tables/${T}/views/all`, { headers: h }],
    ok: 200,
  },
  {
    name: "GET /v1/tables/:name/views/:view/subscribe",
    scope: "read",
    table: true,
    socket: true,
    request: (h) => [`/v1/tables/${T}/views/all/subscribe`, { headers: { ...ws, ...h } }],
    ok: 101,
  },
  ...(
    [
      ["schema", data(`${T}/all`, "schema")],
      ["locations", data(`${T}/all`, "locations")],
      ["location size", data(`${T}/all`, "locations", "all", "size")],
      [
        "column values",
        `${data(`${T}/all`, "locations", "all", "columns", "X")}?minRows=1&maxRows=1`,
      ],
    ] as const
  ).map(
    ([what, path]): Endpoint => ({
      name: `GET /v1/data/:table ${what}`,
      scope: "read",
      table: true,
      socket: false,
      request: (h) => [path, { headers: h }],
      ok: 200,
    }),
  ),
  {
    name: "GET /v1/data/:table/subscribe",
    scope: "read",
    table: true,
    socket: true,
    request: (h) => [data(`${T}/all`, "subscribe"), { headers: { ...ws, ...h } }],
    ok: 101,
  },
  {
    name: "GET /v1/health/:name",
    scope: "admin",
    table: true,
    socket: false,
    request: (h) => [`/v1/health/${T}`, { headers: h }],
    ok: 200,
  },
  {
    name: "DELETE /v1/tables/:name",
    scope: "admin",
    table: true,
    socket: false,
    request: (h) => [`/v1/tables/${T}`, { method: "DELETE", headers: h }],
    ok: 200,
  },
];

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
/** A base64url JSON part, as a token or JWT carries it, with no signature. */
const unsigned = (o: unknown) => base64urlEncode(new TextEncoder().encode(JSON.stringify(o)));

/** What the family looks like; compared before and after the rejected requests. */
async function state() {
  const stub = env.TABLES.get(env.TABLES.idFromName(T));
  const d = await stub.describe();
  if (!d.ok) throw new Error(d.detail);
  const created = await env.TABLES.get(env.TABLES.idFromName("authz-new")).describe();
  return {
    cycle: d.value.cycle,
    state: d.value.state,
    pending: d.value.pending,
    all: d.value.views.all!.size,
    created: created.ok,
  };
}

describe("auth on every endpoint", () => {
  let before: Awaited<ReturnType<typeof state>>;

  beforeAll(async () => {
    const admin = bearer(await token(["admin", "publish"]));
    const c = await send(`/v1/tables/${T}`, {
      method: "PUT",
      headers: { ...json, ...admin },
      body: JSON.stringify(SPEC),
    });
    expect(c.status).toBe(201);
    const p = await send(`/v1/tables/${T}/rows`, {
      method: "POST",
      headers: { ...json, ...admin },
      body: '[{"X": 1}]',
    });
    expect(p.status).toBe(202);
    await runDurableObjectAlarm(env.TABLES.get(env.TABLES.idFromName(T)));
    before = await state();
    expect(before).toMatchObject({ cycle: 1, all: 1, created: false });
  });

  const refusals: [string, number, string, (e: Endpoint) => Promise<Record<string, string>>][] = [
    ["no token", 401, "unauthenticated", async () => ({})],
    [
      "a malformed Authorization header",
      401,
      "unauthenticated",
      async () => ({ Authorization: "Basic dXNlcjpwdw==" }),
    ],
    ["a garbage token", 401, "invalid_token", async () => bearer("not.a-token")],
    [
      "an unsigned token",
      401,
      "invalid_token",
      async (e) => bearer(`${unsigned({ scopes: [e.scope], tables: "*", exp: now() + 600 })}.`),
    ],
    [
      "a JWT with alg none",
      401,
      "invalid_token",
      async (e) =>
        bearer(
          `${unsigned({ alg: "none", typ: "JWT" })}.${unsigned({ scopes: [e.scope], tables: "*", exp: now() + 600 })}.`,
        ),
    ],
    [
      "a bad signature",
      401,
      "invalid_token",
      async (e) => bearer(await token([e.scope], "*", now() + 600, "another-secret-0123456789")),
    ],
    [
      "an expired token",
      401,
      "token_expired",
      async (e) => bearer(await token([e.scope], "*", now() - 5)),
    ],
    [
      "the wrong scope",
      403,
      "forbidden",
      async (e) =>
        bearer(await token((["read", "publish", "admin"] as Scope[]).filter((s) => s !== e.scope))),
    ],
    [
      "a glob for other tables that share the name's prefix",
      403,
      "forbidden",
      async (e) => bearer(await token([e.scope], `${T}?*`)),
    ],
    ["the wrong table", 403, "forbidden", async (e) => bearer(await token([e.scope], "other*"))],
  ];

  for (const e of ENDPOINTS) {
    for (const [what, status, error, headers] of refusals) {
      if (status === 403 && what !== "the wrong scope" && !e.table) continue;
      it(`${e.name} with ${what}: ${status}`, async () => {
        const h = await headers(e);
        const tries = [e.request(h)];
        // WebSockets also take the token as ?token= (browsers cannot set headers there).
        const bearerToken = /^Bearer (.+)$/.exec(h.Authorization ?? "")?.[1];
        if (e.socket && bearerToken) {
          const [path, init] = e.request({});
          tries.push([`${path}?token=${encodeURIComponent(bearerToken)}`, init]);
        }
        for (const [path, init] of tries) {
          const res = await send(path, init);
          expect(res.status, path).toBe(status);
          expect(res.webSocket).toBeFalsy();
          const body = (await res.json()) as { error: string; detail: string };
          expect(body.error).toBe(error);
          expect(body.detail.length).toBeGreaterThan(10);
          if (status === 401) expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
          expect(await state()).toEqual(before);
        }
      });
    }
  }

  it("?token= is accepted on WebSocket endpoints only", async () => {
    const read = await token(["read"]);
    const sub = await send(`/v1/tables/${T}/views/all/subscribe?token=${read}`, { headers: ws });
    expect(sub.status).toBe(101);
    sub.webSocket!.accept();
    sub.webSocket!.close();
    const snap = await send(`/v1/tables/${T}/views/all?token=${read}`);
    expect(snap.status).toBe(401);
    const pub = await send(`/v1/tables/${T}/publish?token=${await token(["read"])}`, {
      headers: ws,
    });
    expect(pub.status).toBe(403);
    expect(await state()).toEqual(before);
  });

  it("the list shows only the tables the token's pattern covers", async () => {
    const list = async (tables: string) =>
      (
        (await (
          await send("/v1/tables", { headers: bearer(await token(["admin"], tables)) })
        ).json()) as { tables: { name: string }[] }
      ).tables.map((t) => t.name);
    expect(await list("authz-*")).toContain(T);
    expect(await list("other*")).toEqual([]);
  });

  const misconfigurations: [string, Record<string, unknown>, RegExp][] = [
    ["AUTH on and no TOKEN_SECRET", { AUTH: "on" }, /secret TOKEN_SECRET is not set/],
    ["no AUTH (on) and no TOKEN_SECRET", {}, /secret TOKEN_SECRET is not set/],
    ["an empty TOKEN_SECRET", { AUTH: "on", TOKEN_SECRET: "" }, /TOKEN_SECRET is not set/],
    ["a short TOKEN_SECRET", { AUTH: "on", TOKEN_SECRET: "short" }, /TOKEN_SECRET is shorter/],
    ["AUTH neither on nor off", { AUTH: "of", TOKEN_SECRET: SECRET }, /AUTH is "of"/],
  ];
  for (const [what, vars, detail] of misconfigurations) {
    it(`${what}: every endpoint answers 503 auth_misconfigured, nothing changed`, async () => {
      const {
        AUTH: _a,
        TOKEN_SECRET: _s,
        ...bindings
      } = authEnv as unknown as Record<string, unknown>;
      const e = { ...bindings, ...vars } as unknown as Env;
      // Whatever the token: none, one signed with the short secret, or a valid one.
      const forged = bearer(await token(["admin", "publish", "read"], "*", now() + 600, "short"));
      const valid = bearer(await token(["admin", "publish", "read"]));
      const health: Endpoint["request"] = (h) => ["/health", { headers: h }];
      for (const request of [health, ...ENDPOINTS.map((x) => x.request)]) {
        for (const h of [{}, forged, valid]) {
          const [path, init] = request(h);
          const res = await send(path, init, e);
          expect(res.status, path).toBe(503);
          const body = (await res.json()) as { error: string; detail: string };
          expect(body.error).toBe("auth_misconfigured");
          expect(body.detail).toMatch(detail);
        }
      }
      expect(await state()).toEqual(before);
    });
  }

  // Last: the endpoints with a valid token do what they should (DELETE at the very end).
  it("every endpoint works with the right scope and table", async () => {
    for (const e of ENDPOINTS) {
      const [path, init] = e.request(bearer(await token([e.scope], "authz-?*")));
      const res = await send(path, init);
      expect(res.status, e.name).toBe(e.ok);
      if (res.webSocket) {
        res.webSocket.accept();
        res.webSocket.close();
      }
    }
    const gone = await send(`/v1/tables/${T}`, { headers: bearer(await token(["read"])) });
    expect(gone.status).toBe(404);
  });
});

describe("auth configuration", () => {
  it("only AUTH=off is open: no AUTH means tokens are required", async () => {
    const { AUTH: _a, ...rest } = env as unknown as Record<string, unknown>;
    const noAuth = { ...rest, TOKEN_SECRET: SECRET } as unknown as Env;
    expect((await send("/v1/tables", {}, noAuth)).status).toBe(401);
    const open = { ...env, AUTH: "off" } as Env;
    expect((await send("/v1/tables", {}, open)).status).toBe(200);
  });

  it("/health needs no token", async () => {
    expect((await send("/health")).status).toBe(200);
  });

  it("names the missing secret exactly", async () => {
    const { TOKEN_SECRET: _s, ...rest } = authEnv as unknown as Record<string, unknown>;
    const res = await send("/v1/tables", {}, rest as unknown as Env);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      error: "auth_misconfigured",
      detail:
        "this deployment requires tokens (AUTH is on) but the secret TOKEN_SECRET is not set; " +
        "set it with `wrangler secret put TOKEN_SECRET` (see docs/deploy.md)",
    });
  });
});

describe("tokens", () => {
  it("round-trips a payload and refuses tampering, expiry and bad shapes", async () => {
    const payload: TokenPayload = {
      scopes: ["read", "publish"],
      tables: "trades*",
      exp: now() + 60,
    };
    const t = await mintToken(SECRET, payload);
    expect(t).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(await verifyToken(SECRET, t)).toEqual(payload);
    const [body, sig] = t.split(".") as [string, string];
    const forged = JSON.parse(atob(body.replace(/-/g, "+").replace(/_/g, "/")));
    forged.scopes = ["admin"];
    const forgedBody = btoa(JSON.stringify(forged))
      .replace(/=+$/, "")
      .replace(/\+/g, "-")
      .replace(/\//g, "_");
    await expect(verifyToken(SECRET, `${forgedBody}.${sig}`)).rejects.toMatchObject({
      problem: "bad_signature",
    });
    await expect(verifyToken(SECRET, t, payload.exp)).rejects.toMatchObject({ problem: "expired" });
    await expect(verifyToken(SECRET, "abc")).rejects.toBeInstanceOf(TokenError);
    await expect(mintToken(SECRET, { ...payload, scopes: ["root" as Scope] })).rejects.toThrow(
      /scopes/,
    );
    await expect(mintToken(SECRET, { ...payload, tables: "a b" })).rejects.toThrow(/glob/);
  });

  it("matches table globs", () => {
    expect(globMatches("trades*", "trades")).toBe(true);
    expect(globMatches("trades*", "trades-eu")).toBe(true);
    expect(globMatches("trades*", "xtrades")).toBe(false);
    expect(globMatches("t?", "t1")).toBe(true);
    expect(globMatches("t?", "t12")).toBe(false);
    expect(globMatches("*", "anything")).toBe(true);
    expect(globMatches("a-b", "a-b")).toBe(true);
  });
});
