/**
 * A manual CycleTracker for column tests: `end()` ends the cycle (every participant marked dirty
 * in it drops its previous values) and starts the next.
 */
import type { CycleParticipant, CycleTracker } from "../../src/engine/column.ts";

export class Tracker implements CycleTracker {
  cycle = 1;
  dirty: CycleParticipant[] = [];
  markDirty(c: CycleParticipant) {
    this.dirty.push(c);
  }
  end() {
    for (const c of this.dirty) c.endCycle();
    this.dirty = [];
    this.cycle++;
  }
}
