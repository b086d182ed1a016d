/**
 * UpdateGraph: the clock of a family of tables. Sources buffer what they receive; nothing becomes
 * visible until `runCycle()`, which (1) runs every source's `onFlush` callback, (2) lets every
 * node, in creation order (a topological order, since a table is created after its parents),
 * turn its inputs into one TableUpdate, (3) notifies listeners, then (4) drops the previous
 * values kept for the cycle. A node that throws fails its table and every table downstream.
 */
import type { CycleParticipant, CycleTracker } from "./column-source.ts";
import type { StateStore } from "./persist/state-store.ts";
import { seededRandom } from "./random.ts";

/** A participant in the cycle: a source or a derived table's operator. */
export interface GraphNode {
  /** Phase 1, sources only: run user `onFlush` callbacks. */
  preFlush?(): void;
  /** Phase 2: compute this cycle's update (sources flush their buffers). */
  process(): void;
  /** Phase 3: notify listeners of the node's table. */
  notify(): void;
  /** Phase 4: after listeners; e.g. run `onShutdown` once. */
  postCycle?(): void;
  /**
   * For nodes whose table changes with the clock alone (a time window): the earliest clock
   * reading (epoch ms) at which a cycle would change it, or null while none would.
   */
  nextChangeMs?(): number | null;
}

export interface UpdateGraphOptions {
  /** Epoch milliseconds; defaults to `Date.now`. */
  clock?: () => number;
  /** Seed of `random*()` formula functions; defaults to a random seed. */
  seed?: number;
  /** Where stateful operators persist (the Durable Object host passes its SQLite store). */
  store?: StateStore;
  /** Number of the last completed cycle, when resuming from storage. */
  initialCycle?: number;
  /** Clock reading of the last completed cycle, when resuming (default: the clock now). */
  initialCycleTimeMs?: number;
}

export class UpdateGraph implements CycleTracker {
  #cycle = 0;
  #nodes: GraphNode[] = [];
  /** `#nodes` as a cycle runs them (a copy, so nodes added during a cycle wait for the next). */
  #order: GraphNode[] | null = null;
  /** Participants to end the cycle for: `#dirty[0..#dirtyCount)` (the array is reused). */
  #dirty: (CycleParticipant | null)[] = [];
  #dirtyCount = 0;
  #running = false;
  /** The node computing its update now (nodes it creates go right after it), and how many it made. */
  #current: GraphNode | null = null;
  #made = 0;
  readonly #clock: () => number;
  readonly random: () => number;
  readonly store: StateStore | null;
  #cycleTimeMs: number;

  constructor(options: UpdateGraphOptions = {}) {
    this.#clock = options.clock ?? (() => Date.now());
    this.random = seededRandom(options.seed ?? Math.floor(Math.random() * 0x7fffffff));
    this.#cycleTimeMs = options.initialCycleTimeMs ?? this.#clock();
    this.store = options.store ?? null;
    this.#cycle = options.initialCycle ?? 0;
  }

  /** Number of the cycle running now, or of the last one completed. */
  get cycle(): number {
    return this.#cycle;
  }

  /** The clock, in epoch milliseconds. */
  nowMs(): number {
    return this.#clock();
  }

  /** The clock reading taken at the start of the current (or last) cycle. */
  get cycleTimeMs(): number {
    return this.#cycleTimeMs;
  }

  /** Epoch nanoseconds of the current cycle's clock reading. */
  nowNanos(): bigint {
    const ms = this.#cycleTimeMs;
    const whole = Math.floor(ms);
    return BigInt(whole) * 1000000n + BigInt(Math.round((ms - whole) * 1e6));
  }

  /**
   * The earliest clock reading (epoch ms) at which a cycle would change some table even with no
   * new input (a row ageing out of a time window), or null. A host that runs cycles only when
   * something happens (the Durable Object host) schedules one for then.
   */
  nextChangeMs(): number | null {
    let min: number | null = null;
    for (const n of this.#nodes) {
      const t = n.nextChangeMs?.() ?? null;
      if (t !== null && (min === null || t < min)) min = t;
    }
    return min;
  }

  /**
   * @internal Nodes run in the order they were added. A node added while another computes its
   * update (a partitioned table's new constituent, and what a transform builds over it) goes
   * right after that node, so it runs before every node made after its creator: a merge of a
   * transformed partitioned table stays after the constituents it reads.
   */
  addNode(node: GraphNode): void {
    const at = this.#current === null ? -1 : this.#nodes.indexOf(this.#current);
    if (at >= 0) this.#nodes.splice(at + 1 + this.#made++, 0, node);
    else this.#nodes.push(node);
    this.#order = null;
  }

  /** @internal */
  removeNode(node: GraphNode): void {
    const i = this.#nodes.indexOf(node);
    if (i >= 0) this.#nodes.splice(i, 1);
    this.#order = null;
  }

  /** @internal CycleTracker */
  markDirty(participant: CycleParticipant): void {
    this.#dirty[this.#dirtyCount++] = participant;
  }

  /** Runs one cycle synchronously (the Durable Object host runs it inside one transaction). */
  runCycleSync(): void {
    if (this.#running) throw new Error("runCycle called while a cycle is running");
    this.#running = true;
    this.#cycle++;
    this.#cycleTimeMs = this.#clock();
    try {
      this.#order ??= this.#nodes.slice();
      // Indexed loops: a for-of makes an iterator (and a result a step) until the function is
      // optimised, which in a fresh process takes hundreds of cycles.
      const nodes = this.#order;
      const count = nodes.length;
      for (let i = 0; i < count; i++) nodes[i]!.preFlush?.();
      for (let i = 0; i < count; i++) {
        const n = nodes[i]!;
        this.#current = n;
        this.#made = 0;
        n.process();
      }
      this.#current = null;
      for (let i = 0; i < count; i++) nodes[i]!.notify();
      for (let i = 0; i < count; i++) nodes[i]!.postCycle?.();
      this.store?.afterCycle(this.#cycle);
    } finally {
      this.#current = null;
      const dirty = this.#dirty;
      const n = this.#dirtyCount;
      for (let i = 0; i < n; i++) {
        const c = dirty[i]!;
        dirty[i] = null;
        c.endCycle();
      }
      // (Participants marked while these end are not ended: none does.)
      for (let i = n; i < this.#dirtyCount; i++) dirty[i] = null;
      this.#dirtyCount = 0;
      this.#running = false;
    }
  }

  /** Runs one cycle: sources flush, updates propagate, listeners run. */
  runCycle(): Promise<void> {
    try {
      this.runCycleSync();
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  }
}
