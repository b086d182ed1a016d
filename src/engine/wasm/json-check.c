/*
 * The router's check of a JSON publish body (src/worker/json-check.ts, `isJsonArrayOfObjects`)
 * compiled to WebAssembly: whether the bytes are, whole, one JSON array whose every element is an
 * object (RFC 8259, the grammar `JSON.parse` takes; UTF-8 as a fatal TextDecoder takes it: no
 * overlong forms, surrogates or code points past U+10FFFF), by one scan that makes nothing. The
 * same answers as the JavaScript scan, byte for byte of input (test/engine/json-check-wasm.test.ts
 * compares them); a string's plain bytes are passed 16 at a time.
 *
 * The host copies the body to `b` with at least 16 zero bytes after it: a zero byte is no JSON
 * token and ends no string, so the scan stops at the end without a bound check a byte, and
 * `jsonCheck` then asks that it stopped exactly there.
 */
#include "utf8.h"

/* Nesting deeper than this is left to the JavaScript scan (the answer 2: not known here). */
#define MAX_DEPTH 4096

/* The kind of each open container: 0 an array, 1 an object. */
static u8 open[MAX_DEPTH];

static inline const u8 *space(const u8 *p) {
  while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
  return p;
}

static inline int hex(u8 c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The position after the closing quote of a string whose contents start at `p`, or 0. */
static const u8 *string(const u8 *p) {
  const v128_t quote = wasm_i8x16_splat('"');
  const v128_t backslash = wasm_i8x16_splat('\\');
  const v128_t space20 = wasm_i8x16_splat(0x20);
  /* (Signed: a byte of 0x80 or more is below it.) */
  const v128_t zero = wasm_i8x16_splat(0);
  for (;;) {
    /* Plain bytes (printable ASCII but the quote and backslash) 16 at a time. */
    for (;;) {
      v128_t w = wasm_v128_load(p);
      v128_t stop =
          wasm_v128_or(wasm_v128_or(wasm_i8x16_eq(w, quote), wasm_i8x16_eq(w, backslash)),
                       wasm_v128_or(wasm_u8x16_lt(w, space20), wasm_i8x16_lt(w, zero)));
      u32 m = (u32)wasm_i8x16_bitmask(stop);
      if (m == 0) {
        p += 16;
        continue;
      }
      p += __builtin_ctz(m);
      break;
    }
    u8 c = *p;
    if (c == '"') return p + 1;
    if (c == '\\') {
      u8 e = p[1];
      if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
          e == 't')
        p += 2;
      else if (e == 'u' && hex(p[2]) && hex(p[3]) && hex(p[4]) && hex(p[5]))
        p += 6;
      else return 0;
    } else if (c < 0x20) return 0;
    else {
      i32 l = utf8Length(p, c);
      if (l == 0) return 0;
      p += l;
    }
  }
}

static inline const u8 *digits(const u8 *p) {
  while (*p >= '0' && *p <= '9') p++;
  return p;
}

/* The position after the number at `p` (a minus or a digit), or 0. */
static const u8 *number(const u8 *p) {
  if (*p == '-') p++;
  if (*p == '0') p++;
  else if (*p >= '1' && *p <= '9') p = digits(p + 1);
  else return 0;
  if (*p == '.') {
    const u8 *s = p + 1;
    p = digits(s);
    if (p == s) return 0;
  }
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '+' || *p == '-') p++;
    const u8 *s = p;
    p = digits(s);
    if (p == s) return 0;
  }
  return p;
}

/* The position after `"key" :` at `p`, or 0. */
static inline const u8 *key(const u8 *p) {
  if (*p != '"') return 0;
  p = string(p + 1);
  if (p == 0) return 0;
  p = space(p);
  return *p == ':' ? p + 1 : 0;
}

/* Set when a value nests deeper than MAX_DEPTH (the answer is then not known here). */
static int tooDeep;

/* The end of the JSON value at `p` (no space before it), or 0 when the bytes there are not one. */
static const u8 *value(const u8 *p) {
  i32 depth = 0;
  for (;;) {
    /* A value starts at p. */
    p = space(p);
    u8 c = *p;
    if (c == '"') p = string(p + 1);
    else if (c == '-' || (c >= '0' && c <= '9')) p = number(p);
    else if (c == '{' || c == '[') {
      p = space(p + 1);
      if (*p == (c == '{' ? '}' : ']')) p++;
      else {
        if (depth == MAX_DEPTH) {
          tooDeep = 1;
          return 0;
        }
        open[depth++] = c == '{';
        if (c == '{') {
          p = key(p);
          if (p == 0) return 0;
        }
        continue;
      }
    } else if (c == 't') p = p[1] == 'r' && p[2] == 'u' && p[3] == 'e' ? p + 4 : 0;
    else if (c == 'f') p = p[1] == 'a' && p[2] == 'l' && p[3] == 's' && p[4] == 'e' ? p + 5 : 0;
    else if (c == 'n') p = p[1] == 'u' && p[2] == 'l' && p[3] == 'l' ? p + 4 : 0;
    else return 0;
    if (p == 0) return 0;
    /* After a value: close containers until a comma starts the next value, or the outer ends. */
    for (;;) {
      if (depth == 0) return p;
      p = space(p);
      u8 d = *p;
      u8 inObject = open[depth - 1];
      if (d == ',') {
        p++;
        if (inObject) {
          p = key(space(p));
          if (p == 0) return 0;
        }
        break;
      }
      if (d != (inObject ? '}' : ']')) return 0;
      depth--;
      p++;
    }
  }
}

/*
 * Whether the `n` bytes at `b` (16 zero bytes after them) are one JSON array of objects: 1 yes,
 * 0 no, 2 not known here (nesting past MAX_DEPTH: the JavaScript scan answers).
 */
__attribute__((export_name("jsonCheck"))) i32 jsonCheck(const u8 *b, i32 n) {
  const u8 *end = b + n;
  tooDeep = 0;
  const u8 *p = space(b);
  if (*p != '[') return 0;
  p = space(p + 1);
  if (*p == ']') return space(p + 1) == end;
  for (;;) {
    if (*p != '{') return 0;
    p = value(p);
    if (p == 0) return tooDeep ? 2 : 0;
    p = space(p);
    if (*p == ',') p = space(p + 1);
    else if (*p == ']') return space(p + 1) == end;
    else return 0;
  }
}
