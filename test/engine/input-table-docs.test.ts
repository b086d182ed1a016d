/** docs/engine.md's inputTable example runs and prints what its comments say. */
import { expect, it } from "vitest";
import { runDocExample } from "./doc-example.ts";

it("docs/engine.md inputTable example prints what its comments say", async () => {
  const { printed, expected } = await runDocExample(
    "docs/engine.md",
    "### `inputTable(graph",
    "input-table-docs-test",
  );
  expect(expected.length).toBe(2);
  expect(printed).toEqual(expected);
});
