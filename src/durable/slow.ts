/**
 * Slow subscribers (docs/architecture.md, "Fan-out: relays"): a socket with more than
 * SLOW_SUBSCRIBER_BYTES queued and not yet written to the network (`bufferedAmount`, which workerd
 * exposes) when a cycle's frames are due is closed with SLOW_SUBSCRIBER_CODE instead of being sent
 * more, so one subscriber that stopped reading neither delays the others nor grows the object's
 * memory past the limit plus one cycle. It resumes with `since`.
 */

/** Unsent bytes past which a subscriber is closed. */
export const SLOW_SUBSCRIBER_BYTES = 4 << 20;
/** Close code for a slow subscriber. */
export const SLOW_SUBSCRIBER_CODE = 4429;
/** Close reason for a slow subscriber. */
export const SLOW_SUBSCRIBER_REASON = `slow subscriber: more than ${SLOW_SUBSCRIBER_BYTES} bytes unsent; resume with since`;

/**
 * Closes `ws` when it has more than SLOW_SUBSCRIBER_BYTES unsent; true when it did (send it
 * nothing more). A runtime without `bufferedAmount` never closes anyone.
 */
export function closedAsSlow(ws: WebSocket): boolean {
  const buffered = (ws as { bufferedAmount?: unknown }).bufferedAmount;
  if (typeof buffered !== "number" || buffered <= SLOW_SUBSCRIBER_BYTES) return false;
  try {
    ws.close(SLOW_SUBSCRIBER_CODE, SLOW_SUBSCRIBER_REASON);
  } catch {
    // already closing
  }
  return true;
}
