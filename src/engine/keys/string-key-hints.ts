/**
 * Names of string columns that a key lookup hashes: a group-by's keys, a join's match columns
 * (`naturalJoin`, `exactJoin`, `join`, `whereIn` / `whereNotIn` on both sides, the exact match
 * columns of `aj` / `raj`), `headBy` / `tailBy` and `updateBy` groups. A hint for the Arrow Utf8
 * decoder (`arrow/utf8-intern.ts`), which gives such a column, when its keys outgrow the small
 * string cache, the large one: every decode of a key then hands out the same string object and
 * the key's code in the level's dictionary, so the lookups read keys by code (one typed-array
 * read) instead of hashing strings. Other columns are not worth it: for decoding alone, a lookup
 * in a table of megabytes costs more than decoding the value afresh.
 *
 * Isolate-wide and by name only (the decoder knows no more than the column's name): a wrong
 * guess costs speed, never a value. At most MAX_NAMES names are kept (then the set starts over).
 */
import type { ColumnType } from "../types.ts";

const MAX_NAMES = 1024;
const names = new Set<string>();

/** Notes the string-typed columns among `keys` (names of columns of `columns`) as key columns. */
export function noteStringKeys(
  columns: Readonly<Record<string, ColumnType>>,
  keys: readonly string[],
): void {
  for (const k of keys) {
    if (columns[k] !== "string" || names.has(k)) continue;
    if (names.size >= MAX_NAMES) names.clear();
    names.add(k);
  }
}

/** Whether a column of this name has been noted as a string key column. */
export function isStringKey(name: string): boolean {
  return names.has(name);
}
