/**
 * Row persistence shared by the stateful operators: saving the pages a cycle touched, restoring
 * rows eagerly (rings) or lazily (append-only history, read back page by page on demand), and
 * keeping only a bounded tail of history pages in memory.
 */
import { asPagedColumn, PAGE_SIZE } from "../column.ts";
import type { RowSet } from "../row-set.ts";
import type { Table } from "../table-core.ts";
import type { StateHandle } from "./state-store.ts";

/** History pages kept in memory per append-only table; older ones are read back on demand. */
export const HISTORY_PAGES_IN_MEMORY = 16;

/** Makes `table`'s columns read missing pages of `rows` back from storage. */
export function attachLoader(h: StateHandle, table: Table): (page: number) => boolean {
  const cols = table.columnNames.map((n) => asPagedColumn(table.column(n)));
  const loader = (pi: number): boolean => {
    const keys = table.rowSet.subSetByKeyRange(pi * PAGE_SIZE, (pi + 1) * PAGE_SIZE);
    if (keys.isEmpty) return false;
    const page = h.loadPage(table.columns, pi);
    if (!page) return false;
    if (page.length !== keys.size) {
      throw new RangeError(
        `stored page ${pi} of ${h.id} has ${page.length} rows, expected ${keys.size}`,
      );
    }
    let at = 0;
    keys.forEachRange((s, e) => {
      for (let j = 0; j < cols.length; j++)
        cols[j]!.installPage(pi, page.vecs[j]!, at, e - s, s - pi * PAGE_SIZE);
      at += e - s;
    });
    return true;
  };
  for (const c of cols) c.setLoader(loader);
  return loader;
}

/** Loads every page holding a key of `rows` now (for bounded tables such as rings). */
export function loadAll(h: StateHandle, table: Table, rows: RowSet): void {
  const loader = attachLoader(h, table);
  let last = -1;
  rows.forEachRange((s, e) => {
    for (let p = Math.floor(s / PAGE_SIZE); p <= Math.floor((e - 1) / PAGE_SIZE); p++) {
      if (p !== last && !loader(p)) throw new RangeError(`stored page ${p} of ${h.id} is missing`);
      last = p;
    }
  });
}

/** Evicts all but the last `keep` pages of an append-only table (they are saved already). */
export function evictHistory(table: Table, keep = HISTORY_PAGES_IN_MEMORY): void {
  for (const source of table.columnMap.values()) {
    const c = asPagedColumn(source);
    const pages = c.loadedPages();
    const lastPage = Math.floor(Math.max(0, table.size - 1) / PAGE_SIZE);
    for (const pi of pages) if (pi < lastPage - keep + 1) c.evictPage(pi);
  }
}
