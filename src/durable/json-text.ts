/**
 * The rows of a JSON publish body given as text or UTF-8 bytes, parsed when the column reader
 * (engine/json-rows.ts) does not take it or when its digest needs the rows.
 */
import { ValueError } from "../engine/index.ts";
import { JsonTextError } from "./errors.ts";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * A JSON body's rows (`JSON.parse`): invalid UTF-8 is a ValueError, invalid JSON a JsonTextError
 * (400 `bad_json`; the router answers a malformed HTTP body before the object sees it).
 */
export function parseJsonText(json: string | Uint8Array): unknown[] {
  let text: string;
  try {
    text = typeof json === "string" ? json : strictUtf8.decode(json);
  } catch {
    throw new ValueError("the body is not valid UTF-8");
  }
  try {
    return JSON.parse(text) as unknown[];
  } catch (e) {
    throw new JsonTextError((e as Error).message);
  }
}
