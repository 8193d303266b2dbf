// int8 pooling on AVX-512, exactly the reference kernels (reference/qs8_pool.c).
//   Max pool: per output pixel, vpmaxsb over the taps inside the input, 64 channels per step
//   (a window with no tap inside yields −128, as the reference).
//   Average pool: per output pixel the tap count (inside the input, or with count_include_pad
//   inside the padded extent) is a scalar; S = Σ (x − z) over the inside taps in int32 lanes,
//   then round_half_away(S / count) = sign(S)·floor(N / (2·count)) with N = 2|S| + count, the
//   floor taken in double as floor(N·(1/(2·count)) + 2^−30). The verifier's windows (≤ 1024 per
//   side, so count ≤ 2^20, |S| ≤ 255·2^20, N < 2^29) make this exact: the quotient is ≤ 256,
//   the product is within 2^−44 of it, and a non-integer quotient lies at least 1/(2·count) ≥
//   2^−21 below the next integer, while the 2^−30 nudge keeps an integer one from falling below.
//   Global average pool: −pixels·z_in + Σ_p x[p][c] in int32 lanes (exact: every partial sum
//   is within 256·pixels < 2^31 for pixels < 2^23, which the verifier enforces), then the
//   binary32 requantization octk_requant_avx512 with bounds [−128, 127] and + z_out.
#if defined(__x86_64__)
#include "octk_qs8_avx512.h"
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

OCTK_AVX512_TARGET void octk_qs8_avgpool_nhwc__avx512(const int8_t* x, int channels, const octk_window* win,
                                                      int count_include_pad, int32_t zero_point, int8_t* y) {
  const int h_limit = win->in_h + win->pad_bottom, w_limit = win->in_w + win->pad_right;
  const __m512i z = _mm512_set1_epi32(zero_point);
  const __m512d tiny = _mm512_set1_pd(0x1p-30);
  for (int oy = 0; oy < win->out_h; ++oy) {
    for (int ox = 0; ox < win->out_w; ++ox) {
      int inside = 0, counted = 0;
      for (int ky = 0; ky < win->kernel_h; ++ky) {
        const int iy = oy * win->stride_h - win->pad_top + ky * win->dilation_h;
        if (iy >= h_limit) continue;
        for (int kx = 0; kx < win->kernel_w; ++kx) {
          const int ix = ox * win->stride_w - win->pad_left + kx * win->dilation_w;
          if (ix >= w_limit) continue;
          const int in = iy >= 0 && iy < win->in_h && ix >= 0 && ix < win->in_w;
          inside += in;
          counted += in || count_include_pad;
        }
      }
      int8_t* dst = y + ((size_t)oy * win->out_w + ox) * channels;
      const __m512i count = _mm512_set1_epi32(counted);
      const __m512d reciprocal = _mm512_set1_pd(counted > 0 ? 1.0 / (2.0 * counted) : 0.0);
      for (int c0 = 0; c0 < channels; c0 += 16) {
        const __mmask16 m = channels - c0 >= 16 ? 0xFFFF : (__mmask16)((1u << (channels - c0)) - 1);
        __m512i sum = _mm512_set1_epi32(-zero_point * inside);
        for (int ky = 0; ky < win->kernel_h; ++ky) {
          const int iy = oy * win->stride_h - win->pad_top + ky * win->dilation_h;
          if (iy < 0 || iy >= win->in_h) continue;
          for (int kx = 0; kx < win->kernel_w; ++kx) {
            const int ix = ox * win->stride_w - win->pad_left + kx * win->dilation_w;
            if (ix < 0 || ix >= win->in_w) continue;
            const int8_t* src = x + ((size_t)iy * win->in_w + ix) * channels + c0;
            sum = _mm512_add_epi32(sum, _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, src)));
          }
        }
        const __m512i n = _mm512_add_epi32(_mm512_add_epi32(_mm512_abs_epi32(sum), _mm512_abs_epi32(sum)), count);
        const __m512d lo = _mm512_fmadd_pd(_mm512_cvtepi32_pd(_mm512_castsi512_si256(n)), reciprocal, tiny);
        const __m512d hi = _mm512_fmadd_pd(_mm512_cvtepi32_pd(_mm512_extracti64x4_epi64(n, 1)), reciprocal, tiny);
        const __m512i q = _mm512_inserti64x4(
            _mm512_castsi256_si512(_mm512_cvt_roundpd_epi32(lo, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC)),
            _mm512_cvt_roundpd_epi32(hi, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC), 1);
        const __m512i signed_q = _mm512_mask_sub_epi32(q, _mm512_cmplt_epi32_mask(sum, _mm512_setzero_si512()),
                                                       _mm512_setzero_si512(), q);
        _mm_mask_storeu_epi8(dst + c0, m, _mm512_cvtsepi32_epi8(_mm512_add_epi32(signed_q, z)));
      }
    }
  }
}

OCTK_AVX512_TARGET void octk_qs8_global_avgpool_nhwc__avx512(const int8_t* x, size_t pixels, int channels,
                                                             int32_t input_zero_point, int32_t output_zero_point,
                                                             float scale, int8_t* y) {
  const __m512 vscale = _mm512_set1_ps(scale);
  const octk_requant_bounds_avx512 bounds = octk_requant_bounds_avx512_make(output_zero_point, -128, 127);
  const __m512i offset = _mm512_set1_epi32((int32_t)((int64_t)pixels * -(int64_t)input_zero_point));
  const __m512i z = _mm512_set1_epi32(output_zero_point);
  for (int c0 = 0; c0 < channels; c0 += 16) {
    const __mmask16 m = channels - c0 >= 16 ? 0xFFFF : (__mmask16)((1u << (channels - c0)) - 1);
    __m512i sum = offset;
    for (size_t p = 0; p < pixels; ++p)
      sum = _mm512_add_epi32(sum, _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, x + p * (size_t)channels + c0)));
    const __m512i r = _mm512_add_epi32(octk_requant_avx512(sum, vscale, &bounds), z);  // in [−128, 127]
    _mm_mask_storeu_epi8(y + c0, m, _mm512_cvtepi32_epi8(r));
  }
}
#endif
