/**
 * DuckDB in the peers benchmark: an in-memory table; Arrow batches decoded by apache-arrow
 * (DuckDB's node API has no Arrow reader) and appended as data chunks, JSON decoded by
 * `from_json` in SQL; the ring deletes the batch that fell out; the group-by is a query per batch.
 */
import type { DuckDBConnection, DuckDBPreparedStatement } from "@duckdb/node-api";
import {
  BIGINT,
  DOUBLE,
  DuckDBDataChunk,
  DuckDBInstance,
  INTEGER,
  VARCHAR,
} from "@duckdb/node-api";
import { tableFromIPC } from "apache-arrow";
import type { Batch, Scenario } from "./peers-data.ts";
import { RING_ROWS } from "./peers-data.ts";
import type { Aggregates, PeerEngine } from "./peers-engines.ts";

const CHUNK = 2048;
const GROUP_SQL =
  "SELECT Sym, sum(Size)::DOUBLE AS Total, count(*)::DOUBLE AS N FROM t GROUP BY Sym";

export class DuckEngine implements PeerEngine {
  decodeMs = 0;
  #c!: DuckDBConnection;
  #s!: Scenario;
  #json!: DuckDBPreparedStatement;
  #delete!: DuckDBPreparedStatement;

  async init(s: Scenario): Promise<void> {
    this.#s = s;
    const db = await DuckDBInstance.create(":memory:");
    this.#c = await db.connect();
    await this.#c.run("CREATE TABLE t (Sym VARCHAR, Price DOUBLE, Size BIGINT, B INTEGER)");
    this.#json = await this.#c.prepare(
      `INSERT INTO t SELECT r.Sym, r.Price, r.Size, $2 FROM (SELECT unnest(from_json($1::JSON, '[{"Sym":"VARCHAR","Price":"DOUBLE","Size":"BIGINT"}]')) AS r)`,
    );
    this.#delete = await this.#c.prepare("DELETE FROM t WHERE B = $1");
  }

  async ingest(b: Batch, c: number): Promise<void> {
    if (this.#s.format === "arrow") {
      const t = tableFromIPC(b.arrow);
      const sym = t.getChild("Sym")!;
      const price = t.getChild("Price")!;
      const size = t.getChild("Size")!;
      const app = await this.#c.createAppender("t");
      for (let at = 0; at < t.numRows; at += CHUNK) {
        const end = Math.min(t.numRows, at + CHUNK);
        const chunk = DuckDBDataChunk.create([VARCHAR, DOUBLE, BIGINT, INTEGER], end - at);
        const syms: string[] = [];
        const prices: number[] = [];
        const sizes: bigint[] = [];
        const bs: number[] = [];
        for (let i = at; i < end; i++) {
          syms.push(sym.get(i) as string);
          prices.push(price.get(i) as number);
          sizes.push(size.get(i) as bigint);
          bs.push(c);
        }
        chunk.setColumnValues(0, syms);
        chunk.setColumnValues(1, prices);
        chunk.setColumnValues(2, sizes);
        chunk.setColumnValues(3, bs);
        app.appendDataChunk(chunk);
      }
      app.closeSync();
    } else {
      this.#json.bindVarchar(1, b.json);
      this.#json.bindInteger(2, c);
      await this.#json.run();
    }
    const drop = c - RING_ROWS / this.#s.batch;
    if (this.#s.table === "ring" && drop >= 0) {
      this.#delete.bindInteger(1, drop);
      await this.#delete.run();
    }
  }

  async read(): Promise<number> {
    const r = await this.#c.runAndReadAll(GROUP_SQL);
    const cols = r.getColumns();
    let x = 0;
    for (let i = 0; i < cols[1]!.length; i++)
      x += (cols[1]![i] as number) + (cols[2]![i] as number);
    return x;
  }

  async flush(): Promise<void> {}

  async final(): Promise<Aggregates> {
    const r = await this.#c.runAndReadAll(GROUP_SQL);
    const [sym, total, n] = r.getColumns();
    const out: Aggregates = new Map();
    for (let i = 0; i < sym!.length; i++)
      out.set(sym![i] as string, [total![i] as number, n![i] as number]);
    return out;
  }
}
