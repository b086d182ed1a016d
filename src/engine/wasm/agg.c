/*
 * The per-row loops of an aggregation (src/engine/agg/) compiled to WebAssembly: a span's group
 * counts (`AggregationCore`'s `#count`), integer sums (`IntAccumulator`) and float sums
 * (`FloatAccumulator`). The caller copies the span's slots and values and the groups' state into
 * this memory, the loop runs here, and the caller copies the state back (src/engine/agg/agg-wasm.ts,
 * only when the state is no larger than the span). The answers are the ones the JavaScript loops
 * give, bit for bit: the same additions in the same order (test/engine/agg-wasm.test.ts).
 */
#include <stdint.h>

typedef uint8_t u8;
typedef int32_t i32;
typedef int64_t i64;

/* A partial integer sum stays a double while |sum| <= 2^52 (int-accumulator.ts's SPILL). */
#define SPILL 4503599627370496.0
#define SPILL_INT ((i64)1 << 52)

/*
 * counts[s] += delta for each row's group s = slots[i]; a group first touched since `stamp` is
 * marked and appended to touched/was (was: whether it had rows before). Returns the new length of
 * touched (from `nt`).
 */
__attribute__((export_name("aggCount"))) i32 aggCount(const i32 *slots, i32 n, double delta,
                                                      double *counts, i32 *mark, i32 stamp,
                                                      i32 *touched, u8 *was, i32 nt) {
  for (i32 i = 0; i < n; i++) {
    i32 s = slots[i];
    if (mark[s] != stamp) {
      mark[s] = stamp;
      touched[nt] = s;
      was[nt] = counts[s] > 0;
      nt++;
    }
    counts[s] += delta;
  }
  return nt;
}

/* Whether an int64 is below 2^52 in magnitude (one unsigned compare). */
static inline int small(i64 v) {
  return (uint64_t)v + (uint64_t)(SPILL_INT - 1) < (uint64_t)(2 * SPILL_INT - 1);
}

/*
 * Adds sign * v to group s's partial sum; 0 (nothing added) when the partial would pass 2^52.
 * (The non-null values a group holds are its rows less its nulls, counted by the host.)
 */
static inline int addTo(double *d, i32 s, double sign, double v) {
  double x = d[s] + sign * v;
  if (__builtin_fabs(x) > SPILL) return 0;
  d[s] = x;
  return 1;
}

/*
 * Adds sign * value (its magnitude with `abs`) of rows [0, n) to d[s], skipping nulls
 * (valid[i] == 0; `valid` 0: none). Stops before the first row JavaScript must take: a value
 * of 2^52 or more in magnitude, or one that takes its group's partial past 2^52 (a bigint then
 * holds the excess). Returns that row's index, or n. (The common case, no nulls and no `abs`, has
 * a loop of its own: the checks cost as much as the sum.)
 */
__attribute__((export_name("aggSumI64"))) i32 aggSumI64(const i32 *slots, const i64 *vals,
                                                        const u8 *valid, i32 n, double sign,
                                                        i32 abs, double *d) {
  if (!valid && !abs) {
    for (i32 i = 0; i < n; i++)
      if (!small(vals[i]) || !addTo(d, slots[i], sign, (double)vals[i])) return i;
    return n;
  }
  for (i32 i = 0; i < n; i++) {
    if (valid && valid[i] == 0) continue;
    i64 v = vals[i];
    if (!small(v)) return i;
    if (abs && v < 0) v = -v;
    if (!addTo(d, slots[i], sign, (double)v)) return i;
  }
  return n;
}

/* As aggSumI64 for int32 values (none of which can reach 2^52). */
__attribute__((export_name("aggSumI32"))) i32 aggSumI32(const i32 *slots, const i32 *vals,
                                                        const u8 *valid, i32 n, double sign,
                                                        i32 abs, double *d) {
  for (i32 i = 0; i < n; i++) {
    if (valid && valid[i] == 0) continue;
    double v = (double)vals[i];
    if (abs && v < 0) v = -v;
    if (!addTo(d, slots[i], sign, v)) return i;
  }
  return n;
}

/*
 * FloatAccumulator's loop: finite values into sum (and their squares into sq, when given) and
 * normal; NaN and the infinities counted apart. After a removal (sign < 0), a group left with no
 * finite value has its sums reset to exactly 0. Returns the rows of NaN or an infinity.
 */
__attribute__((export_name("aggSumF64"))) i32 aggSumF64(const i32 *slots, const double *vals,
                                                        const u8 *valid, i32 n, double sign,
                                                        i32 abs, double *sum, double *sq,
                                                        double *normal, double *nan,
                                                        double *pinf, double *ninf) {
  i32 specials = 0;
  for (i32 i = 0; i < n; i++) {
    if (valid && valid[i] == 0) continue;
    i32 s = slots[i];
    double x = vals[i];
    if (abs && x < 0) x = -x;
    if (x - x == 0) {
      sum[s] += sign * x;
      if (sq) sq[s] += sign * x * x;
      normal[s] += sign;
    } else {
      specials++;
      if (x != x)
        nan[s] += sign;
      else if (x > 0)
        pinf[s] += sign;
      else
        ninf[s] += sign;
    }
  }
  if (sign < 0) {
    for (i32 i = 0; i < n; i++) {
      i32 s = slots[i];
      if (normal[s] == 0) {
        sum[s] = 0;
        if (sq) sq[s] = 0;
      }
    }
  }
  return specials;
}
