/** docs/engine.md's join example really runs and prints what its comments say. */
import { expect, it } from "vitest";
import { runDocExample } from "./doc-example.ts";

it("docs/engine.md join example prints what its comments say", async () => {
  const { printed, expected } = await runDocExample("docs/engine.md", "## Joins", "joins-docs");
  expect(expected).toHaveLength(3);
  expect(printed).toEqual(expected);
});
