// int8 pooling on AVX2, exactly the reference kernels (reference/qs8_pool.c), 32 channels per
// step, then 16, then a last partial 16 whose bytes are loaded and stored piecewise: nothing
// outside a pixel's channels is read or written (no read slack needed).
//
// Taps: per output pixel the taps inside the input form a rectangle [ky0, ky1) × [kx0, kx1)
// (axis_taps), so the inner loops run without bounds tests, in the reference's order.
//
//   Max pool: vpmaxsb from −128 over the inside taps (none: −128, as the reference).
//
//   Average pool: S = Σ (x − z) = Σ x − z·inside. Σ x is formed in int16 lanes over runs of at
//   most 256 taps (a run sums to [−32768, 32512], exact in int16), each run widened into int32
//   lanes that start at −z·inside; the verifier's windows (≤ 1024 per side: count ≤ 2^20) and
//   z ∈ [−128, 127] keep every int32 partial within
//   |z·inside| + |Σ x| ≤ 2·128·2^20 = 2^28, exact.
//   round_half_away(S / count) = sign(S)·floor(N / D), N = 2|S| + count, D = 2·count, with the
//   floor as a multiply-shift: l = ceil(log2 D), k = 31 + l, m = ceil(2^k / D) < 2^32, so
//   m·D = 2^k + e with 0 ≤ e < D and N·m / 2^k = N/D + N·e / (D·2^k). For N < 2^31 (true for
//   count < 2^22, as N ≤ 511·count) N·e < 2^31·D ≤ 2^31·2^l = 2^k, so the error term is below
//   1/D, while the fraction of N/D is at most 1 − 1/D: (N·m) >> k = floor(N / D) exactly.
//   N·m < 2^31·2^32 fits the unsigned 64-bit product of vpmuludq. count = 0 (empty window) takes
//   m = 0: q = 0, and S = 0 there, so the output is z as in the reference. The sign is
//   vpsignd(q, S) (q = 0 when S = 0: then N = count and N / D = 1/2 floors to 0). z + r is
//   clamped to int8 by the saturating packs (|r| ≤ 255).
//
//   Global average pool: −pixels·z_in + Σ_p x[p][c], Σ in int16 runs of ≤ 256 pixels widened
//   into int32 lanes (exact: every partial is within 256·pixels < 2^31 for pixels < 2^23, which
//   the verifier enforces; the reference's int32 saturation then never acts), then the binary32
//   requantization of qs8_requant_avx2.h with bounds [−128, 127].
#if defined(__x86_64__)
#include "octk_qs8_avx2.h"
#include "qs8_requant_avx2.h"
#include "../common/pool_taps.h"

/// 16 bytes of src when n ≥ 16, else bytes [0, n) and zeros (exactly n bytes read).
OCTK_AVX2_TARGET static inline __m128i load_s8x16(const int8_t* src, int n) {
  if (n >= 16) return _mm_loadu_si128((const __m128i*)src);
  const uint64_t lo = load_u64_prefix(src, n < 8 ? n : 8), hi = n > 8 ? load_u64_prefix(src + 8, n - 8) : 0;
  return _mm_set_epi64x((long long)hi, (long long)lo);
}

// ---- max pool --------------------------------------------------------------------------

OCTK_AVX2_TARGET void octk_qs8_maxpool_nhwc__avx2(const int8_t* x, int channels, const octk_window* win, int8_t* y) {
  for (int oy = 0; oy < win->out_h; ++oy) {
    for (int ox = 0; ox < win->out_w; ++ox) {
      const pool_taps t = inside_taps(x, channels, win, oy, ox);
      int8_t* dst = y + ((size_t)oy * win->out_w + ox) * channels;
      int c0 = 0;
      for (; c0 + 32 <= channels; c0 += 32) {
        __m256i best = _mm256_set1_epi8(INT8_MIN);
        for (int r = 0; r < t.rows; ++r) {
          const int8_t* p = t.first + r * t.row_step + c0;
          for (int c = 0; c < t.cols; ++c, p += t.col_step)
            best = _mm256_max_epi8(best, _mm256_loadu_si256((const __m256i*)p));
        }
        _mm256_storeu_si256((__m256i*)(dst + c0), best);
      }
      for (; c0 < channels; c0 += 16) {  // at most two: 16 channels, then the last n < 16
        const int n = channels - c0;
        __m128i best = _mm_set1_epi8(INT8_MIN);  // lanes ≥ n hold max(−128, 0) and are not stored
        for (int r = 0; r < t.rows; ++r) {
          const int8_t* p = t.first + r * t.row_step + c0;
          for (int c = 0; c < t.cols; ++c, p += t.col_step) best = _mm_max_epi8(best, load_s8x16(p, n));
        }
        octk_store_s8_avx2(dst + c0, best, n);
      }
    }
  }
}

// ---- average pool ----------------------------------------------------------------------

/// floor(N / D) per lane as (N·m) >> k (see the top comment): m and the shifts k and k − 32.
typedef struct {
  __m256i m;
  __m128i k, k_minus_32;
} divisor_avx2;

OCTK_AVX2_TARGET static inline divisor_avx2 divisor_make(int count) {
  divisor_avx2 d;
  if (count <= 0) {  // empty window: q = 0
    d.m = _mm256_setzero_si256();
    d.k = d.k_minus_32 = _mm_setzero_si128();
    return d;
  }
  const uint64_t den = 2 * (uint64_t)count;                  // D ≥ 2
  const int l = 64 - __builtin_clzll(den - 1);               // ceil(log2 D) ≥ 1
  const int k = 31 + l;                                      // ≤ 53 for count ≤ 2^21
  const uint64_t m = (((uint64_t)1 << k) + den - 1) / den;   // ceil(2^k / D) < 2^32
  d.m = _mm256_set1_epi64x((long long)m);
  d.k = _mm_cvtsi32_si128(k);
  d.k_minus_32 = _mm_cvtsi32_si128(k - 32);
  return d;
}

/// floor(N / D) for 8 lanes 0 ≤ N < 2^31: even lanes shift the 64-bit product right by k (q
/// in the low dword), odd lanes by k − 32 (q in the high dword, the bits below it unused).
OCTK_AVX2_TARGET static inline __m256i divide(__m256i n, const divisor_avx2* d) {
  const __m256i even = _mm256_srl_epi64(_mm256_mul_epu32(n, d->m), d->k);
  const __m256i odd = _mm256_srl_epi64(_mm256_mul_epu32(_mm256_srli_epi64(n, 32), d->m), d->k_minus_32);
  return _mm256_blend_epi32(even, odd, 0xAA);
}

/// round_half_away(S / count) for 8 lanes of S: sign(S)·floor((2|S| + count) / (2·count)).
OCTK_AVX2_TARGET static inline __m256i round_average(__m256i s, __m256i count, const divisor_avx2* d) {
  const __m256i a = _mm256_abs_epi32(s);
  return _mm256_sign_epi32(divide(_mm256_add_epi32(_mm256_add_epi32(a, a), count), d), s);
}

/// int32 lanes (split order: lo = channels [0..3 | 8..11], hi = [4..7 | 12..15]) += the 16
/// int16 lanes of v (natural order): unpack with itself, then sign-extend from the high half.
OCTK_AVX2_TARGET static inline void widen_add(__m256i v, __m256i* lo, __m256i* hi) {
  *lo = _mm256_add_epi32(*lo, _mm256_srai_epi32(_mm256_unpacklo_epi16(v, v), 16));
  *hi = _mm256_add_epi32(*hi, _mm256_srai_epi32(_mm256_unpackhi_epi16(v, v), 16));
}

/// Per-pixel constants of the average.
typedef struct {
  __m256i offset;  // −z·inside in every int32 lane
  __m256i count;
  divisor_avx2 div;
  __m256i z, lo;  // int16 lanes: z, −128
} average_consts;

/// 16 averaged channels starting at c0 (n of them stored, 1 ≤ n ≤ 16).
OCTK_AVX2_TARGET static inline void average16(const pool_taps* t, int c0, int n, const average_consts* k, int8_t* dst) {
  __m256i lo = k->offset, hi = k->offset, run = _mm256_setzero_si256();
  int left = kRun;  // taps the int16 run may still take
  for (int r = 0; r < t->rows; ++r) {
    const int8_t* p = t->first + r * t->row_step + c0;
    for (int c = 0; c < t->cols; ++c, p += t->col_step) {
      run = _mm256_add_epi16(run, _mm256_cvtepi8_epi16(load_s8x16(p, n)));
      if (--left == 0) {
        widen_add(run, &lo, &hi);
        run = _mm256_setzero_si256();
        left = kRun;
      }
    }
  }
  widen_add(run, &lo, &hi);
  const __m128i v = octk_requant_output_avx2(round_average(lo, k->count, &k->div), round_average(hi, k->count, &k->div),
                                             k->z, k->lo);
  octk_store_s8_avx2(dst, v, n);
}

/// 32 averaged channels starting at c0.
OCTK_AVX2_TARGET static inline void average32(const pool_taps* t, int c0, const average_consts* k, int8_t* dst) {
  __m256i lo0 = k->offset, hi0 = k->offset, lo1 = k->offset, hi1 = k->offset;
  __m256i run0 = _mm256_setzero_si256(), run1 = _mm256_setzero_si256();
  int left = kRun;
  for (int r = 0; r < t->rows; ++r) {
    const int8_t* p = t->first + r * t->row_step + c0;
    for (int c = 0; c < t->cols; ++c, p += t->col_step) {
      run0 = _mm256_add_epi16(run0, _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*)p)));
      run1 = _mm256_add_epi16(run1, _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*)(p + 16))));
      if (--left == 0) {
        widen_add(run0, &lo0, &hi0);
        widen_add(run1, &lo1, &hi1);
        run0 = run1 = _mm256_setzero_si256();
        left = kRun;
      }
    }
  }
  widen_add(run0, &lo0, &hi0);
  widen_add(run1, &lo1, &hi1);
  const __m128i v0 = octk_requant_output_avx2(round_average(lo0, k->count, &k->div),
                                              round_average(hi0, k->count, &k->div), k->z, k->lo);
  const __m128i v1 = octk_requant_output_avx2(round_average(lo1, k->count, &k->div),
                                              round_average(hi1, k->count, &k->div), k->z, k->lo);
  _mm256_storeu_si256((__m256i*)dst, _mm256_set_m128i(v1, v0));
}

OCTK_AVX2_TARGET void octk_qs8_avgpool_nhwc__avx2(const int8_t* x, int channels, const octk_window* win,
                                                  int count_include_pad, int32_t zero_point, int8_t* y) {
  average_consts k;
  k.z = _mm256_set1_epi16((int16_t)zero_point);
  k.lo = _mm256_set1_epi16(INT8_MIN);
  int cached = 0;  // the count k.div and k.count were made for
  k.div = divisor_make(0);
  k.count = _mm256_setzero_si256();
  for (int oy = 0; oy < win->out_h; ++oy) {
    for (int ox = 0; ox < win->out_w; ++ox) {
      const pool_taps t = inside_taps(x, channels, win, oy, ox);
      int counted = t.rows * t.cols;
      if (count_include_pad) {
        // Taps inside the padded extent: coordinates from −pad, below in + pad_end (every tap
        // starts at or after −pad, so only the upper limit clips).
        int ky0, ky1, kx0, kx1;
        axis_taps(oy * win->stride_h, win->kernel_h, win->dilation_h, win->pad_top + win->in_h + win->pad_bottom,
                  &ky0, &ky1);
        axis_taps(ox * win->stride_w, win->kernel_w, win->dilation_w, win->pad_left + win->in_w + win->pad_right,
                  &kx0, &kx1);
        counted = (ky1 - ky0) * (kx1 - kx0);
      }
      if (counted != cached) {
        k.div = divisor_make(counted);
        k.count = _mm256_set1_epi32(counted);
        cached = counted;
      }
      k.offset = _mm256_set1_epi32(-zero_point * t.rows * t.cols);
      int8_t* dst = y + ((size_t)oy * win->out_w + ox) * channels;
      int c0 = 0;
      for (; c0 + 32 <= channels; c0 += 32) average32(&t, c0, &k, dst + c0);
      for (; c0 < channels; c0 += 16) average16(&t, c0, channels - c0, &k, dst + c0);
    }
  }
}

// ---- global average pool ---------------------------------------------------------------

typedef struct {
  __m256i offset;  // −pixels·z_in
  __m256 scale;
  __m256 hi;       // 127 − z_out
  __m256i z, lo;   // int16 lanes: z_out, −128
} global_consts;

/// Channels [c0, c0 + 16) summed over every pixel (n of them loaded and stored, 1 ≤ n ≤ 16).
OCTK_AVX2_TARGET static inline void global16(const int8_t* x, size_t pixels, int channels, int c0, int n,
                                             const global_consts* k, int8_t* dst) {
  __m256i lo = k->offset, hi = k->offset;
  for (size_t p0 = 0; p0 < pixels; p0 += kRun) {
    const size_t p1 = pixels - p0 > kRun ? p0 + kRun : pixels;  // one int16 run
    __m256i run = _mm256_setzero_si256();
    const int8_t* src = x + p0 * (size_t)channels + c0;
    for (size_t p = p0; p < p1; ++p, src += channels) run = _mm256_add_epi16(run, _mm256_cvtepi8_epi16(load_s8x16(src, n)));
    widen_add(run, &lo, &hi);
  }
  const __m128i v = octk_requant_output_avx2(octk_requant_hi_avx2(lo, k->scale, k->hi),
                                             octk_requant_hi_avx2(hi, k->scale, k->hi), k->z, k->lo);
  octk_store_s8_avx2(dst, v, n);
}

/// Channels [c0, c0 + 32).
OCTK_AVX2_TARGET static inline void global32(const int8_t* x, size_t pixels, int channels, int c0,
                                             const global_consts* k, int8_t* dst) {
  __m256i lo0 = k->offset, hi0 = k->offset, lo1 = k->offset, hi1 = k->offset;
  for (size_t p0 = 0; p0 < pixels; p0 += kRun) {
    const size_t p1 = pixels - p0 > kRun ? p0 + kRun : pixels;
    __m256i run0 = _mm256_setzero_si256(), run1 = _mm256_setzero_si256();
    const int8_t* src = x + p0 * (size_t)channels + c0;
    for (size_t p = p0; p < p1; ++p, src += channels) {
      run0 = _mm256_add_epi16(run0, _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*)src)));
      run1 = _mm256_add_epi16(run1, _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*)(src + 16))));
    }
    widen_add(run0, &lo0, &hi0);
    widen_add(run1, &lo1, &hi1);
  }
  const __m128i v0 = octk_requant_output_avx2(octk_requant_hi_avx2(lo0, k->scale, k->hi),
                                              octk_requant_hi_avx2(hi0, k->scale, k->hi), k->z, k->lo);
  const __m128i v1 = octk_requant_output_avx2(octk_requant_hi_avx2(lo1, k->scale, k->hi),
                                              octk_requant_hi_avx2(hi1, k->scale, k->hi), k->z, k->lo);
  _mm256_storeu_si256((__m256i*)dst, _mm256_set_m128i(v1, v0));
}

OCTK_AVX2_TARGET void octk_qs8_global_avgpool_nhwc__avx2(const int8_t* x, size_t pixels, int channels,
                                                         int32_t input_zero_point, int32_t output_zero_point,
                                                         float scale, int8_t* y) {
  global_consts k;
  k.offset = _mm256_set1_epi32((int32_t)((int64_t)pixels * -(int64_t)input_zero_point));
  k.scale = _mm256_set1_ps(scale);
  k.hi = _mm256_set1_ps((float)(127 - output_zero_point));
  k.z = _mm256_set1_epi16((int16_t)output_zero_point);
  k.lo = _mm256_set1_epi16(INT8_MIN);
  int c0 = 0;
  for (; c0 + 32 <= channels; c0 += 32) global32(x, pixels, channels, c0, &k, y + c0);
  for (; c0 < channels; c0 += 16) global16(x, pixels, channels, c0, channels - c0, &k, y + c0);
}
#endif
