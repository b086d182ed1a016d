/**
 * Running compiled formulas over the rows of a table, span by span (see `spans.ts`): contiguous
 * runs are read zero-copy from column pages, scattered keys are gathered; results are written
 * back by key.
 */

import type { PagedColumn } from "../column.ts";
import type { ColumnSource, Vec } from "../column-source.ts";
import { Chunk } from "../column-source.ts";
import { FormulaError } from "../errors.ts";
import type { CompiledFormula, EvalContext } from "../formula/index.ts";
import { seededRandom } from "../random.ts";
import type { RowSet } from "../row-set.ts";
import type { Span } from "../spans.ts";
import { forEachSpan } from "../spans.ts";
import type { Table } from "../table-core.ts";

let staticRandom = seededRandom(Math.floor(Math.random() * 0x7fffffff));

/** Seeds `random*()` in formulas on static tables (refreshing tables use their graph's seed). */
export function seedStaticRandom(seed: number): void {
  staticRandom = seededRandom(seed);
}

/** The evaluation context for formulas over `table`'s rows, starting at `position`. */
export function contextFor(table: Table, position: number): EvalContext {
  const g = table.graph;
  if (g) return { position, random: g.random, nowNanos: () => g.nowNanos() };
  return { position, random: () => staticRandom(), nowNanos: () => BigInt(Date.now()) * 1000000n };
}

/**
 * Reads the vectors of `cols` for one span (views where the span is a run, else filled into
 * `chunks[j]`, or new chunks without them). See ColumnSource.getChunk for how long they last.
 */
export function readSpan(
  cols: readonly ColumnSource[],
  span: Span,
  prev = false,
  chunks?: readonly Chunk[],
): Vec[] {
  return cols.map((c, j) => c.getChunk(span, prev, chunks?.[j]));
}

/** One reusable chunk per column of `cols`, for `readSpan`. */
export function chunksFor(cols: readonly ColumnSource[]): Chunk[] {
  return cols.map((c) => new Chunk(c.type));
}

/**
 * Evaluates `formula` for `rows` of a table and writes the results to `out` at the same keys.
 * `position` is the table position of the first key of `rows` (for `i`/`ii`).
 */
export function evaluateInto(
  formula: CompiledFormula,
  inputs: readonly ColumnSource[],
  rows: RowSet,
  out: PagedColumn,
  ctx: EvalContext,
): void {
  const base = ctx.position;
  const chunks = chunksFor(inputs);
  forEachSpan(rows, (span) => {
    ctx.position = base + span.position;
    const vec = formula.evaluate(readSpan(inputs, span, false, chunks), span.length, ctx);
    if (span.isRun) out.writeRun(span.start, vec, 0, span.length);
    else out.scatter(span.keys, span.length, vec);
  });
  ctx.position = base;
}

/** Evaluates a boolean filter over `rows`; calls `keep(key)` for each passing row in order. */
export function filterRows(
  formula: CompiledFormula,
  inputs: readonly ColumnSource[],
  rows: RowSet,
  ctx: EvalContext,
  keep: (key: number) => void,
): void {
  const base = ctx.position;
  const chunks = chunksFor(inputs);
  forEachSpan(rows, (span) => {
    ctx.position = base + span.position;
    const v = formula.evaluate(readSpan(inputs, span, false, chunks), span.length, ctx);
    const d = v.data as Uint8Array;
    const valid = v.valid;
    for (let i = 0; i < span.length; i++) {
      if (d[i] === 1 && (valid === null || valid[i] === 1))
        keep(span.isRun ? span.start + i : span.keys[i]!);
    }
  });
  ctx.position = base;
}

const POSITION_VARS = /(?<![\w$`])ii?(?![\w$])/;

/**
 * Deephaven refuses `i`/`ii` on refreshing tables whose row positions can change between cycles;
 * only static, blink and append-only tables give them stable meaning.
 */
export function checkPositionUse(table: Table, f: CompiledFormula): void {
  if (!f.usesPosition || !table.isRefreshing || table.isBlink || table.isAppendOnly) return;
  const m = POSITION_VARS.exec(f.text);
  throw new FormulaError(
    f.text,
    m ? m.index : 0,
    "Formula uses i or ii on a refreshing table that is neither blink nor append-only " +
      "(row positions change between cycles)",
  );
}

/** Position in `table` of the first key of `rows` (rows added at the end, or the whole table). */
export function positionOf(table: Table, rows: RowSet): number {
  if (rows.isEmpty) return 0;
  const p = table.rowSet.find(rows.first());
  return Math.max(p, 0);
}
