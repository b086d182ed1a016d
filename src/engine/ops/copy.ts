/** Copying rows between tables' column storage, span by span. */
import type { PagedColumn, Vec } from "../column.ts";
import type { RowSet } from "../row-set.ts";
import { forEachSpan } from "../spans.ts";
import type { ObjectStorage, TypedStorage } from "../types.ts";
import { allocStorage } from "../types.ts";
import { readSpan } from "./eval.ts";

/**
 * Copies `rows` of `src` (in key order) to consecutive keys of `dst` starting at `destStart`.
 */
export function copyRowsTo(
  src: readonly PagedColumn[],
  rows: RowSet,
  dst: readonly PagedColumn[],
  destStart: number,
): void {
  forEachSpan(rows, (span) => {
    const vecs = readSpan(src, span);
    for (let j = 0; j < dst.length; j++)
      dst[j]!.writeRun(destStart + span.position, vecs[j]!, 0, span.length);
  });
}

/** Copies `rows` of `src` to the same keys plus `shift` in `dst`. */
export function copyRowsShifted(
  src: readonly PagedColumn[],
  rows: RowSet,
  dst: readonly PagedColumn[],
  shift: number,
): void {
  forEachSpan(rows, (span) => {
    const vecs = readSpan(src, span);
    for (let j = 0; j < dst.length; j++) {
      if (span.isRun) dst[j]!.writeRun(span.start + shift, vecs[j]!, 0, span.length);
      else {
        const keys = new Float64Array(span.length);
        for (let i = 0; i < span.length; i++) keys[i] = span.keys[i]! + shift;
        dst[j]!.scatter(keys, span.length, vecs[j]!);
      }
    }
  });
}

/** Reads `rows` of each column (in key order) into one contiguous vector per column. */
export function readContiguous(src: readonly PagedColumn[], rows: RowSet): Vec[] {
  const n = rows.size;
  const out: Vec[] = src.map((c) => ({ data: allocStorage(c.type, n), valid: null, length: n }));
  forEachSpan(rows, (span) => {
    const vecs = readSpan(src, span);
    for (let j = 0; j < out.length; j++) copyVec(vecs[j]!, out[j]!, span.position, span.length);
  });
  return out;
}

/** Copies `src[0..n)` into `dst` at `at`, allocating `dst.valid` on the first null. */
export function copyVec(src: Vec, dst: Vec, at: number, n: number): void {
  if (Array.isArray(src.data)) {
    const d = dst.data as ObjectStorage;
    for (let i = 0; i < n; i++) d[at + i] = src.data[i]!;
  } else (dst.data as TypedStorage).set((src.data as TypedStorage).subarray(0, n) as never, at);
  if (src.valid) {
    if (!dst.valid) dst.valid = new Uint8Array(dst.length).fill(1);
    dst.valid.set(src.valid.subarray(0, n), at);
  }
}
