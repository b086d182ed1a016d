/**
 * Column lists, parsed one way for every operation that takes them (the relational operations'
 * match and joined columns, sort columns, the `*By` and `aggBy` keys, `headBy` / `tailBy`,
 * `partitionBy`, `dropColumns`, `renameColumns`, the `agg.*` column arguments).
 *
 * As in Deephaven's Python API, a list is one comma-separated string or an array of strings
 * (`"Sym, Exch"` or `["Sym", "Exch"]`); varargs operations take several of either
 * (`sumBy("Sym", ["Exch, Venue"])`). Every string is split at its commas and each entry trimmed;
 * an empty entry (`"A,,B"`, `""`, a trailing comma) is an ArgumentError naming the operation.
 * Column names cannot contain commas, so no name is ever split; formula lists (`update`,
 * `where`) are not column lists and are never split (a formula may contain commas).
 */
import { ArgumentError } from "./errors.ts";

/** One column list argument: `"A, B"` or `["A", "B"]`. */
export type ColumnList = string | readonly string[];

/**
 * The entries of one column list, or of several (varargs), in order: every string split at its
 * commas, entries trimmed. `what` names the operation in errors.
 */
export function columnList(lists: ColumnList | readonly ColumnList[], what: string): string[] {
  const out: string[] = [];
  const add = (item: unknown) => {
    if (Array.isArray(item)) {
      for (const x of item) add(x);
      return;
    }
    if (typeof item !== "string")
      throw new ArgumentError(`${what}: a column list holds strings, got ${describe(item)}`);
    for (const raw of item.split(",")) {
      const e = raw.trim();
      if (e === "") throw new ArgumentError(`${what}: empty entry in column list "${item}"`);
      out.push(e);
    }
  };
  add(lists);
  return out;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`;
}
