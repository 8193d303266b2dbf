// Depthwise int8 conv (multiplier 1), 16 channels per step, int8 × int8 products (16c_i8
// packing). Per pair of taps: SMULL/SMULL2 of the first tap's bytes into int16, SMLAL/SMLAL2 of
// the second's, then SADDW/SADDW2 into the 4 int32 accumulators, which start at the bias.
// Exact: with weights in [−127, 127] a product is at most 128·127 in magnitude and a pair sum
// 32512 < 2^15; when the op has a −128 weight (packed->weights_above_127) every tap is widened
// alone (|x·w| ≤ 2^14). Pixels outside, channel blocks inside: a 3×3 kernel's nine row
// pointers stay in registers across the blocks, and the weights (taps × channels bytes) in L1.
// The last block reads up to 15 bytes past a pixel's channels (never stored). Binary32
// requantization at the store, clamped after the conversion (qs8_requant_neon.h).
#if defined(__aarch64__)
#include "octk_qs8_arm.h"
#include "qs8_requant_neon.h"

/// acc[0..3] += x0·w0 + x1·w1 over 16 channels, the pair summed in int16.
static inline void mac_pair(int32x4_t acc[4], int8x16_t x0, int8x16_t w0, int8x16_t x1, int8x16_t w1) {
  int16x8_t lo = vmull_s8(vget_low_s8(x0), vget_low_s8(w0)), hi = vmull_high_s8(x0, w0);
  lo = vmlal_s8(lo, vget_low_s8(x1), vget_low_s8(w1));
  hi = vmlal_high_s8(hi, x1, w1);
  acc[0] = vaddw_s16(acc[0], vget_low_s16(lo));
  acc[1] = vaddw_high_s16(acc[1], lo);
  acc[2] = vaddw_s16(acc[2], vget_low_s16(hi));
  acc[3] = vaddw_high_s16(acc[3], hi);
}

/// acc[0..3] += x·w over 16 channels.
static inline void mac_one(int32x4_t acc[4], int8x16_t x, int8x16_t w) {
  const int16x8_t lo = vmull_s8(vget_low_s8(x), vget_low_s8(w)), hi = vmull_high_s8(x, w);
  acc[0] = vaddw_s16(acc[0], vget_low_s16(lo));
  acc[1] = vaddw_high_s16(acc[1], lo);
  acc[2] = vaddw_s16(acc[2], vget_low_s16(hi));
  acc[3] = vaddw_high_s16(acc[3], hi);
}

/// One output pixel, every channel block. Where inlined with constant `taps` (and pairs = 1),
/// the tap loops unroll and the row pointers, read once per pixel, stay in registers.
static inline __attribute__((always_inline)) void pixel(const octk_qs8_dwconv_packed* p, const int8_t* const* rows,
                                                        int taps, int pairs, const octk_neon_out* out, int8_t* y) {
  const int8_t* w = p->weights;
  const int32_t* bias = p->bias;
  const float* scale = p->scale;
  const int8_t* r[25];
  const int held = taps <= 25 ? taps : 0;  // pointers read up front (the unrolled forms)
#pragma GCC unroll 25
  for (int t = 0; t < held; ++t) r[t] = rows[t];
  for (int c0 = 0; c0 < p->channels; c0 += OCTK_QS8_DW_NR, bias += OCTK_QS8_DW_NR, scale += OCTK_QS8_DW_NR) {
    int32x4_t acc[4];
    for (int i = 0; i < 4; ++i) acc[i] = vld1q_s32(bias + 4 * i);
    int t = 0;
    if (pairs) {
#pragma GCC unroll 12
      for (; t + 2 <= taps; t += 2) {
        const int8_t *x0 = held ? r[t] : rows[t], *x1 = held ? r[t + 1] : rows[t + 1];
        mac_pair(acc, vld1q_s8(x0 + c0), vld1q_s8(w), vld1q_s8(x1 + c0), vld1q_s8(w + 16));
        w += 32;
      }
    }
#pragma GCC unroll 2
    for (; t < taps; ++t) {
      mac_one(acc, vld1q_s8((held ? r[t] : rows[t]) + c0), vld1q_s8(w));
      w += 16;
    }
    float32x4_t sc[4];
    octk_neon_scale16_load(scale, sc);
    octk_neon_store_s8x16(y + c0, octk_neon_requant_s8x16(acc[0], acc[1], acc[2], acc[3], sc, out), p->channels - c0);
  }
}

void octk_qs8_dwconv_16c__neon_mul8(const octk_qs8_dwconv_packed* packed, const int8_t* const* ind, size_t pixel_begin,
                                    size_t pixel_end, int32_t output_zero_point, int32_t lo, int32_t hi, int8_t* y) {
  // A local copy: the int8 stores could alias *packed, so its fields would be reloaded per block.
  const octk_qs8_dwconv_packed q = *packed, *p = &q;
  const int taps = p->taps, pairs = !p->weights_above_127;
  const size_t channels = (size_t)p->channels;
  const octk_neon_out out = octk_neon_out_make(output_zero_point, lo, hi);
  for (size_t px = pixel_begin; px < pixel_end; ++px) {
    const int8_t* const* rows = ind + px * (size_t)taps;
    int8_t* yp = y + px * channels;
    if (taps == 9 && pairs) pixel(p, rows, 9, 1, &out, yp);  // 3×3
    else if (taps == 25 && pairs) pixel(p, rows, 25, 1, &out, yp);  // 5×5
    else pixel(p, rows, taps, pairs, &out, yp);
  }
}
#endif
