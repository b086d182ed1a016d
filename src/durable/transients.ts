/**
 * TransientViews: the ad-hoc views subscribers ask for (`where` filters, then a `sort`, over one
 * of the family's views), built as derived tables in the family's own graph so they tick with it.
 * Subscribers asking the same (the same view, filters and order: one canonical key) share one
 * table; the last one to leave closes it. They are never persisted: after a restart they are
 * rebuilt from their subscribers' attachments (sockets.ts). A family holds at most
 * MAX_TRANSIENT_VIEWS of them; one more is refused with 409 `transient_limit`.
 */
import type { BuiltFamily } from "../engine/family/family.ts";
import type { Table, TableUpdate } from "../engine/index.ts";
import { sort } from "../engine/ops/sort.ts";
import { where } from "../engine/ops/where.ts";
import type { SortKey, TransientDescription } from "../engine/wire.ts";
import { HostError, VIEW_ERROR_STATUS } from "./errors.ts";

export type { SortKey, TransientDescription };

/** Ad-hoc views a family holds at most at once. */
export const MAX_TRANSIENT_VIEWS = 16;

/** What is asked on top of a view: filters (ANDed) and an order. Both may be empty. */
export interface Transform {
  where: readonly string[];
  sort: readonly SortKey[];
}

interface Entry {
  view: string;
  transform: Transform;
  refs: number;
  table: Table;
  /** The update of the graph's last cycle, stamped with that cycle. */
  update: { cycle: number; u: TableUpdate } | null;
  failure: unknown;
}

/** True when the transform asks for a derived table (filters or an order). */
export function needsTable(t: Transform): boolean {
  return t.where.length > 0 || t.sort.length > 0;
}

/** The canonical key of a view plus transform: equal requests share one table. */
export function transientKey(view: string, t: Transform): string {
  return JSON.stringify([view, t.where, t.sort.map((s) => [s.column, s.order])]);
}

/**
 * Builds `base.where(...).sort(...)`. Formula errors are the engine's (`bad_formula`, with the
 * position); callers check the sort columns exist first (`checkColumns`).
 */
export function buildTransient(base: Table, t: Transform): Table {
  let table = t.where.length > 0 ? where(base, t.where) : base;
  if (t.sort.length > 0) {
    table = sort(
      table,
      t.sort.map((s) => s.column),
      t.sort.map((s) => s.order),
    );
  }
  return table;
}

export class TransientViews {
  readonly #entries = new Map<string, Entry>();
  #family: BuiltFamily | null = null;

  /** Takes a reference on the table of (view, transform), building it when new. */
  acquire(fam: BuiltFamily, view: string, transform: Transform, familyName: string): string {
    this.#sync(fam);
    const key = transientKey(view, transform);
    const e = this.#entries.get(key);
    if (e) {
      e.refs++;
      return key;
    }
    if (this.#entries.size >= MAX_TRANSIENT_VIEWS) {
      throw new HostError(
        VIEW_ERROR_STATUS.transient_limit,
        "transient_limit",
        `table family "${familyName}" already holds ${MAX_TRANSIENT_VIEWS} ad-hoc views (sort/where), the most it may; share one of them (the same view, sort and where) or close a subscription`,
      );
    }
    const entry: Entry = {
      view,
      transform,
      refs: 1,
      table: this.#build(fam, view, transform),
      update: null,
      failure: undefined,
    };
    this.#listen(fam, entry);
    this.#entries.set(key, entry);
    return key;
  }

  /** Drops a reference; the last one closes the table. */
  release(key: string): void {
    const e = this.#entries.get(key);
    if (!e) return;
    if (--e.refs > 0) return;
    this.#entries.delete(key);
    e.table.close();
  }

  /** The table behind `key` (in the current family; rebuilt after the family was). */
  table(fam: BuiltFamily, key: string): Table | null {
    this.#sync(fam);
    return this.#entries.get(key)?.table ?? null;
  }

  /** The table's update in the family's last cycle, or null. */
  update(fam: BuiltFamily, key: string): TableUpdate | null {
    this.#sync(fam);
    const e = this.#entries.get(key);
    return e?.update && e.update.cycle === fam.graph.cycle ? e.update.u : null;
  }

  /** The table's failure, if it failed. */
  failure(key: string): unknown {
    return this.#entries.get(key)?.failure;
  }

  /** Every ad-hoc view held now. */
  describe(): TransientDescription[] {
    return [...this.#entries.values()].map((e) => ({
      view: e.view,
      where: [...e.transform.where],
      sort: e.transform.sort.map((s) => ({ ...s })),
      subscribers: e.refs,
      size: e.table.size,
    }));
  }

  /** Forgets everything (the family was deleted). */
  clear(): void {
    for (const e of this.#entries.values()) e.table.close();
    this.#entries.clear();
    this.#family = null;
  }

  #build(fam: BuiltFamily, view: string, transform: Transform): Table {
    const base = fam.views.get(view);
    if (!base) throw new HostError(404, "unknown_view", `no view "${view}"`);
    return buildTransient(base, transform);
  }

  #listen(fam: BuiltFamily, e: Entry): void {
    if (!e.table.isRefreshing || e.table.isFailed) return;
    e.table.listen(
      (u) => {
        e.update = { cycle: fam.graph.cycle, u };
      },
      (err) => {
        e.failure = err;
      },
    );
  }

  /** After the host rebuilt its family (a wake, a failed cycle), rebuilds every table in it. */
  #sync(fam: BuiltFamily): void {
    if (this.#family === fam) return;
    this.#family = fam;
    for (const e of this.#entries.values()) {
      e.update = null;
      e.failure = undefined;
      try {
        e.table = this.#build(fam, e.view, e.transform);
        this.#listen(fam, e);
      } catch (err) {
        // It was built over the same spec before; keep the entry, reporting the failure.
        e.failure = err;
      }
    }
  }
}
