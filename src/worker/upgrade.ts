/**
 * WebSocket upgrades are the only requests forwarded to objects with `fetch` (everything else is
 * RPC). A new Request is built for the object's internal path so the client's query string
 * (including `?token=`) and Authorization header never reach the object.
 */
import { HttpError } from "./http.ts";

export function requireUpgrade(request: Request): void {
  if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
    throw new HttpError(
      426,
      "upgrade_required",
      "this endpoint is a WebSocket: send 'Upgrade: websocket'",
      { Upgrade: "websocket" },
    );
  }
}

export function forwardUpgrade(
  request: Request,
  stub: { fetch(request: Request): Promise<Response> },
  path: string,
  query: URLSearchParams,
): Promise<Response> {
  const headers = new Headers(request.headers);
  headers.delete("Authorization");
  const q = query.toString();
  return stub.fetch(new Request(`https://table-family${path}${q ? `?${q}` : ""}`, { headers }));
}
