// The import-cycle check of `npm run lint` (scripts/check-import-cycles.ts): it finds runtime
// cycles, ignores type-only imports, and the engine has none.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findCycles, importGraph } from "../../scripts/check-import-cycles.ts";

let dir = "";
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = "";
});

function tree(files: Record<string, string>): string {
  dir = mkdtempSync(join(tmpdir(), "cycles-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const names = (cycles: string[][]) => cycles.map((c) => c.map((f) => basename(f)));

describe("import cycle check", () => {
  it("reports a runtime cycle through value imports, re-exports and bare imports", () => {
    const root = tree({
      "a.ts": 'import { b } from "./b.ts";\nexport const a = b;\n',
      "b.ts": 'export * from "./sub/c.ts";\nexport const b = 1;\n',
      "sub/c.ts": 'import "../a.ts";\n',
      "d.ts": 'import {\n  type A,\n  x,\n} from "./e.ts";\n',
      "e.ts": 'export { d } from "./d.ts";\n',
    });
    expect(names(findCycles(importGraph(root)))).toEqual([
      ["a.ts", "b.ts", "c.ts", "a.ts"],
      ["d.ts", "e.ts", "d.ts"],
    ]);
  });

  it("ignores type-only imports and exports", () => {
    const root = tree({
      "a.ts": 'import type { B } from "./b.ts";\nimport { type C } from "./c.ts";\n',
      "b.ts": 'import { a } from "./a.ts";\n',
      "c.ts": 'export type { A } from "./a.ts";\n',
    });
    expect(findCycles(importGraph(root))).toEqual([]);
  });

  it("finds none in src/engine", () => {
    expect(names(findCycles(importGraph("src/engine")))).toEqual([]);
  });
});
