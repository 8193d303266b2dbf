// int8 → f32 dequantization, 8 elements per step, exactly octk_qs8_dequantize__reference:
// y = scale · (float)(x − z). x − z is in [−255, 255], so the int32 → float conversion is exact
// and the one multiply rounds as in C. The tail (count mod 8) runs the same formula per element.
#if defined(__x86_64__)
#include <string.h>

#include "octk_qs8_avx2.h"
#include "qs8_requant_avx2.h"

OCTK_AVX2_TARGET void octk_qs8_dequantize__avx2(const int8_t* x, size_t count, float scale, int32_t zero_point, float* y) {
  const __m256 s = _mm256_set1_ps(scale);
  const __m256i z = _mm256_set1_epi32(zero_point);
  size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    int64_t bytes;
    memcpy(&bytes, x + i, 8);
    const __m256i q = _mm256_cvtepi8_epi32(_mm_cvtsi64_si128(bytes));
    _mm256_storeu_ps(y + i, _mm256_mul_ps(s, _mm256_cvtepi32_ps(_mm256_sub_epi32(q, z))));
  }
  for (; i < count; ++i) y[i] = scale * (float)((int32_t)x[i] - zero_point);
}
#endif
