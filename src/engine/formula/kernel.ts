/**
 * The contract between compiled formula nodes: a kernel computes one node for a whole batch of
 * `n` rows at once and returns an internal vector (see `ivec.ts`).
 */
import type { Vec } from "../column.ts";
import type { IV } from "./ivec.ts";

/** What a formula may ask of the update graph while it evaluates a batch. */
export interface EvalContext {
  /** Position (0-based row index in the table) of the first row of this batch, for `i`/`ii`. */
  position: number;
  /** Uniform random in [0, 1), seeded by the update graph. */
  random: () => number;
  /** Current time, epoch nanoseconds (for `now()`). */
  nowNanos: () => bigint;
}

/** Per-batch state shared by the kernels of one formula. */
export interface Env {
  readonly inputs: readonly Vec[];
  /** Input columns converted to internal vectors, filled on first use within the batch. */
  readonly cols: (IV | undefined)[];
  readonly ctx: EvalContext;
}

/** Computes one formula node over rows `[0, n)` of a batch. */
export type Kernel = (n: number, env: Env) => IV;
