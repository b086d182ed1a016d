/**
 * The string key column hints (`keys/string-key-hints.ts`): every operation that hashes string
 * keys notes its key columns' names (joins and `whereIn` on both sides, as-of joins' exact match
 * columns but not their stamps, group-bys, `headBy`, `updateBy`), and nothing else does (filters,
 * views). Then the Arrow decoder's large string cache: a key column whose 20,000 keys outgrow the
 * small cache is served from the large one on its next decodes, with the values unchanged, while
 * a column no key lookup reads stays out of it.
 */
import { describe, expect, it } from "vitest";
import { sharedUtf8Intern } from "../../src/engine/arrow/utf8-intern.ts";
import {
  doubleCol,
  fromArrowIPC,
  intCol,
  longCol,
  newTable,
  stringCol,
  toArrowIPC,
  updateby,
} from "../../src/engine/index.ts";
import { isStringKey } from "../../src/engine/keys/string-key-hints.ts";

/** A one-row table of string columns `names` plus an int column `N` and a long column `T`. */
function strings(...names: string[]) {
  return newTable([...names.map((n) => stringCol(n, ["x"])), intCol("N", [1]), longCol("T", [1n])]);
}

describe("string key column hints", () => {
  it("are noted by the operations that hash string keys, for string columns only", () => {
    strings("L1", "V1").naturalJoin(strings("R1"), "L1 = R1, N", "N1 = T");
    expect([isStringKey("L1"), isStringKey("R1"), isStringKey("V1"), isStringKey("N")]).toEqual([
      true,
      true,
      false,
      false,
    ]);

    strings("L2").naturalJoin(strings("R2"), "L2 = R2", "N2 = N");
    expect([isStringKey("L2"), isStringKey("R2")]).toEqual([true, true]);
    strings("L3").join(strings("R3"), "L3 = R3", "N3 = N");
    strings("L4").whereIn(strings("R4"), "L4 = R4");
    expect([isStringKey("L3"), isStringKey("R3"), isStringKey("L4"), isStringKey("R4")]).toEqual([
      true,
      true,
      true,
      true,
    ]);
    // An as-of join hashes its exact match columns, not its (string) stamp.
    strings("L5", "S5").aj(strings("R5", "Q5"), "L5 = R5, S5 >= Q5", "N5 = N");
    expect([isStringKey("L5"), isStringKey("R5"), isStringKey("S5"), isStringKey("Q5")]).toEqual([
      true,
      true,
      false,
      false,
    ]);

    // Group-bys, headBy and updateBy note their keys; filters and views nothing.
    strings("G6", "V6").firstBy("G6");
    strings("H6").headBy(1, "H6");
    strings("U6").updateBy(updateby.cumSum("C = N"), "U6");
    strings("W6").where("W6 == `x`").view("W6");
    expect(["G6", "V6", "H6", "U6", "W6"].map(isStringKey)).toEqual([
      true,
      false,
      true,
      true,
      false,
    ]);
  });

  it("send a key column that outgrows the small Utf8 cache to the large one", () => {
    const KEYS = 20_000;
    const keys = Array.from({ length: KEYS }, (_, i) => `KEY${i}`);
    const column = (bytes: Uint8Array, name: string) =>
      fromArrowIPC(bytes)
        .toRows()
        .map((r) => r[name]);
    const ipc = (name: string) =>
      toArrowIPC(
        newTable([
          stringCol(name, keys),
          doubleCol(
            "V",
            keys.map((_, i) => i),
          ),
        ]),
      );
    // A column no key lookup reads gives up on the small cache and idles: the large one is not made.
    const plain = ipc("Plain");
    for (let r = 0; r < 3; r++) expect(column(plain, "Plain")).toEqual(keys);
    expect(sharedUtf8Intern.large).toBeNull();

    strings("Sym").whereIn(strings("Sym"), "Sym");
    const sym = ipc("Sym");
    expect(column(sym, "Sym")).toEqual(keys);
    const large = sharedUtf8Intern.large!;
    expect([large.hits, large.misses]).toEqual([0, KEYS]);
    for (let r = 0; r < 2; r++) expect(column(sym, "Sym")).toEqual(keys);
    // Later decodes find (nearly) every key there: a key whose set is full of others misses.
    expect(large.hits).toBeGreaterThan(2 * KEYS * 0.98);
    expect(large.hits + large.misses).toBe(3 * KEYS);
  });
});
