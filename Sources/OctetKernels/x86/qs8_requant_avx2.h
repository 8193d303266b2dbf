// Vector form of octk_requantize (octk_qs8.h, DESIGN.md §2) for 8 int32 lanes (AVX2), bit-exact
// with it: vcvtdq2ps, vmulps (binary32, round to nearest even; a separate multiply, never an
// FMA), vminps against hi − z_out, vcvtps2dq (round half even under the default MXCSR); the
// output step then packs to int16 (vpackssdw), adds z_out (saturating), takes the max with lo
// and packs to int8 (vpacksswb). Only the upper bound is clamped in float — it keeps vcvtps2dq
// in range (a value ≥ 2^31 would convert to INT32_MIN) — and the result equals the spec's
// float clamp: rounding is monotone and lo − z_out an integer, so round(max(f, lo − z_out)) =
// max(round(f), lo − z_out), and the saturating steps are monotone and exact on [−128, 127] (a
// value below −2^31 converts to INT32_MIN and saturates to −128 ≤ lo).
//
// Lane order: kernels that turn 16 int32 lanes into 16 bytes hold them either as two vectors in
// the "split" order lo = channels [0..3 | 8..11], hi = [4..7 | 12..15] (128-bit halves), which
// is what vpackssdw(lo, hi) puts back in order, or in natural order plus one vpshufd at the end.
// Internal header of the x86 kernels: include only from functions compiled for avx2.
#ifndef OCTK_QS8_REQUANT_AVX2_H
#define OCTK_QS8_REQUANT_AVX2_H
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "octk_fp.h"

#define OCTK_AVX2_TARGET __attribute__((target("avx2")))

/// round_half_even(min((float)acc · scale, hi − z_out)) per lane (INT32_MIN below −2^31); the
/// lower bound is octk_requant_output_avx2's.
OCTK_AVX2_TARGET static inline __m256i octk_requant_hi_avx2(__m256i acc, __m256 scale, __m256 hi_minus_z) {
  return _mm256_cvtps_epi32(_mm256_min_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(acc), scale), hi_minus_z));
}

/// The split-order pair (lo, hi) of the 16 lanes of v (natural order), and back: vpackssdw
/// interleaves 128-bit halves, so kernels keep 16 channels as lo = [0..3 | 8..11],
/// hi = [4..7 | 12..15].
OCTK_AVX2_TARGET static inline __m256i octk_split_lo_avx2(__m256i v0_7, __m256i v8_15) {
  return _mm256_permute2x128_si256(v0_7, v8_15, 0x20);
}
OCTK_AVX2_TARGET static inline __m256i octk_split_hi_avx2(__m256i v0_7, __m256i v8_15) {
  return _mm256_permute2x128_si256(v0_7, v8_15, 0x31);
}

/// The bias and scales of 16 output channels in split order, from natural-order arrays of 16
/// (32-byte aligned): made once per channel block.
typedef struct {
  __m256i bias_lo, bias_hi;
  __m256 scale_lo, scale_hi;
} octk_requant_split16_avx2;

OCTK_AVX2_TARGET static inline octk_requant_split16_avx2 octk_requant_split16_avx2_load(const int32_t* bias,
                                                                                     const float* scale) {
  const __m256i* b = (const __m256i*)(const void*)bias;
  const __m256i* s = (const __m256i*)(const void*)scale;
  octk_requant_split16_avx2 r;
  r.bias_lo = octk_split_lo_avx2(_mm256_load_si256(b), _mm256_load_si256(b + 1));
  r.bias_hi = octk_split_hi_avx2(_mm256_load_si256(b), _mm256_load_si256(b + 1));
  r.scale_lo = _mm256_castsi256_ps(octk_split_lo_avx2(_mm256_load_si256(s), _mm256_load_si256(s + 1)));
  r.scale_hi = _mm256_castsi256_ps(octk_split_hi_avx2(_mm256_load_si256(s), _mm256_load_si256(s + 1)));
  return r;
}

/// max(z_out + r, lo) saturated to int8, as 16 bytes in natural order from r in split order
/// (z_out and lo in int16 lanes; saturating int16 and int8 steps, see the top comment). For any
/// r ≤ hi − z_out with −128 ≤ lo ≤ hi ≤ 127 this is clamp(z_out + r, lo, hi).
OCTK_AVX2_TARGET static inline __m128i octk_requant_output_avx2(__m256i r_lo, __m256i r_hi, __m256i z_out, __m256i lo) {
  const __m256i v = _mm256_max_epi16(_mm256_adds_epi16(_mm256_packs_epi32(r_lo, r_hi), z_out), lo);  // int16 lanes
  return _mm_packs_epi16(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
}

/// The same from r in natural order (lanes 0–7, 8–15): the packs leave bytes in the order
/// [0..3, 8..11, 4..7, 12..15], which one vpshufd undoes.
OCTK_AVX2_TARGET static inline __m128i octk_requant_output_natural_avx2(__m256i r0_7, __m256i r8_15, __m256i z_out,
                                                                        __m256i lo) {
  return _mm_shuffle_epi32(octk_requant_output_avx2(r0_7, r8_15, z_out, lo), _MM_SHUFFLE(3, 1, 2, 0));
}

/// Stores the first n (0 ≤ n ≤ 16) bytes of v: no byte past dst + n is written.
OCTK_AVX2_TARGET static inline void octk_store_s8_avx2(int8_t* dst, __m128i v, int n) {
  if (n >= 16) {
    _mm_storeu_si128((__m128i*)dst, v);
    return;
  }
  if (n & 8) {
    _mm_storel_epi64((__m128i*)dst, v);
    v = _mm_unpackhi_epi64(v, v);
    dst += 8;
  }
  if (n & 4) {
    const int32_t t = _mm_cvtsi128_si32(v);
    memcpy(dst, &t, 4);
    v = _mm_srli_epi64(v, 32);
    dst += 4;
  }
  if (n & 2) {
    const int16_t t = (int16_t)_mm_extract_epi16(v, 0);
    memcpy(dst, &t, 2);
    v = _mm_srli_epi32(v, 16);
    dst += 2;
  }
  if (n & 1) *dst = (int8_t)_mm_extract_epi8(v, 0);
}
#endif
