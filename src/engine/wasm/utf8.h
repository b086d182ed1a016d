/*
 * A UTF-8 sequence's length as a fatal decoder (the WHATWG decoder) takes it, shared by
 * json-rows.c (a JSON string's bytes) and json-check.c (the router's check): the ranges of
 * src/engine/utf8-check.ts's `skipUtf8`, no overlong forms, surrogates or code points past
 * U+10FFFF.
 */
#pragma once

#include "key.h"

/* The length of the well-formed sequence led by `c = *p` (>= 0x80), or 0. */
static inline i32 utf8Length(const u8 *p, u8 c) {
  u8 lo = 0x80, hi = 0xbf;
  i32 more;
  if (c >= 0xc2 && c <= 0xdf) more = 1;
  else if (c >= 0xe0 && c <= 0xef) {
    more = 2;
    if (c == 0xe0) lo = 0xa0;
    else if (c == 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    more = 3;
    if (c == 0xf0) lo = 0x90;
    else if (c == 0xf4) hi = 0x8f;
  } else return 0;
  if (p[1] < lo || p[1] > hi) return 0;
  for (i32 k = 2; k <= more; k++)
    if (p[k] < 0x80 || p[k] > 0xbf) return 0;
  return more + 1;
}
