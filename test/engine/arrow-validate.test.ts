/**
 * Arrow bodies are checked before anything is acknowledged: framing ("not an Arrow IPC stream"),
 * then every buffer (validateArrowBuffers, also run by arrowToVecs). A corrupt body is an
 * ArrowError naming the column and row; one that passes decodes to exactly what apache-arrow's
 * own reader yields. The host stores an exact-typed body as received only after this check.
 */
import * as arrow from "apache-arrow";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HostError } from "../../src/durable/errors.ts";
import { FamilyHost, MAX_SET_ASIDE_BATCHES, pendingBatches } from "../../src/durable/host.ts";
import { FlatbufferView } from "../../src/engine/arrow/flatbuffer.ts";
import { arrowToVecs, decodeIPC, validateArrowBuffers } from "../../src/engine/arrow.ts";
import type { Vec } from "../../src/engine/column.ts";
import type { ColumnType } from "../../src/engine/index.ts";
import { ArrowError, newTable, stringCol, toArrowIPC } from "../../src/engine/index.ts";
import {
  corrupt,
  corruptionArb,
  EXACT_SCHEMA,
  exactBody,
  int32Regions,
  mixedBody,
  referenceRead,
} from "../contracts/arrow-corruption.ts";
import { memoryDb, nodePort, nodeTransaction } from "../contracts/sqlite-node.ts";

/** `body` with the int32 at `index` of its `region`-th offset/index buffer set to `value`. */
function editInt32(body: Uint8Array, region: number, index: number, value: number): Uint8Array {
  return corrupt(body, [{ kind: "int32", region, index, value }]);
}

/** Decodes a body the way a publish does; the error message, or null when it decodes. */
function arrowFault(body: Uint8Array): string | null {
  try {
    arrowToVecs(decodeIPC(body));
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(ArrowError);
    return (e as Error).message;
  }
}

/** Our decoding of a body, in referenceRead's form. */
function ourRead(body: Uint8Array): { names: string[]; columns: unknown[][] } {
  const { schema, vecs, length } = arrowToVecs(decodeIPC(body));
  const names = Object.keys(schema);
  return { names, columns: names.map((n, j) => cellsOf(schema[n]!, vecs[j]!, length)) };
}

function cellsOf(type: ColumnType, v: Vec, n: number): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    if (v.valid && v.valid[i] === 0) out.push(null);
    else if (type === "bool") out.push((v.data as Uint8Array)[i] === 1);
    else out.push((v.data as ArrayLike<unknown>)[i]);
  }
  return out;
}

const symAbc = () => toArrowIPC(newTable([stringCol("Sym", ["abc"])]));

describe("Arrow body validation", () => {
  it("the reproduction: Utf8 offsets [0, 3] made [0, 1000] are an error naming column and row", () => {
    const body = symAbc();
    expect(int32Regions(body)).toHaveLength(1);
    const bad = editInt32(body, 0, 1, 1000);
    expect(body.length).toBe(320);
    expect(arrowFault(bad)).toBe(
      'Column "Sym": the string at row 0 ends at byte 1000, beyond the 8 bytes of its value buffer',
    );
    expect(() => validateArrowBuffers(decodeIPC(bad))).toThrow(ArrowError);
    // apache-arrow's own reader "reads" it: it reads past the value.
    expect(referenceRead(bad).columns[0]![0]).not.toBe("abc");
  });

  it("offsets that decrease or start before 0", () => {
    const t = toArrowIPC(newTable([stringCol("S", ["ab", "c", "de"])]));
    expect(arrowFault(editInt32(t, 0, 2, 1))).toBe(
      'Column "S": the string at row 1 ends at byte 1, before it starts (byte 2)',
    );
    expect(arrowFault(editInt32(t, 0, 0, -1))).toBe(
      'Column "S": the string at row 0 starts at byte -1, outside the 8 bytes of its value buffer',
    );
  });

  it("a dictionary index outside its dictionary", () => {
    const d = arrow.vectorFromArray(
      ["x", "y", "x"],
      new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()),
    );
    const body = new Uint8Array(arrow.tableToIPC(new arrow.Table({ D: d }), "stream"));
    const regions = int32Regions(body);
    // The dictionary's own offsets come first, then the indices.
    const idx = regions.findIndex(([, n]) => n === 3);
    expect(arrowFault(editInt32(body, idx, 2, 7))).toBe(
      'Column "D": the dictionary index 7 at row 2 is outside the dictionary of 2',
    );
  });

  it("list offsets beyond the child array", () => {
    const child = arrow.makeData({ type: new arrow.Int32(), data: new Int32Array([1, 2, 3]) });
    const list = arrow.makeData({
      type: new arrow.List(new arrow.Field("item", new arrow.Int32(), true)),
      length: 2,
      valueOffsets: new Int32Array([0, 1, 3]),
      child,
    });
    const body = new Uint8Array(
      arrow.tableToIPC(new arrow.Table({ L: arrow.makeVector(list) }), "stream"),
    );
    const listOffsets = int32Regions(body).findIndex(([, n]) => n === 3);
    expect(arrowFault(editInt32(body, listOffsets, 2, 9))).toBe(
      'Column "L": the list at row 1 ends at element 9, beyond the 3 elements of its child array',
    );
  });

  it("a List<Uint32> column reads as int64 arrays, its elements bigints as a Uint32 column's are", () => {
    // (A corrupted body can make a List<Int32> one: found by the property below.)
    const child = arrow.makeData({
      type: new arrow.Uint32(),
      data: new Uint32Array([0, 4294967295, 7]),
    });
    const list = arrow.makeData({
      type: new arrow.List(new arrow.Field("item", new arrow.Uint32(), true)),
      length: 2,
      valueOffsets: new Int32Array([0, 1, 3]),
      child,
    });
    const body = new Uint8Array(
      arrow.tableToIPC(new arrow.Table({ L: arrow.makeVector(list) }), "stream"),
    );
    const ours = ourRead(body);
    expect(arrowToVecs(decodeIPC(body)).schema).toEqual({ L: "int64[]" });
    expect(ours.columns).toEqual([[[0n], [4294967295n, 7n]]]);
    expect(ours).toEqual(referenceRead(body));
  });

  it("a declared null count its validity bitmap does not match", () => {
    const body = toArrowIPC(newTable([stringCol("S", ["a", null, "b"])]));
    const bitmap = decodeIPC(body).getChildAt(0)!.data[0]!.nullBitmap as Uint8Array;
    const bad = new Uint8Array(body);
    bad[bitmap.byteOffset] = 0b111; // no nulls marked, one declared
    expect(arrowFault(bad)).toBe(
      'Column "S": the rows from row 0 on declare 1 nulls, their validity bitmap marks 0',
    );
  });

  it("a value buffer shorter than the length", () => {
    const body = toArrowIPC(newTable([stringCol("S", ["a", "b"])]));
    // Truncating the body clips the last buffers (apache-arrow takes the rest as they are).
    const fault = arrowFault(body.slice(0, body.length - 16));
    expect(fault).toMatch(/^(Column "S": |Invalid Arrow IPC data)/);
  });

  it('a body that is not Arrow says "not an Arrow IPC stream"', () => {
    const json = new TextEncoder().encode('[{"Sym":"abc"}]');
    expect(arrowFault(json)).toBe(
      'Invalid Arrow IPC data (15 bytes): not an Arrow IPC stream: it starts with the bytes 5b 7b 22 53 79 6d 22 3a ... ("[{"Sym":"), not an Arrow message header (0xFFFFFFFF, then a metadata length within the body); it reads as a metadata length of 1394768731 where 11 bytes remain',
    );
    expect(arrowFault(new Uint8Array([1, 2, 3]))).toBe(
      'Invalid Arrow IPC data (3 bytes): not an Arrow IPC stream: it starts with the bytes 01 02 03 ("..."), too short for an Arrow message',
    );
    expect(arrowFault(new Uint8Array(0))).toBe(
      "Invalid Arrow IPC data (0 bytes): not an Arrow IPC stream: the body is empty",
    );
    expect(arrowFault(new Uint8Array([255, 255, 255, 255, 0, 0, 0, 0]))).toBe(
      "Invalid Arrow IPC data (8 bytes): not an Arrow IPC stream: it ends before its first (schema) message",
    );
    // A stream whose first message is a record batch (its schema message cut off).
    const body = symAbc();
    const schemaEnd = 8 + new DataView(body.buffer).getInt32(4, true);
    expect(arrowFault(body.slice(schemaEnd))).toBe(
      "Invalid Arrow IPC data (184 bytes): not an Arrow IPC stream: its first message is not a schema message",
    );
  });

  it("bytes after the end-of-stream marker are an error, not dropped; zero padding is not", () => {
    const body = symAbc();
    // Two streams in one body: the second would be left unread.
    const twice = new Uint8Array(2 * body.length);
    twice.set(body);
    twice.set(body, body.length);
    expect(arrowFault(twice)).toBe(
      `Invalid Arrow IPC data (640 bytes): message 2: an end-of-stream marker at byte ${body.length - 8} is followed by 320 more bytes`,
    );
    // The schema's metadata length moved so the next "message" starts on four zero bytes (a
    // legacy end-of-stream marker) in the middle of the record batch: found by the corruption
    // property test; before, the body read as a table with no rows.
    const dv = new DataView(body.buffer);
    const schemaEnd = 8 + dv.getInt32(4, true);
    let zeros = -1;
    for (let i = schemaEnd + 1; i + 4 <= body.length && zeros < 0; i++)
      if (dv.getInt32(i, true) === 0) zeros = i;
    const moved = new Uint8Array(body);
    new DataView(moved.buffer).setInt32(4, zeros - 8, true);
    expect(arrowFault(moved)).toMatch(
      /^Invalid Arrow IPC data \(320 bytes\): .*end-of-stream marker/,
    );
    const padded = new Uint8Array(body.length + 16);
    padded.set(body);
    expect(arrowToVecs(decodeIPC(padded)).length).toBe(arrowToVecs(decodeIPC(body)).length);
  });

  it("message metadata is bounds-checked before apache-arrow reads it", () => {
    const body = symAbc();
    const dv = new DataView(body.buffer);
    const schemaLength = dv.getInt32(4, true);
    // The schema's field vector made 2^31 - 1 long: apache-arrow would loop until out of memory.
    const schema = new FlatbufferView(dv, 8, 8 + schemaLength);
    const fields = schema.vector(schema.table(schema.root(), 2, "header"), 1, 4, "fields");
    const huge = new Uint8Array(body);
    new DataView(huge.buffer).setInt32(fields.at - 4, 0x7fffffff, true);
    expect(arrowFault(huge)).toMatch(
      /^Invalid Arrow IPC data \(320 bytes\): not an Arrow IPC stream: .*fields says it has 2147483647 entries, more than its bytes hold/,
    );
    // The record batch's array length made 2^40: apache-arrow would allocate for it.
    const at = 8 + schemaLength;
    const batchLength = dv.getInt32(at + 4, true);
    const batch = new FlatbufferView(dv, at + 8, at + 8 + batchLength);
    const nodes = batch.vector(batch.table(batch.root(), 2, "header"), 1, 16, "nodes");
    const long = new Uint8Array(body);
    new DataView(long.buffer).setBigInt64(nodes.at, 2n ** 40n, true);
    expect(arrowFault(long)).toBe(
      "Invalid Arrow IPC data (320 bytes): message 1: array 0 declares 1099511627776 values with 0 nulls in a 16-byte body",
    );
    // Beyond 2^53 (read as a rounded number for the check): the message gives the exact value.
    new DataView(long.buffer).setBigInt64(nodes.at, 2n ** 60n + 1n, true);
    expect(arrowFault(long)).toBe(
      "Invalid Arrow IPC data (320 bytes): message 1: array 0 declares 1152921504606846977 values with 0 nulls in a 16-byte body",
    );
    new DataView(long.buffer).setBigInt64(nodes.at, -(2n ** 60n) - 1n, true);
    expect(arrowFault(long)).toBe(
      "Invalid Arrow IPC data (320 bytes): message 1: array 0 declares -1152921504606846977 values with 0 nulls in a 16-byte body",
    );
  });

  it("property: a corrupted body is an ArrowError or decodes to exactly apache-arrow's reading", () => {
    fc.assert(
      fc.property(fc.oneof(exactBody(), mixedBody()), corruptionArb, (body, damages) => {
        const bad = corrupt(body, damages);
        let ours: ReturnType<typeof ourRead>;
        try {
          ours = ourRead(bad);
        } catch (e) {
          expect(e).toBeInstanceOf(ArrowError);
          return;
        }
        expect(ours).toEqual(referenceRead(bad));
      }),
      { numRuns: 250 },
    );
  });
});

describe("FamilyHost publish of corrupted Arrow bodies", () => {
  it("property: each is refused with a 400 and nothing stored, or applies exactly", () => {
    const db = memoryDb();
    const host = new FamilyHost(nodePort(db), { transaction: nodeTransaction(db) });
    host.create("t", { columns: EXACT_SCHEMA, derived: { all: "blinkToAppendOnly(source)" } });
    const expected: unknown[][] = Object.keys(EXACT_SCHEMA).map(() => []);
    fc.assert(
      fc.property(exactBody(4), corruptionArb, (body, damages) => {
        const bad = corrupt(body, damages);
        const before = pendingBatches(nodePort(db)).length;
        try {
          host.publish({ arrow: bad });
        } catch (e) {
          expect(e instanceof ArrowError || (e instanceof HostError && e.status < 500)).toBe(true);
          expect(pendingBatches(nodePort(db))).toHaveLength(before);
          return;
        }
        const ref = referenceRead(bad);
        for (const [j, name] of Object.keys(EXACT_SCHEMA).entries()) {
          expected[j]!.push(...ref.columns[ref.names.indexOf(name)]!);
        }
      }),
      { numRuns: 150 },
    );
    host.runCycle();
    expect(host.describe().setAside).toEqual([]);
    const snap = host.snapshot("all", { format: "arrow" });
    if (snap.format !== "arrow") throw new Error("expected arrow");
    const got = referenceRead(snap.bytes);
    expect(got.names).toEqual(Object.keys(EXACT_SCHEMA));
    expect(got.columns).toEqual(expected);
  });
});

describe("FamilyHost: stored batches a cycle cannot decode", () => {
  /** A host with batches stored directly (behind publish validation's back). */
  function hostWith(stored: { seq: number; part: number; rows: number; data: Uint8Array }[]) {
    const db = memoryDb();
    const sql = nodePort(db);
    const now = 1_700_000_000_000;
    const host = new FamilyHost(sql, { now: () => now, transaction: nodeTransaction(db) });
    host.create("t", { columns: { Sym: "string" }, derived: { all: "blinkToAppendOnly(source)" } });
    for (const b of stored) {
      sql.exec(
        "INSERT INTO host_pending (seq, part, rows, data) VALUES (?, ?, ?, ?)",
        b.seq,
        b.part,
        b.rows,
        b.data,
      );
    }
    sql.exec("UPDATE host_meta SET v = ? WHERE k = 'nextSeq'", String(stored.length + 1));
    return { host };
  }
  const good = (s: string) => toArrowIPC(newTable([stringCol("Sym", [s])]));
  const bad = () => editInt32(good("abc"), 0, 1, 1000);

  it("sets the batch aside (all its parts), applies the others, and lists it in describe", () => {
    const { host } = hostWith([
      { seq: 1, part: 0, rows: 1, data: good("a") },
      { seq: 2, part: 0, rows: 1, data: good("b") },
      { seq: 2, part: 1, rows: 1, data: bad() },
      { seq: 3, part: 0, rows: 1, data: good("c") },
    ]);
    expect(host.runCycle()).toEqual({ cycle: 1, rows: 2, backlog: false, setAside: 1 });
    expect(host.view("all").toRows()).toEqual([{ Sym: "a" }, { Sym: "c" }]);
    const d = host.describe();
    expect(d.pending).toEqual({ batches: 0, rows: 0 });
    expect(d.setAside).toEqual([
      {
        seq: 2,
        rows: 2,
        cycle: 1,
        at: "2023-11-14T22:13:20.000Z",
        error: "bad_arrow",
        detail:
          'Column "Sym": the string at row 0 ends at byte 1000, beyond the 8 bytes of its value buffer',
      },
    ]);
    host.publish({ rows: [{ Sym: "d" }] });
    expect(host.runCycle()).toMatchObject({ cycle: 2, rows: 1, setAside: 0 });
    expect(host.view("all").toRows()).toEqual([{ Sym: "a" }, { Sym: "c" }, { Sym: "d" }]);
    host.destroy();
  });

  it(`keeps the most recent ${MAX_SET_ASIDE_BATCHES} set-aside batches`, () => {
    const n = MAX_SET_ASIDE_BATCHES + 2;
    const { host } = hostWith(
      Array.from({ length: n }, (_, i) => ({ seq: i + 1, part: 0, rows: 1, data: bad() })),
    );
    expect(host.runCycle()).toEqual({ cycle: 1, rows: 0, backlog: false, setAside: n });
    expect(host.describe().setAside.map((b) => b.seq)).toEqual(
      Array.from({ length: MAX_SET_ASIDE_BATCHES }, (_, i) => i + 3),
    );
  });
});
