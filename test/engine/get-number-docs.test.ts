/** docs/engine.md's getNumber example runs and prints what its comment says. */
import { expect, it } from "vitest";
import { runDocExample } from "./doc-example.ts";

it("docs/engine.md getNumber example prints what its comment says", async () => {
  const { printed, expected } = await runDocExample(
    "docs/engine.md",
    "## Table API",
    "get-number-docs-test",
  );
  expect(expected.length).toBe(1);
  expect(printed).toEqual(expected);
});
