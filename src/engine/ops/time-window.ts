/**
 * timeWindow (Deephaven's `time_window` / `WindowCheck.addTimeWindow`): the parent's rows and
 * columns plus a bool column that is true while the row's timestamp is within `window` of the
 * graph's clock (`ts >= now - window`), false once it is older, and null where the timestamp is
 * null. A row turns false as a modification of that column, in the first cycle whose clock
 * reading puts it out of the window.
 *
 * No per-row timers: the rows still in the window are kept as runs ordered by expiry
 * (expiry-runs.ts), so each cycle visits only the rows that age out. The bool column is computed
 * on read (in-window-source.ts); the other columns are the parent's own sources. The parent must
 * be append-only or add-only (rows never change or leave). The window's clock never goes back:
 * each cycle uses the latest clock reading seen, so a clock stepping backwards brings no row back
 * into the window. The node reports when the next row ages out (`nextChangeMs`), which the
 * Durable Object host uses to schedule a cycle for an otherwise idle family.
 */
import { PAGE_SIZE } from "../column.ts";
import { Chunk, type ColumnSource, runKeys } from "../column-source.ts";
import { ArgumentError } from "../errors.ts";
import { parseDuration } from "../instant.ts";
import { defineFunction, kinds, ParamError, type ParamKind, param } from "../operation.ts";
import { Operator } from "../operator.ts";
import { RowSet, RowSetBuilder } from "../row-set.ts";
import { forEachSpan } from "../spans.ts";
import { assertUsable, nodeOf, Table } from "../table-core.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import { validateColumnName } from "../types.ts";
import type { UpdateGraph } from "../update-graph.ts";
import { ExpiryRuns } from "./expiry-runs.ts";
import { InWindowSource } from "./in-window-source.ts";

const NS_PER_MS = 1_000_000n;

/** Epoch nanoseconds of a clock reading in (possibly fractional) epoch milliseconds. */
function msToNanos(ms: number): bigint {
  const whole = Math.floor(ms);
  return BigInt(whole) * NS_PER_MS + BigInt(Math.round((ms - whole) * 1e6));
}

/** Tracks the in-window rows of one time window and turns expiries into updates. */
class TimeWindowOperator extends Operator {
  readonly #ts: ColumnSource;
  readonly #window: bigint;
  readonly #column: InWindowSource;
  readonly #name: string;
  readonly #runs = new ExpiryRuns();
  readonly #chunk: Chunk;
  #now: bigint;

  constructor(
    result: Table,
    parent: Table,
    ts: ColumnSource,
    window: bigint,
    column: InWindowSource,
    name: string,
    now: bigint,
  ) {
    super(result, [parent]);
    this.#ts = ts;
    this.#window = window;
    this.#column = column;
    this.#name = name;
    this.#now = now;
    this.#chunk = new Chunk(ts.type);
    this.#track(parent.rowSet, now - window);
  }

  /** The clock alone changes the result: run every cycle. */
  protected override get alwaysProcess(): boolean {
    return true;
  }

  protected onUpdate(updates: readonly (TableUpdate | null)[]): TableUpdate | null {
    const u = updates[0] ?? null;
    const parent = this.parents[0]!;
    if (u && (!u.removed.isEmpty || !u.modified.isEmpty)) {
      throw new ArgumentError(
        `timeWindow: the parent removed or modified rows; it must be append-only or add-only`,
      );
    }
    const now = msToNanos((parent.graph as UpdateGraph).cycleTimeMs);
    if (now > this.#now) this.#now = now;
    const threshold = this.#now - this.#window;
    this.#column.setThreshold(threshold);
    const aged = this.#expire(threshold);
    const added = u ? u.added : RowSet.EMPTY;
    this.#track(added, threshold);
    nodeOf(this.result).setRowSet(parent.rowSet);
    return makeUpdate(added, RowSet.EMPTY, aged, aged.isEmpty ? [] : [this.#name]);
  }

  /** Epoch ms of the first clock reading at which the next row ages out. */
  nextChangeMs(): number | null {
    if (this.result.isFailed || this.result.isClosed) return null;
    const s = this.#runs.topStamp();
    if (s === null) return null;
    // Out once now - window > ts, i.e. now > ts + window: the next whole millisecond after.
    const edge = s + this.#window;
    const q = edge / NS_PER_MS;
    const floor = edge < 0n && q * NS_PER_MS !== edge ? q - 1n : q;
    return Number(floor) + 1;
  }

  /** Rows whose timestamp fell below `threshold`: they leave the runs. */
  #expire(threshold: bigint): RowSet {
    const runs = this.#runs;
    // Keys ascend within a run; runs age out in time order, not key order: collect each run's
    // leavers as ranges and sort the ranges once.
    const out: RowSet[] = [];
    for (let top = runs.topStamp(); top !== null && top < threshold; top = runs.topStamp()) {
      let key = runs.topCursor();
      const last = runs.topLast();
      const b = new RowSetBuilder();
      let next: bigint | null = null;
      while (key <= last && next === null) {
        const end = Math.min(last + 1, (Math.floor(key / PAGE_SIZE) + 1) * PAGE_SIZE);
        const v = this.#ts.getChunk(runKeys(key, end - key), false, this.#chunk);
        const data = v.data as BigInt64Array;
        const valid = v.valid;
        let i = 0;
        for (; i < v.length; i++) {
          if (valid !== null && valid[i] === 0) continue;
          const ts = data[i]!;
          if (ts >= threshold) {
            next = ts;
            break;
          }
          b.addKey(key + i);
        }
        key += i;
      }
      if (next === null) runs.popTop();
      else runs.advanceTop(key, next);
      out.push(b.build());
    }
    return unionAll(out);
  }

  /** Adds the rows of `rows` still in the window as runs of consecutive keys in time order. */
  #track(rows: RowSet, threshold: bigint): void {
    const runs = this.#runs;
    let first = -1; // first key of the open run, -1 when none is open
    let runEnd = -1; // its last key
    let prevKey = -2;
    let firstStamp = 0n;
    let lastStamp = 0n;
    const close = () => {
      if (first >= 0) runs.push(first, runEnd, firstStamp);
      first = -1;
    };
    forEachSpan(rows, (span) => {
      const v = this.#ts.getChunk(span, false, this.#chunk);
      const data = v.data as BigInt64Array;
      const valid = v.valid;
      for (let i = 0; i < span.length; i++) {
        const key = span.isRun ? span.start + i : span.keys[i]!;
        if (key !== prevKey + 1) close();
        prevKey = key;
        if (valid !== null && valid[i] === 0) {
          // Null: never in the window and never changes; a run may span it.
          if (first >= 0) runEnd = key;
          continue;
        }
        const ts = data[i]!;
        if (ts < threshold) {
          close(); // out already; a sorted run cannot continue past an older row
          continue;
        }
        if (first >= 0 && ts < lastStamp) close();
        if (first < 0) {
          first = key;
          firstStamp = ts;
        }
        runEnd = key;
        lastStamp = ts;
      }
    });
    close();
  }
}

/** The union of disjoint row sets. */
function unionAll(sets: readonly RowSet[]): RowSet {
  if (sets.length <= 1) return sets[0] ?? RowSet.EMPTY;
  const ranges: [number, number][] = [];
  for (const s of sets) s.forEachRange((a, b) => ranges.push([a, b]));
  ranges.sort((x, y) => x[0] - y[0]);
  const b = new RowSetBuilder();
  for (const [a, e] of ranges) b.addRange(a, e);
  return b.build();
}

/**
 * `timeWindow(t, tsCol, window, inWindowCol)`: `t` plus the bool column `inWindowCol`, true while
 * `tsCol >= now - window` (the graph's clock), false once the row is older, null where `tsCol` is
 * null. `window`: an ISO-8601 duration (`"PT5M"`) or bigint nanoseconds, at least 0. `t` must be
 * a refreshing append-only or add-only table; `tsCol` an instant or int64 (epoch nanoseconds).
 * `timeWindow(t, "Ts", "PT5M", "InWindow").where("InWindow")` is a sliding five-minute window.
 */
export function timeWindow(
  t: Table,
  tsCol: string,
  window: string | bigint,
  inWindowCol: string,
): Table {
  assertUsable(t);
  const type = t.columns[tsCol];
  if (type === undefined) {
    throw new ArgumentError(
      `timeWindow: unknown timestamp column "${tsCol}"; available columns are [${t.columnNames.join(", ")}]`,
    );
  }
  if (type !== "instant" && type !== "int64") {
    throw new ArgumentError(
      `timeWindow: timestamp column "${tsCol}" is ${type}; it must be instant or int64 (epoch nanoseconds)`,
    );
  }
  const ns = windowNanos(window);
  validateColumnName(inWindowCol);
  if (t.hasColumn(inWindowCol)) {
    throw new ArgumentError(`timeWindow: the table already has a column "${inWindowCol}"`);
  }
  if (!t.isRefreshing || t.graph === null) {
    throw new ArgumentError(
      "timeWindow: the table is static; a time window needs a refreshing append-only or add-only table (its update graph's clock drives it)",
    );
  }
  if (!t.isAddOnly) {
    throw new ArgumentError(
      `timeWindow: the table is ${t.isBlink ? "a blink table" : "neither append-only nor add-only"}; rows of a time window must stay (use blinkToAppendOnly for a blink table)`,
    );
  }
  const graph = t.graph;
  // The clock as of the last cycle, like `now()` in formulas; the next cycle moves it on.
  const now = msToNanos(graph.cycleTimeMs);
  const ts = t.column(tsCol);
  const column = new InWindowSource(ts, now - ns);
  const columns = new Map(t.columnMap);
  columns.set(inWindowCol, column);
  // Rows change (they age out), so the result is neither append-only nor add-only.
  const attrs = { refreshing: true, blink: false, appendOnly: false, addOnly: false };
  const result = new Table(columns, t.rowSet, attrs, graph, "timeWindow");
  nodeOf(result).attach(new TimeWindowOperator(result, t, ts, ns, column, inWindowCol, now));
  return result;
}

function windowNanos(window: string | bigint): bigint {
  let ns: bigint | null;
  if (typeof window === "bigint") ns = window;
  else if (typeof window === "string") ns = parseDuration(window);
  else ns = null;
  if (ns === null) {
    throw new ArgumentError(
      `timeWindow: window ${typeof window === "string" ? `"${window}"` : String(window)} is not an ISO-8601 duration (e.g. "PT5M") or bigint nanoseconds`,
    );
  }
  if (ns < 0n) throw new ArgumentError(`timeWindow: window ${String(window)} is negative`);
  return ns;
}

/** A window length in the spec language: an ISO-8601 duration string. */
const DURATION: ParamKind<string> = {
  doc: "duration",
  check(v, what) {
    if (typeof v !== "string" || parseDuration(v) === null)
      throw new ParamError(`${what} must be an ISO-8601 duration string such as "PT5M"`);
    return v;
  },
};

/** Descriptor (registered in operations.ts). */
export const timeWindowOp = defineFunction({
  name: "timeWindow",
  params: [
    param("t", kinds.table, "table"),
    param("ts", kinds.string, "timestamp column"),
    param("window", DURATION),
    param("inWindow", kinds.string, "in-window column"),
  ],
  apply: (t: Table, tsCol: string, window: string | bigint, inWindowCol: string): Table =>
    timeWindow(t, tsCol, window, inWindowCol),
  doc: "adds bool `inWindow`: `ts >= now - window`, turning false (a modification) as rows age out; add-only tables",
});
