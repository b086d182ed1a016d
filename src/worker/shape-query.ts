/**
 * The ad-hoc query parameters of snapshots and subscriptions (docs/protocol.md, "Viewports and
 * ad-hoc views"): `sort`, `where`, `columns`, and on subscriptions `first`/`last` (a viewport).
 * Their syntax is checked here, before any object wakes; a bad one is `400 bad_query` naming the
 * parameter. Column names and formulas are checked against the view by the object (a bad formula
 * is `400 bad_formula` with its position, as in specs).
 */

import { MAX_VIEWPORT_ROWS } from "../durable/shaped.ts";
import type { SortKey, Viewport } from "../engine/wire.ts";
import { HttpError } from "./http.ts";

/** Formulas' total length in one request at most (the subscription keeps them in its attachment). */
export const MAX_WHERE_CHARS = 4096;
/** Column names in `sort` or `columns` at most. */
const MAX_NAMES = 100;
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/;

export interface ShapeQuery {
  where: string[];
  sort: SortKey[];
  columns: string[] | null;
}

const bad = (param: string, detail: string) =>
  new HttpError(400, "bad_query", `query parameter ${param}: ${detail}`);

function once(url: URL, key: string): string | null {
  const all = url.searchParams.getAll(key);
  if (all.length > 1) throw bad(key, "given more than once");
  return all[0] ?? null;
}

function names(param: string, text: string): string[] {
  const list = text.split(",");
  if (list.length > MAX_NAMES) throw bad(param, `at most ${MAX_NAMES} columns`);
  return list;
}

/** `sort=A,-B` (a `-` makes a column descending), `where=<formula>` (repeatable, ANDed), `columns=A,B`. */
export function shapeQuery(url: URL): ShapeQuery {
  const sortText = once(url, "sort");
  const sort: SortKey[] = [];
  if (sortText !== null) {
    for (const item of names("sort", sortText)) {
      const desc = item.startsWith("-");
      const column = desc ? item.slice(1) : item;
      if (!IDENT.test(column)) {
        throw bad(
          "sort",
          `"${clip(item)}" is not a column name (optionally after "-" for descending); sort=A,-B sorts by A ascending, then B descending`,
        );
      }
      if (sort.some((s) => s.column === column))
        throw bad("sort", `column "${column}" is repeated`);
      sort.push({ column, order: desc ? "desc" : "asc" });
    }
  }
  const where = url.searchParams.getAll("where");
  let chars = 0;
  for (const [i, w] of where.entries()) {
    if (w.trim() === "") throw bad("where", `filter ${i} is empty`);
    chars += w.length;
  }
  if (chars > MAX_WHERE_CHARS) {
    throw bad("where", `the filters are ${chars} characters long, more than ${MAX_WHERE_CHARS}`);
  }
  const columnsText = once(url, "columns");
  let columns: string[] | null = null;
  if (columnsText !== null) {
    columns = names("columns", columnsText);
    for (const c of columns) {
      if (!IDENT.test(c)) throw bad("columns", `"${clip(c)}" is not a column name`);
    }
    const dup = columns.find((c, i) => columns!.indexOf(c) !== i);
    if (dup !== undefined) throw bad("columns", `column "${dup}" is repeated`);
  }
  return { where, sort, columns };
}

/** `first` and `last` (both or neither): a viewport of at most MAX_VIEWPORT_ROWS rows. */
export function viewportQuery(url: URL): Viewport | null {
  const f = once(url, "first");
  const l = once(url, "last");
  if (f === null && l === null) return null;
  if (f === null) throw bad("first", "a viewport needs both first and last");
  if (l === null) throw bad("last", "a viewport needs both first and last");
  const int = (key: string, v: string) => {
    if (!/^\d{1,15}$/.test(v))
      throw bad(key, `must be a row position (an integer from 0), got "${clip(v)}"`);
    return Number(v);
  };
  const first = int("first", f);
  const last = int("last", l);
  if (last < first) throw bad("last", `${last} is before first (${first})`);
  if (last - first + 1 > MAX_VIEWPORT_ROWS) {
    throw bad(
      "last",
      `a viewport spans at most ${MAX_VIEWPORT_ROWS} rows, got ${last - first + 1}`,
    );
  }
  return { first, last };
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}...` : s;
}
