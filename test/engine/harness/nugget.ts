/**
 * The contract of the recompute harness (Deephaven's EvalNugget idea): an operation registers a
 * `Nugget` that builds its result from input tables; the harness (`eval-nugget.test.ts`) feeds
 * random inputs of every table type through random cycles and, after each cycle, compares the
 * incremental result with the same operation computed from scratch over static snapshots.
 *
 * Inputs share one schema so that joins and filters can match them against each other:
 * `Sym` string (few values, with nulls), `K` int32 (small range, with nulls), `Px` float64 (with
 * nulls and NaN), `Size` int64, `Ts` instant (nondecreasing within a table, with ties and nulls,
 * except in a keyed input table, whose freed row keys are reused),
 * `Flag` bool. Rows are compared in the result's row-key order, which is the result's order.
 */
import type { Table } from "../../../src/engine/index.ts";

/** The table types the harness makes inputs of. */
export type InputKind = "static" | "blink" | "appendOnly" | "ring" | "standard" | "input";

export interface Nugget {
  /** Shown in failures, e.g. `naturalJoin(Sym)`. */
  readonly name: string;
  /** Number of input tables (a join's left and right). */
  readonly arity: 1 | 2;
  /** Input types it accepts, per input (default: every kind for every input). */
  readonly kinds?: readonly (readonly InputKind[])[];
  /** Builds the result over the live inputs (and, by default, over their static snapshots). */
  build(inputs: readonly Table[]): Table;
  /**
   * The from-scratch result. `current` are static snapshots of the inputs' current rows;
   * `stream` the same except that a blink input is replaced by everything it ever delivered (in
   * stream order), for operations whose blink semantics cover the whole stream (aggregations,
   * headBy/tailBy). Default: `build(current)`.
   */
  recompute?(current: readonly Table[], stream: readonly Table[]): Table;
  /**
   * The result's row order is not a function of the inputs' current rows (an aggregation orders
   * groups by first appearance over the whole history, and a group that empties keeps its slot):
   * rows are compared as a multiset. Default false: rows are compared in order.
   */
  readonly unordered?: boolean;
  /**
   * Every modified row changes some value, and a cycle that changes no result row emits no
   * update. Off by default: `modifiedColumns` is per update, not per row, so an operation passing
   * its parent's modifications on (`view`, `where`) may name rows whose own values did not change.
   */
  readonly exactModifications?: boolean;
  /**
   * -0 and 0 compare equal in the result. For operations that pick one of several equal values
   * (min, max, median: -0 == 0 in their order), whose sign then depends on the history. Default
   * false: the sign of a zero must match.
   */
  readonly equalZeros?: boolean;
}
