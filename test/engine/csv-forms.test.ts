/**
 * CSV forms: the writer CSV snapshots use, the RFC 4180 reader `text/csv` publish bodies go
 * through (errors naming the row and line), the typed conversion by the schema (errors naming the
 * row and column), and the round trip: every snapshot's CSV reads back as exactly its rows.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvToRows, parseCsv, rowsToCsv } from "../../src/engine/csv-forms.ts";
import {
  type ColumnType,
  CsvError,
  col,
  newTable,
  rowsToJson,
  ValueError,
} from "../../src/engine/index.ts";

/** The CsvError `parseCsv` throws for `text`. */
function csvError(text: string): CsvError {
  try {
    parseCsv(text);
  } catch (e) {
    if (e instanceof CsvError) return e;
    throw e;
  }
  throw new Error(`expected a CsvError for ${JSON.stringify(text)}`);
}

describe("CSV writer", () => {
  it("quotes only what needs it; null is an empty field, the empty string a quoted one", () => {
    expect(
      rowsToCsv(
        ["S", "N"],
        [
          { S: "plain", N: 1 },
          { S: "a,b", N: null },
          { S: 'say "hi"', N: 2 },
          { S: "two\r\nlines", N: 3 },
          { S: "", N: 4 },
          { S: null, N: 5 },
        ],
      ),
    ).toBe('S,N\r\nplain,1\r\n"a,b",\r\n"say ""hi""",2\r\n"two\r\nlines",3\r\n"",4\r\n,5\r\n');
  });
});

describe("CSV reader", () => {
  it("reads RFC 4180: quoted fields with commas, doubled quotes and line breaks; CRLF or LF", () => {
    expect(parseCsv('S,N\r\n"a,b",1\r\n"say ""hi""",2\n"two\r\nlines",3')).toEqual({
      columns: ["S", "N"],
      records: [
        ["a,b", "1"],
        ['say "hi"', "2"],
        ["two\r\nlines", "3"],
      ],
    });
  });

  it("an empty unquoted field is null, a quoted one the empty string; a blank line is one null", () => {
    expect(parseCsv('A,B\r\n,""\r\n"",\r\n')).toEqual({
      columns: ["A", "B"],
      records: [
        [null, ""],
        ["", null],
      ],
    });
    // A one-column table's null rows are blank lines; the final line break ends the last record.
    expect(parseCsv("X\r\n\r\n1\r\n\r\n")).toEqual({
      columns: ["X"],
      records: [[null], ["1"], [null]],
    });
    expect(parseCsv("X")).toEqual({ columns: ["X"], records: [] });
  });

  it("names the row (data rows from 0, as JSON bodies) and the line of every syntax error", () => {
    const cases: [string, string, number | null, number][] = [
      ["", "the CSV body is empty; expected a header row", null, 1],
      ["A,B\r\n1,2\r\n3\r\n", "row 1 (line 3): 1 field, but the header has 2", 1, 3],
      ["A,B\r\n1,2\r\n\r\n", "row 1 (line 3): 1 field, but the header has 2", 1, 3],
      ['A\r\n"x\r\ny"\r\n1,2\r\n', "row 1 (line 4): 2 fields, but the header has 1", 1, 4],
      ['A\r\n1\r\n"open\r\n', "row 1 (line 3): a quoted field is not closed", 1, 3],
      ['A,B\r\n1,"x"y\r\n', "row 0 (line 2): field 2 has characters after its closing quote", 0, 2],
      ['A\r\nab"c\r\n', `row 0 (line 2): field 1 has a '"' but does not start with one`, 0, 2],
      ["A\r1\r\n", "the CSV header (line 1): a CR must be followed by LF", null, 1],
      ["A,,B\r\n", "the CSV header (line 1): column 2 has no name", null, 1],
      ["A,B,A\r\n", 'the CSV header (line 1): column "A" appears twice', null, 1],
    ];
    for (const [text, message, row, line] of cases) {
      const e = csvError(text);
      expect(e.message, JSON.stringify(text)).toBe(message);
      expect(e.code).toBe("bad_csv");
      expect(e.row).toBe(row);
      expect(e.line).toBe(line);
    }
  });
});

describe("CSV to rows by the schema", () => {
  const schema = {
    I: "int32",
    L: "int64",
    F: "float32",
    D: "float64",
    B: "bool",
    C: "char",
    S: "string",
    T: "instant",
    Xs: "int64[]",
  } as const;

  it("reads each type's JSON form as text; columns in any order, left-out columns null", () => {
    const csv = parseCsv(
      "S,T,L,I,F,D,B,C,Xs\r\n" +
        'x,2024-05-01T13:30:00.5Z,9007199254740993,-7,1.5,NaN,true,",","[1,""9007199254740993""]"\r\n' +
        '"",1714570200000000000,-1,0,Infinity,1e-300,false,é,[]\r\n',
    );
    expect(csvToRows(schema, csv)).toEqual([
      {
        S: "x",
        T: "2024-05-01T13:30:00.5Z",
        L: "9007199254740993",
        I: -7,
        F: 1.5,
        D: "NaN",
        B: true,
        C: ",",
        Xs: [1, "9007199254740993"],
      },
      {
        S: "",
        T: "1714570200000000000",
        L: "-1",
        I: 0,
        F: "Infinity",
        D: 1e-300,
        B: false,
        C: "é",
        Xs: [],
      },
    ]);
    expect(csvToRows(schema, parseCsv("I\r\n5\r\n"))).toEqual([{ I: 5 }]);
  });

  it("refuses unknown header columns and cells that are not their type, naming row and column", () => {
    const rows = (text: string) => {
      const parsed = csvToRows(schema, parseCsv(text));
      return newTable(
        Object.keys(schema).map((n) =>
          col(
            n,
            schema[n as keyof typeof schema],
            parsed.map((r) => r[n]),
          ),
        ),
      );
    };
    const cases: [string, string, string, number | undefined][] = [
      [
        "I,Nope\r\n1,2\r\n",
        'the CSV header names unknown column "Nope"; columns are [I, L, F, D, B, C, S, T, Xs]',
        "Nope",
        undefined,
      ],
      ["I\r\n1\r\nx\r\n", 'row 1, column "I": expected int32, got "x"', "I", 1],
      ["I\r\n1\r\n 2\r\n", 'row 1, column "I": expected int32, got " 2"', "I", 1],
      ["B\r\nyes\r\n", 'row 0, column "B": expected bool, got "yes"', "B", 0],
      [
        "F\r\n1e39\r\n",
        'row 0, column "F": expected float32, got 1e+39 (out of float32 range: largest magnitude 3.4028234663852886e+38)',
        "F",
        0,
      ],
      [
        "T\r\n2024-05-01T13:99:99Z\r\n",
        'row 0, column "T": expected instant, got "2024-05-01T13:99:99Z" (minute 99 is out of range 00-59)',
        "T",
        0,
      ],
      [
        "Xs\r\n[]\r\n[1\r\n",
        'row 1, column "Xs": expected int64[] as JSON array text, got "[1"',
        "Xs",
        1,
      ],
      [
        "C\r\nab\r\n",
        'row 0, column "C": expected char, got "ab" (a char is a one-character string)',
        "C",
        0,
      ],
    ];
    for (const [text, message, column, row] of cases)
      expect(() => rows(text), text).toThrow(new ValueError(message, column, row));
  });

  it("a snapshot's CSV reads back as exactly its rows, every type and null (property)", () => {
    const types: ColumnType[] = [
      "int8",
      "int16",
      "int32",
      "int64",
      "float32",
      "float64",
      "bool",
      "char",
      "string",
      "instant",
      "string[]",
      "float64[]",
    ];
    const text = fc.string({
      unit: fc.constantFrom("a", "Z", ",", '"', "\r", "\n", " ", "é", "[", "0"),
      maxLength: 6,
    });
    const noNegZero = (x: number) => (Object.is(x, -0) ? 0 : x);
    const value: Record<string, fc.Arbitrary<unknown>> = {
      int8: fc.integer({ min: -128, max: 127 }),
      int16: fc.integer({ min: -32768, max: 32767 }),
      int32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      int64: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      float32: fc.float().map(noNegZero),
      float64: fc.double().map(noNegZero),
      bool: fc.boolean(),
      char: fc.constantFrom("a", ",", '"', "\n", " ", "é"),
      string: text,
      instant: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      "string[]": fc.array(fc.option(text), { maxLength: 3 }),
      "float64[]": fc.array(fc.option(fc.double().map(noNegZero)), { maxLength: 3 }),
    };
    const names = types.map((_, i) => `C${i}`);
    const schema = Object.fromEntries(names.map((n, i) => [n, types[i]!]));
    const row = fc.tuple(...types.map((t) => fc.option(value[t]!)));
    fc.assert(
      fc.property(fc.array(row, { maxLength: 8 }), (rows) => {
        const t = newTable(
          names.map((n, i) =>
            col(
              n,
              types[i]!,
              rows.map((r) => r[i]),
            ),
          ),
        );
        const keys = rows.map((_, i) => i);
        const csv = rowsToCsv(names, rowsToJson(t, keys));
        const back = csvToRows(schema, parseCsv(csv));
        const t2 = newTable(
          names.map((n, i) =>
            col(
              n,
              types[i]!,
              back.map((r) => r[n]),
            ),
          ),
        );
        expect(t2.toRows()).toEqual(t.toRows());
      }),
      { numRuns: 300 },
    );
  });
});
