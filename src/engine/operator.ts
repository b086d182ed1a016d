/**
 * Operator: the graph node behind a derived table. Each cycle it collects its parents' updates
 * and turns them into one update of its result table (or fails the result, and so everything
 * downstream, when a parent failed or its own work threw).
 */
import type { Table } from "./table-core.ts";
import { nodeOf } from "./table-core.ts";
import type { TableUpdate } from "./table-update.ts";
import { isEmptyUpdate } from "./table-update.ts";
import type { GraphNode } from "./update-graph.ts";

export abstract class Operator implements GraphNode {
  /**
   * Whether the operator keeps its parents' UTF-8 rows as their bytes rather than decoding them
   * (a ring, ops/ring.ts; `blinkToAppendOnly`, which seals them by their bytes). A parent that
   * only such operators read is fed UTF-8 by its publisher (`TableNode.bytesReadersOnly`).
   */
  static readonly keepsUtf8Rows: boolean = false;
  readonly result: Table;
  readonly parents: readonly Table[];
  readonly #updates: (TableUpdate | null)[] = [];

  constructor(result: Table, parents: readonly Table[]) {
    this.result = result;
    this.parents = parents;
    const bytes = (new.target as unknown as { readonly keepsUtf8Rows: boolean }).keepsUtf8Rows;
    for (const p of parents) nodeOf(p).noteReader(bytes);
    // Closing the result ends the reads (a publisher may then hand its parent UTF-8 again).
    nodeOf(result).onClose(() => {
      for (const p of parents) nodeOf(p).forgetReader(bytes);
    });
  }

  /** Turns the parents' updates (null where a parent did not change) into the result's update. */
  protected abstract onUpdate(updates: readonly (TableUpdate | null)[]): TableUpdate | null;

  process(): void {
    const result = this.result;
    if (result.isFailed) return;
    // (Indexed loops: code run once a cycle stays unoptimized for thousands of cycles, and there
    // a for-of makes an iterator and a result object a step.)
    const parents = this.parents;
    for (let i = 0; i < parents.length; i++) {
      const p = parents[i]!;
      if (p.isFailed) {
        nodeOf(result).fail(p.failure);
        return;
      }
    }
    // One array per operator, filled each cycle and emptied after (onUpdate keeps no reference).
    const updates = this.#updates;
    let any = false;
    for (let i = 0; i < parents.length; i++) {
      const u = nodeOf(parents[i]!).currentUpdate();
      if (u) any = true;
      updates[i] = u;
    }
    try {
      if (!any && !this.alwaysProcess) return;
      const u = this.onUpdate(updates);
      if (u && !isEmptyUpdate(u)) nodeOf(result).setUpdate(u);
    } catch (e) {
      nodeOf(result).fail(e);
    } finally {
      for (let i = 0; i < parents.length; i++) updates[i] = null;
    }
  }

  /** Operators that act without parent updates (none yet) override this. */
  protected get alwaysProcess(): boolean {
    return false;
  }

  notify(): void {
    nodeOf(this.result).notify();
  }
}
