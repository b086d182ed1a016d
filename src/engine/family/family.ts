/**
 * TableFamily (engine side): a source plus the derived tables of a spec, built in one
 * UpdateGraph. The Durable Object host wraps this with storage and alarms.
 */
import { DynamicTableWriter } from "../sources/dynamic-table-writer.ts";
import type { SourcePort } from "../sources/source-port.ts";
import { sourcePort } from "../sources/source-port.ts";
import type { TablePublisher } from "../sources/table-publisher.ts";
import { tablePublisher } from "../sources/table-publisher.ts";
import { timeTable } from "../sources/time-table.ts";
import type { Table } from "../table.ts";
import type { UpdateGraph } from "../update-graph.ts";
import { evalChain } from "./chain-eval.ts";
import { parseChain } from "./chain-parser.ts";
import type { FamilySpec } from "./spec.ts";
import { buildOrder, normalizeSpec } from "./spec.ts";

export interface BuiltFamily {
  readonly spec: FamilySpec;
  readonly graph: UpdateGraph;
  readonly source: Table;
  readonly publisher: TablePublisher | null;
  readonly writer: DynamicTableWriter | null;
  /** Feeds validated batches to the source and fails it (the host's path). */
  readonly port: SourcePort;
  /** Every view by name, `source` first, then derived tables in build order. */
  readonly views: ReadonlyMap<string, Table>;
}

/** Builds the tables of a spec (validated with `normalizeSpec` if given as raw JSON). */
export function buildFamily(specInput: unknown, graph: UpdateGraph, name = "family"): BuiltFamily {
  const spec = normalizeSpec(specInput);
  let source: Table;
  let publisher: TablePublisher | null = null;
  let writer: DynamicTableWriter | null = null;
  switch (spec.source.type) {
    case "publisher":
      [source, publisher] = tablePublisher(graph, { name, columns: spec.columns });
      break;
    case "writer":
      writer = new DynamicTableWriter(graph, spec.columns);
      source = writer.table;
      break;
    case "timeTable":
      source = timeTable(graph, spec.source.period, {
        blink: spec.source.blink,
        ...(spec.source.startTime ? { startTime: spec.source.startTime } : {}),
      });
      break;
  }
  const views = new Map<string, Table>([["source", source]]);
  for (const tname of buildOrder(spec.derived)) {
    const def = spec.derived[tname]!;
    views.set(
      tname,
      evalChain(parseChain(def, tname), tname, def, (n) => views.get(n)),
    );
  }
  return { spec, graph, source, publisher, writer, port: sourcePort(source), views };
}
