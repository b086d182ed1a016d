/**
 * HTTP plumbing shared by the routes: the `{ error, detail }` error body, HttpError (a refusal
 * thrown anywhere in a handler and answered by the router's `catch`), and JSON answers. CORS is
 * in cors.ts.
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
