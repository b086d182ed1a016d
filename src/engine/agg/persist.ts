/**
 * Persistence of aggregations in the graph's state store (the Durable Object's SQLite), so a
 * restarted family resumes where it was.
 *
 * - Over a blink parent, which keeps no history, the aggregation saves its own state: after each
 *   cycle every group slot the cycle touched is saved as one JSON slot record (key, row count,
 *   each kernel's state; see AggregationCore.saveSlot). A restored aggregation rebuilds its groups
 *   from those records and does not read the parent's rows.
 * - Over add-only parents (append-only history, writers) the same, when every kernel keeps a
 *   small state, so a restart does not read the whole history back. agg.group (whose state is the
 *   growing array itself), median and countDistinct (state grows with distinct values) are
 *   re-aggregated from the restored history instead.
 * - Over other parents (rings, tables with removals), which restore their own rows, only the key
 *   of each new slot is saved. A restored aggregation first recreates its slots in order, then
 *   aggregates the parent's rows, so every group keeps its row key across restarts.
 */
import { RowSet } from "../row-set.ts";
import type { Table } from "../table-core.ts";
import { nodeOf } from "../table-core.ts";
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
  // Blink parents keep no history, and add-only parents (append-only history, writers) would have
  // to be read back in full: both save the aggregation's own state, when every kernel can. Other
  // parents (rings, tables with removals) hold their rows in memory anyway and are re-aggregated.
  const full =
    core.mode === "blink" ||
    (core.mode === "addOnly" &&
      core.kernels.every((k) => k.saveSlot !== undefined && !k.stateGrows));
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
  nodeOf(table).setRowSet(RowSet.fromKeys(present));
  return "state";
}
