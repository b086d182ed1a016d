/**
 * Request authentication and authorization. Every endpoint except `/health` needs a token whose
 * scopes include the endpoint's scope and whose table glob matches the table, unless the
 * deployment is configured `AUTH = "off"` (the local-development default in wrangler.toml, logged
 * loudly once per isolate). Any other value of AUTH, or none, means tokens are required.
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

/** True when the deployment is explicitly open. */
export function authIsOff(env: AuthEnv): boolean {
  const off = env.AUTH === "off";
  if (off && !warnedOpen) {
    warnedOpen = true;
    console.warn(
      "tickflare: AUTH=off -- every endpoint is open to anyone who can reach this Worker. " +
        "This is the local development default; deployments must set AUTH=on and TOKEN_SECRET.",
    );
  }
  return off;
}

const unauthorized = (error: string, detail: string) =>
  new HttpError(401, error, detail, {
    "WWW-Authenticate": `Bearer realm="tickflare", error="invalid_token"`,
  });

/**
 * Authenticates the request and checks `scope` (and `table`, when the endpoint names one).
 * Throws HttpError 401 (no, malformed, badly signed or expired token) or 403 (wrong scope or
 * table).
 */
export async function authorize(
  request: Request,
  env: AuthEnv,
  scope: Scope,
  table: string | null,
  options: { queryToken?: boolean } = {},
): Promise<Grant> {
  if (authIsOff(env)) return { open: true };
  const secret = env.TOKEN_SECRET;
  if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) {
    console.error("tickflare: AUTH is on but TOKEN_SECRET is missing or shorter than 16 chars");
    throw new HttpError(
      500,
      "auth_misconfigured",
      "the server requires tokens but has no TOKEN_SECRET configured",
    );
  }
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
