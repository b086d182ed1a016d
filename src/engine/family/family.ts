/**
 * TableFamily (engine side): the sources plus the derived tables of a spec, built in one
 * UpdateGraph, so every source flushes in the same cycle and a join of two sources never sees one
 * ahead of the other. The Durable Object host wraps this with storage and alarms.
 *
 * Inputs from other families (`spec.inputs`) are mirror tables (mirror-table.ts) whose rows the
 * host feeds from the producer; their columns and type come from the producer's view, which the
 * caller passes as `inputShapes` (a spec alone does not know them).
 */
import { DynamicTableWriter } from "../sources/dynamic-table-writer.ts";
import type { InputTable } from "../sources/input-table.ts";
import { inputTable } from "../sources/input-table.ts";
import type { Mirror } from "../sources/mirror-table.ts";
import { mirrorTable } from "../sources/mirror-table.ts";
import type { SourcePort } from "../sources/source-port.ts";
import { sourcePort } from "../sources/source-port.ts";
import type { TablePublisher } from "../sources/table-publisher.ts";
import { tablePublisher } from "../sources/table-publisher.ts";
import { timeTable } from "../sources/time-table.ts";
import type { Table } from "../table.ts";
import type { Schema } from "../types.ts";
import type { UpdateGraph } from "../update-graph.ts";
import { evalChain } from "./chain-eval.ts";
import { parseChain, SpecError } from "./chain-parser.ts";
import type { FamilySpec, InputRef, SourceSpec } from "./spec.ts";
import { buildOrder, inputRef, normalizeSpec } from "./spec.ts";

/**
 * What an input's local table looks like: the producer view's columns, and whether it is
 * append-only (then the local table is append-only too; otherwise it is a standard table).
 */
export interface InputShape {
  columns: Schema;
  appendOnly: boolean;
}

/** One built input from another family. */
export interface BuiltInput {
  readonly name: string;
  readonly ref: InputRef;
  readonly shape: InputShape;
  /** Feeds the local table the producer's snapshot and changes. */
  readonly mirror: Mirror;
}

/** One built source of a family. */
export interface BuiltSource {
  readonly name: string;
  readonly spec: SourceSpec;
  readonly table: Table;
  /** Feeds validated batches to the source and fails it (the host's path). */
  readonly port: SourcePort;
  readonly publisher: TablePublisher | null;
  readonly writer: DynamicTableWriter | null;
  readonly input: InputTable | null;
}

export interface BuiltFamily {
  readonly spec: FamilySpec;
  readonly graph: UpdateGraph;
  /** Every source by name, in the spec's order (the order they were built in). */
  readonly sources: ReadonlyMap<string, BuiltSource>;
  /** The first source's table, publisher, writer and port (a one-source spec's `source`). */
  readonly source: Table;
  readonly publisher: TablePublisher | null;
  readonly writer: DynamicTableWriter | null;
  readonly port: SourcePort;
  /** Every input from another family by local name, in the spec's order. */
  readonly inputs: ReadonlyMap<string, BuiltInput>;
  /** Every view by name: the sources first, then inputs, then derived tables in build order. */
  readonly views: ReadonlyMap<string, Table>;
}

function buildSource(
  graph: UpdateGraph,
  name: string,
  spec: SourceSpec,
  publisherName: string,
): BuiltSource {
  let table: Table;
  let publisher: TablePublisher | null = null;
  let writer: DynamicTableWriter | null = null;
  let input: InputTable | null = null;
  switch (spec.type) {
    case "publisher":
      [table, publisher] = tablePublisher(graph, { name: publisherName, columns: spec.columns });
      break;
    case "writer":
      writer = new DynamicTableWriter(graph, spec.columns);
      table = writer.table;
      break;
    case "input":
      input = inputTable(graph, { columns: spec.columns, keys: spec.keys });
      table = input.table;
      break;
    case "timeTable":
      table = timeTable(graph, spec.period, {
        blink: spec.blink,
        ...(spec.startTime ? { startTime: spec.startTime } : {}),
      });
      break;
  }
  return { name, spec, table, port: sourcePort(table), publisher, writer, input };
}

/**
 * Builds the tables of a spec (validated with `normalizeSpec` if given as raw JSON). A spec with
 * inputs needs each input's shape (its producer view's columns and type) in `inputShapes`.
 */
export function buildFamily(
  specInput: unknown,
  graph: UpdateGraph,
  name = "family",
  inputShapes: Readonly<Record<string, InputShape>> = {},
): BuiltFamily {
  const spec = normalizeSpec(specInput);
  const sources = new Map<string, BuiltSource>();
  const views = new Map<string, Table>();
  for (const [sname, sspec] of Object.entries(spec.sources)) {
    // The one-source form keeps its publisher's name (the family's), as before.
    const b = buildSource(graph, sname, sspec, sname === "source" ? name : `${name}/${sname}`);
    sources.set(sname, b);
    views.set(sname, b.table);
  }
  const inputs = new Map<string, BuiltInput>();
  for (const [iname, ref] of Object.entries(spec.inputs ?? {})) {
    const shape = inputShapes[iname];
    if (!shape)
      throw new SpecError(`input "${iname}" (${ref}): the producer view's columns are not known`);
    const mirror = mirrorTable(graph, shape.columns, {
      appendOnly: shape.appendOnly,
      addOnly: shape.appendOnly,
    });
    inputs.set(iname, { name: iname, ref: inputRef(ref), shape, mirror });
    views.set(iname, mirror.table);
  }
  for (const tname of buildOrder(spec.derived)) {
    const def = spec.derived[tname]!;
    views.set(
      tname,
      evalChain(parseChain(def, tname), tname, def, (n) => views.get(n)),
    );
  }
  const first = sources.values().next().value!;
  return {
    spec,
    graph,
    sources,
    source: first.table,
    publisher: first.publisher,
    writer: first.writer,
    port: first.port,
    inputs,
    views,
  };
}
