/**
 * CORS inside workerd: the Worker's fetch handler with the real bindings and CORS_ORIGINS unset
 * (wrangler.toml's default: same origin only), a list, `*`, and malformed lists. Foreign origins
 * that are not allowed get no CORS headers and a 403 (preflights, plain requests and WebSocket
 * handshakes alike) and change nothing; allowed ones get preflights answered and every answer,
 * errors included, readable.
 */
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/worker/index.ts";
import { create, rowsOf, step } from "./router-helpers.ts";

const OWN = "http://tickflare.test";
const APP = "https://app.example.com";
const DEV = "http://localhost:5173";
const EVIL = "https://evil.example";
const T = "cors-t";

function send(path: string, init: RequestInit = {}, vars: Record<string, unknown> = {}) {
  return worker.fetch(
    new Request(`${OWN}${path}`, init) as Request<unknown, IncomingRequestCfProperties>,
    { ...env, ...vars } as Env,
    createExecutionContext(),
  );
}

const preflight = (origin: string, method = "POST") => ({
  method: "OPTIONS",
  headers: {
    Origin: origin,
    "Access-Control-Request-Method": method,
    "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
  },
});

const publishFrom = (origin: string) => ({
  method: "POST",
  headers: { Origin: origin, "Content-Type": "application/json" },
  body: '[{"Sym": "A", "Price": 1, "Size": 1, "Ts": "2024-01-01T00:00:00Z"}]',
});

/** Every `Access-Control-*` header of a response. */
const corsHeaders = (res: Response) =>
  [...res.headers].filter(([k]) => k.toLowerCase().startsWith("access-control-"));

async function expectRefused(res: Response, origin: string) {
  expect(res.status).toBe(403);
  expect(corsHeaders(res)).toEqual([]);
  const body = (await res.json()) as { error: string; detail: string };
  expect(body.error).toBe("origin_not_allowed");
  expect(body.detail).toContain(origin);
  expect(body.detail).toContain("CORS_ORIGINS");
}

beforeAll(async () => {
  await create(T);
});

describe("default: same origin only", () => {
  it("wrangler.toml allows no foreign origin", () => {
    expect(env.CORS_ORIGINS).toBe("");
  });

  it("answers requests without an Origin (Node, Deno, curl) without CORS headers", async () => {
    const res = await send(`/v1/tables/${T}`);
    expect(res.status).toBe(200);
    expect(corsHeaders(res)).toEqual([]);
    expect(res.headers.get("Vary")).toBe("Origin");
  });

  it("answers the deployment's own origin", async () => {
    const res = await send(`/v1/tables/${T}`, { headers: { Origin: OWN } });
    expect(res.status).toBe(200);
    expect(corsHeaders(res)).toEqual([]);
  });

  it("refuses a foreign origin's preflight, request and WebSocket, and changes nothing", async () => {
    await expectRefused(await send(`/v1/tables/${T}/rows`, preflight(EVIL)), EVIL);
    await expectRefused(await send(`/v1/tables/${T}/rows`, publishFrom(EVIL)), EVIL);
    await expectRefused(await send("/health", { headers: { Origin: EVIL } }), EVIL);
    const sub = await send(`/v1/tables/${T}/views/all/subscribe`, {
      headers: { Origin: EVIL, Upgrade: "websocket" },
    });
    expect(sub.webSocket).toBeFalsy();
    await expectRefused(sub, EVIL);
    const pub = await send(`/v1/tables/${T}/publish`, {
      headers: { Origin: EVIL, Upgrade: "websocket" },
    });
    expect(pub.webSocket).toBeFalsy();
    await expectRefused(pub, EVIL);
    await expectRefused(
      await send("/v1/tables/cors-new", {
        method: "PUT",
        headers: { Origin: EVIL, "Content-Type": "text/plain" },
        body: "{}",
      }),
      EVIL,
    );
    await step(T);
    expect(await rowsOf(T, "all")).toEqual([]);
    expect((await send("/v1/tables/cors-new")).status).toBe(404);
  });

  it("answers OPTIONS without an Origin with 204 and Allow", async () => {
    const res = await send(`/v1/tables/${T}`, { method: "OPTIONS" });
    expect(res.status).toBe(204);
    expect(res.headers.get("Allow")).toBe("GET, PUT, POST, DELETE, OPTIONS");
    expect(corsHeaders(res)).toEqual([]);
  });
});

describe("CORS_ORIGINS lists origins", () => {
  const vars = { CORS_ORIGINS: ` ${APP}, ${DEV} ` };

  it("answers a listed origin's preflight", async () => {
    for (const origin of [APP, DEV]) {
      const res = await send(`/v1/tables/${T}/rows`, preflight(origin), vars);
      expect(res.status).toBe(204);
      expect(Object.fromEntries(corsHeaders(res))).toEqual({
        "access-control-allow-origin": origin,
        "access-control-allow-methods": "GET, PUT, POST, DELETE, OPTIONS",
        "access-control-allow-headers": "Authorization, Content-Type, Idempotency-Key",
        "access-control-expose-headers":
          "X-Tickflare-Cycle, X-Tickflare-Total, X-Tickflare-Offset, Allow, WWW-Authenticate",
        "access-control-max-age": "86400",
      });
      expect(res.headers.get("Vary")).toBe("Origin");
    }
  });

  it("makes answers and errors readable by a listed origin, and publishes from it", async () => {
    const pub = await send(`/v1/tables/${T}/rows`, publishFrom(APP), vars);
    expect(pub.status).toBe(202);
    expect(pub.headers.get("Access-Control-Allow-Origin")).toBe(APP);
    await step(T);
    const snap = await send(`/v1/tables/${T}/views/all`, { headers: { Origin: APP } }, vars);
    expect(snap.status).toBe(200);
    expect(snap.headers.get("Access-Control-Allow-Origin")).toBe(APP);
    expect(snap.headers.get("Access-Control-Expose-Headers")).toContain("X-Tickflare-Cycle");
    expect(snap.headers.get("Vary")).toBe("Origin");
    expect(snap.headers.get("Access-Control-Allow-Credentials")).toBe(null);
    const missing = await send("/v1/tables/cors-nope", { headers: { Origin: DEV } }, vars);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("Access-Control-Allow-Origin")).toBe(DEV);
  });

  it("still refuses origins it does not list, naming those it does", async () => {
    const res = await send(`/v1/tables/${T}/rows`, preflight(EVIL), vars);
    await expectRefused(res.clone(), EVIL);
    expect(((await res.json()) as { detail: string }).detail).toBe(
      `requests from the origin ${EVIL} are not allowed: this deployment accepts its own origin ` +
        `and ${APP}, ${DEV} (set the variable CORS_ORIGINS to allow others)`,
    );
    // Origins are compared exactly: another scheme or port is another origin.
    await expectRefused(
      await send("/health", { headers: { Origin: "http://app.example.com" } }, vars),
      "http://app.example.com",
    );
    await expectRefused(
      await send("/health", { headers: { Origin: "null" } }, vars),
      "the origin null",
    );
  });

  it("lets a browser read a misconfigured deployment's 503 (preflight first)", async () => {
    const broken = { ...vars, AUTH: "on", TOKEN_SECRET: undefined };
    const pre = await send("/v1/tables", preflight(APP, "GET"), broken);
    expect(pre.status).toBe(204);
    expect(pre.headers.get("Access-Control-Allow-Origin")).toBe(APP);
    const res = await send("/v1/tables", { headers: { Origin: APP } }, broken);
    expect(res.status).toBe(503);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(APP);
    expect(await res.json()).toMatchObject({ error: "auth_misconfigured" });
  });
});

describe('CORS_ORIGINS = "*"', () => {
  const vars = { CORS_ORIGINS: "*" };

  it("allows every origin with a wildcard and no credentials", async () => {
    const pre = await send(`/v1/tables/${T}/rows`, preflight(EVIL), vars);
    expect(pre.status).toBe(204);
    expect(pre.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(pre.headers.get("Access-Control-Allow-Headers")).toContain("Authorization");
    const res = await send(`/v1/tables/${T}`, { headers: { Origin: EVIL } }, vars);
    expect(res.status).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(res.headers.get("Access-Control-Allow-Credentials")).toBe(null);
    expect(res.headers.get("Vary")).toBe(null);
  });
});

describe("a malformed CORS_ORIGINS", () => {
  for (const [list, entry] of [
    [`${APP}/`, `${APP}/`],
    ["app.example.com", "app.example.com"],
    ["HTTPS://APP.EXAMPLE.COM", "HTTPS://APP.EXAMPLE.COM"],
    [`${APP},`, ""],
    [`*, ${APP}`, "*"],
    ["https://app.example.com:443", "https://app.example.com:443"],
    ["ftp://files.example.com", "ftp://files.example.com"],
  ]) {
    it(`"${list}" answers 503 cors_misconfigured naming "${entry}"`, async () => {
      for (const init of [{}, { headers: { Origin: APP } }, preflight(APP)]) {
        const res = await send("/health", init, { CORS_ORIGINS: list });
        expect(res.status).toBe(503);
        expect(corsHeaders(res)).toEqual([]);
        const body = (await res.json()) as { error: string; detail: string };
        expect(body.error).toBe("cors_misconfigured");
        expect(body.detail).toContain(`CORS_ORIGINS entry "${entry}" is not an origin`);
      }
    });
  }
});
