/**
 * The internal protocol between a table family and its relays (relay.ts), on top of the public
 * subscribe frames. The family sends a relay the very frames a direct subscriber gets, each group
 * announced by one text header:
 *
 * `{"type":"relay","kind":K,"cycle":C,"frames":N[,"since":S]}` followed by N frames, where K is
 * - `snapshot`: the view at cycle C (the frames of a direct subscriber's snapshot);
 * - `resume`: the family resumes from S; it is at cycle C, and D `delta` groups of the missed
 *   cycles follow (`"since":S,"deltas":D`; N is 0), as a direct subscriber's resume;
 * - `delta`: the frames of cycle C (a delta, or a failure);
 * - `tick`: cycle C ran and left the view unchanged (N is 0).
 *
 * A relay asks for a fresh `snapshot` group by sending RELAY_SNAPSHOT_REQUEST on its socket; it
 * arrives in order with the deltas, at the cycle the family is at.
 */

/** What a relay header announces. */
export type RelayKind = "snapshot" | "resume" | "delta" | "tick";

/** A parsed relay header. */
export interface RelayHeader {
  kind: RelayKind;
  cycle: number;
  frames: number;
  /** `resume`: the cycle resumed from, and the number of `delta` groups that follow. */
  since?: number;
  deltas?: number;
}

/** The text a relay sends to ask for a snapshot group. */
export const RELAY_SNAPSHOT_REQUEST = '{"type":"relay-snapshot"}';

/** Encodes a relay header. */
export function relayHeader(
  kind: RelayKind,
  cycle: number,
  frames: number,
  since?: number,
  deltas?: number,
): string {
  const h: Record<string, unknown> = { type: "relay", kind, cycle, frames };
  if (since !== undefined) h.since = since;
  if (deltas !== undefined) h.deltas = deltas;
  return JSON.stringify(h);
}

const KINDS = new Set<string>(["snapshot", "resume", "delta", "tick"]);
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/** Parses a relay header; null when `text` is not one (the upstream broke the protocol). */
export function parseRelayHeader(text: string): RelayHeader | null {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return null;
  }
  const h = o as Record<string, unknown> | null;
  if (h === null || typeof h !== "object" || h.type !== "relay") return null;
  if (typeof h.kind !== "string" || !KINDS.has(h.kind)) return null;
  if (!isCount(h.cycle) || !isCount(h.frames)) return null;
  if (h.kind === "resume" && !(isCount(h.since) && isCount(h.deltas))) return null;
  const out: RelayHeader = { kind: h.kind as RelayKind, cycle: h.cycle, frames: h.frames };
  if (isCount(h.since)) out.since = h.since;
  if (isCount(h.deltas)) out.deltas = h.deltas;
  return out;
}
