/**
 * tickflare in the peers benchmark: tablePublisher + addArrow (or addJson),
 * ringTable(blink, 100000) or blinkToAppendOnly(blink), aggBy([sum, count], "Sym"), one
 * runCycle per batch; the result is read through its columns (`getNumber`: numbers, as the peers read theirs). BENCH_ARROW_READER=table feeds
 * Arrow through `add(fromArrowIPC(bytes))` (a static table per batch, the path before addArrow);
 * BENCH_ARROW_READER=apache-arrow decodes through apache-arrow's reader instead
 * (`add(fromArrow(decodeIPC(bytes)))`, the path before the direct reader), to compare them;
 * BENCH_JSON_READER=parse feeds JSON through
 * `addRows(JSON.parse(text))` instead of `addJson(text)` (the path before json-rows.ts).
 */

import { decodeIPC, fromArrow } from "../src/engine/arrow.ts";
import type { Table, TablePublisher } from "../src/engine/index.ts";
import {
  agg,
  blinkToAppendOnly,
  fromArrowIPC,
  ringTable,
  tablePublisher,
  UpdateGraph,
} from "../src/engine/index.ts";
import type { Batch, BenchData, Scenario } from "./peers-data.ts";
import { DISTINCT_BATCHES, RING_ROWS } from "./peers-data.ts";
import type { Aggregates, PeerEngine } from "./peers-engines.ts";

const OLD_READER = process.env.BENCH_ARROW_READER === "apache-arrow";
const TABLE_READER = process.env.BENCH_ARROW_READER === "table";
const OLD_JSON = process.env.BENCH_JSON_READER === "parse";

export class TickflareEngine implements PeerEngine {
  decodeMs = 0;
  #g!: UpdateGraph;
  #pub!: TablePublisher;
  #table!: Table;
  #result: Table | null = null;
  #s!: Scenario;

  async init(s: Scenario): Promise<void> {
    this.#s = s;
    this.#g = new UpdateGraph({ seed: 1 });
    const [blink, pub] = tablePublisher(this.#g, {
      name: "bench",
      columns: { Sym: "string", Price: "float64", Size: "int64" },
    });
    this.#pub = pub;
    this.#table = s.table === "ring" ? ringTable(blink, RING_ROWS) : blinkToAppendOnly(blink);
    if (s.group) this.#result = this.#table.aggBy([agg.sum("Total = Size"), agg.count("N")], "Sym");
  }

  async ingest(b: Batch): Promise<void> {
    const t0 = performance.now();
    if (this.#s.format === "arrow") {
      if (OLD_READER || TABLE_READER) {
        const t = OLD_READER ? fromArrow(decodeIPC(b.arrow)) : fromArrowIPC(b.arrow);
        this.decodeMs += performance.now() - t0;
        this.#pub.add(t);
      } else {
        this.#pub.addArrow(b.arrow);
        this.decodeMs += performance.now() - t0;
      }
    } else {
      if (OLD_JSON) this.#pub.addRows(JSON.parse(b.json) as Record<string, unknown>[]);
      else this.#pub.addJson(b.json);
      this.decodeMs += performance.now() - t0;
    }
    await this.#g.runCycle();
  }

  /**
   * One step of a timed loop, as the peers bench's child takes it: batch `i` of `data` (its
   * distinct batches in turn), then, with a group-by, the result read.
   */
  async step(data: BenchData, i: number): Promise<void> {
    await this.ingest(data.batches[i % DISTINCT_BATCHES]!);
    if (this.#s.group) await this.read();
  }

  /** The group-by result's sums and counts read as numbers (as every peer reads them). */
  async read(): Promise<number> {
    const r = this.#result!;
    const total = r.column("Total");
    const n = r.column("N");
    let x = 0;
    r.rowSet.forEach((k) => {
      x += total.getNumber(k)! + n.getNumber(k)!;
    });
    return x;
  }

  async flush(): Promise<void> {}

  async final(): Promise<Aggregates> {
    const out: Aggregates = new Map();
    if (this.#result !== null) {
      const r = this.#result;
      const sym = r.column("Sym");
      const total = r.column("Total");
      const n = r.column("N");
      r.rowSet.forEach((k) => {
        if (Number(n.get(k)) > 0)
          out.set(sym.get(k) as string, [Number(total.get(k)), Number(n.get(k))]);
      });
      return out;
    }
    const t = this.#table;
    const sym = t.column("Sym");
    const size = t.column("Size");
    t.rowSet.forEach((k) => {
      const s = sym.get(k) as string;
      const a = out.get(s) ?? [0, 0];
      a[0] += Number(size.get(k));
      a[1] += 1;
      out.set(s, a);
    });
    return out;
  }
}
