/**
 * ViewportSource: the GridSource of a viewport subscription (docs/protocol.md, "Viewports"). The
 * client's table holds only the rows at the viewport's positions, in view order; `size` is the
 * whole view's. When the grid shows other positions (`setRange`), the viewport moves to them plus
 * MARGIN rows above and below, so scrolling a little needs no round trip and a 10M-row view costs
 * what a 300-row one does. Until a move is answered the rows still loaded stay readable at their
 * positions and the others read as not loaded (the grid shows "…").
 *
 * The rows' positions come from the viewport the server last answered (`#applied`), not the one
 * asked for last: `setViewport` resolves once the answer is applied. One move is in flight at a
 * time; moves asked meanwhile are merged into the last of them, sent when the answer arrives, so
 * a fast scroll or a drag of the scrollbar never queues requests on the server and the rows of
 * where the reader stops arrive one round trip after the move in flight.
 */
import type { Subscription } from "../client/index.ts";
import type { ColumnType, Value } from "../engine/index.ts";
import type { GridSource } from "./grid-source.ts";

/** Rows loaded above and below the visible ones. */
export const MARGIN = 100;
/** A move unanswered this long no longer holds back the next (the client settles both). */
const STALE_MS = 5000;

/** A range of positions, both ends included. */
interface Range {
  first: number;
  last: number;
}

/** The viewport to open for `visible` rows: at the end of `size` rows (`atEnd`), else the start. */
export function initialViewport(size: number, visible: number, atEnd: boolean): Range {
  if (!atEnd) return { first: 0, last: visible + 2 * MARGIN - 1 };
  return { first: Math.max(0, size - visible - MARGIN), last: size + MARGIN - 1 };
}

export class ViewportSource implements GridSource {
  readonly #sub: Subscription;
  readonly columns: Readonly<Record<string, ColumnType>>;
  readonly isBlink: boolean;
  readonly keyColumn: "key" | "position";
  /** The viewport the client's table holds. */
  #applied: Range;
  /** The viewport asked for last (in flight, or waiting to be sent). */
  #asked: Range;
  #inFlight = false;
  #sentAt = 0;
  /** Numbers the moves sent; the answer to an older move never replaces a newer one's rows. */
  #sent = 0;
  #answered = 0;
  /** The move to send when the one in flight is answered. */
  #next: Range | null = null;
  /** Called when a moved viewport's rows have arrived (the grid re-renders). */
  onLoad: () => void = () => {};

  /**
   * `sub` was opened with a viewport; `columns` are the whole view's (the subscription may send
   * fewer); `isBlink` tells the grid not to highlight new rows.
   */
  constructor(
    sub: Subscription,
    columns: Readonly<Record<string, ColumnType>>,
    opts: { isBlink: boolean; keyColumn: "key" | "position" },
  ) {
    const vp = sub.viewport;
    if (!vp) throw new TypeError("ViewportSource needs a subscription opened with a viewport");
    this.#sub = sub;
    this.columns = columns;
    this.isBlink = opts.isBlink;
    this.keyColumn = opts.keyColumn;
    this.#applied = vp;
    this.#asked = vp;
  }

  get size(): number {
    return this.#sub.table.isFailed ? 0 : this.#sub.size;
  }

  /** Rows the client holds (the viewport's, at most its length). */
  get loaded(): number {
    return this.#sub.table.size;
  }

  keyAt(pos: number): number | null {
    const t = this.#sub.table;
    const i = pos - this.#applied.first;
    if (i < 0 || pos > this.#applied.last || i >= t.size || pos >= this.size) return null;
    return t.rowSet.get(i);
  }

  valueAt(pos: number, column: string): Value | undefined {
    const key = this.keyAt(pos);
    const t = this.#sub.table;
    if (key === null || t.columns[column] === undefined) return undefined;
    return t.getValue(column, key);
  }

  /**
   * The grid shows `first..last`: moves the viewport when they are not loaded with at least a
   * quarter of the margin beyond them (none needed above position 0).
   */
  setRange(first: number, last: number): void {
    const a = this.#asked;
    const slack = MARGIN / 4;
    const topOk = a.first === 0 || first >= a.first + slack;
    if (topOk && last + slack <= a.last) return;
    const vp = { first: Math.max(0, first - MARGIN), last: last + MARGIN };
    this.#asked = vp;
    if (this.#inFlight && performance.now() - this.#sentAt < STALE_MS) this.#next = vp;
    else this.#send(vp);
  }

  #send(vp: Range): void {
    const n = ++this.#sent;
    this.#inFlight = true;
    this.#sentAt = performance.now();
    this.#sub
      .setViewport(vp.first, vp.last)
      .then(
        () => {
          if (n < this.#answered) return;
          this.#answered = n;
          this.#applied = vp;
          this.onLoad();
        },
        // A refused move is reported through the subscription's onError; the old rows stay.
        () => {},
      )
      .finally(() => {
        // A stale move sent past (STALE_MS) is still in flight until the newest is answered.
        if (n !== this.#sent) return;
        this.#inFlight = false;
        const next = this.#next;
        this.#next = null;
        if (next) this.#send(next);
      });
  }
}
