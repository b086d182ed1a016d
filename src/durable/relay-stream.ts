/**
 * RelayStream: what a relay object (relay.ts) knows of one upstream subscription: the family's
 * cycle, the deltas held for `since` resume (bounded as the family's own: 256 cycles, 8 MiB), and
 * the latest snapshot. It assembles the upstream's announced frame groups (relay-frames.ts) and
 * hands each complete group to the relay.
 */
import type { RelayHeader } from "./relay-frames.ts";
import { parseRelayHeader } from "./relay-frames.ts";

/** A frame as received from the upstream socket (text, or binary Arrow). */
export type RelayFrame = string | ArrayBuffer;

const HISTORY_CYCLES = 256;
const HISTORY_BYTES = 8 << 20;

const sizeOf = (f: RelayFrame) => (typeof f === "string" ? f.length : f.byteLength);

/** A complete group: its header and the frames it announced. */
export interface RelayGroup {
  header: RelayHeader;
  frames: RelayFrame[];
}

export class RelayStream {
  /** The family's cycle as last announced; null until the stream is in sync. */
  cycle: number | null = null;
  /** Every delta of cycles after `from` is held (when in sync). */
  from = 0;
  readonly entries: { cycle: number; frames: RelayFrame[]; bytes: number }[] = [];
  #bytes = 0;
  /** The latest snapshot group (serves new subscribers while `cycle` is still its cycle). */
  snapshot: { cycle: number; frames: RelayFrame[] } | null = null;
  /** While resuming: the cycle the family is at and the delta groups still to come. */
  resuming: { cycle: number; remaining: number } | null = null;
  #group: RelayGroup | null = null;

  /**
   * Takes one upstream message; returns the group it completes, or null. Throws when the
   * upstream breaks the protocol (a frame where a header is due).
   */
  take(data: RelayFrame): RelayGroup | null {
    if (this.#group === null) {
      const header = typeof data === "string" ? parseRelayHeader(data) : null;
      if (!header) throw new Error("the family sent a frame where a relay header was due");
      if (header.frames === 0) return { header, frames: [] };
      this.#group = { header, frames: [] };
      return null;
    }
    const g = this.#group;
    g.frames.push(data);
    if (g.frames.length < g.header.frames) return null;
    this.#group = null;
    return g;
  }

  /** Starts over from a snapshot at `cycle` (history before it is gone). */
  restart(cycle: number, frames: RelayFrame[]): void {
    this.cycle = cycle;
    this.from = cycle;
    this.entries.length = 0;
    this.#bytes = 0;
    this.snapshot = { cycle, frames };
    this.resuming = null;
  }

  /** Holds a cycle's delta frames for resume, dropping the oldest past the bounds. */
  hold(cycle: number, frames: RelayFrame[]): void {
    const bytes = frames.reduce((n, f) => n + sizeOf(f), 0);
    this.entries.push({ cycle, frames, bytes });
    this.#bytes += bytes;
    while (
      this.entries.length > HISTORY_CYCLES ||
      (this.#bytes > HISTORY_BYTES && this.entries.length > 1)
    ) {
      const dropped = this.entries.shift()!;
      this.#bytes -= dropped.bytes;
      this.from = dropped.cycle;
    }
  }

  /** True when every delta after `since` is held (and the stream is in sync). */
  canResume(since: number): boolean {
    return this.cycle !== null && since <= this.cycle && since >= this.from;
  }
}
