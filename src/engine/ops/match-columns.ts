/**
 * Column lists of the relational operations, parsed and checked once for all of them.
 *
 * A list is one comma-separated string or an array of strings (`"Sym, Exch"`, `["Sym", "Exch"]`),
 * as in Deephaven's Python API. An entry is a bare name (`"Sym"`: the same name on both sides) or
 * a pair (`"L = R"`: match, or add, right column R under the name L). The checks name the
 * operation and the column: an unknown column, a pair whose two sides have different types, or a
 * joined column whose name the left table already has are `ArgumentError`s at construction.
 */
import { ArgumentError } from "../errors.ts";
import type { Table } from "../table-core.ts";
import { validateColumnName } from "../types.ts";

/** One entry of a column list: `left` is the name on the left (or result), `right` on the right. */
export interface ColumnPair {
  readonly left: string;
  readonly right: string;
}

/** Splits a column list into trimmed entries; empty entries are errors naming `what`. */
export function columnEntries(list: string | readonly string[], what: string): string[] {
  const items = typeof list === "string" ? [list] : list;
  const out: string[] = [];
  for (const item of items) {
    for (const raw of item.split(",")) {
      const e = raw.trim();
      if (e === "") throw new ArgumentError(`${what}: empty entry in column list "${item}"`);
      out.push(e);
    }
  }
  return out;
}

/** Parses entries `"Name"` or `"L = R"` into pairs (names validated). */
export function columnPairs(list: string | readonly string[], what: string): ColumnPair[] {
  return columnEntries(list, what).map((e) => {
    const m = /^([^=\s]+)\s*(?:=\s*([^=\s]+))?$/.exec(e);
    if (!m) throw new ArgumentError(`${what}: bad column entry "${e}": expected "Name" or "L = R"`);
    const left = m[1]!;
    const right = m[2] ?? left;
    validateColumnName(left);
    validateColumnName(right);
    return { left, right };
  });
}

/** Throws unless `table` has every name in `names`, naming the operation and the side. */
export function requireColumns(table: Table, names: readonly string[], what: string, side: string) {
  const missing = names.filter((n) => !table.hasColumn(n));
  if (missing.length > 0) {
    throw new ArgumentError(
      `${what}: unknown ${side} column${missing.length > 1 ? "s" : ""} [${missing.join(", ")}]; ${side} columns are [${table.columnNames.join(", ")}]`,
    );
  }
}

/**
 * Match columns: every pair must exist on its side with the same type on both sides. Returns the
 * pairs (for `"Sym"`, left and right are both `Sym`).
 */
export function matchPairs(
  left: Table,
  right: Table,
  on: string | readonly string[],
  what: string,
): ColumnPair[] {
  const pairs = columnPairs(on, what);
  requireColumns(
    left,
    pairs.map((p) => p.left),
    what,
    "left",
  );
  requireColumns(
    right,
    pairs.map((p) => p.right),
    what,
    "right",
  );
  for (const p of pairs) {
    const lt = left.columns[p.left]!;
    const rt = right.columns[p.right]!;
    if (lt !== rt) {
      throw new ArgumentError(
        `${what}: match columns have different types: left "${p.left}" is ${lt}, right "${p.right}" is ${rt}`,
      );
    }
  }
  return pairs;
}

/**
 * Columns a join adds: `joins` as given, or (when undefined) every right column that is not a
 * right match column. Each added name (`left` of the pair) must not exist on the left already,
 * nor be added twice.
 */
export function joinedPairs(
  left: Table,
  right: Table,
  matchRight: readonly string[],
  joins: string | readonly string[] | undefined,
  what: string,
): ColumnPair[] {
  let pairs: ColumnPair[];
  if (joins === undefined) {
    const skip = new Set(matchRight);
    pairs = right.columnNames.filter((n) => !skip.has(n)).map((n) => ({ left: n, right: n }));
  } else {
    pairs = typeof joins === "string" && joins.trim() === "" ? [] : columnPairs(joins, what);
    requireColumns(
      right,
      pairs.map((p) => p.right),
      what,
      "right",
    );
  }
  const seen = new Set<string>();
  for (const p of pairs) {
    if (left.hasColumn(p.left)) {
      throw new ArgumentError(
        `${what}: the joined column "${p.left}" already exists in the left table; rename it ("New${p.left} = ${p.right}")`,
      );
    }
    if (seen.has(p.left)) throw new ArgumentError(`${what}: column "${p.left}" is joined twice`);
    seen.add(p.left);
  }
  return pairs;
}
