/**
 * Arrow Utf8 bodies for the string decode tests (arrow-utf8-intern, utf8-pieces): values given
 * as strings (UTF-8 encoded) or as raw bytes (taken as they are, possibly invalid UTF-8).
 */

/** A value: a string, or its raw bytes. */
export type Utf8Value = string | ArrayLike<number>;

const enc = new TextEncoder();
const lenient = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** The body of `values`: their bytes back to back, a view of a buffer `pad` bytes longer. */
export function utf8Body(
  values: readonly Utf8Value[],
  pad = 0,
): { bytes: Uint8Array; offs: Int32Array } {
  const parts = values.map((v) => (typeof v === "string" ? enc.encode(v) : Uint8Array.from(v)));
  const offs = new Int32Array(parts.length + 1);
  let o = 0;
  parts.forEach((p, i) => {
    offs[i] = o;
    o += p.length;
  });
  offs[parts.length] = o;
  const bytes = new Uint8Array(o + pad);
  parts.forEach((p, i) => {
    bytes.set(p, offs[i]!);
  });
  return { bytes: bytes.subarray(0, o), offs };
}

/** What a separate decode of each value gives (invalid UTF-8 becomes U+FFFD). */
export function decodedEach(values: readonly Utf8Value[]): string[] {
  return values.map((v) => (typeof v === "string" ? v : lenient.decode(Uint8Array.from(v))));
}
