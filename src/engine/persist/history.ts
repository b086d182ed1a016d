/**
 * Row persistence shared by the stateful operators: saving the pages a cycle touched, restoring
 * rows eagerly (rings) or lazily (append-only history, read back page by page on demand), and
 * keeping only a bounded tail of history pages in memory.
 *
 * An append-only history also saves a summary next to each page (page-summary.ts) and offers a
 * HistoryPages port (`historyPagesOf`) through which a chart's downsample reads page summaries
 * and the columns it needs of a page without bringing the page into memory.
 */
import type { PagedColumn, Vec } from "../column.ts";
import { asPagedColumn, PAGE_SIZE } from "../column.ts";
import { runKeys } from "../column-source.ts";
import type { RowSet } from "../row-set.ts";
import type { Table } from "../table-core.ts";
import { PageSummary, summarizedColumns } from "./page-summary.ts";
import type { StateHandle } from "./state-store.ts";

/** An append-only history's pages as a downsample reads them (keys `0..size-1`). */
export interface HistoryPages {
  /** The columns page summaries cover (PageSummary's column `c` is `summarized[c]`). */
  readonly summarized: readonly string[];
  /** Page `page`'s summary, if one describes its current rows; else null. */
  summary(page: number): PageSummary | null;
  /**
   * Columns `names` of page `page` (its rows in key order): a view of the page when it is in
   * memory, else decoded from storage and not kept.
   */
  columns(page: number, names: readonly string[]): Vec[];
}

const histories = new WeakMap<Table, HistoryPages>();

/** The HistoryPages of `table`, if it is a persisted append-only history. */
export function historyPagesOf(table: Table): HistoryPages | undefined {
  return histories.get(table);
}

class StoredHistory implements HistoryPages {
  readonly summarized: readonly string[];
  readonly #h: StateHandle;
  readonly #table: Table;
  readonly #summaries = new Map<number, PageSummary>();
  /** The stored summaries were read (once per wake, when a page has none in memory). */
  #read = false;

  constructor(h: StateHandle, table: Table) {
    this.#h = h;
    this.#table = table;
    this.summarized = summarizedColumns(table.columns);
  }

  /** Summarizes a full page just saved (it is in memory). */
  saved(page: number): void {
    const s = PageSummary.of(this.#table, page, this.summarized);
    this.#summaries.set(page, s);
    this.#h.putSummary(page, s.encode());
  }

  summary(page: number): PageSummary | null {
    if (!this.#read && !this.#summaries.has(page)) {
      this.#read = true;
      for (const [p, bytes] of this.#h.summaries()) {
        if (this.#summaries.has(p)) continue; // saved since the wake: the same or newer
        const s = PageSummary.decode(bytes, this.summarized.length);
        if (s) this.#summaries.set(p, s);
      }
    }
    const s = this.#summaries.get(page);
    const rows = Math.min(PAGE_SIZE, this.#table.size - page * PAGE_SIZE);
    return s?.covers(rows) ? s : null;
  }

  columns(page: number, names: readonly string[]): Vec[] {
    const start = page * PAGE_SIZE;
    const len = Math.min(PAGE_SIZE, this.#table.size - start);
    const cols = names.map((n) => this.#table.column(n));
    if (cols.every((c) => asPagedColumn(c).hasPage(page))) {
      return cols.map((c) => c.getChunk(runKeys(start, len)));
    }
    const vecs = this.#h.loadColumns(this.#table.columns, page, names);
    if (!vecs || vecs[0]!.length !== len) {
      throw new RangeError(
        `stored page ${page} of ${this.#h.id} has ${vecs ? vecs[0]!.length : "no"} rows, expected ${len}`,
      );
    }
    return vecs;
  }
}

/**
 * Saves the pages of an append-only history (`table`, keys `0..size-1`) that hold a key of
 * `keys`, with a summary of each one that is full, and serves the history's HistoryPages from
 * then on. (Keys that are not `0..size-1` get no summaries; a downsample then reads their rows.)
 */
export function saveHistoryPages(h: StateHandle, table: Table, keys: RowSet): void {
  h.savePagesOf(table, keys);
  const n = table.size;
  if (n > 0 && (table.rowSet.first() !== 0 || table.rowSet.last() !== n - 1)) return;
  const pages = storedHistory(h, table);
  let last = -1;
  keys.forEachRange((s, e) => {
    for (let p = Math.floor(s / PAGE_SIZE); p <= Math.floor((e - 1) / PAGE_SIZE); p++) {
      // Only a full page is summarized: it never changes again, so its summary is written once
      // (the partial last page is saved every cycle that appends to it, and is in memory).
      if (p !== last && (p + 1) * PAGE_SIZE <= n) pages.saved(p);
      last = p;
    }
  });
}

function storedHistory(h: StateHandle, table: Table): StoredHistory {
  let pages = histories.get(table);
  if (!(pages instanceof StoredHistory)) {
    pages = new StoredHistory(h, table);
    histories.set(table, pages);
  }
  return pages as StoredHistory;
}

/** History pages kept in memory per append-only table; older ones are read back on demand. */
export const HISTORY_PAGES_IN_MEMORY = 16;
/**
 * Bytes of an append-only table's pages kept in memory at most (all columns): a page of 4,096 rows
 * of long strings takes megabytes, and 16 of them for each of several columns would not fit a
 * Durable Object's 128 MB. `SqlStateStore`'s `historyBytes` sets another.
 */
export const HISTORY_BYTES_IN_MEMORY = 16 * 2 ** 20;

/** Makes `table`'s columns read missing pages of `rows` back from storage. */
export function attachLoader(h: StateHandle, table: Table): (page: number) => boolean {
  const cols = table.columnNames.map((n) => asPagedColumn(table.column(n)));
  const loader = (pi: number): boolean => {
    const keys = table.rowSet.subSetByKeyRange(pi * PAGE_SIZE, (pi + 1) * PAGE_SIZE);
    if (keys.isEmpty) return false;
    // Strings as UTF-8: a full page of them is kept sealed, with no string made a row.
    const page = h.loadPage(table.columns, pi, true);
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

/** `attachLoader` for an append-only history, which also serves its HistoryPages. */
export function attachHistory(h: StateHandle, table: Table): void {
  attachLoader(h, table);
  storedHistory(h, table);
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

/**
 * Evicts the pages of an append-only table (they are saved already) but its newest: at most the
 * last `keep` pages, and, newest first, as many as `bytes` holds (all columns together). The last
 * page, which the next rows go to, always stays.
 */
export function evictHistory(
  table: Table,
  bytes = HISTORY_BYTES_IN_MEMORY,
  keep = HISTORY_PAGES_IN_MEMORY,
): void {
  const cols = table.columnNames.map((n) => asPagedColumn(table.column(n)));
  evictOlderPages(cols, Math.floor(Math.max(0, table.size - 1) / PAGE_SIZE), bytes, keep);
}

/**
 * Drops from memory the pages of `cols` (page numbers of one table) that do not fit: newest
 * first, those within `bytes` (all columns together), at most the last `keep` up to `lastPage`;
 * `lastPage` itself always stays. Once a page does not fit every older one goes too, so what stays
 * is the newest. Each column must be able to read a dropped page again (its loader).
 */
export function evictOlderPages(
  cols: readonly PagedColumn[],
  lastPage: number,
  bytes: number,
  keep: number,
): void {
  const loaded = new Set<number>();
  for (const c of cols) for (const pi of c.loadedPages()) loaded.add(pi);
  if (loaded.size === 0) return;
  let held = 0;
  let full = false;
  for (const pi of [...loaded].sort((a, b) => b - a)) {
    let size = 0;
    for (const c of cols) size += c.pageBytes(pi);
    if (pi !== lastPage && (full || pi <= lastPage - keep || held + size > bytes)) {
      full = true;
      for (const c of cols) c.evictPage(pi);
    } else held += size;
  }
}
