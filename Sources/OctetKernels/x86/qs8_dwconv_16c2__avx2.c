// Depthwise int8 conv, 16 channels per step (AVX2, 16c2s16 packing): per pair of taps, two
// 16-byte loads sign-extended to int16 (vpmovsxbw), interleaved channel by channel
// (vpunpck{l,h}wd) and multiplied by the (w[t], w[t+1]) pairs with two vpmaddwd, accumulated
// in int32 (split order, see qs8_requant_avx2.h). An odd last tap pairs with 0. Reads 16-byte
// channel groups: at most 15 bytes past a pixel's last channel. Pixels outside, channel blocks
// inside: a pixel's input rows are read once, in order; each block's bias and scales were
// put in split order at packing time (octk_qs8_dw_block_avx2).
#if defined(__x86_64__)
#include "octk_qs8_avx2.h"
#include "qs8_dwconv_avx2.h"

#define NR OCTK_QS8_DW_NR

OCTK_AVX2_TARGET static inline __m256i load16(const int8_t* x) {
  return _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i*)(const void*)x));
}

OCTK_AVX2_TARGET void octk_qs8_dwconv_16c2__avx2(const octk_qs8_dwconv_packed* p, const int8_t* const* ind,
                                                 size_t pixel_begin, size_t pixel_end, int32_t output_zero_point,
                                                 int32_t lo, int32_t hi, int8_t* y) {
  const int taps = p->taps, channels = p->channels;
  const octk_qs8_dw_block_avx2* blocks = octk_qs8_dw_avx2_blocks(p->weights, channels, taps);
  const __m256i vz = _mm256_set1_epi16((int16_t)output_zero_point), vlo = _mm256_set1_epi16((int16_t)lo);
  const __m256 vhi = _mm256_set1_ps((float)(hi - output_zero_point));
  for (size_t px = pixel_begin; px < pixel_end; ++px) {
    const int8_t* const* rows = ind + px * taps;
    const __m256i* w = p->weights;  // [blocks][pairs][2]
    for (int b = 0; b < p->blocks; ++b) {
      const int c0 = b * NR;
      __m256i acc_lo = blocks[b].bias_lo, acc_hi = blocks[b].bias_hi;
      int t = 0;
      for (; t + 1 < taps; t += 2, w += 2) {
        const __m256i x0 = load16(rows[t] + c0), x1 = load16(rows[t + 1] + c0);
        acc_lo = _mm256_add_epi32(acc_lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(x0, x1), w[0]));
        acc_hi = _mm256_add_epi32(acc_hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(x0, x1), w[1]));
      }
      if (t < taps) {
        const __m256i x0 = load16(rows[t] + c0), x1 = _mm256_setzero_si256();
        acc_lo = _mm256_add_epi32(acc_lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(x0, x1), w[0]));
        acc_hi = _mm256_add_epi32(acc_hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(x0, x1), w[1]));
        w += 2;
      }
      const __m256i r_lo = octk_requant_hi_avx2(acc_lo, blocks[b].scale_lo, vhi);
      const __m256i r_hi = octk_requant_hi_avx2(acc_hi, blocks[b].scale_hi, vhi);
      octk_store_s8_avx2(y + px * channels + c0, octk_requant_output_avx2(r_lo, r_hi, vz, vlo),
                         channels - c0 < NR ? channels - c0 : NR);
    }
  }
}
#endif
