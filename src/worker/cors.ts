/**
 * Cross-origin access for browser clients (docs/protocol.md, "CORS"). A deployment serves its
 * own origin (the console at `/`); other origins only when the variable `CORS_ORIGINS` lists them
 * (comma-separated, exactly as browsers send `Origin`, e.g. `https://app.example.com`), or all of
 * them with `*`. Empty or unset: same origin only.
 *
 * Enforced on the server, not only by the browser: a request whose `Origin` header names any
 * other origin is refused with `403 origin_not_allowed` before anything else runs, WebSocket
 * handshakes included (browsers always send `Origin` there and CORS does not apply to them).
 * Clients that send no `Origin` (Node, Deno, curl) are not affected. Tokens travel as bearer
 * headers, never cookies, so no `Access-Control-Allow-Credentials` is ever sent and `*` is safe.
 */
import { HttpError } from "./http.ts";

/** The variable this module reads (a plain `[vars]` entry in wrangler.toml). */
export interface CorsEnv {
  CORS_ORIGINS?: string;
}

/** Which foreign origins may call: any, or those listed. */
type Policy = { any: true } | { any: false; origins: ReadonlySet<string> };

/** Methods and request headers a preflight allows. */
export const ALLOWED_METHODS = "GET, PUT, POST, DELETE, OPTIONS";
export const ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key";
/** Response headers a cross-origin script may read (the client reads the snapshot headers). */
export const EXPOSED_HEADERS =
  "X-Tickflare-Cycle, X-Tickflare-Total, X-Tickflare-Offset, Allow, WWW-Authenticate";
/** How long a browser may cache a preflight answer, in seconds. */
export const PREFLIGHT_MAX_AGE = "86400";

const misconfigured = (detail: string) => new HttpError(503, "cors_misconfigured", detail);

/** Parses CORS_ORIGINS; throws HttpError 503 `cors_misconfigured` naming a bad entry. */
function parsePolicy(text: string): Policy {
  const trimmed = text.trim();
  if (trimmed === "*") return { any: true };
  const origins = new Set<string>();
  if (trimmed === "") return { any: false, origins };
  for (const part of trimmed.split(",")) {
    const entry = part.trim();
    let origin: string | null = null;
    try {
      const url = new URL(entry);
      if (url.protocol === "http:" || url.protocol === "https:") origin = url.origin;
    } catch {
      // reported below
    }
    if (origin !== entry) {
      throw misconfigured(
        `CORS_ORIGINS entry "${entry}" is not an origin as browsers send it: ` +
          "http(s)://host[:port], lower case, no path or trailing slash " +
          "(e.g. https://app.example.com); `*` alone allows every origin",
      );
    }
    origins.add(entry);
  }
  return { any: false, origins };
}

let cached: { text: string; policy: Policy } | null = null;

/** The deployment's policy (parsed once per isolate and value). */
function policyOf(env: CorsEnv): Policy {
  const text = env.CORS_ORIGINS ?? "";
  if (cached?.text !== text) cached = { text, policy: parsePolicy(text) };
  return cached.policy;
}

/** True when `origin` may call: the request's own origin, `*`, or a listed origin. */
function allows(policy: Policy, origin: string, request: Request): boolean {
  if (origin === new URL(request.url).origin) return true;
  return policy.any || policy.origins.has(origin);
}

/**
 * Router `before` middleware: refuses a request from an origin that may not call (403), answers
 * preflights (`OPTIONS`, 204; the CORS headers are added by `withCors`), and lets the rest pass.
 */
export function checkOrigin(request: Request, env: CorsEnv): Response | undefined {
  const policy = policyOf(env);
  const origin = request.headers.get("Origin");
  if (origin !== null && !allows(policy, origin, request)) {
    const listed = policy.any ? [] : [...policy.origins];
    throw new HttpError(
      403,
      "origin_not_allowed",
      `requests from the origin ${origin} are not allowed: this deployment accepts its own origin` +
        (listed.length ? ` and ${listed.join(", ")}` : " only") +
        " (set the variable CORS_ORIGINS to allow others)",
    );
  }
  if (request.method !== "OPTIONS") return undefined;
  const headers: Record<string, string> = { Allow: ALLOWED_METHODS };
  if (origin !== null) {
    headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS;
    headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS;
    headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE;
  }
  return new Response(null, { status: 204, headers });
}

/**
 * Router `finally`: adds `Access-Control-Allow-Origin` (and the exposed headers) to answers for an
 * allowed foreign origin, and `Vary: Origin` whenever the answer depends on it. A WebSocket
 * upgrade is passed through untouched.
 */
export function withCors(res: Response, request: Request, env: CorsEnv): Response {
  if (res.status === 101 || res.webSocket) return res;
  let policy: Policy;
  try {
    policy = policyOf(env);
  } catch {
    return res; // checkOrigin already answered 503 with the reason
  }
  const origin = request.headers.get("Origin");
  const own = origin !== null && origin === new URL(request.url).origin;
  const allowed = origin !== null && !own && allows(policy, origin, request);
  if (!allowed && policy.any) return res;
  const out = new Response(res.body, res);
  if (allowed) {
    out.headers.set("Access-Control-Allow-Origin", policy.any ? "*" : origin);
    out.headers.set("Access-Control-Expose-Headers", EXPOSED_HEADERS);
  }
  if (!policy.any) out.headers.append("Vary", "Origin");
  return out;
}
