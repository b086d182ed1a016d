/**
 * The operation registry: every table operation's descriptor, one line each. `table.ts` installs
 * the methods on `Table`, the spec language (`family/chain-eval.ts`) accepts and checks calls
 * from it, and docs/engine.md's operation table is rendered from it (a test compares them).
 * Adding an operation: declare its descriptor next to its implementation, add it here.
 */
import { aggByOp } from "./agg/agg-by.ts";
import {
  absSumByOp,
  avgByOp,
  countByOp,
  firstByOp,
  groupByOp,
  lastByOp,
  maxByOp,
  medianByOp,
  minByOp,
  stdByOp,
  sumByOp,
  varByOp,
} from "./agg/by-methods.ts";
import { partitionByOp, partitionedAggByOp } from "./agg/partition.ts";
import type { FunctionOperation, MethodOf, MethodOperation, Operation } from "./operation.ts";
import { ajOp, rajOp } from "./ops/as-of-join.ts";
import { blinkToAppendOnlyOp } from "./ops/blink-to-append-only.ts";
import { dropColumnsOp, renameColumnsOp } from "./ops/columns.ts";
import { headByOp, tailByOp } from "./ops/head-by.ts";
import { headOp, headPctOp, sliceOp, slicePctOp, tailOp, tailPctOp } from "./ops/head-tail.ts";
import { joinOp } from "./ops/join.ts";
import { mergeOp } from "./ops/merge.ts";
import { exactJoinOp, naturalJoinOp } from "./ops/natural-join.ts";
import { removeBlinkOp } from "./ops/remove-blink.ts";
import { ringTableOp } from "./ops/ring.ts";
import { selectOp, updateOp, updateViewOp, viewOp } from "./ops/select.ts";
import { snapshotOp } from "./ops/snapshot.ts";
import { sortDescendingOp, sortOp } from "./ops/sort.ts";
import { timeWindowOp } from "./ops/time-window.ts";
import { whereOp } from "./ops/where.ts";
import { whereInOp, whereNotInOp } from "./ops/where-in.ts";
import { withAttributesOp } from "./ops/with-attributes.ts";
import { updateByOp } from "./updateby/update-by.ts";

/** Every operation, in the order of the docs' table. */
export const OPERATIONS = [
  updateOp,
  updateViewOp,
  viewOp,
  selectOp,
  whereOp,
  whereInOp,
  whereNotInOp,
  dropColumnsOp,
  renameColumnsOp,
  headOp,
  tailOp,
  sliceOp,
  headPctOp,
  tailPctOp,
  slicePctOp,
  headByOp,
  tailByOp,
  snapshotOp,
  removeBlinkOp,
  withAttributesOp,
  sortOp,
  sortDescendingOp,
  aggByOp,
  sumByOp,
  absSumByOp,
  countByOp,
  avgByOp,
  minByOp,
  maxByOp,
  firstByOp,
  lastByOp,
  stdByOp,
  varByOp,
  medianByOp,
  groupByOp,
  updateByOp,
  partitionByOp,
  partitionedAggByOp,
  ringTableOp,
  blinkToAppendOnlyOp,
  timeWindowOp,
  mergeOp,
  naturalJoinOp,
  exactJoinOp,
  joinOp,
  ajOp,
  rajOp,
] as const satisfies readonly Operation[];

type Registered = (typeof OPERATIONS)[number];

/** The `Table` methods the registry declares, typed from each descriptor's `apply`. */
export type OperationMethods = {
  [D in Registered as D extends { readonly type: "method" } ? D["name"] : never]: MethodOf<
    D["apply"]
  >;
};

const byName = <T extends Operation>(type: T["type"]): ReadonlyMap<string, T> =>
  new Map(OPERATIONS.filter((o) => o.type === type).map((o) => [o.name, o as unknown as T]));

/** Methods by name. */
export const METHODS: ReadonlyMap<string, MethodOperation> = byName<MethodOperation>("method");
/** Functions over tables by name. */
export const FUNCTIONS: ReadonlyMap<string, FunctionOperation> =
  byName<FunctionOperation>("function");
