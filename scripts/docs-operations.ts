// Writes the operation table of docs/engine.md from the registry (src/engine/operations.ts).
// test/engine/operations-docs.test.ts fails when the file and the registry disagree.
import { readFileSync, writeFileSync } from "node:fs";
import { renderOperationTable, withOperationTable } from "../src/engine/operation-docs.ts";
import { OPERATIONS } from "../src/engine/operations.ts";

const path = "docs/engine.md";
const before = readFileSync(path, "utf8");
const after = withOperationTable(before, renderOperationTable(OPERATIONS));
if (after !== before) writeFileSync(path, after);
console.log(after === before ? `${path}: up to date` : `${path}: operation table rewritten`);
