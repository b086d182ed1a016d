/**
 * The README's "Trades as-of quotes in one family" runs as written: its spec is created in a
 * family host (over node:sqlite), its `curl -d` bodies are published to the sources they name in
 * order, one cycle runs, and the `enriched` snapshot is the CSV the README shows.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { FamilyHost } from "../../src/durable/host.ts";
import { memoryDb, nodePort, nodeTransaction } from "../contracts/sqlite-node.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function section(): string {
  const text = readFileSync(join(root, "README.md"), "utf8");
  const at = text.indexOf("### Trades as-of quotes in one family");
  if (at < 0) throw new Error("README.md has no trades-as-of-quotes section");
  return text.slice(at, text.indexOf("\n#", at + 10));
}

function block(text: string, lang: string): string {
  const m = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(text);
  if (!m) throw new Error(`no ${lang} block`);
  return m[1]!;
}

it("README: trades as-of quotes in one family gives the snapshot it shows", () => {
  const text = section();
  const spec = JSON.parse(block(text, "json"));
  const sh = block(text, "sh").replace(/\\\n/g, " ");
  const calls = [
    ...sh.matchAll(
      /curl -X POST \S+\/v1\/tables\/fx\/sources\/(\w+)\/(rows|delete) .*?-d '([^']*)'/g,
    ),
  ];
  expect(calls.map((c) => `${c[1]}/${c[2]}`)).toEqual([
    "names/rows",
    "quotes/rows",
    "trades/rows",
    "names/delete",
  ]);
  const db = memoryDb();
  const host = new FamilyHost(nodePort(db), { transaction: nodeTransaction(db) });
  host.create("fx", spec);
  for (const [, source, op, body] of calls) {
    const input = { rows: JSON.parse(body!) as unknown[] };
    if (op === "rows") host.publish(input, { source });
    else host.deleteRows(input, { source });
  }
  expect(host.runCycle()).toMatchObject({ cycle: 1, rows: 7 });
  const snap = host.snapshot("enriched", { format: "csv" });
  expect(snap.format === "csv" && snap.text.replace(/\r\n/g, "\n")).toBe(block(text, "csv"));
});
