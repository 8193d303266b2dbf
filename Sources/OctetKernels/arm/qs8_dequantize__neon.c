// int8 → f32 dequantization, 16 elements per step, exactly octk_qs8_dequantize__reference:
// y = scale · (float)(x − z). x − z is in [−255, 255], so the int32 → float conversion is exact
// and the one multiply (FMUL, not fused with anything) rounds as in C. The tail (count mod 16)
// runs the same formula per element.
#if defined(__aarch64__)
#include <arm_neon.h>

#include "octk_qs8_arm.h"

static inline float32x4_t dequantize4(int16x4_t q, int32x4_t z, float32x4_t s) {
  return vmulq_f32(s, vcvtq_f32_s32(vsubq_s32(vmovl_s16(q), z)));
}

void octk_qs8_dequantize__neon(const int8_t* x, size_t count, float scale, int32_t zero_point, float* y) {
  const float32x4_t s = vdupq_n_f32(scale);
  const int32x4_t z = vdupq_n_s32(zero_point);
  size_t i = 0;
  for (; i + 16 <= count; i += 16) {
    const int8x16_t q = vld1q_s8(x + i);
    const int16x8_t lo = vmovl_s8(vget_low_s8(q)), hi = vmovl_high_s8(q);
    vst1q_f32(y + i, dequantize4(vget_low_s16(lo), z, s));
    vst1q_f32(y + i + 4, dequantize4(vget_high_s16(lo), z, s));
    vst1q_f32(y + i + 8, dequantize4(vget_low_s16(hi), z, s));
    vst1q_f32(y + i + 12, dequantize4(vget_high_s16(hi), z, s));
  }
  for (; i < count; ++i) y[i] = scale * (float)((int32_t)x[i] - zero_point);
}
#endif
