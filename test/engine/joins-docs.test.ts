/**
 * docs/engine.md's join example really runs: its code block is written to a module, imported, and
 * every `console.log(x); // <output>` line is checked against what Node prints for x.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { expect, it, vi } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

it("docs/engine.md join example prints what its comments say", async () => {
  const doc = readFileSync(join(root, "docs/engine.md"), "utf8");
  const section = doc.slice(doc.indexOf("## Joins"));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  expect(code).toBeDefined();
  const expected = [...code!.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((m) => m[1]);
  expect(expected).toHaveLength(3);
  const dir = join(root, "node_modules/.cache/joins-docs-test");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "example.ts");
  writeFileSync(
    file,
    code!.replace('"tickflare/engine"', JSON.stringify(join(root, "src/engine/index.ts"))),
  );
  const printed: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((v: unknown) => {
    printed.push(inspect(v, { breakLength: Number.POSITIVE_INFINITY, depth: 5 }));
  });
  try {
    await import(/* @vite-ignore */ file);
  } finally {
    spy.mockRestore();
  }
  expect(printed).toEqual(expected);
});
