// f32 → int8 quantization, 16 elements per step, exactly as the reference: the quotient
// x / scale in double, NaN → 0, clamped to ±1024 (which saturates to int8 for any zero point),
// rounded half away from zero (truncate, then step by the sign when the exact remainder is at
// least 1/2), plus z, saturated to int8.
// The quotient is first formed as x · (1/scale): two roundings, so within 1025·2^−52 < 2^−41 of
// the correctly rounded x / scale wherever |x / scale| ≤ 1025 (beyond, both clamp alike). Only a
// lane whose remainder lies within 2^−40 of 1/2 can round differently; such lanes (exact ties,
// in practice) are recomputed with vdivpd, which rounds like C's division.
#if defined(__x86_64__)
#include "octk_qs8_avx512.h"
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

/// 16 quantized values (masked lanes read as 0).
OCTK_AVX512_TARGET static inline __m128i quantize16(const float* x, __mmask16 m, __m512d s, __m512d inverse, __m512i z) {
  const __m512 v = _mm512_maskz_loadu_ps(m, x);
  const __m256i lo = quantize8(_mm512_castps512_ps256(v), s, inverse);
  const __m256i hi = quantize8(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)), s, inverse);
  const __m512i q = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
  return _mm512_cvtsepi32_epi8(_mm512_add_epi32(q, z));
}

OCTK_AVX512_TARGET void octk_qs8_quantize_f32__avx512(const float* x, size_t count, float scale, int32_t zero_point,
                                                      int8_t* y) {
  const __m512d s = _mm512_set1_pd((double)scale), inverse = _mm512_set1_pd(1.0 / (double)scale);
  const __m512i z = _mm512_set1_epi32(zero_point);
  for (size_t i = 0; i < count; i += 16) {
    const __mmask16 m = count - i >= 16 ? 0xFFFF : (__mmask16)((1u << (count - i)) - 1);
    _mm_mask_storeu_epi8(y + i, m, quantize16(x + i, m, s, inverse, z));
  }
}

// Three planes (an NCHW image) at once: each plane quantized as above into planar (NCHW) and,
// interleaved by one vpermb (VBMI) of the three 16-byte results, into pixel-major (NHWC) order.
__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx512vbmi"))) void
octk_qs8_quantize_f32_nchw3__avx512vbmi(const float* x, size_t plane, size_t begin, size_t end, float scale,
                                         int32_t zero_point, int8_t* nchw, int8_t* nhwc) {
  const __m512d s = _mm512_set1_pd((double)scale), inverse = _mm512_set1_pd(1.0 / (double)scale);
  const __m512i z = _mm512_set1_epi32(zero_point);
  // Output byte j (pixel j / 3, channel j % 3) comes from lane (j % 3), byte j / 3.
  uint8_t index[64];
  for (int j = 0; j < 64; ++j) index[j] = (uint8_t)(j < 48 ? (j % 3) * 16 + j / 3 : 0);
  const __m512i interleave = _mm512_loadu_si512(index);
  for (size_t i = begin; i < end; i += 16) {
    const size_t n = end - i < 16 ? end - i : 16;
    const __mmask16 m = (__mmask16)((1u << n) - 1);
    const __m128i c0 = quantize16(x + i, m, s, inverse, z);
    const __m128i c1 = quantize16(x + plane + i, m, s, inverse, z);
    const __m128i c2 = quantize16(x + 2 * plane + i, m, s, inverse, z);
    _mm_mask_storeu_epi8(nchw + i, m, c0);
    _mm_mask_storeu_epi8(nchw + plane + i, m, c1);
    _mm_mask_storeu_epi8(nchw + 2 * plane + i, m, c2);
    const __m512i lanes = _mm512_inserti32x4(_mm512_inserti32x4(_mm512_castsi128_si512(c0), c1, 1), c2, 2);
    const __mmask64 out = n == 16 ? (((__mmask64)1 << 48) - 1) : (((__mmask64)1 << (3 * n)) - 1);
    _mm512_mask_storeu_epi8(nhwc + 3 * i, out, _mm512_permutexvar_epi8(interleave, lanes));
  }
}

// Without VBMI: each plane quantized, then a byte interleave.
void octk_qs8_quantize_f32_nchw3__avx512(const float* x, size_t plane, size_t begin, size_t end, float scale,
                                         int32_t zero_point, int8_t* nchw, int8_t* nhwc) {
  for (int c = 0; c < 3; ++c) octk_qs8_quantize_f32__avx512(x + c * plane + begin, end - begin, scale, zero_point, nchw + c * plane + begin);
  for (size_t p = begin; p < end; ++p)
    for (int c = 0; c < 3; ++c) nhwc[3 * p + c] = nchw[c * plane + p];
}

#endif
