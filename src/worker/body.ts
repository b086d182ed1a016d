/**
 * Request bodies: size-limited reading (413 before the object wakes), media types (415), and
 * JSON / NDJSON / CSV parsing whose errors name the position, line or row (400). Bodies are
 * checked here so a malformed request never reaches a Durable Object; the object checks the
 * values against the schema.
 */
import type { CsvRecords } from "../engine/csv-forms.ts";
import { parseCsv } from "../engine/csv-forms.ts";
import { isTickflareError, showValue } from "../engine/errors.ts";
import { HttpError } from "./http.ts";
import { isJsonArrayOfObjects, ndjsonAsJsonArray } from "./json-check.ts";

/** Largest publish body: 16 MiB (the object's RPC messages are limited to 32 MiB). */
export const MAX_PUBLISH_BYTES = 16 << 20;
/** Largest spec body. */
export const MAX_SPEC_BYTES = 1 << 20;

export const JSON_TYPE = "application/json";
export const NDJSON_TYPE = "application/x-ndjson";
export const ARROW_STREAM_TYPE = "application/vnd.apache.arrow.stream";
export const ARROW_FILE_TYPE = "application/vnd.apache.arrow.file";
export const CSV_TYPE = "text/csv";

/** The media type of a request without parameters, lower-cased; null when absent. */
export function mediaType(request: Request): string | null {
  const h = request.headers.get("Content-Type");
  if (h === null) return null;
  const t = h.split(";")[0]!.trim().toLowerCase();
  return t === "" ? null : t;
}

/**
 * Reads the whole body, refusing more than `limit` bytes with 413: at once when Content-Length
 * says so, otherwise as soon as the stream passes the limit.
 */
export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const tooLarge = (n: string) =>
    new HttpError(413, "too_large", `the body is ${n} bytes; at most ${limit} bytes are accepted`);
  const declared = request.headers.get("Content-Length");
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > limit) {
    throw tooLarge(declared);
  }
  if (!request.body) return new Uint8Array(0);
  if (declared !== null && /^\d+$/.test(declared)) {
    // The runtime holds the body to its declared length: read it whole, in one call (a read
    // per chunk of the stream cost more than the rest of a 10,000-row Arrow publish).
    const whole = new Uint8Array(await request.arrayBuffer());
    if (whole.byteLength > limit) throw tooLarge(String(whole.byteLength));
    return whole;
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(`more than ${limit}`);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new HttpError(400, "bad_body", "the body is not valid UTF-8");
  }
}

/** Parses a JSON body; syntax errors answer 400 with the parser's position. */
export function parseJson(bytes: Uint8Array, what = "the body"): unknown {
  return parseJsonText(decodeUtf8(bytes), what);
}

/** Parses JSON text (a decoded body); errors as `parseJson`'s. */
function parseJsonText(text: string, what: string): unknown {
  if (text.trim() === "") throw new HttpError(400, "bad_json", `${what} is empty; expected JSON`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, "bad_json", `${what} is not valid JSON: ${syntaxDetail(e, text)}`);
  }
}

/** The parser's message, with the position added when it names none (truncated input). */
function syntaxDetail(e: unknown, text: string): string {
  const m = e instanceof Error ? e.message : String(e);
  return /position \d+/.test(m) ? m : `${m} at position ${text.length} (the end of the input)`;
}

/** Parses NDJSON: one JSON row object per line; blank lines are skipped. Errors name the line. */
export function parseNdjson(bytes: Uint8Array): unknown[] {
  return ndjsonLines(bytes).rows;
}

/** NDJSON's values and the (trimmed) lines they were parsed from, blank lines left out. */
function ndjsonLines(bytes: Uint8Array): { rows: unknown[]; lines: string[] } {
  const text = decodeUtf8(bytes);
  const rows: unknown[] = [];
  const kept: string[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    try {
      rows.push(JSON.parse(line));
    } catch (e) {
      throw new HttpError(
        400,
        "bad_json",
        `line ${i + 1} of the NDJSON body is not valid JSON: ${syntaxDetail(e, line)}`,
      );
    }
    kept.push(line);
  }
  return { rows, lines: kept };
}

/**
 * What a publish body becomes: the UTF-8 bytes (or text) of a checked JSON array of row objects
 * (a JSON body, or an NDJSON body's lines joined into one), CSV records for the object to
 * validate, or Arrow IPC bytes. JSON goes on as bytes or text, never as row objects: the object
 * reads it into columns itself (engine/json-rows.ts), and deserializing rows from an RPC message
 * costs more than reading the text (bench/json.ts).
 */
export type PublishBody =
  | { json: string | Uint8Array }
  | { arrow: Uint8Array }
  | { csv: CsvRecords };

/** Reads a publish body by its Content-Type (JSON array, NDJSON, CSV or Arrow IPC). */
export async function readPublishBody(request: Request): Promise<PublishBody> {
  const type = mediaType(request);
  const accepted = [JSON_TYPE, NDJSON_TYPE, CSV_TYPE, ARROW_STREAM_TYPE, ARROW_FILE_TYPE];
  if (type === null || !accepted.includes(type)) {
    throw new HttpError(
      415,
      "unsupported_media_type",
      `${type === null ? "no Content-Type" : `Content-Type ${type}`}; expected one of ${accepted.join(", ")}`,
    );
  }
  const bytes = await readBody(request, MAX_PUBLISH_BYTES);
  if (type === ARROW_STREAM_TYPE || type === ARROW_FILE_TYPE) {
    if (bytes.byteLength === 0)
      throw new HttpError(400, "bad_arrow", "the body is empty; expected an Arrow IPC stream");
    return { arrow: bytes };
  }
  if (type === NDJSON_TYPE) {
    // A body the scan shows to be objects, one a line, goes on as a JSON array of them; any other
    // is parsed line by line, to name the line in error (or to take what the scan leaves out).
    const array = ndjsonAsJsonArray(bytes);
    if (array !== null) return { json: array };
    // The same rows as a JSON array's text: each kept line is one complete JSON value.
    const { rows, lines } = ndjsonLines(bytes);
    checkRows(rows);
    return { json: `[${lines.join(",")}]` };
  }
  if (type === CSV_TYPE) return { csv: parseCsvBody(bytes) };
  // The checked body goes on as its bytes: a byte array crosses the RPC boundary as one copy, where
  // a string is decoded again, and the object reads the bytes straight into columns.
  const asSent = () => ({
    json: bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice(),
  });
  // A scan that makes nothing shows most bodies sound (json-check.ts); the rest are decoded and
  // parsed, which names the error (or takes what the scan leaves out, such as a byte order mark).
  if (isJsonArrayOfObjects(bytes)) return asSent();
  const text = decodeUtf8(bytes);
  const body = parseJsonText(text, "the body");
  if (!Array.isArray(body)) {
    throw new HttpError(
      400,
      "bad_body",
      `the body must be a JSON array of row objects, got ${body === null ? "null" : typeof body}`,
    );
  }
  checkRows(body);
  return asSent();
}

/** Parses a CSV body (csv-forms.ts); syntax errors answer 400 `bad_csv` naming the row and line. */
function parseCsvBody(bytes: Uint8Array): CsvRecords {
  const text = decodeUtf8(bytes);
  try {
    return parseCsv(text);
  } catch (e) {
    if (isTickflareError(e)) throw new HttpError(400, e.code, e.message);
    throw e;
  }
}

/** Every row must be an object (the object checks columns and values). */
function checkRows(rows: unknown[]): unknown[] {
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r === null || typeof r !== "object" || Array.isArray(r)) {
      throw new HttpError(
        400,
        "bad_value",
        `row ${i}: expected an object of column values, got ${Array.isArray(r) ? "an array" : showValue(r)}`,
      );
    }
  }
  return rows;
}
