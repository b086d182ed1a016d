/**
 * Persistence of updateBy in the graph's state store (the Durable Object's SQLite), so a
 * restarted family resumes where it was.
 *
 * - Over a blink parent, which keeps no history, every op carries state across cycles (running
 *   sums, EMAs, the rows of each group's window). After each cycle every group slot the cycle
 *   touched is saved as one JSON slot record: the group's key and each kernel's state
 *   (state-codec.ts: doubles, int64 bigints, -0, NaN and window rows exactly). A restored
 *   updateBy recreates its groups in slot order from those records and does not read the parent.
 *   A record holds the group's whole window, so a long one is stored in parts (store slot
 *   `slot * PARTS + part`, each at most PART_CHARS characters, well under the platform's 2 MB
 *   per value in UTF-8), reassembled in order on restore.
 * - Over any other parent nothing is saved: the parent restores its own rows (an append-only
 *   history, a ring, a table with removals) and updateBy is computed from them again at
 *   construction, which gives the same outputs (they depend on the parent's rows alone).
 */
import type { Table } from "../table-core.ts";

const decoder = new TextDecoder();

/** Store slots per group slot (parts of one record). */
const PARTS = 1024;
/** Characters per part: at most 3 UTF-8 bytes each, so under MAX_BLOB_BYTES. */
const PART_CHARS = 250_000;

/** `json` cut into parts of at most PART_CHARS characters, never inside a surrogate pair. */
export function splitRecord(json: string, size = PART_CHARS): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < json.length) {
    let end = Math.min(json.length, at + size);
    const c = json.charCodeAt(end - 1);
    if (end < json.length && c >= 0xd800 && c <= 0xdbff) end--;
    out.push(json.slice(at, end));
    at = end;
  }
  return out.length === 0 ? [""] : out;
}

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
  /** Parts stored per group slot (to delete the ones a shorter record no longer uses). */
  const stored: number[] = [];
  const h = store.register("updateBy", {
    table: result,
    alwaysSave: true,
    save: (handle) => {
      for (const slot of state.takeUnsaved()) {
        const parts = splitRecord(state.saveSlot(slot));
        parts.forEach((part, i) => {
          handle.putSlot(slot * PARTS + i, part);
        });
        for (let i = parts.length; i < (stored[slot] ?? 0); i++)
          handle.deleteSlot(slot * PARTS + i);
        stored[slot] = parts.length;
      }
    },
  });
  if (!h.restored) return false;
  let slot = -1;
  let json = "";
  const flush = () => {
    if (slot >= 0) state.restoreSlot(slot, json);
  };
  for (const { slot: id, data } of h.slots()) {
    const s = Math.floor(id / PARTS);
    const part = typeof data === "string" ? data : decoder.decode(data);
    if (s !== slot) {
      flush();
      slot = s;
      json = "";
    }
    json += part;
    stored[s] = (stored[s] ?? 0) + 1;
  }
  flush();
  return true;
}
