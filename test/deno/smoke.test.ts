/**
 * Deno smoke suite: the engine is web-standard, so every module must load and run under Deno
 * (`.ts` imports, apache-arrow from ./node_modules; deno.json: nodeModulesDir "manual"; no
 * network, no jsr:). One test per engine area, each with exact expected results.
 */

import { buildFamily } from "../../src/engine/family/family.ts";
import {
  agg,
  blinkToAppendOnly,
  DynamicTableWriter,
  emptyTable,
  FormulaError,
  fromArrowIPC,
  intCol,
  longCol,
  merge,
  newTable,
  ringTable,
  stringCol,
  tablePublisher,
  timeTable,
  toArrowIPC,
  UpdateGraph,
} from "../../src/engine/index.ts";
import { jsonRowsWasm } from "../../src/engine/json-rows-wasm.ts";

const show = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `${x}n` : x));

function assertEquals(actual: unknown, expected: unknown): void {
  if (show(actual) !== show(expected))
    throw new Error(`expected ${show(expected)}, got ${show(actual)}`);
}

function assertThrows(fn: () => unknown, cls: new (...a: never[]) => Error, text: string): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof cls) || !e.message.includes(text))
      throw new Error(`wrong error: ${String(e)}`);
    return;
  }
  throw new Error("expected an error");
}

Deno.test("static tables and formulas", () => {
  const t = emptyTable(5).update("IntIdx = i", "LongIdx = ii", "G = ii % 2 == 0 ? `A` : `B`");
  assertEquals(t.where("IntIdx > 2").toRows(), [
    { IntIdx: 3, LongIdx: 3n, G: "B" },
    { IntIdx: 4, LongIdx: 4n, G: "A" },
  ]);
  assertThrows(() => t.update("X = Nope + 1"), FormulaError, "Nope");
});

Deno.test("publisher, ring, blinkToAppendOnly and an aggregation tick together", async () => {
  const g = new UpdateGraph({ seed: 1 });
  const [blink, pub] = tablePublisher(g, { name: "p", columns: { Sym: "string", Size: "int64" } });
  const ring = ringTable(blink, 2);
  const hist = blinkToAppendOnly(blink);
  const sums = blink.view("Sym", "Size").sumBy("Sym");
  pub.add(newTable([stringCol("Sym", ["A", "B", "A"]), longCol("Size", [1n, 2n, 3n])]));
  await g.runCycle();
  pub.addRows([{ Sym: "B", Size: 10n }]);
  await g.runCycle();
  assertEquals(blink.toRows(), [{ Sym: "B", Size: 10n }]);
  assertEquals(ring.toRows(), [
    { Sym: "A", Size: 3n },
    { Sym: "B", Size: 10n },
  ]);
  assertEquals(hist.size, 4);
  assertEquals(sums.toRows(), [
    { Sym: "A", Size: 4n },
    { Sym: "B", Size: 12n },
  ]);
  const stats = hist.aggBy([agg.count("N"), agg.max("Hi = Size")], "Sym");
  assertEquals(stats.toRows(), [
    { Sym: "A", N: 2n, Hi: 3n },
    { Sym: "B", N: 2n, Hi: 10n },
  ]);
});

Deno.test("writer, time table and merge", async () => {
  let now = Date.UTC(2024, 0, 1, 0, 0, 2);
  const g = new UpdateGraph({ clock: () => now });
  const w = new DynamicTableWriter(g, { X: "int32" });
  const tt = timeTable(g, "PT1s", { startTime: "2024-01-01T00:00:00Z" });
  w.writeRow(7.9);
  await g.runCycle();
  now += 1000;
  await g.runCycle();
  assertEquals(w.table.toRows(), [{ X: 7 }]);
  assertEquals(tt.size, 4);
  assertEquals(merge(newTable([intCol("X", [1])]), w.table).toRows(), [{ X: 1 }, { X: 7 }]);
});

Deno.test("a JSON publish read by the WebAssembly scan", async () => {
  assertEquals(jsonRowsWasm() !== null, true);
  const g = new UpdateGraph({ seed: 1 });
  const [blink, pub] = tablePublisher(g, {
    name: "j",
    columns: { Sym: "string", Px: "float64", N: "int64", Ok: "bool" },
  });
  const hist = blinkToAppendOnly(blink);
  pub.addJson('[{"Sym":"A","Px":1.25,"N":3,"Ok":true},{"N":-4,"Sym":"BB","Px":null}]');
  await g.runCycle();
  assertEquals(hist.toRows(), [
    { Sym: "A", Px: 1.25, N: 3n, Ok: true },
    { Sym: "BB", Px: null, N: -4n, Ok: null },
  ]);
});

Deno.test("Arrow IPC round trip", () => {
  const t = newTable([longCol("L", [2n ** 63n - 1n, null]), stringCol("S", ["ü", null])]);
  assertEquals(fromArrowIPC(toArrowIPC(t)).toRows(), t.toRows());
});

Deno.test("a family spec builds", async () => {
  const g = new UpdateGraph();
  const f = buildFamily(
    { columns: { X: "int32" }, derived: { evens: 'source.where("X % 2 == 0")' } },
    g,
  );
  f.publisher!.addRows([{ X: 1 }, { X: 2 }]);
  await g.runCycle();
  assertEquals(f.views.get("evens")!.toRows(), [{ X: 2 }]);
});
