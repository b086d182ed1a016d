/*
 * The scan of `readJsonRows` (src/engine/json-rows.ts) compiled to WebAssembly: the same subset of
 * JSON, the same values, about two and a half times as fast (JavaScript reads a text byte by
 * byte, with a bounds check a byte; here keys are compared as words, digits summed as integers,
 * and a string value moves 16 bytes at a time). A row written as the one before it (its keys in
 * the same order, no space: what JSON.stringify and most producers write) is read by a template,
 * each key with what leads it compared as one 16-byte word (`templateRow`).
 *
 * Built by `npm run build:wasm` (scripts/build-wasm.ts: Debian's clang-14 for wasm32, SIMD on)
 * with the other C sources into engine.wasm (engine-wasm.ts); ../json-rows-wasm.ts drives it. It
 * reads texts whose schema has only float64, float32, int32/16/8, int64, instant, char, string and
 * bool columns; anything it does not take gives -1 and the JavaScript scan reads the text instead
 * (which takes more: integers with exponents or past 2^53 as numbers, decimals of more than 18
 * significant digits, doubles past the normal range, instant strings in other than the canonical
 * form or years; or sends the text on to JSON.parse). An instant column's canonical strings
 * (`2024-05-01T13:30:00.25Z`, `instantAt`), an int64's decimal strings (`int64String`), a
 * char column's one-character strings and a string's escapes and UTF-8 (`stringRest`; the
 * JavaScript scan leaves those to JSON.parse) are read here. A float column's number of up to 18
 * digits with any exponent (what JSON.stringify writes for any double) is converted here exactly
 * (`decimalToDouble`), where JavaScript would cut its text and call `Number`. So a value it gives
 * must be the one the JavaScript scan gives for the same text, and it is
 * (test/engine/json-rows-wasm.test.ts compares them, and the doubles with `Number`'s).
 *
 * No libc: the module imports nothing; this file exports `layout` (where the host writes a schema
 * and reads results), `heap`, `prepare` and `read`.
 */
#include "utf8.h"

/* Column kinds, as json-rows-wasm.ts writes them. */
enum {
  K_F64 = 0,
  K_F32 = 1,
  K_I32 = 2,
  K_I16 = 3,
  K_I8 = 4,
  K_I64 = 5,
  K_STR = 6,
  K_BOOL = 7,
  K_INSTANT = 8,
  K_CHAR = 9
};

/* Most columns a schema read here may have (a wider one is read by the JavaScript scan). */
#define MAX_COLS 64
/* Bytes of column names, all together. */
#define MAX_NAME_BYTES 4096

/* What `read` answers besides a row count. */
#define OUT_OF_ROWS -2

/*
 * The schema, written by the host before a call (kept while the same schema reads on). `keys`: 1
 * for a column every row must name. `order`: per key position, the column the last row read had
 * there (read and updated by the scan: rows of one text repeat their key order).
 */
static i32 ncols;
static i32 kinds[MAX_COLS];
static i32 keys[MAX_COLS];
static i32 order[MAX_COLS];
static i32 nameAt[MAX_COLS + 1];
static u8 names[MAX_NAME_BYTES];

/*
 * Per column, where the host wants the rows (addresses in this memory, set before each call):
 * `data` (8 bytes a row for float64 and int64 as two 32-bit halves, low first; 4 for float32 and
 * the int32/16/8 kinds, as int32; 1 for bool), `valid` (1 a row: 0 for null; `read` sets every
 * row's to 1 first, in 16-byte blocks, and writes the nulls' 0), and for a string
 * column `bytes` (its values' bytes one after another, with 16 bytes to spare past the text's
 * length) and `offs` (rows + 1 offsets). A null's data is zero.
 */
static u8 *data[MAX_COLS];
static u8 *valid[MAX_COLS];
static u8 *bytes[MAX_COLS];
static i32 *offs[MAX_COLS];
/* Per column, after a call: nulls read, and a string column's bytes. */
static i32 nulls[MAX_COLS];
static i32 byteLen[MAX_COLS];
/* Per string column, after a call: 1 when a value it read holds a byte past ASCII. */
static i32 wide[MAX_COLS];
/* Per column: 1 + the last row that named it. */
static i32 seen[MAX_COLS];

/*
 * Per column whose name and closing quote take at most 8 bytes: those bytes as a little-endian
 * word (`keyWord`) and the mask of its length (`keyMask`; 0 for a longer name, compared byte by
 * byte). Made by `prepare` from the names.
 */
static uint64_t keyWord[MAX_COLS];
static uint64_t keyMask[MAX_COLS];

/*
 * The row template: per column whose name takes at most TOKEN_NAME bytes, the text that leads its
 * value when it is a row's first key (`{"name":`) and a later one (`,"name":`), masked to its
 * `tokenLen` bytes by `tokenMask`. `templated`: every column has them (else no row is read by the
 * template). See `templateRow`.
 */
#define TOKEN_NAME 12
static v128_t tokenFirst[MAX_COLS];
static v128_t tokenNext[MAX_COLS];
static v128_t tokenMask[MAX_COLS];
static i32 tokenLen[MAX_COLS];
static i32 templated;

/* Called by the host after it wrote a schema's names. */
__attribute__((export_name("prepare"))) void prepare(void) {
  templated = ncols > 0;
  for (i32 c = 0; c < ncols; c++) {
    i32 a = nameAt[c];
    i32 l = nameAt[c + 1] - a;
    keyWord[c] = 0;
    keyMask[c] = 0;
    if (l + 1 > 8) continue;
    for (i32 i = 0; i <= l; i++) {
      uint64_t byte = i < l ? names[a + i] : '"';
      keyWord[c] |= byte << (8 * i);
      keyMask[c] |= (uint64_t)0xff << (8 * i);
    }
  }
  for (i32 c = 0; c < ncols; c++) {
    i32 a = nameAt[c];
    i32 l = nameAt[c + 1] - a;
    if (l > TOKEN_NAME) {
      templated = 0;
      continue;
    }
    u8 first[16] = {0};
    u8 next[16] = {0};
    u8 mask[16] = {0};
    first[0] = '{';
    next[0] = ',';
    first[1] = next[1] = '"';
    for (i32 i = 0; i < l; i++) first[2 + i] = next[2 + i] = names[a + i];
    first[2 + l] = next[2 + l] = '"';
    first[3 + l] = next[3 + l] = ':';
    for (i32 i = 0; i < l + 4; i++) mask[i] = 0xff;
    tokenFirst[c] = wasm_v128_load(first);
    tokenNext[c] = wasm_v128_load(next);
    tokenMask[c] = wasm_v128_load(mask);
    tokenLen[c] = l + 4;
  }
}

/* The 8 bytes at `p` (wasm reads any address). */
static inline uint64_t word8(const u8 *p) {
  uint64_t w;
  __builtin_memcpy(&w, p, 8);
  return w;
}

/* The layout the host writes and reads, by index (see json-rows-wasm.ts). */
__attribute__((export_name("layout"))) void *layout(i32 which) {
  switch (which) {
    case 0: return &ncols;
    case 1: return kinds;
    case 2: return keys;
    case 3: return order;
    case 4: return nameAt;
    case 5: return names;
    case 6: return data;
    case 7: return valid;
    case 8: return bytes;
    case 9: return offs;
    case 10: return nulls;
    case 11: return byteLen;
    case 12: return wide;
    default: return 0;
  }
}

/* First free byte after the module's own data: the host lays its buffers out from here. */
extern u8 __heap_base;
__attribute__((export_name("heap"))) i32 heap(void) { return (i32)(uintptr_t)&__heap_base; }

/* Exact powers of ten (10^0 .. 10^22 are all representable). */
static const double POW10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
/* 2^53: digits from here on are not all exact in a double. */
#define BIG 9007199254740992ull
/* float32's largest finite value. */
#define F32_MAX 3.4028234663852886e38
/*
 * A float column's digits as an integer stay below this (18 digits; zeros past them count in the
 * exponent, any other digit leaves the text to the JavaScript scan).
 */
#define FLOAT_DIGITS 1000000000000000000ull

/*
 * POW5_HI/POW5_LO[q - POW5_MIN]: 5^q for q in [POW5_MIN, POW5_MAX] as a 128-bit T with its top
 * bit set and POW5_E its binary exponent: 5^q lies in [T, T + 1) * 2^POW5_E (T exact for
 * 0 <= q <= POW5_EXACT_MAX, else truncated). Generated by scripts/build-wasm.ts.
 */
#include "pow5.h"

/* The 128-bit product of a and b as *hi, *lo. */
static inline void mul64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo) {
  uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
  uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
  *lo = (mid << 32) | (uint32_t)p00;
  *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/*
 * w * 10^q (w > 0) as the correctly rounded double (to nearest, ties to even), or 0 when this
 * cannot tell it for sure here (the caller then leaves the text to the JavaScript scan, whose
 * `Number` is exact). 10^q = 5^q * 2^q: the product P of w (shifted up to its top bit) and the
 * table's T bounds w * 5^q from below, and P + w (T truncated) from above. When the 53 bits of
 * the double and the rounding bit under them are the same at both ends, every value between
 * rounds alike: that is the answer. Otherwise (a value within w of a rounding boundary: rare),
 * or out of the range of normal doubles, 0. Lemire's method ("Number Parsing at a Gigabyte per
 * Second", 2021) with the bounds checked directly.
 */
static __attribute__((noinline)) int decimalToDouble(uint64_t w, i32 q, double *out) {
  if (q < POW5_MIN || q > POW5_MAX) return 0;
  i32 lz = __builtin_clzll(w);
  w <<= lz;
  i32 i = q - POW5_MIN;
  /* P = w * (hi, lo): 192 bits, p2 p1 p0. */
  uint64_t h1, l1, h0, l0;
  mul64(w, POW5_HI[i], &h1, &l1);
  mul64(w, POW5_LO[i], &h0, &l0);
  uint64_t p0 = l0;
  uint64_t p1 = l1 + h0;
  uint64_t p2 = h1 + (p1 < l1);
  /* P is in [2^190, 2^192): its top bit is 191 or 190; the 54 bits from it sit in p2. */
  i32 top = (i32)(p2 >> 63);
  i32 shift = 9 + top;
  uint64_t prefix = p2 >> shift;
  int exact = q >= 0 && q <= POW5_EXACT_MAX;
  /* Whether the value is past the prefix's start (else exactly on it). */
  int past = !exact || (p2 & ((1ull << shift) - 1)) != 0 || p1 != 0 || p0 != 0;
  /* The value is prefix * 2^(s + 1), the prefix's last bit the one under the double's 53. */
  i32 s = 190 + top + POW5_E[i] + q - lz - 53;
  if (!exact) {
    /* The upper bound, P + w - 1: its prefix must be the same. */
    uint64_t u0 = p0 + (w - 1);
    uint64_t u1 = p1 + (u0 < p0);
    uint64_t u2 = p2 + (u1 < p1);
    if (u2 >> shift != prefix) {
      /*
       * A boundary B = (prefix + 1) * 2^s between the bounds (the prefix's unit, as P's top
       * bit stays where it is). For 10^q = 1 / (5^k 2^k), 5^k within 64 bits, the value
       * w' / 10^k (w' = w unshifted) is compared with B exactly: w' * 2^-(s + k) against
       * (prefix + 1) * 5^k, in 128 bits (the two are close; a shift that would not fit gives
       * up). This settles a value exactly on a boundary or next to it, as a decimal of a few
       * places is ("2498193909414112.5" is a double).
       */
      if ((u2 >> 63) != (uint64_t)top || q >= 0 || q < -POW5_SMALL) return 0;
      i32 k = -q;
      uint64_t wk = w >> lz;
      uint64_t bh, bl;
      mul64(prefix + 1, POW5_INT[k], &bh, &bl);
      i32 sh = -(s + k);
      uint64_t vh, vl;
      if (sh >= 0) {
        if (sh >= 128 || (sh > 64 && (wk >> (128 - sh)) != 0)) return 0;
        vh = sh == 0 ? 0 : sh < 64 ? wk >> (64 - sh) : wk << (sh - 64);
        vl = sh < 64 ? wk << sh : 0;
      } else {
        i32 up = -sh;
        if (up >= 64 || (bh >> (64 - up)) != 0) return 0;
        bh = (bh << up) | (bl >> (64 - up));
        bl <<= up;
        vh = 0;
        vl = wk;
      }
      int cmp = vh != bh ? (vh > bh ? 1 : -1) : vl != bl ? (vl > bl ? 1 : -1) : 0;
      if (cmp >= 0) {
        prefix++;
        past = cmp > 0;
      } else past = 1;
    }
  }
  uint64_t mant = prefix >> 1;
  /* At or past the halfway point: up, unless exactly on it (then to even). */
  if ((prefix & 1) && (past || (mant & 1))) mant++;
  /* The value is mant * 2^(e - 52), e the binary exponent of its top bit. */
  i32 e = s + 53;
  if (mant == (1ull << 53)) {
    mant >>= 1;
    e++;
  }
  if (e < -1022 || e > 1023) return 0;
  uint64_t bits = ((uint64_t)(e + 1023) << 52) | (mant & ((1ull << 52) - 1));
  __builtin_memcpy(out, &bits, 8);
  return 1;
}

static inline u8 *ws(u8 *p) {
  while (*p == 32 || *p == 10 || *p == 13 || *p == 9) p++;
  return p;
}

/* Row `n` of column `c` is null: zero under it, as the JavaScript scan leaves. */
static void setNull(i32 c, i32 n) {
  valid[c][n] = 0;
  nulls[c]++;
  i32 k = kinds[c];
  if (k == K_F64 || k == K_I64 || k == K_INSTANT) ((double *)data[c])[n] = 0;
  else if (k == K_STR) offs[c][n + 1] = byteLen[c];
  else if (k == K_BOOL) data[c][n] = 0;
  else ((i32 *)data[c])[n] = 0;
}

/*
 * Writes `v` (neg: negated) to row `n` of column `c` of kind `k` (float64 or float32); 0 when a
 * float32's value is past its range.
 */
static inline int putFloat(i32 c, i32 k, i32 n, double v, int neg) {
  if (neg) v = -v;
  if (k == K_F64) ((double *)data[c])[n] = v;
  else {
    if (v > F32_MAX || v < -F32_MAX) return 0;
    ((float *)data[c])[n] = (float)v;
  }
  return 1;
}

/*
 * The rest of `floatAt` for a number its fast path does not take: an exponent at `p` (its "e"
 * or "E"; else `p` is where the number ends), then mantissa `m` (neg: negative) times 10^scale as
 * the JavaScript scan's `Number` gives it, by one exact operation or `decimalToDouble`. Out of
 * line: rare in most texts, and `valueAt`'s loop stays small.
 */
static __attribute__((noinline)) u8 *floatRest(i32 c, i32 n, u8 *p, uint64_t m, i32 scale,
                                               int neg) {
  if (*p == 'e' || *p == 'E') {
    u8 sign = *++p;
    if (sign == '-' || sign == '+') p++;
    i32 x = *p - '0';
    if (!(x >= 0 && x <= 9)) return 0;
    i32 ex = 0;
    do {
      if (ex < 100000) ex = ex * 10 + x;
      x = *++p - '0';
    } while (x >= 0 && x <= 9);
    scale += sign == '-' ? -ex : ex;
  }
  double v;
  if (m == 0) v = 0;
  else if (m < BIG && scale <= 0 && scale >= -22) v = (double)m / POW10[-scale];
  else if (m < BIG && scale > 0 && scale <= 22) v = (double)m * POW10[scale];
  else if (!decimalToDouble(m, scale, &v)) return 0;
  return putFloat(c, kinds[c], n, v, neg) ? p : 0;
}

/*
 * Reads the number at `p` (its first byte `-` or a digit) into row `n` of float64 or float32
 * column `c` (kind `k`): the double the JavaScript scan's `number` gives (Clinger's fast path
 * here; up to 18 significant digits with any exponent in `floatRest`), rounded once more to a
 * float for float32 (as `Math.fround` of it). Returns where it ends, or 0 (the JavaScript scan).
 */
static inline __attribute__((always_inline)) u8 *floatAt(i32 c, i32 k, i32 n, u8 *p) {
  int neg = *p == '-';
  if (neg) p++;
  i32 x = *p - '0';
  if (!(x >= 0 && x <= 9)) return 0;
  uint64_t m = (uint64_t)x;
  i32 scale = 0;
  x = *++p - '0';
  if (m == 0 && x >= 0 && x <= 9) return 0; /* a leading zero */
  /* Zeros past 18 digits count in the scale ("1e+21" is written with 22 digits). */
  while (x >= 0 && x <= 9) {
    if (m < FLOAT_DIGITS / 10) m = m * 10 + (uint64_t)x;
    else if (x == 0) scale++;
    else return 0;
    x = *++p - '0';
  }
  if (x == -2) { /* "." */
    x = *++p - '0';
    if (!(x >= 0 && x <= 9)) return 0;
    do {
      if (m < FLOAT_DIGITS / 10) {
        m = m * 10 + (uint64_t)x;
        scale--;
      } else if (x != 0) return 0;
      x = *++p - '0';
    } while (x >= 0 && x <= 9);
  }
  if (x == 53 || x == 21 || m >= BIG || scale < -22 || scale > 0)
    return floatRest(c, n, p, m, scale, neg);
  double v = scale == 0 ? (double)m : (double)m / POW10[-scale];
  return putFloat(c, k, n, v, neg) ? p : 0;
}

/*
 * Reads the string at `p` (its opening quote) into row `n` of int64 or instant column `c` when it
 * is a decimal integer, `-?[0-9]+` (leading zeros and all), within the int64 range: the value
 * `coerceStrict` gives it (an int64 past 2^53 is sent so). Returns where it ends (past the closing
 * quote), or 0 (anything else; out of range: the JavaScript scan reports it).
 */
static __attribute__((noinline)) u8 *int64String(i32 c, i32 n, u8 *p) {
  u8 *q = p + 1;
  int neg = *q == '-';
  if (neg) q++;
  i32 x = *q - '0';
  if (!(x >= 0 && x <= 9)) return 0;
  uint64_t m = 0;
  do {
    if (m > (~0ull - (uint64_t)x) / 10) return 0;
    m = m * 10 + (uint64_t)x;
    x = *++q - '0';
  } while (x >= 0 && x <= 9);
  if (*q != '"') return 0;
  if (m > (neg ? 1ull << 63 : (1ull << 63) - 1)) return 0;
  uint64_t v = neg ? 0 - m : m;
  ((i32 *)data[c])[2 * n] = (i32)(uint32_t)v;
  ((i32 *)data[c])[2 * n + 1] = (i32)(uint32_t)(v >> 32);
  return q + 1;
}

/* The two digits at `p` as a number, or -1. */
static inline i32 two(const u8 *p) {
  i32 a = p[0] - '0';
  i32 b = p[1] - '0';
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? 10 * a + b : -1;
}

/* Days from 1970-01-01 to year y, month m (1-12), day d of the proleptic Gregorian calendar. */
static inline int64_t daysFromCivil(i32 y, i32 m, i32 d) {
  /* Years counted from March, so a leap day ends its year; eras of 400 years (146,097 days). */
  y -= m <= 2;
  i32 era = (y >= 0 ? y : y - 399) / 400;
  i32 yoe = y - era * 400;
  i32 doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  i32 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (int64_t)era * 146097 + doe - 719468;
}

/* The last second `instantAt` read (its 16 and then 3 bytes) and its epoch nanoseconds. */
static v128_t lastSecond16;
static u8 lastSecond3[3];
static int64_t lastSecondNs;
static int lastSecondSet = 0;

/*
 * Reads the instant string at `p` (its opening quote) into row `n` of instant column `c` when it
 * is in the canonical form the engine writes, `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (1 to 9 fraction
 * digits), of a year from 1678 to 2261: its epoch nanoseconds, as `coerceStrict` gives them (every
 * field in its range, the day one its month has; no leap second). Returns where it ends (past the
 * closing quote), or 0: any other string (an offset, a space for the "T", a year at the ends of
 * the int64 range, a field out of range: the JavaScript scan reads it, or reports it). A string of
 * the same second as the one before (consecutive rows mostly are) is that second plus its
 * fraction, without reading the date again.
 */
static __attribute__((noinline)) u8 *instantAt(i32 c, i32 n, u8 *p) {
  const u8 *s = p + 1;
  v128_t head = wasm_v128_load(s);
  int64_t sec;
  if (lastSecondSet && wasm_i8x16_bitmask(wasm_i8x16_eq(head, lastSecond16)) == 0xffff &&
      s[16] == lastSecond3[0] && s[17] == lastSecond3[1] && s[18] == lastSecond3[2]) {
    sec = lastSecondNs;
  } else {
    if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
      return int64String(c, n, p); /* an instant as its nanoseconds, "1714570200250000000" */
    i32 hi = two(s), lo = two(s + 2), mo = two(s + 5), d = two(s + 8);
    i32 h = two(s + 11), mi = two(s + 14), se = two(s + 17);
    if (hi < 0 || lo < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
        se < 0 || se > 59)
      return 0;
    i32 y = 100 * hi + lo;
    if (y < 1678 || y > 2261) return 0;
    i32 leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    i32 dim = mo == 2 ? 28 + leap : mo == 4 || mo == 6 || mo == 9 || mo == 11 ? 30 : 31;
    if (d > dim) return 0;
    sec = ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60 + se;
    sec *= 1000000000;
    lastSecond16 = head;
    lastSecond3[0] = s[16];
    lastSecond3[1] = s[17];
    lastSecond3[2] = s[18];
    lastSecondNs = sec;
    lastSecondSet = 1;
  }
  const u8 *q = s + 19;
  int64_t f = 0;
  if (*q == '.') {
    q++;
    i32 digits = 0;
    while (digits < 9 && *q >= '0' && *q <= '9') {
      f = f * 10 + (*q - '0');
      digits++;
      q++;
    }
    if (digits == 0) return 0;
    for (i32 k = digits; k < 9; k++) f *= 10;
  }
  if (q[0] != 'Z' || q[1] != '"') return 0;
  int64_t ns = sec + f;
  ((i32 *)data[c])[2 * n] = (i32)ns;
  ((i32 *)data[c])[2 * n + 1] = (i32)(ns >> 32);
  return (u8 *)q + 2;
}

/*
 * Copies a string's plain bytes (printable ASCII but the quote and backslash) from `p` to `dst` at
 * `*s`, 16 at a time (stored whole: the column's buffer has 16 bytes to spare); returns the first
 * byte that is not plain (the closing quote, a backslash, a control or non-ASCII byte), `*s`
 * moved by as many. Always inlined, so its callers' counts stay in registers.
 */
static inline __attribute__((always_inline)) u8 *plainRun(u8 *p, u8 *dst, i32 *s) {
  i32 at = *s;
  for (;;) {
    v128_t w = wasm_v128_load(p);
    v128_t stop = wasm_v128_or(
        wasm_v128_or(wasm_i8x16_eq(w, wasm_i8x16_splat('"')),
                     wasm_i8x16_eq(w, wasm_i8x16_splat('\\'))),
        wasm_v128_or(wasm_u8x16_lt(w, wasm_i8x16_splat(32)),
                     wasm_u8x16_gt(w, wasm_i8x16_splat(126))));
    wasm_v128_store(dst + at, w);
    u32 m = (u32)wasm_i8x16_bitmask(stop);
    if (m == 0) {
      p += 16;
      at += 16;
      continue;
    }
    i32 t = __builtin_ctz(m);
    *s = at + t;
    return p + t;
  }
}

/* The four hexadecimal digits at `p` as a number, or -1. */
static inline i32 hex4(const u8 *p) {
  i32 v = 0;
  for (i32 i = 0; i < 4; i++) {
    u8 h = p[i];
    i32 d = h >= '0' && h <= '9' ? h - '0'
            : h >= 'a' && h <= 'f' ? h - 'a' + 10
            : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                   : -1;
    if (d < 0) return -1;
    v = 16 * v + d;
  }
  return v;
}

/*
 * Reads what ended a string's plain run at `p` (a backslash, DEL, a byte past ASCII; a control
 * byte is refused) into `dst` at `at` (then `restAt`: where it ends), as `JSON.parse` and a fatal UTF-8 decode take it: an escape
 * as the character it stands for in UTF-8 (a surrogate pair as one 4-byte character), a well-formed
 * UTF-8 sequence as it is (`utf8Length`). Returns
 * where the plain run resumes, or 0: a control byte, an unknown escape, a lone surrogate (which
 * `JSON.parse` keeps and UTF-8 cannot hold: the JavaScript side reads such a text), bad UTF-8.
 * Marks column `c` wide when it writes a byte past ASCII.
 */
/* Where `stringRest` left the value's bytes (a global: the caller's count stays in a register). */
static i32 restAt;

static __attribute__((noinline)) u8 *stringRest(i32 c, u8 *p, u8 *dst, i32 at) {
  u8 x = *p;
  if (x == '\\') {
    u8 e = p[1];
    u8 one = e == '"' ? '"' : e == '\\' ? '\\' : e == '/' ? '/' : e == 'b' ? 8 : e == 'f' ? 12
             : e == 'n' ? 10 : e == 'r' ? 13 : e == 't' ? 9 : 0;
    if (one != 0) {
      dst[at] = one;
      restAt = at + 1;
      return p + 2;
    }
    if (e != 'u') return 0;
    i32 cp = hex4(p + 2);
    if (cp < 0) return 0;
    p += 6;
    if (cp >= 0xd800 && cp <= 0xdbff) {
      if (p[0] != '\\' || p[1] != 'u') return 0;
      i32 lo = hex4(p + 2);
      if (lo < 0xdc00 || lo > 0xdfff) return 0;
      cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
      p += 6;
    } else if (cp >= 0xdc00 && cp <= 0xdfff) return 0;
    if (cp < 0x80) dst[at++] = (u8)cp;
    else {
      wide[c] = 1;
      if (cp < 0x800) {
        dst[at++] = (u8)(0xc0 | (cp >> 6));
      } else if (cp < 0x10000) {
        dst[at++] = (u8)(0xe0 | (cp >> 12));
        dst[at++] = (u8)(0x80 | ((cp >> 6) & 0x3f));
      } else {
        dst[at++] = (u8)(0xf0 | (cp >> 18));
        dst[at++] = (u8)(0x80 | ((cp >> 12) & 0x3f));
        dst[at++] = (u8)(0x80 | ((cp >> 6) & 0x3f));
      }
      dst[at++] = (u8)(0x80 | (cp & 0x3f));
    }
    restAt = at;
    return p;
  }
  if (x < 0x20) return 0;
  if (x == 0x7f) {
    dst[at] = x;
    restAt = at + 1;
    return p + 1;
  }
  /* A UTF-8 sequence led by x. */
  i32 l = utf8Length(p, x);
  if (l == 0) return 0;
  for (i32 k = 0; k < l; k++) dst[at + k] = p[k];
  wide[c] = 1;
  restAt = at + l;
  return p + l;
}

/*
 * The rest of a string value of row `n` of string column `c` whose plain run stopped at `p`
 * (not its closing quote), its bytes so far ending at `s`: what stopped it by `stringRest`, then
 * plain runs 16 bytes at a time again, to the closing quote. Returns where the value ends (past
 * the quote, its bytes and offset written), or 0 (see `stringRest`).
 */
static __attribute__((noinline)) u8 *stringSlow(i32 c, i32 n, u8 *p, i32 s) {
  u8 *dst = bytes[c];
  for (;;) {
    p = stringRest(c, p, dst, s);
    if (p == 0) return 0; /* a control byte, bad UTF-8, a lone surrogate, the end */
    s = restAt;
    p = plainRun(p, dst, &s);
    if (*p == '"') break;
  }
  byteLen[c] = s;
  offs[c][n + 1] = s;
  return p + 1;
}

/*
 * Reads the value at `p` (no space before it) into row `n` of column `c`: where it ends, or 0 when
 * this scan does not read it (the text then goes to the JavaScript scan).
 */
static inline __attribute__((always_inline)) u8 *valueAt(i32 c, i32 n, u8 *p) {
  u8 ch = *p;
  i32 k = kinds[c];
  if (k == K_STR && ch == '"') {
    /*
     * 16 bytes at a time: stored whole (the column's buffer has 16 bytes to spare), then
     * the first quote, backslash, control or non-ASCII byte ends the run. A run ended by
     * anything but the closing quote is read on by `stringSlow` (out of line, so this loop stays
     * as tight as when such a string went to the JavaScript scan).
     */
    p++;
    u8 *dst = bytes[c];
    i32 s = byteLen[c];
    p = plainRun(p, dst, &s);
    if (*p != '"') return stringSlow(c, n, p, s);
    p++;
    byteLen[c] = s;
    offs[c][n + 1] = s;
  } else if ((k <= K_I64 || k == K_INSTANT) && (ch == '-' || (ch >= '0' && ch <= '9'))) {
    /* A number: as the JavaScript scan's `number` gives it (Clinger's fast path, else -1). */
    if (k == K_F64 || k == K_F32) return floatAt(c, k, n, p);
    int neg = ch == '-';
    if (neg) p++;
    i32 x = *p - '0';
    if (!(x >= 0 && x <= 9)) return 0;
    /*
     * The digits as an integer: one at or past 2^53 cannot be exact (the JavaScript scan
     * converts its text, so the whole text goes there).
     */
    uint64_t m = (uint64_t)x;
    x = *++p - '0';
    if (m == 0) {
      if (x >= 0 && x <= 9) return 0; /* a leading zero */
    } else {
      while (x >= 0 && x <= 9) {
        m = m * 10 + (uint64_t)x;
        if (m >= BIG) return 0;
        x = *++p - '0';
      }
    }
    i32 scale = 0;
    if (x == -2) { /* "." */
      x = *++p - '0';
      if (!(x >= 0 && x <= 9)) return 0;
      do {
        m = m * 10 + (uint64_t)x;
        if (m >= BIG) return 0;
        scale--;
        x = *++p - '0';
      } while (x >= 0 && x <= 9);
    }
    /* An exponent, or too many decimals for one exact division: the JavaScript scan. */
    if (x == 53 || x == 21 || scale < -22) return 0;
    if (scale == 0) {
      /* An integer's digits: its value exactly, without a double. */
      int64_t q = neg ? -(int64_t)m : (int64_t)m; /* (-0 is 0) */
      if (k == K_I64 || k == K_INSTANT) {
        ((i32 *)data[c])[2 * n] = (i32)q;
        ((i32 *)data[c])[2 * n + 1] = (i32)(q >> 32);
      } else {
        int64_t lo = k == K_I32 ? -2147483648LL : k == K_I16 ? -32768 : -128;
        int64_t hi = k == K_I32 ? 2147483647LL : k == K_I16 ? 32767 : 127;
        if (q < lo || q > hi) return 0;
        ((i32 *)data[c])[n] = (i32)q;
      }
      return p;
    }
    /* Decimals (such as "5.0"): a whole value in range, as the JavaScript scan takes it. */
    double v = (double)m / POW10[-scale];
    if (neg) v = -v;
    if (k == K_I64 || k == K_INSTANT) {
      /* A safe integer (|m| < 2^53 here); -0 is 0. */
      if (v != (double)(int64_t)v) return 0;
      int64_t q = (int64_t)v;
      ((i32 *)data[c])[2 * n] = (i32)q;
      ((i32 *)data[c])[2 * n + 1] = (i32)(q >> 32);
    } else {
      double lo = k == K_I32 ? -2147483648.0 : k == K_I16 ? -32768.0 : -128.0;
      double hi = k == K_I32 ? 2147483647.0 : k == K_I16 ? 32767.0 : 127.0;
      if (!(v >= lo && v <= hi) || v != (double)(i32)v) return 0;
      ((i32 *)data[c])[n] = (i32)v;
    }
  } else if (k == K_BOOL && ch == 't' && p[1] == 'r' && p[2] == 'u' && p[3] == 'e') {
    data[c][n] = 1;
    p += 4;
  } else if (k == K_BOOL && ch == 'f' && p[1] == 'a' && p[2] == 'l' && p[3] == 's' &&
             p[4] == 'e') {
    data[c][n] = 0;
    p += 5;
  } else if (k == K_INSTANT && ch == '"') {
    return instantAt(c, n, p);
  } else if (k == K_I64 && ch == '"') {
    return int64String(c, n, p);
  } else if (k == K_CHAR && ch == '"') {
    /* One printable ASCII character (no quote or backslash): its code. */
    u8 x = p[1];
    if (x < 32 || x > 126 || x == '"' || x == '\\' || p[2] != '"') return 0;
    ((i32 *)data[c])[n] = x;
    return p + 3;
  } else if (ch == 'n' && p[1] == 'u' && p[2] == 'l' && p[3] == 'l') {
    setNull(c, n);
    p += 4;
  } else return 0;
  return p;
}

/*
 * Reads row `n` at `p` (its "{") when it is written as the template has it: every column's key in
 * the order of the row before (`order`), each as `tokenFirst` or `tokenNext` leads it, no space
 * anywhere, each value one this scan reads, then "}". Returns where the row ends; else 0, with
 * what it wrote undone (a null counted, a string's bytes), and the row is read key by key.
 * Nothing here differs from that reading but the work: the same values, `order` as it was.
 */
/*
 * The template in key order (`order`), made by `orderTemplate`: per key position its column, the
 * text that leads its value (first or later key), that text's mask and length.
 */
static i32 atCol[MAX_COLS];
static v128_t atLead[MAX_COLS];
static v128_t atMask[MAX_COLS];
static i32 atLen[MAX_COLS];

static i32 ordered;

/*
 * Makes the template from `order`; `ordered` says whether it names every column once. (A row
 * without some key leaves `order` naming another one twice: a template of it would read a row
 * naming that key twice, which is refused key by key, and never write the missing column.)
 */
static void orderTemplate(void) {
  uint64_t named = 0;
  ordered = 1;
  for (i32 f = 0; f < ncols; f++) {
    i32 c = order[f];
    uint64_t bit = (uint64_t)1 << c;
    if (named & bit) ordered = 0;
    named |= bit;
    atCol[f] = c;
    atLead[f] = f == 0 ? tokenFirst[c] : tokenNext[c];
    atMask[f] = tokenMask[c];
    atLen[f] = tokenLen[c];
  }
}

static inline u8 *templateRow(i32 n, u8 *p) {
  i32 f = 0;
  for (; f < ncols; f++) {
    v128_t lead = wasm_v128_and(wasm_v128_load(p), atMask[f]);
    if (wasm_i8x16_bitmask(wasm_i8x16_eq(lead, atLead[f])) != 0xffff) break;
    u8 *q = valueAt(atCol[f], n, p + atLen[f]);
    if (q == 0) break;
    p = q;
  }
  if (f == ncols && *p == '}') return p + 1;
  for (i32 g = 0; g < f; g++) {
    i32 c = atCol[g];
    if (valid[c][n] == 0) nulls[c]--;
    if (kinds[c] == K_STR) byteLen[c] = offs[c][n];
  }
  return 0;
}

/*
 * Reads the text at `b` (`len` bytes, followed by at least 16 bytes the host zeroed) into at most
 * `cap` rows of the columns. Returns the rows, OUT_OF_ROWS when the text has more than `cap`, or
 * -1 when it is outside what this scan reads (see json-rows.ts's header: the same subset, less
 * the kinds and forms the JavaScript scan reads alone).
 */
__attribute__((export_name("read"))) i32 read(u8 *b, i32 len, i32 cap) {
  u8 *end = b + len;
  /* Every row valid until a null says otherwise (the host's validity areas are 16-byte blocks). */
  const v128_t ones = wasm_i8x16_splat(1);
  for (i32 c = 0; c < ncols; c++) {
    nulls[c] = 0;
    byteLen[c] = 0;
    wide[c] = 0;
    seen[c] = 0;
    if (kinds[c] == K_STR) offs[c][0] = 0;
    for (i32 i = 0; i < cap; i += 16) wasm_v128_store(valid[c] + i, ones);
  }
  if (templated) orderTemplate();
  /* A row read key by key changed `order`: the template follows it. */
  i32 reordered = 0;
  i32 n = 0;
  u8 *p = ws(b);
  if (*p != '[') return -1;
  p = ws(p + 1);
  if (*p == ']') p++;
  else {
    for (;;) {
      if (*p != '{') return -1;
      if (n == cap) return OUT_OF_ROWS;
      if (templated && ordered) {
        u8 *q = templateRow(n, p);
        if (q != 0) {
          p = q;
          n++;
          goto rowRead;
        }
      }
      p++;
      if (*p <= 32) p = ws(p);
      i32 stamp = n + 1;
      i32 given = 0;
      if (*p == '}') p++;
      else {
        i32 f = 0;
        for (;;) {
          if (*p != '"') return -1;
          p++;
          /* The key: first the column that was the f-th key of the row before. */
          i32 guess = f < ncols ? order[f] : 0;
          i32 c = guess;
          i32 tried = 0;
          uint64_t w = word8(p);
          for (;;) {
            i32 a = nameAt[c];
            i32 l = nameAt[c + 1] - a;
            if (keyMask[c] != 0) {
              if ((w & keyMask[c]) == keyWord[c]) {
                p += l + 1;
                break;
              }
            } else {
              i32 i = 0;
              while (i < l && p[i] == names[a + i]) i++;
              if (i == l && p[l] == '"') {
                p += l + 1;
                break;
              }
            }
            if (++tried == ncols) return -1; /* not a column (or an escape in the key) */
            c = c + 1 == ncols ? 0 : c + 1;
          }
          if (seen[c] == stamp) return -1; /* a key given twice */
          seen[c] = stamp;
          given++;
          if (c != guess) {
            order[f] = c;
            reordered = 1;
          }
          f++;
          if (*p != ':') {
            p = ws(p);
            if (*p != ':') return -1;
          }
          p++;
          if (*p <= 32) p = ws(p);
          p = valueAt(c, n, p);
          if (p == 0) return -1;
          if (*p <= 32) p = ws(p);
          if (*p == ',') {
            p++;
            if (*p <= 32) p = ws(p);
            continue;
          }
          if (*p == '}') {
            p++;
            break;
          }
          return -1;
        }
      }
      if (given < ncols) {
        for (i32 c = 0; c < ncols; c++) {
          if (seen[c] == stamp) continue;
          if (keys[c]) return -1; /* a row without a key column: the caller reports it */
          setNull(c, n);
        }
      }
      if (reordered && templated) orderTemplate();
      reordered = 0;
      n++;
    rowRead:
      if (*p <= 32) p = ws(p);
      if (*p == ',') {
        p++;
        if (*p <= 32) p = ws(p);
        continue;
      }
      if (*p == ']') {
        p++;
        break;
      }
      return -1;
    }
  }
  p = ws(p);
  if (p != end) return -1; /* more after the array (or a 0 byte in the text) */
  return n;
}
