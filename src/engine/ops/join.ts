/**
 * join: every pair of a left row and a right row with equal match values (null matches null),
 * ordered by left row, then right row; with no match columns, the cross product.
 *
 * Key space: a left row with key L owns the result keys `[L * W, L * W + W)`, and its matches
 * take the first of them in the right's order: the i-th right row (ascending right key) of its
 * key is result key `L * W + i`. Ascending result keys are therefore (left order, right order),
 * and every column is a view: the left's columns through a redirection result key -> left key,
 * the joined ones through result key -> right key (16 bytes a result row, nothing copied).
 *
 * The width W is a power of two at least the largest number of right rows of one key (twice that
 * when the right refreshes, for headroom). Right rows arriving after the others of their key (an
 * append-only or blink right) only add result rows; a right row arriving or leaving before others
 * of its key moves the later matches down or up one key, which the update reports as
 * modifications of those rows. When a key outgrows W, W doubles and every result row is
 * re-keyed (one update: rows keeping their key are modified, the others removed or added).
 * `(largest left key + 1) * W` must stay below 2^53 (a RangeError otherwise).
 */
import type { ColumnSource } from "../column-source.ts";
import { defineMethod, kinds, optional, param } from "../operation.ts";
import { Operator } from "../operator.ts";
import { RedirectedColumnSource } from "../redirected-column-source.ts";
import { RowSet } from "../row-set.ts";
import type { TableAttributes } from "../table-core.ts";
import { inheritAttributes, nodeOf, Table } from "../table-core.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import { joinInputs } from "./join-inputs.ts";
import { JoinState, Ranges } from "./join-state.ts";
import type { ColumnPair } from "./match-columns.ts";
import { lowerBound } from "./slot-rows.ts";

class JoinOperator extends Operator {
  readonly #st: JoinState;
  readonly #leftMatch: Set<string>;
  readonly #rightMatch: Set<string>;
  readonly #joinedBy = new Map<string, string[]>();
  readonly #joinedNames: string[];
  readonly #leftNames: string[];

  constructor(
    result: Table,
    left: Table,
    right: Table,
    st: JoinState,
    on: readonly ColumnPair[],
    joins: readonly ColumnPair[],
  ) {
    super(result, [left, right]);
    this.#st = st;
    this.#leftMatch = new Set(on.map((p) => p.left));
    this.#rightMatch = new Set(on.map((p) => p.right));
    for (const p of joins) {
      const l = this.#joinedBy.get(p.right) ?? [];
      l.push(p.left);
      this.#joinedBy.set(p.right, l);
    }
    this.#joinedNames = joins.map((p) => p.left);
    this.#leftNames = left.columnNames;
  }

  protected onUpdate(updates: readonly (TableUpdate | null)[]): TableUpdate | null {
    const lu = updates[0] ?? null;
    const ru = updates[1] ?? null;
    const st = this.#st;
    const W = st.width;
    const removed = new Ranges();
    const added = new Ranges();
    const modified = new Ranges();
    const cols = new Set<string>();
    let structural = false;

    // 1. Left rows leaving their key (counts are still the previous cycle's). The slots rows
    // leave are freed at the end if no row holds their key any more.
    const left: number[] = [];
    const leftRemoved = lu ? lu.removed : RowSet.EMPTY;
    st.eachLeft(leftRemoved, true, (keys, slots, n) => {
      for (let i = 0; i < n; i++) {
        removed.add(keys[i]! * W, keys[i]! * W + st.right.count(slots[i]!));
        st.left?.remove(slots[i]!, keys[i]!);
        left.push(slots[i]!);
      }
    });
    const movers: { key: number; count: number }[] = [];
    let moverRows = RowSet.EMPTY;
    if (lu && !lu.modified.isEmpty && lu.modifiedColumns.some((c) => this.#leftMatch.has(c))) {
      moverRows = this.#moved(lu.modified, st.leftOn, (key, slot) => {
        movers.push({ key, count: st.right.count(slot) });
        st.left?.remove(slot, key);
        left.push(slot);
      });
    }

    // 2. Right rows; the previous list of every key they touch is kept for the diff.
    const before = new Map<number, number[]>();
    const touch = (s: number) => {
      if (!before.has(s)) before.set(s, st.right.rows(s));
    };
    const inPlace: number[] = [];
    if (ru) {
      st.keys.eachSlot(ru.removed, st.rightOn, true, (keys, slots, n) => {
        for (let i = 0; i < n; i++) {
          touch(slots[i]!);
          st.right.remove(slots[i]!, keys[i]!);
        }
      });
      let rightMovers = RowSet.EMPTY;
      if (!ru.modified.isEmpty && ru.modifiedColumns.some((c) => this.#rightMatch.has(c))) {
        rightMovers = this.#moved(ru.modified, st.rightOn, (key, slot) => {
          touch(slot);
          st.right.remove(slot, key);
        });
      }
      const arrivals = ru.added.union(rightMovers);
      st.keys.eachSlot(arrivals, st.rightOn, false, (keys, slots, n) => {
        for (let i = 0; i < n; i++) {
          touch(slots[i]!);
          st.right.add(slots[i]!, keys[i]!);
        }
      });
      const valueCols = ru.modifiedColumns.filter((c) => this.#joinedBy.has(c));
      if (!ru.modified.isEmpty && valueCols.length > 0) {
        for (const c of valueCols) for (const n of this.#joinedBy.get(c)!) cols.add(n);
        st.keys.eachSlot(ru.modified.minus(rightMovers), st.rightOn, false, (keys, slots, n) => {
          for (let i = 0; i < n; i++) inPlace.push(slots[i]!, keys[i]!);
        });
      }
    }
    const reused = ru ? ru.removed.intersect(ru.added) : RowSet.EMPTY;
    let grow = false;
    for (const s of before.keys()) if (st.right.count(s) > W) grow = true;

    // 3. Left rows arriving at a key: added rows and movers (index first, rows below).
    const arriving = lu ? lu.added.union(moverRows) : RowSet.EMPTY;
    const arrivals: { key: number; slot: number }[] = [];
    st.eachLeft(arriving, false, (keys, slots, n) => {
      for (let i = 0; i < n; i++) {
        arrivals.push({ key: keys[i]!, slot: slots[i]! });
        st.left?.add(slots[i]!, keys[i]!);
        if (st.right.count(slots[i]!) > W) grow = true;
      }
    });
    if (grow) return this.#rekey();

    // 4. Keys whose right rows changed (a right row key removed and re-added, as a blink table
    // may do, is a changed row): diff the lists by position, for each left row of the key.
    for (const [s, old] of before) {
      const neu = st.right.rows(s);
      const changed: number[] = [];
      const common = Math.min(old.length, neu.length);
      for (let p = 0; p < common; p++)
        if (old[p] !== neu[p] || reused.contains(neu[p]!)) changed.push(p);
      if (changed.length === 0 && old.length === neu.length) continue;
      st.left?.forEach(s, (k) => {
        if (moverRows.contains(k) || lu?.added.contains(k)) return;
        structural = true;
        const base = k * W;
        for (const p of changed) {
          st.rightRedirection.set(base + p, neu[p]!);
          modified.key(base + p);
        }
        if (neu.length > old.length) {
          st.write(k, neu, old.length, neu.length);
          added.add(base + old.length, base + neu.length);
        } else removed.add(base + neu.length, base + old.length);
      });
    }

    // 5. Right rows modified in place: their matches see new values.
    for (let i = 0; i < inPlace.length; i += 2) {
      const s = inPlace[i]!;
      const list = st.right.rows(s);
      const p = lowerBound(list, inPlace[i + 1]!);
      st.left?.forEach(s, (k) => {
        if (!moverRows.contains(k) && !lu?.added.contains(k)) modified.key(k * W + p);
      });
    }

    // 6. Movers take their new key's matches (positions present before and after: modified).
    const moverAt = new Map<number, number>();
    for (const m of movers) moverAt.set(m.key, m.count);
    for (const a of arrivals) {
      const k = a.key;
      const base = k * W;
      const list = st.right.rows(a.slot);
      st.checkKey(k);
      const oldCount = moverAt.get(k);
      if (oldCount === undefined || lu?.added.contains(k)) {
        st.write(k, list, 0, list.length);
        added.add(base, base + list.length);
        continue;
      }
      const common = Math.min(oldCount, list.length);
      st.write(k, list, 0, list.length);
      modified.add(base, base + common);
      if (list.length > oldCount) added.add(base + oldCount, base + list.length);
      else removed.add(base + list.length, base + oldCount);
      if (common > 0) structural = true;
    }

    // 7. Left rows modified in place: their matches carry the left's changed columns.
    if (lu && !lu.modified.isEmpty) {
      for (const c of lu.modifiedColumns) cols.add(c);
      st.eachLeft(lu.modified.minus(moverRows), false, (keys, slots, n) => {
        for (let i = 0; i < n; i++) {
          const s = slots[i]!;
          const now = st.right.count(s);
          const then = before.get(s)?.length ?? now;
          modified.add(keys[i]! * W, keys[i]! * W + Math.min(now, then));
        }
      });
    }

    if (structural) for (const n of this.#joinedNames) cols.add(n);
    const r = removed.build();
    const a = added.build();
    const m = modified.build().minus(r).minus(a);
    const rows = this.result.rowSet.minusUnion(r, a);
    nodeOf(this.result).setRowSet(rows);
    st.leftRedirection.release(r, rows);
    st.rightRedirection.release(r, rows);
    st.freeUnused([...left, ...before.keys()]);
    return makeUpdate(a, r, m, [...cols]);
  }

  /** A key outgrew the width: doubles it and re-keys every row (see the module header). */
  #rekey(): TableUpdate {
    const st = this.#st;
    const old = this.result.rowSet;
    st.width = st.widthFor(true);
    const rows = st.build(this.parents[0]!.rowSet);
    nodeOf(this.result).setRowSet(rows);
    const r = old.minus(rows);
    st.leftRedirection.release(r, rows);
    st.rightRedirection.release(r, rows);
    const cols = [...this.#leftNames, ...this.#joinedNames];
    return makeUpdate(rows.minus(old), r, old.intersect(rows), cols);
  }

  /** Rows of `rows` whose key slot changed; `leave` gets each one's key and previous slot. */
  #moved(
    rows: RowSet,
    sources: readonly ColumnSource[],
    leave: (key: number, slot: number) => void,
  ): RowSet {
    const st = this.#st;
    const prevSlots: number[] = [];
    const create = sources !== st.leftOn || st.left !== null;
    st.keys.eachSlot(
      rows,
      sources,
      true,
      (_keys, slots, n) => {
        for (let i = 0; i < n; i++) prevSlots.push(slots[i]!);
      },
      create,
    );
    const out: number[] = [];
    let at = 0;
    st.keys.eachSlot(
      rows,
      sources,
      false,
      (keys, slots, n) => {
        for (let i = 0; i < n; i++, at++) {
          if (prevSlots[at] === slots[i] && slots[i]! >= 0) continue;
          out.push(keys[i]!);
          leave(keys[i]!, prevSlots[at]!);
        }
      },
      create,
    );
    return RowSet.fromKeys(out);
  }
}

function attributesOf(left: Table, right: Table): TableAttributes {
  if (!right.isRefreshing) return inheritAttributes(left);
  return { refreshing: true, blink: left.isBlink, appendOnly: false, addOnly: false };
}

/** join (see the module header). `on` empty or absent: the cross product. */
export function join(
  left: Table,
  right: Table,
  on: string | readonly string[] = [],
  joins?: string | readonly string[],
): Table {
  const inputs = joinInputs(left, right, on, joins, "join");
  const st = new JoinState(left, right, inputs.on, right.isRefreshing && !left.isBlink);
  st.keys.eachSlot(right.rowSet, st.rightOn, false, (keys, slots, n) => {
    for (let i = 0; i < n; i++) st.right.add(slots[i]!, keys[i]!);
  });
  st.width = st.widthFor(right.isRefreshing);
  st.identityLeft = !right.isRefreshing && st.width === 1;
  if (st.left) {
    const li = st.left;
    st.keys.eachSlot(left.rowSet, st.leftOn, false, (keys, slots, n) => {
      for (let i = 0; i < n; i++) li.add(slots[i]!, keys[i]!);
    });
  }
  const rows = st.build(left.rowSet);
  const columns = new Map<string, ColumnSource>();
  for (const [name, col] of left.columnMap)
    columns.set(name, st.identityLeft ? col : new RedirectedColumnSource(col, st.leftRedirection));
  for (const p of inputs.joins)
    columns.set(p.left, new RedirectedColumnSource(right.column(p.right), st.rightRedirection));
  const attrs = attributesOf(left, right);
  const result = new Table(columns, rows, attrs, inputs.graph, "join");
  if (attrs.refreshing && inputs.graph) {
    st.leftRedirection.setTracker(inputs.graph);
    st.rightRedirection.setTracker(inputs.graph);
    nodeOf(result).attach(new JoinOperator(result, left, right, st, inputs.on, inputs.joins));
  }
  return result;
}

/** Descriptor (registered in operations.ts). */
export const joinOp = defineMethod({
  name: "join",
  params: [
    param("right", kinds.table, "right table"),
    optional(param("on", kinds.columns, "match columns")),
    optional(param("joins", kinds.columns, "joined columns")),
  ],
  apply: (t: Table, right: Table, on?: string | string[], joins?: string | string[]): Table =>
    join(t, right, on, joins),
  doc: "every pair of a left and a right row with equal match values, by left row then right row (no match columns: the cross product)",
});
