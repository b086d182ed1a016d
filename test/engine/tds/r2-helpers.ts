/**
 * Test helpers for R2Backend: an in-memory stand-in for an R2 bucket (the structural
 * R2BucketLike, with small listing pages so cursors are exercised), a timer the test fires by
 * hand, and the seed's "sample" table written in the hive layout.
 */
import type { Table as ArrowTable } from "apache-arrow";
import { tableToIPC } from "apache-arrow";
import type {
  R2BucketLike,
  R2ObjectBodyLike,
  R2ObjectsLike,
  TimerLike,
} from "../../../src/engine/tds/r2-backend.ts";
import { hivePath } from "../../../src/engine/tds/r2-layout.ts";
import { locationData, partitioningValues } from "./helpers.ts";

interface Stored {
  bytes: Uint8Array;
  etag: string;
  customMetadata?: Record<string, string>;
}

/** The part of an R2 bucket the tests write through (MemoryBucket and a real `R2Bucket` fit). */
export interface PutBucket {
  put(
    key: string,
    value: Uint8Array | ArrayBuffer,
    options?: { customMetadata?: Record<string, string> },
  ): Promise<unknown>;
}

export class MemoryBucket implements R2BucketLike, PutBucket {
  readonly objects = new Map<string, Stored>();
  readonly gets: string[] = [];
  lists = 0;
  /** Listing page size (R2's is 1000; small here so cursors are used). */
  pageSize = 3;
  /** The next `n` list calls fail. */
  failLists = 0;
  #etag = 0;

  async put(
    key: string,
    value: Uint8Array | ArrayBuffer,
    options: { customMetadata?: Record<string, string> } = {},
  ): Promise<void> {
    const bytes = value instanceof Uint8Array ? value : new Uint8Array(value);
    this.objects.set(key, {
      bytes: bytes.slice(),
      etag: `e${++this.#etag}`,
      ...(options.customMetadata ? { customMetadata: options.customMetadata } : {}),
    });
  }

  delete(key: string): void {
    this.objects.delete(key);
  }

  async get(key: string): Promise<R2ObjectBodyLike | null> {
    this.gets.push(key);
    const o = this.objects.get(key);
    if (!o) return null;
    return {
      key,
      size: o.bytes.byteLength,
      etag: o.etag,
      customMetadata: o.customMetadata,
      arrayBuffer: async () => o.bytes.slice().buffer,
    };
  }

  async list(
    options: { prefix?: string; cursor?: string; include?: string[] } = {},
  ): Promise<R2ObjectsLike> {
    this.lists++;
    if (this.failLists > 0) {
      this.failLists--;
      throw new Error("list failed (injected)");
    }
    const prefix = options.prefix ?? "";
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    const start = options.cursor ? Number(options.cursor) : 0;
    const page = keys.slice(start, start + this.pageSize);
    const withMeta = options.include?.includes("customMetadata") ?? false;
    const objects = page.map((key) => {
      const o = this.objects.get(key)!;
      return {
        key,
        size: o.bytes.byteLength,
        etag: o.etag,
        customMetadata: withMeta ? o.customMetadata : undefined,
      };
    });
    const end = start + page.length;
    return end < keys.length
      ? { objects, truncated: true, cursor: String(end) }
      : { objects, truncated: false };
  }
}

/** Timers the test fires by hand. */
export class ManualTimer implements TimerLike {
  readonly pending = new Map<number, { fn: () => void; ms: number }>();
  #next = 0;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.#next;
    this.pending.set(id, { fn, ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  /** Runs every pending timer once. */
  fire(): number {
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const t of due) t.fn();
    return due.length;
  }
}

/** Arrow IPC stream bytes. */
export const ipc = (t: ArrowTable): Uint8Array => tableToIPC(t, "stream");

/**
 * The seed's "sample" table in the hive layout under `root` (e.g. "sample/"): its data schema and
 * partitioning schema, and `addTickerData` writing one more part per call.
 */
export async function seedR2Table(bucket: PutBucket, root = "sample/") {
  await bucket.put(`${root}_schema.arrow`, ipc(locationData().slice(0, 0)));
  await bucket.put(
    `${root}_partitions.arrow`,
    ipc(partitioningValues("DUMMY_VAL", "DUMMY_VAL").slice(0, 0)),
  );
  const parts = new Map<string, number>();
  const addTickerData = async (ticker: string, exchange: string) => {
    const dir = hivePath({ Ticker: ticker, Exchange: exchange });
    const n = parts.get(dir) ?? 0;
    parts.set(dir, n + 1);
    await bucket.put(`${root}${dir}/part-${String(n).padStart(4, "0")}.arrow`, ipc(locationData()));
  };
  return { addTickerData };
}
