/**
 * headBy / tailBy: the first / last `n` rows of each group (key tuple; null keys form a group),
 * in the parent's order. The result shares the parent's columns and keeps its row keys, so its
 * order is the parent's, not grouped by key.
 *
 * Over a refreshing parent each group keeps its rows' keys in order (OrderedKeys) and its `cut`,
 * the key of its n-th row from the start (headBy) or from the end (tailBy). A cycle touches only
 * the groups its changes fall in, and within a group only the keys between the old and the new
 * cut (a removed top-n row pulls in the group's next row), so its work is proportional to the
 * change (times a log), never to the table. A row whose group changes (a modified key column)
 * leaves one group and joins another; if it is in the result before and after, it is a
 * modification. Over a blink parent they keep state over the whole stream: see head-by-blink.ts.
 *
 * Attributes (as Deephaven): headBy of an append-only parent is append-only; tailBy of a
 * refreshing parent, and headBy of any other, are standard tables.
 */

import { checkKeys } from "../agg/agg-by.ts";
import { columnList } from "../column-list.ts";
import { ArgumentError } from "../errors.ts";
import { defineMethod, kinds, param, rest } from "../operation.ts";
import { Operator } from "../operator.ts";
import { RowSet } from "../row-set.ts";
import type { TableAttributes } from "../table-core.ts";
import { assertUsable, nodeOf, STATIC_ATTRIBUTES, Table } from "../table-core.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import { headByBlink, tailByBlink } from "./head-by-blink.ts";
import { columnEntries } from "./match-columns.ts";
import { OrderedKeys } from "./ordered-keys.ts";
import { RowGroups } from "./row-groups.ts";

interface Group {
  readonly keys: OrderedKeys;
  /** Result rows of the group: keys <= cut (headBy) or >= cut (tailBy). */
  cut: number;
}

/** The groups' ordered keys and cuts: which rows of each group are in the result. */
class TopRows {
  readonly #n: number;
  readonly #tail: boolean;
  readonly #groups: (Group | undefined)[] = [];

  constructor(n: number, tail: boolean) {
    this.#n = n;
    this.#tail = tail;
  }

  group(g: number): Group {
    let grp = this.#groups[g];
    if (!grp) {
      const keys = new OrderedKeys();
      grp = { keys, cut: this.cutOf(keys) };
      this.#groups[g] = grp;
    }
    return grp;
  }

  forEachGroup(fn: (grp: Group) => void): void {
    for (const grp of this.#groups) if (grp) fn(grp);
  }

  /** The cut for a group holding `keys`. */
  cutOf(keys: OrderedKeys): number {
    const n = this.#n;
    if (this.#tail) {
      if (n === 0) return Number.POSITIVE_INFINITY;
      return keys.size >= n ? keys.nth(n - 1, true) : Number.NEGATIVE_INFINITY;
    }
    if (n === 0) return Number.NEGATIVE_INFINITY;
    return keys.size >= n ? keys.nth(n - 1, false) : Number.POSITIVE_INFINITY;
  }

  /** Whether row `k` of a group is a result row under `cut`. */
  inResult(k: number, cut: number): boolean {
    return this.#tail ? k >= cut : k <= cut;
  }

  /** Calls `fn` with the group's result rows. */
  forEachResult(grp: Group, fn: (k: number) => void): void {
    if (this.#tail) grp.keys.forEachIn(grp.cut, Number.POSITIVE_INFINITY, fn);
    else grp.keys.forEachIn(Number.NEGATIVE_INFINITY, grp.cut, fn);
  }

  /**
   * Applies one group's removed and added rows; pushes the rows leaving and entering the result.
   * Only keys between the old and the new cut can change membership besides the changed rows.
   */
  apply(
    grp: Group,
    removed: readonly number[],
    added: readonly number[],
    leaving: number[],
    entering: number[],
  ): void {
    const old = grp.cut;
    for (const k of removed) {
      grp.keys.delete(k);
      if (this.inResult(k, old)) leaving.push(k);
    }
    for (const k of added) grp.keys.add(k);
    const cut = this.cutOf(grp.keys);
    grp.cut = cut;
    for (const k of added) if (this.inResult(k, cut)) entering.push(k);
    if (cut === old) return;
    const fresh = added.length > 0 ? new Set(added) : null;
    grp.keys.forEachIn(Math.min(old, cut), Math.max(old, cut), (k) => {
      if (fresh?.has(k)) return;
      const was = this.inResult(k, old);
      if (was !== this.inResult(k, cut)) (was ? leaving : entering).push(k);
    });
  }
}

/** Changes of one cycle per touched group. */
class Touched {
  readonly removed = new Map<number, number[]>();
  readonly added = new Map<number, number[]>();
  remove(g: number, k: number): void {
    let a = this.removed.get(g);
    if (!a) this.removed.set(g, (a = []));
    a.push(k);
  }
  add(g: number, k: number): void {
    let a = this.added.get(g);
    if (!a) this.added.set(g, (a = []));
    a.push(k);
  }
  get groups(): Set<number> {
    return new Set([...this.removed.keys(), ...this.added.keys()]);
  }
}

class HeadByOperator extends Operator {
  readonly #groups: RowGroups;
  readonly #top: TopRows;
  readonly #keys: ReadonlySet<string>;

  constructor(result: Table, parent: Table, groups: RowGroups, top: TopRows, keys: string[]) {
    super(result, [parent]);
    this.#groups = groups;
    this.#top = top;
    this.#keys = new Set(keys);
  }

  protected onUpdate(updates: readonly (TableUpdate | null)[]): TableUpdate | null {
    const u = updates[0] ?? null;
    const up = u!;
    const parent = this.parents[0]!;
    const groups = this.#groups;
    const t = new Touched();
    groups.forEach(up.removed, true, (k, g) => t.remove(g, k));
    if (!up.modified.isEmpty && up.modifiedColumns.some((c) => this.#keys.has(c))) {
      // A row whose key columns changed moves from its previous group to its current one.
      const before: number[] = [];
      groups.forEach(up.modified, true, (_k, g) => before.push(g));
      let i = 0;
      groups.forEach(up.modified, false, (k, g) => {
        const was = before[i++]!;
        if (was === g) return;
        t.remove(was, k);
        t.add(g, k);
      });
    }
    groups.forEach(up.added, false, (k, g) => t.add(g, k));
    const leaving: number[] = [];
    const entering: number[] = [];
    const none: number[] = [];
    for (const g of t.groups) {
      this.#top.apply(
        this.#top.group(g),
        t.removed.get(g) ?? none,
        t.added.get(g) ?? none,
        leaving,
        entering,
      );
    }
    const prev = this.result.rowSet;
    const out = RowSet.fromKeys(leaving);
    const into = RowSet.fromKeys(entering);
    const next = prev.minusUnion(out, into);
    nodeOf(this.result).setRowSet(next);
    // A row leaving and entering (its group changed, or its key was removed and re-added by the
    // parent) stays: a modification, as are the parent's modified rows that stay.
    const stays = out.intersect(into);
    const modified = up.modified.union(stays).intersect(prev).intersect(next);
    const readded = stays.intersect(up.removed);
    const modifiedColumns = readded.isEmpty ? up.modifiedColumns : parent.columnNames;
    return makeUpdate(into.minus(stays), out.minus(stays), modified, modifiedColumns);
  }
}

function checkCount(op: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new ArgumentError(`${op}: row count must be a non-negative integer, got ${n}`);
}

function topBy(parent: Table, n: number, keyList: readonly string[], tail: boolean): Table {
  const op = tail ? "tailBy" : "headBy";
  assertUsable(parent);
  checkCount(op, n);
  const keys = checkKeys(op, parent, columnEntries(keyList, op));
  if (parent.isBlink) return (tail ? tailByBlink : headByBlink)(parent, n, keys);
  const groups = new RowGroups(parent, keys);
  const top = new TopRows(n, tail);
  groups.forEach(parent.rowSet, false, (k, g) => top.group(g).keys.add(k));
  const rows: number[] = [];
  top.forEachGroup((grp) => {
    grp.cut = top.cutOf(grp.keys);
    top.forEachResult(grp, (k) => rows.push(k));
  });
  const a = parent.attributes;
  const attrs: TableAttributes = a.refreshing
    ? {
        refreshing: true,
        blink: false,
        appendOnly: !tail && a.appendOnly,
        addOnly: !tail && a.appendOnly,
      }
    : STATIC_ATTRIBUTES;
  const result = new Table(
    new Map(parent.columnMap),
    RowSet.fromKeys(rows),
    attrs,
    parent.graph,
    op,
  );
  if (parent.isRefreshing)
    nodeOf(result).attach(new HeadByOperator(result, parent, groups, top, keys));
  return result;
}

/** The first `n` rows of each group of `keys`, in the parent's order. */
export function headBy(t: Table, n: number, keys: readonly string[]): Table {
  return topBy(t, n, keys, false);
}

/** The last `n` rows of each group of `keys`, in the parent's order. */
export function tailBy(t: Table, n: number, keys: readonly string[]): Table {
  return topBy(t, n, keys, true);
}

// ---- descriptors (registered in operations.ts) ---------------------------------------------------

const rowCount = param("n", kinds.integer, "row count");
const keyColumns = rest(param("keys", kinds.columns, "key"));

export const headByOp = defineMethod({
  name: "headBy",
  params: [rowCount, keyColumns],
  apply: (t: Table, n: number, ...keys: (string | string[])[]): Table =>
    headBy(t, n, columnList(keys, "headBy")),
  doc: "the first `n` rows of each group, in the parent's order (over a blink table: of the whole stream)",
});
export const tailByOp = defineMethod({
  name: "tailBy",
  params: [rowCount, keyColumns],
  apply: (t: Table, n: number, ...keys: (string | string[])[]): Table =>
    tailBy(t, n, columnList(keys, "tailBy")),
  doc: "the last `n` rows of each group, in the parent's order (over a blink table: of the whole stream)",
});
