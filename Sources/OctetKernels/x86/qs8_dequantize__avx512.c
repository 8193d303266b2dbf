// int8 → f32 dequantization, 16 elements per step, exactly octk_qs8_dequantize__reference:
// y = scale · (float)(x − z). x − z is in [−255, 255], so the int32 → float conversion is exact
// and the one multiply rounds as in C. The tail loads and stores under a mask.
#if defined(__x86_64__)
#include "octk_qs8_avx512.h"
#include "qs8_requant_avx512.h"

OCTK_AVX512_TARGET void octk_qs8_dequantize__avx512(const int8_t* x, size_t count, float scale, int32_t zero_point,
                                                    float* y) {
  const __m512 s = _mm512_set1_ps(scale);
  const __m512i z = _mm512_set1_epi32(zero_point);
  for (size_t i = 0; i < count; i += 16) {
    const size_t n = count - i < 16 ? count - i : 16;
    const __mmask16 m = (__mmask16)((1u << n) - 1);
    const __m512i q = _mm512_cvtepi8_epi32(n == 16 ? _mm_loadu_si128((const __m128i*)(x + i)) : _mm_maskz_loadu_epi8(m, x + i));
    const __m512 v = _mm512_mul_ps(s, _mm512_cvtepi32_ps(_mm512_sub_epi32(q, z)));
    if (n == 16) _mm512_storeu_ps(y + i, v);
    else _mm512_mask_storeu_ps(y + i, m, v);
  }
}
#endif
