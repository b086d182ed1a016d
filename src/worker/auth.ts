/**
 * Request authentication and authorization. Every endpoint except `/health` needs a token whose
 * scopes include the endpoint's scope and whose table glob matches the table, unless the
 * deployment is configured `AUTH = "off"` (only the local dev server is: `npm run dev` passes
 * `--var AUTH:off`; logged loudly once per isolate). wrangler.toml sets `AUTH = "on"`, and no
 * AUTH at all also means on.
 *
 * A deployment with auth on but no usable TOKEN_SECRET cannot check a token, so it refuses every
 * request with `503 auth_misconfigured` naming the missing secret (`requireAuthConfigured`, run
 * before every route); it never falls back to open or to unsigned tokens.
 *
 * Tokens come from `Authorization: Bearer <token>`; WebSocket endpoints also accept `?token=`
 * because browsers cannot set headers on a WebSocket handshake.
 */

import { HttpError } from "./http.ts";
import type { Scope, TokenPayload } from "./token.ts";
import { globMatches, TokenError, verifyToken } from "./token.ts";

/** The variables auth reads. TOKEN_SECRET is a secret (`wrangler secret put`, `.dev.vars`). */
export interface AuthEnv {
  AUTH?: string;
  TOKEN_SECRET?: string;
}

/** What a request is allowed: everything (auth off) or what its token grants. */
export type Grant = { open: true } | { open: false; token: TokenPayload };

/** Minimum secret length: a shorter HMAC key is too easy to guess. */
export const MIN_SECRET_LENGTH = 16;

let warnedOpen = false;
/** Misconfigurations already logged by this isolate (one line each, not one per request). */
const logged = new Set<string>();

function misconfigured(detail: string): HttpError {
  if (!logged.has(detail)) {
    logged.add(detail);
    console.error(`tickflare: refusing every request: ${detail}`);
  }
  return new HttpError(503, "auth_misconfigured", detail);
}

/**
 * The secret tokens are checked with, or null when the deployment is explicitly open. Throws
 * HttpError 503 `auth_misconfigured` when AUTH is neither "on", "off" nor unset, or when auth is
 * on and TOKEN_SECRET is missing or shorter than MIN_SECRET_LENGTH.
 */
export function tokenSecret(env: AuthEnv): string | null {
  if (env.AUTH === "off") {
    if (!warnedOpen) {
      warnedOpen = true;
      console.warn(
        "tickflare: AUTH=off -- every endpoint is open to anyone who can reach this Worker. " +
          "Only the local dev server (npm run dev) runs like this; deployments keep AUTH on.",
      );
    }
    return null;
  }
  if (env.AUTH !== undefined && env.AUTH !== "on") {
    throw misconfigured(`the variable AUTH is "${env.AUTH}"; it must be "on" or "off"`);
  }
  const secret = env.TOKEN_SECRET;
  if (typeof secret !== "string" || secret.length === 0) {
    throw misconfigured(
      "this deployment requires tokens (AUTH is on) but the secret TOKEN_SECRET is not set; " +
        "set it with `wrangler secret put TOKEN_SECRET` (see docs/deploy.md)",
    );
  }
  if (secret.length < MIN_SECRET_LENGTH) {
    throw misconfigured(
      `the secret TOKEN_SECRET is shorter than ${MIN_SECRET_LENGTH} characters; ` +
        "set a longer one with `wrangler secret put TOKEN_SECRET`",
    );
  }
  return secret;
}

/** Router `before` middleware: a misconfigured deployment answers 503 to every request. */
export function requireAuthConfigured(_request: Request, env: AuthEnv): undefined {
  tokenSecret(env);
  return undefined;
}

const unauthorized = (error: string, detail: string) =>
  new HttpError(401, error, detail, {
    "WWW-Authenticate": `Bearer realm="tickflare", error="invalid_token"`,
  });

/**
 * Authenticates the request and checks `scope` (and `table`, when the endpoint names one).
 * Throws HttpError 401 (no, malformed, badly signed or expired token), 403 (wrong scope or
 * table) or 503 (auth on without a usable TOKEN_SECRET).
 */
export async function authorize(
  request: Request,
  env: AuthEnv,
  scope: Scope,
  table: string | null,
  options: { queryToken?: boolean } = {},
): Promise<Grant> {
  const secret = tokenSecret(env);
  if (secret === null) return { open: true };
  let text: string | null = null;
  const header = request.headers.get("Authorization");
  if (header !== null) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m)
      throw unauthorized("unauthenticated", "the Authorization header must be 'Bearer <token>'");
    text = m[1]!;
  } else if (options.queryToken) {
    text = new URL(request.url).searchParams.get("token");
  }
  if (!text) {
    throw unauthorized(
      "unauthenticated",
      options.queryToken
        ? "this endpoint needs a token: 'Authorization: Bearer <token>' or ?token=<token>"
        : "this endpoint needs a token: 'Authorization: Bearer <token>'",
    );
  }
  let token: TokenPayload;
  try {
    token = await verifyToken(secret, text);
  } catch (e) {
    if (e instanceof TokenError) {
      throw unauthorized(e.problem === "expired" ? "token_expired" : "invalid_token", e.message);
    }
    throw e;
  }
  if (!token.scopes.includes(scope)) {
    throw new HttpError(
      403,
      "forbidden",
      `this endpoint needs the "${scope}" scope; the token has [${token.scopes.join(", ")}]`,
    );
  }
  if (table !== null && !globMatches(token.tables, table)) {
    throw new HttpError(
      403,
      "forbidden",
      `the token is for tables matching "${token.tables}", not "${table}"`,
    );
  }
  return { open: false, token };
}

/** True when the grant covers `table` (for filtering lists). */
export function grantCovers(grant: Grant, table: string): boolean {
  return grant.open || globMatches(grant.token.tables, table);
}
