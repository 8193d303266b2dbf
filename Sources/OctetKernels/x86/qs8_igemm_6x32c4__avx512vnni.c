// Indirect-GEMM int8 conv, 6 output pixels × 32 output channels per tile: per 4 input
// channels, two 64-byte weight loads and, per pixel, one 4-byte broadcast (sign bit flipped:
// x ^ 0x80 is x + 128 as the unsigned operand) feeding two vpdpbusd. 12 zmm accumulators.
#if defined(__x86_64__)
#include <string.h>

#include "octk_qs8_igemm.h"
#include "qs8_requant_avx512.h"

#define MR 6

OCTK_AVX512_TARGET void octk_qs8_igemm_6x32c4__avx512vnni(const octk_qs8_conv_packed* p, const int8_t* const* ind,
                                                          size_t pixel_begin, size_t pixel_end, int32_t output_zero_point,
                                                          int32_t lo, int32_t hi, int8_t* y) {
  const size_t out_channels = (size_t)p->groups * p->og;
  const int taps = p->taps, cg4 = p->cg4;
  const __m512i flip = _mm512_set1_epi8((char)0x80);
  const __m512i vz = _mm512_set1_epi32(output_zero_point), vlo = _mm512_set1_epi32(lo - output_zero_point),
                vhi = _mm512_set1_epi32(hi - output_zero_point);  // bounds relative to z_out
  for (int g = 0; g < p->groups; ++g) {
    for (int b = 0; b < p->blocks; ++b) {
      const size_t pb = (size_t)g * p->blocks + b;
      const int8_t* wblock = p->weights + pb * (size_t)taps * cg4 * OCTK_QS8_32C4_NR;
      const int32_t* bias = p->bias + pb * OCTK_QS8_32C4_NR;
      const int32_t* mult = p->multiplier + pb * OCTK_QS8_32C4_NR;
      const int32_t* shift = p->shift + pb * OCTK_QS8_32C4_NR;
      const int valid = p->og - b * OCTK_QS8_32C4_NR;  // channels of this block inside og
      const __mmask16 store0 = valid >= 16 ? 0xFFFF : (__mmask16)((1u << valid) - 1);
      const __mmask16 store1 = valid >= 32 ? 0xFFFF : (valid <= 16 ? 0 : (__mmask16)((1u << (valid - 16)) - 1));
      const __m512i b0 = _mm512_load_si512(bias), b1 = _mm512_load_si512(bias + 16);
      const octk_requant_block_avx512 q0 = octk_requant_block_avx512_make(_mm512_load_si512(mult), _mm512_load_si512(shift));
      const octk_requant_block_avx512 q1 =
          octk_requant_block_avx512_make(_mm512_load_si512(mult + 16), _mm512_load_si512(shift + 16));
      for (size_t p0 = pixel_begin; p0 < pixel_end; p0 += MR) {
        const int rows = pixel_end - p0 < MR ? (int)(pixel_end - p0) : MR;
        // Named accumulators (an indexed array would be kept in memory).
        __m512i c00 = _mm512_setzero_si512(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        __m512i c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        const int8_t* w = wblock;
        const int8_t* const* row = ind + p0 * taps;
        // Rows past the end repeat the last pixel's addresses (computed, never stored).
        const size_t o1 = (rows > 1 ? 1 : 0) * (size_t)taps, o2 = (rows > 2 ? 2 : rows - 1) * (size_t)taps;
        const size_t o3 = (rows > 3 ? 3 : rows - 1) * (size_t)taps, o4 = (rows > 4 ? 4 : rows - 1) * (size_t)taps;
        const size_t o5 = (rows > 5 ? 5 : rows - 1) * (size_t)taps;
        const size_t goff = (size_t)g * p->cg;
        for (int t = 0; t < taps; ++t) {
          const int8_t *a0 = row[t] + goff, *a1 = row[o1 + t] + goff, *a2 = row[o2 + t] + goff;
          const int8_t *a3 = row[o3 + t] + goff, *a4 = row[o4 + t] + goff, *a5 = row[o5 + t] + goff;
          for (int c = 0; c < cg4; c += OCTK_QS8_32C4_KR) {
            const __m512i w0 = _mm512_load_si512(w), w1 = _mm512_load_si512(w + 64);
            w += OCTK_QS8_32C4_NR * OCTK_QS8_32C4_KR;
#define ROW(r)                                                                   \
  {                                                                              \
    int32_t x4;                                                                  \
    memcpy(&x4, a##r + c, 4);                                                    \
    const __m512i xa = _mm512_xor_si512(_mm512_set1_epi32(x4), flip);           \
    c##r##0 = _mm512_dpbusd_epi32(c##r##0, xa, w0);                              \
    c##r##1 = _mm512_dpbusd_epi32(c##r##1, xa, w1);                              \
  }
            ROW(0) ROW(1) ROW(2) ROW(3) ROW(4) ROW(5)
#undef ROW
          }
        }
        int8_t* dst = y + p0 * out_channels + (size_t)g * p->og + (size_t)b * OCTK_QS8_32C4_NR;
#define STORE(r)                                                                                                  \
  if (r < rows) {                                                                                                 \
    _mm_mask_storeu_epi8(dst + r * out_channels, store0,                                                          \
                         octk_requant_output_avx512(octk_requant_block_avx512_apply(_mm512_add_epi32(c##r##0, b0), &q0), vz, vlo, vhi)); \
    if (store1)                                                                                                   \
      _mm_mask_storeu_epi8(dst + r * out_channels + 16, store1,                                                   \
                           octk_requant_output_avx512(octk_requant_block_avx512_apply(_mm512_add_epi32(c##r##1, b1), &q1), vz, vlo, vhi)); \
  }
        STORE(0) STORE(1) STORE(2) STORE(3) STORE(4) STORE(5)
#undef STORE
      }
    }
  }
}
#endif
