/**
 * Catalog: the singleton Durable Object (bound as `CATALOG`, addressed by the name "catalog")
 * that is the authority for which table families exist, so `GET /v1/tables` stays right under
 * concurrent creates and deletes.
 *
 * Creates and deletes of a table go through here and are serialised per name (a promise chain in
 * memory; the catalog is one object, so one chain per name suffices). Each records its intent
 * before touching the family (`creating` / `deleting`) and its outcome after; `list` reports only
 * `live` entries. A crash between the steps leaves an entry in a transitional state with no
 * operation running: the next `list` (or a re-run of the same PUT or DELETE) asks the family
 * itself (`describe`) and repairs the entry (finishing a delete that stopped half-way), so the
 * list is never wrong for long.
 *
 * The catalog also keeps the graph of inputs from other families (`catalog_inputs`: consumer ->
 * producer). Before creating a family with inputs it asks each producer for the view's shape (404
 * naming a family or view that does not exist) and refuses a family whose inputs would close a
 * cycle (409 naming it; possible when a producer is deleted and re-created reading its consumer).
 * Creates with inputs run one at a time, so two of them cannot close a cycle together.
 */
import { DurableObject } from "cloudflare:workers";
import type { InputShape } from "../engine/family/family.ts";
import { inputRef, normalizeSpec } from "../engine/family/spec.ts";
import type { RpcResult } from "./errors.ts";
import type { Description } from "./host.ts";

/** One listed table family. */
export interface CatalogEntry {
  name: string;
  /** ISO-8601 time the family was first recorded. */
  createdAt: string;
}

type EntryState = "creating" | "live" | "deleting";

/**
 * Awaits an RPC result and releases it at once (results are plain data here; releasing them
 * early keeps workerd from holding, and warning about, their disposers).
 */
export async function released<P extends PromiseLike<unknown>>(call: P): Promise<Awaited<P>> {
  const r = await call;
  (r as Partial<Disposable> | null)?.[Symbol.dispose]?.();
  return r;
}

/** Transitional entries repaired per `list` call at most (each costs one RPC). */
const REPAIRS_PER_LIST = 32;
/** The `#exclusive` key that serialises creates of families with inputs (not a table name). */
const INPUT_GRAPH = "\u0000inputs";

export class Catalog extends DurableObject<Env> {
  readonly #sql: SqlStorage;
  /** Per-name tail of the operations running or queued. */
  readonly #busy = new Map<string, Promise<unknown>>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(
      "CREATE TABLE IF NOT EXISTS catalog_tables (name TEXT PRIMARY KEY, state TEXT NOT NULL, created INTEGER NOT NULL, updated INTEGER NOT NULL)",
    );
    this.#sql.exec(
      "CREATE TABLE IF NOT EXISTS catalog_inputs (consumer TEXT NOT NULL, producer TEXT NOT NULL, PRIMARY KEY (consumer, producer))",
    );
  }

  /** RPC: creates the family `name` (the same spec again is a no-op; another spec is a 409). */
  create(
    name: string,
    spec: unknown,
  ): Promise<RpcResult<{ created: boolean; description: Description }>> {
    const inputs = specInputs(spec);
    if (inputs.length === 0) return this.#exclusive(name, () => this.#createNow(name, spec, {}));
    return this.#exclusive(name, () =>
      this.#exclusive(INPUT_GRAPH, async () => {
        const cycle = this.#cycleThrough(
          name,
          inputs.map((i) => i.family),
        );
        if (cycle) {
          return {
            ok: false as const,
            status: 409,
            error: "input_cycle",
            detail: `the inputs of table family "${name}" would form a cycle: ${cycle.join(" -> ")}`,
          };
        }
        const shapes: Record<string, InputShape> = {};
        for (const i of inputs) {
          const r = await released(this.#family(i.family).inputShape(i.view));
          if (!r.ok) {
            return {
              ok: false as const,
              status: r.status,
              error: r.status === 404 ? "unknown_input" : r.error,
              detail: `inputs.${i.input} ("${i.family}/${i.view}"): ${r.detail}`,
            };
          }
          shapes[i.input] = r.value;
        }
        const r = await this.#createNow(name, spec, shapes);
        if (r.ok && r.value.created) {
          this.#sql.exec("DELETE FROM catalog_inputs WHERE consumer = ?", name);
          for (const p of new Set(inputs.map((i) => i.family)))
            this.#sql.exec(
              "INSERT INTO catalog_inputs (consumer, producer) VALUES (?, ?)",
              name,
              p,
            );
        }
        return r;
      }),
    );
  }

  /**
   * A path producer -> ... -> `name` through the input graph from one of `producers`, as the
   * cycle it would close (`name -> producer -> ... -> name`), or null.
   */
  #cycleThrough(name: string, producers: readonly string[]): string[] | null {
    const edges = new Map<string, string[]>();
    for (const r of this.#sql
      .exec<{ consumer: string; producer: string }>(
        "SELECT consumer, producer FROM catalog_inputs WHERE consumer != ? ORDER BY consumer, producer",
        name,
      )
      .toArray()) {
      const list = edges.get(r.consumer) ?? [];
      list.push(r.producer);
      edges.set(r.consumer, list);
    }
    const seen = new Set<string>();
    const walk = (at: string, path: string[]): string[] | null => {
      if (at === name) return [name, ...path];
      if (seen.has(at)) return null;
      seen.add(at);
      for (const next of edges.get(at) ?? []) {
        const found = walk(next, [...path, next]);
        if (found) return found;
      }
      return null;
    };
    for (const p of [...new Set(producers)].sort()) {
      const found = walk(p, [p]);
      if (found) return found;
    }
    return null;
  }

  async #createNow(
    name: string,
    spec: unknown,
    shapes: Record<string, InputShape>,
  ): Promise<RpcResult<{ created: boolean; description: Description }>> {
    // A family left half-deleted by a crash is finished off before it is created again.
    if (this.#state(name) === "deleting") {
      const r = await this.#deleteNow(name);
      if (!r.ok && r.status !== 404) return r;
    }
    if (this.#state(name) !== "live") this.#set(name, "creating");
    const stub = this.#family(name);
    let r = await released(stub.create(name, spec, shapes));
    if (r.ok && r.value.description.state === "shutdown") {
      // Shut down outside a DELETE: finish the delete, then create afresh.
      const d = await this.#deleteNow(name);
      if (!d.ok) return d;
      this.#set(name, "creating");
      r = await released(stub.create(name, spec, shapes));
    }
    if (r.ok || r.error === "conflict") this.#set(name, "live");
    else await this.#repair(name);
    return r;
  }

  /** RPC: shuts the family down (subscribers get a failure), then deletes everything it stored. */
  delete(name: string): Promise<RpcResult<{ deleted: true }>> {
    return this.#exclusive(name, () => this.#deleteNow(name));
  }

  /** RPC: the live families, by name. Repairs entries a crash left in a transitional state. */
  async list(): Promise<CatalogEntry[]> {
    const stale = this.#sql
      .exec<{ name: string }>(
        "SELECT name FROM catalog_tables WHERE state != 'live' ORDER BY updated LIMIT ?",
        REPAIRS_PER_LIST * 4,
      )
      .toArray()
      .map((r) => r.name)
      .filter((n) => !this.#busy.has(n))
      .slice(0, REPAIRS_PER_LIST);
    await Promise.all(
      stale.map((n) =>
        this.#exclusive(n, () => this.#repair(n)).catch((e) =>
          console.error(`tickflare: catalog repair of "${n}" failed`, e),
        ),
      ),
    );
    return this.#sql
      .exec<{ name: string; created: number }>(
        "SELECT name, created FROM catalog_tables WHERE state = 'live' ORDER BY name",
      )
      .toArray()
      .map((r) => ({ name: r.name, createdAt: new Date(r.created).toISOString() }));
  }

  /** RPC (tests and diagnostics): every entry with its state. */
  entries(): { name: string; state: EntryState }[] {
    return this.#sql
      .exec<{ name: string; state: EntryState }>(
        "SELECT name, state FROM catalog_tables ORDER BY name",
      )
      .toArray();
  }

  async #deleteNow(name: string): Promise<RpcResult<{ deleted: true }>> {
    if (this.#state(name) !== null) this.#set(name, "deleting");
    const stub = this.#family(name);
    const shut = await released(stub.shutdown("the table family was deleted"));
    if (!shut.ok) {
      if (shut.status === 404) this.#remove(name);
      else await this.#repair(name);
      return shut;
    }
    const gone = await released(stub.destroy());
    if (!gone.ok) {
      await this.#repair(name);
      return gone;
    }
    this.#remove(name);
    this.#sql.exec("DELETE FROM catalog_inputs WHERE consumer = ?", name);
    return { ok: true, value: { deleted: true } };
  }

  /**
   * Makes the entry match the family: live, or absent. A family that is shut down but still
   * stored is a delete that did not finish (only deletes shut families down): finish it.
   */
  async #repair(name: string): Promise<void> {
    const stub = this.#family(name);
    const d = await released(stub.describe());
    if (d.ok && d.value.state === "live") this.#set(name, "live");
    else if (d.ok) {
      const gone = await released(stub.destroy());
      if (gone.ok) this.#remove(name);
      else this.#set(name, "deleting");
    } else if (d.status === 404) this.#remove(name);
  }

  async #exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.#busy.get(name) ?? Promise.resolve()).then(fn);
    const tail = run.catch(() => {});
    this.#busy.set(name, tail);
    try {
      return await run;
    } finally {
      if (this.#busy.get(name) === tail) this.#busy.delete(name);
    }
  }

  #family(name: string) {
    return this.env.TABLES.get(this.env.TABLES.idFromName(name));
  }

  #state(name: string): EntryState | null {
    const r = this.#sql
      .exec<{ state: EntryState }>("SELECT state FROM catalog_tables WHERE name = ?", name)
      .toArray();
    return r[0]?.state ?? null;
  }

  #set(name: string, state: EntryState): void {
    const now = Date.now();
    this.#sql.exec(
      "INSERT INTO catalog_tables (name, state, created, updated) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET state = excluded.state, updated = excluded.updated",
      name,
      state,
      now,
      now,
    );
  }

  #remove(name: string): void {
    this.#sql.exec("DELETE FROM catalog_tables WHERE name = ?", name);
  }
}

/** The inputs a spec names, or none when it is not a valid spec (the family reports why). */
function specInputs(spec: unknown): { input: string; family: string; view: string }[] {
  let inputs: Record<string, string>;
  try {
    inputs = normalizeSpec(spec).inputs ?? {};
  } catch {
    return [];
  }
  return Object.entries(inputs).map(([input, ref]) => ({ input, ...inputRef(ref) }));
}
