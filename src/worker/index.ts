/**
 * The router Worker: the HTTP and WebSocket endpoints in front of the TableFamily objects
 * (docs/protocol.md). It validates what it can before waking an object (route, table and view
 * names, token, media type, body size and syntax, query parameters), reaches objects through
 * typed RPC on their stubs, and forwards only WebSocket upgrades with `fetch`.
 *
 * Uses itty-router's plain `Router` rather than `AutoRouter`/`withParams`: those hand handlers a
 * Proxy around the request, and `stub.fetch(request)` with that Proxy fails (checked against
 * workerd).
 */
import type { IRequest } from "itty-router";
// The Router subpath: only the router, not the whole barrel (and one sourcemap warning, not 17).
import { Router } from "itty-router/Router";
import { released } from "../durable/catalog.ts";
import { engineErrorStatus } from "../durable/errors.ts";
import { isTickflareError } from "../engine/errors.ts";
// The engine's WebAssembly (engine/wasm/engine-wasm.ts: the JSON body scan, the seals of full
// pages, key look-ups in the string cache): Workers compile none from bytes, so wrangler uploads
// the module with the Worker and the isolate's objects use it from here.
import engineModule from "../engine/wasm/engine.wasm";
import { useEngineWasm } from "../engine/wasm/engine-wasm.ts";
import { authorize, requireAuthConfigured } from "./auth.ts";
import { checkOrigin, withCors } from "./cors.ts";
import { dataColumn, dataLocations, dataNotFound, dataSchema, dataSize } from "./data.ts";
import { subscribeData } from "./data-subscribe.ts";
import { errorResponse, HttpError } from "./http.ts";
import { deleteRows, publishRows, publishStream } from "./rows.ts";
import { createTable, deleteTable, describeTable, familyOf, listTables } from "./tables.ts";
import { acceptQuery, tableName } from "./validate.ts";
import { downsampleView, snapshotView, subscribeView } from "./views.ts";

export { Catalog } from "../durable/catalog.ts";
export { Relay } from "../durable/relay.ts";
export { TableFamily } from "../durable/table-family.ts";

useEngineWasm(engineModule);

type Args = [env: Env, ctx: ExecutionContext];

/** Answers a known path with a method it does not serve. */
const notAllowed = (allow: string) => (request: IRequest) =>
  errorResponse(
    405,
    "method_not_allowed",
    `${request.method} is not allowed on ${new URL(request.url).pathname}; allowed: ${allow}`,
    { Allow: allow },
  );

function onError(err: unknown): Response {
  if (err instanceof HttpError)
    return errorResponse(err.status, err.code, err.message, err.headers);
  // An engine error raised in the Worker (a spec checked before it goes on): the status the
  // objects give the same code.
  if (isTickflareError(err))
    return errorResponse(engineErrorStatus(err.code), err.code, err.message);
  const message = err instanceof Error ? err.message : String(err);
  // An object refusing work because it is overloaded is the platform's 503, not our bug.
  if (/overloaded/i.test(message)) return errorResponse(503, "overloaded", message);
  console.error("tickflare: internal error", err);
  return errorResponse(500, "internal", "internal error; see the Worker's logs");
}

const TABLE = "/v1/tables/:name";
const VIEW = "/v1/tables/:name/views/:view";
const SOURCE = "/v1/tables/:name/sources/:source";
/** Table Data Service endpoints (data.ts); `:table`, `:loc` and `:col` are percent-encoded. */
const DATA = "/v1/data/:table";
const LOCATION = `${DATA}/locations/:loc`;

/**
 * Before any route: the origin check and preflights (cors.ts), then the auth configuration (a
 * deployment with AUTH on and no TOKEN_SECRET answers 503 to everything). Every answer, errors
 * included, gets its CORS headers in `finally`.
 */
const router = Router<IRequest, Args>({
  before: [checkOrigin, requireAuthConfigured],
  catch: onError,
  finally: [withCors],
});

router
  .get("/health", () => Response.json({ ok: true }))
  .all("/health", notAllowed("GET"))
  .get("/v1/health/:name", async (request, env) => {
    const name = tableName(request.params.name);
    await authorize(request, env, "admin", name);
    acceptQuery(new URL(request.url), []);
    return Response.json(await released(familyOf(env, name).health()));
  })
  .get("/v1/tables", listTables)
  .all("/v1/tables", notAllowed("GET"))
  .put(TABLE, createTable)
  .get(TABLE, describeTable)
  .delete(TABLE, deleteTable)
  .all(TABLE, notAllowed("GET, PUT, DELETE"))
  .post(`${TABLE}/rows`, publishRows)
  .all(`${TABLE}/rows`, notAllowed("POST"))
  .get(`${TABLE}/publish`, publishStream)
  .all(`${TABLE}/publish`, notAllowed("GET"))
  .post(`${SOURCE}/rows`, publishRows)
  .all(`${SOURCE}/rows`, notAllowed("POST"))
  .post(`${SOURCE}/delete`, deleteRows)
  .all(`${SOURCE}/delete`, notAllowed("POST"))
  .get(`${SOURCE}/publish`, publishStream)
  .all(`${SOURCE}/publish`, notAllowed("GET"))
  .get(VIEW, snapshotView)
  .all(VIEW, notAllowed("GET"))
  .get(`${VIEW}/subscribe`, subscribeView)
  .all(`${VIEW}/subscribe`, notAllowed("GET"))
  .get(`${VIEW}/downsample`, downsampleView)
  .all(`${VIEW}/downsample`, notAllowed("GET"))
  .get(`${DATA}/schema`, dataSchema)
  .all(`${DATA}/schema`, notAllowed("GET"))
  .get(`${DATA}/locations`, dataLocations)
  .all(`${DATA}/locations`, notAllowed("GET"))
  .get(`${LOCATION}/size`, dataSize)
  .all(`${LOCATION}/size`, notAllowed("GET"))
  .get(`${LOCATION}/columns/:col`, dataColumn)
  .all(`${LOCATION}/columns/:col`, notAllowed("GET"))
  .get(`${DATA}/subscribe`, subscribeData)
  .all(`${DATA}/subscribe`, notAllowed("GET"))
  .all("/v1/data/*", dataNotFound)
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
