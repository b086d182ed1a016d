/** docs/engine.md's persistence example (node:sqlite behind SqlPort) prints what its comments say. */
import { expect, it } from "vitest";
import { runDocExample } from "./doc-example.ts";

it("docs/engine.md persistence example restores the ring and the totals", async () => {
  const { printed, expected } = await runDocExample(
    "docs/engine.md",
    "Outside a Durable Object, any synchronous SQLite",
    "persistence-docs-test",
  );
  expect(expected.length).toBe(2);
  expect(printed).toEqual(expected);
});
