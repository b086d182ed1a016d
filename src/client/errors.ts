/**
 * TickflareClientError: every refusal the client reports. `status` is the HTTP status (0 when
 * there was no HTTP response: a network failure, or an error frame on a WebSocket); `error` and
 * `detail` are the server's `{ error, detail }` (docs/protocol.md, "Errors").
 */
export class TickflareClientError extends Error {
  readonly status: number;
  readonly error: string;
  readonly detail: string;
  constructor(status: number, error: string, detail: string) {
    super(status > 0 ? `${status} ${error}: ${detail}` : `${error}: ${detail}`);
    this.name = "TickflareClientError";
    this.status = status;
    this.error = error;
    this.detail = detail;
  }

  /** Brand check that survives the client being bundled twice. */
  static isClientError(e: unknown): e is TickflareClientError {
    return (
      e instanceof Error &&
      e.name === "TickflareClientError" &&
      typeof (e as { status?: unknown }).status === "number"
    );
  }
}

/** Reads an error response's `{ error, detail }` (or makes one up from the status). */
export async function errorFromResponse(res: Response): Promise<TickflareClientError> {
  let error = `http_${res.status}`;
  let detail = res.statusText || "request failed";
  try {
    const body = (await res.json()) as { error?: unknown; detail?: unknown };
    if (typeof body.error === "string") error = body.error;
    if (typeof body.detail === "string") detail = body.detail;
  } catch {
    // not a JSON error body
  }
  return new TickflareClientError(res.status, error, detail);
}
