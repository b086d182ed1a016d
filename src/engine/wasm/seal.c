/*
 * The seals of a full page of an append-only column (src/engine/column.ts, `sealFullPages`)
 * compiled to WebAssembly: `narrowF64` and `narrowI64` (`#sealNarrow`) and `sealBytes`
 * (`#sealBytes`). The page is copied into this memory, the loop runs here, and the result is
 * copied out; the answers are the ones the JavaScript loops give (test/engine/seal-wasm.test.ts).
 */
#include "key.h"

/*
 * What a narrowing found: the least and greatest integer, the decimals of a float64 page, and the
 * bytes an integer now takes (1, 2 or 4: the narrowest that holds [min, max]; the integers are
 * packed so in place).
 */
static i32 narrowMin;
static i32 narrowMax;
static i32 narrowDecimals;
static i32 narrowWidth;

__attribute__((export_name("narrowResult"))) i32 *narrowResult(void) {
  static i32 out[4];
  out[0] = narrowMin;
  out[1] = narrowMax;
  out[2] = narrowDecimals;
  out[3] = narrowWidth;
  return out;
}

/*
 * Packs `n` integers at `k` in [min, max] into the narrowest of 8, 16 and 32 bits, in place (a
 * narrower one written at i never reaches the wider ones after it); sets `narrowWidth`.
 */
static void pack(i32 *k, i32 n, i32 min, i32 max) {
  if (min >= -0x80 && max <= 0x7f) {
    int8_t *o = (int8_t *)k;
    i32 i = 0;
    /* 16 a step: all 16 read before any is written (they never overlap the ones after). */
    for (; i + 16 <= n; i += 16) {
      v128_t a = wasm_i16x8_narrow_i32x4(wasm_v128_load(k + i), wasm_v128_load(k + i + 4));
      v128_t b = wasm_i16x8_narrow_i32x4(wasm_v128_load(k + i + 8), wasm_v128_load(k + i + 12));
      wasm_v128_store(o + i, wasm_i8x16_narrow_i16x8(a, b));
    }
    for (; i < n; i++) o[i] = (int8_t)k[i];
    narrowWidth = 1;
  } else if (min >= -0x8000 && max <= 0x7fff) {
    int16_t *o = (int16_t *)k;
    i32 i = 0;
    for (; i + 8 <= n; i += 8)
      wasm_v128_store(o + i, wasm_i16x8_narrow_i32x4(wasm_v128_load(k + i), wasm_v128_load(k + i + 4)));
    for (; i < n; i++) o[i] = (int16_t)k[i];
    narrowWidth = 2;
  } else narrowWidth = 4;
}

#define I32_MIN -2147483648.0
#define I32_MAX 2147483647.0

/* The least of `x` and both lanes of `v` (no NaN among them). */
static inline double minOf(double x, v128_t v) {
  double a = wasm_f64x2_extract_lane(v, 0);
  double b = wasm_f64x2_extract_lane(v, 1);
  if (a < x) x = a;
  return b < x ? b : x;
}

/* The greatest of `x` and both lanes of `v` (no NaN among them). */
static inline double maxOf(double x, v128_t v) {
  double a = wasm_f64x2_extract_lane(v, 0);
  double b = wasm_f64x2_extract_lane(v, 1);
  if (a > x) x = a;
  return b > x ? b : x;
}

/*
 * `#sealNarrow` of a float64 page: `n` values at `d` (`valid`: 1 a row with a value, or 0 for
 * none) as integer counts of 10^-e for the least e <= `maxDecimals` that holds every value
 * exactly, into `k` (0 under a null), packed (`pack`). 1 when every value fits 32 bits so (then
 * `narrowResult`), 0 otherwise (NaN, an infinity, -0, more decimals, out of range).
 *
 * The JavaScript loop rounds with Math.round (halves up) and this one to the nearest even: they
 * differ only at a product exactly halfway between integers, whose quotient by the scale is never
 * the value, so both raise the decimals there, and wherever the test passes the integer is the
 * one whose quotient is the value.
 */
__attribute__((export_name("narrowF64"))) i32 narrowF64(const double *d, const u8 *valid, i32 n,
                                                       i32 *k, i32 maxDecimals) {
  i32 e = 0;
  double scale = 1;
  double min = 0;
  double max = 0;
  /*
   * Two rows a step while both have values, fit at the current decimals, are not -0 and fit 32
   * bits (their integers' least and greatest kept apart, folded into min and max when the decimals
   * rise and at the end); any other row goes the scalar way below, in the same order, so the
   * answers are the scalar loop's.
   */
  v128_t vscale = wasm_f64x2_splat(1);
  v128_t vmin = wasm_f64x2_splat(0);
  v128_t vmax = wasm_f64x2_splat(0);
  const v128_t lo = wasm_f64x2_splat(I32_MIN);
  const v128_t hi = wasm_f64x2_splat(I32_MAX);
  const v128_t negZero = wasm_i64x2_splat((int64_t)0x8000000000000000ull);
  const v128_t toInt = wasm_f64x2_splat(6755399441055744.0);
  i32 i = 0;
  while (i < n) {
    if (i + 2 <= n && (!valid || (valid[i] & valid[i + 1]))) {
      v128_t v = wasm_v128_load(d + i);
      v128_t c = wasm_f64x2_nearest(wasm_f64x2_mul(v, vscale));
      v128_t fits = wasm_v128_and(wasm_f64x2_le(c, hi), wasm_f64x2_ge(c, lo));
      v128_t ok = wasm_v128_andnot(
          wasm_v128_and(wasm_f64x2_eq(wasm_f64x2_div(c, vscale), v), fits),
          wasm_i64x2_eq(v, negZero));
      if (wasm_i64x2_all_true(ok)) {
        /* Integers in 32 bits: the low word of c + 1.5 * 2^52 (exact for |c| <= 2^51). */
        v128_t bits = wasm_f64x2_add(c, toInt);
        wasm_v128_store64_lane(k + i, wasm_i32x4_shuffle(bits, bits, 0, 2, 0, 2), 0);
        vmin = wasm_f64x2_pmin(vmin, c);
        vmax = wasm_f64x2_pmax(vmax, c);
        i += 2;
        continue;
      }
    }
    if (valid && valid[i] == 0) {
      k[i] = 0;
      i++;
      continue;
    }
    double v = d[i];
    double c = __builtin_nearbyint(v * scale);
    if (c / scale != v || (c == 0 && __builtin_signbit(v))) {
      if (v == 0 || v != v) return 0; /* -0 or NaN */
      double before = scale;
      do {
        if (e == maxDecimals) return 0;
        e++;
        scale *= 10;
        c = __builtin_nearbyint(v * scale);
      } while (c / scale != v);
      double f = scale / before;
      min = minOf(min, vmin);
      max = maxOf(max, vmax);
      vmin = wasm_f64x2_splat(0);
      vmax = wasm_f64x2_splat(0);
      vscale = wasm_f64x2_splat(scale);
      min *= f;
      max *= f;
      if (min < I32_MIN || max > I32_MAX) return 0;
      i32 fi = (i32)f;
      for (i32 j = 0; j < i; j++) k[j] *= fi;
    }
    /* (An infinity passes the test above and fails this one.) */
    if (!(c <= I32_MAX && c >= I32_MIN)) return 0;
    k[i] = (i32)c;
    if (c < min) min = c;
    else if (c > max) max = c;
    i++;
  }
  narrowMin = (i32)minOf(min, vmin);
  narrowMax = (i32)maxOf(max, vmax);
  narrowDecimals = e;
  pack(k, n, narrowMin, narrowMax);
  return 1;
}

/*
 * `#sealNarrow` of an int64 page: `n` values as 32-bit halves at `w` (low first) into `k`, packed
 * (`pack`), when every one is a 32-bit integer. 1 then (and `narrowResult`), else 0.
 */
__attribute__((export_name("narrowI64"))) i32 narrowI64(const i32 *w, const u8 *valid, i32 n,
                                                       i32 *k) {
  i32 min = 0;
  i32 max = 0;
  /* Four rows a step while all four have values and are 32-bit integers; else row by row. */
  v128_t vmin = wasm_i32x4_splat(0);
  v128_t vmax = wasm_i32x4_splat(0);
  i32 i = 0;
  while (i < n) {
    if (i + 4 <= n) {
      u32 all = 1;
      if (valid) {
        u32 vv;
        __builtin_memcpy(&vv, valid + i, 4);
        all = vv == 0x01010101u;
      }
      if (all) {
        v128_t a = wasm_v128_load(w + 2 * i);
        v128_t b = wasm_v128_load(w + 2 * i + 4);
        v128_t low = wasm_i32x4_shuffle(a, b, 0, 2, 4, 6);
        v128_t high = wasm_i32x4_shuffle(a, b, 1, 3, 5, 7);
        if (wasm_i32x4_all_true(wasm_i32x4_eq(high, wasm_i32x4_shr(low, 31)))) {
          wasm_v128_store(k + i, low);
          vmin = wasm_i32x4_min(vmin, low);
          vmax = wasm_i32x4_max(vmax, low);
          i += 4;
          continue;
        }
      }
    }
    if (valid && valid[i] == 0) {
      k[i] = 0;
      i++;
      continue;
    }
    i32 lo = w[2 * i];
    if (w[2 * i + 1] != lo >> 31) return 0; /* not a 32-bit integer */
    k[i] = lo;
    if (lo < min) min = lo;
    else if (lo > max) max = lo;
    i++;
  }
  for (i32 l = 0; l < 4; l++) {
    i32 a = ((i32 *)&vmin)[l];
    i32 b = ((i32 *)&vmax)[l];
    if (a < min) min = a;
    if (b > max) max = b;
  }
  narrowMin = min;
  narrowMax = max;
  narrowDecimals = 0;
  pack(k, n, min, max);
  return 1;
}

/*
 * Byte-keyed indexes of sealing dictionaries (`#sealBytes`): SLOTS of them, each KEY_SLOTS keys of
 * 16 bytes (a value of 1..16 ASCII bytes, zero past its end, its length in the top bits of its
 * first five bytes, which ASCII leaves zero: so no key is all zero, the empty mark) and their codes.
 * The host gives each column's dictionary a slot, and fills it again when a slot changes hands.
 */
#define SLOTS 8
#define KEY_BITS 12
#define KEY_SLOTS (1 << KEY_BITS)
static v128_t keys[SLOTS][KEY_SLOTS];
static uint16_t codes[SLOTS][KEY_SLOTS];

/* Empties index `slot`. */
__attribute__((export_name("sealReset"))) void sealReset(i32 slot) {
  for (i32 i = 0; i < KEY_SLOTS; i++) keys[slot][i] = wasm_i64x2_splat(0);
}

static inline u32 hashOf(v128_t key) {
  u64 a = (u64)wasm_i64x2_extract_lane(key, 0);
  u64 b = (u64)wasm_i64x2_extract_lane(key, 1);
  u64 h = (a ^ (b * 0x9e3779b97f4a7c15ull)) * 0xc2b2ae3d27d4eb4full;
  return (u32)(h >> (64 - KEY_BITS));
}

/* The index position of `key` in `slot`: where it is, or the empty one where it would go. */
static inline u32 find(i32 slot, v128_t key) {
  u32 h = hashOf(key);
  for (;;) {
    v128_t k = keys[slot][h];
    if (wasm_i8x16_bitmask(wasm_i8x16_eq(k, key)) == 0xffff) return h;
    if (!wasm_v128_any_true(k)) return h;
    h = (h + 1) & (KEY_SLOTS - 1);
  }
}

/*
 * Adds to index `slot` the `len` bytes at `p` (16 readable) with `code`. 0 when they are not a
 * key (empty, longer than 16 bytes or not ASCII: no value so is looked up), else 1. (A dictionary
 * holds at most SEAL_MAX_STRINGS, 1,024, strings: an index is never more than a quarter full.)
 */
__attribute__((export_name("sealInsert"))) i32 sealInsert(i32 slot, const u8 *p, i32 len,
                                                         i32 code) {
  if (len < 1 || len > 16) return 0;
  v128_t key = keyOf(p, len);
  if (!wasm_v128_any_true(key)) return 0;
  u32 h = find(slot, key);
  keys[slot][h] = key;
  codes[slot][h] = (uint16_t)code;
  return 1;
}

/* Packs `n` 16-bit codes at `c` into 8 bits, in place (every code below 256). */
__attribute__((export_name("packCodes"))) void packCodes(uint16_t *c, i32 n) {
  u8 *o = (u8 *)c;
  for (i32 i = 0; i < n; i++) o[i] = (u8)c[i];
}

/*
 * Looks rows `from`.. of a page up in index `slot`: `n` rows, their bytes at `bytes` (the first
 * `limit` of them there, and 16 readable past those), `offs` (n + 1), `valid` (or 0), writing
 * each row's code to `out` (0 for an empty value or a null). Returns n when every row was found;
 * a row `i` >= 0 not in the index (the host adds it and goes on from there); -1 - i for a row
 * longer than 16 bytes or not ASCII (the host seals the page another way); or n + 1 + i for a key
 * whose bytes pass `limit` (the host copies the rest and goes on from there).
 */
__attribute__((export_name("sealBytes"))) i32 sealBytes(i32 slot, const u8 *bytes, const i32 *offs,
                                                       const u8 *valid, i32 n, i32 from,
                                                       uint16_t *out, i32 limit) {
  for (i32 i = from; i < n; i++) {
    i32 b = offs[i];
    i32 len = offs[i + 1] - b;
    if (len == 0 || (valid && valid[i] == 0)) {
      out[i] = 0;
      continue;
    }
    if (len > 16) return -1 - i;
    if (b + len > limit) return n + 1 + i;
    v128_t key = keyOf(bytes + b, len);
    if (!wasm_v128_any_true(key)) return -1 - i;
    u32 h = find(slot, key);
    if (!wasm_v128_any_true(keys[slot][h])) return i;
    out[i] = codes[slot][h];
  }
  return n;
}
