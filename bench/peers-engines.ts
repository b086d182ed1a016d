/**
 * The engines of the peers benchmark (bench/peers.ts), each used as its documentation suggests,
 * each decoding the batch input itself (Arrow IPC bytes or JSON text); one file per engine
 * (bench/peers-<engine>.ts), loaded only by the worker process that runs it.
 * `final()` returns the engine's own per-symbol [sum of Size, count] of the rows it holds.
 */
import type { Batch, Scenario } from "./peers-data.ts";

export type Aggregates = Map<string, [number, number]>;

export interface PeerEngine {
  init(s: Scenario): Promise<void>;
  /** Decodes and applies batch number `c`. */
  ingest(b: Batch, c: number): Promise<void>;
  /** Reads the whole group-by result; returns a checksum so the read cannot be skipped. */
  read(): Promise<number>;
  /** Waits until every batch given is applied. */
  flush(): Promise<void>;
  final(): Promise<Aggregates>;
  /** Milliseconds spent decoding, where the engine separates it (tickflare). */
  decodeMs: number;
}

export const ENGINES = ["tickflare", "perspective", "db-ivm", "duckdb"] as const;
export type EngineName = (typeof ENGINES)[number];

export async function makeEngine(name: EngineName): Promise<PeerEngine> {
  switch (name) {
    case "tickflare":
      return new (await import("./peers-tickflare.ts")).TickflareEngine();
    case "perspective":
      return new (await import("./peers-perspective.ts")).PerspectiveEngine();
    case "db-ivm":
      return new (await import("./peers-ivm.ts")).IvmEngine();
    case "duckdb":
      return new (await import("./peers-duckdb.ts")).DuckEngine();
  }
}
