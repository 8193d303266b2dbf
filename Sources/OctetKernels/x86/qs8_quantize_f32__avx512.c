// f32 → int8 quantization, 16 elements per step, exactly as the reference: the quotient
// x / scale in double, NaN → 0, clamped to ±1024 (which saturates to int8 for any zero point),
// rounded half away from zero (truncate, then step by the sign when the exact remainder is at
// least 1/2), plus z, saturated to int8.
// The quotient is first formed as x · (1/scale): two roundings, so within 1025·2^−52 < 2^−41 of
// the correctly rounded x / scale wherever |x / scale| ≤ 1025 (beyond, both clamp alike). Only a
// lane whose remainder lies within 2^−40 of 1/2 can round differently; such lanes (exact ties,
// in practice) are recomputed with vdivpd, which rounds like C's division.
#if defined(__x86_64__)
#include "octk_qs8_igemm.h"
#include "qs8_requant_avx512.h"

OCTK_AVX512_TARGET static inline __m256i quantize8(__m256 x, __m512d scale, __m512d inverse) {
  const __m512d xd = _mm512_cvtps_pd(x);
  __m512d v = _mm512_mul_pd(xd, inverse);
  const __m512d frac = _mm512_abs_pd(_mm512_sub_pd(v, _mm512_roundscale_pd(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC)));
  const __mmask8 near_half =
      _mm512_cmp_pd_mask(_mm512_abs_pd(_mm512_sub_pd(frac, _mm512_set1_pd(0.5))), _mm512_set1_pd(0x1p-40), _CMP_LT_OQ);
  if (near_half) v = _mm512_mask_div_pd(v, near_half, xd, scale);
  v = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(v, v, _CMP_UNORD_Q), v, _mm512_setzero_pd());
  v = _mm512_min_pd(_mm512_max_pd(v, _mm512_set1_pd(-1024.0)), _mm512_set1_pd(1024.0));
  const __m512d t = _mm512_roundscale_pd(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m512d d = _mm512_sub_pd(v, t);  // exact: |v| ≤ 1024
  __m512d r = _mm512_mask_add_pd(t, _mm512_cmp_pd_mask(d, _mm512_set1_pd(0.5), _CMP_GE_OQ), t, _mm512_set1_pd(1.0));
  r = _mm512_mask_sub_pd(r, _mm512_cmp_pd_mask(d, _mm512_set1_pd(-0.5), _CMP_LE_OQ), r, _mm512_set1_pd(1.0));
  return _mm512_cvtpd_epi32(r);  // r is an integer in [−1025, 1025]
}

OCTK_AVX512_TARGET void octk_qs8_quantize_f32__avx512(const float* x, size_t count, float scale, int32_t zero_point,
                                                      int8_t* y) {
  const __m512d s = _mm512_set1_pd((double)scale), inverse = _mm512_set1_pd(1.0 / (double)scale);
  const __m512i z = _mm512_set1_epi32(zero_point);
  for (size_t i = 0; i < count; i += 16) {
    const __mmask16 m = count - i >= 16 ? 0xFFFF : (__mmask16)((1u << (count - i)) - 1);
    const __m512 v = _mm512_maskz_loadu_ps(m, x + i);
    const __m256i lo = quantize8(_mm512_castps512_ps256(v), s, inverse);
    const __m256i hi = quantize8(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)), s, inverse);
    const __m512i q = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
    _mm_mask_storeu_epi8(y + i, m, _mm512_cvtsepi32_epi8(_mm512_add_epi32(q, z)));
  }
}
#endif
