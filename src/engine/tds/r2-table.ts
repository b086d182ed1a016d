/**
 * R2Table: what R2Backend knows of one table: its layout (read once), its locations in the order
 * it found them, and each location's parts, taken from listings as they grow. Parts are
 * append-only: a listing whose known parts changed, or with a new part sorting before a known
 * one, breaks the location (reading it fails, and `onBreak` fails its subscriptions).
 */
import type { Table as ArrowTable } from "apache-arrow";
import { columnTypeOfField } from "../arrow.ts";
import type { FailureCallback, SizeCallback } from "./backend.ts";
import { BackendError } from "./backend-error.ts";
import { ALL_LOCATION, locationOf, partitionValuesOf } from "./r2-layout.ts";
import type { Layout, Part, R2Store } from "./r2-store.ts";
import { badLayout, partOf } from "./r2-store.ts";
import { StringTableLocationKey } from "./table-key.ts";

/** A size subscription on a location (R2Backend's). */
export interface R2SizeSub {
  active: boolean;
  ready: boolean;
  last: number;
  readonly sizeCb: SizeCallback;
  readonly failureCb: FailureCallback;
}

export interface R2Location {
  readonly name: string;
  readonly key: StringTableLocationKey;
  readonly partitionValues: ArrowTable | null;
  parts: Part[];
  broken: BackendError | null;
  readonly sizeSubs: Set<R2SizeSub>;
}

export class R2Table {
  readonly name: string;
  /** `<prefix><name>/` */
  readonly root: string;
  readonly #store: R2Store;
  readonly #onBreak: (l: R2Location, e: BackendError) => void;
  #layout: Promise<Layout> | null = null;
  readonly #locations = new Map<string, R2Location>();
  readonly #all: R2Location[] = [];

  constructor(
    name: string,
    root: string,
    store: R2Store,
    onBreak: (l: R2Location, e: BackendError) => void,
  ) {
    this.name = name;
    this.root = root;
    this.#store = store;
    this.#onBreak = onBreak;
  }

  /** Every location found so far, in the order found. */
  get locations(): readonly R2Location[] {
    return this.#all;
  }

  /** Forgets the layout: the next use reads it again. */
  resetLayout(): void {
    this.#layout = null;
  }

  /** The table's layout, read once (again after a failure, or after `resetLayout()`). */
  layout(): Promise<Layout> {
    if (!this.#layout) {
      const p = this.#store.readLayout(this.name, this.root);
      this.#layout = p;
      p.catch(() => {
        if (this.#layout === p) this.#layout = null;
      });
    }
    return this.#layout;
  }

  /** Lists the whole table and takes what it finds (new locations, new parts). */
  async scan(): Promise<void> {
    const layout = await this.layout();
    const found = new Map<string, Part[]>();
    for await (const o of this.#store.objects(this.root)) {
      const name = locationOf(o.key.slice(this.root.length), layout.names);
      if (name === null) continue;
      let parts = found.get(name);
      if (!parts) found.set(name, (parts = []));
      parts.push(partOf(o));
    }
    for (const [name, parts] of found) {
      const l = this.#locations.get(name) ?? this.#addLocation(layout, name);
      this.#merge(l, parts);
    }
  }

  #addLocation(layout: Layout, name: string): R2Location {
    const l: R2Location = {
      name,
      key: new StringTableLocationKey(name),
      partitionValues: partitionValuesOf(this.name, name, layout.names, layout.types),
      parts: [],
      broken: null,
      sizeSubs: new Set(),
    };
    this.#locations.set(name, l);
    this.#all.push(l);
    return l;
  }

  /** A location by name: known, or looked up in the bucket (404 when it has no parts). */
  async location(name: string): Promise<R2Location> {
    const known = this.#locations.get(name);
    if (known) return known;
    const layout = await this.layout();
    const probe = name === ALL_LOCATION ? "x.arrow" : `${name}/x.arrow`;
    const parts = locationOf(probe, layout.names) === name ? await this.#list(name) : [];
    if (parts.length === 0) {
      throw new BackendError(
        "unknown_location",
        404,
        `R2 table ${this.name} has no location "${name}"${layout.names.length ? ` (locations are ${layout.names.map((n) => `${n}=...`).join("/")})` : ` (its only location is "${ALL_LOCATION}")`}`,
      );
    }
    const l = this.#locations.get(name) ?? this.#addLocation(layout, name);
    this.#merge(l, parts);
    return l;
  }

  /** The parts of one location, listed now. */
  async #list(name: string): Promise<Part[]> {
    const layout = await this.layout();
    const prefix = name === ALL_LOCATION ? this.root : `${this.root}${name}/`;
    const parts: Part[] = [];
    for await (const o of this.#store.objects(prefix)) {
      if (locationOf(o.key.slice(this.root.length), layout.names) === name) parts.push(partOf(o));
    }
    return parts;
  }

  /** Lists one location again and takes its new parts. */
  async relist(l: R2Location): Promise<void> {
    this.#merge(l, await this.#list(l.name));
  }

  /**
   * Takes a newer listing of a location. Known parts must come first, unchanged; a listing that
   * is shorter (an older one, raced by a newer) changes nothing. Anything else breaks the
   * location: its subscriptions fail and reading it fails.
   */
  #merge(l: R2Location, listed: Part[]): void {
    if (l.broken) return;
    const n = Math.min(l.parts.length, listed.length);
    for (let i = 0; i < n; i++) {
      const a = l.parts[i]!;
      const b = listed[i]!;
      if (a.key !== b.key || a.etag !== b.etag) {
        const why =
          a.key === b.key
            ? `part "${a.key}" changed (etag ${a.etag} -> ${b.etag})`
            : `part "${b.key}" appeared before the known part "${a.key}"`;
        this.#break(l, `${why}; parts are append-only: add new parts after the last one`);
        return;
      }
    }
    if (listed.length > l.parts.length) l.parts = listed;
  }

  #break(l: R2Location, detail: string): void {
    l.broken = badLayout(this.name, `location "${l.name}": ${detail}`);
    this.#onBreak(l, l.broken);
  }

  /** Row counts of a location's parts (read, and cached, as needed); fails if it broke. */
  async counts(l: R2Location): Promise<number[]> {
    if (l.broken) throw l.broken;
    const counts = await this.#store.counts(l.parts);
    if (l.broken) throw l.broken;
    return counts;
  }

  /** Rows of a location: the sum of its parts' row counts. */
  async sizeOf(l: R2Location): Promise<number> {
    const counts = await this.counts(l);
    return counts.reduce((a, b) => a + b, 0);
  }

  /** Rows `[offset, offset + n)` of one column, `minRows <= n <= maxRows`, never a part too many. */
  async values(
    l: R2Location,
    column: string,
    offset: number,
    minRows: number,
    maxRows: number,
  ): Promise<ArrowTable> {
    const layout = await this.layout();
    const field = layout.schema.fields.find((f) => f.name === column);
    if (!field || layout.names.includes(column)) {
      const data = layout.schema.fields.map((f) => f.name).filter((n) => !layout.names.includes(n));
      throw new BackendError(
        "unknown_column",
        404,
        `R2 table ${this.name} has no data column "${column}"; data columns are [${data.join(", ")}]`,
      );
    }
    if (
      ![offset, minRows, maxRows].every((n) => Number.isSafeInteger(n) && n >= 0) ||
      minRows > maxRows
    ) {
      throw new BackendError(
        "bad_range",
        400,
        `column_values(${column}, offset=${offset}, minRows=${minRows}, maxRows=${maxRows}): expected integers with 0 <= minRows <= maxRows`,
      );
    }
    let counts = await this.counts(l);
    let total = counts.reduce((a, b) => a + b, 0);
    if (offset + minRows > total) {
      await this.relist(l);
      counts = await this.counts(l);
      total = counts.reduce((a, b) => a + b, 0);
      if (offset + minRows > total) {
        throw new BackendError(
          "bad_range",
          400,
          `R2 table ${this.name}: location "${l.name}" has ${total} rows; rows [${offset}, ${offset + minRows}) do not exist`,
        );
      }
    }
    const type = columnTypeOfField(field);
    return this.#store.readColumn(
      this.name,
      l.parts,
      counts,
      column,
      type,
      offset,
      minRows,
      maxRows,
    );
  }
}
