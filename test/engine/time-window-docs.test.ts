/** docs/engine.md's timeWindow and partition-transform examples run and print what they say. */
import { expect, it } from "vitest";
import { runDocExample } from "./doc-example.ts";

it("the timeWindow example of docs/engine.md prints what its comments say", async () => {
  const { printed, expected } = await runDocExample(
    "docs/engine.md",
    "## Time windows: `timeWindow`",
    "time-window-docs",
  );
  expect(expected).toHaveLength(5);
  expect(printed).toEqual(expected);
});

it("the partition-transform example of docs/engine.md prints what its comments say", async () => {
  const { printed, expected } = await runDocExample(
    "docs/engine.md",
    "## Partitioned tables: `transform` and `withAttributes`",
    "partition-transform-docs",
  );
  expect(expected).toHaveLength(4);
  expect(printed).toEqual(expected);
});
