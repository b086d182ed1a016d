/**
 * TanStack db-ivm in the peers benchmark: a D2 graph (input -> groupBy(sum, count) -> output, or
 * input -> output); Arrow decoded by apache-arrow, JSON by JSON.parse; the ring retracts the
 * batch that fell out; the materialized result is a Map maintained from the output diffs.
 */
import type { RootStreamBuilder } from "@tanstack/db-ivm";
import { D2, groupBy, groupByOperators, MultiSet, output } from "@tanstack/db-ivm";
import { tableFromIPC } from "apache-arrow";
import type { Batch, Scenario } from "./peers-data.ts";
import { RING_ROWS } from "./peers-data.ts";
import type { Aggregates, PeerEngine } from "./peers-engines.ts";

interface Row {
  Sym: string;
  Price: number;
  Size: number;
}
interface GroupOut {
  Sym: string;
  Total: number;
  N: number;
}

export class IvmEngine implements PeerEngine {
  decodeMs = 0;
  #graph!: D2;
  #input!: RootStreamBuilder<Row>;
  #s!: Scenario;
  /** Batches in the ring, oldest first (retracted when they fall out). */
  #held: Row[][] = [];
  readonly #groups = new Map<string, GroupOut>();
  readonly #rows = new Map<Row, number>();

  async init(s: Scenario): Promise<void> {
    this.#s = s;
    this.#graph = new D2();
    this.#input = this.#graph.newInput<Row>();
    if (s.group) {
      this.#input.pipe(
        groupBy((r: Row) => ({ Sym: r.Sym }), {
          Total: groupByOperators.sum((r: Row) => r.Size),
          N: groupByOperators.count((r: Row) => r.Sym),
        }),
        output((msg) => {
          const diffs = msg.getInner() as [[string, GroupOut], number][];
          for (const [[key, v], m] of diffs)
            if (m < 0 && this.#groups.get(key) === v) this.#groups.delete(key);
          for (const [[key, v], m] of diffs) if (m > 0) this.#groups.set(key, v);
        }),
      );
    } else {
      this.#input.pipe(
        output((msg) => {
          for (const [row, m] of msg.getInner() as [Row, number][]) {
            const left = (this.#rows.get(row) ?? 0) + m;
            if (left === 0) this.#rows.delete(row);
            else this.#rows.set(row, left);
          }
        }),
      );
    }
    this.#graph.finalize();
  }

  async ingest(b: Batch): Promise<void> {
    let rows: Row[];
    if (this.#s.format === "arrow") {
      const t = tableFromIPC(b.arrow);
      const sym = t.getChild("Sym")!;
      const price = t.getChild("Price")!;
      const size = t.getChild("Size")!;
      rows = new Array(t.numRows);
      for (let i = 0; i < t.numRows; i++)
        rows[i] = {
          Sym: sym.get(i) as string,
          Price: price.get(i) as number,
          Size: Number(size.get(i)),
        };
    } else rows = JSON.parse(b.json) as Row[];
    const diff: [Row, number][] = rows.map((r) => [r, 1]);
    if (this.#s.table === "ring") {
      this.#held.push(rows);
      if (this.#held.length > RING_ROWS / this.#s.batch)
        for (const r of this.#held.shift()!) diff.push([r, -1]);
    }
    this.#input.sendData(new MultiSet(diff));
    this.#graph.run();
  }

  async read(): Promise<number> {
    let x = 0;
    for (const g of this.#groups.values()) x += g.Total + g.N;
    return x;
  }

  async flush(): Promise<void> {}

  async final(): Promise<Aggregates> {
    const out: Aggregates = new Map();
    if (this.#s.group) {
      for (const g of this.#groups.values()) out.set(g.Sym, [g.Total, g.N]);
      return out;
    }
    for (const [r, m] of this.#rows) {
      const a = out.get(r.Sym) ?? [0, 0];
      a[0] += r.Size * m;
      a[1] += m;
      out.set(r.Sym, a);
    }
    return out;
  }
}
