/**
 * The codes engine errors carry and the statuses they are answered with (one table,
 * src/durable/errors.ts) agree with the error table of docs/protocol.md.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { ENGINE_ERROR_STATUS, errorResult, VIEW_ERROR_STATUS } from "../../src/durable/errors.ts";
import { SpecError } from "../../src/engine/family/chain-parser.ts";
import {
  ArgumentError,
  ArrowError,
  FormulaError,
  SchemaError,
  TableFailedError,
  UnsupportedOperationError,
  ValueError,
} from "../../src/engine/index.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** code -> status from the `| code ... | status | when |` table under "## Errors". */
function documentedStatuses(): Map<string, number> {
  const doc = readFileSync(join(root, "docs/protocol.md"), "utf8");
  const section = doc.slice(doc.indexOf("\n## Errors"), doc.indexOf("\n## Limits"));
  const out = new Map<string, number>();
  for (const line of section.split("\n")) {
    const m = /^\|\s*(`[^|]*)\|\s*(\d{3})\s*\|/.exec(line);
    if (!m) continue;
    for (const [, code] of m[1]!.matchAll(/`([a-zA-Z_]+)`/g)) out.set(code!, Number(m[2]));
  }
  return out;
}

it("docs/protocol.md lists every engine error code with the status it is answered with", () => {
  const documented = documentedStatuses();
  for (const [code, status] of Object.entries(ENGINE_ERROR_STATUS)) {
    expect({ code, status: documented.get(code) }).toEqual({ code, status });
  }
});

it("docs/protocol.md lists the viewport and ad-hoc view codes with their statuses", () => {
  const documented = documentedStatuses();
  for (const [code, status] of Object.entries(VIEW_ERROR_STATUS)) {
    expect({ code, status: documented.get(code) }).toEqual({ code, status });
  }
});

it("each engine error class answers its own code and status", () => {
  const cases: [Error, string, number][] = [
    [new SchemaError("s"), "bad_schema", 400],
    [new ValueError("v"), "bad_value", 400],
    [new FormulaError("X +", 3, "f"), "bad_formula", 400],
    [new UnsupportedOperationError("u"), "unsupported_operation", 400],
    [new ArgumentError("a"), "bad_argument", 400],
    [new ArrowError("r"), "bad_arrow", 400],
    [new TableFailedError("t"), "table_failed", 409],
    [new SpecError("p"), "bad_spec", 400],
    [new SpecError("p", "d", 0, "bad_formula"), "bad_formula", 400],
  ];
  for (const [e, error, status] of cases) {
    expect(errorResult(e)).toEqual({ ok: false, status, error, detail: e.message });
  }
  expect(errorResult(new Error("a bug"))).toBeNull();
});
