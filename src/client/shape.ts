/**
 * Ad-hoc views in the client: the `sort`, `where` and `columns` options of snapshots and
 * subscriptions, written as the query parameters of docs/protocol.md ("Viewports and ad-hoc
 * views"): `sort=A,-B`, one `where=` per filter, `columns=A,B`.
 */

/** A sort column: a bare name is ascending. */
export type SortSpec = string | { column: string; order: "asc" | "desc" };

/** The ad-hoc transform options shared by `snapshot` and `subscribe`. */
export interface ShapeOptions {
  /** Order the rows by these columns (a bare name is ascending). */
  sort?: readonly SortSpec[];
  /** Filters in the engine's formula syntax; several are ANDed. */
  where?: string | readonly string[];
  /** Only these columns, in this order. */
  columns?: readonly string[];
}

/** Adds the options' query parameters to `q`. */
export function addShapeQuery(q: URLSearchParams, o: ShapeOptions): void {
  if (o.sort && o.sort.length > 0) {
    q.set(
      "sort",
      o.sort
        .map((s) => (typeof s === "string" ? s : `${s.order === "desc" ? "-" : ""}${s.column}`))
        .join(","),
    );
  }
  const where = o.where === undefined ? [] : typeof o.where === "string" ? [o.where] : o.where;
  for (const w of where) q.append("where", w);
  if (o.columns) q.set("columns", o.columns.join(","));
}
