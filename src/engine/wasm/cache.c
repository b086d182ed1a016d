/*
 * The look-up of a batch's values in the string cache's large level (src/engine/arrow/
 * utf8-intern.ts, `probe`), compiled to WebAssembly: the level's table is held in this memory
 * (src/engine/wasm/cache-wasm.ts keeps it equal to the level's), the batch's bytes and offsets are
 * copied in, and each row's answer is written out. The answers are the ones the JavaScript loop
 * gives (test/engine/cache-wasm.test.ts).
 */
#include "key.h"

/* What `cacheProbe` writes for a row that is not found. */
#define MISS -1  /* a key not in the table: its set + 1 and key words written for the insert */
#define NO_KEY -2 /* longer than 16 bytes or not ASCII: never cached */
#define EMPTY -3 /* an empty value */

/* The string cache's hash of a key (utf8-key.ts, `keyHash`): four products of its 32-bit words. */
static inline u32 keyHash(v128_t key) {
  v128_t m = wasm_i32x4_mul(key, wasm_i32x4_make((i32)0x9e3779b1, (i32)0x85ebca6b,
                                                 (i32)0xc2b2ae35, (i32)0x27d4eb2f));
  return (u32)(wasm_i32x4_extract_lane(m, 0) ^ wasm_i32x4_extract_lane(m, 1) ^
               wasm_i32x4_extract_lane(m, 2) ^ wasm_i32x4_extract_lane(m, 3));
}

/*
 * Looks up `n` values in a level of `1 << wayBits` ways a set (`keys`: 16 bytes an entry, entry =
 * (set << wayBits) + way, an entry whose first word is 0 empty and ending its set; `codes`: one an
 * entry), its set `(hash >> shift) & mask`. Value i is `bytes[offs[i] - b0, offs[i + 1] - b0)`
 * (16 bytes readable past the last). Writes to `out[i]` the value's code, MISS (then `sets[i]` is
 * its set + 1 and `words[4i..4i + 4)` its key), NO_KEY or EMPTY. Returns n, or the first row
 * whose end is before its start or past `end` (nothing is read for it: the host's loop reports
 * it).
 */
__attribute__((export_name("cacheProbe"))) i32 cacheProbe(const v128_t *keys, const i32 *codes,
                                                         i32 wayBits, i32 shift, i32 mask,
                                                         const u8 *bytes, i32 b0, const i32 *offs,
                                                         i32 n, i32 end, i32 *out, i32 *sets,
                                                         v128_t *words) {
  i32 ways = 1 << wayBits;
  i32 b = offs[0];
  for (i32 i = 0; i < n; i++) {
    i32 e = offs[i + 1];
    if (e < b || e > end) return i;
    i32 len = e - b;
    const u8 *p = bytes + (b - b0);
    b = e;
    if (len == 0) {
      out[i] = EMPTY;
      continue;
    }
    if (len > 16) {
      out[i] = NO_KEY;
      continue;
    }
    v128_t key = keyOf(p, len);
    if (!wasm_v128_any_true(key)) {
      out[i] = NO_KEY;
      continue;
    }
    u32 set = (keyHash(key) >> shift) & (u32)mask;
    i32 x = (i32)(set << wayBits);
    i32 last = x + ways;
    i32 code = MISS;
    for (; x < last; x++) {
      v128_t k = keys[x];
      if (wasm_i32x4_extract_lane(k, 0) == 0) break;
      if (wasm_i8x16_bitmask(wasm_i8x16_eq(k, key)) == 0xffff) {
        code = codes[x];
        break;
      }
    }
    out[i] = code;
    if (code == MISS) {
      sets[i] = (i32)set + 1;
      words[i] = key;
    }
  }
  return n;
}
