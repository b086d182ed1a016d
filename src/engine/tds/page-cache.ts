/**
 * PageCache: the byte budget of a TableDataService's page cache, shared by every location of
 * every key. Pages are counted in bytes (estimated from the Arrow buffers they came in) and
 * evicted least-recently-used first, down to `maxBytes`, among the pages nobody needs: a page
 * that a pending read or a table not yet updated needs is "held" and never evicted, so the
 * cache may go over budget while they are in use.
 */
import type { Table as ArrowTable } from "apache-arrow";

/** A cached page as the budget sees it. */
export interface CachedPage {
  /** Bytes the page holds. */
  readonly bytes: number;
  /** Drops the page from its location's cache. */
  evict(): void;
}

/** Default budget: 32 MiB. */
export const DEFAULT_PAGE_CACHE_BYTES = 32 * 1024 * 1024;

/** Bytes an Arrow table's buffers hold (values, offsets, validity, type ids, children). */
export function arrowBytes(table: ArrowTable): number {
  let n = 0;
  for (const d of table.data) n += d.byteLength;
  return n;
}

export class PageCache {
  readonly maxBytes: number;
  #bytes = 0;
  /** Evictable pages, least recently used first (a Set keeps insertion order). */
  readonly #lru = new Set<CachedPage>();

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  /** Bytes held by every cached page, evictable or not. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Counts `delta` more bytes (a page added or grown). */
  grow(delta: number): void {
    this.#bytes += delta;
  }

  /** The page is needed: it may not be evicted until `release`d. */
  hold(page: CachedPage): void {
    this.#lru.delete(page);
  }

  /** The page is no longer needed: it becomes the most recently used evictable page. */
  release(page: CachedPage): void {
    this.#lru.delete(page);
    this.#lru.add(page);
  }

  /** Evicts least-recently-used evictable pages until the cache is within budget. */
  trim(): void {
    for (const page of this.#lru) {
      if (this.#bytes <= this.maxBytes) return;
      this.#lru.delete(page);
      this.#bytes -= page.bytes;
      page.evict();
    }
  }
}
