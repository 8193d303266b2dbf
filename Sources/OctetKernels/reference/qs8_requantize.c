// Fixed-point requantization primitives (gemmlowp's fixedpoint.h semantics), the core of the
// int8 quantization spec. Portable C11: every intermediate that can leave the int32 range is
// computed in int64, and no signed value is ever shifted (right shifts of negative numbers are
// implementation-defined, left shifts of them undefined), so the results are the same on
// every conforming compiler and target.
#include "octk_qs8.h"

// Floor division of v by 2^e (0 <= e <= 62) using only shifts of non-negative values.
static inline int64_t floor_div_pot(int64_t v, int e) {
  if (v >= 0) return (int64_t)((uint64_t)v >> e);
  // v < 0: floor(v / 2^e) = −ceil(−v / 2^e) = −((−v + 2^e − 1) >> e). −v is safe for |v| < 2^63.
  const uint64_t m = (uint64_t)(-v);
  return -(int64_t)((m + (((uint64_t)1 << e) - 1)) >> e);
}

// SaturatingRoundingDoublingHighMul: the nearest integer to a·b / 2^31, ties toward +∞
// (gemmlowp's nudge-then-truncate is exactly floor((a·b + 2^30) / 2^31), the same rounding as
// AArch64 SQRDMULH); the single overflowing case INT32_MIN·INT32_MIN saturates to INT32_MAX.
// Every other product gives |a·b / 2^31| <= 2^31 − 1 + 1/2, rounded into range.
int32_t octk_srdhm(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  const int64_t ab = (int64_t)a * (int64_t)b;  // |ab| <= 2^62
  return (int32_t)floor_div_pot(ab + ((int64_t)1 << 30), 31);
}

// RoundingDivideByPOT: the nearest integer to x / 2^exponent, ties away from zero, for
// 0 <= exponent <= 31 (gemmlowp: floor(x / 2^e) + (remainder > threshold), where the
// threshold is half the divisor, rounded up for negative x). Exponents outside [0, 31] are
// clamped into it (the caller contract excludes them).
int32_t octk_rdbpot(int32_t x, int exponent) {
  if (exponent <= 0) return x;
  if (exponent > 31) exponent = 31;
  const int64_t v = x;
  const int64_t mask = ((int64_t)1 << exponent) - 1;
  const int64_t q = floor_div_pot(v, exponent);   // floor(x / 2^e)
  const int64_t remainder = v - q * ((int64_t)1 << exponent);  // x mod 2^e, in [0, 2^e)
  const int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (int32_t)(q + (remainder > threshold ? 1 : 0));
}

// Requantization of an int32 accumulator: left = max(shift, 0), right = max(−shift, 0);
// x = clamp(acc · 2^left, INT32_MIN, INT32_MAX) (computed in int64, as TFLite's
// MultiplyByQuantizedMultiplier but saturating instead of wrapping), then
// RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, multiplier), right).
// shift is clamped to [−31, 30] (the caller contract excludes anything else).
int32_t octk_requantize(int32_t acc, int32_t multiplier, int32_t shift) {
  if (shift > 30) shift = 30;
  if (shift < -31) shift = -31;
  const int left = shift > 0 ? (int)shift : 0;
  const int right = shift < 0 ? (int)-shift : 0;
  int64_t x = (int64_t)acc * ((int64_t)1 << left);  // |x| <= 2^61
  if (x > INT32_MAX) x = INT32_MAX;
  if (x < INT32_MIN) x = INT32_MIN;
  return octk_rdbpot(octk_srdhm((int32_t)x, multiplier), right);
}
