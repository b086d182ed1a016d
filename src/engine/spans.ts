/**
 * Splits a RowSet into spans a kernel can process in one call: a *run* of consecutive keys
 * inside one page (zero-copy views of every column), or a *gather* of up to PAGE_SIZE scattered
 * keys (copied into scratch vectors). Spans come in key order and cover consecutive positions.
 */
import { PAGE_SIZE } from "./column.ts";
import type { RowSet } from "./row-set.ts";

/** Runs shorter than this are gathered with their neighbours instead. */
const MIN_RUN = 64;

const NO_KEYS = new Float64Array(0);
/**
 * Gather buffers not in use. A call takes one only when it gathers, reuses it for each of its
 * gather spans and gives it back at the end, so a cycle that moves a few rows allocates none
 * (nested calls, from inside a callback, take their own).
 */
const freeBuffers: Float64Array[] = [];

export interface Span {
  /** True for a run of keys `[start, start + length)`; false for `keys[0..length)`. */
  readonly isRun: boolean;
  readonly start: number;
  /** A gather's keys; valid only during the callback (the buffer is reused). */
  readonly keys: Float64Array;
  readonly length: number;
  /** Position of the span's first key within the iterated RowSet. */
  readonly position: number;
}

export function forEachSpan(rows: RowSet, fn: (span: Span) => void): void {
  if (rows.isEmpty) return;
  let buf: Float64Array | null = null;
  let n = 0;
  let pos = 0;
  const flush = () => {
    if (n > 0) {
      fn({ isRun: false, start: -1, keys: buf!, length: n, position: pos });
      pos += n;
      n = 0;
    }
  };
  rows.forEachRange((s, e) => {
    while (s < e) {
      const pageEnd = (Math.floor(s / PAGE_SIZE) + 1) * PAGE_SIZE;
      const runEnd = Math.min(e, pageEnd);
      const len = runEnd - s;
      if (len >= MIN_RUN) {
        flush();
        fn({ isRun: true, start: s, keys: NO_KEYS, length: len, position: pos });
        pos += len;
      } else {
        buf ??= freeBuffers.pop() ?? new Float64Array(PAGE_SIZE);
        for (let k = s; k < runEnd; k++) {
          buf[n++] = k;
          if (n === PAGE_SIZE) flush();
        }
      }
      s = runEnd;
    }
  });
  flush();
  if (buf !== null) freeBuffers.push(buf);
}
