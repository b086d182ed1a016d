/**
 * HTTP plumbing shared by the routes: the `{ error, detail }` error body, HttpError (a refusal
 * thrown anywhere in a handler and answered by the router's `catch`), and CORS headers so the
 * client also runs in browsers on other origins (tokens are bearer tokens, never cookies, so `*`
 * is safe).
 */
import type { RpcResult } from "../durable/errors.ts";

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, detail: string, headers: Record<string, string> = {}) {
    super(detail);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export const CORS_HEADERS: Record<string, string> = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, PUT, POST, DELETE, OPTIONS",
  "Access-Control-Allow-Headers": "Authorization, Content-Type, Idempotency-Key",
  "Access-Control-Expose-Headers":
    "X-Tickflare-Cycle, X-Tickflare-Total, X-Tickflare-Offset, Allow, WWW-Authenticate",
  "Access-Control-Max-Age": "86400",
};

/** Error body shape shared by every endpoint: `{ error, detail }`. */
export function errorResponse(
  status: number,
  error: string,
  detail: string,
  headers: Record<string, string> = {},
): Response {
  return Response.json({ error, detail }, { status, headers });
}

/** A JSON response. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers });
}

/** The value of an RPC result, or an HttpError carrying the object's status and detail. */
export function unwrap<T>(r: RpcResult<T>): T {
  if (r.ok) return r.value;
  throw new HttpError(r.status, r.error, r.detail);
}

/** Adds CORS headers to a response (a WebSocket upgrade is passed through untouched). */
export function withCors(res: Response): Response {
  if (res.status === 101 || res.webSocket) return res;
  const out = new Response(res.body, res);
  for (const [k, v] of Object.entries(CORS_HEADERS)) out.headers.set(k, v);
  return out;
}
