// Indirect-GEMM fp32 conv for AVX2 + FMA, 6 output pixels × 16 output channels per tile: per
// input channel, two 32-byte weight loads and, per pixel, one broadcast feeding two FMAs into 12
// ymm accumulators, added to running totals every OCTK_F32_KC channels. Same structure as
// f32_igemm_8x32__avx512.c.
#if defined(__x86_64__)
#include <immintrin.h>

#include "octk_f32_fast.h"

#define OCTK_F32_AVX2 __attribute__((target("avx2,fma")))
#define MR 6
#define NR 16

// One tile of `mr` pixels × one 16-channel block; chunked sum as in the AVX-512 kernel.
OCTK_F32_AVX2 static inline __attribute__((always_inline)) void tile(const int mr, const float* w, const float* bias,
                                                                    const float* const* row, size_t taps, size_t goff,
                                                                    int cg, __m256 vlo, __m256 vhi, int valid, float* dst,
                                                                    size_t ldy) {
  __m256 acc[MR][2], total[MR][2];
  const size_t tpc = cg >= OCTK_F32_KC ? 1 : (size_t)(OCTK_F32_KC / cg);  // taps per chunk
  const int cpc = cg >= OCTK_F32_KC ? OCTK_F32_KC : cg;                    // channels per chunk and tap
#pragma GCC unroll 8
  for (int r = 0; r < mr; ++r) {
    total[r][0] = _mm256_load_ps(bias);
    total[r][1] = _mm256_load_ps(bias + 8);
  }
  for (size_t t0 = 0; t0 < taps; t0 += tpc) {
    const size_t t1 = t0 + tpc < taps ? t0 + tpc : taps;
    for (int c0 = 0; c0 < cg; c0 += cpc) {
      const int c1 = c0 + cpc < cg ? c0 + cpc : cg;
#pragma GCC unroll 8
      for (int r = 0; r < mr; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
      for (size_t t = t0; t < t1; ++t) {
        const float* a[MR];
#pragma GCC unroll 8
        for (int r = 0; r < mr; ++r) a[r] = row[r * taps + t] + goff;
        const float* wt = w + (t * (size_t)cg + (size_t)c0) * NR;
        for (int c = c0; c < c1; ++c) {
          const __m256 w0 = _mm256_load_ps(wt), w1 = _mm256_load_ps(wt + 8);
          wt += NR;
#pragma GCC unroll 8
          for (int r = 0; r < mr; ++r) {
            const __m256 x = _mm256_broadcast_ss(a[r] + c);
            acc[r][0] = _mm256_fmadd_ps(x, w0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(x, w1, acc[r][1]);
          }
        }
      }
#pragma GCC unroll 8
      for (int r = 0; r < mr; ++r) {
        total[r][0] = _mm256_add_ps(total[r][0], acc[r][0]);
        total[r][1] = _mm256_add_ps(total[r][1], acc[r][1]);
      }
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < mr; ++r) {
    total[r][0] = _mm256_min_ps(vhi, _mm256_max_ps(vlo, total[r][0]));
    total[r][1] = _mm256_min_ps(vhi, _mm256_max_ps(vlo, total[r][1]));
  }
  if (valid >= NR) {
#pragma GCC unroll 8
    for (int r = 0; r < mr; ++r) {
      _mm256_storeu_ps(dst + r * ldy, total[r][0]);
      _mm256_storeu_ps(dst + r * ldy + 8, total[r][1]);
    }
  } else {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(valid), lane);
    const __m256i m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(valid - 8), lane);
#pragma GCC unroll 8
    for (int r = 0; r < mr; ++r) {
      _mm256_maskstore_ps(dst + r * ldy, m0, total[r][0]);
      _mm256_maskstore_ps(dst + r * ldy + 8, m1, total[r][1]);
    }
  }
}

typedef void (*tile_fn)(const float*, const float*, const float* const*, size_t, size_t, int, __m256, __m256, int, float*,
                        size_t);
#define TILE(n)                                                                                                         \
  OCTK_F32_AVX2 static void tile##n(const float* w, const float* bias, const float* const* row, size_t taps,           \
                                    size_t goff, int cg, __m256 vlo, __m256 vhi, int valid, float* dst, size_t ldy) {   \
    tile(n, w, bias, row, taps, goff, cg, vlo, vhi, valid, dst, ldy);                                                   \
  }
TILE(1) TILE(2) TILE(3) TILE(4) TILE(5) TILE(6)
#undef TILE

OCTK_F32_AVX2 void octk_f32_igemm_6x16__avx2(const octk_f32_conv_packed* p, const float* const* ind, size_t pixel_begin,
                                             size_t pixel_end, size_t block_begin, size_t block_end, float lo, float hi,
                                             float* y) {
  static const tile_fn tiles[MR + 1] = {0, tile1, tile2, tile3, tile4, tile5, tile6};
  const size_t ldy = (size_t)p->groups * p->og, taps = (size_t)p->taps;
  const size_t block_floats = taps * (size_t)p->cg * NR;
  const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
  for (size_t p0 = pixel_begin; p0 < pixel_end; p0 += MR) {
    const int rows = pixel_end - p0 < MR ? (int)(pixel_end - p0) : MR;
    const tile_fn fn = tiles[rows];
    const float* const* row = ind + p0 * taps;
    for (size_t gb = block_begin; gb < block_end; ++gb) {
      const size_t g = gb / (size_t)p->blocks, b = gb % (size_t)p->blocks;
      fn(p->weights + gb * block_floats, p->bias + gb * NR, row, taps, g * (size_t)p->cg, p->cg, vlo, vhi,
         p->og - (int)b * NR, y + p0 * ldy + g * (size_t)p->og + b * NR, ldy);
    }
  }
}
#endif
