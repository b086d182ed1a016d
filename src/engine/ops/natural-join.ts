/**
 * naturalJoin and exactJoin: every left row once, in left order, with the joined columns from the
 * right row whose match values equal the left row's (null matches null), or nulls.
 *
 * The result keeps the left's row keys and row set; the left's columns are the left's own column
 * sources, and each joined column is a RedirectedColumnSource over the right's column through one
 * RowRedirection (left key -> chosen right key, or none). Nothing is copied.
 *
 * State (join-keys.ts, slot-rows.ts): each key tuple has a slot; per slot the right rows with that
 * key (ascending: the right's order, for "firstMatch"/"lastMatch"), the chosen right row, and,
 * when the right refreshes and the left is not blink, the left rows with that key, so a right
 * change rewrites exactly the left rows of its key. A blink left needs no left index: its rows
 * live one cycle and are matched when they arrive.
 *
 * Types (Deephaven's NaturalJoinType): "errorOnDuplicate" (default) fails on any key with two or
 * more right rows; "firstMatch"/"lastMatch" take the lowest/highest right row key;
 * "exactlyOneMatch" (exactJoin) fails when a left row has zero or several matches. A violation
 * throws at construction, or fails the result in the cycle that causes it.
 */

import type { ColumnSource } from "../column-source.ts";
import { ArgumentError, showValue } from "../errors.ts";
import { defineMethod, kinds, optional, param } from "../operation.ts";
import { Operator } from "../operator.ts";
import { RedirectedColumnSource } from "../redirected-column-source.ts";
import type { RowSet } from "../row-set.ts";
import { RowSet as RowSets } from "../row-set.ts";
import { forEachSpan } from "../spans.ts";
import type { TableAttributes } from "../table-core.ts";
import { inheritAttributes, nodeOf, Table } from "../table-core.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import { joinInputs } from "./join-inputs.ts";
import { spanKeys } from "./join-keys.ts";
import type { ColumnPair } from "./match-columns.ts";
import type { NaturalJoinOptions, NaturalJoinType } from "./natural-join-state.ts";
import { MatchState, NATURAL_JOIN_TYPES } from "./natural-join-state.ts";

export type { NaturalJoinOptions, NaturalJoinType } from "./natural-join-state.ts";

class NaturalJoinOperator extends Operator {
  readonly #st: MatchState;
  readonly #leftMatch: Set<string>;
  readonly #rightMatch: Set<string>;
  /** Right column -> the result names it is joined as. */
  readonly #joinedBy: Map<string, string[]>;
  readonly #joinedNames: string[];

  constructor(
    result: Table,
    left: Table,
    right: Table,
    st: MatchState,
    on: readonly ColumnPair[],
    joins: readonly ColumnPair[],
  ) {
    super(result, [left, right]);
    this.#st = st;
    this.#leftMatch = new Set(on.map((p) => p.left));
    this.#rightMatch = new Set(on.map((p) => p.right));
    this.#joinedBy = new Map();
    for (const p of joins) {
      const l = this.#joinedBy.get(p.right) ?? [];
      l.push(p.left);
      this.#joinedBy.set(p.right, l);
    }
    this.#joinedNames = joins.map((p) => p.left);
  }

  protected onUpdate(updates: readonly (TableUpdate | null)[]): TableUpdate | null {
    const lu = updates[0] ?? null;
    const ru = updates[1] ?? null;
    const st = this.#st;
    const modified: number[] = [];
    let joinedChanged = false;
    const rightCols = new Set<string>();

    // 1. Left rows leaving their key: removed rows, and modified rows whose key changed.
    // Redirection pages holding only leaving rows are set aside first, so rows re-using their
    // keys (a blink left) write fresh pages instead of copying the old ones for previous values.
    const removed = lu ? lu.removed : RowSets.EMPTY;
    if (!removed.isEmpty) st.redirection.release(removed, this.result.rowSet.minus(removed));
    // Slots that rows left this cycle: freed at the end if no row holds their key any more.
    const touched = new Set<number>();
    if (st.left && !removed.isEmpty) {
      const li = st.left;
      st.eachSlot(removed, st.leftOn, true, (keys, slots, n) => {
        for (let i = 0; i < n; i++) {
          li.remove(slots[i]!, keys[i]!);
          touched.add(slots[i]!);
        }
      });
    }
    let movers = RowSets.EMPTY;
    if (lu && !lu.modified.isEmpty && lu.modifiedColumns.some((c) => this.#leftMatch.has(c))) {
      movers = this.#moved(lu.modified, st.leftOn, (key, slot) => {
        if (!st.left) return;
        st.left.remove(slot, key);
        touched.add(slot);
      });
    }

    // 2. Right rows: removed, moved between keys, added; in-place modifications noted.
    const inPlace: number[] = [];
    if (ru) {
      st.eachSlot(ru.removed, st.rightOn, true, (keys, slots, n) => {
        for (let i = 0; i < n; i++) {
          st.right.remove(slots[i]!, keys[i]!);
          touched.add(slots[i]!);
        }
      });
      if (!ru.modified.isEmpty) {
        const valueCols = ru.modifiedColumns.filter((c) => this.#joinedBy.has(c));
        let rightMovers = RowSets.EMPTY;
        if (ru.modifiedColumns.some((c) => this.#rightMatch.has(c))) {
          rightMovers = this.#moved(ru.modified, st.rightOn, (key, slot) => {
            st.right.remove(slot, key);
            touched.add(slot);
          });
          st.eachSlot(rightMovers, st.rightOn, false, (keys, slots, n) => {
            for (let i = 0; i < n; i++) {
              st.right.add(slots[i]!, keys[i]!);
              touched.add(slots[i]!);
            }
          });
        }
        // Left rows matched to a right row modified in place see its new values: only a left
        // index can name them (a blink left's rows are all new, so nothing to re-read).
        if (valueCols.length > 0 && st.left !== null) {
          for (const c of valueCols) for (const n of this.#joinedBy.get(c)!) rightCols.add(n);
          const stay = ru.modified.minus(rightMovers);
          st.eachSlot(stay, st.rightOn, false, (keys, slots, n) => {
            for (let i = 0; i < n; i++) inPlace.push(slots[i]!, keys[i]!);
          });
        }
      }
      st.eachSlot(ru.added, st.rightOn, false, (keys, slots, n) => {
        for (let i = 0; i < n; i++) {
          st.right.add(slots[i]!, keys[i]!);
          touched.add(slots[i]!);
        }
      });
    }

    // 3. Keys whose chosen right row changed (or was removed and re-added under the same row
    // key, as a blink table may do): rewrite their remaining left rows.
    const reused = ru ? ru.removed.intersect(ru.added) : RowSets.EMPTY;
    for (const s of touched) {
      const next = st.choose(s);
      const li = st.left;
      if (li && li.count(s) > 0) st.checkExactlyOne(s, li.first(s));
      if (next === st.chosen(s) && (next < 0 || !reused.contains(next))) continue;
      st.setChosen(s, next);
      li?.forEach(s, (k) => {
        st.redirection.set(k, next);
        modified.push(k);
        joinedChanged = true;
      });
    }

    // 4. Right rows modified in place: the left rows matched to them see new values.
    let valuesChanged = false;
    for (let i = 0; i < inPlace.length; i += 2) {
      const s = inPlace[i]!;
      if (st.chosen(s) !== inPlace[i + 1]) continue;
      st.left?.forEach(s, (k) => {
        modified.push(k);
        valuesChanged = true;
      });
    }

    // 5. Left rows: moved (re-matched in place), modified, added.
    if (!movers.isEmpty) {
      const before = new Float64Array(movers.size);
      movers.forEach((k, i) => {
        before[i] = st.redirection.get(k);
      });
      st.matchLeft(movers);
      // A moved row sees other right values when its right row changed, and also when it is the
      // same row key holding another row now (a blink right re-using its keys) or a row the
      // right side modified.
      const changedRight = ru ? reused.union(ru.modified) : RowSets.EMPTY;
      movers.forEach((k, i) => {
        const r = st.redirection.get(k);
        if (r !== before[i] || (r >= 0 && changedRight.contains(r))) joinedChanged = true;
      });
    }
    if (lu) for (const k of lu.modified) modified.push(k);
    const added = lu ? lu.added : RowSets.EMPTY;
    st.matchLeft(added);

    const rows = this.result.rowSet.minusUnion(removed, added);
    nodeOf(this.result).setRowSet(rows);
    st.redirection.release(removed, rows);
    st.freeUnused(touched);

    const cols = new Set<string>(lu && !lu.modified.isEmpty ? lu.modifiedColumns : []);
    if (joinedChanged) for (const n of this.#joinedNames) cols.add(n);
    else if (valuesChanged) for (const n of rightCols) cols.add(n);
    const mod = RowSets.fromKeys(modified);
    return makeUpdate(added, removed, mod, [...cols]);
  }

  /**
   * The rows of `rows` whose key slot changed (previous vs current values); calls `leave` with
   * each one's key and previous slot.
   */
  #moved(
    rows: RowSet,
    sources: readonly ColumnSource[],
    leave: (key: number, slot: number) => void,
  ): RowSet {
    const st = this.#st;
    const out: number[] = [];
    const find = st.left ? st.keys.slotsOf : st.keys.lookup;
    forEachSpan(rows, (span) => {
      find.call(st.keys, sources, span, true, st.prevSlots);
      find.call(st.keys, sources, span, false, st.slots);
      const keys = spanKeys(span, st.keyBuf);
      for (let i = 0; i < span.length; i++) {
        if (st.prevSlots[i] === st.slots[i]) continue;
        out.push(keys[i]!);
        leave(keys[i]!, st.prevSlots[i]!);
      }
    });
    return RowSets.fromKeys(out);
  }
}

function checkType(options: NaturalJoinOptions, what: string): NaturalJoinType {
  const known = NATURAL_JOIN_TYPES.map((t) => `"${t}"`).join(", ");
  if (options === null || typeof options !== "object")
    throw new ArgumentError(`${what}: options must be an object { type }`);
  for (const k of Object.keys(options))
    if (k !== "type") throw new ArgumentError(`${what}: unknown option "${k}"; known: type`);
  const type = options.type ?? "errorOnDuplicate";
  if (!NATURAL_JOIN_TYPES.includes(type))
    throw new ArgumentError(`${what}: type must be one of ${known}, got ${showValue(type)}`);
  return type;
}

function attributesOf(left: Table, right: Table): TableAttributes {
  if (!right.isRefreshing) return inheritAttributes(left);
  return { refreshing: true, blink: left.isBlink, appendOnly: false, addOnly: false };
}

/** naturalJoin / exactJoin (see the module header). */
export function naturalJoin(
  left: Table,
  right: Table,
  on: string | readonly string[],
  joins?: string | readonly string[],
  options: NaturalJoinOptions = {},
  what = "naturalJoin",
): Table {
  const type = checkType(options, what);
  const inputs = joinInputs(left, right, on, joins, what);
  const indexLeft = right.isRefreshing && !left.isBlink;
  const st = new MatchState(what, type, left, right, inputs.on, indexLeft);

  st.eachSlot(right.rowSet, st.rightOn, false, (keys, slots, n) => {
    for (let i = 0; i < n; i++) st.right.add(slots[i]!, keys[i]!);
  });
  for (let s = 0; s < st.keys.size; s++) st.setChosen(s, st.choose(s));
  st.matchLeft(left.rowSet);
  st.left?.compact();

  const columns = new Map(left.columnMap);
  for (const p of inputs.joins)
    columns.set(p.left, new RedirectedColumnSource(right.column(p.right), st.redirection));
  const attrs = attributesOf(left, right);
  const result = new Table(columns, left.rowSet, attrs, inputs.graph, what);
  if (attrs.refreshing && inputs.graph) {
    st.redirection.setTracker(inputs.graph);
    nodeOf(result).attach(
      new NaturalJoinOperator(result, left, right, st, inputs.on, inputs.joins),
    );
  }
  return result;
}

/** exactJoin: naturalJoin where every left row must have exactly one right match. */
export function exactJoin(
  left: Table,
  right: Table,
  on: string | readonly string[],
  joins?: string | readonly string[],
): Table {
  return naturalJoin(left, right, on, joins, { type: "exactlyOneMatch" }, "exactJoin");
}

/** Descriptor (registered in operations.ts). */
export const naturalJoinOp = defineMethod({
  name: "naturalJoin",
  params: [
    param("right", kinds.table, "right table"),
    param("on", kinds.columns, "match columns"),
    optional(param("joins", kinds.columns, "joined columns")),
    optional(param("options", kinds.options({ type: kinds.oneOf(NATURAL_JOIN_TYPES) }))),
  ],
  apply: (
    t: Table,
    right: Table,
    on: string | string[],
    joins?: string | string[],
    options?: NaturalJoinOptions,
  ): Table => naturalJoin(t, right, on, joins, options),
  doc: "every left row once, with the joined columns of the right row whose match values equal its own, or nulls",
});

/** Descriptor (registered in operations.ts). */
export const exactJoinOp = defineMethod({
  name: "exactJoin",
  params: [
    param("right", kinds.table, "right table"),
    param("on", kinds.columns, "match columns"),
    optional(param("joins", kinds.columns, "joined columns")),
  ],
  apply: (t: Table, right: Table, on: string | string[], joins?: string | string[]): Table =>
    exactJoin(t, right, on, joins),
  doc: "naturalJoin where every left row must match exactly one right row",
});
