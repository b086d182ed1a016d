/*
 * The byte key of a short string, shared by seal.c and cache.c: a value of 1..16 ASCII bytes as
 * 16 bytes, zero past its end, its length in the top bits of its first five bytes (which ASCII
 * leaves zero), as the string cache keys it (src/engine/arrow/utf8-key.ts). No key is all zero.
 */
#include <stdint.h>
#include <wasm_simd128.h>

typedef uint8_t u8;
typedef int32_t i32;
typedef uint32_t u32;
typedef uint64_t u64;

/* Per length 0..16: the mask of its bytes (key.c, `keyInit`). */
extern v128_t lengthMask[17];
/* Per length 1..16: its bits in the top bits of bytes 0..4 (key.c, `keyInit`). */
extern v128_t lengthBits[17];

/* The key of the `len` (1..16) bytes at `p` (16 bytes readable), or all zero when not ASCII. */
static inline v128_t keyOf(const u8 *p, i32 len) {
  v128_t v = wasm_v128_and(wasm_v128_load(p), lengthMask[len]);
  if (wasm_i8x16_bitmask(v) != 0) return wasm_i64x2_splat(0);
  return wasm_v128_or(v, lengthBits[len]);
}
