/** Copying rows between tables' column storage, span by span. */
import { PAGE_SIZE, PagedColumn } from "../column.ts";
import type { ColumnSource, Vec } from "../column-source.ts";
import { Chunk, runKeys } from "../column-source.ts";
import type { RowSet } from "../row-set.ts";
import { forEachSpan } from "../spans.ts";
import { chunksFor, readSpan } from "./eval.ts";

/** Average rows per range from which copies go page to page rather than through chunks. */
const MIN_RANGE = 16;

/**
 * Copies `rows` of `src` (in key order) to consecutive keys of `dst` starting at `destStart`.
 * `share`: `src` are a static table's columns (they never change), whose page-aligned pages `dst`
 * may borrow without copying (PagedColumn.copyRunFrom).
 */
export function copyRowsTo(
  src: readonly ColumnSource[],
  rows: RowSet,
  dst: readonly PagedColumn[],
  destStart: number,
  share = false,
): void {
  if (rows.isEmpty) return;
  const ranges = rows.rangeCount;
  if ((ranges === 1 || ranges * MIN_RANGE <= rows.size) && allPaged(src)) {
    // Page to page (rows of a publisher's batch, a blink table's rows into a ring, however few):
    // no chunks, and (a loop, not a callback) nothing allocated per call.
    const from = src as readonly PagedColumn[];
    let at = destStart;
    for (let r = 0; r < ranges; r++) {
      const s = rows.rangeStart(r);
      const n = rows.rangeEnd(r) - s;
      for (let j = 0; j < dst.length; j++) dst[j]!.copyRunFrom(from[j]!, s, at, n, share);
      at += n;
    }
    return;
  }
  const chunks = chunksFor(src);
  forEachSpan(rows, (span) => {
    const vecs = readSpan(src, span, false, chunks);
    for (let j = 0; j < dst.length; j++)
      dst[j]!.writeRun(destStart + span.position, vecs[j]!, 0, span.length);
  });
}

function allPaged(src: readonly ColumnSource[]): boolean {
  for (let j = 0; j < src.length; j++) if (!(src[j] instanceof PagedColumn)) return false;
  return true;
}

/** Reads `rows` of each column (in key order) into one contiguous vector per column. */
export function readContiguous(src: readonly ColumnSource[], rows: RowSet): Vec[] {
  const n = rows.size;
  const out = src.map((c) => new Chunk(c.type, n).reset(n));
  forEachSpan(rows, (span) => {
    for (let j = 0; j < out.length; j++) src[j]!.fillChunk(span, out[j]!, span.position);
  });
  return out;
}

/**
 * `readContiguous` for readers that never write to the result (the Arrow IPC writer): when `rows`
 * is one run inside one page, each column's vector is a view of its storage (`getChunk`), not a
 * copy. A string column's contiguous rows come as UTF-8 (`PagedColumn.readUtf8`: its sealed
 * pages' bytes, no string made a row), which only the writer's `encodeUtf8` reads.
 */
export function readRows(src: readonly ColumnSource[], rows: RowSet): Vec[] {
  if (rows.size > 0 && rows.isContiguous) {
    let utf8: (Vec | null)[] | null = null;
    for (let j = 0; j < src.length; j++) {
      const c = src[j]!;
      // (Null for other types, and for rows in no sealed page.)
      const v = c instanceof PagedColumn ? c.readUtf8(rows.first(), rows.size) : null;
      if (v === null) continue;
      utf8 ??= new Array<Vec | null>(src.length).fill(null);
      utf8[j] = v;
    }
    if (utf8 !== null) {
      const done = utf8;
      const rest = readPlain(
        src.filter((_, j) => done[j] === null),
        rows,
      );
      let k = 0;
      return done.map((v) => v ?? rest[k++]!);
    }
  }
  return readPlain(src, rows);
}

function readPlain(src: readonly ColumnSource[], rows: RowSet): Vec[] {
  if (src.length === 0) return [];
  const first = rows.first();
  const page = Math.floor(first / PAGE_SIZE);
  if (rows.size > 0 && rows.isContiguous && Math.floor(rows.last() / PAGE_SIZE) === page) {
    const keys = runKeys(first, rows.size);
    return src.map((c) => c.getChunk(keys));
  }
  return readContiguous(src, rows);
}
