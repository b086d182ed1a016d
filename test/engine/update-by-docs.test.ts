/** docs/engine.md's updateBy example really runs and prints what its comments say. */
import { expect, it } from "vitest";
import { runDocExample } from "./doc-example.ts";

it("the updateBy example of docs/engine.md prints what its comments say", async () => {
  const { printed, expected } = await runDocExample(
    "docs/engine.md",
    "## Running and windowed values: `updateBy`",
    "update-by-docs",
  );
  expect(expected).toHaveLength(2);
  expect(printed).toEqual(expected);
});
