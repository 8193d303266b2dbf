// Vector form of octk_requantize for 8 int32 lanes with per-lane multiplier and shift (AVX2),
// bit-exact with reference/qs8_requantize.c:
//   x = saturate32(acc · 2^left)                          left = max(shift, 0)
//   h = min(floor((x·M0 + 2^30) / 2^31), INT32_MAX)       SRDHM (vpmuldq: 64-bit products)
//   r = floor(h / 2^right) + (h mod 2^right > threshold)  RDBPOT, right = max(−shift, 0)
// floor(Q / 2^31) needs only bits 31..62 of the 64-bit Q = x·M0 + 2^30 (|Q| < 2^62 + 2^30), so
// logical 64-bit shifts suffice (AVX2 has no arithmetic one). RDBPOT runs on int32 lanes.
//
// Lane order: kernels that turn 16 int32 lanes into 16 bytes hold them as two vectors in the
// "split" order lo = channels [0..3 | 8..11], hi = [4..7 | 12..15] (128-bit halves), which is
// what vpackssdw(lo, hi) puts back in order.
// Internal header of the x86 kernels: include only from functions compiled for avx2.
#ifndef OCTK_QS8_REQUANT_AVX2_H
#define OCTK_QS8_REQUANT_AVX2_H
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#define OCTK_AVX2_TARGET __attribute__((target("avx2")))

/// saturate32(x · 2^left) per lane, 0 ≤ left ≤ 30: lanes whose value does not survive the
/// round trip overflowed and take INT32_MAX / INT32_MIN by sign.
OCTK_AVX2_TARGET static inline __m256i octk_shl_sat_avx2(__m256i x, __m256i left) {
  const __m256i shifted = _mm256_sllv_epi32(x, left);
  const __m256i ok = _mm256_cmpeq_epi32(_mm256_srav_epi32(shifted, left), x);
  const __m256i saturated = _mm256_xor_si256(_mm256_set1_epi32(INT32_MAX), _mm256_srai_epi32(x, 31));
  return _mm256_blendv_epi8(saturated, shifted, ok);
}

/// saturate32(a + b) per lane: overflow when both operands share a sign the sum lacks.
OCTK_AVX2_TARGET static inline __m256i octk_add_sat_avx2(__m256i a, __m256i b) {
  const __m256i s = _mm256_add_epi32(a, b);
  const __m256i overflow = _mm256_srai_epi32(_mm256_and_si256(_mm256_xor_si256(s, a), _mm256_xor_si256(s, b)), 31);
  const __m256i saturated = _mm256_xor_si256(_mm256_set1_epi32(INT32_MAX), _mm256_srai_epi32(a, 31));
  return _mm256_blendv_epi8(s, saturated, overflow);
}

/// Requantization constants of 8 lanes, made once per channel block and applied to many
/// accumulator vectors. `fast` when no lane shifts left and no multiplier is INT32_MIN (every
/// real model): then x = acc and SRDHM cannot saturate.
typedef struct {
  __m256i mult, mult_odd;  // M0; M0 of the odd lanes moved into the even ones (vpmuldq reads those)
  __m256i left, right;     // max(shift, 0), max(−shift, 0)
  __m256i mask, half;      // 2^right − 1, mask >> 1
  int fast;
} octk_requant_block_avx2;

OCTK_AVX2_TARGET static inline octk_requant_block_avx2 octk_requant_block_avx2_make(__m256i mult, __m256i shift) {
  octk_requant_block_avx2 b;
  const __m256i zero = _mm256_setzero_si256(), one = _mm256_set1_epi32(1);
  b.mult = mult;
  b.mult_odd = _mm256_srli_epi64(mult, 32);
  b.left = _mm256_max_epi32(shift, zero);
  b.right = _mm256_max_epi32(_mm256_sub_epi32(zero, shift), zero);
  b.mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, b.right), one);
  b.half = _mm256_srli_epi32(b.mask, 1);
  const __m256i slow = _mm256_or_si256(_mm256_cmpgt_epi32(shift, zero), _mm256_cmpeq_epi32(mult, _mm256_set1_epi32(INT32_MIN)));
  b.fast = _mm256_testz_si256(slow, slow);
  return b;
}

/// floor((x·M0 + 2^30) / 2^31) mod 2^32 per lane (SRDHM without its one saturating case).
OCTK_AVX2_TARGET static inline __m256i octk_srdhm_avx2(__m256i x, const octk_requant_block_avx2* b) {
  const __m256i nudge = _mm256_set1_epi64x((int64_t)1 << 30);
  const __m256i even = _mm256_add_epi64(_mm256_mul_epi32(x, b->mult), nudge);
  const __m256i odd = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), b->mult_odd), nudge);
  // Bits 31..62 of Q: into the low half of even lanes, the high half of odd ones.
  return _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1), 0xAA);
}

/// RDBPOT(h, right): threshold = half, plus 1 for negative h.
OCTK_AVX2_TARGET static inline __m256i octk_rdbpot_avx2(__m256i h, const octk_requant_block_avx2* b) {
  const __m256i q = _mm256_srav_epi32(h, b->right);
  const __m256i remainder = _mm256_and_si256(h, b->mask);
  const __m256i threshold = _mm256_add_epi32(b->half, _mm256_srli_epi32(h, 31));
  return _mm256_sub_epi32(q, _mm256_cmpgt_epi32(remainder, threshold));  // − (−1) where rounding up
}

OCTK_AVX2_TARGET static inline __m256i octk_requant_block_avx2_apply(__m256i acc, const octk_requant_block_avx2* b) {
  if (b->fast) return octk_rdbpot_avx2(octk_srdhm_avx2(acc, b), b);
  const __m256i x = octk_shl_sat_avx2(acc, b->left);
  const __m256i min = _mm256_set1_epi32(INT32_MIN);
  // INT32_MIN · INT32_MIN gives 2^31, seen as INT32_MIN: flip it to INT32_MAX.
  const __m256i both_min = _mm256_and_si256(_mm256_cmpeq_epi32(x, min), _mm256_cmpeq_epi32(b->mult, min));
  return octk_rdbpot_avx2(_mm256_xor_si256(octk_srdhm_avx2(x, b), both_min), b);
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

/// The bias and requantization constants of 16 output channels in split order, from
/// natural-order arrays of 16 int32 (32-byte aligned): made once per channel block.
typedef struct {
  __m256i bias_lo, bias_hi;
  octk_requant_block_avx2 q_lo, q_hi;
} octk_requant_split16_avx2;

OCTK_AVX2_TARGET static inline octk_requant_split16_avx2 octk_requant_split16_avx2_load(const int32_t* bias,
                                                                                     const int32_t* mult,
                                                                                     const int32_t* shift) {
  const __m256i* b = (const __m256i*)(const void*)bias;
  const __m256i* m = (const __m256i*)(const void*)mult;
  const __m256i* s = (const __m256i*)(const void*)shift;
  octk_requant_split16_avx2 r;
  r.bias_lo = octk_split_lo_avx2(_mm256_load_si256(b), _mm256_load_si256(b + 1));
  r.bias_hi = octk_split_hi_avx2(_mm256_load_si256(b), _mm256_load_si256(b + 1));
  r.q_lo = octk_requant_block_avx2_make(octk_split_lo_avx2(_mm256_load_si256(m), _mm256_load_si256(m + 1)),
                                        octk_split_lo_avx2(_mm256_load_si256(s), _mm256_load_si256(s + 1)));
  r.q_hi = octk_requant_block_avx2_make(octk_split_hi_avx2(_mm256_load_si256(m), _mm256_load_si256(m + 1)),
                                        octk_split_hi_avx2(_mm256_load_si256(s), _mm256_load_si256(s + 1)));
  return r;
}

/// 16 int8 values, sign-extended to int32 in split order.
OCTK_AVX2_TARGET static inline void octk_widen_s8_avx2(__m128i x, __m256i* lo, __m256i* hi) {
  const __m256i w = _mm256_cvtepi8_epi16(x);
  *lo = _mm256_srai_epi32(_mm256_unpacklo_epi16(w, w), 16);
  *hi = _mm256_srai_epi32(_mm256_unpackhi_epi16(w, w), 16);
}

/// clamp(z_out + r, lo, hi) as 16 int8 bytes in natural order from r in split order. Saturating
/// int16 steps change no result: z_out, lo and hi are int8 values (|r| ≥ 2^15 − 1 saturates to
/// a value beyond any clamp bound either way).
OCTK_AVX2_TARGET static inline __m128i octk_requant_output_avx2(__m256i r_lo, __m256i r_hi, __m256i z_out, __m256i lo,
                                                                __m256i hi) {
  __m256i v = _mm256_adds_epi16(_mm256_packs_epi32(r_lo, r_hi), z_out);  // int16 lanes
  v = _mm256_min_epi16(_mm256_max_epi16(v, lo), hi);
  return _mm_packs_epi16(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
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
