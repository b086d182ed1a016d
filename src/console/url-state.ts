/**
 * The console's state in the address, so a view can be shared: `#/family/view?...` with the
 * grid's sort, filters, hidden, ordered and resized columns and the chart's settings as query
 * parameters. Pure and DOM-free; `parseHash(formatHash(s))` gives `s` back.
 *
 * - `sort=Sym,-Price`: sort columns, most significant first; `-` is descending.
 * - `f.<column>=<text>`: a quick filter; `where=<formula>` (repeated): a formula filter.
 * - `hide=A,B`, `order=C,A,B`, `w.<column>=<px>`: hidden columns, column order, widths.
 * - `x=<column>` (empty: the row number), `y=A,B`, `y2=C` (the second y axis), `by=<column>`:
 *   the chart; absent: the chart's own choice.
 */
import type { SortKey, ViewQuery } from "./view-query.ts";
import { EMPTY_QUERY } from "./view-query.ts";

/** What the chart plots; null fields in `ConsoleState.chart` mean "choose automatically". */
export interface ChartSettings {
  /** x column; null: the row number. */
  x: string | null;
  /** Series on the left y axis. */
  ys: string[];
  /** Series on the right (second) y axis. */
  y2: string[];
  /** Key column splitting every series into one line per value; null: no split. */
  by: string | null;
}

export interface ConsoleState {
  family: string;
  view: string;
  query: ViewQuery;
  /** null: not set in the address (the chart chooses). */
  chart: ChartSettings | null;
}

const list = (v: string | null): string[] => (v ? v.split(",").filter((s) => s !== "") : []);

/** The address hash for `s` (`#/family/view` plus `?...` when anything is set). */
export function formatHash(s: ConsoleState): string {
  const p = new URLSearchParams();
  const q = s.query;
  if (q.sort.length > 0)
    p.set("sort", q.sort.map((k) => (k.order === "desc" ? `-${k.column}` : k.column)).join(","));
  for (const [c, text] of Object.entries(q.filters)) p.set(`f.${c}`, text);
  for (const f of q.where) p.append("where", f);
  if (q.hidden.length > 0) p.set("hide", q.hidden.join(","));
  if (q.order.length > 0) p.set("order", q.order.join(","));
  for (const [c, w] of Object.entries(q.widths)) p.set(`w.${c}`, String(w));
  if (s.chart) {
    p.set("x", s.chart.x ?? "");
    p.set("y", s.chart.ys.join(","));
    if (s.chart.y2.length > 0) p.set("y2", s.chart.y2.join(","));
    if (s.chart.by !== null) p.set("by", s.chart.by);
  }
  const tail = p.toString();
  return `#/${encodeURIComponent(s.family)}/${encodeURIComponent(s.view)}${tail ? `?${tail}` : ""}`;
}

/** The state in address hash `hash`, or null when it names no view. */
export function parseHash(hash: string): ConsoleState | null {
  const m = /^#\/([^/?]+)\/([^/?]+)(?:\?(.*))?$/s.exec(hash);
  if (!m) return null;
  let family: string;
  let view: string;
  try {
    family = decodeURIComponent(m[1]!);
    view = decodeURIComponent(m[2]!);
  } catch {
    return null;
  }
  const p = new URLSearchParams(m[3] ?? "");
  const sort: SortKey[] = list(p.get("sort")).map((k) =>
    k.startsWith("-") ? { column: k.slice(1), order: "desc" } : { column: k, order: "asc" },
  );
  const filters: Record<string, string> = {};
  const widths: Record<string, number> = {};
  for (const [k, v] of p) {
    if (k.startsWith("f.") && k.length > 2 && v.trim() !== "") filters[k.slice(2)] = v;
    if (k.startsWith("w.") && k.length > 2 && /^\d{1,4}$/.test(v)) widths[k.slice(2)] = Number(v);
  }
  const query: ViewQuery = {
    ...EMPTY_QUERY,
    sort,
    filters,
    where: p.getAll("where").filter((f) => f.trim() !== ""),
    hidden: list(p.get("hide")),
    order: list(p.get("order")),
    widths,
  };
  const chart: ChartSettings | null = p.has("y")
    ? {
        x: p.get("x") || null,
        ys: list(p.get("y")),
        y2: list(p.get("y2")),
        by: p.get("by") || null,
      }
    : null;
  return { family, view, query, chart };
}
