/**
 * The operation table of docs/engine.md, rendered from the registry's descriptors.
 * `npm run docs:operations` writes it between the markers; a test fails when they disagree.
 */
import type { Operation } from "./operation.ts";
import { signatureOf } from "./operation.ts";

export const DOCS_BEGIN =
  "<!-- operations:begin (generated from src/engine/operations.ts by npm run docs:operations) -->";
export const DOCS_END = "<!-- operations:end -->";

const cell = (s: string): string => s.replaceAll("|", "\\|");

/** A markdown table: one row per operation, with its parameters' kinds and spec availability. */
export function renderOperationTable(ops: readonly Operation[]): string {
  const rows = ops.map((op) => [
    `\`${op.type === "method" ? "t." : ""}${signatureOf(op)}\``,
    op.params
      .map((p) => `\`${p.arity === "rest" ? "..." : ""}${p.name}\`: ${p.kind.doc}`)
      .join("; ") || "none",
    op.spec ? "yes" : "no",
    op.doc,
  ]);
  const head = ["operation", "parameters", "in specs", "what it gives"];
  const all = [head, ...rows].map((r) => r.map(cell));
  const widths = head.map((_, j) => Math.max(...all.map((r) => r[j]!.length)));
  const line = (r: string[]) => `| ${r.map((c, j) => c.padEnd(widths[j]!)).join(" | ")} |`;
  const rule = `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`;
  return [line(all[0]!), rule, ...all.slice(1).map(line)].join("\n");
}

/** `text` with the block between the markers replaced by `table` (throws if a marker is missing). */
export function withOperationTable(text: string, table: string): string {
  const a = text.indexOf(DOCS_BEGIN);
  const b = text.indexOf(DOCS_END);
  if (a < 0 || b < a) throw new Error(`docs: markers ${DOCS_BEGIN} ... ${DOCS_END} not found`);
  return `${text.slice(0, a + DOCS_BEGIN.length)}\n${table}\n${text.slice(b)}`;
}
