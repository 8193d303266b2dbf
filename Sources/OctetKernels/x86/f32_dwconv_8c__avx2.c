// Depthwise fp32 conv, AVX2 + FMA: per output pixel, channels in steps of 32 (four ymm
// accumulators that start at the bias), then 8, then one masked step; taps inside. Only the
// channels of each tap row are read (masked tail loads).
#if defined(__x86_64__)
#include <immintrin.h>

#include "octk_f32_fast.h"

#define OCTK_F32_AVX2 __attribute__((target("avx2,fma")))

OCTK_F32_AVX2 void octk_f32_dwconv_8c__avx2(const octk_f32_dwconv_packed* p, const float* const* ind, size_t pixel_begin,
                                            size_t pixel_end, float lo, float hi, float* y) {
  const int channels = p->channels, taps = p->taps;
  const size_t cpad = (size_t)p->cpad;
  const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
  const int tail = channels & 7;
  const __m256i tail_mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(tail), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  for (size_t px = pixel_begin; px < pixel_end; ++px) {
    const float* const* row = ind + px * (size_t)taps;
    float* out = y + px * (size_t)channels;
    int c = 0;
    for (; c + 32 <= channels; c += 32) {
      __m256 a0 = _mm256_load_ps(p->bias + c), a1 = _mm256_load_ps(p->bias + c + 8);
      __m256 a2 = _mm256_load_ps(p->bias + c + 16), a3 = _mm256_load_ps(p->bias + c + 24);
      const float* w = p->weights + c;
      for (int t = 0; t < taps; ++t, w += cpad) {
        const float* x = row[t] + c;
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x), _mm256_load_ps(w), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 8), _mm256_load_ps(w + 8), a1);
        a2 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 16), _mm256_load_ps(w + 16), a2);
        a3 = _mm256_fmadd_ps(_mm256_loadu_ps(x + 24), _mm256_load_ps(w + 24), a3);
      }
      _mm256_storeu_ps(out + c, _mm256_min_ps(vhi, _mm256_max_ps(vlo, a0)));
      _mm256_storeu_ps(out + c + 8, _mm256_min_ps(vhi, _mm256_max_ps(vlo, a1)));
      _mm256_storeu_ps(out + c + 16, _mm256_min_ps(vhi, _mm256_max_ps(vlo, a2)));
      _mm256_storeu_ps(out + c + 24, _mm256_min_ps(vhi, _mm256_max_ps(vlo, a3)));
    }
    for (; c + 8 <= channels; c += 8) {
      __m256 a0 = _mm256_load_ps(p->bias + c);
      const float* w = p->weights + c;
      for (int t = 0; t < taps; ++t, w += cpad) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(row[t] + c), _mm256_load_ps(w), a0);
      _mm256_storeu_ps(out + c, _mm256_min_ps(vhi, _mm256_max_ps(vlo, a0)));
    }
    if (tail) {
      __m256 a0 = _mm256_load_ps(p->bias + c);
      const float* w = p->weights + c;
      for (int t = 0; t < taps; ++t, w += cpad)
        a0 = _mm256_fmadd_ps(_mm256_maskload_ps(row[t] + c, tail_mask), _mm256_load_ps(w), a0);
      _mm256_maskstore_ps(out + c, tail_mask, _mm256_min_ps(vhi, _mm256_max_ps(vlo, a0)));
    }
  }
}
#endif
