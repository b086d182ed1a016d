/** docs/engine.md's addArrow example runs and prints what its comments say. */
import { expect, it } from "vitest";
import { runDocExample } from "./doc-example.ts";

it("docs/engine.md addArrow example prints what its comments say", async () => {
  const { printed, expected } = await runDocExample(
    "docs/engine.md",
    "### Arrow IPC rows: `publisher.addArrow(bytes)`",
    "publisher-arrow-docs-test",
  );
  expect(expected.length).toBe(2);
  expect(printed).toEqual(expected);
});
