// Indirect-GEMM fp32 conv, 8 output pixels × 32 output channels per tile: per input channel,
// two 64-byte weight loads and, per pixel, one broadcast feeding two FMAs into 16 zmm
// accumulators; every OCTK_F32_KC channels the accumulators are added to the running totals
// (which start at the bias; kept on the stack). Tiles of fewer pixels (the range's tail) run a copy of
// the tile code compiled for exactly that many rows. Pixel tiles outside, blocks inside.
#if defined(__x86_64__)
#include <immintrin.h>

#include "octk_f32_fast.h"

#define OCTK_F32_AVX512 __attribute__((target("avx512f")))
#define MR 8
#define NR 32

// One tile of `mr` pixels (a compile-time constant after inlining) × one 32-channel block.
// The sum runs in chunks of at most OCTK_F32_KC channels (whole taps, or runs of one tap's
// channels): each chunk's products are summed from 0, then added to the running total.
OCTK_F32_AVX512 static inline __attribute__((always_inline)) void tile(const int mr, const float* w, const float* bias,
                                                                      const float* const* row, size_t taps, size_t goff,
                                                                      int cg, __m512 vlo, __m512 vhi, int valid, float* dst,
                                                                      size_t ldy) {
  __m512 acc[MR][2], total[MR][2];
  const size_t tpc = cg >= OCTK_F32_KC ? 1 : (size_t)(OCTK_F32_KC / cg);  // taps per chunk
  const int cpc = cg >= OCTK_F32_KC ? OCTK_F32_KC : cg;                    // channels per chunk and tap
#pragma GCC unroll 8
  for (int r = 0; r < mr; ++r) {
    total[r][0] = _mm512_load_ps(bias);
    total[r][1] = _mm512_load_ps(bias + 16);
  }
  for (size_t t0 = 0; t0 < taps; t0 += tpc) {
    const size_t t1 = t0 + tpc < taps ? t0 + tpc : taps;
    for (int c0 = 0; c0 < cg; c0 += cpc) {
      const int c1 = c0 + cpc < cg ? c0 + cpc : cg;
#pragma GCC unroll 8
      for (int r = 0; r < mr; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
      for (size_t t = t0; t < t1; ++t) {
        const float* a[MR];
#pragma GCC unroll 8
        for (int r = 0; r < mr; ++r) a[r] = row[r * taps + t] + goff;
        const float* wt = w + (t * (size_t)cg + (size_t)c0) * NR;
        for (int c = c0; c < c1; ++c) {
          const __m512 w0 = _mm512_load_ps(wt), w1 = _mm512_load_ps(wt + 16);
          wt += NR;
#pragma GCC unroll 8
          for (int r = 0; r < mr; ++r) {
            const __m512 x = _mm512_set1_ps(a[r][c]);
            acc[r][0] = _mm512_fmadd_ps(x, w0, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps(x, w1, acc[r][1]);
          }
        }
      }
#pragma GCC unroll 8
      for (int r = 0; r < mr; ++r) {
        total[r][0] = _mm512_add_ps(total[r][0], acc[r][0]);
        total[r][1] = _mm512_add_ps(total[r][1], acc[r][1]);
      }
    }
  }
  if (valid >= NR) {
#pragma GCC unroll 8
    for (int r = 0; r < mr; ++r) {
      _mm512_storeu_ps(dst + r * ldy, _mm512_min_ps(vhi, _mm512_max_ps(vlo, total[r][0])));
      _mm512_storeu_ps(dst + r * ldy + 16, _mm512_min_ps(vhi, _mm512_max_ps(vlo, total[r][1])));
    }
  } else {
    const __mmask16 m0 = valid >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << valid) - 1);
    const __mmask16 m1 = valid <= 16 ? 0 : (__mmask16)((1u << (valid - 16)) - 1);
#pragma GCC unroll 8
    for (int r = 0; r < mr; ++r) {
      _mm512_mask_storeu_ps(dst + r * ldy, m0, _mm512_min_ps(vhi, _mm512_max_ps(vlo, total[r][0])));
      _mm512_mask_storeu_ps(dst + r * ldy + 16, m1, _mm512_min_ps(vhi, _mm512_max_ps(vlo, total[r][1])));
    }
  }
}

typedef void (*tile_fn)(const float*, const float*, const float* const*, size_t, size_t, int, __m512, __m512, int, float*,
                        size_t);
#define TILE(n)                                                                                                         \
  OCTK_F32_AVX512 static void tile##n(const float* w, const float* bias, const float* const* row, size_t taps,         \
                                      size_t goff, int cg, __m512 vlo, __m512 vhi, int valid, float* dst, size_t ldy) { \
    tile(n, w, bias, row, taps, goff, cg, vlo, vhi, valid, dst, ldy);                                                   \
  }
TILE(1) TILE(2) TILE(3) TILE(4) TILE(5) TILE(6) TILE(7) TILE(8)
#undef TILE

OCTK_F32_AVX512 void octk_f32_igemm_8x32__avx512(const octk_f32_conv_packed* p, const float* const* ind,
                                                 size_t pixel_begin, size_t pixel_end, size_t block_begin,
                                                 size_t block_end, float lo, float hi, float* y) {
  static const tile_fn tiles[MR + 1] = {0, tile1, tile2, tile3, tile4, tile5, tile6, tile7, tile8};
  const size_t ldy = (size_t)p->groups * p->og, taps = (size_t)p->taps;
  const size_t block_floats = taps * (size_t)p->cg * NR;
  const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
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
