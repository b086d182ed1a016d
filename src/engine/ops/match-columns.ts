/**
 * Column lists of the relational operations, parsed and checked once for all of them.
 *
 * A list is one comma-separated string or an array of strings (`"Sym, Exch"`, `["Sym", "Exch"]`),
 * as in Deephaven's Python API (parsed by column-list.ts, like every column list). An entry is a bare name (`"Sym"`: the same name on both sides) or
 * a pair (`"L = R"`: match, or add, right column R under the name L). The checks name the
 * operation and the column: an unknown column, a pair whose two sides have different types, or a
 * joined column whose name the left table already has are `ArgumentError`s at construction.
 */
import { columnList } from "../column-list.ts";
import { ArgumentError } from "../errors.ts";
import { noteStringKeys } from "../keys/string-key-hints.ts";
import type { Table } from "../table-core.ts";
import { isArrayType, validateColumnName } from "../types.ts";

/** One entry of a column list: `left` is the name on the left (or result), `right` on the right. */
export interface ColumnPair {
  readonly left: string;
  readonly right: string;
}

/** Splits a column list into trimmed entries (column-list.ts); empty entries are errors. */
export function columnEntries(list: string | readonly string[], what: string): string[] {
  return columnList(list, what);
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
  checkPairs(left, right, pairs, what, () => "match", false);
  return pairs;
}

/**
 * Every pair exists on its side with the same type on both sides (and, with `noArrays`, not an
 * array type); `role` names a pair's columns in errors ("match", "stamp").
 */
function checkPairs(
  left: Table,
  right: Table,
  pairs: readonly ColumnPair[],
  what: string,
  role: (p: ColumnPair) => string,
  noArrays: boolean,
): void {
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
        `${what}: ${role(p)} columns have different types: left "${p.left}" is ${lt}, right "${p.right}" is ${rt}`,
      );
    }
    if (noArrays && isArrayType(lt)) {
      throw new ArgumentError(`${what}: the ${role(p)} column "${p.left}" is an array (${lt})`);
    }
  }
  const match = pairs.filter((p) => role(p) === "match");
  noteStringKeys(
    left.columns,
    match.map((p) => p.left),
  );
  noteStringKeys(
    right.columns,
    match.map((p) => p.right),
  );
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

/** Which as-of join: `aj` takes `>=`/`>` (the right stamp at or before), `raj` `<=`/`<`. */
export type AsOfKind = "aj" | "raj";

/** The last `on` entry of an as-of join: the stamp columns and whether the match is strict. */
export interface StampPair extends ColumnPair {
  /** `>` (aj) or `<` (raj): a right stamp equal to the left's does not match. */
  readonly strict: boolean;
}

/**
 * Parses the last `on` entry of an as-of join: `"Ts"` (the same name on both sides, `>=` for aj,
 * `<=` for raj), or `"LeftTs >= RightTs"` / `"LeftTs > RightTs"` for aj and
 * `"LeftTs <= RightTs"` / `"LeftTs < RightTs"` for raj. Any other operator is an ArgumentError
 * naming the entry and the operators the join accepts.
 */
export function parseStampEntry(entry: string, kind: AsOfKind, what: string): StampPair {
  const ops = kind === "aj" ? [">=", ">"] : ["<=", "<"];
  const m = /^([^=<>\s]+)\s*(?:(>=|>|<=|<|==|=)\s*([^=<>\s]+))?$/.exec(entry.trim());
  const accepted = `"${ops[0]}" or "${ops[1]}" ("Ts ${ops[0]} QuoteTs"), or a bare name`;
  if (!m) throw new ArgumentError(`${what}: bad stamp entry "${entry}": expected ${accepted}`);
  const left = m[1]!;
  const op = m[2];
  const right = m[3] ?? left;
  if (op !== undefined && !ops.includes(op)) {
    throw new ArgumentError(
      `${what}: the stamp entry "${entry}" uses "${op}"; ${kind} takes ${accepted}`,
    );
  }
  validateColumnName(left);
  validateColumnName(right);
  return { left, right, strict: op === ">" || op === "<" };
}

/** An as-of join's `on`: exact-match pairs (every entry but the last) and the stamp pair. */
export interface AsOfMatch {
  readonly exact: ColumnPair[];
  readonly stamp: StampPair;
}

/**
 * Parses and checks an as-of join's `on` list: every entry but the last is an exact match
 * (`"Sym"` or `"L = R"`), the last is the stamp (see `parseStampEntry`). Columns must exist with
 * equal types on both sides; array columns can be neither keys nor stamps.
 */
export function asOfMatch(
  left: Table,
  right: Table,
  on: string | readonly string[],
  kind: AsOfKind,
  what: string,
): AsOfMatch {
  const entries = columnEntries(on, what);
  if (entries.length === 0)
    throw new ArgumentError(`${what}: "on" needs at least the stamp column`);
  const stamp = parseStampEntry(entries[entries.length - 1]!, kind, what);
  const exact = columnPairs(entries.slice(0, -1), what);
  const pairs = [...exact, stamp];
  checkPairs(left, right, pairs, what, (p) => (p === stamp ? "stamp" : "match"), true);
  return { exact, stamp };
}
