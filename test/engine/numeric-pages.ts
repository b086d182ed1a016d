/**
 * Random numeric page contents for the seals' tests (column-sealed.test.ts, seal-wasm.test.ts):
 * integers of 8, 16 or 32 bits (with the bounds of their width, and sometimes just past them),
 * wider ones (never narrowed), decimals (0 to 7 of them: past 6 never narrowed), decimals with
 * one special value among them (NaN, -0, an infinity: never narrowed; 0.5, 2^31), and decimals
 * that rise along a page to 6 (earlier integers scaled up as they come); some or all null.
 */
import fc from "fast-check";
import { seededRandom } from "../../src/engine/random.ts";

export type NumericRaw = number | bigint | null;

/** The fields of a case (spread into a test's own `fc.record`). */
export const NUMERIC_CASE = {
  seed: fc.integer({ min: 1, max: 0x7ffffffe }),
  type: fc.constantFrom("int64" as const, "instant" as const, "float64" as const),
  kind: fc.constantFrom("8", "16", "32", "wide", "decimals", "specials", "rising"),
  past: fc.boolean(),
  decimals: fc.integer({ min: 0, max: 7 }),
  special: fc.constantFrom(
    Number.NaN,
    -0,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    0.5,
    2 ** 31,
  ),
  nulls: fc.constantFrom(0, 0.2, 1),
};

export interface NumericCase {
  seed: number;
  type: "int64" | "instant" | "float64";
  kind: string;
  past: boolean;
  decimals: number;
  special: number;
  nulls: number;
}

/**
 * A case's random values (from its seed): `value(slot)`, `slot` the row's place in its page (for
 * the rising decimals; 0 when left out), and the generator itself for the test's other draws.
 */
export function numericValues(c: NumericCase): {
  value: (slot?: number) => NumericRaw;
  rnd: () => number;
} {
  const rnd = seededRandom(c.seed);
  const bits = c.kind === "8" ? 8 : c.kind === "16" ? 16 : c.kind === "wide" ? 44 : 32;
  const top = 2 ** (bits - 1);
  const bounds = c.past ? [top, -top - 1] : [top - 1, -top];
  const int = () =>
    rnd() < 0.002 ? bounds[Math.floor(rnd() * 2)]! : Math.floor((rnd() - 0.5) * 2 ** bits);
  const number = (slot: number): number => {
    if (c.kind === "specials" && rnd() < 0.001) return c.special;
    // (+ 0: never -0, which no page narrows with.)
    if (c.kind === "rising")
      return (Math.round((rnd() - 0.5) * 2e3) + 0) / 10 ** Math.floor(slot / 600);
    if (c.kind === "decimals" || c.kind === "specials")
      return Math.round((rnd() - 0.5) * 2e6) / 10 ** c.decimals;
    return c.kind === "wide" ? (rnd() - 0.5) * 1e12 : int();
  };
  const value = (slot = 0): NumericRaw =>
    rnd() < c.nulls ? null : c.type === "float64" ? number(slot) : BigInt(int());
  return { value, rnd };
}
