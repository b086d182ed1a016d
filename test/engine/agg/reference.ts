/**
 * Test support for aggregations: a from-scratch reference implementation over plain rows, and a
 * checker that every update a result emits is consistent with its contents.
 */
import { expect } from "vitest";
import type { Table, TableUpdate } from "../../../src/engine/index.ts";

export type Row = Record<string, unknown>;
export type RefKind =
  | "sum"
  | "absSum"
  | "count"
  | "min"
  | "max"
  | "avg"
  | "first"
  | "last"
  | "std"
  | "var"
  | "median"
  | "countDistinct";

export interface RefAgg {
  kind: RefKind;
  out: string;
  /** Input column (unused for count). */
  in: string;
  /** Input type, for result typing. */
  type: "int" | "long" | "double" | "string";
}

const isNull = (v: unknown) => v === null || v === undefined;

function lt(a: unknown, b: unknown): boolean {
  // NaN sorts above every number.
  if (typeof a === "number" && Number.isNaN(a)) return false;
  if (typeof b === "number" && Number.isNaN(b)) return true;
  return (a as number) < (b as number);
}

function sortValues(vs: unknown[]): unknown[] {
  return [...vs].sort((a, b) => (lt(a, b) ? -1 : lt(b, a) ? 1 : 0));
}

/** Exact sample variance of integer-valued inputs. */
function exactVar(vs: unknown[]): number {
  const n = BigInt(vs.length);
  let s = 0n;
  let q = 0n;
  for (const v of vs) {
    const b = BigInt(v as number | bigint);
    s += b;
    q += b * b;
  }
  return Number(n * q - s * s) / (vs.length * (vs.length - 1));
}

/** Expected output of one aggregation over the rows of one group (in row order). */
export function refValue(a: RefAgg, rows: Row[]): unknown {
  if (a.kind === "count") return BigInt(rows.length);
  if (a.kind === "first") return rows[0]![a.in] ?? null;
  if (a.kind === "last") return rows[rows.length - 1]![a.in] ?? null;
  const vs = rows.map((r) => r[a.in]).filter((v) => !isNull(v));
  if (a.kind === "countDistinct")
    return BigInt(new Set(vs.map((v) => (typeof v === "bigint" ? `${v}n` : v))).size);
  if (vs.length === 0) return null;
  switch (a.kind) {
    case "sum":
    case "absSum": {
      const abs = a.kind === "absSum";
      if (a.type === "double") {
        let s = 0;
        for (const v of vs) s += abs ? Math.abs(v as number) : (v as number);
        return s;
      }
      let s = 0n;
      for (const v of vs) {
        const b = BigInt(v as number | bigint);
        s += abs && b < 0n ? -b : b;
      }
      return BigInt.asIntN(64, s); // int64 wraps on overflow, as Java's long
    }
    case "avg": {
      if (a.type === "double") return vs.reduce((x: number, v) => x + (v as number), 0) / vs.length;
      let s = 0n;
      for (const v of vs) s += BigInt(v as number | bigint);
      return Number(s) / vs.length;
    }
    case "var":
    case "std": {
      if (vs.length === 1 || vs.some((v) => typeof v === "number" && !Number.isFinite(v)))
        return Number.NaN;
      return a.kind === "var" ? exactVar(vs) : Math.sqrt(exactVar(vs));
    }
    case "min":
      return sortValues(vs)[0];
    case "max":
      return sortValues(vs)[vs.length - 1];
    case "median": {
      if (vs.some((v) => Number.isNaN(v))) return Number.NaN;
      const s = sortValues(vs);
      const lo = (s.length - 1) >> 1;
      if (a.type === "string") return s[lo];
      if (s.length % 2 === 1) return Number(s[lo] as number);
      return (Number(s[lo] as number) + Number(s[lo + 1] as number)) / 2;
    }
  }
}

/** Key tuple of a row as a string (for grouping). */
export function keyOf(row: Row, keys: readonly string[]): string {
  return JSON.stringify(
    keys.map((k) => (typeof row[k] === "bigint" ? `${row[k]}n` : (row[k] ?? null))),
  );
}

/** Appends to `order` the key tuples (`keyOf` strings) of `rows` it does not hold yet. */
export function extendOrder(order: string[], rows: readonly Row[], keys: readonly string[]): void {
  for (const r of rows) {
    const k = keyOf(r, keys);
    if (!order.includes(k)) order.push(k);
  }
}

/** A copy of `rows` sorted by key tuple (for results whose group order is not checked). */
export function byKey(rows: readonly Row[], keys: readonly string[]): Row[] {
  return [...rows].sort((a, b) =>
    keyOf(a, keys) < keyOf(b, keys) ? -1 : keyOf(a, keys) > keyOf(b, keys) ? 1 : 0,
  );
}

/**
 * Expected result rows: one per key tuple present in `rows`, ordered by `order` (key strings in
 * first-appearance order; null: order of first appearance within `rows`).
 */
export function reference(
  rows: Row[],
  keys: readonly string[],
  aggs: readonly RefAgg[],
  order: string[] | null,
): Row[] {
  return groupRows(rows, keys, order, (out, g) => {
    for (const a of aggs) out[a.out] = refValue(a, g);
  });
}

/**
 * Groups `rows` by `keys`, in `order` (keys by first appearance) or first appearance within
 * `rows`; each result row has the key columns, and `fill` adds the outputs from the group's rows.
 */
export function groupRows(
  rows: readonly Row[],
  keys: readonly string[],
  order: readonly string[] | null,
  fill: (out: Row, group: Row[]) => void,
): Row[] {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const k = keyOf(r, keys);
    let g = groups.get(k);
    if (!g) {
      g = [];
      groups.set(k, g);
    }
    g.push(r);
  }
  const ks = order ? order.filter((k) => groups.has(k)) : [...groups.keys()];
  return ks.map((k) => {
    const g = groups.get(k)!;
    const out: Row = {};
    for (const key of keys) out[key] = g[0]![key] ?? null;
    fill(out, g);
    return out;
  });
}

function close(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
    if (a === b) return true;
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  }
  return a === b;
}

/** Asserts `actual` rows equal `expected` (floats within 1e-9 relative). */
export function expectRowsClose(actual: Row[], expected: Row[], context = ""): void {
  const ok =
    actual.length === expected.length &&
    actual.every(
      (r, i) =>
        Object.keys(expected[i]!).every((c) => close(r[c], expected[i]![c])) &&
        Object.keys(r).length === Object.keys(expected[i]!).length,
    );
  if (!ok) expect(actual, context).toEqual(expected);
}

/** Rows keyed by row key. */
function snapshot(t: Table): Map<number, Row> {
  const m = new Map<number, Row>();
  const names = t.columnNames;
  for (const k of t.rowSet.toArray()) {
    const r: Row = {};
    for (const n of names) r[n] = t.getValue(n, k);
    m.set(k, r);
  }
  return m;
}

const same = (a: unknown, b: unknown) => a === b || (Number.isNaN(a) && Number.isNaN(b));

/**
 * Watches `t` and checks each update against the table's contents: `removed` were present,
 * `added` were not, `modified` are exactly the rows whose values changed, `modifiedColumns`
 * exactly the columns that changed (never a key column), and nothing changes without an update.
 * Call `check()` after every cycle.
 */
export function watchUpdates(
  t: Table,
  keyColumns: readonly string[],
): { check: () => void; updates: TableUpdate[] } {
  let prev = snapshot(t);
  const updates: TableUpdate[] = [];
  let pending: TableUpdate | null = null;
  t.listen((u) => {
    pending = u;
    updates.push(u);
  });
  const check = () => {
    const cur = snapshot(t);
    const u = pending as TableUpdate | null;
    pending = null;
    if (u === null) {
      expect([...cur.entries()]).toEqual([...prev.entries()]);
      return;
    }
    const removed = new Set(u.removed.toArray());
    const added = new Set(u.added.toArray());
    const modified = new Set(u.modified.toArray());
    for (const k of removed) expect(prev.has(k), `removed ${k} was present`).toBe(true);
    for (const k of added)
      expect(prev.has(k) && !removed.has(k), `added ${k} was absent`).toBe(false);
    const expectedKeys = new Set([...prev.keys()].filter((k) => !removed.has(k)));
    for (const k of added) expectedKeys.add(k);
    expect([...cur.keys()].sort((a, b) => a - b)).toEqual([...expectedKeys].sort((a, b) => a - b));
    const changedCols = new Set<string>();
    for (const [k, row] of cur) {
      if (added.has(k)) continue;
      const old = prev.get(k)!;
      const diff = Object.keys(row).filter((c) => !same(row[c], old[c]));
      if (modified.has(k)) expect(diff.length, `modified row ${k} changed`).toBeGreaterThan(0);
      else expect(diff, `row ${k} unchanged`).toEqual([]);
      for (const c of diff) changedCols.add(c);
    }
    expect([...u.modifiedColumns].sort()).toEqual([...changedCols].sort());
    for (const c of keyColumns) expect(u.modifiedColumns).not.toContain(c);
    prev = cur;
  };
  return { check, updates };
}
