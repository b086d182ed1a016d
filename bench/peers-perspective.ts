/**
 * Perspective in the peers benchmark: a table (with `limit: 100000` for the ring) fed by
 * `table.update` (the Arrow bytes, or the JSON text with format "json"); a view grouped by Sym
 * (sum of Size, count) read with `to_columns()`.
 */
import perspective from "@finos/perspective";
import type { Batch, Scenario } from "./peers-data.ts";
import { RING_ROWS } from "./peers-data.ts";
import type { Aggregates, PeerEngine } from "./peers-engines.ts";

/** The parts of Perspective's node API used here (its bundled types describe the browser build). */
interface PspView {
  to_columns(): Promise<Record<string, unknown[]>>;
}
interface PspTable {
  update(data: ArrayBuffer | string, options?: { format: "json" }): Promise<void>;
  view(config: object): Promise<PspView>;
  size(): Promise<number>;
}
const psp = perspective as unknown as {
  table(schema: Record<string, string>, options: { limit?: number }): Promise<PspTable>;
};

export class PerspectiveEngine implements PeerEngine {
  decodeMs = 0;
  #table!: PspTable;
  #view: PspView | null = null;
  #s!: Scenario;

  async init(s: Scenario): Promise<void> {
    this.#s = s;
    this.#table = await psp.table(
      { Sym: "string", Price: "float", Size: "integer" },
      s.table === "ring" ? { limit: RING_ROWS } : {},
    );
    if (s.group) this.#view = await this.#groupView();
  }

  #groupView(): Promise<PspView> {
    return this.#table.view({
      group_by: ["Sym"],
      columns: ["Size", "Price"],
      aggregates: { Size: "sum", Price: "count" },
    });
  }

  async ingest(b: Batch): Promise<void> {
    if (this.#s.format === "arrow") {
      // Each batch's bytes are a whole ArrayBuffer (see peers-data.ts).
      await this.#table.update(b.arrow.buffer as ArrayBuffer);
    } else await this.#table.update(b.json, { format: "json" });
  }

  async read(): Promise<number> {
    const cols = (await this.#view!.to_columns()) as Record<string, number[]>;
    let x = 0;
    for (let i = 1; i < cols.Size!.length; i++) x += cols.Size![i]! + cols.Price![i]!;
    return x;
  }

  async flush(): Promise<void> {
    await this.#table.size();
  }

  async final(): Promise<Aggregates> {
    const view = this.#view ?? (await this.#groupView());
    const cols = (await view.to_columns()) as Record<string, unknown[]>;
    const paths = cols.__ROW_PATH__ as string[][];
    const out: Aggregates = new Map();
    for (let i = 0; i < paths.length; i++) {
      if (paths[i]!.length !== 1) continue;
      out.set(paths[i]![0]!, [cols.Size![i] as number, cols.Price![i] as number]);
    }
    return out;
  }
}
