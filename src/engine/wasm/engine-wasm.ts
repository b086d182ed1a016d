/**
 * The engine's WebAssembly: one module (engine.wasm, built by `npm run build:wasm` from
 * json-rows.c, seal.c, cache.c and agg.c, with key.c) with the loops that JavaScript runs slowest,
 * each standing in for a JavaScript loop that gives the same answers and runs wherever the module
 * does not:
 * - the JSON body scan (`readJsonRows`, ../json-rows-wasm.ts);
 * - the seals of an append-only column's full pages (`PagedColumn.sealFullPages`, ../column.ts);
 * - the look-up of a key column's values in the string cache's large level (../arrow/utf8-intern.ts);
 * - an aggregation's group counts and integer and float sums (../agg/agg-wasm.ts).
 *
 * The module is compiled from bytes (engine.wasm.ts, base64) on first use, in Node, Deno and
 * browsers. Cloudflare Workers compile no WebAssembly from bytes (only modules uploaded with the
 * Worker): there that fails once and the JavaScript loops run, unless the Worker passes the
 * module it imported to `useEngineWasm` (this project's Worker does: src/worker/index.ts).
 *
 * Its memory: the module's own data (the seals' indexes, about 600 KB), then the bytes kept across
 * calls (`keep`: the string cache's table, cache-wasm.ts), then a scratch area from `scratch`, laid
 * out afresh by each call that uses it (calls are synchronous and never nest), grown when a call
 * needs more and never shrunk.
 */

import { ENGINE_WASM } from "./engine.wasm.ts";

const WASM_PAGE = 65536;
/**
 * Most bytes one call lays out in the scratch area: the memory never shrinks, and a Durable
 * Object has 128 MB (a call that would need more gives its work to the JavaScript loop, or goes
 * in parts).
 */
export const MAX_SCRATCH = 8 << 20;

/** cache.c's look-ups (`cacheProbe`, and `cacheProbeBlocks` for tables past the caches). */
type CacheProbe = (
  table: number,
  wayBits: number,
  shift: number,
  mask: number,
  bytes: number,
  b0: number,
  offs: number,
  n: number,
  end: number,
  out: number,
  sets: number,
  words: number,
) => number;

/** agg.c's integer sums (`aggSumI64`, `aggSumI32`). */
type AggSumInt = (
  slots: number,
  vals: number,
  valid: number,
  n: number,
  sign: number,
  abs: number,
  d: number,
) => number;

/** The module's exports (json-rows.c, seal.c, cache.c and agg.c). */
export interface EngineExports {
  memory: WebAssembly.Memory;
  heap(): number;
  // key.c
  keyInit(): void;
  // json-rows.c
  layout(which: number): number;
  prepare(): void;
  read(at: number, len: number, cap: number): number;
  // seal.c
  narrowResult(): number;
  narrowF64(d: number, valid: number, n: number, k: number, maxDecimals: number): number;
  narrowI64(w: number, valid: number, n: number, k: number): number;
  packCodes(c: number, n: number): void;
  sealReset(slot: number): void;
  sealInsert(slot: number, p: number, len: number, code: number): number;
  sealBytes(
    slot: number,
    bytes: number,
    offs: number,
    valid: number,
    n: number,
    from: number,
    out: number,
    limit: number,
  ): number;
  // agg.c
  aggCount(
    slots: number,
    n: number,
    delta: number,
    counts: number,
    mark: number,
    stamp: number,
    touched: number,
    was: number,
    nt: number,
  ): number;
  aggSumI64: AggSumInt;
  aggSumI32: AggSumInt;
  aggSumF64(
    slots: number,
    vals: number,
    valid: number,
    n: number,
    sign: number,
    abs: number,
    sum: number,
    sq: number,
    normal: number,
    nan: number,
    pinf: number,
    ninf: number,
  ): number;
  // cache.c
  cacheProbe: CacheProbe;
  cacheProbeBlocks: CacheProbe;
  cacheHold(table: number, keys: number, codes: number, sets: number, wayBits: number): void;
  // json-check.c
  jsonCheck(bytes: number, n: number): number;
}

/** An instance of the module, with views of its memory. */
export class EngineWasm {
  readonly x: EngineExports;
  /** First byte after the module's data (16-aligned): where the kept bytes start (`keep`). */
  readonly kept: number;
  /** Bytes kept across calls (16-aligned). */
  #keptBytes = 0;
  #u8: Uint8Array;
  #i32: Int32Array;

  constructor(module: WebAssembly.Module) {
    const instance = new WebAssembly.Instance(module, {});
    this.x = instance.exports as unknown as EngineExports;
    this.kept = (this.x.heap() + 15) & ~15;
    this.x.keyInit();
    this.#u8 = new Uint8Array(this.x.memory.buffer);
    this.#i32 = new Int32Array(this.x.memory.buffer);
  }

  /** First byte of the scratch area (16-aligned), after the kept bytes. */
  get scratch(): number {
    return this.kept + this.#keptBytes;
  }

  /**
   * Keeps the first `bytes` from `kept` across calls (the bytes already kept stay as they are;
   * the scratch area moves past them); false when the memory cannot grow to hold them. Only
   * between calls: more kept bytes cover what a call under way laid out in the scratch area.
   */
  keep(bytes: number): boolean {
    const b = (bytes + 15) & ~15;
    if (b <= this.#keptBytes) return true;
    if (!this.ensure(this.kept + b)) return false;
    this.#keptBytes = b;
    return true;
  }

  /** The memory as bytes (a view made again after it grows). */
  get u8(): Uint8Array {
    return this.#u8;
  }

  /** The memory as 32-bit integers (a view made again after it grows). */
  get i32(): Int32Array {
    return this.#i32;
  }

  /** The memory's buffer now (a grow replaces it). */
  get buffer(): ArrayBuffer {
    return this.x.memory.buffer;
  }

  /**
   * Grows the memory to at least `end` bytes; false when it cannot grow (the caller then runs its
   * JavaScript loop instead).
   */
  ensure(end: number): boolean {
    const memory = this.x.memory;
    if (end <= memory.buffer.byteLength) return true;
    try {
      memory.grow(Math.ceil((end - memory.buffer.byteLength) / WASM_PAGE));
    } catch {
      return false;
    }
    this.#u8 = new Uint8Array(memory.buffer);
    this.#i32 = new Int32Array(memory.buffer);
    return true;
  }
}

/** The instance in use: undefined until first asked for; null where it cannot be compiled. */
let current: EngineWasm | null | undefined;
/** Off for tests that run a loop both ways (`setEngineWasmEnabled`). */
let enabled = true;

/** The engine's WebAssembly, compiled on first use, or null where it does not run. */
export function engineWasm(): EngineWasm | null {
  if (!enabled) return null;
  if (current === undefined) {
    try {
      // (Workers' types declare no constructor, since Workers refuse it.)
      const compile = WebAssembly.Module as unknown as new (b: Uint8Array) => WebAssembly.Module;
      current = new EngineWasm(new compile(decodeBase64(ENGINE_WASM)));
    } catch {
      // No WebAssembly from bytes here (Cloudflare Workers): the JavaScript loops run, unless
      // `useEngineWasm` is given the module.
      current = null;
    }
  }
  return current;
}

/**
 * Gives the engine its WebAssembly, for a runtime that does not compile WebAssembly from bytes: a
 * Cloudflare Worker imports `engine.wasm` (wrangler makes a `.wasm` import a `WebAssembly.Module`)
 * and passes it here once, at module scope.
 */
export function useEngineWasm(module: WebAssembly.Module): void {
  current = new EngineWasm(module);
}

/**
 * @internal Turns the engine's WebAssembly off (false: the JavaScript loops run) or back on, for
 * tests that compare the two.
 */
export function setEngineWasmEnabled(on: boolean): void {
  enabled = on;
}

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
