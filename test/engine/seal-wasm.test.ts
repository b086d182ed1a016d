/**
 * The seals of full pages on the engine's WebAssembly (wasm/seal-wasm.ts, wasm/seal.c) against
 * the JavaScript loops they stand in for (`PagedColumn.#sealNarrow`, `#sealBytes`): the same
 * columns sealed with the module on and off give the same page forms, the same bytes held and the
 * same values read back, for random numeric pages (every width, decimals, NaN, -0, infinities,
 * nulls) and random string pages (repeated and distinct values, 16- and 17-byte ones, non-ASCII,
 * empty and null ones, through Arrow and JSON batches). Also: more columns sealing at once than
 * the module has indexes, and a column sealed with the module off between pages sealed with it.
 */
import * as arrow from "apache-arrow";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { asPagedColumn, PAGE_SIZE, PagedColumn } from "../../src/engine/column.ts";
import type { Vec } from "../../src/engine/column-source.ts";
import type { Table } from "../../src/engine/index.ts";
import { blinkToAppendOnly, tablePublisher, UpdateGraph } from "../../src/engine/index.ts";
import { seededRandom } from "../../src/engine/random.ts";
import { ENGINE_WASM } from "../../src/engine/wasm/engine.wasm.ts";
import {
  engineWasm,
  setEngineWasmEnabled,
  useEngineWasm,
} from "../../src/engine/wasm/engine-wasm.ts";
import { wasmSealIndexes } from "../../src/engine/wasm/seal-wasm.ts";
import { Tracker } from "./cycle-tracker.ts";
import { NUMERIC_CASE, numericValues } from "./numeric-pages.ts";

afterEach(() => setEngineWasmEnabled(true));

const P = PAGE_SIZE;
type Raw = number | bigint | null;

/** `values` as a Vec of `type` (`junk`: this under each null, else 0). */
function vecOf(type: "int64" | "instant" | "float64", values: readonly Raw[], junk = 0): Vec {
  const valid = Uint8Array.from(values, (v) => (v === null ? 0 : 1));
  const data =
    type === "float64"
      ? Float64Array.from(values, (v) => (v ?? junk) as number)
      : BigInt64Array.from(values, (v) => (v ?? BigInt(junk)) as bigint);
  return { data, valid, length: values.length };
}

/** What a column holds: each page's form, its bytes held, and every value (NaN and -0 apart). */
function stateOf(c: PagedColumn, n: number) {
  const pages = Math.ceil(n / P);
  return {
    forms: Array.from({ length: pages }, (_, pi) => c.pageForm(pi)),
    heapBytes: c.heapBytes,
    values: Array.from({ length: n }, (_, k) => {
      const v = c.getRaw(k);
      return typeof v === "number" && (Number.isNaN(v) || Object.is(v, -0)) ? String(v) : v;
    }),
  };
}

/** The state of a column of `type` that `model` was written to in runs, sealed page by page. */
function sealedNumeric(
  type: "int64" | "instant" | "float64",
  model: Raw[],
  seed: number,
  wasm: boolean,
  junk = 0,
) {
  setEngineWasmEnabled(wasm);
  const rnd = seededRandom(seed);
  const t = new Tracker();
  const c = new PagedColumn(type, t);
  c.sealFullPages();
  for (let k = 0; k < model.length; ) {
    const len = Math.min(model.length - k, 1 + Math.floor(rnd() * (P + 500)));
    c.writeRun(k, vecOf(type, model.slice(k, k + len), junk));
    k += len;
    if (rnd() < 0.5) t.end();
  }
  t.end();
  const state = stateOf(c, model.length);
  setEngineWasmEnabled(true);
  return state;
}

/** Arrow IPC stream bytes of rows of string columns `names` (and G, an Int32 column). */
function ipcOf(
  rows: readonly Record<string, string | null>[],
  names: readonly string[],
): Uint8Array {
  const vectors: Record<string, arrow.Vector> = {};
  for (const n of names)
    vectors[n] = arrow.vectorFromArray(
      rows.map((r) => r[n] ?? null),
      new arrow.Utf8(),
    );
  vectors.G = arrow.vectorFromArray(
    rows.map((_, i) => i),
    new arrow.Int32(),
  );
  return arrow.tableToIPC(new arrow.Table(vectors), "stream");
}

/**
 * An append-only table of string columns `names` fed `batches` (each as Arrow or JSON), one cycle
 * each: each column's page forms, bytes held and values.
 */
async function sealedStrings(
  names: readonly string[],
  batches: readonly { rows: Record<string, string | null>[]; json: boolean }[],
  wasmAt: (batch: number) => boolean = () => true,
) {
  const g = new UpdateGraph({ seed: 1 });
  const columns: Record<string, "string" | "int32"> = { G: "int32" };
  for (const n of names) columns[n] = "string";
  const [blink, pub] = tablePublisher(g, { columns });
  const all: Table = blinkToAppendOnly(blink);
  for (const [b, { rows, json }] of batches.entries()) {
    setEngineWasmEnabled(wasmAt(b));
    if (json) pub.addJson(JSON.stringify(rows.map((r, i) => ({ ...r, G: i }))));
    else pub.addArrow(ipcOf(rows, names));
    await g.runCycle();
  }
  setEngineWasmEnabled(true);
  return Object.fromEntries(
    names.map((n) => {
      const c = asPagedColumn(all.column(n));
      return [n, stateOf(c, all.size)];
    }),
  );
}

describe("seals on the engine's WebAssembly give what the JavaScript loops give", () => {
  it("runs here (Node)", () => {
    expect(engineWasm()).not.toBeNull();
  });

  it("numeric pages: every width, decimals, NaN, -0, infinities, nulls (property)", () => {
    fc.assert(
      fc.property(fc.record({ ...NUMERIC_CASE, pages: fc.integer({ min: 1, max: 3 }) }), (cs) => {
        const { seed, type, pages } = cs;
        const { value } = numericValues(cs);
        const model: Raw[] = Array.from({ length: pages * P + 17 }, (_, i) => value(i % P));
        const on = sealedNumeric(type, model, seed, true);
        const off = sealedNumeric(type, model, seed, false);
        expect(on).toEqual(off);
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it("numeric pages whose rows the module takes several at a time: one row anywhere that needs more decimals, is -0, is null or is past 32 bits (property)", () => {
    // The module narrows two float64 or four int64 rows a step, and any other row (a null, -0,
    // one needing more decimals, one past 32 bits) the JavaScript loop's way: such rows at any
    // place of a pair or a four, among integers rising or falling along the page (so the least or
    // greatest one, which decides the width once the decimals rise, may come only before them),
    // with junk under the nulls.
    const odd = fc.constantFrom("decimal", "minus zero", "null", "wide");
    fc.assert(
      fc.property(
        fc.constantFrom("int64" as const, "float64" as const),
        fc.constantFrom(-40_000, -1000, -128, -100, 0, 0),
        fc.constantFrom(0, 0, 20, 127, 200),
        fc.boolean(),
        // (Late rows often: the decimals rise after the least or greatest value.)
        fc.array(fc.tuple(fc.oneof(fc.nat(P - 1), fc.integer({ min: P - 40, max: P - 1 })), odd), {
          maxLength: 3,
        }),
        fc.integer({ min: 1, max: 0x7ffffffe }),
        (type, lo, hi, rising, odds, seed) => {
          const model: Raw[] = Array.from({ length: 2 * P }, (_, i) => {
            const f = (i % P) / (P - 1);
            const v = Math.round(lo + (hi - lo) * (rising ? f : 1 - f));
            return type === "float64" ? v + 0 : BigInt(v);
          });
          for (const [slot, what] of odds) {
            const at = P + slot;
            if (what === "null") model[at] = null;
            else if (what === "wide") model[at] = type === "float64" ? 2 ** 31 : 2n ** 31n;
            else if (type === "float64" && what === "decimal") model[at] = (rising ? hi : lo) + 0.5;
            else if (type === "float64" && what === "minus zero") model[at] = -0;
          }
          const on = sealedNumeric(type, model, seed, true, 100_000);
          const off = sealedNumeric(type, model, seed, false, 100_000);
          expect(on).toEqual(off);
        },
      ),
      {
        numRuns: 300,
        // The least (then the greatest) value only before decimals that rise near the end.
        examples: [
          ["float64", -128, 0, true, [[P - 10, "decimal"]], 1],
          ["float64", 0, 200, false, [[P - 10, "decimal"]], 1],
        ],
      },
    );
  }, 120_000);

  it("string pages: repeated, distinct, 16- and 17-byte, non-ASCII, empty and null values (property)", async () => {
    // Values the module keys (1..16 ASCII bytes, some differing only by a trailing 0 byte), and
    // those it hands back (longer, not ASCII).
    const keyed = ["a", "a\u0000", "a\u0000b", "SYM000042", "exactly 16 bytes", "", "~", "zz"];
    const others = ["seventeen bytes!!", "déjà"];
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer({ min: 1, max: 0x7ffffffe }),
          // Per page: a few keyed values (with others now and then), many short ones, distinct ids,
          // or one value with a rare other one.
          kinds: fc.array(fc.constantFrom("keyed", "mixed", "short", "ids", "rare"), {
            minLength: 1,
            maxLength: 5,
          }),
          nulls: fc.constantFrom(0, 0.1),
          batch: fc.constantFrom(1024, 2048, 1000),
        }),
        async ({ seed, kinds, nulls, batch }) => {
          const rnd = seededRandom(seed);
          const value = (kind: string, i: number): string | null => {
            if (rnd() < nulls) return null;
            if (kind === "keyed") return keyed[Math.floor(rnd() * keyed.length)]!;
            if (kind === "mixed")
              return rnd() < 0.01 ? others[Math.floor(rnd() * 2)]! : keyed[Math.floor(rnd() * 8)]!;
            if (kind === "short") return `k${Math.floor(rnd() * 300)}`;
            if (kind === "rare") return rnd() < 0.001 ? others[Math.floor(rnd() * 2)]! : "x";
            return `id-${seed}-${i}`;
          };
          const rows: Record<string, string | null>[] = [];
          for (const [pi, kind] of kinds.entries())
            for (let i = 0; i < P; i++) rows.push({ S: value(kind, pi * P + i) });
          const batches = [];
          for (let at = 0; at < rows.length; at += batch)
            batches.push({ rows: rows.slice(at, at + batch), json: rnd() < 0.3 });
          const on = await sealedStrings(["S"], batches);
          const off = await sealedStrings(["S"], batches, () => false);
          expect(on).toEqual(off);
          expect(on.S!.values).toEqual(rows.map((r) => r.S));
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  it("more string columns sealing at once than the module has indexes (8): each reads as written", async () => {
    const names = Array.from({ length: 11 }, (_, c) => `C${c}`);
    const rows: Record<string, string | null>[] = [];
    for (let i = 0; i < 3 * P; i++) {
      const r: Record<string, string | null> = {};
      // Column c: c + 2 values, different in every column (and per page a new one).
      for (const [c, n] of names.entries())
        r[n] = `v${c}-${(i * 7) % (c + 2)}-${Math.floor(i / P)}`;
      rows.push(r);
    }
    const batches = [];
    for (let at = 0; at < rows.length; at += 1024)
      batches.push({ rows: rows.slice(at, at + 1024), json: false });
    const on = await sealedStrings(names, batches);
    const off = await sealedStrings(names, batches, () => false);
    expect(on).toEqual(off);
    for (const n of names) {
      expect(on[n]!.forms).toEqual(["dictionary", "dictionary", "dictionary"]);
      expect(on[n]!.values).toEqual(rows.map((r) => r[n]));
    }
  });

  it("a column sealed with the module off between pages sealed with it: strings added meanwhile are found", async () => {
    // Page 0 with the module, page 1 without (new strings join the dictionary), page 2 with it
    // again (its index catches up with the dictionary): values as written, every page a
    // dictionary, the same as with the module off throughout.
    const rows: Record<string, string | null>[] = [];
    for (let i = 0; i < 3 * P; i++)
      rows.push({ S: `p${Math.min(Math.floor(i / P), 1)}-${i % 50}` });
    const batches = [];
    for (let at = 0; at < rows.length; at += 1024)
      batches.push({ rows: rows.slice(at, at + 1024), json: false });
    const mixed = await sealedStrings(["S"], batches, (b) => b < 4 || b >= 8);
    const off = await sealedStrings(["S"], batches, () => false);
    expect(mixed).toEqual(off);
    expect(mixed.S!.forms).toEqual(["dictionary", "dictionary", "dictionary"]);
    expect(mixed.S!.values).toEqual(rows.map((r) => r.S));
  });

  it("looks a page up whose keys lie past 16 bytes a row (long bytes under a null): the rest is copied", () => {
    // Not a page a column makes (its open pages hold no bytes under a null), but the look-up's
    // first copy stops at 16 bytes a row, and a key past that must still be found.
    const ix = wasmSealIndexes(engineWasm()!);
    const strs = ["", "a", "bb"];
    const enc = new TextEncoder();
    const values = ["x".repeat(100), "a", "bb", "a", "cc"];
    const valid = Uint8Array.from([0, 1, 1, 1, 1]);
    const offs = new Int32Array(values.length + 1);
    const parts = values.map((v) => enc.encode(v));
    for (let i = 0; i < parts.length; i++) offs[i + 1] = offs[i]! + parts[i]!.length;
    const bytes = new Uint8Array(offs[values.length]! + 50);
    for (let i = 0; i < parts.length; i++) bytes.set(parts[i]!, offs[i]!);
    ix.begin(strs, bytes, offs, valid, values.length);
    // "a" and "bb" are found; "cc" is not in the index (row 4), past the first 80 bytes copied.
    expect(ix.run(0)).toBe(4);
    ix.insert(offs[4]!, offs[5]!, 3, 4);
    expect(ix.run(4)).toBe(values.length);
    expect(Array.from(ix.codes(true))).toEqual([0, 1, 2, 1, 3]);
  });

  it("a module whose memory cannot grow leaves every page and text to the JavaScript loops: the same tables", async () => {
    // (Workers' types declare no constructor for WebAssembly.Module.)
    const compile = WebAssembly.Module as unknown as new (b: Uint8Array) => WebAssembly.Module;
    const fresh = () =>
      useEngineWasm(new compile(Uint8Array.from(atob(ENGINE_WASM), (c) => c.charCodeAt(0))));
    const rows: Record<string, string | null>[] = [];
    for (let i = 0; i < 2 * P + 5; i++) rows.push({ S: `k${i % 40}` });
    const batches = [];
    for (let at = 0; at < rows.length; at += 1024)
      batches.push({ rows: rows.slice(at, at + 1024), json: at % 2048 === 0 });
    const model: Raw[] = Array.from({ length: 2 * P }, (_, i) => (i % 300) / 4);
    try {
      fresh();
      const w = engineWasm()!;
      // A memory that cannot grow: its first text or page that needs more than it has.
      w.ensure = () => false;
      const stuck = await sealedStrings(["S"], batches);
      const stuckNumbers = sealedNumeric("float64", model, 5, true);
      expect(engineWasm()).toBe(w);
      const off = await sealedStrings(["S"], batches, () => false);
      expect(stuck).toEqual(off);
      expect(stuck.S!.forms.slice(0, 2)).toEqual(["dictionary", "dictionary"]);
      expect(stuckNumbers).toEqual(sealedNumeric("float64", model, 5, false));
      expect(stuckNumbers.forms).toEqual(["narrow", "narrow"]);
    } finally {
      fresh();
    }
  });
});
