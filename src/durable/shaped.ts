/**
 * ShapedSubscribers: subscribers that asked for less (or other) than a whole view: a viewport (a
 * range of row positions in the view's order), a subset of columns, or an ad-hoc `where`/`sort`
 * (a transient table, transients.ts). docs/protocol.md, "Viewports and ad-hoc views".
 *
 * A viewport subscriber holds the keys of the rows at positions first..last. Each cycle the
 * server finds the keys there now (RowSet.subSetByPosition: O(log ranges) plus the viewport) and
 * sends what differs from what the client holds: rows that left or entered the viewport, rows
 * re-keyed in it (a blink or ring view reusing a key, a sorted view moving a row), rows modified
 * in it; and the view's size. Work and bytes per cycle are bounded by the viewport and the
 * cycle's change, not by the view.
 *
 * What each socket holds lives in memory; after a wake it is unknown, and the socket is sent a
 * fresh snapshot of its viewport (from its attachment) at the next cycle or viewport change.
 */

import { showValue } from "../engine/errors.ts";
import type { Table, TableUpdate } from "../engine/index.ts";
import { RowSet } from "../engine/index.ts";
import { makeUpdate } from "../engine/table-update.ts";
import type { Frame, SortKey, Viewport, WireFormat, WireShape } from "../engine/wire.ts";
import { deltaFrames, snapshotFrames } from "../engine/wire.ts";
import { errorResult, HostError, VIEW_ERROR_STATUS } from "./errors.ts";
import type { FamilyHost } from "./host.ts";
import { needsTable } from "./transients.ts";

/** Rows a viewport may span at most. */
export const MAX_VIEWPORT_ROWS = 100_000;

/** What a shaped subscriber asked for (kept in its socket attachment). */
export interface SubShape {
  where: string[];
  sort: SortKey[];
  /** null: every column. */
  columns: string[] | null;
  /** null: every row. */
  viewport: Viewport | null;
}

/** True when a subscription asks for anything but the whole view. */
export function isShaped(s: SubShape | undefined): s is SubShape {
  return (
    s !== undefined &&
    (s.viewport !== null || s.columns !== null || s.where.length > 0 || s.sort.length > 0)
  );
}

interface State {
  /** Transient key (shared ad-hoc table), or null for the view itself. */
  key: string | null;
  /** The table the client's rows came from (a rebuilt one means a fresh snapshot). */
  table: Table;
  /** Keys the client holds (its viewport's rows, or every row). */
  sent: RowSet;
  size: number;
  /** The failure was sent (once; no delta follows it). */
  failed?: boolean;
}

/** The checked form of a viewport; throws `bad_viewport` naming what is wrong. */
export function checkViewport(first: unknown, last: unknown): Viewport {
  const ok = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
  if (!ok(first) || !ok(last)) {
    throw new HostError(
      VIEW_ERROR_STATUS.bad_viewport,
      "bad_viewport",
      `viewport first and last must be row positions (integers from 0), got first ${showValue(first)} and last ${showValue(last)}`,
    );
  }
  const f = first as number;
  const l = last as number;
  if (l < f)
    throw new HostError(
      VIEW_ERROR_STATUS.bad_viewport,
      "bad_viewport",
      `viewport last (${l}) is before first (${f})`,
    );
  if (l - f + 1 > MAX_VIEWPORT_ROWS) {
    throw new HostError(
      VIEW_ERROR_STATUS.bad_viewport,
      "bad_viewport",
      `a viewport spans at most ${MAX_VIEWPORT_ROWS} rows, got ${l - f + 1} (${f} to ${l})`,
    );
  }
  return { first: f, last: l };
}

/** The keys at a viewport's positions (all keys without one). */
function keysIn(t: Table, vp: Viewport | null): RowSet {
  return vp ? t.rowSet.subSetByPosition(vp.first, vp.last + 1) : t.rowSet;
}

/**
 * The change a client holding `prev` must apply to hold `next`, given the table's update this
 * cycle (null: the table did not change, only the viewport moved). A key removed and added again
 * in the cycle (blink and ring views reuse keys) is sent as removed and added.
 */
export function viewportChange(prev: RowSet, next: RowSet, u: TableUpdate | null): TableUpdate {
  const kept = prev.intersect(next);
  const rekeyed = u ? kept.intersect(u.removed) : RowSet.EMPTY;
  return makeUpdate(
    next.minusUnion(prev, rekeyed),
    prev.minusUnion(next, rekeyed),
    u ? kept.intersect(u.modified).minus(rekeyed) : RowSet.EMPTY,
    u ? u.modifiedColumns : [],
  );
}

export class ShapedSubscribers {
  readonly #state = new WeakMap<WebSocket, State>();
  /**
   * Sockets already closed: `getWebSockets()` may still list a closing socket after its close
   * handler ran, and adopting it would reference its transient again with nobody to release it.
   */
  readonly #closed = new WeakSet<WebSocket>();

  /**
   * Checks a shape against the family before a socket is accepted: columns and sort columns
   * exist, formulas compile (a transient table is built and referenced for it). Returns the
   * transient key, or null.
   */
  prepare(host: FamilyHost, view: string, shape: SubShape): string | null {
    host.checkShape(view, shape.columns ?? undefined, shape.sort);
    if (!needsTable(shape)) return null;
    return host.transients.acquire(host.family(), view, shape, host.name);
  }

  /** Sends a new socket its snapshot; `key` is what `prepare` returned. */
  open(
    host: FamilyHost,
    ws: WebSocket,
    view: string,
    format: WireFormat,
    shape: SubShape,
    key: string | null,
  ): void {
    const table = this.#tableOf(host, view, key);
    this.#snapshot(ws, table, key, format, shape, host.cycle);
  }

  /** Releases what a closing socket held. */
  close(host: FamilyHost, ws: WebSocket): void {
    this.#closed.add(ws);
    const s = this.#state.get(ws);
    this.#state.delete(ws);
    if (s?.key) host.transients.release(s.key);
  }

  /**
   * Sends one socket this cycle's change (or a failure, or a fresh snapshot after a wake).
   * Whole-view subscribers asking the same (table, format, columns) share the frames built for
   * the first of them in `shared` (one map per cycle).
   */
  cycle(
    host: FamilyHost,
    ws: WebSocket,
    view: string,
    format: WireFormat,
    shape: SubShape,
    shared: Map<string, Frame[]> = new Map(),
  ): void {
    const cycle = host.cycle;
    const s = this.adopt(host, ws, view, format, shape);
    if (!s) return;
    const fam = host.family();
    if (s.failed) return;
    const failed = s.key ? host.transients.failure(s.key) : host.lastFailures.get(view);
    if (failed !== undefined) {
      s.failed = true;
      this.#send(ws, [JSON.stringify({ type: "failure", cycle, ...failureBody(failed) })]);
      return;
    }
    const table = this.#tableOf(host, view, s.key);
    if (table !== s.table) {
      this.#snapshot(ws, table, s.key, format, shape, cycle);
      return;
    }
    const u = s.key ? host.transients.update(fam, s.key) : (host.lastUpdates.get(view) ?? null);
    if (!shape.viewport) {
      // The whole (transformed) view: its update as it is.
      if (!u) return;
      const k = JSON.stringify([s.key ?? view, format, shape.columns]);
      let frames = shared.get(k);
      if (!frames) {
        frames = deltaFrames(table, u, cycle, format, wireShape(shape, table.size));
        shared.set(k, frames);
      }
      this.#send(ws, frames);
      return;
    }
    const next = keysIn(table, shape.viewport);
    if (!u && next.equals(s.sent) && table.size === s.size) return;
    const change = viewportChange(s.sent, next, u);
    this.#send(ws, deltaFrames(table, change, cycle, format, wireShape(shape, table.size)));
    s.sent = next;
    s.size = table.size;
  }

  /**
   * A `viewport` message: moves the viewport (only newly visible rows are sent) or, when the
   * columns change, sends a snapshot of the new one. Returns the shape to store.
   */
  setViewport(
    host: FamilyHost,
    ws: WebSocket,
    view: string,
    format: WireFormat,
    shape: SubShape,
    viewport: Viewport,
    columns: string[] | null,
  ): SubShape {
    if (columns) host.checkShape(view, columns, []);
    const next: SubShape = { ...shape, viewport, columns: columns ?? shape.columns };
    const sameColumns = JSON.stringify(next.columns) === JSON.stringify(shape.columns);
    const s = this.adopt(host, ws, view, format, shape, false);
    if (!s) return next;
    const table = this.#tableOf(host, view, s.key);
    if (!sameColumns || table !== s.table || !shape.viewport) {
      this.#snapshot(ws, table, s.key, format, next, host.cycle);
      return next;
    }
    const keys = keysIn(table, viewport);
    const change = viewportChange(s.sent, keys, null);
    this.#send(ws, deltaFrames(table, change, host.cycle, format, wireShape(next, table.size)));
    s.sent = keys;
    s.size = table.size;
    return next;
  }

  /**
   * The socket's state; after a wake, the transient it needs is referenced again and (unless
   * `snapshot` is false) a fresh snapshot sent, so null is returned. Null for a closed socket.
   */
  adopt(
    host: FamilyHost,
    ws: WebSocket,
    view: string,
    format: WireFormat,
    shape: SubShape,
    snapshot = true,
  ): State | null {
    const s = this.#state.get(ws);
    if (s) return s;
    // A closed or closing socket (CLOSING = 2, CLOSED = 3) is not adopted (see #closed).
    if (this.#closed.has(ws) || ws.readyState >= 2) return null;
    let key: string | null;
    try {
      key = this.prepare(host, view, shape);
    } catch (e) {
      const err = errorResult(e);
      if (!err) throw e;
      // Cannot happen for a shape accepted before (same spec); report it and end the socket.
      ws.send(JSON.stringify({ type: "failure", cycle: host.cycle, ...failureBody(e) }));
      ws.close(1011, err.error);
      return null;
    }
    const table = this.#tableOf(host, view, key);
    if (!snapshot) {
      const state: State = { key, table, sent: RowSet.EMPTY, size: -1 };
      this.#state.set(ws, state);
      return state;
    }
    this.#snapshot(ws, table, key, format, shape, host.cycle);
    return null;
  }

  #tableOf(host: FamilyHost, view: string, key: string | null): Table {
    if (key === null) return host.view(view);
    const t = host.transients.table(host.family(), key);
    if (!t) throw new Error(`transient view ${key} is not held`);
    return t;
  }

  #snapshot(
    ws: WebSocket,
    table: Table,
    key: string | null,
    format: WireFormat,
    shape: SubShape,
    cycle: number,
  ): void {
    const keys = keysIn(table, shape.viewport);
    this.#send(
      ws,
      snapshotFrames(table, cycle, format, undefined, {
        ...wireShape(shape, table.size),
        keys,
      }),
    );
    this.#state.set(ws, { key, table, sent: keys, size: table.size });
  }

  #send(ws: WebSocket, frames: Frame[]): void {
    try {
      for (const f of frames) ws.send(f);
    } catch {
      // A socket closing under us is cleaned up by webSocketClose.
    }
  }
}

function wireShape(shape: SubShape, size: number): WireShape {
  const w: WireShape = {};
  if (shape.columns) w.columns = shape.columns;
  if (shape.viewport) {
    w.viewport = shape.viewport;
    w.size = size;
  }
  return w;
}

export function failureBody(e: unknown): { error: string; detail: string } {
  const err = errorResult(e);
  if (err) return { error: err.error, detail: err.detail };
  return { error: "failed", detail: e instanceof Error ? e.message : String(e) };
}
