/**
 * Formula columns over append-only tables, computed page by page on demand. An append-only
 * parent never changes a row it has, so a deterministic formula's page can be dropped and
 * computed again from the parent's page (itself read back from storage when the parent is a
 * persisted history). Such columns keep only a tail of pages in memory, like the history they are
 * derived from, and a table built over a long history computes nothing until it is read.
 * Formulas using random*() or now() cannot be recomputed and stay in memory.
 */
import type { PagedColumn } from "../column.ts";
import { PAGE_SIZE } from "../column.ts";
import type { ColumnSource } from "../column-source.ts";
import type { CompiledFormula } from "../formula/index.ts";
import {
  evictOlderPages,
  HISTORY_BYTES_IN_MEMORY,
  HISTORY_PAGES_IN_MEMORY,
} from "../persist/history.ts";
import { forEachSpan } from "../spans.ts";
import type { Table } from "../table-core.ts";
import { chunksFor, contextFor, positionOf, readSpan } from "./eval.ts";

/** Whether `formula`'s column over `parent` can be recomputed page by page. */
export function recomputable(parent: Table, formula: CompiledFormula): boolean {
  return parent.isRefreshing && parent.isAppendOnly && !formula.usesVolatile;
}

/** Makes `out` compute a missing page from the parent's rows in that page. */
export function attachRecompute(
  parent: Table,
  formula: CompiledFormula,
  inputs: readonly ColumnSource[],
  out: PagedColumn,
): void {
  // Its pages never change once full (the parent's rows never do): sealed as a history's are
  // (strings by dictionary or as UTF-8, numbers narrowed), which also makes their bytes known
  // to the eviction's budget (a page of strings in an array counts its slots only).
  out.sealFullPages();
  out.setLoader((pi) => {
    const keys = parent.rowSet.subSetByKeyRange(pi * PAGE_SIZE, (pi + 1) * PAGE_SIZE);
    if (keys.isEmpty) return false;
    const ctx = contextFor(parent, positionOf(parent, keys));
    const base = ctx.position;
    const chunks = chunksFor(inputs);
    forEachSpan(keys, (span) => {
      ctx.position = base + span.position;
      const vec = formula.evaluate(readSpan(inputs, span, false, chunks), span.length, ctx);
      if (span.isRun) {
        out.installPage(pi, vec, 0, span.length, span.start - pi * PAGE_SIZE);
        return;
      }
      // Scattered keys (a filtered parent): install each run of consecutive keys.
      let i = 0;
      while (i < span.length) {
        let j = i + 1;
        while (j < span.length && span.keys[j] === span.keys[j - 1]! + 1) j++;
        out.installPage(pi, vec, i, j - i, span.keys[i]! - pi * PAGE_SIZE);
        i = j;
      }
    });
    return true;
  });
}

/**
 * Drops pages of `outs` (the formula columns of one table over `parent`, each able to compute a
 * page again) as a history drops its own (`evictOlderPages`): the newest within `bytes` (all of
 * `outs` together; the store's `historyBytes`, else HISTORY_BYTES_IN_MEMORY), at most the last
 * HISTORY_PAGES_IN_MEMORY of the parent's rows, and always the page of its last row.
 */
export function evictComputed(
  parent: Table,
  outs: readonly PagedColumn[],
  bytes = HISTORY_BYTES_IN_MEMORY,
): void {
  if (parent.size === 0 || outs.length === 0) return;
  const lastPage = Math.floor(parent.rowSet.last() / PAGE_SIZE);
  evictOlderPages(outs, lastPage, bytes, HISTORY_PAGES_IN_MEMORY);
}
