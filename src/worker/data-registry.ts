/**
 * The backends the `/v1/data` endpoints serve (docs/table-data-service.md, "Serving tables").
 *
 * A data table's name is `<first>` or `<first>/<rest>`. When `<first>` is a **mount** registered
 * here, the mount's backend serves the table and `<rest>` names it there (`r2/trades` is the R2
 * table `trades`). Any other `<first>` is a table family, and `<family>/<view>` is that family's
 * append-only view `<view>` (data-family.ts). A token's table glob is matched against `<first>`:
 * the family, or the mount.
 *
 * Mounts live in this module for the life of the isolate; `mountData` adds one (a deployment's
 * entry module, or a test, calls it). `backend(env)` runs once per request or subscription: a
 * Worker cannot await one request's I/O from another, so a backend that does I/O is made per
 * request (sharing only plain data, as the R2 mount shares its R2PartCache).
 *
 * One mount is built in: `r2`, the R2 bucket bound as `DATA` (R2Backend, tables at the bucket's
 * top level, polled every 5 s while subscribed).
 */
import type { TableDataServiceBackend, TableKey, TableLocationKey } from "../engine/index.ts";
import {
  BackendError,
  R2Backend,
  R2PartCache,
  StringTableKey,
  StringTableLocationKey,
} from "../engine/index.ts";

export interface DataMount {
  /** The backend serving one request or subscription. */
  backend(env: Env): TableDataServiceBackend;
  /**
   * The backend's key of a table of this mount (`name` is what follows `<mount>/`; "" for the
   * mount's own name), or null when there is no such table (404). Default: a StringTableKey
   * of `name`; null for "".
   */
  tableKey?(name: string): TableKey | null;
  /** The backend's key of a location named in a URL (default: a StringTableLocationKey). */
  locationKey?(name: string): TableLocationKey;
  /** The name of a backend's location key in URLs and messages (default: the key's `name`). */
  locationName?(key: TableLocationKey): string;
  /**
   * True when `backend` returns one object shared by requests, whose callbacks may then come
   * from any request (an InMemoryBackend filled by another request). Subscription sockets then
   * relay those through a 10 ms timer of their own; a backend made per request needs none.
   */
  shared?: boolean;
}

const mounts = new Map<string, DataMount>();

/** Mount names: like table-family names. */
export const MOUNT_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Serves `mount`'s tables as `<name>/<table>` (a family of the same name is then not reachable
 * under /v1/data). Returns a function that removes the mount.
 */
export function mountData(name: string, mount: DataMount): () => void {
  if (!MOUNT_NAME.test(name)) {
    throw new Error(`mount name "${name}" must be 1 to 64 letters, digits, '_' or '-'`);
  }
  mounts.set(name, mount);
  return () => {
    if (mounts.get(name) === mount) mounts.delete(name);
  };
}

/** The mount named `name`, if any. */
export function dataMount(name: string): DataMount | undefined {
  return mounts.get(name);
}

/** The key and location naming of a mount, defaults filled in. */
export function mountKeys(mount: DataMount) {
  return {
    tableKey: (name: string) =>
      mount.tableKey ? mount.tableKey(name) : name === "" ? null : new StringTableKey(name),
    locationKey: (name: string) =>
      mount.locationKey ? mount.locationKey(name) : new StringTableLocationKey(name),
    locationName: (key: TableLocationKey) => {
      if (mount.locationName) return mount.locationName(key);
      const name = (key as { name?: unknown }).name;
      return typeof name === "string" ? name : String(key);
    },
  };
}

// ---- the built-in R2 mount -----------------------------------------------------------------------

/** Decoded parts and row counts, shared by the per-request R2Backends of this isolate. */
const r2Cache = new R2PartCache();

mountData("r2", {
  backend(env) {
    const bucket = (env as Partial<Env>).DATA;
    if (!bucket) {
      throw new BackendError(
        "not_configured",
        404,
        "this deployment has no R2 bucket bound as DATA (see wrangler.toml)",
      );
    }
    return new R2Backend(bucket, { cache: r2Cache });
  },
});
