/**
 * HostError: a refusal the router maps straight to an HTTP status. RPC results carry errors as
 * values ({ ok: false, status, error, detail }) so nothing reaches the client as an opaque 500.
 */
import { isTickflareError } from "../engine/index.ts";

export class HostError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, detail: string) {
    super(detail);
    this.status = status;
    this.code = code;
  }
}

export type RpcResult<T> =
  | { ok: true; value: T }
  | { ok: false; status: number; error: string; detail: string };

/** Runs `fn`, turning client mistakes into 4xx results; anything else is rethrown. */
export function asResult<T>(fn: () => T): RpcResult<T> {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    const r = errorResult(e);
    if (r) return r;
    throw e;
  }
}

export function errorResult(
  e: unknown,
): { ok: false; status: number; error: string; detail: string } | null {
  if (e instanceof HostError)
    return { ok: false, status: e.status, error: e.code, detail: e.message };
  if (isTickflareError(e)) {
    const status = e.code === "table_failed" ? 409 : 400;
    return { ok: false, status, error: e.code, detail: e.message };
  }
  return null;
}
