// docs/engine.md's operation table is the one the registry renders (run `npm run docs:operations`
// after adding or changing an operation).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DOCS_BEGIN, DOCS_END, renderOperationTable } from "../../src/engine/operation-docs.ts";
import { OPERATIONS } from "../../src/engine/operations.ts";

describe("docs/engine.md operation table", () => {
  it("matches the registry", () => {
    const text = readFileSync("docs/engine.md", "utf8");
    const a = text.indexOf(DOCS_BEGIN);
    const b = text.indexOf(DOCS_END);
    expect(a).toBeGreaterThan(0);
    expect(text.slice(a + DOCS_BEGIN.length, b).trim()).toBe(renderOperationTable(OPERATIONS));
  });

  it("has one row per operation, naming its parameters' kinds", () => {
    const table = renderOperationTable(OPERATIONS).split("\n");
    expect(table.length).toBe(OPERATIONS.length + 2);
    expect(table.find((r) => r.startsWith("| `t.head(n)`"))).toMatch(
      /^\| `t\.head\(n\)` +\| `n`: integer +\| yes +\| the first `n` rows/,
    );
    expect(table.find((r) => r.startsWith("| `ringTable("))).toMatch(
      /`options`: \{ initialize \} or true\/false +\| yes/,
    );
  });
});
