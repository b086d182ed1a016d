/**
 * The constituents of `PartitionedTable.transform(fn)`: `fn` applied to every constituent of the
 * source, the ones present when `transform` is called and each one that appears later. A graph
 * node (made after the source's, so it runs after the source made this cycle's new
 * constituents) applies `fn` to new constituents in the cycle they appear; what `fn` builds is
 * placed right after that node (update-graph.ts), so a merge made later still runs after it.
 *
 * Every result must be a table with the columns (names and types, in order) of `fn` applied to
 * the source's empty template; a result that differs, or a throw from `fn` during a cycle, is
 * recorded as the transform's failure, which fails the tables that read all constituents
 * (`merge()`).
 */
import { ArgumentError } from "../errors.ts";
import type { Table } from "../table-core.ts";
import { Table as TableClass } from "../table-core.ts";
import type { GraphNode, UpdateGraph } from "../update-graph.ts";
import type { Prim } from "./prim.ts";

/**
 * How a PartitionedTable finds its constituents: partitionBy answers from its aggregation's group
 * index, a Table Data Service table from its locations, a transform from its source's.
 */
export interface PartitionIndex {
  readonly constituents: readonly Table[];
  /** Row key of the key tuple (canonical primitives, see prim.ts), or -1. */
  find(prims: readonly Prim[]): number;
  /** Why constituents stopped following (a transform's `fn` failed), or undefined. */
  readonly failure?: unknown;
}

/** Checks that `fn`'s result is a table shaped like `template` (null: the template itself). */
export function checkTransformed(
  result: unknown,
  template: Table | null,
  slot: number | null,
): Table {
  const which = slot === null ? "" : ` for constituent ${slot}`;
  if (!TableClass.isTable(result)) {
    throw new ArgumentError(
      `transform: the function returned ${String(result)}${which}, not a table`,
    );
  }
  if (template !== null) {
    const want = Object.entries(template.columns);
    const got = Object.entries(result.columns);
    const same =
      want.length === got.length && want.every(([n, t], i) => got[i]![0] === n && got[i]![1] === t);
    if (!same) {
      throw new ArgumentError(
        `transform: the result${which} has columns [${got.map(([n, t]) => `${n}: ${t}`).join(", ")}], not [${want.map(([n, t]) => `${n}: ${t}`).join(", ")}] like the others`,
      );
    }
  }
  return result;
}

/** The transformed constituents; see the module header. */
export class TransformedIndex implements PartitionIndex, GraphNode {
  readonly #source: PartitionIndex;
  readonly #fn: (t: Table) => Table;
  readonly #template: Table;
  readonly #out: Table[] = [];
  #failure: unknown;

  constructor(
    source: PartitionIndex,
    fn: (t: Table) => Table,
    template: Table,
    graph: UpdateGraph | null,
  ) {
    this.#source = source;
    this.#fn = fn;
    this.#template = template;
    this.#catchUp(); // throws straight to the caller of transform()
    graph?.addNode(this);
  }

  get constituents(): readonly Table[] {
    return this.#out;
  }
  get failure(): unknown {
    return this.#failure ?? this.#source.failure;
  }
  find(prims: readonly Prim[]): number {
    return this.#source.find(prims);
  }

  #catchUp(): void {
    const src = this.#source.constituents;
    while (this.#out.length < src.length) {
      const slot = this.#out.length;
      this.#out.push(checkTransformed(this.#fn(src[slot]!), this.#template, slot));
    }
  }

  process(): void {
    if (this.#failure !== undefined) return;
    try {
      this.#catchUp();
    } catch (e) {
      this.#failure = e;
    }
  }

  notify(): void {}
}
