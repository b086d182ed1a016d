/** Test helpers for the Table Data Service: the seed's keys, data and usage, and a recorder. */
import type { Table as ArrowTable } from "apache-arrow";
import type {
  InMemoryBackendOptions,
  TableDataServiceBackend,
  TableDataServiceOptions,
  TableLocationKey as TableLocationKeyType,
} from "../../../src/engine/index.ts";
import {
  boolCol,
  byteCol,
  charCol,
  doubleCol,
  floatCol,
  hashString,
  InMemoryBackend,
  instantCol,
  intCol,
  longCol,
  newTable,
  shortCol,
  stringCol,
  TableDataService,
  TableKey,
  TableLocationKey,
  UpdateGraph,
} from "../../../src/engine/index.ts";

/** The seed's TableKeyImpl. */
export class TableKeyImpl extends TableKey {
  readonly key: string;
  constructor(key: string) {
    super();
    this.key = key;
  }
  hashCode(): number {
    return hashString(this.key);
  }
  equals(other: unknown): boolean {
    return other instanceof TableKeyImpl && other.key === this.key;
  }
  toString(): string {
    return `TableKeyImpl{${this.key}}`;
  }
}

/** The seed's TableLocationKeyImpl. */
export class TableLocationKeyImpl extends TableLocationKey {
  readonly key: string;
  constructor(key: string) {
    super();
    this.key = key;
  }
  hashCode(): number {
    return hashString(this.key);
  }
  equals(other: unknown): boolean {
    return other instanceof TableLocationKeyImpl && other.key === this.key;
  }
  toString(): string {
    return `TableLocationKeyImpl{${this.key}}`;
  }
}

// 2024-10-01T12:30:00 ET and 12:45:00 ET (EDT, UTC-4)
export const T1 = 1727800200000000000n;
export const T2 = 1727801100000000000n;

/** The seed's `location_data`: the same two rows for every location. */
export function locationData(): ArrowTable {
  return newTable([
    boolCol("Boolean", [true, false]),
    byteCol("Byte", [1, -1]),
    charCol("Char", ["-", "1"]),
    shortCol("Short", [1, -1]),
    intCol("Int", [1, -1]),
    longCol("Long", [1n, -1n]),
    longCol("NPLong", [1n, -1n]),
    floatCol("Float", [1.01, -1.01]),
    doubleCol("Double", [1.01, -1.01]),
    stringCol("String", ["foo", "bar"]),
    instantCol("Datetime", [T1, T2]),
  ]).toArrow();
}

/** The seed's `generate_partitioning_values`. */
export function partitioningValues(ticker: string, exchange: string): ArrowTable {
  return newTable([stringCol("Ticker", [ticker]), stringCol("Exchange", [exchange])]).toArrow();
}

/** The engine types of the seed's data columns, in order (without the partitioning columns). */
export const DATA_COLUMNS = {
  Boolean: "bool",
  Byte: "int8",
  Char: "char",
  Short: "int16",
  Int: "int32",
  Long: "int64",
  NPLong: "int64",
  Float: "float32",
  Double: "float64",
  String: "string",
  Datetime: "instant",
};

/** The two data rows of every location, as `toRows()` gives them (without partition columns). */
export const DATA_ROWS = [
  {
    Boolean: true,
    Byte: 1,
    Char: "-",
    Short: 1,
    Int: 1,
    Long: 1n,
    NPLong: 1n,
    Float: Math.fround(1.01),
    Double: 1.01,
    String: "foo",
    Datetime: T1,
  },
  {
    Boolean: false,
    Byte: -1,
    Char: "1",
    Short: -1,
    Int: -1,
    Long: -1n,
    NPLong: -1n,
    Float: Math.fround(-1.01),
    Double: -1.01,
    String: "bar",
    Datetime: T2,
  },
];

/** Rows of one location holding `copies` copies of the seed's data. */
export function tickerRows(ticker: string, exchange: string, copies = 1) {
  const out = [];
  for (let c = 0; c < copies; c++)
    for (const r of DATA_ROWS) out.push({ Ticker: ticker, Exchange: exchange, ...r });
  return out;
}

export const SAMPLE = new TableKeyImpl("sample");

/** The seed's backend with its "sample" table, and its `add_ticker_data`. */
export function seedBackend(options?: InMemoryBackendOptions) {
  const backend = new InMemoryBackend(options);
  backend.addTable(
    SAMPLE,
    locationData().schema,
    partitioningValues("DUMMY_VAL", "DUMMY_VAL").schema,
  );
  const addTickerData = (ticker: string, exchange: string) => {
    const loc = new TableLocationKeyImpl(`${ticker}:${exchange}`);
    if (!backend.hasLocation(SAMPLE, loc)) {
      backend.addLocation(SAMPLE, loc, partitioningValues(ticker, exchange), locationData());
    } else {
      backend.appendRows(SAMPLE, loc, locationData());
    }
  };
  return { backend, addTickerData };
}

/** Row key of row `r` of location `i`. */
export const key = (i: number, r: number) => i * 2 ** 32 + r;

/** Keys `[from, to)` of location `i`. */
export function keys(i: number, from: number, to: number): number[] {
  const out = [];
  for (let r = from; r < to; r++) out.push(key(i, r));
  return out;
}

export interface Call {
  method: string;
  table: string;
  location?: string;
  column?: string;
  offset?: number;
  minRows?: number;
  maxRows?: number;
}

/**
 * Wraps a backend, recording every call (and unsubscribe); `values` may replace a
 * `columnValues` answer.
 */
export class RecordingBackend implements TableDataServiceBackend {
  readonly inner: TableDataServiceBackend;
  readonly calls: Call[] = [];
  unsubscribes = 0;
  values: ((call: Call, real: ArrowTable) => ArrowTable | unknown) | null = null;

  constructor(inner: TableDataServiceBackend) {
    this.inner = inner;
  }

  count(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  reads(): Call[] {
    return this.calls.filter((c) => c.method === "columnValues");
  }

  tableSchema(...a: Parameters<TableDataServiceBackend["tableSchema"]>) {
    this.calls.push({ method: "tableSchema", table: String(a[0]) });
    return this.inner.tableSchema(...a);
  }
  tableLocations(...a: Parameters<TableDataServiceBackend["tableLocations"]>) {
    this.calls.push({ method: "tableLocations", table: String(a[0]) });
    return this.inner.tableLocations(...a);
  }
  tableLocationSize(...a: Parameters<TableDataServiceBackend["tableLocationSize"]>) {
    this.calls.push({ method: "tableLocationSize", table: String(a[0]), location: String(a[1]) });
    return this.inner.tableLocationSize(...a);
  }
  columnValues(...a: Parameters<TableDataServiceBackend["columnValues"]>) {
    const [k, loc, column, offset, minRows, maxRows, valuesCb, failureCb] = a;
    const call: Call = {
      method: "columnValues",
      table: String(k),
      location: String(loc),
      column,
      offset,
      minRows,
      maxRows,
    };
    this.calls.push(call);
    const hook = this.values;
    const cb = hook ? (t: ArrowTable) => valuesCb(hook(call, t) as ArrowTable) : valuesCb;
    return this.inner.columnValues(k, loc, column, offset, minRows, maxRows, cb, failureCb);
  }
  subscribeToTableLocations(
    ...a: Parameters<TableDataServiceBackend["subscribeToTableLocations"]>
  ) {
    this.calls.push({ method: "subscribeToTableLocations", table: String(a[0]) });
    const u = this.inner.subscribeToTableLocations(...a);
    return () => {
      this.unsubscribes++;
      u();
    };
  }
  subscribeToTableLocationSize(
    ...a: Parameters<TableDataServiceBackend["subscribeToTableLocationSize"]>
  ) {
    this.calls.push({
      method: "subscribeToTableLocationSize",
      table: String(a[0]),
      location: String(a[1]),
    });
    const u = this.inner.subscribeToTableLocationSize(...a);
    return () => {
      this.unsubscribes++;
      u();
    };
  }
}

/**
 * A backend driven by hand: one table "m" with one int32 column X (X = row position + 100 *
 * location number), no partitioning; it answers schema and reads at once and keeps every
 * subscription's callbacks so a test can push locations, sizes and failures.
 */
export class ManualBackend implements TableDataServiceBackend {
  readonly schema = newTable([intCol("X", [])]).toArrow().schema;
  locationSubs: {
    locationCb: Parameters<TableDataServiceBackend["subscribeToTableLocations"]>[1];
    successCb: () => void;
    failureCb: (e: unknown) => void;
    active: boolean;
  }[] = [];
  sizeSubs: {
    location: string;
    sizeCb: (size: number | bigint) => void;
    successCb: () => void;
    failureCb: (e: unknown) => void;
    active: boolean;
  }[] = [];
  unsubscribes = 0;

  tableSchema(_k: unknown, schemaCb: (s: typeof this.schema) => void) {
    schemaCb(this.schema);
  }
  tableLocations(): void {
    throw new Error("ManualBackend serves refreshing tables only");
  }
  tableLocationSize(): void {
    throw new Error("ManualBackend serves refreshing tables only");
  }
  columnValues(
    _k: unknown,
    loc: TableLocationKeyType,
    _col: string,
    offset: number,
    minRows: number,
    _maxRows: number,
    valuesCb: (t: ArrowTable) => void,
  ) {
    const base = 100 * Number((loc as TableLocationKeyImpl).key);
    const xs = Array.from({ length: minRows }, (_, i) => base + offset + i);
    valuesCb(newTable([intCol("X", xs)]).toArrow());
  }
  subscribeToTableLocations(
    _k: unknown,
    locationCb: Parameters<TableDataServiceBackend["subscribeToTableLocations"]>[1],
    successCb: () => void,
    failureCb: (e: unknown) => void,
  ) {
    const s = { locationCb, successCb, failureCb, active: true };
    this.locationSubs.push(s);
    return () => {
      s.active = false;
      this.unsubscribes++;
    };
  }
  subscribeToTableLocationSize(
    _k: unknown,
    loc: TableLocationKeyType,
    sizeCb: (size: number | bigint) => void,
    successCb: () => void,
    failureCb: (e: unknown) => void,
  ) {
    const s = { location: String(loc), sizeCb, successCb, failureCb, active: true };
    this.sizeSubs.push(s);
    return () => {
      s.active = false;
      this.unsubscribes++;
    };
  }
  /** The live location subscription (the last one made). */
  get locations() {
    return this.locationSubs[this.locationSubs.length - 1]!;
  }
  /** The live size subscription of location `n` (the last one made). */
  size(n: number) {
    const name = `TableLocationKeyImpl{${n}}`;
    return this.sizeSubs.filter((s) => s.location === name).pop()!;
  }
}

export const MANUAL = new TableKeyImpl("m");
export const loc = (n: number) => new TableLocationKeyImpl(String(n));

/**
 * A ManualBackend, a graph, and `p`, a refreshing table of MANUAL being made (it resolves once
 * the test pushes locations and sizes), returned once its location subscription is open.
 */
export async function manualTable(options: Omit<TableDataServiceOptions, "graph"> = {}) {
  const b = new ManualBackend();
  const graph = new UpdateGraph();
  const svc = new TableDataService(b, { graph, ...options });
  const p = svc.makeTable(MANUAL, { refreshing: true });
  await until(() => b.locationSubs.length > 0);
  return { b, graph, p };
}

/** Waits (a macrotask at a time) until `cond()` holds. */
export async function until(cond: () => boolean, tries = 100): Promise<void> {
  for (let i = 0; i < tries && !cond(); i++) await new Promise((r) => setTimeout(r, 0));
  if (!cond()) throw new Error("until: condition never held");
}
