// Indirect-GEMM int8 conv for 7-bit weights, 4 output pixels × 16 output channels per tile,
// plain AVX2 (no VNNI): layout 16c4u8, as octk_qs8_igemm_4x16c4__avxvnni (per 4 input
// channels, 16 channels × 4 int8 weights = two 32-byte vectors, channels 0–7 and 8–15).
//
// Precondition: every weight is in [−63, 63] (its config row's max_weight; the runtime picks
// the row from the weight bytes the verifier measured, never from metadata). Per pixel and
// step, one 4-byte broadcast of the inputs, which the caller flipped to unsigned (u = x ^ 0x80
// = x + 128 in [0, 255], folded into the packed bias as in the data path of octk_qs8_conv.h),
// feeds per 8 channels:
//   vpmaddubsw: u8 × s8 products, adjacent pairs summed in int16 with saturation — exact here,
//               |u·w + u'·w'| ≤ 2·255·63 = 32130 < 2^15;
//   vpmaddwd with int16 ones: the two pair sums of each channel added into int32 (exact);
//   vpaddd into the accumulator.
// So each int32 lane gets exactly vpdpbusd's 4-product sum, and the kernel equals the VNNI one
// bit for bit. (A weight of ±65 or more could saturate the int16 pair: such ops run the path's
// other row.) 8 accumulators (started at the packed bias) + 2 weight vectors + the broadcast +
// the ones + one product: 13 of 16 ymm. Sums wrap in int32 as the reference's
// exact total fits (the spec's guarantee). Reads 4-byte input groups: at most 3 bytes past a
// pixel's last channel (weight 0 there). The epilogue is the AVX2 path's binary32
// requantization (qs8_requant_avx2.h) in natural lane order.
#if defined(__x86_64__)
#include "octk_qs8_avx2.h"
#include "qs8_requant_avx2.h"

#define MR 4
#define NR 16
#define LOAD(ptr, i) _mm256_load_si256((const __m256i*)(const void*)(ptr) + (i))

/// Input channels a[0..3] as a dword broadcast over the register (vpbroadcastd from memory).
OCTK_AVX2_TARGET static inline __m256i broadcast4(const int8_t* a) {
  return _mm256_castps_si256(_mm256_broadcast_ss((const float*)(const void*)a));
}

/// acc + the 4-product sums of u (unsigned bytes) and w (weights in [−63, 63]) per int32 lane.
OCTK_AVX2_TARGET static inline __m256i dot4(__m256i acc, __m256i u, __m256i w, __m256i ones) {
  return _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(u, w), ones));
}

OCTK_AVX2_TARGET void octk_qs8_igemm_4x16c4__avx2_madd7(const octk_qs8_conv_packed* p, const int8_t* const* ind,
                                                        size_t pixel_begin, size_t pixel_end, int32_t output_zero_point,
                                                        int32_t lo, int32_t hi, int8_t* y) {
  const size_t out_channels = (size_t)p->out_stride;
  const int taps = p->taps, cg4 = p->cg4;
  const __m256i ones = _mm256_set1_epi16(1);
  const __m256i vz = _mm256_set1_epi16((int16_t)output_zero_point), vlo = _mm256_set1_epi16((int16_t)lo);
  const __m256 vhi = _mm256_set1_ps((float)(hi - output_zero_point));
  const size_t block = (size_t)taps * cg4 * NR;  // weight elements per block
  const size_t last_block = (size_t)p->groups * p->blocks - 1;
  for (int g = 0; g < p->groups; ++g) {
    const size_t goff = (size_t)g * p->cg;
    for (int b = 0; b < p->blocks; ++b) {
      const size_t pb = (size_t)g * p->blocks + b;
      const int8_t* wblock = p->weights + pb * block;
      const int valid = p->og - b * NR < NR ? p->og - b * NR : NR;  // channels of this block inside og
      // Bias and scales of channels 0–7 and 8–15; the accumulators start at the bias.
      const __m256i b0 = LOAD(p->bias + pb * NR, 0), b1 = LOAD(p->bias + pb * NR, 1);
      const __m256 s0 = _mm256_load_ps(p->scale + pb * NR), s1 = _mm256_load_ps(p->scale + pb * NR + 8);
      for (size_t p0 = pixel_begin; p0 < pixel_end; p0 += MR) {
        const int rows = pixel_end - p0 < MR ? (int)(pixel_end - p0) : MR;
        // The first tile of a block prefetches the next block's weights into L2 (as the AVX-512 kernel).
        const int prefetch = p0 == pixel_begin && pb < last_block;
        // Named accumulators (an indexed array would be kept in memory): cR0 channels 0–7, cR1 8–15.
        __m256i c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1, c30 = b0, c31 = b1;
        const int8_t* w = wblock;
        // Missing rows repeat the first pixel's addresses (computed, never stored).
        const int8_t* const* row0 = ind + p0 * taps;
        const int8_t* const* row1 = rows > 1 ? row0 + taps : row0;
        const int8_t* const* row2 = rows > 2 ? row0 + 2 * taps : row0;
        const int8_t* const* row3 = rows > 3 ? row0 + 3 * taps : row0;
        for (int t = 0; t < taps; ++t) {
          const int8_t *a0 = row0[t] + goff, *a1 = row1[t] + goff, *a2 = row2[t] + goff, *a3 = row3[t] + goff;
          for (int c = 0; c < cg4; c += 4) {
            if (prefetch) {
              _mm_prefetch((const char*)(w + block), _MM_HINT_T1);
            }
            const __m256i w0 = LOAD(w, 0), w1 = LOAD(w, 1);
            w += NR * 4;
            const __m256i u0 = broadcast4(a0 + c);
            c00 = dot4(c00, u0, w0, ones);
            c01 = dot4(c01, u0, w1, ones);
            const __m256i u1 = broadcast4(a1 + c);
            c10 = dot4(c10, u1, w0, ones);
            c11 = dot4(c11, u1, w1, ones);
            const __m256i u2 = broadcast4(a2 + c);
            c20 = dot4(c20, u2, w0, ones);
            c21 = dot4(c21, u2, w1, ones);
            const __m256i u3 = broadcast4(a3 + c);
            c30 = dot4(c30, u3, w0, ones);
            c31 = dot4(c31, u3, w1, ones);
          }
        }
        int8_t* dst = y + p0 * out_channels + (size_t)g * p->og + (size_t)b * NR;
#define STORE(r)                                                                                                          \
  {                                                                                                                       \
    const __m256i r0 = octk_requant_hi_avx2(c##r##0, s0, vhi), r1 = octk_requant_hi_avx2(c##r##1, s1, vhi);               \
    octk_store_s8_avx2(dst + r * out_channels, octk_requant_output_natural_avx2(r0, r1, vz, vlo), valid);                 \
  }
        STORE(0)
        if (rows > 1) STORE(1)
        if (rows > 2) STORE(2)
        if (rows > 3) STORE(3)
#undef STORE
      }
    }
  }
}
#endif
