// Fails (exit 1) when the TypeScript modules under a folder import each other in a cycle at
// runtime. Type-only imports (`import type`, `export type`, `{ type A }` lists) are erased before
// running and do not count. Part of `npm run lint`.
// Usage: node scripts/check-import-cycles.ts [dir ...]   (default: src/engine)
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const CLAUSE = String.raw`(type\s+)?(\*(?:\s+as\s+[\w$]+)?|\{[^}]*\}|[\w$]+(?:\s*,\s*(?:\{[^}]*\}|\*\s+as\s+[\w$]+))?)`;
const FROM = new RegExp(
  String.raw`^\s*(?:import|export)\s+${CLAUSE}\s*from\s*["']([^"']+)["']`,
  "gm",
);
const BARE = /^\s*import\s*["']([^"']+)["']/gm;

/** Every `.ts` file under `dir` (not `.d.ts`). */
function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/** True when an import/export clause brings in values (not only types). */
function isRuntime(typeKeyword: string | undefined, clause: string): boolean {
  if (typeKeyword) return false;
  if (!clause.startsWith("{")) return true;
  const names = clause
    .slice(1, -1)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return names.length === 0 || names.some((n) => !/^type\s/.test(n));
}

/** Runtime import edges between the files under `root`: Map<file, file[]>. */
export function importGraph(root: string): Map<string, string[]> {
  const files = tsFiles(resolve(root));
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const src = readFileSync(f, "utf8");
    const targets: string[] = [];
    for (const m of src.matchAll(FROM)) if (isRuntime(m[1], m[2]!)) targets.push(m[3]!);
    for (const m of src.matchAll(BARE)) targets.push(m[1]!);
    const edges: string[] = [];
    for (const spec of targets) {
      if (!spec.startsWith(".")) continue;
      const t = resolve(dirname(f), spec);
      const hit = [t, `${t}.ts`, join(t, "index.ts")].find((c) => known.has(c));
      if (hit && !edges.includes(hit)) edges.push(hit);
    }
    graph.set(f, edges);
  }
  return graph;
}

/** One concrete cycle per group of mutually importing files: arrays of files, first = last. */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 1 | 2>(); // 1 on the stack, 2 done
  const stack: string[] = [];
  const cycles: string[][] = [];
  const seenInCycle = new Set<string>();
  const visit = (f: string): void => {
    state.set(f, 1);
    stack.push(f);
    for (const t of graph.get(f) ?? []) {
      if (state.get(t) === 1) {
        const cycle = [...stack.slice(stack.indexOf(t)), t];
        const key = [...new Set(cycle)].sort().join("\n");
        if (!seenInCycle.has(key)) {
          seenInCycle.add(key);
          cycles.push(cycle);
        }
      } else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, 2);
  };
  for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f);
  return cycles;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dirs = process.argv.length > 2 ? process.argv.slice(2) : ["src/engine"];
  let failed = false;
  for (const dir of dirs) {
    const cycles = findCycles(importGraph(dir));
    for (const c of cycles) {
      failed = true;
      console.error(`import cycle in ${dir}: ${c.map((f) => relative(dir, f)).join(" -> ")}`);
    }
  }
  if (failed) {
    console.error("Break the cycle (see docs/architecture.md, 'The operation registry').");
    process.exit(1);
  }
  console.log(`no runtime import cycles in ${dirs.join(", ")}`);
}
