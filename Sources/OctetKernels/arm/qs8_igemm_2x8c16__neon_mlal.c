// Indirect-GEMM int8 conv without dot product (Cortex-A72 class), 2 output pixels × 8 output
// channels per tile (8c16 packing). Per 16 input channels and (pixel, channel): SMULL of
// k 0–7, SMLAL2 of k 8–15 into the same int16 lanes, SADALP of the 8 pair sums into an int32x4
// accumulator: 16 accumulators, each reduced to one channel at the store (ADDP); lane 0 of
// each starts at its channel's bias.
//
// A pair sum x[k]·w[k] + x[k+8]·w[k+8] fits int16 unless both weights are −128 (then it may be
// 2·2^14 = 2^15): the packing flags such weights (OCTK_ARM_PACK_PAIR_OVERFLOW, never set by
// the spec's weights in [−127, 127]) and the kernel then accumulates each SMULL on its own.
// Left over: an 8-byte chunk (SMULL only); a chunk reaching past cg is read as whole 4-byte
// words (≤ 3 bytes past the group, weights 0 there). Binary32 requantization at the store,
// clamped after the conversion (qs8_requant_neon.h).
#if defined(__aarch64__)
#include "octk_qs8_arm.h"
#include "qs8_requant_neon.h"

#define MR 2
#define NR 8

// One tile: pixel rows r0, r1 (r1 = r0 when only one row is stored), 8 channels from wblock.
// `exact` and `tails` (0 when cg is a multiple of 16) are constants at each call: the compiler
// emits a copy per pair of values.
static inline __attribute__((always_inline)) void tile(const int8_t* const* r0, const int8_t* const* r1, int taps,
                                                       int cg, size_t goff, const int8_t* wblock, const int32_t* bias,
                                                       int exact, int tails, int32x4_t* s) {
  const int kpad = (cg + 7) & ~7, full = kpad & ~15;
  const int direct16 = full < cg + 3 ? full : cg + 3;
  // Channel n's accumulators start as [bias[n], 0, 0, 0] (the lanes are summed at the end).
#define BIAS(n) vsetq_lane_s32(bias[n], vdupq_n_s32(0), 0)
  int32x4_t c00 = BIAS(0), c01 = BIAS(1), c02 = BIAS(2), c03 = BIAS(3), c04 = BIAS(4), c05 = BIAS(5), c06 = BIAS(6);
  int32x4_t c07 = BIAS(7);
#undef BIAS
  int32x4_t c10 = c00, c11 = c01, c12 = c02, c13 = c03, c14 = c04, c15 = c05, c16 = c06, c17 = c07;
  const int8_t* w = wblock;
// 16 bytes of channel n against the 16 input bytes x0 (pixel 0) and x1 (pixel 1).
#define MAC16(n)                                                                                       \
  {                                                                                                    \
    const int8x16_t wv = vld1q_s8(w + 16 * n);                                                         \
    if (exact) {                                                                                       \
      c0##n = vpadalq_s16(vpadalq_s16(c0##n, vmull_s8(vget_low_s8(x0), vget_low_s8(wv))), vmull_high_s8(x0, wv)); \
      c1##n = vpadalq_s16(vpadalq_s16(c1##n, vmull_s8(vget_low_s8(x1), vget_low_s8(wv))), vmull_high_s8(x1, wv)); \
    } else {                                                                                           \
      c0##n = vpadalq_s16(c0##n, vmlal_high_s8(vmull_s8(vget_low_s8(x0), vget_low_s8(wv)), x0, wv));   \
      c1##n = vpadalq_s16(c1##n, vmlal_high_s8(vmull_s8(vget_low_s8(x1), vget_low_s8(wv)), x1, wv));   \
    }                                                                                                  \
  }
// Register pressure: an empty asm that "updates" x0, x1 from channels n, m's accumulators makes
// the next channels' products wait for these SADALPs. Otherwise clang computes all 16 products
// first (16 + 16 live vectors) and spills accumulators. Out-of-order cores lose nothing.
#define CHAIN(n, m) __asm__("" : "+w"(x0), "+w"(x1) : "w"(c0##n), "w"(c1##n), "w"(c0##m), "w"(c1##m));
#define MAC16_ALL MAC16(0) MAC16(1) CHAIN(0, 1) MAC16(2) MAC16(3) CHAIN(2, 3) MAC16(4) MAC16(5) CHAIN(4, 5) MAC16(6) MAC16(7) w += 128;
  for (int t = 0; t < taps; ++t) {
    const int8_t *a0 = r0[t] + goff, *a1 = r1[t] + goff;
    int c = 0;
    for (; c + 16 <= direct16; c += 16) {
      int8x16_t x0 = vld1q_s8(a0 + c), x1 = vld1q_s8(a1 + c);
      MAC16_ALL
    }
    if (!tails) continue;  // cg is a multiple of 16: every chunk was a direct load
    if (c < full) {  // the last 16-chunk, reaching 4–7 bytes past cg
      int8x16_t x0 = octk_neon_load_s8x16_words(a0 + c, cg - c), x1 = octk_neon_load_s8x16_words(a1 + c, cg - c);
      MAC16_ALL
      c += 16;
    }
    if (c < kpad) {  // 8-chunk: channel pairs n, n+1 per weight vector, low and high halves
      const int8x8_t x0 = octk_neon_load_s8x8_words(a0 + c, cg - c), x1 = octk_neon_load_s8x8_words(a1 + c, cg - c);
#define MAC8(n, m)                                                                                   \
  {                                                                                                  \
    const int8x16_t wv = vld1q_s8(w + 8 * n);                                                        \
    c0##n = vpadalq_s16(c0##n, vmull_s8(x0, vget_low_s8(wv)));                                       \
    c0##m = vpadalq_s16(c0##m, vmull_s8(x0, vget_high_s8(wv)));                                      \
    c1##n = vpadalq_s16(c1##n, vmull_s8(x1, vget_low_s8(wv)));                                       \
    c1##m = vpadalq_s16(c1##m, vmull_s8(x1, vget_high_s8(wv)));                                      \
  }
      MAC8(0, 1) MAC8(2, 3) MAC8(4, 5) MAC8(6, 7)
#undef MAC8
      w += 64;
    }
  }
#undef MAC16_ALL
#undef CHAIN
#undef MAC16
  s[0] = vpaddq_s32(vpaddq_s32(c00, c01), vpaddq_s32(c02, c03));
  s[1] = vpaddq_s32(vpaddq_s32(c04, c05), vpaddq_s32(c06, c07));
  s[2] = vpaddq_s32(vpaddq_s32(c10, c11), vpaddq_s32(c12, c13));
  s[3] = vpaddq_s32(vpaddq_s32(c14, c15), vpaddq_s32(c16, c17));
}

void octk_qs8_igemm_2x8c16__neon_mlal(const octk_qs8_conv_packed* packed, const int8_t* const* ind, size_t pixel_begin,
                                      size_t pixel_end, int32_t output_zero_point, int32_t lo, int32_t hi, int8_t* y) {
  // A local copy: the int8 stores could alias *packed, so its fields would be reloaded per tile.
  const octk_qs8_conv_packed q = *packed, *p = &q;
  const size_t out_channels = (size_t)p->out_stride;
  const int taps = p->taps, cg = p->cg, kpad = (cg + 7) & ~7;
  const size_t block_bytes = (size_t)taps * kpad * NR;
  int32_t flags;
  memcpy(&flags, p->weights, sizeof flags);
  const int exact = (flags & OCTK_ARM_PACK_PAIR_OVERFLOW) != 0, tails = cg % 16 != 0;
  const int8_t* weights = p->weights + OCTK_ARM_PACK_HEADER;
  const octk_neon_out out = octk_neon_out_make(output_zero_point, lo, hi);
  for (int g = 0; g < p->groups; ++g) {
    const size_t goff = (size_t)g * cg;
    for (int b = 0; b < p->blocks; ++b) {
      const size_t pb = (size_t)g * p->blocks + b;
      const int8_t* wblock = weights + pb * block_bytes;
      const int32_t* bias = p->bias + pb * NR;
      const float* scale = p->scale + pb * NR;
      const int valid = p->og - b * NR;
      int8_t* dst = y + pixel_begin * out_channels + (size_t)g * p->og + (size_t)b * NR;
      for (size_t p0 = pixel_begin; p0 < pixel_end; p0 += MR, dst += MR * out_channels) {
        const int rows = pixel_end - p0 < MR ? (int)(pixel_end - p0) : MR;
        const int8_t* const* r0 = ind + p0 * taps;
        const int8_t* const* r1 = r0 + (rows > 1 ? (size_t)taps : 0);
        int32x4_t s[4];
        if (exact)
          tile(r0, r1, taps, cg, goff, wblock, bias, 1, 1, s);
        else if (tails)
          tile(r0, r1, taps, cg, goff, wblock, bias, 0, 1, s);
        else
          tile(r0, r1, taps, cg, goff, wblock, bias, 0, 0, s);
        float32x4_t sc[4];  // both rows' 8 channels in one 16-lane requantization
        sc[0] = sc[2] = vld1q_f32(scale);
        sc[1] = sc[3] = vld1q_f32(scale + 4);
        const int8x16_t y01 = octk_neon_requant_s8x16(s[0], s[1], s[2], s[3], sc, &out);
        if (rows == MR && valid >= NR) {  // a whole tile: one test, plain stores
          vst1q_lane_s64((int64_t*)(void*)dst, vreinterpretq_s64_s8(y01), 0);
          vst1q_lane_s64((int64_t*)(void*)(dst + out_channels), vreinterpretq_s64_s8(y01), 1);
        } else {
          octk_neon_store_s8x8(dst, vget_low_s8(y01), valid);
          if (rows > 1) octk_neon_store_s8x8(dst + out_channels, vget_high_s8(y01), valid);
        }
      }
    }
  }
}
#endif
