/**
 * Deno smoke suite: the engine is web-standard, so it must load and run under Deno with
 * `.ts` imports and `apache-arrow` resolved from ./node_modules (deno.json: nodeModulesDir
 * "manual"; no network, no jsr:).
 */
import * as engine from "../../src/engine/index.ts";

Deno.test("engine module loads under Deno", () => {
  if (typeof engine !== "object" || engine === null) {
    throw new Error(`expected the engine module namespace, got ${typeof engine}`);
  }
});
