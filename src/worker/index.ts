/**
 * The router Worker: HTTP (and later WebSocket) endpoints in front of the TableFamily objects.
 *
 * Uses itty-router's plain `Router` rather than `AutoRouter`/`withParams`: those hand handlers a
 * Proxy around the request, and `stub.fetch(request)` with that Proxy fails (checked against
 * workerd). Objects are reached through typed RPC methods on their stubs; `fetch` is kept for
 * WebSocket upgrades.
 */
import type { IRequest } from "itty-router";
// The Router subpath: only the router, not the whole barrel (and one sourcemap warning, not 17).
import { Router } from "itty-router/Router";

export { TableFamily } from "../durable/table-family.ts";

type Args = [env: Env, ctx: ExecutionContext];

/** Error body shape shared by every endpoint: `{ error, detail }`. */
function errorResponse(status: number, error: string, detail: string): Response {
  return Response.json({ error, detail }, { status });
}

const router = Router<IRequest, Args>({
  catch: (err) => errorResponse(500, "internal", err instanceof Error ? err.message : "unknown"),
});

router
  .get("/health", () => Response.json({ ok: true }))
  .get("/v1/health/:name", async (request, env) => {
    const name = request.params.name ?? "";
    const stub = env.TABLES.get(env.TABLES.idFromName(name));
    return Response.json(await stub.health());
  })
  .all("*", (request) =>
    errorResponse(
      404,
      "not_found",
      `no route for ${request.method} ${new URL(request.url).pathname}`,
    ),
  );

export default {
  fetch: (request, env, ctx) => router.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
