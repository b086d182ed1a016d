/**
 * The Schema message of the Arrow IPC streams tickflare writes (`ipc-write.ts`), built from an
 * engine schema with the Arrow types of `type-map.ts`: every field nullable; char as Uint16 with
 * field metadata `deephaven:type` (on the list field and its item for char[]); instant as
 * Timestamp(NANOSECOND, "UTC"); `T[]` as List<item: T>. The framed message (continuation marker,
 * metadata length, flatbuffer) is cached per schema: a delta of one row writes the same schema
 * bytes again.
 */
import type { ColumnType, Schema } from "../types.ts";
import { elementType, isArrayType } from "../types.ts";
import type { FbTable } from "./fb-write.ts";
import { fbString, fbTable, fbTables, i16, i32, i64, u8, writeFlatbuffer } from "./fb-write.ts";
import { DH_TYPE_KEY } from "./type-map.ts";

/** MetadataVersion V5 (Message.fbs). */
export const METADATA_V5 = 4;
/** Message header types (Message.fbs `MessageHeader`). */
export const SCHEMA_MESSAGE = 1;
export const RECORD_BATCH_MESSAGE = 3;

/** Type union tags (Schema.fbs `Type`). */
const INT = 2;
const FLOAT = 3;
const UTF8 = 5;
const BOOL = 6;
const TIMESTAMP = 10;
const LIST = 12;

const cache = new Map<string, Uint8Array>();
/** Distinct schemas kept; past it the cache starts over (a family has a handful). */
const CACHE_LIMIT = 256;

/** The framed Schema message (no body) of `schema`'s columns, in its key order. */
export function schemaMessage(schema: Readonly<Schema>): Uint8Array {
  const names = Object.keys(schema);
  let key = "";
  for (const n of names) key += `${n}\u0000${schema[n]}\u0000`;
  let m = cache.get(key);
  if (m === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    const fields = names.map((n) => fieldTable(n, schema[n]!));
    // Schema { endianness: Little (default), fields }.
    m = frameMessage(SCHEMA_MESSAGE, fbTable(undefined, fbTables(fields)), 0);
    cache.set(key, m);
  }
  return m;
}

/**
 * A framed message: the continuation marker, the metadata length, and the flatbuffer of
 * `Message { version: V5, header_type, header, bodyLength }`, padded so a body that follows
 * starts at a multiple of 8.
 */
export function frameMessage(headerType: number, header: FbTable, bodyLength: number): Uint8Array {
  const fb = writeFlatbuffer(fbTable(i16(METADATA_V5), u8(headerType), header, i64(bodyLength)));
  const out = new Uint8Array(8 + fb.length);
  const dv = new DataView(out.buffer);
  dv.setInt32(0, -1, true);
  dv.setInt32(4, fb.length, true);
  out.set(fb, 8);
  return out;
}

/** Field { name, nullable, type_type, type, dictionary, children, custom_metadata }. */
function fieldTable(name: string, type: ColumnType): FbTable {
  const metadata =
    type === "char" || type === "char[]"
      ? fbTables([fbTable(fbString(DH_TYPE_KEY), fbString(type))])
      : undefined;
  if (isArrayType(type)) {
    const item = fieldTable("item", elementType(type));
    return fbTable(
      fbString(name),
      u8(1),
      u8(LIST),
      fbTable(),
      undefined,
      fbTables([item]),
      metadata,
    );
  }
  const [tag, typeTable] = scalarType(type);
  return fbTable(fbString(name), u8(1), u8(tag), typeTable, undefined, fbTables([]), metadata);
}

function scalarType(type: ColumnType): [number, FbTable] {
  switch (type) {
    case "int8":
      return [INT, fbTable(i32(8), u8(1))];
    case "int16":
      return [INT, fbTable(i32(16), u8(1))];
    case "int32":
      return [INT, fbTable(i32(32), u8(1))];
    case "int64":
      return [INT, fbTable(i32(64), u8(1))];
    case "char":
      return [INT, fbTable(i32(16), u8(0))];
    case "float32":
      return [FLOAT, fbTable(i16(1))];
    case "float64":
      return [FLOAT, fbTable(i16(2))];
    case "bool":
      return [BOOL, fbTable()];
    case "string":
      return [UTF8, fbTable()];
    case "instant":
      return [TIMESTAMP, fbTable(i16(3), fbString("UTC"))];
    default:
      throw new TypeError(`no Arrow type for column type ${type}`);
  }
}
