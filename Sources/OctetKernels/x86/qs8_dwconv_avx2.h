// Internal layout shared by the AVX2 depthwise packing and kernel (octk_qs8_avx2.h): the
// packed weights section, then one octk_qs8_dw_block_avx2 per 16-channel block.
#ifndef OCTK_QS8_DWCONV_AVX2_H
#define OCTK_QS8_DWCONV_AVX2_H
#include <stddef.h>

#include "octk_qs8_dwconv.h"
#include "qs8_requant_avx2.h"

/// Bias' and scales of one block, in the split order of the accumulators (128 bytes).
typedef struct {
  __m256i bias_lo, bias_hi;
  __m256 scale_lo, scale_hi;
} octk_qs8_dw_block_avx2;

/// Bytes of the int16 weights section (before rounding to 64): per block and tap pair,
/// 16 channels × 2 taps.
static inline size_t octk_qs8_dw_avx2_weight_bytes(int channels, int taps) {
  const size_t blocks = ((size_t)channels + OCTK_QS8_DW_NR - 1) / OCTK_QS8_DW_NR;
  return blocks * (((size_t)taps + 1) / 2) * 2 * OCTK_QS8_DW_NR * sizeof(int16_t);
}

/// The block constants of a packed depthwise conv (they follow the weights, 64-byte aligned).
static inline const octk_qs8_dw_block_avx2* octk_qs8_dw_avx2_blocks(const void* weights, int channels, int taps) {
  return (const octk_qs8_dw_block_avx2*)(const void*)((const char*)weights +
                                                      (octk_qs8_dw_avx2_weight_bytes(channels, taps) + 63) / 64 * 64);
}
#endif
