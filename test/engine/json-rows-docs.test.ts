/** docs/engine.md's addJson example runs and prints what its comments say. */
import { expect, it } from "vitest";
import { runDocExample } from "./doc-example.ts";

it("docs/engine.md addJson example prints what its comments say", async () => {
  const { printed, expected } = await runDocExample(
    "docs/engine.md",
    "### JSON rows: `publisher.addJson(text)`",
    "json-rows-docs-test",
  );
  expect(expected.length).toBe(3);
  expect(printed).toEqual(expected);
});
