/**
 * FrameReader: turns the frames of one subscribe socket into whole messages with decoded rows.
 * A JSON header may announce binary Arrow frames (`frames` for a snapshot part, `addedFrames` then
 * `modifiedFrames` for a delta) that must follow it; a snapshot may come in parts, the last with
 * `last: true`. Rows come out as KeyedRows (one vector per schema column, in key order), the input
 * of a mirror table. One reader per connection: a partial message dies with its socket.
 */

import { arrowToVecs, decodeIPC } from "../engine/arrow.ts";
import type {
  DeltaMessage,
  KeyedRows,
  Schema,
  SnapshotMessage,
  Viewport,
} from "../engine/index.ts";
import { RowSet } from "../engine/index.ts";
import { vecFromValues } from "../engine/new-table.ts";

/** A whole snapshot (all its parts). */
export interface SnapshotEvent {
  type: "snapshot";
  cycle: number;
  schema: Schema;
  attributes: SnapshotMessage["attributes"];
  parts: KeyedRows[];
  /** Viewport subscriptions: the whole view's size and the viewport the rows fill. */
  size?: number;
  viewport?: Viewport;
}

/** One cycle's change. Added and modified rows may come in several parts. */
export interface DeltaEvent {
  type: "delta";
  cycle: number;
  removed: RowSet;
  added: KeyedRows[];
  modified: KeyedRows[];
  modifiedColumns: string[];
  size?: number;
  viewport?: Viewport;
}

export type ReaderEvent =
  | SnapshotEvent
  | DeltaEvent
  | { type: "resume"; since: number; cycle: number }
  | { type: "failure"; cycle: number; error: string; detail: string }
  | { type: "error"; error: string; detail: string }
  | { type: "pong" };

/** A frame that breaks the protocol (the subscription reconnects from a fresh snapshot). */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

interface Awaiting {
  header: SnapshotMessage | DeltaMessage;
  need: number;
  frames: Uint8Array[];
}

export class FrameReader {
  /** Schema of the view: from the first snapshot, or carried over from an earlier connection. */
  #schema: Schema | null;
  #awaiting: Awaiting | null = null;
  #parts: { header: SnapshotMessage; rows: KeyedRows }[] = [];

  constructor(schema: Schema | null = null) {
    this.#schema = schema;
  }

  /** Feeds one frame; returns the message it completes, if any. */
  read(frame: string | Uint8Array): ReaderEvent | null {
    if (typeof frame !== "string") return this.#binary(frame);
    if (frame === "pong") return { type: "pong" };
    if (this.#awaiting) {
      throw new ProtocolError(
        `expected ${this.#awaiting.need - this.#awaiting.frames.length} more binary frame(s), got text`,
      );
    }
    let msg: { type?: unknown } & Record<string, unknown>;
    try {
      msg = JSON.parse(frame);
    } catch {
      throw new ProtocolError(`a text frame is not JSON: ${frame.slice(0, 80)}`);
    }
    switch (msg.type) {
      case "snapshot": {
        const m = msg as unknown as SnapshotMessage;
        if (m.part === 0) this.#parts = [];
        else if (this.#parts.length !== m.part)
          throw new ProtocolError(`snapshot part ${m.part} arrived after ${this.#parts.length}`);
        this.#schema = m.schema;
        if (m.rows) return this.#snapshotPart(m, this.#fromJson(m.rows, m.keys));
        return this.#await(m, m.frames ?? 0);
      }
      case "delta": {
        const m = msg as unknown as DeltaMessage;
        if (m.addedRows || m.modifiedRows) {
          return this.#delta(
            m,
            [this.#fromJson(m.addedRows ?? [], m.added)],
            [this.#fromJson(m.modifiedRows ?? [], m.modified)],
          );
        }
        return this.#await(m, (m.addedFrames ?? 0) + (m.modifiedFrames ?? 0));
      }
      case "resume":
        return { type: "resume", since: Number(msg.since), cycle: Number(msg.cycle) };
      case "failure":
        return {
          type: "failure",
          cycle: Number(msg.cycle),
          error: String(msg.error),
          detail: String(msg.detail),
        };
      case "error":
        return { type: "error", error: String(msg.error), detail: String(msg.detail) };
      default:
        // Unknown message types are ignored, so servers may add new ones.
        return null;
    }
  }

  #await(header: SnapshotMessage | DeltaMessage, need: number): ReaderEvent | null {
    this.#awaiting = { header, need, frames: [] };
    return need === 0 ? this.#complete() : null;
  }

  #binary(frame: Uint8Array): ReaderEvent | null {
    const a = this.#awaiting;
    if (!a) throw new ProtocolError("a binary frame arrived without a header announcing it");
    a.frames.push(frame);
    return a.frames.length === a.need ? this.#complete() : null;
  }

  #complete(): ReaderEvent | null {
    const { header, frames } = this.#awaiting!;
    this.#awaiting = null;
    if (header.type === "snapshot") {
      return this.#snapshotPart(header, this.#fromArrow(frames, header.keys)[0] ?? this.#empty());
    }
    const nAdded = header.addedFrames ?? 0;
    return this.#delta(
      header,
      this.#fromArrow(frames.slice(0, nAdded), header.added),
      this.#fromArrow(frames.slice(nAdded), header.modified),
    );
  }

  #snapshotPart(m: SnapshotMessage, rows: KeyedRows): ReaderEvent | null {
    this.#parts.push({ header: m, rows });
    if (!m.last) return null;
    const parts = this.#parts.map((p) => p.rows);
    this.#parts = [];
    const e: SnapshotEvent = {
      type: "snapshot",
      cycle: m.cycle,
      schema: m.schema,
      attributes: m.attributes,
      parts,
    };
    if (m.size !== undefined) e.size = m.size;
    if (m.viewport) e.viewport = m.viewport;
    return e;
  }

  #delta(m: DeltaMessage, added: KeyedRows[], modified: KeyedRows[]): DeltaEvent {
    const e: DeltaEvent = {
      type: "delta",
      cycle: m.cycle,
      removed: RowSet.fromKeys(m.removed),
      added,
      modified,
      modifiedColumns: m.modifiedColumns ?? [],
    };
    if (m.size !== undefined) e.size = m.size;
    if (m.viewport) e.viewport = m.viewport;
    return e;
  }

  #requireSchema(): Schema {
    if (!this.#schema) throw new ProtocolError("a delta arrived before any snapshot");
    return this.#schema;
  }

  #empty(): KeyedRows {
    const schema = this.#requireSchema();
    return {
      keys: RowSet.EMPTY,
      vecs: Object.entries(schema).map(([n, t]) => vecFromValues(t, [], n)),
    };
  }

  #fromJson(rows: readonly Record<string, unknown>[], keys: readonly number[]): KeyedRows {
    const schema = this.#requireSchema();
    if (rows.length !== keys.length)
      throw new ProtocolError(`${keys.length} keys but ${rows.length} rows`);
    const vecs = Object.entries(schema).map(([n, t]) =>
      vecFromValues(
        t,
        rows.map((r) => r[n]),
        n,
      ),
    );
    return { keys: RowSet.fromKeys(keys), vecs };
  }

  /** Decodes Arrow frames of rows whose keys are `keys`, in order, one KeyedRows per frame. */
  #fromArrow(frames: Uint8Array[], keys: readonly number[]): KeyedRows[] {
    const schema = this.#requireSchema();
    const out: KeyedRows[] = [];
    let at = 0;
    for (const f of frames) {
      const { vecs, length } = arrowToVecs(decodeIPC(f), schema);
      out.push({ keys: RowSet.fromKeys(keys.slice(at, at + length)), vecs });
      at += length;
    }
    if (at !== keys.length)
      throw new ProtocolError(`${keys.length} keys but ${at} rows in the Arrow frames`);
    return out;
  }
}
