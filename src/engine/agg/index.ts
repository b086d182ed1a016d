/**
 * Incremental aggregations (aggBy, the *By shorthands, partitionBy). `Table` forwards its
 * aggregation methods here; users build specs with `agg`.
 */

// Operations (Table methods forward to these)
export { aggBy } from "./agg-by.ts";
export type { AggKind, AggPair, AggSpec, ColumnAggSpec, CountAggSpec } from "./agg-spec.ts";
// Specs
export { AGG_KINDS, agg } from "./agg-spec.ts";
export {
  absSumBy,
  avgBy,
  countBy,
  firstBy,
  groupBy,
  lastBy,
  maxBy,
  medianBy,
  minBy,
  stdBy,
  sumBy,
  varBy,
} from "./by-methods.ts";
export { CONSTITUENT, PartitionedTable, partitionBy, partitionedAggBy } from "./partition.ts";
