import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatInstant, parseInstant } from "../../src/engine/index.ts";

describe("instants", () => {
  it("formatInstant and parseInstant round-trip every nanosecond (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }), (ns) => {
        expect(parseInstant(formatInstant(ns))).toBe(ns);
      }),
      { numRuns: 2000 },
    );
  });

  it("parses the canonical form, other offsets and date-only forms alike", () => {
    const base = 1704067200000000000n; // 2024-01-01T00:00:00Z
    expect(parseInstant("2024-01-01T00:00:00Z")).toBe(base);
    expect(parseInstant("2024-01-01T00:00:00.5Z")).toBe(base + 500_000_000n);
    expect(parseInstant("2024-01-01T00:00:00.000000001Z")).toBe(base + 1n);
    expect(parseInstant("2024-01-01T01:00:00+01:00")).toBe(base);
    expect(parseInstant("2024-01-01")).toBe(base);
    expect(parseInstant("1969-12-31T23:59:59.5Z")).toBe(-500_000_000n);
  });

  it("refuses impossible dates and malformed text, on the fast path too", () => {
    expect(parseInstant("2024-02-30T00:00:00Z")).toBeNull();
    expect(parseInstant("2023-02-29T12:00:00.25Z")).toBeNull();
    expect(parseInstant("2024-01-01T25:00:00Z")).toBeNull();
    expect(parseInstant("2024-01-01T00:00:00")).toBeNull(); // a time needs a zone
    expect(parseInstant("yesterday")).toBeNull();
  });
});
