// AVX2 max pool (indirection, 8 channels per vector) and contiguous binary ops.
// maxpool: m = max_ps(x, m) returns m when x is NaN or equal, i.e. m = (x > m ? x : m).
#if defined(__x86_64__)
#include <immintrin.h>

#include "octk_f32_fast.h"

#define OCTK_F32_AVX2 __attribute__((target("avx2,fma")))

OCTK_F32_AVX2 void octk_f32_maxpool_8c__avx2(const float* const* ind, int taps, int channels, size_t pixel_begin,
                                             size_t pixel_end, float* y) {
  const __m256 ninf = _mm256_set1_ps(-__builtin_inff());
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  for (size_t px = pixel_begin; px < pixel_end; ++px) {
    const float* const* row = ind + px * (size_t)taps;
    float* out = y + px * (size_t)channels;
    int c = 0;
    for (; c + 32 <= channels; c += 32) {
      __m256 m0 = ninf, m1 = ninf, m2 = ninf, m3 = ninf;
      for (int t = 0; t < taps; ++t) {
        const float* x = row[t] + c;
        m0 = _mm256_max_ps(_mm256_loadu_ps(x), m0);
        m1 = _mm256_max_ps(_mm256_loadu_ps(x + 8), m1);
        m2 = _mm256_max_ps(_mm256_loadu_ps(x + 16), m2);
        m3 = _mm256_max_ps(_mm256_loadu_ps(x + 24), m3);
      }
      _mm256_storeu_ps(out + c, m0);
      _mm256_storeu_ps(out + c + 8, m1);
      _mm256_storeu_ps(out + c + 16, m2);
      _mm256_storeu_ps(out + c + 24, m3);
    }
    for (; c < channels; c += 8) {
      const __m256i k = _mm256_cmpgt_epi32(_mm256_set1_epi32(channels - c), lane);
      __m256 m0 = ninf;
      // Masked-off lanes load 0 and are never stored.
      for (int t = 0; t < taps; ++t) m0 = _mm256_max_ps(_mm256_maskload_ps(row[t] + c, k), m0);
      _mm256_maskstore_ps(out + c, k, m0);
    }
  }
}

OCTK_F32_AVX2 static inline __m256 apply(octk_binary_op op, __m256 a, __m256 b) {
  switch (op) {
    case OCTK_BINARY_SUB: return _mm256_sub_ps(a, b);
    case OCTK_BINARY_MUL: return _mm256_mul_ps(a, b);
    case OCTK_BINARY_DIV: return _mm256_div_ps(a, b);
    default: return _mm256_add_ps(a, b);
  }
}

#define LOOP(OP)                                                                                                      \
  for (; i + 8 <= n; i += 8)                                                                                          \
    _mm256_storeu_ps(y + i, _mm256_min_ps(vhi, _mm256_max_ps(vlo, apply(OP, _mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i))))); \
  break;

OCTK_F32_AVX2 void octk_f32_binary__avx2(octk_binary_op op, size_t n, const float* a, const float* b, float* y,
                                         float lo, float hi) {
  const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
  size_t i = 0;
  switch (op) {
    case OCTK_BINARY_SUB: LOOP(OCTK_BINARY_SUB)
    case OCTK_BINARY_MUL: LOOP(OCTK_BINARY_MUL)
    case OCTK_BINARY_DIV: LOOP(OCTK_BINARY_DIV)
    default: LOOP(OCTK_BINARY_ADD)
  }
  if (i < n) {
    const __m256i k = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n - i)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    const __m256 v = apply(op, _mm256_maskload_ps(a + i, k), _mm256_maskload_ps(b + i, k));
    _mm256_maskstore_ps(y + i, k, _mm256_min_ps(vhi, _mm256_max_ps(vlo, v)));
  }
}
#endif
