/**
 * aj / raj: as-of joins. Every entry of `on` but the last is an exact match (`"Sym"`,
 * `"L = R"`); the last compares stamps: `"Ts >= QuoteTs"` or `"Ts > QuoteTs"` for `aj`,
 * `"Ts <= QuoteTs"` or `"Ts < QuoteTs"` for `raj`, or a bare name (`>=` / `<=` on that column in
 * both tables). Each left row takes the right row with equal exact keys whose stamp is the
 * greatest <= its own (aj; `>`: <) or the least >= its own (raj; `<`: >). Among right rows with
 * that same stamp, aj takes the last in the right table's order and raj the first (Deephaven's
 * choice). Null stamps match nothing on either side; NaN sorts above +Infinity.
 *
 * The result is every left row once, with the left's row keys and column sources, plus the
 * joined columns (default: the right's columns except the match columns) as views through a
 * RowRedirection from the left key to the matched right key (none: nulls). AsOfState keeps the
 * rows per exact key ordered by stamp, so a cycle costs in proportion to what changed.
 */
import type { ColumnSource } from "../column-source.ts";
import { ArgumentError } from "../errors.ts";
import { defineMethod, kinds, optional, param } from "../operation.ts";
import { Operator } from "../operator.ts";
import { RedirectedColumnSource } from "../redirected-column-source.ts";
import { RowRedirection } from "../row-redirection.ts";
import { RowSet } from "../row-set.ts";
import type { TableAttributes } from "../table-core.ts";
import {
  assertUsable,
  inheritAttributes,
  nodeOf,
  STATIC_ATTRIBUTES,
  Table,
} from "../table-core.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import type { UpdateGraph } from "../update-graph.ts";
import { AsOfState } from "./as-of-state.ts";
import type { AsOfKind, ColumnPair } from "./match-columns.ts";
import { asOfMatch, joinedPairs } from "./match-columns.ts";

/** Names the operator needs to read the parents' updates. */
interface Plan {
  /** Left key and stamp columns: a modification of one moves the row. */
  readonly leftMatch: ReadonlySet<string>;
  /** Right key and stamp columns. */
  readonly rightMatch: ReadonlySet<string>;
  readonly joined: readonly ColumnPair[];
}

class AsOfJoinOperator extends Operator {
  readonly #state: AsOfState;
  readonly #plan: Plan;
  readonly #redirection: RowRedirection;

  constructor(
    result: Table,
    left: Table,
    right: Table,
    state: AsOfState,
    plan: Plan,
    redirection: RowRedirection,
  ) {
    super(result, [left, right]);
    this.#state = state;
    this.#plan = plan;
    this.#redirection = redirection;
  }

  protected onUpdate(updates: readonly (TableUpdate | null)[]): TableUpdate | null {
    const uL = updates[0] ?? null;
    const uR = updates[1] ?? null;
    const state = this.#state;
    const plan = this.#plan;
    const left = this.parents[0]!;
    const mc = new Set<string>();
    let rightModified: Set<number> | null = null;
    // Right keys removed and added again (a blink or ring table reusing keys): a left row still
    // matching that key now reads another row.
    let rightReplaced: Set<number> | null = null;
    let touchedJoined: string[] = [];
    let joinedChanged = false;
    // Left rows leaving (removed, or moving to another key or stamp) first; then the right
    // side's changes, which re-match exactly the remaining left rows in their intervals; then
    // the arriving left rows, each matched once against the current right rows (for rows
    // arriving in stamp order that is the last right row, found without a search).
    let movers = RowSet.EMPTY;
    if (uL) {
      // Redirection pages holding only leaving rows are set aside first, so rows re-using their
      // keys (a blink left) write fresh pages instead of copying the old ones as previous values.
      if (!uL.removed.isEmpty)
        this.#redirection.release(uL.removed, this.result.rowSet.minus(uL.removed));
      if (left.isBlink && uL.removed.size === this.result.rowSet.size) state.clearLeft();
      else state.removeLeft(uL.removed);
      if (!uL.modified.isEmpty) {
        for (const c of uL.modifiedColumns) mc.add(c);
        if (uL.modifiedColumns.some((c) => plan.leftMatch.has(c))) {
          movers = uL.modified;
          state.removeLeft(movers);
        }
      }
    }
    if (uR) {
      const moved = uR.modifiedColumns.some((c) => plan.rightMatch.has(c));
      const changed = new Set(uR.modifiedColumns);
      touchedJoined = plan.joined.filter((p) => changed.has(p.right)).map((p) => p.left);
      state.removeRight(uR.removed);
      const replaced = uR.added.intersect(uR.removed);
      if (!replaced.isEmpty) {
        rightReplaced = new Set();
        replaced.forEach((k) => {
          rightReplaced!.add(k);
        });
      }
      if (moved) state.removeRight(uR.modified);
      if (moved) state.addRight(uR.modified, true);
      state.addRight(uR.added, true);
      if (touchedJoined.length > 0 && !uR.modified.isEmpty) {
        if (!moved) state.touchRight(uR.modified);
        const keys = new Set<number>();
        uR.modified.forEach((k) => {
          keys.add(k);
        });
        rightModified = keys;
      }
    }
    const added = uL?.added ?? RowSet.EMPTY;
    const removed = uL?.removed ?? RowSet.EMPTY;
    const rematched: number[] = [];
    const refreshed: number[] = [];
    state.rescan((lk, rk, changed) => {
      if (changed || rightReplaced?.has(rk)) rematched.push(lk);
      else if (rightModified?.has(rk)) refreshed.push(lk);
    });
    // A mover whose right key is the same number as before may read another row now (a blink or
    // ring right reuses keys): then its joined columns are modified too.
    if (!movers.isEmpty) joinedChanged = state.addLeft(movers, true) || rightReplaced !== null;
    state.addLeft(added, false);
    state.endCycle();
    const re = RowSet.fromKeys(rematched);
    const rf = RowSet.fromKeys(refreshed);
    if (joinedChanged || !re.isEmpty) for (const p of plan.joined) mc.add(p.left);
    // A mover that kept its right row still reads that row's modified values (the rescan above
    // saw only the rows that stayed put).
    if (!rf.isEmpty || (rightModified !== null && !movers.isEmpty))
      for (const c of touchedJoined) mc.add(c);
    const modified = (uL?.modified ?? RowSet.EMPTY).union(re).union(rf);
    nodeOf(this.result).setRowSet(left.rowSet);
    if (!removed.isEmpty) this.#redirection.release(removed, left.rowSet);
    return makeUpdate(added, removed, modified, [...mc]);
  }
}

/** Builds `left.aj(right, on, joins)` (kind "aj") or `left.raj(...)` (kind "raj"). */
export function asOfJoin(
  kind: AsOfKind,
  left: Table,
  right: Table,
  on: string | readonly string[],
  joins?: string | readonly string[],
): Table {
  assertUsable(left);
  assertUsable(right);
  const { exact, stamp } = asOfMatch(left, right, on, kind, kind);
  const matchRight = [...exact.map((p) => p.right), stamp.right];
  const joined = joinedPairs(left, right, matchRight, joins, kind);
  let graph: UpdateGraph | null = null;
  if (left.isRefreshing) graph = left.graph;
  if (right.isRefreshing) {
    if (graph && right.graph !== graph)
      throw new ArgumentError(
        `${kind}: the left and right tables belong to different update graphs`,
      );
    graph = right.graph;
  }
  const redirection = new RowRedirection(graph);
  const state = new AsOfState(
    exact.map((p) => left.columns[p.left]!),
    { keys: exact.map((p) => left.column(p.left)), stamp: left.column(stamp.left) },
    { keys: exact.map((p) => right.column(p.right)), stamp: right.column(stamp.right) },
    kind === "aj" ? 1 : -1,
    stamp.strict,
    // A blink left's rows live one cycle and are matched after the cycle's right changes, so
    // no right change ever has to re-match them: only a non-blink left keeps ordered lists.
    right.isRefreshing && !left.isBlink,
    left.isBlink,
    redirection,
  );
  state.addRight(right.rowSet, false);
  state.addLeft(left.rowSet, false);
  state.endCycle();
  const columns = new Map<string, ColumnSource>(left.columnMap);
  for (const p of joined) {
    columns.set(p.left, new RedirectedColumnSource(right.column(p.right), redirection));
  }
  let attrs: TableAttributes = STATIC_ATTRIBUTES;
  if (right.isRefreshing) {
    attrs = { refreshing: true, blink: left.isBlink, appendOnly: false, addOnly: false };
  } else if (left.isRefreshing) attrs = inheritAttributes(left);
  const result = new Table(columns, left.rowSet, attrs, graph, kind);
  if (graph) {
    const plan: Plan = {
      leftMatch: new Set([...exact.map((p) => p.left), stamp.left]),
      rightMatch: new Set(matchRight),
      joined,
    };
    nodeOf(result).attach(new AsOfJoinOperator(result, left, right, state, plan, redirection));
  }
  return result;
}

/** `left.aj(right, on, joins?)`: see the module header. */
export function aj(
  left: Table,
  right: Table,
  on: string | readonly string[],
  joins?: string | readonly string[],
): Table {
  return asOfJoin("aj", left, right, on, joins);
}

/** `left.raj(right, on, joins?)`: see the module header. */
export function raj(
  left: Table,
  right: Table,
  on: string | readonly string[],
  joins?: string | readonly string[],
): Table {
  return asOfJoin("raj", left, right, on, joins);
}

const asOfParams = [
  param("right", kinds.table, "right table"),
  param("on", kinds.columns, "match columns"),
  optional(param("joins", kinds.columns, "joined columns")),
] as const;

/** Descriptor (registered in operations.ts). */
export const ajOp = defineMethod({
  name: "aj",
  params: asOfParams,
  apply: (t: Table, right: Table, on: string | string[], joins?: string | string[]): Table =>
    aj(t, right, on, joins),
  doc: "as-of join: the right row of equal keys with the greatest stamp <= the left's (`>`: <)",
});

/** Descriptor (registered in operations.ts). */
export const rajOp = defineMethod({
  name: "raj",
  params: asOfParams,
  apply: (t: Table, right: Table, on: string | string[], joins?: string | string[]): Table =>
    raj(t, right, on, joins),
  doc: "reverse as-of join: the right row of equal keys with the least stamp >= the left's (`<`: >)",
});
