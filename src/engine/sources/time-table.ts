/**
 * timeTable: one `Timestamp` row per period (Deephaven's TimeTable). Row r holds
 * `startTime + r * period`; a cycle adds every row that has come due by the cycle's clock
 * reading. Without a start time, the start is the clock floored to the period at the first
 * cycle. Blink mode keeps only each cycle's new rows, with keys that keep increasing.
 */
import type { Vec } from "../column.ts";
import { PAGE_SIZE } from "../column.ts";
import { ArgumentError } from "../errors.ts";
import { parseDuration } from "../instant.ts";
import type { StateHandle } from "../persist/state-store.ts";
import { RowSet } from "../row-set.ts";
import type { Table } from "../table.ts";
import { nodeOf } from "../table.ts";
import type { TableUpdate } from "../table-update.ts";
import { makeUpdate } from "../table-update.ts";
import { parseInstantOrReason } from "../types.ts";
import type { UpdateGraph } from "../update-graph.ts";
import { SourceNode } from "./source-node.ts";

export interface TimeTableOptions {
  /** bigint epoch nanoseconds, a Date or an ISO-8601 instant. */
  startTime?: bigint | Date | string;
  blink?: boolean;
}

export { parseDuration };

function toNanos(t: bigint | Date | string): bigint {
  if (typeof t === "bigint") return t;
  if (t instanceof Date) {
    if (Number.isNaN(t.getTime()))
      throw new ArgumentError("timeTable: startTime is an invalid Date");
    return BigInt(t.getTime()) * 1000000n;
  }
  const ns = parseInstantOrReason(t);
  if (typeof ns === "string")
    throw new ArgumentError(`timeTable: startTime "${t}" is not a valid ISO-8601 instant: ${ns}`);
  return ns;
}

class TimeTableNode extends SourceNode {
  readonly #period: bigint;
  readonly #blink: boolean;
  #start: bigint | null;
  #rowsDue = 0; // rows emitted so far

  constructor(graph: UpdateGraph, period: bigint, start: bigint | null, blink: boolean) {
    super(
      graph,
      { Timestamp: "instant" },
      { refreshing: true, blink, appendOnly: !blink, addOnly: !blink },
      "timeTable",
    );
    this.#period = period;
    this.#start = start;
    this.#blink = blink;
    const h = graph.store?.register("timeTable", {
      table: this.table,
      save: (handle) => this.save(handle),
      alwaysSave: false,
    });
    if (h?.restored) {
      const s = h.getMeta<string>("start");
      this.#start = s === undefined || s === null ? null : BigInt(s);
      this.#rowsDue = h.getMeta<number>("rows") ?? 0;
      if (!blink && this.#rowsDue > 0) {
        // Rows are a pure function of start and period: regenerate pages on demand.
        nodeOf(this.table).setRowSet(RowSet.flat(this.#rowsDue));
        const col = this.cols[0]!;
        col.setLoader((pi) => {
          const from = pi * PAGE_SIZE;
          const to = Math.min(this.#rowsDue, from + PAGE_SIZE);
          if (from >= to || this.#start === null) return false;
          col.installPage(pi, this.#timestamps(from, to), 0, to - from);
          return true;
        });
      }
    }
  }

  save(h: StateHandle): void {
    h.putMeta("start", this.#start === null ? null : this.#start.toString());
    h.putMeta("rows", this.#rowsDue);
  }

  #timestamps(from: number, to: number): Vec {
    const n = to - from;
    const data = new BigInt64Array(n);
    for (let i = 0; i < n; i++) data[i] = this.#start! + BigInt(from + i) * this.#period;
    return { data, valid: null, length: n };
  }

  protected flush(): TableUpdate | null {
    const now = this.graph.nowNanos();
    if (this.#start === null) this.#start = (now / this.#period) * this.#period;
    const start = this.#start;
    if (now < start) {
      return this.#blink ? this.#removeAll() : null;
    }
    const due = Number((now - start) / this.#period) + 1;
    const from = this.#rowsDue;
    if (due <= from) return this.#blink ? this.#removeAll() : null;
    const n = due - from;
    const vec = this.#timestamps(from, due);
    this.writeBatches([{ vecs: [vec], length: n }], from);
    this.#rowsDue = due;
    const added = RowSet.range(from, due);
    if (!this.#blink) {
      nodeOf(this.table).setRowSet(RowSet.flat(due));
      return makeUpdate(added);
    }
    const removed = this.table.rowSet;
    nodeOf(this.table).setRowSet(added);
    for (const c of this.cols) c.release(removed, added);
    return makeUpdate(added, removed);
  }

  #removeAll(): TableUpdate | null {
    const removed = this.table.rowSet;
    if (removed.isEmpty) return null;
    nodeOf(this.table).setRowSet(RowSet.EMPTY);
    for (const c of this.cols) c.release(removed, RowSet.EMPTY);
    return makeUpdate(RowSet.EMPTY, removed);
  }
}

/** A table that ticks one row per `period` (ISO-8601 duration or bigint nanoseconds). */
export function timeTable(
  graph: UpdateGraph,
  period: string | bigint,
  options: TimeTableOptions = {},
): Table {
  let ns: bigint | null;
  if (typeof period === "bigint") ns = period;
  else if (typeof period === "string") ns = parseDuration(period);
  else ns = null;
  if (ns === null)
    throw new ArgumentError(`timeTable: cannot parse period ${JSON.stringify(String(period))}`);
  if (ns <= 0n)
    throw new ArgumentError(`timeTable: period must be positive, got ${String(period)}`);
  const start = options.startTime === undefined ? null : toNanos(options.startTime);
  return new TimeTableNode(graph, ns, start, options.blink ?? false).table;
}
