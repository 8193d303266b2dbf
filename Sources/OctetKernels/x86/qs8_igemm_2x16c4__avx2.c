// Indirect-GEMM int8 conv, 2 output pixels × 16 output channels per tile (AVX2, 16c4s16
// packing): per 4 input channels, four 32-byte int16 weight loads and, per pixel, one 4-byte
// broadcast sign-extended to int16 (vpmovsxbw) feeding four vpmaddwd. Products are int16 ×
// int16 → int32 pair sums (|x·w| ≤ 128·127: nothing saturates), accumulated in 8 ymm of int32
// (14 registers in the loop: no spills); one vphaddd per accumulator pair at the end. The
// tile is vpmaddwd-bound (2 per cycle on current cores: 32 MACs per cycle). Reads 4-byte input
// groups: at most 3 bytes past a pixel's last channel (weight 0 there).
#if defined(__x86_64__)
#include "octk_qs8_avx2.h"
#include "qs8_requant_avx2.h"

#define MR 2
#define NR OCTK_QS8_16C4S16_NR
#define LOAD(ptr, i) _mm256_load_si256((const __m256i*)(const void*)(ptr) + (i))

/// Input channels a[0..3] sign-extended to int16 and repeated 4 times. vbroadcastss is a pure
/// load (its intrinsic reads through a may_alias type, unaligned).
OCTK_AVX2_TARGET static inline __m256i broadcast4(const int8_t* a) {
  return _mm256_cvtepi8_epi16(_mm_castps_si128(_mm_broadcast_ss((const float*)(const void*)a)));
}

OCTK_AVX2_TARGET void octk_qs8_igemm_2x16c4__avx2(const octk_qs8_conv_packed* p, const int8_t* const* ind,
                                                  size_t pixel_begin, size_t pixel_end, int32_t output_zero_point,
                                                  int32_t lo, int32_t hi, int8_t* y) {
  const size_t out_channels = (size_t)p->out_stride;
  const int taps = p->taps, cg4 = p->cg4;
  const __m256i vz = _mm256_set1_epi16((int16_t)output_zero_point), vlo = _mm256_set1_epi16((int16_t)lo);
  const __m256 vhi = _mm256_set1_ps((float)(hi - output_zero_point));
  const size_t block = (size_t)taps * cg4 * NR;  // weight elements per block
  const size_t last_block = (size_t)p->groups * p->blocks - 1;
  for (int g = 0; g < p->groups; ++g) {
    const size_t goff = (size_t)g * p->cg;
    for (int b = 0; b < p->blocks; ++b) {
      const size_t pb = (size_t)g * p->blocks + b;
      const int16_t* wblock = (const int16_t*)(const void*)p->weights + pb * block;
      const int valid = p->og - b * NR < NR ? p->og - b * NR : NR;  // channels of this block inside og
      // Bias and scales in the split order of the epilogue.
      const octk_requant_split16_avx2 k = octk_requant_split16_avx2_load(p->bias + pb * NR, p->scale + pb * NR);
      for (size_t p0 = pixel_begin; p0 < pixel_end; p0 += MR) {
        const int rows = pixel_end - p0 < MR ? (int)(pixel_end - p0) : MR;
        // The first tile of a block prefetches the next block's weights into L2 (as the AVX-512 kernel).
        const int prefetch = p0 == pixel_begin && pb < last_block;
        // Named accumulators (an indexed array would be kept in memory).
        __m256i c00 = _mm256_setzero_si256(), c01 = c00, c02 = c00, c03 = c00;
        __m256i c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        const int16_t* w = wblock;
        const int8_t* const* row0 = ind + p0 * taps;
        // A missing second row repeats the first pixel's addresses (computed, never stored).
        const int8_t* const* row1 = rows > 1 ? row0 + taps : row0;
        for (int t = 0; t < taps; ++t) {
          const int8_t *a0 = row0[t] + goff, *a1 = row1[t] + goff;
          for (int c = 0; c < cg4; c += OCTK_QS8_16C4S16_KR) {
            if (prefetch) {
              _mm_prefetch((const char*)(w + block), _MM_HINT_T1);
              _mm_prefetch((const char*)(w + block) + 64, _MM_HINT_T1);
            }
            const __m256i w0 = LOAD(w, 0), w1 = LOAD(w, 1), w2 = LOAD(w, 2), w3 = LOAD(w, 3);
            w += NR * OCTK_QS8_16C4S16_KR;
            const __m256i x0 = broadcast4(a0 + c), x1 = broadcast4(a1 + c);
            c00 = _mm256_add_epi32(c00, _mm256_madd_epi16(x0, w0));
            c01 = _mm256_add_epi32(c01, _mm256_madd_epi16(x0, w1));
            c02 = _mm256_add_epi32(c02, _mm256_madd_epi16(x0, w2));
            c03 = _mm256_add_epi32(c03, _mm256_madd_epi16(x0, w3));
            c10 = _mm256_add_epi32(c10, _mm256_madd_epi16(x1, w0));
            c11 = _mm256_add_epi32(c11, _mm256_madd_epi16(x1, w1));
            c12 = _mm256_add_epi32(c12, _mm256_madd_epi16(x1, w2));
            c13 = _mm256_add_epi32(c13, _mm256_madd_epi16(x1, w3));
          }
        }
        int8_t* dst = y + p0 * out_channels + (size_t)g * p->og + (size_t)b * NR;
#define STORE(r)                                                                                                       \
  {                                                                                                                    \
    const __m256i r_lo = octk_requant_hi_avx2(_mm256_add_epi32(_mm256_hadd_epi32(c##r##0, c##r##1), k.bias_lo), k.scale_lo, vhi); \
    const __m256i r_hi = octk_requant_hi_avx2(_mm256_add_epi32(_mm256_hadd_epi32(c##r##2, c##r##3), k.bias_hi), k.scale_hi, vhi); \
    octk_store_s8_avx2(dst + r * out_channels, octk_requant_output_avx2(r_lo, r_hi, vz, vlo), valid);                  \
  }
        STORE(0)
        if (rows > 1) STORE(1)
#undef STORE
      }
    }
  }
}
#endif
