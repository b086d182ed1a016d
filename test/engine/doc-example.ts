/**
 * Runs a doc's TypeScript example as written: the first ```ts block after `heading` in `doc` is
 * written to a module (each import of `tickflare/engine` pointed at the sources) and imported, and what
 * each `console.log(x); // <output>` prints is returned beside the outputs its comments promise.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { vi } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export async function runDocExample(
  doc: string,
  heading: string,
  cacheName: string,
): Promise<{ printed: string[]; expected: string[] }> {
  const text = readFileSync(join(root, doc), "utf8");
  const at = text.indexOf(heading);
  if (at < 0) throw new Error(`${doc} has no heading "${heading}"`);
  const code = /```ts\n([\s\S]*?)```/.exec(text.slice(at))?.[1];
  if (code === undefined) throw new Error(`${doc}: no ts block after "${heading}"`);
  const expected = [...code.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((m) => m[1]!);
  const dir = join(root, "node_modules/.cache", cacheName);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "example.ts");
  writeFileSync(
    file,
    code.replaceAll('"tickflare/engine"', JSON.stringify(join(root, "src/engine/index.ts"))),
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
  return { printed, expected };
}
