// Indirect-GEMM int8 conv, 4 output pixels × 16 output channels per tile, SDOT by lane (16c4
// packing): per 16 input channels, one 16-byte load per pixel and 16 weight vectors
// (4 k steps × 4 channel quads), 64 SDOT into 16 int32x4 accumulators. Input channels left
// over (cg mod 16) run in 4-byte steps; k steps past cg read up to 3 bytes past the group,
// whose weights are 0. Built by clang, the 16-channel loop is inline assembly (XNNPACK's
// shape: post-indexed loads, one down-count, 78 instructions per 1024 MACs); by GCC, C.
// The accumulators start at the bias; the binary32 requantization (qs8_requant_neon.h: SCVTF,
// FMUL by the channel's scale, FCVTNS, saturating narrows, + z_out, SMAX/SMIN) is fused into
// the store.
#if defined(__aarch64__)
#include "octk_qs8_arm.h"
#include "qs8_requant_neon.h"

#define MR 4
#define NR 16

/// One tile: pixel rows r0…r3 (repeats of the last row past `rows`), 16 channels of block
/// wblock/bias/scale, stored at dst. `full` (MR rows and NR valid channels) is a constant at
/// each call: whole tiles store without tests.
static inline __attribute__((always_inline)) OCTK_NEONDOT_TARGET void tile(
    const int8_t* const* r0, const int8_t* const* r1, const int8_t* const* r2, const int8_t* const* r3, int rows,
    int full, int taps, int kpad, size_t goff, const int8_t* wblock, const int32_t* bias, const float* scale,
    const octk_neon_out* outp, int8_t* dst, size_t out_channels, int valid) {
  const octk_neon_out out = *outp;
  // Accumulators start at the bias (one load per 4 channels, copied to the other rows).
  int32x4_t c00 = vld1q_s32(bias), c01 = vld1q_s32(bias + 4), c02 = vld1q_s32(bias + 8), c03 = vld1q_s32(bias + 12);
  int32x4_t c10 = c00, c11 = c01, c12 = c02, c13 = c03, c20 = c00, c21 = c01, c22 = c02, c23 = c03;
  int32x4_t c30 = c00, c31 = c01, c32 = c02, c33 = c03;
  const int8_t* w = wblock;
  for (int t = 0; t < taps; ++t) {
    const int8_t *a0 = r0[t] + goff, *a1 = r1[t] + goff, *a2 = r2[t] + goff, *a3 = r3[t] + goff;
#if defined(__clang__)
    int c = kpad & ~15;
    if (c) {
      // The 16-byte chunks, as XNNPACK's loop: post-indexed loads and one down-count (the C
      // loop costs two more instructions per 256 MACs). x in v0–v3, weights in v4–v7.
      // GCC allows at most 30 asm operands (these are 44): it compiles the C loop instead.
      size_t n = (size_t)c / 16;
      __asm__ volatile(
          ".arch_extension dotprod\n"
          "1:\n"
          "ldr q0, [%[a0]], #16\n"
          "ldr q1, [%[a1]], #16\n"
          "ldr q2, [%[a2]], #16\n"
          "ldr q3, [%[a3]], #16\n"
#define OCTK_STEP(s)                                                                                  \
  "ldp q4, q5, [%[w]], #32\n"                                                                        \
  "ldp q6, q7, [%[w]], #32\n"                                                                        \
  "sdot %[c00].4s, v4.16b, v0.4b[" #s "]\n sdot %[c01].4s, v5.16b, v0.4b[" #s "]\n"                  \
  "sdot %[c02].4s, v6.16b, v0.4b[" #s "]\n sdot %[c03].4s, v7.16b, v0.4b[" #s "]\n"                  \
  "sdot %[c10].4s, v4.16b, v1.4b[" #s "]\n sdot %[c11].4s, v5.16b, v1.4b[" #s "]\n"                  \
  "sdot %[c12].4s, v6.16b, v1.4b[" #s "]\n sdot %[c13].4s, v7.16b, v1.4b[" #s "]\n"                  \
  "sdot %[c20].4s, v4.16b, v2.4b[" #s "]\n sdot %[c21].4s, v5.16b, v2.4b[" #s "]\n"                  \
  "sdot %[c22].4s, v6.16b, v2.4b[" #s "]\n sdot %[c23].4s, v7.16b, v2.4b[" #s "]\n"                  \
  "sdot %[c30].4s, v4.16b, v3.4b[" #s "]\n sdot %[c31].4s, v5.16b, v3.4b[" #s "]\n"                  \
  "sdot %[c32].4s, v6.16b, v3.4b[" #s "]\n sdot %[c33].4s, v7.16b, v3.4b[" #s "]\n"
          OCTK_STEP(0) OCTK_STEP(1) OCTK_STEP(2) OCTK_STEP(3)
#undef OCTK_STEP
          "subs %[n], %[n], #1\n"
          "b.ne 1b\n"
          : [c00] "+w"(c00), [c01] "+w"(c01), [c02] "+w"(c02), [c03] "+w"(c03), [c10] "+w"(c10),
            [c11] "+w"(c11), [c12] "+w"(c12), [c13] "+w"(c13), [c20] "+w"(c20), [c21] "+w"(c21),
            [c22] "+w"(c22), [c23] "+w"(c23), [c30] "+w"(c30), [c31] "+w"(c31), [c32] "+w"(c32),
            [c33] "+w"(c33), [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [w] "+r"(w),
            [n] "+r"(n)
          :
          : "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "cc", "memory");
    }
#else
    int c = 0;
    for (; c + 16 <= kpad; c += 16) {
      const int8x16_t x0 = vld1q_s8(a0), x1 = vld1q_s8(a1), x2 = vld1q_s8(a2), x3 = vld1q_s8(a3);
      a0 += 16, a1 += 16, a2 += 16, a3 += 16;
#define STEP(s)                                                                                   \
  {                                                                                               \
const int8x16_t w0 = vld1q_s8(w), w1 = vld1q_s8(w + 16), w2 = vld1q_s8(w + 32), w3 = vld1q_s8(w + 48); \
w += 64;                                                                                      \
c00 = vdotq_laneq_s32(c00, w0, x0, s); c01 = vdotq_laneq_s32(c01, w1, x0, s);                \
c02 = vdotq_laneq_s32(c02, w2, x0, s); c03 = vdotq_laneq_s32(c03, w3, x0, s);                \
c10 = vdotq_laneq_s32(c10, w0, x1, s); c11 = vdotq_laneq_s32(c11, w1, x1, s);                \
c12 = vdotq_laneq_s32(c12, w2, x1, s); c13 = vdotq_laneq_s32(c13, w3, x1, s);                \
c20 = vdotq_laneq_s32(c20, w0, x2, s); c21 = vdotq_laneq_s32(c21, w1, x2, s);                \
c22 = vdotq_laneq_s32(c22, w2, x2, s); c23 = vdotq_laneq_s32(c23, w3, x2, s);                \
c30 = vdotq_laneq_s32(c30, w0, x3, s); c31 = vdotq_laneq_s32(c31, w1, x3, s);                \
c32 = vdotq_laneq_s32(c32, w2, x3, s); c33 = vdotq_laneq_s32(c33, w3, x3, s);                \
  }
      STEP(0) OCTK_NEON_BARRIER(); STEP(1) OCTK_NEON_BARRIER(); STEP(2) OCTK_NEON_BARRIER(); STEP(3)
#undef STEP
    }
#endif
    for (; c < kpad; c += 4) {  // a0…a3 point at byte c of their pixels
      const int8x16_t x0 = octk_neon_dup_s8x4(a0), x1 = octk_neon_dup_s8x4(a1);
      const int8x16_t x2 = octk_neon_dup_s8x4(a2), x3 = octk_neon_dup_s8x4(a3);
      a0 += 4, a1 += 4, a2 += 4, a3 += 4;
      const int8x16_t w0 = vld1q_s8(w), w1 = vld1q_s8(w + 16), w2 = vld1q_s8(w + 32), w3 = vld1q_s8(w + 48);
      w += 64;
      c00 = vdotq_s32(c00, w0, x0); c01 = vdotq_s32(c01, w1, x0); c02 = vdotq_s32(c02, w2, x0); c03 = vdotq_s32(c03, w3, x0);
      c10 = vdotq_s32(c10, w0, x1); c11 = vdotq_s32(c11, w1, x1); c12 = vdotq_s32(c12, w2, x1); c13 = vdotq_s32(c13, w3, x1);
      c20 = vdotq_s32(c20, w0, x2); c21 = vdotq_s32(c21, w1, x2); c22 = vdotq_s32(c22, w2, x2); c23 = vdotq_s32(c23, w3, x2);
      c30 = vdotq_s32(c30, w0, x3); c31 = vdotq_s32(c31, w1, x3); c32 = vdotq_s32(c32, w2, x3); c33 = vdotq_s32(c33, w3, x3);
    }
  }
  float32x4_t sc[4];
  octk_neon_scale16_load(scale, sc);
#define ROW(r) octk_neon_requant_s8x16(c##r##0, c##r##1, c##r##2, c##r##3, sc, &out)
#define STORE(r) \
  if (r < rows) octk_neon_store_s8x16(dst + r * out_channels, ROW(r), valid);
  if (full) {  // MR rows, NR channels: plain stores
    vst1q_s8(dst, ROW(0));
    vst1q_s8(dst + out_channels, ROW(1));
    vst1q_s8(dst + 2 * out_channels, ROW(2));
    vst1q_s8(dst + 3 * out_channels, ROW(3));
  } else {
    STORE(0) STORE(1) STORE(2) STORE(3)
  }
#undef STORE
#undef ROW
}

OCTK_NEONDOT_TARGET void octk_qs8_igemm_4x16c4__neondot(const octk_qs8_conv_packed* packed, const int8_t* const* ind,
                                                        size_t pixel_begin, size_t pixel_end, int32_t output_zero_point,
                                                        int32_t lo, int32_t hi, int8_t* y) {
  // A local copy: the int8 stores could alias *packed, so its fields would be reloaded per tile.
  const octk_qs8_conv_packed q = *packed, *p = &q;
  const size_t out_channels = (size_t)p->out_stride;
  const int taps = p->taps, cg = p->cg, kpad = (cg + 3) & ~3;
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
      const int valid = p->og - b * NR;  // channels of this block inside og
      int8_t* dst = y + pixel_begin * out_channels + (size_t)g * p->og + (size_t)b * NR;
      const int8_t* const* r0 = ind + pixel_begin * taps;
      size_t p0 = pixel_begin;
      if (valid >= NR) {  // whole tiles; goff is a constant 0 in ungrouped convs (no pointer adds)
        if (p->groups == 1) {
          for (; p0 + MR <= pixel_end; p0 += MR, dst += MR * out_channels, r0 += MR * (size_t)taps)
            tile(r0, r0 + taps, r0 + 2 * taps, r0 + 3 * taps, MR, 1, taps, kpad, 0, wblock, bias, scale, &out, dst,
                 out_channels, valid);
        } else {
          for (; p0 + MR <= pixel_end; p0 += MR, dst += MR * out_channels, r0 += MR * (size_t)taps)
            tile(r0, r0 + taps, r0 + 2 * taps, r0 + 3 * taps, MR, 1, taps, kpad, goff, wblock, bias, scale, &out, dst,
                 out_channels, valid);
        }
      }
      for (; p0 < pixel_end; p0 += MR, dst += MR * out_channels, r0 += MR * (size_t)taps) {
        const int rows = pixel_end - p0 < MR ? (int)(pixel_end - p0) : MR;
        // Rows past the end repeat the last pixel's addresses (computed, never stored).
        const int8_t* const* r3 = r0 + (rows - 1) * (size_t)taps;
        const int8_t* const* r2 = rows > 2 ? r0 + 2 * taps : r3;
        const int8_t* const* r1 = rows > 1 ? r0 + taps : r3;
        tile(r0, r1, r2, r3, rows, 0, taps, kpad, goff, wblock, bias, scale, &out, dst, out_channels, valid);
      }
    }
  }
}
#endif
