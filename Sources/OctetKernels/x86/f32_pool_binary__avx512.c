// AVX-512 max pool (indirection, 16 channels per vector) and contiguous binary ops.
// maxpool: m = max_ps(x, m) returns m when x is NaN or equal, i.e. m = (x > m ? x : m).
#if defined(__x86_64__)
#include <immintrin.h>

#include "octk_f32_fast.h"

#define OCTK_F32_AVX512 __attribute__((target("avx512f")))

OCTK_F32_AVX512 void octk_f32_maxpool_16c__avx512(const float* const* ind, int taps, int channels, size_t pixel_begin,
                                                  size_t pixel_end, float* y) {
  const __m512 ninf = _mm512_set1_ps(-__builtin_inff());
  for (size_t px = pixel_begin; px < pixel_end; ++px) {
    const float* const* row = ind + px * (size_t)taps;
    float* out = y + px * (size_t)channels;
    int c = 0;
    for (; c + 64 <= channels; c += 64) {
      __m512 m0 = ninf, m1 = ninf, m2 = ninf, m3 = ninf;
      for (int t = 0; t < taps; ++t) {
        const float* x = row[t] + c;
        m0 = _mm512_max_ps(_mm512_loadu_ps(x), m0);
        m1 = _mm512_max_ps(_mm512_loadu_ps(x + 16), m1);
        m2 = _mm512_max_ps(_mm512_loadu_ps(x + 32), m2);
        m3 = _mm512_max_ps(_mm512_loadu_ps(x + 48), m3);
      }
      _mm512_storeu_ps(out + c, m0);
      _mm512_storeu_ps(out + c + 16, m1);
      _mm512_storeu_ps(out + c + 32, m2);
      _mm512_storeu_ps(out + c + 48, m3);
    }
    for (; c < channels; c += 16) {
      const int left = channels - c;
      const __mmask16 k = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
      __m512 m0 = ninf;
      for (int t = 0; t < taps; ++t) m0 = _mm512_max_ps(_mm512_maskz_loadu_ps(k, row[t] + c), m0);
      _mm512_mask_storeu_ps(out + c, k, m0);
    }
  }
}

OCTK_F32_AVX512 static inline __m512 apply(octk_binary_op op, __m512 a, __m512 b) {
  switch (op) {
    case OCTK_BINARY_SUB: return _mm512_sub_ps(a, b);
    case OCTK_BINARY_MUL: return _mm512_mul_ps(a, b);
    case OCTK_BINARY_DIV: return _mm512_div_ps(a, b);
    default: return _mm512_add_ps(a, b);
  }
}

#define LOOP(OP)                                                                                                      \
  for (; i + 16 <= n; i += 16)                                                                                        \
    _mm512_storeu_ps(y + i, _mm512_min_ps(vhi, _mm512_max_ps(vlo, apply(OP, _mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i))))); \
  break;

OCTK_F32_AVX512 void octk_f32_binary__avx512(octk_binary_op op, size_t n, const float* a, const float* b, float* y,
                                             float lo, float hi) {
  const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
  size_t i = 0;
  switch (op) {  // one loop per op, the switch outside
    case OCTK_BINARY_SUB: LOOP(OCTK_BINARY_SUB)
    case OCTK_BINARY_MUL: LOOP(OCTK_BINARY_MUL)
    case OCTK_BINARY_DIV: LOOP(OCTK_BINARY_DIV)
    default: LOOP(OCTK_BINARY_ADD)
  }
  if (i < n) {
    const __mmask16 k = (__mmask16)((1u << (n - i)) - 1);
    const __m512 v = apply(op, _mm512_maskz_loadu_ps(k, a + i), _mm512_maskz_loadu_ps(k, b + i));
    _mm512_mask_storeu_ps(y + i, k, _mm512_min_ps(vhi, _mm512_max_ps(vlo, v)));
  }
}
#endif
