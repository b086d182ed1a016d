/**
 * Issue 14 benchmark, `npm run bench -- json`: decoding a JSON publish (an array of row objects)
 * into engine Vecs, in CPU time (`process.cpuUsage`). "JSON.parse + rows" is `JSON.parse` and
 * `vecFromRows` per column (values-to-vec.ts: the path before json-rows.ts); "readJsonRows" reads
 * the text into columns directly (json-rows.ts), falling back to the former for text outside what
 * it takes (as `addJson` and the object do). "object" is the object's side of an HTTP publish:
 * the body's text deserialized from the RPC message (V8's serializer, as Workers RPC uses), then
 * decoded. "router check" is the Worker's check of a JSON body before it wakes the object
 * (worker/body.ts): before, a fatal UTF-8 decode, `JSON.parse` and a look at every row; now, the
 * scan of the bytes that makes nothing (worker/json-check.ts). Data: the peers benchmark's (Sym string, Price float64, Size int64) batches of 10,000
 * and of 1,000 rows (320,000 rows per round), and the same with Price at full precision (17
 * significant digits, as JSON.stringify writes a computed double); the rows `npm run bench:e2e` publishes (instants of
 * one second); 10,000-row batches of every scalar type with a tenth
 * null (instants as ISO strings, a char column and some int64 as strings: readJsonRows gives up
 * on them, so this is the fallback's cost); and the same without the char and instant columns
 * and with int64 only as numbers; and 16 float64 columns whose keys come in the reverse of the
 * schema's order. Each path's best of 7 alternating rounds.
 */
import { deserialize, serialize } from "node:v8";
import { readJsonRows } from "../src/engine/json-rows.ts";
import type { ColumnType } from "../src/engine/types.ts";
import { vecFromRows } from "../src/engine/values-to-vec.ts";
import { isJsonArrayOfObjects } from "../src/worker/json-check.ts";
import { makeBenchData } from "./peers-data.ts";
import { printTable, rate } from "./util.ts";

/** CPU milliseconds of `fn`. */
function cpuMs(fn: () => void): number {
  const t = process.cpuUsage();
  fn();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1000;
}

interface Data {
  label: string;
  /** Rows per round. */
  total: number;
  schema: Record<string, ColumnType>;
  texts: string[];
}

const ALL_TYPES: Record<string, ColumnType> = {
  S: "string",
  C: "char",
  B: "bool",
  I8: "int8",
  I16: "int16",
  I: "int32",
  L: "int64",
  F: "float32",
  D: "float64",
  T: "instant",
};

/** 10,000-row batches of every scalar type, a tenth of the cells null. */
function allTypes(plain: boolean): Data {
  const texts: string[] = [];
  let seed = 7;
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  for (let b = 0; b < 10; b++) {
    const rows = Array.from({ length: 10_000 }, (_, i) => {
      const r: Record<string, unknown> = {
        S: `order-${i % 977}`,
        C: String.fromCharCode(65 + (i % 26)),
        B: i % 3 === 0,
        I8: (i % 200) - 100,
        I16: (i % 60000) - 30000,
        I: Math.floor(rnd() * 2 ** 31),
        L: i % 50 === 0 && !plain ? "9007199254740993" : Math.floor(rnd() * 2 ** 52),
        F: Math.fround(rnd() * 1000),
        D: Math.round(rnd() * 1e6) / 100,
        T: new Date(1_700_000_000_000 + b * 10_000 + i).toISOString(),
      };
      if (plain) {
        delete r.C;
        delete r.T;
      }
      for (const k of Object.keys(r)) if (rnd() < 0.1) r[k] = null;
      return r;
    });
    texts.push(JSON.stringify(rows));
  }
  const schema = { ...ALL_TYPES };
  if (plain) {
    delete schema.C;
    delete schema.T;
  }
  return {
    label: plain
      ? "every scalar type but char and instant, 10k-row batches"
      : "every scalar type, 10k-row batches",
    total: 100_000,
    schema,
    texts,
  };
}

/**
 * The rows `npm run bench:e2e` publishes (bench/e2e.ts): Id int64, Sym of 7 symbols, Price,
 * Size int32 and Ts, an ISO instant with nine fraction digits, 10,000 to a batch (so a batch's
 * instants share a second).
 */
function e2eRows(): Data {
  const syms = ["AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "META", "TSLA"];
  const texts = Array.from({ length: 10 }, (_, b) =>
    JSON.stringify(
      Array.from({ length: 10_000 }, (_, k) => {
        const i = b * 10_000 + k;
        return {
          Id: i,
          Sym: syms[i % syms.length]!,
          Price: 100 + (i % 1000) / 8,
          Size: i % 500,
          Ts: `2024-01-01T00:00:00.${String(i).padStart(9, "0")}Z`,
        };
      }),
    ),
  );
  return {
    label: "e2e rows (Id, Sym, Price, Size, Ts instant), 10k-row batches",
    total: 200_000,
    schema: { Id: "int64", Sym: "string", Price: "float64", Size: "int32", Ts: "instant" },
    texts,
  };
}

/** 10,000-row batches of 16 float64 columns whose keys come in the reverse of schema order. */
function reversedKeys(): Data {
  const names = Array.from({ length: 16 }, (_, i) => `Col${i}`);
  const order = [...names].reverse();
  const texts = Array.from({ length: 4 }, (_, b) =>
    JSON.stringify(
      Array.from({ length: 10_000 }, (_, i) =>
        Object.fromEntries(order.map((n, j) => [n, b * 10_000 + i + j / 4])),
      ),
    ),
  );
  return {
    label: "16 float64 columns, keys in reverse order, 10k-row batches",
    total: 100_000,
    schema: Object.fromEntries(names.map((n) => [n, "float64"])),
    texts,
  };
}

/** 10,000-row batches of two long string columns (distinct ids, 997 names) and an int32. */
function longStrings(): Data {
  const texts = Array.from({ length: 4 }, (_, b) =>
    JSON.stringify(
      Array.from({ length: 10_000 }, (_, i) => ({
        Id: `order-${(b * 10_000 + i).toString(16).padStart(8, "0")}-7f3a-4c2e-9b1d`,
        Name: `Customer ${i % 997} of the north region`,
        Qty: i,
      })),
    ),
  );
  return {
    label: "ids and names (two long strings), Qty, 10k-row batches",
    total: 100_000,
    schema: { Id: "string", Name: "string", Qty: "int32" },
    texts,
  };
}

/**
 * The peers rows with Price at full precision, as JSON.stringify writes a computed double
 * (`132.75466323830187`: 17 significant digits) and Size as they are: 1,000-row batches.
 */
function fullPrecision(): Data {
  let seed = 7;
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const texts = Array.from({ length: 32 }, () =>
    JSON.stringify(
      Array.from({ length: 1_000 }, (_, i) => ({
        Sym: `SYM${String(i % 100).padStart(6, "0")}`,
        Price: 100 + rnd() * 50,
        Size: 1 + Math.floor(rnd() * 999),
      })),
    ),
  );
  return {
    label: "Sym, Price at full precision, Size, 1k-row batches",
    total: 320_000,
    schema: { Sym: "string", Price: "float64", Size: "int64" },
    texts,
  };
}

function peers(batch: number): Data {
  const d = makeBenchData({ table: "append", group: false, batch, symbols: 100, format: "json" });
  return {
    label: `Sym, Price, Size, ${batch / 1000}k-row batches`,
    total: 320_000,
    schema: { Sym: "string", Price: "float64", Size: "int64" },
    texts: d.batches.map((b) => b.json),
  };
}

export function benchJson(): void {
  const out: string[][] = [];
  for (const data of [
    peers(10_000),
    peers(1_000),
    fullPrecision(),
    e2eRows(),
    allTypes(false),
    allTypes(true),
    reversedKeys(),
    longStrings(),
  ]) {
    const { schema, texts } = data;
    const names = Object.keys(schema);
    const perRound = texts.reduce((n, t) => n + (JSON.parse(t) as unknown[]).length, 0);
    const reps = Math.max(1, Math.round(data.total / perRound));
    const rows = reps * perRound;
    const rpcText = texts.map((t) => serialize(t));
    const bodies = texts.map((t) => new TextEncoder().encode(t));
    const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
    let sink = 0;
    const viaParse = (t: string) => {
      const rs = JSON.parse(t) as Record<string, unknown>[];
      for (const n of names) sink += vecFromRows(schema[n]!, rs, n).length;
    };
    const viaReader = (t: string) => {
      const got = readJsonRows(t, schema);
      if (got === null) viaParse(t);
      else sink += got.length;
    };
    const paths: Record<string, () => void> = {
      parse: () => {
        for (const t of texts) sink += (JSON.parse(t) as unknown[]).length;
      },
      decodeBefore: () => {
        for (const t of texts) viaParse(t);
      },
      decodeNow: () => {
        for (const t of texts) viaReader(t);
      },
      objectBefore: () => {
        for (const m of rpcText) viaParse(deserialize(m) as string);
      },
      objectNow: () => {
        for (const m of rpcText) viaReader(deserialize(m) as string);
      },
      checkBefore: () => {
        for (const b of bodies) {
          const text = strict.decode(b);
          if (text.trim() === "") throw new Error("empty body");
          const rs = JSON.parse(text) as unknown;
          if (!Array.isArray(rs)) throw new Error("not an array");
          for (const r of rs)
            if (r === null || typeof r !== "object" || Array.isArray(r)) throw new Error("row");
          sink += rs.length;
        }
      },
      checkNow: () => {
        for (const b of bodies) {
          if (!isJsonArrayOfObjects(b)) throw new Error("not shown sound");
          sink += 1;
        }
      },
    };
    const ms: Record<string, number> = {};
    for (let round = 0; round < 7; round++) {
      for (const [k, f] of Object.entries(paths)) {
        const t = cpuMs(() => {
          for (let r = 0; r < reps; r++) f();
        });
        ms[k] = Math.min(ms[k] ?? Number.POSITIVE_INFINITY, t);
      }
    }
    if (sink <= 0) throw new Error("nothing decoded");
    const line = (what: string, b: string, n: string) => [
      data.label,
      what,
      rate(rows, ms[b]!),
      rate(rows, ms[n]!),
      `${(ms[b]! / ms[n]!).toFixed(1)}x`,
    ];
    out.push([data.label, "JSON.parse alone", rate(rows, ms.parse!), "", ""]);
    out.push(line("text -> Vecs", "decodeBefore", "decodeNow"));
    out.push(line("object: RPC message -> Vecs", "objectBefore", "objectNow"));
    out.push(line("router check of the body", "checkBefore", "checkNow"));
  }
  printTable(
    "JSON publish decode, CPU time (best of 7 alternating rounds); before: JSON.parse + rows (check: + decode), now: readJsonRows (check: isJsonArrayOfObjects)",
    ["data", "step", "before", "now", "ratio"],
    out,
  );
}
