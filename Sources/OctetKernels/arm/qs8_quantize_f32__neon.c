// f32 → int8 quantization, 16 elements per step, exactly octk_qs8_quantize_f32__reference:
// the quotient x / scale in double (FDIV rounds like C's division of the widened operands),
// clamped to ±1024 by FMAX/FMIN (which keep NaN), converted by FCVTAS: round half away from
// zero, as round(), and NaN → 0 (the architecture's result for NaN); then + z saturating in
// int32 and narrowed saturating to int8 (exact: |q| ≤ 1024, the clamp is monotone).
// The tail (count mod 16) goes through a local buffer: exactly `count` elements are touched.
// The 3-channel NCHW form quantizes 16 pixels of each plane and interleaves them with ST3.
#if defined(__aarch64__)
#include "octk_qs8_arm.h"
#include "qs8_requant_neon.h"

static inline int32x4_t quantize4(float32x4_t x, float64x2_t scale) {
  const float64x2_t lim = vdupq_n_f64(1024.0), neg_lim = vdupq_n_f64(-1024.0);
  float64x2_t lo = vdivq_f64(vcvt_f64_f32(vget_low_f32(x)), scale);
  float64x2_t hi = vdivq_f64(vcvt_high_f64_f32(x), scale);
  lo = vminq_f64(vmaxq_f64(lo, neg_lim), lim);
  hi = vminq_f64(vmaxq_f64(hi, neg_lim), lim);
  return vmovn_high_s64(vmovn_s64(vcvtaq_s64_f64(lo)), vcvtaq_s64_f64(hi));
}

static inline int8x16_t quantize16(const float* x, float64x2_t scale, int32x4_t z) {
  const int32x4_t q0 = vqaddq_s32(quantize4(vld1q_f32(x), scale), z), q1 = vqaddq_s32(quantize4(vld1q_f32(x + 4), scale), z);
  const int32x4_t q2 = vqaddq_s32(quantize4(vld1q_f32(x + 8), scale), z), q3 = vqaddq_s32(quantize4(vld1q_f32(x + 12), scale), z);
  return vqmovn_high_s16(vqmovn_s16(vqmovn_high_s32(vqmovn_s32(q0), q1)), vqmovn_high_s32(vqmovn_s32(q2), q3));
}

void octk_qs8_quantize_f32__neon(const float* x, size_t count, float scale, int32_t zero_point, int8_t* y) {
  const float64x2_t s = vdupq_n_f64((double)scale);
  const int32x4_t z = vdupq_n_s32(zero_point);
  size_t i = 0;
  for (; i + 16 <= count; i += 16) vst1q_s8(y + i, quantize16(x + i, s, z));
  if (i < count) {
    float tx[16] = {0};
    int8_t ty[16];
    memcpy(tx, x + i, (count - i) * sizeof(float));
    vst1q_s8(ty, quantize16(tx, s, z));
    memcpy(y + i, ty, count - i);
  }
}

void octk_qs8_quantize_f32_nchw3__neon(const float* x, size_t plane, size_t begin, size_t end, float scale,
                                       int32_t zero_point, int8_t* nchw, int8_t* nhwc) {
  const float64x2_t s = vdupq_n_f64((double)scale);
  const int32x4_t z = vdupq_n_s32(zero_point);
  const float *x0 = x, *x1 = x + plane, *x2 = x + 2 * plane;
  int8_t *y0 = nchw, *y1 = nchw + plane, *y2 = nchw + 2 * plane;
  size_t p = begin;
  for (; p + 16 <= end; p += 16) {
    int8x16x3_t v;
    v.val[0] = quantize16(x0 + p, s, z);
    v.val[1] = quantize16(x1 + p, s, z);
    v.val[2] = quantize16(x2 + p, s, z);
    vst1q_s8(y0 + p, v.val[0]);
    vst1q_s8(y1 + p, v.val[1]);
    vst1q_s8(y2 + p, v.val[2]);
    vst3q_s8(nhwc + 3 * p, v);
  }
  if (p < end) {
    const size_t n = end - p;
    for (int c = 0; c < 3; ++c) octk_qs8_quantize_f32__neon(x + c * plane + p, n, scale, zero_point, nchw + c * plane + p);
    for (size_t i = p; i < end; ++i) {
      nhwc[3 * i] = y0[i];
      nhwc[3 * i + 1] = y1[i];
      nhwc[3 * i + 2] = y2[i];
    }
  }
}
#endif
