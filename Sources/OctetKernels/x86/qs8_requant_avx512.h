// Vector form of octk_requantize for 16 int32 lanes with per-lane multiplier and shift
// (AVX-512F), bit-exact with reference/qs8_requantize.c:
//   x = saturate32(acc · 2^left)                          left = max(shift, 0)
//   h = min(floor((x·M0 + 2^30) / 2^31), INT32_MAX)       SRDHM (64-bit products per lane)
//   r = floor(h / 2^right) + (h mod 2^right > threshold)  RDBPOT, right = max(−shift, 0)
// Internal header of the x86 kernels: include only from functions compiled for avx512f.
#ifndef OCTK_QS8_REQUANT_AVX512_H
#define OCTK_QS8_REQUANT_AVX512_H
#include <immintrin.h>
#include <stdint.h>

#define OCTK_AVX512_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

/// saturate32(x · 2^left) per lane, 0 ≤ left ≤ 30: lanes whose value does not survive the
/// round trip overflowed and take INT32_MAX / INT32_MIN by sign.
OCTK_AVX512_TARGET static inline __m512i octk_shl_sat_avx512(__m512i x, __m512i left) {
  const __m512i shifted = _mm512_sllv_epi32(x, left);
  const __mmask16 overflow = _mm512_cmpneq_epi32_mask(_mm512_srav_epi32(shifted, left), x);
  const __mmask16 negative = _mm512_cmplt_epi32_mask(x, _mm512_setzero_si512());
  const __m512i saturated = _mm512_mask_blend_epi32(negative, _mm512_set1_epi32(INT32_MAX), _mm512_set1_epi32(INT32_MIN));
  return _mm512_mask_blend_epi32(overflow, shifted, saturated);
}

/// saturate32(a + b) per lane: overflow when both operands share a sign the sum lacks.
OCTK_AVX512_TARGET static inline __m512i octk_add_sat_avx512(__m512i a, __m512i b) {
  const __m512i s = _mm512_add_epi32(a, b);
  // Sign bit of (s ^ a) & (s ^ b) set ⇔ overflow; then the result takes a's side.
  const __mmask16 overflow =
      _mm512_cmplt_epi32_mask(_mm512_and_si512(_mm512_xor_si512(s, a), _mm512_xor_si512(s, b)), _mm512_setzero_si512());
  const __mmask16 negative = _mm512_cmplt_epi32_mask(a, _mm512_setzero_si512());
  const __m512i saturated = _mm512_mask_blend_epi32(negative, _mm512_set1_epi32(INT32_MAX), _mm512_set1_epi32(INT32_MIN));
  return _mm512_mask_blend_epi32(overflow, s, saturated);
}

OCTK_AVX512_TARGET static inline __m512i octk_requant_avx512(__m512i acc, __m512i mult, __m512i shift) {
  const __m512i zero = _mm512_setzero_si512();
  const __m512i left = _mm512_max_epi32(shift, zero);
  const __m512i right = _mm512_max_epi32(_mm512_sub_epi32(zero, shift), zero);
  __m512i x = octk_shl_sat_avx512(acc, left);
  // SRDHM on even and odd lanes as int64.
  const __m512i nudge = _mm512_set1_epi64((int64_t)1 << 30), cap = _mm512_set1_epi64(INT32_MAX);
  __m512i even = _mm512_mul_epi32(x, mult);
  __m512i odd = _mm512_mul_epi32(_mm512_srli_epi64(x, 32), _mm512_srli_epi64(mult, 32));
  even = _mm512_min_epi64(_mm512_srai_epi64(_mm512_add_epi64(even, nudge), 31), cap);
  odd = _mm512_min_epi64(_mm512_srai_epi64(_mm512_add_epi64(odd, nudge), 31), cap);
  const __m512i h = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
  // RDBPOT: remainder against half the divisor (rounded up for negative values).
  const __m512i mask = _mm512_sub_epi32(_mm512_sllv_epi32(_mm512_set1_epi32(1), right), _mm512_set1_epi32(1));
  const __m512i remainder = _mm512_and_si512(h, mask);
  const __m512i threshold =
      _mm512_mask_add_epi32(_mm512_srli_epi32(mask, 1), _mm512_cmplt_epi32_mask(h, zero), _mm512_srli_epi32(mask, 1),
                            _mm512_set1_epi32(1));
  const __m512i q = _mm512_srav_epi32(h, right);
  return _mm512_mask_add_epi32(q, _mm512_cmpgt_epi32_mask(remainder, threshold), q, _mm512_set1_epi32(1));
}

/// Requantization constants of 16 channels, made once per channel block and applied to many
/// accumulator vectors. When no lane shifts left and no multiplier is INT32_MIN (every real
/// model), SRDHM cannot saturate and both roundings collapse into one floor of the 64-bit
/// product p = x·M0 (e = right shift, a = p + 2^30, h = floor(a / 2^31) fits int32):
///   e = 0:  r = floor(a / 2^31)
///   e ≥ 1:  r = floor((h + 2^(e−1) − [h < 0]) / 2^e) = floor((a + 2^(30+e) − [a < 0]·2^31) / 2^(31+e))
/// (adding the integer 2^(e−1) − [h < 0] to h before flooring is adding it · 2^31 to a), which is
/// gemmlowp's round-half-away-from-zero RDBPOT of h, exactly; otherwise the general
/// octk_requant_avx512 runs. Even and odd lanes are computed as int64 and merged.
typedef struct {
  __m512i mult, shift, mult_odd;
  __m512i half_even, half_odd;  // 2^(30+e) for e ≥ 1, else 0
  __m512i sign_even, sign_odd;  // −2^31 for e ≥ 1, else 0: added when a < 0
  __m512i right_even, right_odd;  // 31 + e
  int fast;
} octk_requant_block_avx512;

OCTK_AVX512_TARGET static inline octk_requant_block_avx512 octk_requant_block_avx512_make(__m512i mult, __m512i shift) {
  octk_requant_block_avx512 b;
  const __m512i zero = _mm512_setzero_si512();
  b.mult = mult;
  b.shift = shift;
  b.mult_odd = _mm512_srli_epi64(mult, 32);
  b.fast = _mm512_cmpgt_epi32_mask(shift, zero) == 0 && _mm512_cmpeq_epi32_mask(mult, _mm512_set1_epi32(INT32_MIN)) == 0;
  const __m512i right = _mm512_max_epi32(_mm512_sub_epi32(zero, shift), zero);
  const __m512i low = _mm512_set1_epi64(0xFFFFFFFF);
  const __m512i e_even = _mm512_and_si512(right, low), e_odd = _mm512_srli_epi64(right, 32);
  const __mmask8 round_even = _mm512_cmpgt_epi64_mask(e_even, zero), round_odd = _mm512_cmpgt_epi64_mask(e_odd, zero);
  const __m512i base = _mm512_set1_epi64((int64_t)1 << 30), sign = _mm512_set1_epi64(-((int64_t)1 << 31));
  b.half_even = _mm512_maskz_sllv_epi64(round_even, base, e_even);
  b.half_odd = _mm512_maskz_sllv_epi64(round_odd, base, e_odd);
  b.sign_even = _mm512_maskz_mov_epi64(round_even, sign);
  b.sign_odd = _mm512_maskz_mov_epi64(round_odd, sign);
  b.right_even = _mm512_add_epi64(e_even, _mm512_set1_epi64(31));
  b.right_odd = _mm512_add_epi64(e_odd, _mm512_set1_epi64(31));
  return b;
}

/// floor((a + half + [a < 0]·sign) / 2^right) with a = p + 2^30, per int64 lane.
OCTK_AVX512_TARGET static inline __m512i octk_requant_round_avx512(__m512i p, __m512i half, __m512i sign, __m512i right) {
  const __m512i a = _mm512_add_epi64(p, _mm512_set1_epi64((int64_t)1 << 30));
  const __m512i negative = _mm512_srai_epi64(a, 63);
  return _mm512_srav_epi64(_mm512_add_epi64(_mm512_add_epi64(a, half), _mm512_and_si512(negative, sign)), right);
}

OCTK_AVX512_TARGET static inline __m512i octk_requant_block_avx512_apply(__m512i acc, const octk_requant_block_avx512* b) {
#if defined(OCTK_MEASURE_FLOAT_REQUANT_COST)
  // MEASUREMENT ONLY, NOT THE SPEC: the cost of a float requantization as XNNPACK does it
  // (convert, multiply, convert). Outputs are wrong; see docs/INT8_PROFILE.md.
  return _mm512_cvtps_epi32(_mm512_mul_ps(_mm512_cvtepi32_ps(acc), _mm512_castsi512_ps(b->mult)));
#endif
  if (!b->fast) return octk_requant_avx512(acc, b->mult, b->shift);
  const __m512i even = octk_requant_round_avx512(_mm512_mul_epi32(acc, b->mult), b->half_even, b->sign_even, b->right_even);
  const __m512i odd = octk_requant_round_avx512(_mm512_mul_epi32(_mm512_srli_epi64(acc, 32), b->mult_odd), b->half_odd,
                                                b->sign_odd, b->right_odd);
  // Odd lanes take the low dword of each odd-lane int64 (dword pairs swapped).
  return _mm512_mask_shuffle_epi32(even, 0xAAAA, odd, _MM_PERM_CDAB);
}

/// z_out + r clamped to [lo, hi] (passed as lo − z_out, hi − z_out, so nothing can overflow)
/// as 16 int32 lanes.
OCTK_AVX512_TARGET static inline __m512i octk_requant_clamp_avx512(__m512i r, __m512i z_out, __m512i lo_minus_z,
                                                                   __m512i hi_minus_z) {
  return _mm512_add_epi32(_mm512_min_epi32(_mm512_max_epi32(r, lo_minus_z), hi_minus_z), z_out);
}

/// The same as 16 packed bytes.
OCTK_AVX512_TARGET static inline __m128i octk_requant_output_avx512(__m512i r, __m512i z_out, __m512i lo_minus_z,
                                                                    __m512i hi_minus_z) {
  return _mm512_cvtepi32_epi8(octk_requant_clamp_avx512(r, z_out, lo_minus_z, hi_minus_z));
}
#endif
