/**
 * Helpers for the `/v1/data` tests inside workerd: the seed's InMemoryBackend mounted with the
 * Worker (the tests share the Worker's module instance, so `mountData` here is the Worker's
 * registry), an HttpBackend that reaches the Worker through `exports.default.fetch` (sockets
 * too, by an Upgrade request), and cycles run until reads have landed.
 */
import { exports } from "cloudflare:workers";
import type { InMemoryBackend, UpdateGraph } from "../../src/engine/index.ts";
import { HttpBackend } from "../../src/engine/index.ts";
import type { HttpBackendOptions } from "../../src/engine/tds/http-backend.ts";
import { mountData } from "../../src/worker/data-registry.ts";
import { SAMPLE, seedBackend, TableLocationKeyImpl } from "../engine/tds/helpers.ts";
import { BASE } from "./router-helpers.ts";

/** A data table's path segment. */
export const enc = encodeURIComponent;

/** `/v1/data/<table>/...`, every part escaped. */
export const data = (table: string, ...rest: string[]) =>
  ["/v1/data", ...[table, ...rest].map(enc)].join("/");

/**
 * Mounts the seed's backend as `<mount>`: its table "sample" is `<mount>/sample`, its locations
 * are named as the seed names them (`GOOG:NYSE`). The backend is one object shared by requests.
 */
export function mountSeed(mount: string, backend?: InMemoryBackend) {
  const seed = backend ? { backend, addTickerData: null } : seedBackend();
  const unmount = mountData(mount, {
    backend: () => seed.backend,
    shared: true,
    tableKey: (name) => (name === "sample" && seed.backend.hasTable(SAMPLE) ? SAMPLE : null),
    locationKey: (name) => new TableLocationKeyImpl(name),
    locationName: (key) => (key as TableLocationKeyImpl).key,
  });
  return { ...seed, unmount };
}

/** An HttpBackend reading this Worker's endpoints. */
export function remote(options: HttpBackendOptions = {}) {
  return new HttpBackend(BASE, {
    fetch: (url, init) => exports.default.fetch(url, init),
    ...options,
  });
}

/** Runs cycles until `cond` holds (reads finish between cycles, over real requests). */
export async function cycleUntil(graph: UpdateGraph, cond: () => boolean, what = "condition") {
  const end = Date.now() + 5000;
  for (;;) {
    await graph.runCycle();
    if (cond()) return;
    if (Date.now() > end) throw new Error(`cycleUntil: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
