/**
 * The shape of one Arrow array (one column of one record batch) as the converters read it.
 * apache-arrow's `Data` has this shape, and so do the arrays `ipc-read.ts` cuts straight out of
 * an IPC body, so `decode.ts` and `validate.ts` serve both readers with the same results and
 * errors.
 *
 * Layout conventions (apache-arrow's): `values` (a typed array of the physical type; bit-packed
 * bytes for Bool) and `valueOffsets` start at the array's first row; `nullBitmap` and Bool values
 * are read from bit `offset` on; an empty `nullBitmap` means no nulls.
 */

/** The values of a dictionary-encoded column: one or more chunks of strings. */
export interface ArrowDictionary {
  readonly length: number;
  readonly data: readonly ArrowChunk[];
}

/** One Arrow array. */
export interface ArrowChunk {
  readonly length: number;
  readonly offset: number;
  readonly nullCount: number;
  readonly nullBitmap: Uint8Array | undefined;
  readonly values: unknown;
  readonly valueOffsets: unknown;
  readonly children: readonly ArrowChunk[];
  readonly dictionary?: ArrowDictionary | undefined;
  /** Rows `[offset, offset + length)` (apache-arrow's `Data.slice` semantics). */
  slice(offset: number, length: number): ArrowChunk;
}
