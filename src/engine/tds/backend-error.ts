/**
 * BackendError: a backend failure that says what kind it is (a table, location or column that
 * does not exist, storage laid out against the rules, a remote deployment that refused), as a
 * short `code` and the HTTP `status` that fits it. The `/v1/data` endpoints answer a failure with
 * that status and code (any other failure is `502 backend_failed`), and `HttpBackend` fails with
 * the remote's status and code, so a client sees what went wrong where it went wrong.
 *
 * Backends may fail with anything (an Error, a message); this is how the shipped ones fail.
 */
import { TickflareError } from "../errors.ts";

export class BackendError extends TickflareError {
  /** The HTTP status that fits: 404 for something that does not exist, 400 a bad request, ... */
  readonly status: number;

  constructor(code: string, status: number, message: string, cause?: unknown) {
    super(code, message);
    this.status = status;
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

/**
 * The status and code a failure carries: a BackendError's (brand-checked, so a copy of the
 * engine from another bundle counts), or null for any other failure.
 */
export function backendStatusOf(e: unknown): { status: number; code: string } | null {
  if (!(e instanceof Error)) return null;
  const { status, code } = e as { status?: unknown; code?: unknown };
  if (typeof code !== "string" || typeof status !== "number") return null;
  if (!Number.isInteger(status) || status < 400 || status > 599) return null;
  return { status, code };
}
