/**
 * The router's JSON body check on the engine's WebAssembly (src/engine/wasm/json-check.c, through
 * `checkOnModule` in src/worker/json-check.ts) against the JavaScript scan and the reference
 * (decode, `JSON.parse`, the row check): the same suite with the module on and off, the module's
 * own answers compared with the reference on the suite's inputs, and nesting past its depth left
 * to the JavaScript scan.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { engineWasm, setEngineWasmEnabled } from "../../src/engine/wasm/engine-wasm.ts";
import { checkOnModule, isJsonArrayOfObjects } from "../../src/worker/json-check.ts";
import {
  bytesOf,
  edits,
  jsonCheckSuite,
  mutate,
  reference,
  rowsText,
} from "../json-check-suite.ts";

afterEach(() => setEngineWasmEnabled(true));

/** `isJsonArrayOfObjects` with the module off (the JavaScript scan). */
function scanned(b: Uint8Array): boolean {
  setEngineWasmEnabled(false);
  try {
    return isJsonArrayOfObjects(b);
  } finally {
    setEngineWasmEnabled(true);
  }
}

jsonCheckSuite("isJsonArrayOfObjects, the engine's WebAssembly on", isJsonArrayOfObjects);
jsonCheckSuite("isJsonArrayOfObjects, the JavaScript scan", scanned);

describe("the module's own answers", () => {
  const module = () => {
    const w = engineWasm();
    expect(w).not.toBeNull();
    return (b: Uint8Array) => checkOnModule(w!, b);
  };

  it("property: the reference's answer on texts of rows, as written and with bytes edited", () => {
    const check = module();
    fc.assert(
      fc.property(rowsText, edits, (text, list) => {
        const whole = bytesOf(text);
        expect(check(whole)).toBe(1);
        const b = mutate(whole, list);
        expect(check(b)).toBe(reference(b) ? 1 : 0);
      }),
      { numRuns: 2000 },
    );
  });

  it("nesting past its depth is not answered there; isJsonArrayOfObjects still is", () => {
    const check = module();
    const deep = (n: number) => bytesOf(`[{"a":${"[".repeat(n)}1${"]".repeat(n)}}]`);
    expect(check(deep(4000))).toBe(1);
    expect(check(deep(5000))).toBe(2);
    expect(isJsonArrayOfObjects(deep(5000))).toBe(true);
    const broken = deep(5000).slice(0, -3);
    expect(check(broken)).toBe(2);
    expect(isJsonArrayOfObjects(broken)).toBe(false);
  });

  it("a body with a zero byte inside, and one of 3 MB: the reference's answer", () => {
    const check = module();
    expect(check(bytesOf('[{"a":1}]\u0000'))).toBe(0);
    expect(check(bytesOf('[{"a":"x\u0000y"}]'))).toBe(0);
    const rows = Array.from({ length: 30_000 }, (_, i) => ({
      id: i,
      s: `é${i}`,
      v: [i, { w: null }],
    }));
    const big = bytesOf(JSON.stringify(rows));
    expect(big.length).toBeGreaterThan(1 << 20);
    expect(check(big)).toBe(1);
    expect(check(big.subarray(0, big.length - 1))).toBe(0);
  });
});
