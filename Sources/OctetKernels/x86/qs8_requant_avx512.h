// Vector form of octk_requantize (octk_qs8.h, DESIGN.md §2) for 16 int32 lanes (AVX-512F),
// bit-exact with it: vcvtdq2ps, vmulps (binary32, round to nearest even; a separate multiply,
// never an FMA), the clamp, vcvtps2dq (round half even under the default MXCSR).
//
// Two forms of the clamp, with equal results:
// - octk_requant_avx512: vmaxps / vminps against lo − z_out, hi − z_out, as the spec writes it;
//   r lies in [lo − z_out, hi − z_out], so r + z_out fits int8 without saturation.
// - octk_requant_hi_avx512 (the conv kernels' epilogue): only vminps against hi − z_out in
//   float, which keeps vcvtps2dq in range (a value ≥ 2^31 would convert to INT32_MIN); the lower
//   bound is a byte max with lo after vpackssdw, saturating + z_out (int16) and vpacksswb. Exact:
//   rounding is monotone and lo − z_out an integer, so round(max(f, lo − z_out)) =
//   max(round(f), lo − z_out), and the saturating steps are monotone and exact on [−128, 127]
//   (a value below −2^31 converts to INT32_MIN and saturates to −128 ≤ lo).
// Internal header of the x86 kernels: include only from functions compiled for avx512f.
#ifndef OCTK_QS8_REQUANT_AVX512_H
#define OCTK_QS8_REQUANT_AVX512_H
#include <immintrin.h>
#include <stdint.h>

#include "octk_fp.h"

#define OCTK_AVX512_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

/// The clamp bounds of the requantization, lo − z_out and hi − z_out, as binary32 lanes (exact).
typedef struct {
  __m512 lo, hi;
} octk_requant_bounds_avx512;

OCTK_AVX512_TARGET static inline octk_requant_bounds_avx512 octk_requant_bounds_avx512_make(int32_t output_zero_point,
                                                                                           int32_t lo, int32_t hi) {
  octk_requant_bounds_avx512 b;
  b.lo = _mm512_set1_ps((float)(lo - output_zero_point));
  b.hi = _mm512_set1_ps((float)(hi - output_zero_point));
  return b;
}

/// round_half_even(min(max((float)acc · scale, lo − z_out), hi − z_out)) per lane.
OCTK_AVX512_TARGET static inline __m512i octk_requant_avx512(__m512i acc, __m512 scale,
                                                             const octk_requant_bounds_avx512* b) {
  const __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), scale);
  return _mm512_cvtps_epi32(_mm512_min_ps(_mm512_max_ps(f, b->lo), b->hi));
}

/// round_half_even(min((float)acc · scale, hi − z_out)) per lane (INT32_MIN below −2^31): the
/// lower bound is left to the byte clamp after the saturating packs (see the top comment).
OCTK_AVX512_TARGET static inline __m512i octk_requant_hi_avx512(__m512i acc, __m512 scale, __m512 hi_minus_z) {
  return _mm512_cvtps_epi32(_mm512_min_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(acc), scale), hi_minus_z));
}
#endif
