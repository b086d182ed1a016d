/**
 * TableFamily: the Durable Object that hosts one table family (a source plus the derived tables
 * named in its spec). SQLite-backed; cycles will run on alarms. For now it only answers health
 * checks so the platform wiring (binding, migration, RPC, SQL storage) can be tested.
 */
import { DurableObject } from "cloudflare:workers";

/** Result of {@link TableFamily.health}. */
export interface TableFamilyHealth {
  ok: true;
  /** Hex id of this object (`ctx.id.toString()`). */
  object: string;
}

export class TableFamily extends DurableObject<Env> {
  /** RPC: liveness check; returns this object's id. */
  health(): TableFamilyHealth {
    return { ok: true, object: this.ctx.id.toString() };
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/health") {
      return Response.json(this.health());
    }
    return Response.json(
      { error: "not_found", detail: `no route for ${request.method} ${url.pathname}` },
      { status: 404 },
    );
  }
}
