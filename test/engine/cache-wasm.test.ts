/**
 * The string cache's large-level look-ups on the engine's WebAssembly (wasm/cache-wasm.ts,
 * wasm/cache.c) against the JavaScript loop they stand in for (`Utf8Intern.probe`): the same
 * batches through levels of 4, 8 and 16 ways (that grow, turn values away and empty), with the
 * module on and off, give the same answers call by call (found strings and codes, misses with
 * their sets and key words, hits and misses counted), while the misses are inserted between calls
 * as the decoder inserts them, by both of the module's kernels (row by row, and by blocks, which
 * it uses for tables past the CPU's caches). Values: keys of 1..16 ASCII bytes, 17-byte and
 * non-ASCII ones, empty ones; offsets from 0 and from inside a larger buffer. Also: two levels
 * probed in turn (the module holds one table at a time), offsets out of order or past the end (the
 * same error), and a module whose memory cannot grow (the JavaScript loop answers).
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { Utf8Intern } from "../../src/engine/arrow/utf8-intern.ts";
import { PROBE_ROWS, setProbeBlocksFrom, wasmKeyTable } from "../../src/engine/wasm/cache-wasm.ts";
import { ENGINE_WASM } from "../../src/engine/wasm/engine.wasm.ts";
import {
  engineWasm,
  MAX_SCRATCH,
  setEngineWasmEnabled,
  useEngineWasm,
} from "../../src/engine/wasm/engine-wasm.ts";

afterEach(() => {
  setEngineWasmEnabled(true);
  setProbeBlocksFrom(1 << 20);
});

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A batch of values as UTF-8: `bytes`, and `offs` from `skip` bytes into them. */
interface Batch {
  bytes: Uint8Array;
  offs: Int32Array;
  n: number;
}

function batchOf(values: readonly string[], skip: number, tail: number): Batch {
  const parts = values.map((v) => encoder.encode(v));
  const offs = new Int32Array(values.length + 1);
  offs[0] = skip;
  for (let i = 0; i < parts.length; i++) offs[i + 1] = offs[i]! + parts[i]!.length;
  const bytes = new Uint8Array(offs[values.length]! + tail).fill(0x41);
  for (let i = 0; i < parts.length; i++) bytes.set(parts[i]!, offs[i]!);
  return { bytes, offs, n: values.length };
}

const bad = (): never => {
  throw new Error("bad offsets");
};

/**
 * What probing `batches` in turn gives (each into level `levels[which]`), the misses decoded and
 * inserted after each call as the decoder does; then each level's counters.
 */
function transcript(
  makeLevels: () => Utf8Intern[],
  batches: readonly { batch: Batch; which: number }[],
  wasm: boolean,
) {
  setEngineWasmEnabled(wasm);
  const levels = makeLevels();
  const calls = [];
  for (const { batch, which } of batches) {
    const level = levels[which % levels.length]!;
    const { bytes, offs, n } = batch;
    const out = new Array<string>(n).fill("?");
    const codes = new Int32Array(n).fill(-9);
    const r = level.probe(bytes, offs, n, offs[n]!, out, 0, bad, false, codes);
    const rows = Array.from(r.rows.subarray(0, r.count));
    const call = {
      count: r.count,
      hits: r.hits,
      all: r.all,
      rows,
      sets: rows.map((row) => r.sets[row]!),
      words: rows.map((row) =>
        r.sets[row] === 0 ? null : Array.from(r.words.subarray(4 * row, 4 * row + 4)),
      ),
      found: [...out],
      codes: Array.from(codes),
    };
    for (const row of rows) out[row] = decoder.decode(bytes.subarray(offs[row]!, offs[row + 1]!));
    for (const row of rows) {
      const set = r.sets[row]!;
      if (set !== 0) codes[row] = level.insert(set - 1, r.words, row << 2, out[row]!);
    }
    calls.push({ ...call, inserted: Array.from(codes) });
  }
  const counters = levels.map((l) => [l.hits, l.misses, l.clears, l.entries]);
  setEngineWasmEnabled(true);
  return { calls, counters };
}

/** Values: keys from a pool of `pool` (1..16 ASCII bytes), and some of every other kind. */
const valueArb = (pool: number) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.integer({ min: 0, max: pool - 1 }).map((k) => `k${k}`) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 0, max: 50 }))
        .map(([len, k]) => `${k}`.padEnd(len, "x").slice(0, len)),
    },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 9 }).map((k) => `${k}`.padEnd(17, "y")) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 9 }).map((k) => `é${k}`) },
    { weight: 1, arbitrary: fc.constant("") },
  );

const batchesArb = (pool: number) =>
  fc.array(
    fc.record({
      values: fc.array(valueArb(pool), { minLength: 0, maxLength: 300 }),
      skip: fc.integer({ min: 0, max: 40 }),
      tail: fc.integer({ min: 0, max: 20 }),
      which: fc.integer({ min: 0, max: 1 }),
    }),
    { minLength: 1, maxLength: 12 },
  );

describe("the string cache's large level on the engine's WebAssembly", () => {
  it("runs here (the tests below compare it with the JavaScript loop)", () => {
    const t = wasmKeyTable(engineWasm()!);
    t.outAt = 0;
    const level = new Utf8Intern(2, 1 << 22, null, 8);
    const { bytes, offs, n } = batchOf(["AAPL", "MSFT", "AAPL"], 0, 0);
    const r = level.probe(bytes, offs, n, offs[n]!, new Array<string>(n), 0, bad, false);
    expect(r.count).toBe(3);
    // The call went through the module (`probe` left its answers' place).
    expect(t.outAt).toBeGreaterThan(0);
  });

  it("gives the JavaScript loop's answers, call by call, as levels fill, grow, turn values away and empty", () => {
    fc.assert(
      fc.property(
        // 0: every table is looked up by blocks (cache.c's kernel for tables past the caches).
        fc.constantFrom(0, 1 << 20),
        fc.constantFrom(4, 8, 16),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 4, max: 3000 }),
        batchesArb(3000),
        (blocksFrom, ways, setBits, pool, raw) => {
          setProbeBlocksFrom(blocksFrom);
          const batches = raw.map((b) => ({
            batch: batchOf(
              b.values.map((v) => (v.startsWith("k") ? `k${Number(v.slice(1)) % pool}` : v)),
              b.skip,
              b.tail,
            ),
            which: b.which,
          }));
          const make = () => [
            new Utf8Intern(setBits, 1 << 22, null, ways),
            new Utf8Intern(Math.max(0, setBits - 1), 1 << 22, null, ways),
          ];
          expect(transcript(make, batches, true)).toEqual(transcript(make, batches, false));
        },
      ),
      { numRuns: 120 },
    );
  });

  it("finds what it held before another level's table took its place", () => {
    const make = () => [new Utf8Intern(4, 1 << 22, null, 8), new Utf8Intern(4, 1 << 22, null, 8)];
    const keys = Array.from({ length: 200 }, (_, i) => `SYM${i % 60}`);
    const other = Array.from({ length: 200 }, (_, i) => `OTH${i % 70}`);
    const batches = [
      { batch: batchOf(keys, 0, 0), which: 0 },
      { batch: batchOf(other, 3, 0), which: 1 },
      { batch: batchOf(keys, 5, 7), which: 0 },
      { batch: batchOf(other, 0, 16), which: 1 },
      { batch: batchOf(keys, 0, 0), which: 0 },
    ];
    const on = transcript(make, batches, true);
    expect(on).toEqual(transcript(make, batches, false));
    // A level's first call finds nothing (its misses go in after it); every later one finds all.
    expect(on.calls.map((c) => c.hits)).toEqual([0, 0, 200, 200, 200]);
  });

  it("takes a batch larger than a call in parts, with the same answers, and keeps its memory bounded", () => {
    const make = () => [new Utf8Intern(6, 1 << 22, null, 8)];
    const rows = 3 * PROBE_ROWS + 17;
    const values = Array.from({ length: rows }, (_, i) =>
      i % 97 === 0 ? `${i}`.padEnd(17, "z") : i % 89 === 0 ? "" : `K${(i * 7) % 300}`,
    );
    const batches = [0, 5].map((skip) => ({ batch: batchOf(values, skip, 3), which: 0 }));
    const on = transcript(make, batches, true);
    expect(on).toEqual(transcript(make, batches, false));
    expect(on.calls[1]!.count).toBe(values.filter((v) => v.length > 16).length);
    // 1,000,000 rows of 9-byte keys (37 MB laid out at once): the scratch holds one part at a time.
    const big = batchOf(
      Array.from({ length: 1_000_000 }, (_, i) => `SYM${String(i % 500).padStart(6, "0")}`),
      0,
      0,
    );
    const level = make()[0]!;
    const out = new Array<string>(1_000_000);
    level.probe(big.bytes, big.offs, 1_000_000, big.offs[1_000_000]!, out, 0, bad, false);
    expect(engineWasm()!.buffer.byteLength).toBeLessThan(MAX_SCRATCH + (8 << 20));
  });

  it("reports offsets out of order or past the end as the JavaScript loop does", () => {
    for (const wasm of [true, false]) {
      setEngineWasmEnabled(wasm);
      const level = new Utf8Intern(4, 1 << 22, null, 8);
      const { bytes, offs, n } = batchOf(["a", "bb", "ccc", "dd", "e"], 0, 4);
      const out = new Array<string>(n).fill("");
      const backwards = offs.slice();
      backwards[3] = 1;
      expect(() => level.probe(bytes, backwards, n, offs[n]!, out, 0, bad, false)).toThrow(
        "bad offsets",
      );
      const past = offs.slice();
      past[n] = offs[n]! + 3;
      expect(() => level.probe(bytes, past, n, offs[n]!, out, 0, bad, false)).toThrow(
        "bad offsets",
      );
      const r = level.probe(bytes, offs, n, offs[n]!, out, 0, bad, false);
      expect([r.count, r.hits]).toEqual([5, 0]);
    }
    setEngineWasmEnabled(true);
  });

  it("a module whose memory cannot grow leaves the look-ups to the JavaScript loop: the same answers", () => {
    // (Workers' types declare no constructor for WebAssembly.Module.)
    const compile = WebAssembly.Module as unknown as new (b: Uint8Array) => WebAssembly.Module;
    const fresh = () =>
      useEngineWasm(new compile(Uint8Array.from(atob(ENGINE_WASM), (c) => c.charCodeAt(0))));
    const make = () => [new Utf8Intern(5, 1 << 22, null, 8)];
    const values = Array.from({ length: 500 }, (_, i) => `K${(i * 7) % 90}`);
    const batches = [0, 1, 2].map((s) => ({ batch: batchOf(values, s, 1), which: 0 }));
    try {
      fresh();
      const w = engineWasm()!;
      w.ensure = () => false;
      const stuck = transcript(make, batches, true);
      expect(engineWasm()).toBe(w);
      expect(stuck).toEqual(transcript(make, batches, false));
      expect(stuck.calls.map((c) => c.hits)).toEqual([0, 500, 500]);
    } finally {
      fresh();
    }
  });
});
