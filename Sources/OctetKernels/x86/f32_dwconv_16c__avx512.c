// Depthwise fp32 conv, AVX-512: tiles of 4 output pixels; per tile, channels in steps of 64
// (4 pixels × 4 zmm accumulators), then 16, then one masked step, each accumulator starting at
// the bias; taps inside, every weight vector shared by the tile's pixels. Tiles of fewer pixels
// (the range's tail) run a copy compiled for that many. Only the channels of each tap row are
// read (masked tail loads).
#if defined(__x86_64__)
#include <immintrin.h>

#include "octk_f32_fast.h"

#define OCTK_F32_AVX512 __attribute__((target("avx512f")))
#define MR 4

OCTK_F32_AVX512 static inline __attribute__((always_inline)) void tile(const int mr, const octk_f32_dwconv_packed* p,
                                                                      const float* const* row, float* out, __m512 vlo,
                                                                      __m512 vhi) {
  const int channels = p->channels, taps = p->taps;
  const size_t cpad = (size_t)p->cpad, ldy = (size_t)channels;
  int c = 0;
  for (; c + 64 <= channels; c += 64) {
    __m512 acc[MR][4];
#pragma GCC unroll 4
    for (int r = 0; r < mr; ++r)
#pragma GCC unroll 4
      for (int v = 0; v < 4; ++v) acc[r][v] = _mm512_load_ps(p->bias + c + 16 * v);
    const float* w = p->weights + c;
    for (int t = 0; t < taps; ++t, w += cpad) {
      __m512 wv[4];
#pragma GCC unroll 4
      for (int v = 0; v < 4; ++v) wv[v] = _mm512_load_ps(w + 16 * v);
#pragma GCC unroll 4
      for (int r = 0; r < mr; ++r) {
        const float* x = row[r * taps + t] + c;
#pragma GCC unroll 4
        for (int v = 0; v < 4; ++v) acc[r][v] = _mm512_fmadd_ps(_mm512_loadu_ps(x + 16 * v), wv[v], acc[r][v]);
      }
    }
#pragma GCC unroll 4
    for (int r = 0; r < mr; ++r)
#pragma GCC unroll 4
      for (int v = 0; v < 4; ++v)
        _mm512_storeu_ps(out + r * ldy + c + 16 * v, _mm512_min_ps(vhi, _mm512_max_ps(vlo, acc[r][v])));
  }
  for (; c < channels; c += 16) {
    const int left = channels - c;
    const __mmask16 m = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
    __m512 acc[MR];
#pragma GCC unroll 4
    for (int r = 0; r < mr; ++r) acc[r] = _mm512_load_ps(p->bias + c);
    const float* w = p->weights + c;
    for (int t = 0; t < taps; ++t, w += cpad) {
      const __m512 wv = _mm512_load_ps(w);
#pragma GCC unroll 4
      for (int r = 0; r < mr; ++r) acc[r] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, row[r * taps + t] + c), wv, acc[r]);
    }
#pragma GCC unroll 4
    for (int r = 0; r < mr; ++r) _mm512_mask_storeu_ps(out + r * ldy + c, m, _mm512_min_ps(vhi, _mm512_max_ps(vlo, acc[r])));
  }
}

typedef void (*tile_fn)(const octk_f32_dwconv_packed*, const float* const*, float*, __m512, __m512);
#define TILE(n)                                                                                             \
  OCTK_F32_AVX512 static void tile##n(const octk_f32_dwconv_packed* p, const float* const* row, float* out, \
                                      __m512 vlo, __m512 vhi) {                                             \
    tile(n, p, row, out, vlo, vhi);                                                                         \
  }
TILE(1) TILE(2) TILE(3) TILE(4)
#undef TILE

OCTK_F32_AVX512 void octk_f32_dwconv_16c__avx512(const octk_f32_dwconv_packed* p, const float* const* ind,
                                                 size_t pixel_begin, size_t pixel_end, float lo, float hi, float* y) {
  static const tile_fn tiles[MR + 1] = {0, tile1, tile2, tile3, tile4};
  const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
  for (size_t p0 = pixel_begin; p0 < pixel_end; p0 += MR) {
    const int rows = pixel_end - p0 < MR ? (int)(pixel_end - p0) : MR;
    tiles[rows](p, ind + p0 * (size_t)p->taps, y + p0 * (size_t)p->channels, vlo, vhi);
  }
}
#endif
