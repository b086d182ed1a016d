/**
 * Slow subscribers (docs/architecture.md, "Fan-out: relays"). Before a cycle's delta goes to a
 * socket, its `bufferedAmount` (bytes queued and not yet written to the network; workerd exposes
 * it) is compared with what it may hold: SLOW_SUBSCRIBER_BYTES, plus the previous cycle's delta
 * (so one large cycle does not cut off readers that keep up), plus what was still unsent right
 * after its snapshot or resume (so a large snapshot does not either; forgotten once the socket's
 * queue drops below the limit). A socket over it is closed with SLOW_SUBSCRIBER_CODE and sent
 * nothing more: one subscriber that stopped reading neither delays the others nor grows the
 * object's memory without bound. It resumes with `since`.
 */

/** Unsent bytes past which a subscriber is closed (on top of the allowances above). */
export const SLOW_SUBSCRIBER_BYTES = 4 << 20;
/** Close code for a slow subscriber. */
export const SLOW_SUBSCRIBER_CODE = 4429;
/** Close reason for a slow subscriber. */
export const SLOW_SUBSCRIBER_REASON = `slow subscriber: more than ${SLOW_SUBSCRIBER_BYTES} bytes unsent; resume with since`;

/** A socket's unsent bytes, or null when the runtime does not tell (then nobody is closed). */
function buffered(ws: WebSocket): number | null {
  const b = (ws as { bufferedAmount?: unknown }).bufferedAmount;
  return typeof b === "number" ? b : null;
}

export class SlowGuard {
  /** Unsent bytes right after a socket's snapshot or resume (in memory; 0 after a wake). */
  readonly #started = new WeakMap<WebSocket, number>();

  /** Call after sending a socket its snapshot or resume. */
  started(ws: WebSocket): void {
    const b = buffered(ws);
    if (b !== null && b > SLOW_SUBSCRIBER_BYTES) this.#started.set(ws, b);
  }

  /**
   * Closes `ws` when it holds more unsent than it may (see the module comment), `previous` being
   * the bytes of the previous cycle's delta; true when it did (send it nothing more).
   */
  closedAsSlow(ws: WebSocket, previous: number): boolean {
    const b = buffered(ws);
    if (b === null) return false;
    let start = this.#started.get(ws) ?? 0;
    if (start > 0 && b <= SLOW_SUBSCRIBER_BYTES) {
      this.#started.delete(ws);
      start = 0;
    }
    if (b <= SLOW_SUBSCRIBER_BYTES + previous + start) return false;
    try {
      ws.close(SLOW_SUBSCRIBER_CODE, SLOW_SUBSCRIBER_REASON);
    } catch {
      // already closing
    }
    return true;
  }
}
