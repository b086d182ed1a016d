/** The README's engine example really runs and prints what its comments say. */
import { expect, it } from "vitest";
import { runDocExample } from "./doc-example.ts";

it("README engine example prints what its comments say", async () => {
  const { printed, expected } = await runDocExample(
    "README.md",
    "## Engine example",
    "readme-test",
  );
  expect(expected.length).toBeGreaterThan(3);
  expect(printed).toEqual(expected);
});
