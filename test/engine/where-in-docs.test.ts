/** docs/engine.md's whereIn example really runs and prints what its comments say. */
import { expect, it } from "vitest";
import { runDocExample } from "./doc-example.ts";

it("the whereIn example of docs/engine.md prints what its comments say", async () => {
  const { printed, expected } = await runDocExample(
    "docs/engine.md",
    "## Filtering by another table",
    "where-in-docs",
  );
  expect(expected).toHaveLength(4);
  expect(printed).toEqual(expected);
});
