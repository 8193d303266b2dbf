// The conv kernels' weight layouts (octk_qs8_conv.h): where (channel n, input channel k) of one
// tap of one block goes. Portable index arithmetic: every layout is defined on every target.
#include "octk_qs8_arm.h"
#include "octk_qs8_conv.h"

// "cN": [kpad / N steps][nr channels][N bytes] — 32c4 (VNNI), 16c4u8 (AVX-VNNI), 16c4 (SDOT), 16c8 (SMMLA: a step
// is 8 channel pairs × 2 channels × 8 bytes, the 2×8 right operand of one SMMLA per pair).
static size_t offset_c4(const octk_qs8_conv_layout* l, int n, int k, int kpad) {
  (void)kpad;
  return (size_t)(k >> 2) * l->nr * 4 + (size_t)n * 4 + (size_t)(k & 3);
}
static size_t offset_c8(const octk_qs8_conv_layout* l, int n, int k, int kpad) {
  (void)kpad;
  return (size_t)(k >> 3) * l->nr * 8 + (size_t)n * 8 + (size_t)(k & 7);
}

// 16c4s16 (AVX2, int16): a step of 4 input channels is [4 j][2 half][2 s][4 k] with channel
// n = 8·half + 2·j + s, so accumulator j holds channels (2j, 2j+1 | 8+2j, 9+2j), two partial
// sums each, and one vphaddd of accumulators (0, 1) and of (2, 3) gives the split order
// [0..3 | 8..11], [4..7 | 12..15] of x86/qs8_requant_avx2.h.
static size_t offset_16c4s16(const octk_qs8_conv_layout* l, int n, int k, int kpad) {
  (void)kpad;
  const int half = n / 8, j = (n % 8) / 2, s = n % 2;
  return (size_t)(k & ~3) * l->nr + (size_t)j * 16 + (size_t)half * 8 + (size_t)s * 4 + (size_t)(k & 3);
}

// 8c16 (SMULL/SMLAL): [kpad / 16][8][16], then [8][8] for the last 8 when kpad is 8 mod 16.
static size_t offset_8c16(const octk_qs8_conv_layout* l, int n, int k, int kpad) {
  (void)l;
  const int full = kpad & ~15;
  if (k < full) return (size_t)(k >> 4) * 128 + (size_t)n * 16 + (size_t)(k & 15);
  return (size_t)full * 8 + (size_t)n * 8 + (size_t)(k - full);
}


const octk_qs8_conv_layout octk_qs8_conv_layout_32c4 = {"32c4", 32, 4, 1, 128, 0, offset_c4, 0};
const octk_qs8_conv_layout octk_qs8_conv_layout_16c4u8 = {"16c4u8", 16, 4, 1, 128, 0, offset_c4, 0};
const octk_qs8_conv_layout octk_qs8_conv_layout_16c4s16 = {"16c4s16", 16, 4, 2, 0, 0, offset_16c4s16, 0};
const octk_qs8_conv_layout octk_qs8_conv_layout_16c4 = {"16c4", 16, 4, 1, 0, OCTK_ARM_PACK_HEADER, offset_c4, 0};
const octk_qs8_conv_layout octk_qs8_conv_layout_16c8 = {"16c8", 16, 8, 1, 0, OCTK_ARM_PACK_HEADER, offset_c8, 0};
const octk_qs8_conv_layout octk_qs8_conv_layout_8c16 = {"8c16", 8, 8, 1, 0, OCTK_ARM_PACK_HEADER, offset_8c16, OCTK_ARM_PACK_PAIR_OVERFLOW};
