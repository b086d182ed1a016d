/**
 * Every nugget the recompute harness runs: one import and one spread per operation file.
 */
import { nuggets as agg } from "../nuggets/agg.nugget.ts";
import { nuggets as asOfJoin } from "../nuggets/as-of-join.nugget.ts";
import { nuggets as columns } from "../nuggets/columns.nugget.ts";
import { nuggets as headBy } from "../nuggets/head-by.nugget.ts";
import { nuggets as headTail } from "../nuggets/head-tail.nugget.ts";
import { nuggets as inputTable } from "../nuggets/input-table.nugget.ts";
import { nuggets as join } from "../nuggets/join.nugget.ts";
import { nuggets as merge } from "../nuggets/merge.nugget.ts";
import { nuggets as ring } from "../nuggets/ring.nugget.ts";
import { nuggets as select } from "../nuggets/select.nugget.ts";
import { nuggets as sort } from "../nuggets/sort.nugget.ts";
import { nuggets as timeWindow } from "../nuggets/time-window.nugget.ts";
import { nuggets as updateBy } from "../nuggets/update-by.nugget.ts";
import { nuggets as where } from "../nuggets/where.nugget.ts";
import { nuggets as whereIn } from "../nuggets/where-in.nugget.ts";
import { nuggets as withAttributes } from "../nuggets/with-attributes.nugget.ts";
import type { Nugget } from "./nugget.ts";

export const NUGGETS: readonly Nugget[] = [
  ...where,
  ...select,
  ...columns,
  ...headTail,
  ...merge,
  ...agg,
  ...ring,
  ...headBy,
  ...whereIn,
  ...join,
  ...sort,
  ...asOfJoin,
  ...timeWindow,
  ...withAttributes,
  ...inputTable,
  ...updateBy,
];
