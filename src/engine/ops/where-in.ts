/**
 * whereIn / whereNotIn: the left table's rows whose `on` values are (are not) among the right
 * table's current rows. Deephaven's `whereIn` (its DynamicWhereFilter): the result keeps the
 * left's row keys and passes the left's column sources through (nothing is copied); the right
 * table contributes only its set of keys. Keys compare as group keys do (null matches null, NaN
 * matches NaN; see key-slots.ts).
 *
 * Incremental state, by key slot: the number of right rows holding the key, and (when the right
 * refreshes and the left is not blink) the left rows holding it. A cycle applies the right's
 * changes to the counts first; a key whose count crosses zero adds or removes exactly its group's
 * left rows. Then the left's added rows and the rows whose match columns changed are filtered
 * against the new counts. A blink left is refiltered whole (its rows are this cycle's rows), so
 * it keeps no groups; a static right never changes, so the left keeps no groups either.
 *
 * Attributes (Deephaven's `where` with a refreshing filter): the result keeps the left's blink
 * attribute; it is append-only / add-only like the left only while the right is static, since a
 * refreshing right's removed key removes left rows.
 */

import type { ColumnSource } from "../column-source.ts";
import { ArgumentError } from "../errors.ts";
import { defineMethod, kinds, param } from "../operation.ts";
import { Operator } from "../operator.ts";
import { RowSet, RowSetBuilder } from "../row-set.ts";
import type { TableAttributes } from "../table-core.ts";
import { assertUsable, nodeOf, STATIC_ATTRIBUTES, Table } from "../table-core.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import { isArrayType } from "../types.ts";
import type { UpdateGraph } from "../update-graph.ts";
import type { KeyLookup } from "./key-slots.ts";
import { KeySlots } from "./key-slots.ts";
import { matchPairs } from "./match-columns.ts";

/** The key state shared by construction and the operator (see the module header). */
class WhereInState {
  readonly keys: KeyLookup;
  readonly leftKeys: readonly ColumnSource[];
  readonly rightKeys: readonly ColumnSource[];
  readonly inverted: boolean;
  /** Whether the left rows are kept per key (right refreshing, left not blink). */
  readonly grouped: boolean;
  /** Right rows per slot. */
  #count = new Int32Array(64);
  /** Left rows per slot (only when `grouped`). */
  readonly #groups: (Set<number> | undefined)[] = [];
  /** Slots whose count or group emptied this cycle: freed by `sweep` if still unused. */
  #emptied: number[] = [];

  constructor(
    keys: KeyLookup,
    leftKeys: ColumnSource[],
    rightKeys: ColumnSource[],
    inverted: boolean,
    grouped: boolean,
  ) {
    this.keys = keys;
    this.leftKeys = leftKeys;
    this.rightKeys = rightKeys;
    this.inverted = inverted;
    this.grouped = grouped;
  }

  /** Whether a left row of key slot `slot` (-1: a key the right never had) is in the result. */
  passes(slot: number): boolean {
    return (slot >= 0 && slot < this.#count.length && this.#count[slot]! > 0) !== this.inverted;
  }

  countOf(slot: number): number {
    return slot < this.#count.length ? this.#count[slot]! : 0;
  }

  /** Adds `delta` to the right-row count of the keys of `rows` (`onChange` before each change). */
  countRight(rows: RowSet, prev: boolean, delta: 1 | -1, onChange?: (slot: number) => void): void {
    this.keys.forEachSlot(this.rightKeys, rows, prev, delta > 0, (key, slot) => {
      if (slot < 0) throw new Error(`whereIn: right row ${key} was removed but never counted`);
      if (slot >= this.#count.length) {
        const grown = new Int32Array(Math.max(slot + 1, this.#count.length * 2));
        grown.set(this.#count);
        this.#count = grown;
      }
      onChange?.(slot);
      this.#count[slot]! += delta;
      if (this.#count[slot] === 0) this.#emptied.push(slot);
    });
  }

  /**
   * Frees the slots emptied this cycle that no right row and no grouped left row holds, so a
   * right side of ever-new keys does not grow the key index. Call once the cycle is done.
   */
  sweep(): void {
    for (const slot of this.#emptied) {
      const c = this.#count[slot]!;
      if (c !== 0 || this.#groups[slot] !== undefined) continue;
      this.#groups[slot] = undefined;
      this.keys.free(slot);
      // A slot may be listed twice: mark it so the second visit skips it.
      this.#count[slot] = -1;
    }
    for (const slot of this.#emptied) if (this.#count[slot] === -1) this.#count[slot] = 0;
    this.#emptied = [];
  }

  /** Calls `visit` for each of `rows` (current values) with whether it passes; groups it if grouped. */
  addLeft(rows: RowSet, visit: (key: number, pass: boolean) => unknown): void {
    this.keys.forEachSlot(this.leftKeys, rows, false, this.grouped, (key, slot) => {
      if (this.grouped) {
        let g = this.#groups[slot];
        if (!g) this.#groups[slot] = g = new Set();
        g.add(key);
      }
      visit(key, this.passes(slot));
    });
  }

  /** Ungroups `rows` by their previous key values (only when grouped). */
  removeLeft(rows: RowSet): void {
    this.keys.forEachSlot(this.leftKeys, rows, true, false, (key, slot) => {
      const g = slot >= 0 ? this.#groups[slot] : undefined;
      if (!g?.delete(key))
        throw new Error(`whereIn: left row ${key} was removed but never grouped`);
      if (g.size === 0) {
        this.#groups[slot] = undefined;
        this.#emptied.push(slot);
      }
    });
  }

  /** The left rows of key slot `slot`, in any order. */
  group(slot: number): Iterable<number> {
    return this.#groups[slot] ?? [];
  }
}

/** The keys of `rows` for which `keep` holds. */
function keysWhere(rows: RowSet, keep: (key: number) => boolean): RowSet {
  const b = new RowSetBuilder();
  rows.forEach((k) => {
    if (keep(k)) b.addKey(k);
  });
  return b.build();
}

class WhereInOperator extends Operator {
  readonly #s: WhereInState;
  readonly #leftMatch: ReadonlySet<string>;
  readonly #rightMatch: ReadonlySet<string>;

  constructor(
    result: Table,
    left: Table,
    right: Table,
    state: WhereInState,
    match: { left: string; right: string }[],
  ) {
    super(result, [left, right]);
    this.#s = state;
    this.#leftMatch = new Set(match.map((p) => p.left));
    this.#rightMatch = new Set(match.map((p) => p.right));
  }

  protected onUpdate(updates: readonly (TableUpdate | null)[]): TableUpdate | null {
    const lu = updates[0] ?? null;
    const ru = updates[1] ?? null;
    const s = this.#s;
    const left = this.parents[0]!;
    // 1. The right's changes, recording each touched key's count before the cycle.
    const before = new Map<number, number>();
    if (ru) {
      const note = (slot: number) => {
        if (!before.has(slot)) before.set(slot, s.countOf(slot));
      };
      const rekey = ru.modifiedColumns.some((c) => this.#rightMatch.has(c));
      s.countRight(ru.removed, true, -1, note);
      if (rekey) s.countRight(ru.modified, true, -1, note);
      if (rekey) s.countRight(ru.modified, false, 1, note);
      s.countRight(ru.added, false, 1, note);
    }
    // 2. The left rows whose membership may change, split by whether they pass now. Visits
    // come in key order; a key's group does not, so its rows are sorted apart.
    const prev = this.result.rowSet;
    const gone = lu ? lu.removed.intersect(prev) : RowSet.EMPTY;
    const kept = lu ? prev.minus(lu.removed) : prev;
    const ins = new RowSetBuilder();
    if (left.isBlink) {
      // Every current row is this cycle's: the result is the passing ones.
      if (!lu && before.size === 0) return null;
      s.addLeft(left.rowSet, (key, pass) => pass && ins.addKey(key));
      s.sweep();
      const now = ins.build();
      nodeOf(this.result).setRowSet(now);
      return makeUpdate(now.minus(kept), gone.union(kept.minus(now)));
    }
    const outs = new RowSetBuilder();
    if (lu) {
      const rekey = lu.modifiedColumns.some((c) => this.#leftMatch.has(c));
      const moved = rekey ? lu.modified : RowSet.EMPTY;
      if (s.grouped) s.removeLeft(lu.removed.union(moved));
      s.addLeft(lu.added.union(moved), (key, pass) => (pass ? ins : outs).addKey(key));
    }
    const flipIn: number[] = [];
    const flipOut: number[] = [];
    for (const [slot, count] of before) {
      if (count > 0 === s.countOf(slot) > 0) continue;
      const into = s.passes(slot) ? flipIn : flipOut;
      for (const key of s.group(slot)) into.push(key);
    }
    // 3. The result: surviving rows minus those now out, plus those now in (a row's final key
    // decides, so no row is both). The update is read off the changed rows, not the result.
    s.sweep();
    const inSet = ins.build().union(RowSet.fromKeys(flipIn));
    const outSet = outs.build().union(RowSet.fromKeys(flipOut));
    const dropped = keysWhere(outSet, (k) => kept.contains(k));
    nodeOf(this.result).setRowSet(kept.minusUnion(dropped, inSet));
    const added = keysWhere(inSet, (k) => !kept.contains(k));
    const removed = gone.union(dropped);
    const modified = lu
      ? keysWhere(lu.modified, (k) => kept.contains(k) && !outSet.contains(k))
      : RowSet.EMPTY;
    return makeUpdate(added, removed, modified, lu?.modifiedColumns ?? []);
  }
}

function whereInImpl(
  left: Table,
  right: Table,
  on: string | readonly string[],
  inverted: boolean,
): Table {
  const op = inverted ? "whereNotIn" : "whereIn";
  assertUsable(left);
  assertUsable(right);
  const match = matchPairs(left, right, on, op);
  for (const p of match) {
    const type = left.columns[p.left]!;
    if (isArrayType(type)) {
      throw new ArgumentError(
        `${op}: match column "${p.left}" is an array column (${type}); array columns cannot be matched`,
      );
    }
  }
  const refreshing = left.isRefreshing || right.isRefreshing;
  const graph = (left.graph ?? right.graph) as UpdateGraph | null;
  if (left.isRefreshing && right.isRefreshing && left.graph !== right.graph)
    throw new ArgumentError(`${op}: the left and right tables belong to different update graphs`);
  const state = new WhereInState(
    new KeySlots(match.map((p) => left.columns[p.left]!)),
    match.map((p) => left.column(p.left)),
    match.map((p) => right.column(p.right)),
    inverted,
    right.isRefreshing && !left.isBlink,
  );
  state.countRight(right.rowSet, false, 1);
  const ins = new RowSetBuilder();
  state.addLeft(left.rowSet, (key, pass) => pass && ins.addKey(key));
  const attrs: TableAttributes = refreshing
    ? {
        refreshing: true,
        blink: left.isBlink,
        appendOnly: left.isAppendOnly && !right.isRefreshing,
        addOnly: left.attributes.addOnly && !right.isRefreshing,
      }
    : STATIC_ATTRIBUTES;
  const result = new Table(new Map(left.columnMap), ins.build(), attrs, graph, op);
  if (refreshing) nodeOf(result).attach(new WhereInOperator(result, left, right, state, match));
  return result;
}

/**
 * The rows of `left` whose `on` values are among `right`'s current rows, in `left`'s order.
 * `on`: `"Sym"`, `"Sym, Exch"`, `["Sym", "Exch"]`, or `"LeftName = RightName"` pairs.
 */
export function whereIn(left: Table, right: Table, on: string | readonly string[]): Table {
  return whereInImpl(left, right, on, false);
}

/** The rows of `left` whose `on` values are not among `right`'s current rows. */
export function whereNotIn(left: Table, right: Table, on: string | readonly string[]): Table {
  return whereInImpl(left, right, on, true);
}

/** Descriptor (registered in operations.ts). */
export const whereInOp = defineMethod({
  name: "whereIn",
  params: [param("right", kinds.table, "right table"), param("on", kinds.columns, "match columns")],
  apply: (t: Table, right: Table, on: string | string[]): Table => whereIn(t, right, on),
  doc: 'left rows whose match values are among the right table\'s rows: `t.whereIn(watch, "Sym")`',
});

/** Descriptor (registered in operations.ts). */
export const whereNotInOp = defineMethod({
  name: "whereNotIn",
  params: [param("right", kinds.table, "right table"), param("on", kinds.columns, "match columns")],
  apply: (t: Table, right: Table, on: string | string[]): Table => whereNotIn(t, right, on),
  doc: "left rows whose match values are not among the right table's rows",
});
