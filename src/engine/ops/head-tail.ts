/**
 * head / tail / slice and their percentage forms: rows by position. On a refreshing parent the
 * window is recomputed each cycle and the difference reported. On blink tables `head(n)` and
 * `tail(n)` mean `blinkToAppendOnly(t, { sizeLimit: n })` and `ringTable(t, n)`, as Deephaven;
 * the other positional operations are not supported there.
 */
import { ArgumentError } from "../errors.ts";
import { Operator } from "../operator.ts";
import type { RowSet } from "../row-set.ts";
import type { TableAttributes } from "../table.ts";
import { Table } from "../table.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import { blinkToAppendOnly } from "./blink-to-append-only.ts";
import { ringTable } from "./ring.ts";

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
  protected onUpdate([u]: readonly (TableUpdate | null)[]): TableUpdate | null {
    const up = u!;
    const old = this.result.rowSet;
    const next = windowRows(this.parents[0]!.rowSet, this.#window);
    const stillIn = old.minus(up.removed).intersect(next);
    this.result._setRowSet(next);
    return makeUpdate(
      next.minus(stillIn),
      old.minus(stillIn),
      up.modified.intersect(stillIn),
      up.modifiedColumns,
    );
  }
}

function sliceBy(parent: Table, w: Window, kind: string, keepsAppendOnly: boolean): Table {
  parent._assertUsable();
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
  if (parent.isRefreshing) result._setNode(new SliceOperator(result, parent, w));
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
  return sliceBy(t, (size) => [0, Math.min(n, size)], "head", true);
}

export function tail(t: Table, n: number): Table {
  checkCount("tail", n);
  if (t.isBlink) return ringTable(t, n);
  return sliceBy(t, (size) => [Math.max(0, size - n), size], "tail", false);
}

export function slice(t: Table, start: number, end: number): Table {
  t._assertNotBlink("slice");
  if (!Number.isInteger(start) || !Number.isInteger(end)) {
    throw new ArgumentError(`slice: positions must be integers, got ${start} and ${end}`);
  }
  return sliceBy(t, (size) => [pos(start, size), pos(end, size)], "slice", start === 0 && end >= 0);
}

export function headPct(t: Table, pct: number): Table {
  t._assertNotBlink("headPct");
  checkPct("headPct", pct);
  return sliceBy(t, (size) => [0, Math.ceil(size * pct)], "headPct", false);
}

export function tailPct(t: Table, pct: number): Table {
  t._assertNotBlink("tailPct");
  checkPct("tailPct", pct);
  return sliceBy(t, (size) => [size - Math.ceil(size * pct), size], "tailPct", false);
}

export function slicePct(t: Table, startPct: number, endPct: number): Table {
  t._assertNotBlink("slicePct");
  checkPct("slicePct", startPct);
  checkPct("slicePct", endPct);
  return sliceBy(
    t,
    (size) => [Math.floor(size * startPct), Math.floor(size * endPct)],
    "slicePct",
    false,
  );
}
