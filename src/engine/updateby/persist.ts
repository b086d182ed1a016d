/**
 * Persistence of updateBy in the graph's state store (the Durable Object's SQLite), so a
 * restarted family resumes where it was.
 *
 * - Over a blink parent, which keeps no history, every op carries state across cycles (running
 *   sums, EMAs, the rows of each group's window). After each cycle every group slot the cycle
 *   touched is saved as one JSON slot record: the group's key and each kernel's state
 *   (state-codec.ts: doubles, int64 bigints, -0, NaN and window rows exactly). A restored
 *   updateBy recreates its groups in slot order from those records and does not read the parent.
 * - Over any other parent nothing is saved: the parent restores its own rows (an append-only
 *   history, a ring, a table with removals) and updateBy is computed from them again at
 *   construction, which gives the same outputs (they depend on the parent's rows alone).
 */
import type { Table } from "../table-core.ts";

const decoder = new TextDecoder();

/** What an updateBy's state offers for persistence (update-by.ts). */
export interface SlotState {
  /** Starts recording slot keys and the slots each cycle changes. */
  trackUnsaved(): void;
  /** Slots whose state changed since the last call. */
  takeUnsaved(): number[];
  /** One slot's key and kernel states, as JSON. */
  saveSlot(slot: number): string;
  /** Recreates slot `slot` (the next one) from `saveSlot`'s JSON. */
  restoreSlot(slot: number, json: string): void;
}

/**
 * Registers a blink parent's updateBy with its graph's state store, if there is one. Returns
 * true when its state was restored (the caller must not process the parent's current rows).
 */
export function persistUpdateBy(result: Table, parent: Table, state: SlotState): boolean {
  const store = parent.graph?.store;
  if (!store || !parent.isBlink) return false;
  state.trackUnsaved();
  const h = store.register("updateBy", {
    table: result,
    alwaysSave: true,
    save: (handle) => {
      for (const slot of state.takeUnsaved()) handle.putSlot(slot, state.saveSlot(slot));
    },
  });
  if (!h.restored) return false;
  for (const { slot, data } of h.slots())
    state.restoreSlot(slot, typeof data === "string" ? data : decoder.decode(data));
  return true;
}
