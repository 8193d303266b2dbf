// f32 → int8 quantization, 8 elements per step, exactly as the reference: the quotient
// x / scale in double (vdivpd rounds like C's division), NaN → 0, clamped to ±1024 (which
// saturates to int8 for any zero point), rounded half away from zero (truncate, then step by
// the sign when the exact remainder is at least 1/2), plus z, saturated to int8. The tail loads
// masked (vmaskmovps) and stores byte by byte.
#if defined(__x86_64__)
#include "octk_qs8_avx2.h"
#include "qs8_requant_avx2.h"

OCTK_AVX2_TARGET static inline __m128i quantize4(__m128 x, __m256d scale) {
  __m256d v = _mm256_div_pd(_mm256_cvtps_pd(x), scale);
  v = _mm256_and_pd(v, _mm256_cmp_pd(v, v, _CMP_ORD_Q));  // NaN → +0
  v = _mm256_min_pd(_mm256_max_pd(v, _mm256_set1_pd(-1024.0)), _mm256_set1_pd(1024.0));
  const __m256d t = _mm256_round_pd(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m256d d = _mm256_sub_pd(v, t);  // exact: |v| ≤ 1024
  const __m256d one = _mm256_set1_pd(1.0);
  __m256d r = _mm256_add_pd(t, _mm256_and_pd(_mm256_cmp_pd(d, _mm256_set1_pd(0.5), _CMP_GE_OQ), one));
  r = _mm256_sub_pd(r, _mm256_and_pd(_mm256_cmp_pd(d, _mm256_set1_pd(-0.5), _CMP_LE_OQ), one));
  return _mm256_cvtpd_epi32(r);  // r is an integer in [−1025, 1025]
}

OCTK_AVX2_TARGET void octk_qs8_quantize_f32__avx2(const float* x, size_t count, float scale, int32_t zero_point,
                                                  int8_t* y) {
  const __m256d s = _mm256_set1_pd((double)scale);
  const __m128i z = _mm_set1_epi32(zero_point);
  for (size_t i = 0; i < count; i += 8) {
    const size_t n = count - i < 8 ? count - i : 8;
    __m256 v;
    if (n == 8) {
      v = _mm256_loadu_ps(x + i);
    } else {
      const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
      v = _mm256_maskload_ps(x + i, _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), lane));
    }
    const __m128i q0 = _mm_add_epi32(quantize4(_mm256_castps256_ps128(v), s), z);
    const __m128i q1 = _mm_add_epi32(quantize4(_mm256_extractf128_ps(v, 1), s), z);
    const __m128i b = _mm_packs_epi16(_mm_packs_epi32(q0, q1), _mm_setzero_si128());
    octk_store_s8_avx2(y + i, b, (int)n);
  }
}
#endif
