/**
 * Names of string columns that a join matches on (`naturalJoin`, `exactJoin`, `join`, `whereIn`
 * and `whereNotIn` on both sides, the exact match columns of `aj` / `raj`): a hint for the Arrow
 * Utf8 decoder (`arrow/utf8-intern.ts`), which gives such a column, when its keys outgrow the
 * small string cache, the large one, so that both sides' decodes hand out the same string object
 * for a key and the join's key table matches it by identity. Measured: a join over 100,000 such
 * keys, decode included, twice as fast. Group-by keys are not hinted: there the lookup in a table
 * of megabytes costs more than the group index gains from identical objects (decode 22 -> 52 ns
 * a row, group index 63 -> 46 ns a row with 100,000 keys).
 *
 * Isolate-wide and by name only (the decoder knows no more than the column's name): a wrong
 * guess costs speed, never a value. At most MAX_NAMES names are kept (then the set starts over).
 */
import type { ColumnType } from "../types.ts";

const MAX_NAMES = 1024;
const names = new Set<string>();

/** Notes the string-typed columns among `keys` (names of columns of `columns`) as join keys. */
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

/** Whether a column of this name has been noted as a string join key. */
export function isStringKey(name: string): boolean {
  return names.has(name);
}
