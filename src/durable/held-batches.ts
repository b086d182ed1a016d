/**
 * HeldBatches: the batches a family has stored but not applied yet, kept in memory from the
 * publish that stored them to the cycle that applies them. The cycle then neither reads a batch
 * back from SQLite (for a body of a few hundred kilobytes, a walk of its overflow pages and a
 * copy into a new buffer) nor frames, reads and checks its Arrow IPC bytes again: a body stored
 * as received keeps the structure its publish read and validated, and decodes from that.
 *
 * Storage stays the truth: a batch is held only once its transaction succeeded, holds exactly
 * the bytes stored, and anything not held (after a wake, after the host forgot its tables, or
 * past the byte budget) is read from storage as before.
 */
import type { Utf8Mode } from "../engine/arrow/utf8.ts";
import type { Vec } from "../engine/column.ts";

/** One stored part of a batch, decodable without storage. */
export interface HeldPart {
  rows: number;
  /**
   * The part's columns, as decoding its stored bytes with the source's schema gives them
   * (`utf8`: which string columns come as their UTF-8, as for `arrowIPCToVecs`).
   */
  decode(utf8: Utf8Mode): { vecs: Vec[]; length: number };
}

/** A stored batch: its source, what it does, and its parts in order. */
export interface HeldBatch {
  source: string;
  op: "add" | "delete";
  parts: readonly HeldPart[];
  /** Memory the parts keep alive (the buffers their bytes are in). */
  bytes: number;
}

/** Bytes held at most; batches past it are read from storage by their cycle. */
export const MAX_HELD_BYTES = 32 << 20;

export class HeldBatches {
  /** By batch sequence number, in the order they were stored (ascending). */
  readonly #batches = new Map<number, HeldBatch>();
  readonly #limit: number;
  #bytes = 0;

  constructor(limit = MAX_HELD_BYTES) {
    this.#limit = limit;
  }

  /** Holds stored batch `seq` unless that would pass the byte budget. */
  hold(seq: number, batch: HeldBatch): void {
    if (this.#bytes + batch.bytes > this.#limit || this.#batches.has(seq)) return;
    this.#batches.set(seq, batch);
    this.#bytes += batch.bytes;
  }

  /** Batch `seq`, if held. */
  get(seq: number): HeldBatch | undefined {
    return this.#batches.get(seq);
  }

  /** Forgets every batch up to `seq` (a cycle applied them, or set them aside). */
  release(seq: number): void {
    for (const [s, b] of this.#batches) {
      if (s > seq) break;
      this.#batches.delete(s);
      this.#bytes -= b.bytes;
    }
  }

  /** Forgets every batch. */
  clear(): void {
    this.#batches.clear();
    this.#bytes = 0;
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }
}
