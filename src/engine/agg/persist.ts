/**
 * Persistence of aggregations in the graph's state store (the Durable Object's SQLite), so a
 * restarted family resumes where it was.
 *
 * - Over a blink parent, which keeps no history, the aggregation saves its own state: after each
 *   cycle every group slot the cycle touched is saved as one JSON slot record (key, row count,
 *   each kernel's state; see AggregationCore.saveSlot). A restored aggregation rebuilds its groups
 *   from those records and does not read the parent's rows.
 * - Over other parents (ring, append-only history, writer), which restore their own rows, only
 *   the key of each new slot is saved. A restored aggregation first recreates its slots in order,
 *   then aggregates the parent's rows, so every group keeps its row key across restarts.
 */
import { RowSet } from "../row-set.ts";
import type { Table } from "../table.ts";
import type { AggregationCore } from "./aggregation-operator.ts";

const decoder = new TextDecoder();

/** What the caller still has to do at construction. */
export type Restore = "none" | "keys" | "state";

/**
 * Registers `table`'s aggregation with its graph's state store, if there is one. `"state"`: the
 * aggregation was restored and must not process the parent's current rows; `"keys"`: its slots
 * were recreated and the parent's rows must still be aggregated; `"none"`: nothing restored.
 */
export function persistAggregation(table: Table, core: AggregationCore): Restore {
  const store = table.graph?.store;
  if (!store || !table.isRefreshing) return "none";
  const full = core.mode === "blink";
  let savedKeys = 0;
  if (full) core.trackUnsaved();
  const h = store.register("aggregation", {
    table,
    // A blink aggregation's state can change without its output changing (a median's values).
    alwaysSave: full,
    save: (handle) => {
      if (full) {
        for (const slot of core.takeUnsaved()) handle.putSlot(slot, core.saveSlot(slot, true));
        return;
      }
      for (; savedKeys < core.index.size; savedKeys++) {
        handle.putSlot(savedKeys, core.saveSlot(savedKeys, false));
      }
    },
  });
  if (!h.restored) return "none";
  const present: number[] = [];
  for (const { slot, data } of h.slots()) {
    const json = typeof data === "string" ? data : decoder.decode(data);
    if (core.restoreSlot(slot, json)) present.push(slot);
  }
  savedKeys = core.index.size;
  if (!full) return "keys";
  table._setRowSet(RowSet.fromKeys(present));
  return "state";
}
