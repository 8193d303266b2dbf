// Indirect-GEMM int8 conv, 4 output pixels × 16 output channels per tile, SMMLA (16c8
// packing). One SMMLA multiplies a 2-pixel × 8-byte row pair (left operand) by a 2-channel ×
// 8-byte pair (right operand) into a 2×2 int32 block [p0c0, p0c1, p1c0, p1c1]: the tile is
// 2 pixel pairs × 8 channel pairs = 16 accumulators. Per 16 input channels: one 16-byte load
// per pixel, zipped into the pairs' k 0–7 and k 8–15 operands, 16 weight vectors, 32 SMMLA.
// Left over: 8-byte steps, the last one read as whole 4-byte words (≤ 3 bytes past the group,
// weights 0 there). The accumulators start at the bias; the store unzips the 2×2 blocks into
// pixel rows and requantizes them in binary32, clamped after the conversion (qs8_requant_neon.h).
#if defined(__aarch64__)
#include "octk_qs8_arm.h"
#include "qs8_requant_neon.h"

#define MR 4
#define NR 16

// Pixel rows 2i (zip1) and 2i+1 (zip2) of channel pairs j, j+1 as 4 channels.
#define ZIP1(a, b) vreinterpretq_s32_s64(vzip1q_s64(vreinterpretq_s64_s32(a), vreinterpretq_s64_s32(b)))
#define ZIP2(a, b) vreinterpretq_s32_s64(vzip2q_s64(vreinterpretq_s64_s32(a), vreinterpretq_s64_s32(b)))
#define ZIP1_S8(a, b) vreinterpretq_s8_s64(vzip1q_s64(vreinterpretq_s64_s8(a), vreinterpretq_s64_s8(b)))
#define ZIP2_S8(a, b) vreinterpretq_s8_s64(vzip2q_s64(vreinterpretq_s64_s8(a), vreinterpretq_s64_s8(b)))

OCTK_NEONI8MM_TARGET void octk_qs8_igemm_4x16c8__neoni8mm(const octk_qs8_conv_packed* packed, const int8_t* const* ind,
                                                          size_t pixel_begin, size_t pixel_end, int32_t output_zero_point,
                                                          int32_t lo, int32_t hi, int8_t* y) {
  // A local copy: the int8 stores could alias *packed, so its fields would be reloaded per tile.
  const octk_qs8_conv_packed q = *packed, *p = &q;
  const size_t out_channels = (size_t)p->out_stride;
  const int taps = p->taps, cg = p->cg, kpad = (cg + 7) & ~7;
  // 16-byte steps load directly while they end within 3 bytes past cg.
  const int direct16 = kpad < cg + 3 ? kpad : cg + 3;
  const size_t block_bytes = (size_t)taps * kpad * NR;
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
      for (size_t p0 = pixel_begin; p0 < pixel_end; p0 += MR) {
        const int rows = pixel_end - p0 < MR ? (int)(pixel_end - p0) : MR;
        const int8_t* const* r0 = ind + p0 * taps;
        const int8_t* const* r1 = r0 + (rows > 1 ? 1 : 0) * (size_t)taps;
        const int8_t* const* r2 = r0 + (rows > 2 ? 2 : rows - 1) * (size_t)taps;
        const int8_t* const* r3 = r0 + (rows > 3 ? 3 : rows - 1) * (size_t)taps;
        // cPJ: pixel pair P (pixels 2P, 2P+1) × channel pair J (channels 2J, 2J+1).
        // They start at the bias: [b2J, b2J+1] in both pixel rows of the block.
#define BIAS2(j) octk_neon_dup_s32x2(bias + 2 * (j))
        int32x4_t c00 = BIAS2(0), c01 = BIAS2(1), c02 = BIAS2(2), c03 = BIAS2(3), c04 = BIAS2(4), c05 = BIAS2(5);
        int32x4_t c06 = BIAS2(6), c07 = BIAS2(7);
#undef BIAS2
        int32x4_t c10 = c00, c11 = c01, c12 = c02, c13 = c03, c14 = c04, c15 = c05, c16 = c06, c17 = c07;
        const int8_t* w = wblock;
#define STEP(x01, x23)                                                                                  \
  {                                                                                                     \
    int8x16_t wv;                                                                                       \
    wv = vld1q_s8(w);       c00 = vmmlaq_s32(c00, x01, wv); c10 = vmmlaq_s32(c10, x23, wv);            \
    wv = vld1q_s8(w + 16);  c01 = vmmlaq_s32(c01, x01, wv); c11 = vmmlaq_s32(c11, x23, wv);            \
    wv = vld1q_s8(w + 32);  c02 = vmmlaq_s32(c02, x01, wv); c12 = vmmlaq_s32(c12, x23, wv);            \
    wv = vld1q_s8(w + 48);  c03 = vmmlaq_s32(c03, x01, wv); c13 = vmmlaq_s32(c13, x23, wv);            \
    wv = vld1q_s8(w + 64);  c04 = vmmlaq_s32(c04, x01, wv); c14 = vmmlaq_s32(c14, x23, wv);            \
    wv = vld1q_s8(w + 80);  c05 = vmmlaq_s32(c05, x01, wv); c15 = vmmlaq_s32(c15, x23, wv);            \
    wv = vld1q_s8(w + 96);  c06 = vmmlaq_s32(c06, x01, wv); c16 = vmmlaq_s32(c16, x23, wv);            \
    wv = vld1q_s8(w + 112); c07 = vmmlaq_s32(c07, x01, wv); c17 = vmmlaq_s32(c17, x23, wv);            \
    w += 128;                                                                                           \
  }
        for (int t = 0; t < taps; ++t) {
          const int8_t *a0 = r0[t] + goff, *a1 = r1[t] + goff, *a2 = r2[t] + goff, *a3 = r3[t] + goff;
          int c = 0;
          for (; c + 16 <= direct16; c += 16) {
            const int8x16_t x0 = vld1q_s8(a0 + c), x1 = vld1q_s8(a1 + c), x2 = vld1q_s8(a2 + c), x3 = vld1q_s8(a3 + c);
            const int8x16_t lo01 = ZIP1_S8(x0, x1), lo23 = ZIP1_S8(x2, x3);
            const int8x16_t hi01 = ZIP2_S8(x0, x1), hi23 = ZIP2_S8(x2, x3);
            STEP(lo01, lo23)
            STEP(hi01, hi23)
          }
          for (; c < kpad; c += 8) {  // at most two 8-byte steps
            const int n = cg - c;
            const int8x16_t x01 = vcombine_s8(octk_neon_load_s8x8_words(a0 + c, n), octk_neon_load_s8x8_words(a1 + c, n));
            const int8x16_t x23 = vcombine_s8(octk_neon_load_s8x8_words(a2 + c, n), octk_neon_load_s8x8_words(a3 + c, n));
            STEP(x01, x23)
          }
        }
#undef STEP
        int8_t* dst = y + p0 * out_channels + (size_t)g * p->og + (size_t)b * NR;
        float32x4_t sc[4];
        octk_neon_scale16_load(scale, sc);
#define ROW(Z, P) \
  octk_neon_requant_s8x16(Z(c##P##0, c##P##1), Z(c##P##2, c##P##3), Z(c##P##4, c##P##5), Z(c##P##6, c##P##7), sc, &out)
#define STORE(r, Z, P) \
  if (r < rows) octk_neon_store_s8x16(dst + r * out_channels, ROW(Z, P), valid);
        if (rows == MR && valid >= NR) {  // a whole tile: one test, plain stores
          vst1q_s8(dst, ROW(ZIP1, 0));
          vst1q_s8(dst + out_channels, ROW(ZIP2, 0));
          vst1q_s8(dst + 2 * out_channels, ROW(ZIP1, 1));
          vst1q_s8(dst + 3 * out_channels, ROW(ZIP2, 1));
        } else {
          STORE(0, ZIP1, 0) STORE(1, ZIP2, 0) STORE(2, ZIP1, 1) STORE(3, ZIP2, 1)
        }
#undef STORE
#undef ROW
      }
    }
  }
}
#endif
