/**
 * head / tail / slice and their percentage forms: rows by position. On a refreshing parent the
 * window is recomputed each cycle and the difference reported. On blink tables `head(n)` and
 * `tail(n)` mean `blinkToAppendOnly(t, { sizeLimit: n })` and `ringTable(t, n)`, as Deephaven;
 * the other positional operations are not supported there. A head or tail of up to TOP_N_MAX
 * rows over a refreshing sort is computed from the sort's parent (top-n.ts).
 */
import { ArgumentError } from "../errors.ts";
import { defineMethod, kinds, param } from "../operation.ts";
import { Operator } from "../operator.ts";
import type { RowSet } from "../row-set.ts";
import type { TableAttributes } from "../table-core.ts";
import { assertNotBlink, assertUsable, nodeOf, Table } from "../table-core.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import { blinkToAppendOnly } from "./blink-to-append-only.ts";
import { ringTable } from "./ring.ts";
import { windowOverSort } from "./top-n.ts";

type Window = (size: number) => [number, number];

function windowRows(rows: RowSet, w: Window): RowSet {
  const [s, e] = w(rows.size);
  return rows.subSetByPosition(s, e);
}

class SliceOperator extends Operator {
  readonly #window: Window;
  constructor(result: Table, parent: Table, window: Window) {
    super(result, [parent]);
    this.#window = window;
  }
  protected onUpdate(updates: readonly (TableUpdate | null)[]): TableUpdate | null {
    const u = updates[0] ?? null;
    const up = u!;
    const old = this.result.rowSet;
    const next = windowRows(this.parents[0]!.rowSet, this.#window);
    // Only the parent's changes within the old window's keys matter (a head over a sorted view:
    // the changes near the top), found by binary search, so the cost follows them.
    const removed = up.removed.subSetByKeyRange(old.first(), old.last() + 1);
    const stillIn = old.minus(removed).intersect(next);
    nodeOf(this.result).setRowSet(next);
    return makeUpdate(
      next.minus(stillIn),
      old.minus(stillIn),
      up.modified.subSetByKeyRange(stillIn.first(), stillIn.last() + 1).intersect(stillIn),
      up.modifiedColumns,
    );
  }
}

function sliceBy(parent: Table, w: Window, kind: string, keepsAppendOnly: boolean): Table {
  assertUsable(parent);
  const attrs: TableAttributes = {
    refreshing: parent.isRefreshing,
    blink: false,
    appendOnly: keepsAppendOnly && parent.isAppendOnly,
    addOnly: keepsAppendOnly && parent.isAppendOnly,
  };
  const result = new Table(
    new Map(parent.columnMap),
    windowRows(parent.rowSet, w),
    attrs,
    parent.graph,
    kind,
  );
  if (parent.isRefreshing) nodeOf(result).attach(new SliceOperator(result, parent, w));
  return result;
}

function checkCount(op: string, n: number): void {
  if (!Number.isInteger(n) || n < 0)
    throw new ArgumentError(`${op}: row count must be a non-negative integer, got ${n}`);
}

function checkPct(op: string, p: number): void {
  if (!(p >= 0 && p <= 1))
    throw new ArgumentError(`${op}: percentage must be between 0 and 1, got ${p}`);
}

/** Position of a possibly negative index (counted from the end), clamped to [0, size]. */
function pos(i: number, size: number): number {
  return Math.max(0, Math.min(size, i < 0 ? size + i : i));
}

export function head(t: Table, n: number): Table {
  checkCount("head", n);
  if (t.isBlink) return blinkToAppendOnly(t, { sizeLimit: n });
  return (
    windowOverSort(t, n, false, "head") ??
    sliceBy(t, (size) => [0, Math.min(n, size)], "head", true)
  );
}

export function tail(t: Table, n: number): Table {
  checkCount("tail", n);
  if (t.isBlink) return ringTable(t, n);
  return (
    windowOverSort(t, n, true, "tail") ??
    sliceBy(t, (size) => [Math.max(0, size - n), size], "tail", false)
  );
}

export function slice(t: Table, start: number, end: number): Table {
  assertNotBlink(t, "slice");
  if (!Number.isInteger(start) || !Number.isInteger(end)) {
    throw new ArgumentError(`slice: positions must be integers, got ${start} and ${end}`);
  }
  return sliceBy(t, (size) => [pos(start, size), pos(end, size)], "slice", start === 0 && end >= 0);
}

export function headPct(t: Table, pct: number): Table {
  assertNotBlink(t, "headPct");
  checkPct("headPct", pct);
  return sliceBy(t, (size) => [0, Math.ceil(size * pct)], "headPct", false);
}

export function tailPct(t: Table, pct: number): Table {
  assertNotBlink(t, "tailPct");
  checkPct("tailPct", pct);
  return sliceBy(t, (size) => [size - Math.ceil(size * pct), size], "tailPct", false);
}

export function slicePct(t: Table, startPct: number, endPct: number): Table {
  assertNotBlink(t, "slicePct");
  checkPct("slicePct", startPct);
  checkPct("slicePct", endPct);
  return sliceBy(
    t,
    (size) => [Math.floor(size * startPct), Math.floor(size * endPct)],
    "slicePct",
    false,
  );
}

// ---- descriptors (registered in operations.ts) ---------------------------------------------------

const rowCount = param("n", kinds.integer, "row count");
const fraction = param("pct", kinds.number, "fraction");

export const headOp = defineMethod({
  name: "head",
  params: [rowCount],
  apply: (t: Table, n: number): Table => head(t, n),
  doc: "the first `n` rows (on a blink table: `blinkToAppendOnly(t, { sizeLimit: n })`)",
});
export const tailOp = defineMethod({
  name: "tail",
  params: [rowCount],
  apply: (t: Table, n: number): Table => tail(t, n),
  doc: "the last `n` rows (on a blink table: `ringTable(t, n)`)",
});
export const headPctOp = defineMethod({
  name: "headPct",
  params: [fraction],
  apply: (t: Table, pct: number): Table => headPct(t, pct),
  doc: "the first fraction `pct` (0 to 1) of the rows; not on blink tables",
});
export const tailPctOp = defineMethod({
  name: "tailPct",
  params: [fraction],
  apply: (t: Table, pct: number): Table => tailPct(t, pct),
  doc: "the last fraction `pct` of the rows; not on blink tables",
});
export const sliceOp = defineMethod({
  name: "slice",
  params: [param("start", kinds.integer), param("end", kinds.integer)],
  apply: (t: Table, start: number, end: number): Table => slice(t, start, end),
  doc: "rows at positions `[start, end)` (negative positions count from the end); not on blink tables",
});
export const slicePctOp = defineMethod({
  name: "slicePct",
  params: [param("startPct", kinds.number, "start"), param("endPct", kinds.number, "end")],
  apply: (t: Table, startPct: number, endPct: number): Table => slicePct(t, startPct, endPct),
  doc: "rows between two fractions of the size; not on blink tables",
});
