/**
 * update / updateView / view / select: derive columns with formulas.
 *
 * `update` and `updateView` keep the parent's columns and add (or replace) formula columns;
 * `view` and `select` keep only the listed columns. A formula that is a bare column reference
 * shares the parent's storage; others are computed into the result's own pages. On each cycle
 * only added rows, and modified rows whose inputs changed, are computed.
 */
import { PAGE_SIZE, PagedColumn } from "../column.ts";
import type { ColumnSource } from "../column-source.ts";
import { UnsupportedOperationError } from "../errors.ts";
import type { CompiledFormula } from "../formula/index.ts";
import { compileFormula } from "../formula/index.ts";
import { defineMethod, kinds, param, rest } from "../operation.ts";
import { Operator } from "../operator.ts";
import { RowSet } from "../row-set.ts";
import { assertUsable, inheritAttributes, nodeOf, Table } from "../table-core.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import type { ColumnType } from "../types.ts";
import { checkPositionUse, contextFor, evaluateInto, positionOf } from "./eval.ts";
import { attachRecompute, evictComputed, recomputable } from "./recompute.ts";

interface Step {
  formula: CompiledFormula;
  out: PagedColumn;
  inputs: ColumnSource[];
  /** Parent columns this output depends on, transitively. */
  deps: Set<string>;
  /** Computed page by page on demand (append-only parent, deterministic formula). */
  lazy: boolean;
}

interface Plan {
  columns: Map<string, ColumnSource>;
  steps: Step[];
  /** Result column name -> parent columns it depends on. */
  deps: Map<string, Set<string>>;
}

function plan(parent: Table, formulas: readonly string[], keepParent: boolean): Plan {
  assertUsable(parent);
  const columns = new Map<string, ColumnSource>();
  const deps = new Map<string, Set<string>>();
  if (keepParent) {
    for (const [name, col] of parent.columnMap) {
      columns.set(name, col);
      deps.set(name, new Set([name]));
    }
  }
  // Names visible to formulas: parent columns, then outputs of earlier formulas.
  const scope = new Map<string, { col: ColumnSource; deps: Set<string> }>();
  for (const [name, col] of parent.columnMap) scope.set(name, { col, deps: new Set([name]) });
  const steps: Step[] = [];
  for (const text of formulas) {
    const schema: Record<string, ColumnType> = {};
    for (const [n, s] of scope) schema[n] = s.col.type;
    const f = compileFormula(text, schema, "assign");
    checkPositionUse(parent, f);
    const target = f.target!;
    const fdeps = new Set<string>();
    for (const c of f.columns) for (const d of scope.get(c)!.deps) fdeps.add(d);
    let col: ColumnSource;
    if (f.sourceColumn !== null) {
      col = scope.get(f.sourceColumn)!.col;
    } else {
      const out = new PagedColumn(f.type, parent.isRefreshing ? parent.graph : null);
      const inputs = f.columns.map((c) => scope.get(c)!.col);
      const lazy = recomputable(parent, f);
      if (lazy) attachRecompute(parent, f, inputs, out);
      steps.push({ formula: f, out, inputs, deps: fdeps, lazy });
      col = out;
    }
    scope.set(target, { col, deps: fdeps });
    columns.set(target, col);
    deps.set(target, fdeps);
  }
  return { columns, steps, deps };
}

/**
 * How many times the pages of a formula column may outweigh its rows. Formula columns store values
 * by row key in pages of PAGE_SIZE slots; over a sparse key space (an incremental sort spreads its
 * keys, a join with many matches per key reserves ranges) each row can take a page of its own, which
 * would exhaust an object's memory. Past this factor the operation is refused instead.
 */
const MAX_PAGE_WASTE = 64;

/** Distinct pages the keys of `rows` fall in (work proportional to its ranges). */
function pagesOf(rows: RowSet): number {
  let n = 0;
  let last = -1;
  rows.forEachRange((s, e) => {
    const a = Math.floor(s / PAGE_SIZE);
    const b = Math.floor((e - 1) / PAGE_SIZE);
    n += b - a + 1 - (a === last ? 1 : 0);
    last = b;
  });
  return n;
}

/**
 * Throws before formula columns would write `rows` when their pages (those held now plus those
 * `rows` may add) would outweigh the parent's `size` rows by more than MAX_PAGE_WASTE.
 */
function checkDensity(kind: string, steps: readonly Step[], rows: RowSet, size: number): void {
  const eager = steps.find((s) => !s.lazy);
  if (eager)
    checkPageDensity(kind, "formula columns", "t.update(...).sort(...)", eager.out, rows, size);
}

/**
 * Throws before `out` (a column stored by the parent's row keys) would write `rows` when its
 * pages (those held now plus those `rows` may add) would outweigh the parent's `size` rows by
 * more than MAX_PAGE_WASTE. `what` names the columns, `instead` the order that works.
 */
export function checkPageDensity(
  kind: string,
  what: string,
  instead: string,
  out: PagedColumn,
  rows: RowSet,
  size: number,
): void {
  if (rows.isEmpty) return;
  const pages = out.pageCount + pagesOf(rows);
  if (pages * PAGE_SIZE <= MAX_PAGE_WASTE * (size + PAGE_SIZE)) return;
  throw new UnsupportedOperationError(
    `${kind}: ${what} over these ${size} rows would take ${pages} pages of ${PAGE_SIZE} slots: the parent's row keys are sparse (a refreshing sort, or a join reserving key ranges); compute ${what} before the sort or join, e.g. ${instead}`,
  );
}

function run(parent: Table, steps: readonly Step[], rows: RowSet): void {
  if (rows.isEmpty) return;
  for (const s of steps)
    evaluateInto(s.formula, s.inputs, rows, s.out, contextFor(parent, positionOf(parent, rows)));
}

class SelectOperator extends Operator {
  readonly #plan: Plan;
  /** The formula columns computed page by page (recompute.ts), evicted together. */
  readonly #lazy: PagedColumn[];
  constructor(result: Table, parent: Table, p: Plan) {
    super(result, [parent]);
    this.#plan = p;
    this.#lazy = p.steps.filter((s) => s.lazy).map((s) => s.out);
  }

  protected onUpdate(updates: readonly (TableUpdate | null)[]): TableUpdate | null {
    const u = updates[0] ?? null;
    const parent = this.parents[0]!;
    const up = u!;
    const rows = parent.rowSet;
    const p = this.#plan;
    nodeOf(this.result).setRowSet(rows);
    const changed = new Set(up.modifiedColumns);
    const dirtySteps = up.modified.isEmpty
      ? []
      : p.steps.filter((s) => [...s.deps].some((d) => changed.has(d)));
    // Pages holding only removed (or removed-and-re-added) keys are set aside as previous values
    // before new rows are written, so a blink parent's key reuse costs no copy-on-write clone.
    if (!up.removed.isEmpty) {
      const survivors = rows.minus(up.added);
      for (const s of p.steps) s.out.release(up.removed, survivors);
    }
    // Added rows: every step. Modified rows: only steps whose inputs changed.
    checkDensity(this.result.kind, p.steps, up.added, rows.size);
    run(parent, p.steps, up.added);
    if (dirtySteps.length > 0) run(parent, dirtySteps, up.modified);
    evictComputed(parent, this.#lazy, parent.graph?.store?.historyBytes);
    const modifiedColumns: string[] = [];
    if (!up.modified.isEmpty) {
      for (const [name, d] of p.deps)
        if ([...d].some((x) => changed.has(x))) modifiedColumns.push(name);
    }
    return makeUpdate(
      up.added,
      up.removed,
      modifiedColumns.length > 0 ? up.modified : RowSet.EMPTY,
      modifiedColumns,
    );
  }
}

function build(
  parent: Table,
  formulas: readonly string[],
  keepParent: boolean,
  kind: string,
): Table {
  const p = plan(parent, formulas, keepParent);
  checkDensity(kind, p.steps, parent.rowSet, parent.size);
  const result = new Table(p.columns, parent.rowSet, inheritAttributes(parent), parent.graph, kind);
  // Lazy steps compute their pages when read (a long history costs nothing until then).
  run(
    parent,
    p.steps.filter((s) => !s.lazy),
    parent.rowSet,
  );
  if (parent.isRefreshing) nodeOf(result).attach(new SelectOperator(result, parent, p));
  return result;
}

export function update(t: Table, formulas: readonly string[]): Table {
  return build(t, formulas, true, "update");
}
export function updateView(t: Table, formulas: readonly string[]): Table {
  return build(t, formulas, true, "updateView");
}
export function view(t: Table, formulas: readonly string[]): Table {
  return build(t, formulas, false, "view");
}
export function select(t: Table, formulas: readonly string[]): Table {
  return build(t, formulas, false, "select");
}

// ---- descriptors (registered in operations.ts) ---------------------------------------------------

const formulas = rest(param("formulas", kinds.formulas, "formula"));

export const updateOp = defineMethod({
  name: "update",
  params: [formulas],
  apply: (t: Table, ...formulas: (string | string[])[]): Table => update(t, formulas.flat()),
  doc: "adds or replaces formula columns (parent columns kept)",
});
export const updateViewOp = defineMethod({
  name: "updateView",
  params: [formulas],
  apply: (t: Table, ...formulas: (string | string[])[]): Table => updateView(t, formulas.flat()),
  doc: "as `update`",
});
export const viewOp = defineMethod({
  name: "view",
  params: [formulas],
  apply: (t: Table, ...formulas: (string | string[])[]): Table => view(t, formulas.flat()),
  doc: 'only the listed columns; a bare name keeps a column; `"New = Old"` renames',
});
export const selectOp = defineMethod({
  name: "select",
  params: [formulas],
  apply: (t: Table, ...formulas: (string | string[])[]): Table => select(t, formulas.flat()),
  doc: "as `view`",
});
