// Depthwise int8 conv (multiplier 1), 16 channels per step: per tap one 16-byte load widened
// to int16 (SXTL) and 4 SMLAL with the pre-widened int16 weights (16c_i16 packing): every
// product and sum is exact in int32 (sums wrap as the spec's int32 accumulator excludes).
// Channel blocks outside, pixels inside: a block's weights stay in L1 across the pixel range.
// The last block reads up to 15 bytes past a pixel's channels (never stored). Binary32
// requantization at the store (qs8_requant_neon.h); a block's bias and scale stay in registers.
#if defined(__aarch64__)
#include "octk_qs8_arm.h"
#include "qs8_requant_neon.h"

void octk_qs8_dwconv_16c__neon(const octk_qs8_dwconv_packed* p, const int8_t* const* ind, size_t pixel_begin,
                               size_t pixel_end, int32_t output_zero_point, int32_t lo, int32_t hi, int8_t* y) {
  const int taps = p->taps, channels = p->channels;
  const octk_neon_out out = octk_neon_out_make(output_zero_point, lo, hi);
  for (int b = 0; b < p->blocks; ++b) {
    const int c0 = b * OCTK_QS8_DW_NR;
    const int16_t* w = (const int16_t*)p->weights + (size_t)b * taps * OCTK_QS8_DW_NR;
    const octk_neon_chan16 ch = octk_neon_chan16_load(p->bias + c0, p->scale + c0);
    const int valid = channels - c0;
    for (size_t px = pixel_begin; px < pixel_end; ++px) {
      const int8_t* const* rows = ind + px * taps;
      int32x4_t a0 = vdupq_n_s32(0), a1 = a0, a2 = a0, a3 = a0;
      for (int t = 0; t < taps; ++t) {
        const int8x16_t x = vld1q_s8(rows[t] + c0);
        const int16x8_t xl = vmovl_s8(vget_low_s8(x)), xh = vmovl_high_s8(x);
        const int16x8_t wl = vld1q_s16(w + (size_t)t * OCTK_QS8_DW_NR), wh = vld1q_s16(w + (size_t)t * OCTK_QS8_DW_NR + 8);
        a0 = vmlal_s16(a0, vget_low_s16(xl), vget_low_s16(wl));
        a1 = vmlal_high_s16(a1, xl, wl);
        a2 = vmlal_s16(a2, vget_low_s16(xh), vget_low_s16(wh));
        a3 = vmlal_high_s16(a3, xh, wh);
      }
      octk_neon_store_s8x16(y + px * channels + c0, octk_neon_requant_s8x16(a0, a1, a2, a3, &ch, &out), valid);
    }
  }
}
#endif
