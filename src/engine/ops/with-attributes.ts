/**
 * withAttributes: the same rows and columns (the parent's sources, no copy) under other type
 * attributes, as Deephaven's `withAttributes(Map.of(BLINK_TABLE_ATTRIBUTE, true))`.
 *
 * - `blink: true` on a refreshing table that follows the blink pattern (every cycle removes all
 *   of the previous cycle's rows and modifies none), e.g. a constituent of
 *   `blink.removeBlink().partitionBy(...)`: aggregations over it then cover the whole stream.
 *   The pattern is checked every cycle; a cycle that keeps a row fails the table.
 * - `blink: false` drops blink semantics (as `removeBlink`).
 * - `appendOnly: true` / `addOnly: true` only where the parent already is; `false` drops them.
 */
import { ArgumentError, UnsupportedOperationError } from "../errors.ts";
import { defineMethod, kinds, param } from "../operation.ts";
import { Operator } from "../operator.ts";
import type { TableAttributes } from "../table-core.ts";
import { assertUsable, nodeOf, Table } from "../table-core.ts";
import type { TableUpdate } from "../table-update.ts";

/** The attributes `withAttributes` may set. */
export interface AttributeChanges {
  blink?: boolean;
  appendOnly?: boolean;
  addOnly?: boolean;
}

const KNOWN = ["blink", "appendOnly", "addOnly"] as const;

/** Passes the parent's updates on; with `blink`, fails unless each cycle replaces every row. */
class WithAttributesOperator extends Operator {
  protected override get alwaysProcess(): boolean {
    return this.result.isBlink;
  }

  protected onUpdate(updates: readonly (TableUpdate | null)[]): TableUpdate | null {
    const u = updates[0] ?? null;
    const before = this.result.rowSet;
    if (this.result.isBlink) {
      const kept = before.size - (u ? u.removed.size : 0);
      if (kept > 0 || (u !== null && !u.modified.isEmpty)) {
        throw new UnsupportedOperationError(
          `withAttributes({ blink: true }): the parent ${kept > 0 ? `kept ${kept} row(s) from the previous cycle` : "modified rows"}; a blink table holds only each cycle's new rows`,
        );
      }
    }
    nodeOf(this.result).setRowSet(this.parents[0]!.rowSet);
    return u;
  }
}

/** `t.withAttributes({ blink, appendOnly, addOnly })`; see the module header. */
export function withAttributes(t: Table, changes: AttributeChanges): Table {
  assertUsable(t);
  if (changes === null || typeof changes !== "object" || Array.isArray(changes)) {
    throw new ArgumentError("withAttributes: expected an object { blink?, appendOnly?, addOnly? }");
  }
  for (const [k, v] of Object.entries(changes)) {
    if (!(KNOWN as readonly string[]).includes(k)) {
      throw new ArgumentError(
        `withAttributes: unknown attribute "${k}"; settable: ${KNOWN.join(", ")}`,
      );
    }
    if (typeof v !== "boolean")
      throw new ArgumentError(`withAttributes: ${k} must be true or false, got ${String(v)}`);
  }
  const a = t.attributes;
  const { blink, appendOnly, addOnly } = changes;
  if (blink === true && !t.isRefreshing) {
    throw new ArgumentError("withAttributes: blink needs a refreshing table; this one is static");
  }
  if (appendOnly === true && !t.isAppendOnly) {
    throw new ArgumentError("withAttributes: appendOnly: the table is not append-only");
  }
  if (addOnly === true && !t.isAddOnly) {
    throw new ArgumentError("withAttributes: addOnly: the table is not add-only");
  }
  if (blink === true && (appendOnly === true || addOnly === true)) {
    throw new ArgumentError(
      "withAttributes: a blink table is neither append-only nor add-only (its rows leave every cycle)",
    );
  }
  const isBlink = blink ?? a.blink;
  const attrs: TableAttributes = {
    refreshing: a.refreshing,
    blink: isBlink,
    // A blink table's rows leave; dropping one guarantee drops what it implies.
    appendOnly: !isBlink && (appendOnly ?? a.appendOnly) && addOnly !== false,
    addOnly: !isBlink && (addOnly ?? a.addOnly),
  };
  if (KNOWN.every((k) => attrs[k] === a[k])) return t;
  const result = new Table(new Map(t.columnMap), t.rowSet, attrs, t.graph, "withAttributes");
  if (t.isRefreshing) nodeOf(result).attach(new WithAttributesOperator(result, [t]));
  return result;
}

/** Descriptor (registered in operations.ts). */
export const withAttributesOp = defineMethod({
  name: "withAttributes",
  params: [
    param(
      "attributes",
      kinds.options({ blink: kinds.boolean, appendOnly: kinds.boolean, addOnly: kinds.boolean }),
    ),
  ],
  apply: (t: Table, attributes: AttributeChanges): Table => withAttributes(t, attributes),
  doc: "the same rows (a view) with other attributes; `appendOnly`/`addOnly` only where already true",
});
