/**
 * R2Store: what R2Backend reads from a bucket, with no state of its own but a cache: listings
 * (every page), a table's layout files, parts (decoded once, shared through an R2PartCache;
 * concurrent reads of one part share the fetch) and their row counts, and one column's rows
 * across parts.
 *
 * The bucket is structural (`R2BucketLike`: `get` and `list`), so an R2 binding fits and so
 * does an in-memory stand-in.
 */
import type { Schema as ArrowSchema, Table as ArrowTable } from "apache-arrow";
import { Table as ArrowTableClass, Field, Schema, Utf8 } from "apache-arrow";
import { arrowToVecs, columnTypeOfField, decodeIPC, vecsToArrow } from "../arrow.ts";
import { vecFromValues } from "../new-table.ts";
import type { ColumnType } from "../types.ts";
import { isArrayType } from "../types.ts";
import { BackendError } from "./backend-error.ts";
import { failureText } from "./errors.ts";
import { PARTITIONS_FILE, partitionNamesOf, SCHEMA_FILE } from "./r2-layout.ts";
import { R2PartCache } from "./r2-part-cache.ts";

/** What R2Backend reads of an object's metadata (an `R2Object` fits). */
export interface R2ObjectLike {
  readonly key: string;
  /** Stored bytes. */
  readonly size: number;
  readonly etag: string;
  /** Custom metadata; a numeric `rows` entry is taken as the part's row count. */
  readonly customMetadata?: Record<string, string> | undefined;
}

/** An object with its body (an `R2ObjectBody` fits). */
export interface R2ObjectBodyLike extends R2ObjectLike {
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** A page of a listing (`R2Objects` fits). */
export interface R2ObjectsLike {
  readonly objects: readonly R2ObjectLike[];
  readonly truncated: boolean;
  readonly cursor?: string;
}

/** The part of an R2 bucket binding R2Backend uses (`R2Bucket` fits). */
export interface R2BucketLike {
  get(key: string): Promise<R2ObjectBodyLike | null>;
  list(options?: {
    prefix?: string;
    cursor?: string;
    include?: ("httpMetadata" | "customMetadata")[];
  }): Promise<R2ObjectsLike>;
}

/** One part file, as listed. */
export interface Part {
  readonly key: string;
  readonly etag: string;
  readonly bytes: number;
  /** From the object's `rows` custom metadata, if any. */
  readonly metaRows: number | null;
}

/** What a table's layout files (or its first part) say. */
export interface Layout {
  readonly schema: ArrowSchema;
  readonly partitionSchema: ArrowSchema | null;
  readonly names: readonly string[];
  readonly types: Readonly<Record<string, ColumnType>>;
}

export function badLayout(table: string, detail: string, cause?: unknown): BackendError {
  return new BackendError("bad_layout", 502, `R2 table ${table}: ${detail}`, cause);
}

export class R2Store {
  readonly #bucket: R2BucketLike;
  readonly #cache: R2PartCache;
  readonly #concurrency: number;
  /** Parts being fetched (promises stay with the store that made them). */
  readonly #fetching = new Map<string, Promise<ArrowTable>>();

  constructor(bucket: R2BucketLike, cache: R2PartCache, concurrency: number) {
    this.#bucket = bucket;
    this.#cache = cache;
    this.#concurrency = concurrency;
  }

  /** The table's schemas and partitioning (from its layout files, or read off its first part). */
  async readLayout(name: string, root: string): Promise<Layout> {
    const [schemaBytes, partitionBytes] = await Promise.all([
      this.#bytesOf(root + SCHEMA_FILE),
      this.#bytesOf(root + PARTITIONS_FILE),
    ]);
    let first: Part | null = null;
    let firstRelative = "";
    if (!schemaBytes || !partitionBytes) {
      for await (const o of this.objects(root)) {
        const relative = o.key.slice(root.length);
        const names = partitionNamesOf(relative);
        if (names === null) continue;
        first = partOf(o);
        firstRelative = relative;
        break;
      }
    }
    let schema: ArrowSchema;
    if (schemaBytes) schema = this.#decode(schemaBytes, root + SCHEMA_FILE).schema;
    else if (first) schema = (await this.part(first)).schema;
    else {
      throw new BackendError(
        "unknown_table",
        404,
        `R2 table ${name} does not exist: no ${SCHEMA_FILE} and no parts under "${root}"`,
      );
    }
    let partitionSchema: ArrowSchema | null = null;
    const types: Record<string, ColumnType> = {};
    let names: string[] = [];
    if (partitionBytes) {
      partitionSchema = this.#decode(partitionBytes, root + PARTITIONS_FILE).schema;
      for (const f of partitionSchema.fields) {
        let type: ColumnType;
        try {
          type = columnTypeOfField(f);
        } catch (e) {
          throw badLayout(name, `${PARTITIONS_FILE}: column "${f.name}": ${failureText(e)}`, e);
        }
        if (isArrayType(type)) {
          throw badLayout(name, `${PARTITIONS_FILE}: partitioning column "${f.name}" is ${type}`);
        }
        types[f.name] = type;
        names.push(f.name);
      }
      if (names.length === 0) partitionSchema = null;
    } else if (first) {
      names = partitionNamesOf(firstRelative) ?? [];
      if (names.length > 0) {
        // No declared partitioning: the first part's path names the columns, typed as strings.
        partitionSchema = new Schema(names.map((n) => new Field(n, new Utf8(), true)));
        for (const n of names) types[n] = "string";
      }
    }
    return { schema, partitionSchema, names, types };
  }

  #decode(bytes: ArrayBuffer, key: string): ArrowTable {
    try {
      return decodeIPC(bytes);
    } catch (e) {
      throw new BackendError("bad_layout", 502, `R2 object "${key}": ${failureText(e)}`, e);
    }
  }

  async #bytesOf(key: string): Promise<ArrayBuffer | null> {
    const o = await this.#bucket.get(key);
    return o ? o.arrayBuffer() : null;
  }

  /** Every object under `prefix`, in key order (all pages of the listing). */
  async *objects(prefix: string): AsyncGenerator<R2ObjectLike> {
    let cursor: string | undefined;
    do {
      const page = await this.#bucket.list({
        prefix,
        include: ["customMetadata"],
        ...(cursor === undefined ? {} : { cursor }),
      });
      yield* page.objects;
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor !== undefined);
  }

  /** Row counts of parts: from metadata, the cache, or the parts themselves. */
  async counts(parts: readonly Part[]): Promise<number[]> {
    const counts = new Array<number>(parts.length);
    let next = 0;
    const worker = async () => {
      while (next < parts.length) {
        const i = next++;
        const p = parts[i]!;
        counts[i] =
          p.metaRows ??
          this.#cache.rows(R2PartCache.id(p.key, p.etag)) ??
          (await this.part(p)).numRows;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, parts.length) }, worker));
    return counts;
  }

  /** A decoded part, from the cache or the bucket. */
  part(p: Part): Promise<ArrowTable> {
    const id = R2PartCache.id(p.key, p.etag);
    const cached = this.#cache.table(id);
    if (cached) return Promise.resolve(cached);
    let f = this.#fetching.get(id);
    if (!f) {
      f = (async () => {
        const o = await this.#bucket.get(p.key);
        if (!o || o.etag !== p.etag) {
          throw new BackendError(
            "bad_layout",
            502,
            `R2 part "${p.key}" ${o ? "changed" : "disappeared"} since it was listed; parts are append-only`,
          );
        }
        const table = this.#decode(await o.arrayBuffer(), p.key);
        this.#cache.setTable(id, table, p.bytes);
        return table;
      })();
      this.#fetching.set(id, f);
      const done = () => this.#fetching.delete(id);
      f.then(done, done);
    }
    return f;
  }

  /**
   * Rows `[offset, offset + n)` of one column of a location's parts (`counts` their row
   * counts), `minRows <= n <= maxRows`: whole parts until `minRows`, and the rest of the last
   * one up to `maxRows`, so no part is read that is not needed.
   */
  async readColumn(
    table: string,
    parts: readonly Part[],
    counts: readonly number[],
    column: string,
    type: ColumnType,
    offset: number,
    minRows: number,
    maxRows: number,
  ): Promise<ArrowTable> {
    const slices: ArrowTable[] = [];
    let have = 0;
    let start = 0;
    for (let i = 0; i < parts.length && have < Math.max(minRows, 1); i++) {
      const rows = counts[i]!;
      const end = start + rows;
      if (end > offset + have && have < maxRows) {
        const p = parts[i]!;
        const part = await this.part(p);
        if (!part.schema.fields.some((f) => f.name === column)) {
          throw badLayout(table, `part "${p.key}" has no column "${column}"`);
        }
        const from = offset + have - start;
        const take = Math.min(rows - from, maxRows - have);
        slices.push(part.select([column]).slice(from, from + take));
        have += take;
      }
      start = end;
    }
    return concat(slices, column, type);
  }
}

/** A listed object as a part (its `rows` custom metadata, if numeric, is its row count). */
export function partOf(o: R2ObjectLike): Part {
  const meta = o.customMetadata?.rows;
  const rows = meta !== undefined && /^\d{1,15}$/.test(meta) ? Number(meta) : null;
  return { key: o.key, etag: o.etag, bytes: o.size, metaRows: rows };
}

/** Slices of one column as one table; slices of differing Arrow types are made uniform. */
export function concat(slices: ArrowTable[], column: string, columnType: ColumnType): ArrowTable {
  const expected = { [column]: columnType };
  if (slices.length === 0) return vecsToArrow(expected, [vecFromValues(columnType, [], column)], 0);
  if (slices.length === 1) return slices[0]!;
  const types = new Set(slices.map((s) => String(s.schema.fields[0]!.type)));
  if (types.size === 1) return new ArrowTableClass(slices.flatMap((s) => s.batches));
  const uniform = slices.map((s) =>
    vecsToArrow(expected, arrowToVecs(s, expected).vecs, s.numRows, true),
  );
  return new ArrowTableClass(uniform.flatMap((s) => s.batches));
}
