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
 * The key of a value of `len` bytes at `p` (16 readable) into `*key`; 0 for a key, else what the
 * row's answer is (EMPTY, or NO_KEY for a value longer than 16 bytes or not ASCII).
 */
static inline i32 rowKey(const u8 *p, i32 len, v128_t *key) {
  if (len == 0) return EMPTY;
  if (len > 16) return NO_KEY;
  v128_t k = keyOf(p, len);
  if (!wasm_v128_any_true(k)) return NO_KEY;
  *key = k;
  return 0;
}

/* The code of `key` in the set at `sp` (`ways` keys, then their codes), or MISS. */
static inline i32 lookUp(const u8 *sp, i32 ways, v128_t key) {
  const v128_t *ks = (const v128_t *)sp;
  const i32 *cs = (const i32 *)(sp + 16 * ways);
  for (i32 w = 0; w < ways; w++) {
    v128_t e = wasm_v128_load(ks + w);
    if (wasm_i32x4_extract_lane(e, 0) == 0) break;
    if (wasm_i8x16_bitmask(wasm_i8x16_eq(e, key)) == 0xffff) return cs[w];
  }
  return MISS;
}

/* Rows `cacheProbeBlocks` keys before it looks them up. */
#define BLOCK 16

/*
 * Looks up `n` values in a level of `1 << wayBits` ways a set, held here set by set: a set's keys
 * (16 bytes each; one whose first word is 0 is empty and ends the set) and then its codes (4 bytes
 * each), `20 << wayBits` bytes from `table + set * (20 << wayBits)`; a value's set is
 * `(hash >> shift) & mask`. Value i is `bytes[offs[i] - b0, offs[i + 1] - b0)` (16 bytes readable
 * past the last). Writes to `out[i]` the value's code, MISS (then `sets[i]` is its set + 1 and
 * `words[i]` its key), NO_KEY or EMPTY. Returns n, or the first row whose end is before its start
 * or past `end` (the host's loop then reports it).
 */
__attribute__((export_name("cacheProbe"))) i32 cacheProbe(const u8 *table, i32 wayBits, i32 shift,
                                                         i32 mask, const u8 *bytes, i32 b0,
                                                         const i32 *offs, i32 n, i32 end, i32 *out,
                                                         i32 *sets, v128_t *words) {
  i32 ways = 1 << wayBits;
  u32 stride = 20u << wayBits;
  i32 b = offs[0];
  for (i32 i = 0; i < n; i++) {
    i32 e = offs[i + 1];
    if (e < b || e > end) return i;
    v128_t key;
    i32 kind = rowKey(bytes + (b - b0), e - b, &key);
    b = e;
    if (kind != 0) {
      out[i] = kind;
      continue;
    }
    u32 set = (keyHash(key) >> shift) & (u32)mask;
    i32 code = lookUp(table + set * stride, ways, key);
    out[i] = code;
    if (code == MISS) {
      sets[i] = (i32)set + 1;
      words[i] = key;
    }
  }
  return n;
}

/*
 * `cacheProbe` for a table larger than the CPU's caches (100,000 keys: 5 MB), where each look-up
 * misses them: a block of rows is keyed first and looked up after, and the short loop of the
 * look-ups lets the misses of a block overlap (32 -> 27 ns a row). A table that stays in the
 * caches is looked up faster row by row.
 */
__attribute__((export_name("cacheProbeBlocks"))) i32 cacheProbeBlocks(
    const u8 *table, i32 wayBits, i32 shift, i32 mask, const u8 *bytes, i32 b0, const i32 *offs,
    i32 n, i32 end, i32 *out, i32 *sets, v128_t *words) {
  i32 ways = 1 << wayBits;
  u32 stride = 20u << wayBits;
  i32 b = offs[0];
  v128_t key[BLOCK];
  u32 setOf[BLOCK];
  const u8 *at[BLOCK];
  for (i32 i0 = 0; i0 < n; i0 += BLOCK) {
    i32 m = n - i0 < BLOCK ? n - i0 : BLOCK;
    for (i32 j = 0; j < m; j++) {
      i32 e = offs[i0 + j + 1];
      if (e < b || e > end) return i0 + j;
      i32 kind = rowKey(bytes + (b - b0), e - b, &key[j]);
      b = e;
      at[j] = 0;
      if (kind != 0) {
        out[i0 + j] = kind;
        continue;
      }
      u32 set = (keyHash(key[j]) >> shift) & (u32)mask;
      setOf[j] = set;
      at[j] = table + set * stride;
    }
    for (i32 j = 0; j < m; j++) {
      if (at[j] == 0) continue;
      i32 code = lookUp(at[j], ways, key[j]);
      out[i0 + j] = code;
      if (code == MISS) {
        sets[i0 + j] = (i32)setOf[j] + 1;
        words[i0 + j] = key[j];
      }
    }
  }
  return n;
}

/*
 * Lays a level's table out here as `cacheProbe` reads it: `sets` sets of `1 << wayBits` ways, from
 * its key words `keys` (4 a way, set by set) and codes `codes` (one a way), both copied in whole
 * (two bulk copies, where laying them out word by word in JavaScript runs unoptimized when the
 * level is new), into `table`, set by set: its keys, then its codes.
 */
__attribute__((export_name("cacheHold"))) void cacheHold(u8 *table, const v128_t *keys,
                                                        const i32 *codes, i32 sets, i32 wayBits) {
  i32 ways = 1 << wayBits;
  for (i32 s = 0; s < sets; s++) {
    v128_t *to = (v128_t *)table;
    for (i32 w = 0; w < ways; w++) wasm_v128_store(to + w, wasm_v128_load(keys + w));
    i32 *cs = (i32 *)(table + 16 * ways);
    for (i32 w = 0; w < ways; w++) cs[w] = codes[w];
    keys += ways;
    codes += ways;
    table += 20 * ways;
  }
}
