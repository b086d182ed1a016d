/**
 * InWindowSource: the bool column of a time window, computed from the timestamp column on read
 * (no storage): null where the timestamp is null, else `ts >= threshold`, where the threshold is
 * `now - window` as of the current cycle. Previous reads compare the previous timestamp with the
 * previous cycle's threshold, so a row that aged out reads true before and false now.
 */
import type { ChunkKeys, CycleParticipant, CycleTracker, Vec } from "../column-source.ts";
import { Chunk, type ColumnSource, filledChunk } from "../column-source.ts";
import type { RawValue, Value } from "../types.ts";
import { checkNumberType } from "../types.ts";

export class InWindowSource implements ColumnSource, CycleParticipant {
  readonly type = "bool" as const;
  readonly heapBytes = 0;
  readonly #ts: ColumnSource;
  #threshold: bigint;
  #prevThreshold: bigint;
  #tracker: CycleTracker | null = null;
  readonly #scratch: Chunk;

  constructor(ts: ColumnSource, threshold: bigint) {
    this.#ts = ts;
    this.#threshold = threshold;
    this.#prevThreshold = threshold;
    this.#scratch = new Chunk(ts.type);
  }

  /** The threshold of this cycle (the previous one stays readable until the cycle ends). */
  setThreshold(t: bigint): void {
    if (t === this.#threshold) return;
    this.#prevThreshold = this.#threshold;
    this.#threshold = t;
    this.#tracker?.markDirty(this);
  }

  endCycle(): void {
    this.#prevThreshold = this.#threshold;
  }

  setTracker(tracker: CycleTracker | null): void {
    this.#tracker = tracker;
  }

  getRaw(key: number, prev = false): RawValue {
    const ts = this.#ts.getRaw(key, prev) as bigint | null;
    if (ts === null) return null;
    return ts >= (prev ? this.#prevThreshold : this.#threshold) ? 1 : 0;
  }

  get(key: number, prev = false): Value {
    const r = this.getRaw(key, prev);
    return r === null ? null : r === 1;
  }

  getPrev(key: number): Value {
    return this.get(key, true);
  }

  getNumber(): number | null {
    checkNumberType(this.type);
    return null;
  }

  getChunk(rows: ChunkKeys, prev = false, chunk?: Chunk): Vec {
    return filledChunk(this, rows, prev, chunk);
  }

  fillChunk(rows: ChunkKeys, dest: Chunk, at: number, prev = false): void {
    const v = this.#ts.getChunk(rows, prev, this.#scratch);
    const data = v.data as BigInt64Array;
    const valid = v.valid;
    const out = dest.data as Uint8Array;
    const t = prev ? this.#prevThreshold : this.#threshold;
    for (let i = 0; i < v.length; i++) {
      if (valid !== null && valid[i] === 0) {
        out[at + i] = 0;
        dest.setNull(at + i);
      } else {
        out[at + i] = data[i]! >= t ? 1 : 0;
        dest.setValid(at + i);
      }
    }
  }
}
