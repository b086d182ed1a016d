import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ArgumentError,
  compileFormula,
  FormulaError,
  formatInstant,
  instantCol,
  newTable,
  parseInstant,
  timeTable,
  UpdateGraph,
  ValueError,
} from "../../src/engine/index.ts";
import { parseInstantOrReason } from "../../src/engine/instant.ts";

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

  it("refuses every out-of-range field with the reason, never shifting the instant", () => {
    const cases: [string, string][] = [
      ["2024-05-01T13:99:99Z", "minute 99 is out of range 00-59"],
      ["2024-05-01 13:99:99Z", "minute 99 is out of range 00-59"],
      ["2024-05-01T13:30:99Z", "second 99 is out of range 00-59 (leap seconds are not accepted)"],
      ["2016-12-31T23:59:60Z", "second 60 is out of range 00-59 (leap seconds are not accepted)"],
      ["2024-05-01T24:00:00Z", "hour 24 is out of range 00-23"],
      ["2024-13-01T00:00:00Z", "month 13 is out of range 01-12"],
      ["2024-00-10", "month 00 is out of range 01-12"],
      ["2024-04-31T00:00:00Z", "day 31 does not exist in April 2024"],
      ["2024-01-00", "day 00 does not exist in January 2024"],
      [
        "2023-02-29T12:00:00.25Z",
        "day 29 does not exist in February 2023 (2023 is not a leap year)",
      ],
      ["2100-02-29", "day 29 does not exist in February 2100 (2100 is not a leap year)"],
      [
        "2024-05-01T13:30:00+99:99",
        "offset +99:99 is out of range (at most ±18:00, minutes 00-59)",
      ],
      [
        "2024-05-01T13:30:00+18:01",
        "offset +18:01 is out of range (at most ±18:00, minutes 00-59)",
      ],
      ["2024-05-01T13:30:00-0560", "offset -0560 is out of range (at most ±18:00, minutes 00-59)"],
      ["2024-05-01T13:30:00", "a time needs a zone (Z or an offset such as +01:00)"],
      ["13:30", "not an ISO-8601 instant"],
    ];
    for (const [text, reason] of cases) {
      expect(parseInstantOrReason(text), text).toBe(reason);
      expect(parseInstant(text), text).toBeNull();
    }
  });

  it("accepts the edges: Feb 29 of leap years, ±18:00 offsets, the int64 range exactly", () => {
    expect(parseInstant("2024-02-29T00:00:00Z")).toBe(1709164800000000000n);
    expect(parseInstant("2000-02-29")).toBe(951782400000000000n);
    expect(parseInstant("2024-01-01T18:00:00+18:00")).toBe(1704067200000000000n);
    expect(parseInstant("2023-12-31T06:00:00-18:00")).toBe(1704067200000000000n);
    expect(parseInstant("2024-01-01T05:30:00+0530")).toBe(1704067200000000000n);
    expect(parseInstant("2024-01-01T23:59:59.999999999Z")).toBe(1704153599999999999n);
    const max = 2n ** 63n - 1n;
    const min = -(2n ** 63n);
    expect(parseInstant("2262-04-11T23:47:16.854775807Z")).toBe(max);
    expect(parseInstant("1677-09-21T00:12:43.145224192Z")).toBe(min);
    const range =
      "outside the instant range 1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z";
    expect(parseInstantOrReason("2262-04-11T23:47:16.854775808Z")).toBe(range);
    expect(parseInstantOrReason("1677-09-21T00:12:43.145224191Z")).toBe(range);
    expect(parseInstantOrReason("9999-12-31T23:59:59Z")).toBe(range);
    // Date.UTC would read year 50 as 1950.
    expect(parseInstantOrReason("0050-01-01T00:00:00Z")).toBe(range);
  });

  it("a parsed instant reads back with the same fields (property: no silent shift)", () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, "0"));
    fc.assert(
      fc.property(
        fc.integer({ min: 1678, max: 2261 }),
        two(14),
        two(33),
        two(26),
        two(62),
        two(62),
        (y, mo, d, h, mi, s) => {
          const text = `${y}-${mo}-${d}T${h}:${mi}:${s}Z`;
          const ns = parseInstant(text);
          const valid =
            +mo >= 1 &&
            +mo <= 12 &&
            +d >= 1 &&
            +d <= new Date(Date.UTC(y, +mo, 0)).getUTCDate() &&
            +h <= 23 &&
            +mi <= 59 &&
            +s <= 59;
          expect(ns !== null).toBe(valid);
          if (ns !== null) expect(formatInstant(ns)).toBe(text);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("publish values, formula literals and timeTable startTime all refuse invalid instants", () => {
    let err: unknown;
    try {
      newTable([instantCol("Ts", [0n, "2024-05-01T13:99:99Z" as unknown as bigint])]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValueError);
    expect((err as ValueError).message).toBe(
      'row 1, column "Ts": expected instant, got "2024-05-01T13:99:99Z" (minute 99 is out of range 00-59)',
    );
    expect((err as ValueError).row).toBe(1);
    expect(() => newTable([instantCol("Ts", [new Date(Date.UTC(2300, 0, 1))])])).toThrow(
      new ValueError(
        'row 0, column "Ts": expected instant, got "2300-01-01T00:00:00.000Z" (out of instant range)',
        "Ts",
        0,
      ),
    );
    expect((err as ValueError).column).toBe("Ts");
    expect(() => compileFormula("T = '2024-05-01T10:00:00+99:99'", {}, "assign")).toThrow(
      new FormulaError(
        "T = '2024-05-01T10:00:00+99:99'",
        4,
        "Invalid instant literal '2024-05-01T10:00:00+99:99': offset +99:99 is out of range (at most ±18:00, minutes 00-59)",
      ),
    );
    // A valid literal still compiles.
    expect(compileFormula("T = '2024-05-01T10:00:00Z'", {}, "assign").type).toBe("instant");
    expect(() =>
      timeTable(new UpdateGraph(), "PT1s", { startTime: "2024-02-30T00:00:00Z" }),
    ).toThrow(
      new ArgumentError(
        'timeTable: startTime "2024-02-30T00:00:00Z" is not a valid ISO-8601 instant: day 30 does not exist in February 2024',
      ),
    );
  });
});
