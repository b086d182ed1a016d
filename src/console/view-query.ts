/**
 * What the grid asks of a view: its sort (header clicks), filters (quick filters per column and
 * full formulas), and which columns it shows in what order at what width. Pure and DOM-free: the
 * state is a plain value, every change returns a new one, and `queryOptions` turns it into the
 * `{ sort, where, columns }` options of `tickflare/client`'s `subscribe` and of snapshots
 * (docs/protocol.md), with filters written as formulas in the engine's syntax
 * (docs/formulas.md), e.g. ``Sym == `AAPL` ``.
 *
 * Quick filters, typed in a column's filter cell:
 * - `> 100`, `<= 2.5`, `!= 0`, `== AAPL`, `= AAPL`: a comparison with the column;
 * - `AAPL`, `42`, `true`: equality;
 * - `null`, `== null`: the column is null; `!= null`: it is not.
 * Values are written for the column's type: strings in backticks, chars and instants in single
 * quotes, numbers and booleans as they are. Anything else (a formula over several columns) goes in
 * the view's formula filters, verbatim.
 */
import type { ColumnType } from "../engine/index.ts";

export type SortOrder = "asc" | "desc";

export interface SortKey {
  column: string;
  order: SortOrder;
}

/** The grid's state for one view. */
export interface ViewQuery {
  /** Sort columns, most significant first. */
  sort: SortKey[];
  /** Quick filter text per column (see the module comment). */
  filters: Record<string, string>;
  /** Full filter formulas, ANDed with the quick filters. */
  where: string[];
  /** Columns not shown. */
  hidden: string[];
  /** Column order (names; columns not listed follow in the view's order); empty: the view's. */
  order: string[];
  /** Column widths in CSS pixels (absent: automatic). */
  widths: Record<string, number>;
}

/** The options a subscription or snapshot takes (tickflare/client, docs/protocol.md). */
export interface QueryOptions {
  sort?: SortKey[];
  where?: string[];
  columns?: string[];
}

/** A quick filter that cannot be written as a formula for its column. */
export class QuickFilterError extends Error {
  readonly column: string;
  constructor(column: string, message: string) {
    super(`filter on ${column}: ${message}`);
    this.name = "QuickFilterError";
    this.column = column;
  }
}

export const EMPTY_QUERY: ViewQuery = {
  sort: [],
  filters: {},
  where: [],
  hidden: [],
  order: [],
  widths: {},
};

/**
 * A header click on `column`: ascending, then descending, then not sorted. Without `additive` the
 * column becomes the only sort column (keeping its place in the cycle); with it (shift-click) the
 * column is added after the others or cycles in place.
 */
export function toggleSort(q: ViewQuery, column: string, additive: boolean): ViewQuery {
  const at = q.sort.findIndex((s) => s.column === column);
  const current = at >= 0 ? q.sort[at]!.order : null;
  const next: SortOrder | null = current === null ? "asc" : current === "asc" ? "desc" : null;
  if (!additive) return { ...q, sort: next ? [{ column, order: next }] : [] };
  const sort = q.sort.slice();
  if (next === null) sort.splice(at, 1);
  else if (at >= 0) sort[at] = { column, order: next };
  else sort.push({ column, order: next });
  return { ...q, sort };
}

/** Sets (or, with empty text, clears) the quick filter of `column`. */
export function setFilter(q: ViewQuery, column: string, text: string): ViewQuery {
  const filters = { ...q.filters };
  if (text.trim() === "") delete filters[column];
  else filters[column] = text.trim();
  return { ...q, filters };
}

/** Hides or shows `column`. */
export function setHidden(q: ViewQuery, column: string, hidden: boolean): ViewQuery {
  const rest = q.hidden.filter((c) => c !== column);
  return { ...q, hidden: hidden ? [...rest, column] : rest };
}

/** The view's columns in display order (hidden ones included). */
export function orderedColumns(q: ViewQuery, names: readonly string[]): string[] {
  const known = new Set(names);
  const listed = q.order.filter((c) => known.has(c));
  const seen = new Set(listed);
  return [...listed, ...names.filter((c) => !seen.has(c))];
}

/** The columns shown, in display order. */
export function visibleColumns(q: ViewQuery, names: readonly string[]): string[] {
  const hidden = new Set(q.hidden);
  return orderedColumns(q, names).filter((c) => !hidden.has(c));
}

/**
 * Moves `column` to display position `to` (an index into `orderedColumns`, clamped), e.g. after a
 * header is dragged or "Move left" / "Move right" in its menu.
 */
export function moveColumn(
  q: ViewQuery,
  names: readonly string[],
  column: string,
  to: number,
): ViewQuery {
  const order = orderedColumns(q, names).filter((c) => c !== column);
  const at = Math.max(0, Math.min(order.length, to));
  order.splice(at, 0, column);
  return { ...q, order };
}

/** Sets the width of `column` (null: automatic). */
export function setWidth(q: ViewQuery, column: string, px: number | null): ViewQuery {
  const widths = { ...q.widths };
  if (px === null) delete widths[column];
  else widths[column] = Math.max(24, Math.round(px));
  return { ...q, widths };
}

/**
 * The quick filter `text` on `column` of `type` as a formula; throws QuickFilterError when the
 * value does not fit the column (a number for a string column is fine: it is compared as text).
 */
export function quickFilter(column: string, type: ColumnType, text: string): string {
  const t = text.trim();
  const m = /^(==|=|!=|>=|<=|>|<)?\s*(.*)$/s.exec(t)!;
  const op = m[1] === "=" || m[1] === undefined ? "==" : m[1];
  const raw = m[2]!.trim();
  if (raw === "") throw new QuickFilterError(column, `"${t}" has no value to compare with`);
  if (raw === "null") {
    if (op === "==") return `isNull(${column})`;
    if (op === "!=") return `!isNull(${column})`;
    throw new QuickFilterError(column, `null can only be compared with == or !=, not ${op}`);
  }
  if (type.endsWith("[]")) {
    throw new QuickFilterError(column, `${type} columns only take "null" or "!= null"`);
  }
  const ordered = op !== "==" && op !== "!=";
  if (ordered && type === "bool") {
    throw new QuickFilterError(column, `a bool column can only be compared with == or !=`);
  }
  return `${column} ${op} ${literal(column, type, raw)}`;
}

/** `raw` as a formula literal of `type`. */
function literal(column: string, type: ColumnType, raw: string): string {
  switch (type) {
    case "int8":
    case "int16":
    case "int32":
    case "int64":
    case "float32":
    case "float64": {
      const v = raw.replaceAll(/[,_]/g, "");
      if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v)) {
        throw new QuickFilterError(column, `"${raw}" is not a number (the column is ${type})`);
      }
      const integral = /^[-+]?\d+$/.test(v);
      if (type === "int64" && integral) return `${v}L`;
      if (integral && Math.abs(Number(v)) > 2147483647) return `${v}L`;
      return v;
    }
    case "bool":
      if (raw !== "true" && raw !== "false") {
        throw new QuickFilterError(column, `"${raw}" is not true or false`);
      }
      return raw;
    case "char": {
      const c = unquote(raw, "'");
      if ([...c].length !== 1 || c === "'" || c === "\\") {
        throw new QuickFilterError(column, `"${raw}" is not one character`);
      }
      return `'${c}'`;
    }
    case "instant": {
      const v = unquote(raw, "'");
      if (!/^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)$/.test(v)) {
        throw new QuickFilterError(
          column,
          `"${raw}" is not an ISO-8601 instant such as 2024-05-01T13:30:00Z`,
        );
      }
      return `'${v}'`;
    }
    default: {
      const v = unquote(unquote(raw, "`"), '"');
      if (v.includes("`")) {
        throw new QuickFilterError(column, "a string value cannot contain a backtick");
      }
      return `\`${v}\``;
    }
  }
}

function unquote(s: string, q: string): string {
  return s.length >= 2 && s.startsWith(q) && s.endsWith(q) ? s.slice(1, -1) : s;
}

/**
 * The subscription options for `q` over a view with `schema`: `sort` and `where` when there are
 * any, `columns` (the shown columns, in display order) when some are hidden or reordered.
 * Filters and sorts on columns the view does not have are left out (a shared link to a view whose
 * columns changed); a quick filter that does not fit its column throws QuickFilterError.
 */
export function queryOptions(
  q: ViewQuery,
  schema: Readonly<Record<string, ColumnType>>,
): QueryOptions {
  const names = Object.keys(schema);
  const out: QueryOptions = {};
  const sort = q.sort.filter((s) => Object.hasOwn(schema, s.column));
  if (sort.length > 0) out.sort = sort.map((s) => ({ column: s.column, order: s.order }));
  const where: string[] = [];
  for (const name of names) {
    const text = q.filters[name];
    if (text !== undefined) where.push(quickFilter(name, schema[name]!, text));
  }
  for (const f of q.where) if (f.trim() !== "") where.push(f.trim());
  if (where.length > 0) out.where = where;
  const shown = visibleColumns(q, names);
  if (shown.length !== names.length || shown.some((c, i) => c !== names[i])) out.columns = shown;
  return out;
}
