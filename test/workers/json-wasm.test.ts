/**
 * The engine's WebAssembly inside workerd: Workers compile no WebAssembly from bytes, so the
 * Worker imports engine.wasm (wrangler uploads it as a module) and hands it to the engine;
 * a family object then reads JSON publishes with it, and gives the same rows as the JavaScript
 * scan does for the texts the module leaves to it.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { jsonRowsWasm } from "../../src/engine/json-rows-wasm.ts";
import { ENGINE_WASM } from "../../src/engine/wasm/engine.wasm.ts";
import { create, family, publish, rowsOf, step } from "./router-helpers.ts";

const SPEC = {
  columns: {
    S: "string",
    D: "float64",
    F: "float32",
    I: "int32",
    H: "int16",
    B: "int8",
    L: "int64",
    O: "bool",
  },
  cycleMs: 3_600_000,
  derived: { all: "blinkToAppendOnly(source)" },
};

describe("the JSON scan's WebAssembly in a family object", () => {
  it("workerd refuses to compile it from bytes; the objects have the module the Worker imported", async () => {
    const bytes = Uint8Array.from(atob(ENGINE_WASM), (c) => c.charCodeAt(0));
    const compile = WebAssembly.Module as unknown as new (b: Uint8Array) => WebAssembly.Module;
    expect(() => new compile(bytes)).toThrow();
    await create("jw-module", SPEC);
    const have = await runInDurableObject(family("jw-module"), () => jsonRowsWasm() !== null);
    expect(have).toBe(true);
  });

  it("stores a publish of every kind it reads exactly: nulls, keys left out, any order, blanks", async () => {
    await create("jw-kinds", SPEC);
    const text = `[
      {"S":"SYM000042","D":123.45,"F":0.5,"I":-2147483648,"H":32767,"B":-128,"L":9007199254740991,"O":true},
      { "O" : false , "L" : -3 , "S" : "" , "D" : -0.001 },
      {"S":null,"D":null,"F":null,"I":null,"H":null,"B":null,"L":null,"O":null},
      {"S":"a string of more than sixteen bytes","I":7}
    ]`;
    const res = await publish("jw-kinds", text);
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    await step("jw-kinds");
    expect(await rowsOf("jw-kinds", "all")).toEqual([
      {
        S: "SYM000042",
        D: 123.45,
        F: 0.5,
        I: -2147483648,
        H: 32767,
        B: -128,
        L: 9007199254740991,
        O: true,
      },
      { S: "", D: -0.001, F: null, I: null, H: null, B: null, L: -3, O: false },
      { S: null, D: null, F: null, I: null, H: null, B: null, L: null, O: null },
      {
        S: "a string of more than sixteen bytes",
        D: null,
        F: null,
        I: 7,
        H: null,
        B: null,
        L: null,
        O: null,
      },
    ]);
  });

  it("a text it leaves to the JavaScript scan (exponents) gives the same rows", async () => {
    await create("jw-exp", SPEC);
    const res = await publish("jw-exp", '[{"S":"x","D":1e3,"F":2.5E-1,"L":12}]');
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    await step("jw-exp");
    expect(await rowsOf("jw-exp", "all")).toEqual([
      { S: "x", D: 1000, F: 0.25, I: null, H: null, B: null, L: 12, O: null },
    ]);
  });

  it("refuses an int8 value out of range with the row and column, storing nothing", async () => {
    await create("jw-range", SPEC);
    const res = await publish("jw-range", '[{"B":1},{"B":128}]');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; detail: string };
    expect(body.error).toBe("bad_value");
    expect(body.detail).toMatch(/^row 1, column "B": expected int8, got 128/);
    await step("jw-range");
    expect(await rowsOf("jw-range", "all")).toEqual([]);
  });
});
