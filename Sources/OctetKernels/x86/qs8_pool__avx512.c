// int8 pooling on AVX-512, exactly the reference kernels (reference/qs8_pool.c).
//   Max pool: per output pixel, vpmaxsb over the taps inside the input, 64 channels per step
//   (a window with no tap inside yields −128, as the reference).
//   Global average pool: −pixels·z_in + Σ_p x[p][c] in int32 lanes (exact: every partial sum
//   is within 256·pixels < 2^31 for pixels < 2^23, which the verifier enforces), then the
//   vector requantization.
#if defined(__x86_64__)
#include "octk_qs8_igemm.h"
#include "qs8_requant_avx512.h"

OCTK_AVX512_TARGET void octk_qs8_maxpool_nhwc__avx512(const int8_t* x, int channels, const octk_window* win, int8_t* y) {
  for (int oy = 0; oy < win->out_h; ++oy) {
    for (int ox = 0; ox < win->out_w; ++ox) {
      int8_t* dst = y + ((size_t)oy * win->out_w + ox) * channels;
      for (int c0 = 0; c0 < channels; c0 += 64) {
        const __mmask64 m = channels - c0 >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << (channels - c0)) - 1);
        __m512i best = _mm512_set1_epi8(INT8_MIN);
        for (int ky = 0; ky < win->kernel_h; ++ky) {
          const int iy = oy * win->stride_h - win->pad_top + ky * win->dilation_h;
          if (iy < 0 || iy >= win->in_h) continue;
          for (int kx = 0; kx < win->kernel_w; ++kx) {
            const int ix = ox * win->stride_w - win->pad_left + kx * win->dilation_w;
            if (ix < 0 || ix >= win->in_w) continue;
            const int8_t* src = x + ((size_t)iy * win->in_w + ix) * channels + c0;
            best = _mm512_max_epi8(best, _mm512_maskz_loadu_epi8(m, src));
          }
        }
        _mm512_mask_storeu_epi8(dst + c0, m, best);
      }
    }
  }
}

OCTK_AVX512_TARGET void octk_qs8_global_avgpool_nhwc__avx512(const int8_t* x, size_t pixels, int channels,
                                                             int32_t input_zero_point, int32_t output_zero_point,
                                                             int32_t multiplier, int32_t shift, int8_t* y) {
  const int32_t s = shift > 30 ? 30 : (shift < -31 ? -31 : shift);
  const octk_requant_block_avx512 q = octk_requant_block_avx512_make(_mm512_set1_epi32(multiplier), _mm512_set1_epi32(s));
  const __m512i offset = _mm512_set1_epi32((int32_t)((int64_t)pixels * -(int64_t)input_zero_point));
  const __m512i z = _mm512_set1_epi32(output_zero_point), lo = _mm512_set1_epi32(-128 - output_zero_point),
                hi = _mm512_set1_epi32(127 - output_zero_point);  // bounds relative to z_out
  for (int c0 = 0; c0 < channels; c0 += 16) {
    const __mmask16 m = channels - c0 >= 16 ? 0xFFFF : (__mmask16)((1u << (channels - c0)) - 1);
    __m512i sum = offset;
    for (size_t p = 0; p < pixels; ++p)
      sum = _mm512_add_epi32(sum, _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, x + p * (size_t)channels + c0)));
    _mm_mask_storeu_epi8(y + c0, m, octk_requant_output_avx512(octk_requant_block_avx512_apply(sum, &q), z, lo, hi));
  }
}
#endif
