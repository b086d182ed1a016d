/**
 * InputLinks: the producer's side of inputs from other families (docs/protocol.md "Inputs from
 * other families"). A consumer family pulls a view at each of its cycles (`pull`), naming the
 * producer cycle it applied last (`since`); the answer is a snapshot, or the rows that changed
 * since then, as of the producer's latest complete cycle.
 *
 * Per consumer input, the producer remembers in memory the cycle it last answered, the view's keys
 * then (what the consumer holds once it applied that answer) and the keys the view touched since
 * (added, removed or modified). When `since` is that cycle, the answer is those keys: the ones
 * still present with their current values (added or modified, relative to the keys then), the
 * others as removed. That is exact however many producer cycles passed (a key touched several
 * times is sent once, as it is now).
 * When `since` is anything else (the consumer never pulled, or rolled its cycle back, or this
 * object was evicted and forgot the link), the answer is a whole snapshot, which replaces the
 * consumer's table: nothing is missed or doubled either way.
 *
 * Which consumers read which views is durable (`host_dependents`), so the producer can tell them
 * to cycle when a view they read changed or failed (the object stub's `inputChanged`), even after
 * either side was evicted.
 */
import { writeIPC } from "../engine/arrow.ts";
import type { InputShape } from "../engine/family/family.ts";
import type { Schema, Table, TableUpdate } from "../engine/index.ts";
import { readRows } from "../engine/ops/copy.ts";
import type { SqlPort } from "../engine/persist/sql-port.ts";
import { rows as allRows } from "../engine/persist/sql-port.ts";
import { RowSet } from "../engine/row-set.ts";
import { HostError } from "./errors.ts";

/** Bytes one pull may carry (an RPC message holds at most 32 MiB). */
export const MAX_PULL_BYTES = 24 * 1024 * 1024;

/** The answer to a pull: the view's rows as of producer cycle `cycle`, whole or changed. */
export type InputPull =
  | {
      kind: "snapshot";
      cycle: number;
      columns: Schema;
      /** The view's row keys, as [start, end) ranges. */
      keys: number[];
      /** Arrow IPC stream of those rows, in key order. */
      arrow: Uint8Array;
    }
  | {
      kind: "delta";
      cycle: number;
      columns: Schema;
      /** Keys present at `since` and gone now, as ranges. */
      removed: number[];
      /** Keys absent at `since` and present now, as ranges, with their rows in `addedArrow`. */
      added: number[];
      addedArrow: Uint8Array;
      /** Keys present at both that changed, as ranges, with their rows in `modifiedArrow`. */
      modified: number[];
      modifiedArrow: Uint8Array;
    };

interface Link {
  view: string;
  /** The cycle last answered, and the view's keys then. */
  since: number;
  rows: RowSet;
  /** Keys the view touched since. */
  touched: RowSet;
}

/** The shape of a view another family may read: refuses blink views (they keep no state). */
export function inputShapeOf(t: Table, family: string, view: string): InputShape {
  if (t.isBlink) {
    throw new HostError(
      400,
      "bad_input",
      `view "${view}" of table family "${family}" is a blink table; an input needs a view that keeps its rows (e.g. blinkToAppendOnly(${view}) or ringTable(${view}, n))`,
    );
  }
  return { columns: t.columns, appendOnly: t.isAppendOnly };
}

export class InputLinks {
  readonly #sql: SqlPort;
  readonly #links = new Map<string, Link>();

  constructor(sql: SqlPort) {
    this.#sql = sql;
    sql.exec(
      "CREATE TABLE IF NOT EXISTS host_dependents (consumer TEXT NOT NULL, input TEXT NOT NULL, view TEXT NOT NULL, PRIMARY KEY (consumer, input))",
    );
  }

  /** The consumer families reading any of `views` (all of them when `views` is null). */
  dependents(views: ReadonlySet<string> | null = null): string[] {
    const out = new Set<string>();
    for (const r of allRows(this.#sql, "SELECT consumer, view FROM host_dependents"))
      if (views === null || views.has(String(r.view))) out.add(String(r.consumer));
    return [...out].sort();
  }

  /** Forgets a consumer (it no longer exists or no longer reads this family). */
  unlink(consumer: string): void {
    this.#sql.exec("DELETE FROM host_dependents WHERE consumer = ?", consumer);
    for (const k of [...this.#links.keys()])
      if (k.startsWith(`${consumer}\u0000`)) this.#links.delete(k);
  }

  /** Forgets everything (the family was deleted). */
  clear(): void {
    this.#sql.exec("DELETE FROM host_dependents");
    this.#links.clear();
  }

  /** Records the keys each linked view touched in the cycle that just ran. */
  afterCycle(updates: ReadonlyMap<string, TableUpdate>): void {
    for (const link of this.#links.values()) {
      const u = updates.get(link.view);
      if (u) link.touched = link.touched.union(u.added).union(u.removed).union(u.modified);
    }
  }

  /**
   * Answers consumer `consumer`'s input `input` reading `view` (table `t`) at producer cycle
   * `cycle`: the keys touched since `since` when it is the cycle last answered, else a snapshot.
   */
  pull(
    consumer: string,
    input: string,
    view: string,
    t: Table,
    cycle: number,
    since: number | null,
  ): InputPull {
    this.#sql.exec(
      "INSERT INTO host_dependents (consumer, input, view) VALUES (?, ?, ?) ON CONFLICT (consumer, input) DO UPDATE SET view = excluded.view",
      consumer,
      input,
      view,
    );
    const id = `${consumer}\u0000${input}`;
    const link = this.#links.get(id);
    const answer = this.#answer(link, view, t, cycle, since);
    this.#links.set(id, { view, since: cycle, rows: t.rowSet, touched: RowSet.EMPTY });
    return answer;
  }

  #answer(
    link: Link | undefined,
    view: string,
    t: Table,
    cycle: number,
    since: number | null,
  ): InputPull {
    if (link && link.view === view && since === link.since) {
      const present = link.touched.intersect(t.rowSet);
      const added = present.minus(link.rows);
      const modified = present.intersect(link.rows);
      return {
        kind: "delta",
        cycle,
        columns: t.columns,
        removed: ranges(link.touched.intersect(link.rows).minus(present)),
        added: ranges(added),
        addedArrow: encode(t, added, view),
        modified: ranges(modified),
        modifiedArrow: encode(t, modified, view),
      };
    }
    return {
      kind: "snapshot",
      cycle,
      columns: t.columns,
      keys: ranges(t.rowSet),
      arrow: encode(t, t.rowSet, view),
    };
  }
}

function ranges(keys: RowSet): number[] {
  const out: number[] = [];
  keys.forEachRange((s, e) => out.push(s, e));
  return out;
}

function encode(t: Table, keys: RowSet, view: string): Uint8Array {
  const names = t.columnNames;
  const vecs = readRows(
    names.map((n) => t.column(n)),
    keys,
  );
  const bytes = writeIPC(t.columns, vecs, 0, keys.size);
  if (bytes.byteLength > MAX_PULL_BYTES) {
    throw new HostError(
      413,
      "input_too_large",
      `view "${view}" sent to a consuming family would take ${bytes.byteLength} bytes; one pull carries at most ${MAX_PULL_BYTES}`,
    );
  }
  return bytes;
}
