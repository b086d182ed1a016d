/**
 * The checks every exact-match join (naturalJoin, exactJoin, join) makes of its inputs at
 * construction: both tables usable, refreshing ones on one update graph, match columns present on
 * both sides with equal scalar types, joined columns present on the right and new on the left.
 */
import { ArgumentError } from "../errors.ts";
import type { Table } from "../table-core.ts";
import { assertUsable } from "../table-core.ts";
import { isArrayType } from "../types.ts";
import type { UpdateGraph } from "../update-graph.ts";
import type { ColumnPair } from "./match-columns.ts";
import { joinedPairs, matchPairs } from "./match-columns.ts";

export interface JoinInputs {
  /** Match columns (left name, right name). */
  readonly on: ColumnPair[];
  /** Columns the right adds (result name, right name). */
  readonly joins: ColumnPair[];
  /** The graph of the refreshing input(s), or null when both are static. */
  readonly graph: UpdateGraph | null;
}

/** Checks a join's inputs; errors are ArgumentErrors naming `what` and the column. */
export function joinInputs(
  left: Table,
  right: Table,
  on: string | readonly string[],
  joins: string | readonly string[] | undefined,
  what: string,
): JoinInputs {
  assertUsable(left);
  assertUsable(right);
  const empty = typeof on === "string" ? on.trim() === "" : on.length === 0;
  const pairs = empty ? [] : matchPairs(left, right, on, what);
  for (const p of pairs) {
    if (isArrayType(left.columns[p.left]!))
      throw new ArgumentError(
        `${what}: match column "${p.left}" is ${left.columns[p.left]}; array columns cannot be matched`,
      );
  }
  const added = joinedPairs(
    left,
    right,
    pairs.map((p) => p.right),
    joins,
    what,
  );
  let graph: UpdateGraph | null = null;
  if (left.isRefreshing) graph = left.graph;
  if (right.isRefreshing) {
    if (graph && right.graph !== graph)
      throw new ArgumentError(
        `${what}: the left and right tables belong to different update graphs`,
      );
    graph = right.graph;
  }
  return { on: pairs, joins: added, graph };
}
