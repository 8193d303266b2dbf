// int8 pooling on NEON (plain AArch64 Advanced SIMD: the "neon", "dotprod" and "i8mm" paths),
// exactly the reference kernels (reference/qs8_pool.c), 16 channels per step; the last partial
// 16 is loaded and stored piecewise, so nothing outside a pixel's channels is read or written
// (no read slack needed).
//
// Taps: per output pixel the taps inside the input form a rectangle [ky0, ky1) × [kx0, kx1)
// (axis_taps), so the inner loops run without bounds tests, in the reference's order.
//
//   Max pool: SMAX from −128 over the inside taps (none: −128, as the reference).
//
//   Average pool: S = Σ (x − z) = Σ x − z·inside. Σ x is formed in int16 lanes (SADDW) over
//   runs of at most 256 taps (a run sums to [−32768, 32512], exact in int16), each run widened
//   into int32 lanes that start at −z·inside; the verifier's windows (≤ 1024 per side: count
//   ≤ 2^20) and z ∈ [−128, 127] keep every int32 partial within
//   |z·inside| + |Σ x| ≤ 2·128·2^20 = 2^28, exact.
//   round_half_away(S / count) = sign(S)·floor(N / D), N = 2|S| + count, D = 2·count, with the
//   floor as a multiply-shift: l = ceil(log2 D) ≥ 1, k = 30 + l, m = ceil(2^k / D), so
//   m·D = 2^k + e with 0 ≤ e < D and N·m / 2^k = N/D + N·e / (D·2^k). For N < 2^30 (true for
//   count < 2^21, as N ≤ 511·count) N·e < 2^30·D ≤ 2^k, so the error term is below 1/D, while
//   the fraction of N/D is at most 1 − 1/D: floor(N·m / 2^k) = floor(N / D) exactly.
//   2^30 ≤ m < 2^31 (D > 2^(l−1), and m = 2^31 would need D ≤ 2^(l−1)·(1 + 2^−31)), so m is a
//   positive int32 and SQDMULH(N, m) = floor(2·N·m / 2^32) = floor(N·m / 2^31) (it saturates
//   only for INT32_MIN²); an arithmetic shift right by k − 31 = l − 1 finishes the floor
//   (floor(floor(a / 2^31) / 2^(l−1)) = floor(a / 2^k)). count = 0 (empty window) takes m = 0:
//   q = 0, and S = 0 there, so the output is z as in the reference. sign(S)·q = (q ^ s) − s
//   with s = S >> 31. z + r is formed saturating in int32 and clamped to int8 by the saturating
//   narrowings (|r| ≤ 255).
//
//   Global average pool: −pixels·z_in + Σ_p x[p][c], Σ in int16 runs of ≤ 256 pixels widened
//   into int32 lanes (exact: every partial is within 256·pixels < 2^31 for pixels < 2^23, which
//   the verifier enforces; the reference's int32 saturation then never acts), then the binary32
//   requantization of qs8_requant_neon.h (SCVTF, FMUL by scale, FCVTNS, saturating narrows
//   and + z_out).
#if defined(__aarch64__)
#include "octk_qs8_arm.h"
#include "qs8_requant_neon.h"
#include "../common/pool_taps.h"

/// 16 bytes of src when n ≥ 16, else bytes [0, n) and zeros (exactly n bytes read).
static inline int8x16_t load_s8x16(const int8_t* src, int n) {
  if (n >= 16) return vld1q_s8(src);
  const uint64_t lo = load_u64_prefix(src, n < 8 ? n : 8), hi = n > 8 ? load_u64_prefix(src + 8, n - 8) : 0;
  return vreinterpretq_s8_u64(vcombine_u64(vcreate_u64(lo), vcreate_u64(hi)));
}

// ---- max pool --------------------------------------------------------------------------

void octk_qs8_maxpool_nhwc__neon(const int8_t* x, int channels, const octk_window* win, int8_t* y) {
  for (int oy = 0; oy < win->out_h; ++oy) {
    for (int ox = 0; ox < win->out_w; ++ox) {
      const pool_taps t = inside_taps(x, channels, win, oy, ox);
      int8_t* dst = y + ((size_t)oy * win->out_w + ox) * channels;
      int c0 = 0;
      for (; c0 + 16 <= channels; c0 += 16) {
        int8x16_t best = vdupq_n_s8(INT8_MIN);
        for (int r = 0; r < t.rows; ++r) {
          const int8_t* p = t.first + r * t.row_step + c0;
          for (int c = 0; c < t.cols; ++c, p += t.col_step) best = vmaxq_s8(best, vld1q_s8(p));
        }
        vst1q_s8(dst + c0, best);
      }
      if (c0 < channels) {
        const int n = channels - c0;
        int8x16_t best = vdupq_n_s8(INT8_MIN);  // lanes ≥ n hold max(−128, 0) and are not stored
        for (int r = 0; r < t.rows; ++r) {
          const int8_t* p = t.first + r * t.row_step + c0;
          for (int c = 0; c < t.cols; ++c, p += t.col_step) best = vmaxq_s8(best, load_s8x16(p, n));
        }
        octk_neon_store_s8x16(dst + c0, best, n);
      }
    }
  }
}

// ---- average pool ----------------------------------------------------------------------

/// Per-pixel constants of the average: floor(N / D) = SQDMULH(N, m) >> (l − 1).
typedef struct {
  int32x4_t offset;  // −z·inside
  int32x4_t count;
  int32x4_t m, neg_shift;  // m, −(l − 1)
  int32x4_t z;
} average_consts;

static inline void set_divisor(average_consts* k, int count) {
  k->count = vdupq_n_s32(count);
  if (count <= 0) {  // empty window: q = 0
    k->m = k->neg_shift = vdupq_n_s32(0);
    return;
  }
  const uint64_t den = 2 * (uint64_t)count;                      // D ≥ 2
  const int l = 64 - __builtin_clzll(den - 1);                   // ceil(log2 D) ≥ 1
  const uint64_t m = (((uint64_t)1 << (30 + l)) + den - 1) / den;  // ceil(2^k / D) ∈ [2^30, 2^31)
  k->m = vdupq_n_s32((int32_t)m);
  k->neg_shift = vdupq_n_s32(1 - l);
}

/// round_half_away(S / count) for 4 lanes of S: sign(S)·floor((2|S| + count) / (2·count)).
static inline int32x4_t round_average(int32x4_t s, const average_consts* k) {
  const int32x4_t n = vaddq_s32(vshlq_n_s32(vabsq_s32(s), 1), k->count);
  const int32x4_t q = vshlq_s32(vqdmulhq_s32(n, k->m), k->neg_shift);
  const int32x4_t sign = vshrq_n_s32(s, 31);
  return vsubq_s32(veorq_s32(q, sign), sign);
}

/// sat8(z + r) of 16 lanes.
static inline int8x16_t average_out(int32x4_t r0, int32x4_t r1, int32x4_t r2, int32x4_t r3, int32x4_t z) {
  const int16x8_t v01 = vqmovn_high_s32(vqmovn_s32(vqaddq_s32(r0, z)), vqaddq_s32(r1, z));
  const int16x8_t v23 = vqmovn_high_s32(vqmovn_s32(vqaddq_s32(r2, z)), vqaddq_s32(r3, z));
  return vqmovn_high_s16(vqmovn_s16(v01), v23);
}

/// 16 averaged channels starting at c0 (n of them loaded and stored, 1 ≤ n ≤ 16).
static inline void average16(const pool_taps* t, int c0, int n, const average_consts* k, int8_t* dst) {
  int32x4_t a0 = k->offset, a1 = k->offset, a2 = k->offset, a3 = k->offset;
  int16x8_t run_lo = vdupq_n_s16(0), run_hi = vdupq_n_s16(0);
  int left = kRun;  // taps the int16 run may still take
  for (int r = 0; r < t->rows; ++r) {
    const int8_t* p = t->first + r * t->row_step + c0;
    for (int c = 0; c < t->cols; ++c, p += t->col_step) {
      const int8x16_t v = n >= 16 ? vld1q_s8(p) : load_s8x16(p, n);
      run_lo = vaddw_s8(run_lo, vget_low_s8(v));
      run_hi = vaddw_high_s8(run_hi, v);
      if (--left == 0) {
        a0 = vaddw_s16(a0, vget_low_s16(run_lo));
        a1 = vaddw_high_s16(a1, run_lo);
        a2 = vaddw_s16(a2, vget_low_s16(run_hi));
        a3 = vaddw_high_s16(a3, run_hi);
        run_lo = run_hi = vdupq_n_s16(0);
        left = kRun;
      }
    }
  }
  a0 = vaddw_s16(a0, vget_low_s16(run_lo));
  a1 = vaddw_high_s16(a1, run_lo);
  a2 = vaddw_s16(a2, vget_low_s16(run_hi));
  a3 = vaddw_high_s16(a3, run_hi);
  const int8x16_t v = average_out(round_average(a0, k), round_average(a1, k), round_average(a2, k),
                                  round_average(a3, k), k->z);
  octk_neon_store_s8x16(dst, v, n);
}

void octk_qs8_avgpool_nhwc__neon(const int8_t* x, int channels, const octk_window* win, int count_include_pad,
                                 int32_t zero_point, int8_t* y) {
  average_consts k;
  k.z = vdupq_n_s32(zero_point);
  int cached = 0;  // the count k's divisor was made for
  set_divisor(&k, 0);
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
        set_divisor(&k, counted);
        cached = counted;
      }
      k.offset = vdupq_n_s32(-zero_point * t.rows * t.cols);
      int8_t* dst = y + ((size_t)oy * win->out_w + ox) * channels;
      for (int c0 = 0; c0 < channels; c0 += 16) average16(&t, c0, channels - c0, &k, dst + c0);
    }
  }
}

// ---- global average pool ---------------------------------------------------------------

void octk_qs8_global_avgpool_nhwc__neon(const int8_t* x, size_t pixels, int channels, int32_t input_zero_point,
                                        int32_t output_zero_point, float scale, int8_t* y) {
  const int32x4_t offset = vdupq_n_s32((int32_t)((int64_t)pixels * -(int64_t)input_zero_point));
  const float32x4_t s = vdupq_n_f32(scale), s4[4] = {s, s, s, s};
  const octk_neon_out out = octk_neon_out_make(output_zero_point, INT8_MIN, INT8_MAX);
  for (int c0 = 0; c0 < channels; c0 += 16) {
    const int n = channels - c0;  // ≥ 16: a full step; less: the last, partial one
    int32x4_t a0 = offset, a1 = offset, a2 = offset, a3 = offset;
    for (size_t p0 = 0; p0 < pixels; p0 += kRun) {
      const size_t p1 = pixels - p0 > kRun ? p0 + kRun : pixels;  // one int16 run
      int16x8_t run_lo = vdupq_n_s16(0), run_hi = vdupq_n_s16(0);
      const int8_t* src = x + p0 * (size_t)channels + c0;
      for (size_t p = p0; p < p1; ++p, src += channels) {
        const int8x16_t v = n >= 16 ? vld1q_s8(src) : load_s8x16(src, n);
        run_lo = vaddw_s8(run_lo, vget_low_s8(v));
        run_hi = vaddw_high_s8(run_hi, v);
      }
      a0 = vaddw_s16(a0, vget_low_s16(run_lo));
      a1 = vaddw_high_s16(a1, run_lo);
      a2 = vaddw_s16(a2, vget_low_s16(run_hi));
      a3 = vaddw_high_s16(a3, run_hi);
    }
    const int8x16_t v = octk_neon_requant_s8x16(a0, a1, a2, a3, s4, &out);
    octk_neon_store_s8x16(y + c0, v, n);
  }
}
#endif
