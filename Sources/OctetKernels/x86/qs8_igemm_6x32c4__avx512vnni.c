// Indirect-GEMM int8 conv, 6 output pixels × 32 output channels per tile: per 4 input
// channels, two 64-byte weight loads and, per pixel, one 4-byte broadcast from memory of the
// inputs the caller flipped (u = x ^ 0x80 = x + 128, the unsigned operand) feeding two
// vpdpbusd: 12 vpdpbusd per 8 loads, nothing else on the vector ports. 12 zmm accumulators,
// started at the packed bias (int32 sums wrap, so the order of the additions does not matter).
#if defined(__x86_64__)
#include <string.h>

#include "octk_qs8_avx512.h"
#include "qs8_requant_avx512.h"

#define MR 6

OCTK_AVX512_TARGET void octk_qs8_igemm_6x32c4__avx512vnni(const octk_qs8_conv_packed* p, const int8_t* const* ind,
                                                          size_t pixel_begin, size_t pixel_end, int32_t output_zero_point,
                                                          int32_t lo, int32_t hi, int8_t* y) {
  const size_t out_channels = (size_t)p->out_stride;
  const int taps = p->taps, cg4 = p->cg4;
  // Output stage (qs8_requant_avx512.h): r = octk_requant_hi_avx512 (≤ hi − z_out), vpackssdw,
  // saturating + z_out in int16, vpacksswb, then the byte max with lo. The packs interleave the
  // two 16-channel halves by 128-bit lane; one dword permute restores channel order.
  const __m512i vz = _mm512_set1_epi16((int16_t)output_zero_point);
  const __m512 vhi = _mm512_set1_ps((float)(hi - output_zero_point));
  const __m256i vlo = _mm256_set1_epi8((char)lo);
  const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 0, 0, 0, 0, 0, 0, 0, 0);
  const size_t block_bytes = (size_t)taps * cg4 * OCTK_QS8_32C4_NR;
  const size_t last_block = (size_t)p->groups * p->blocks - 1;
  for (int g = 0; g < p->groups; ++g) {
    for (int b = 0; b < p->blocks; ++b) {
      const size_t pb = (size_t)g * p->blocks + b;
      const int8_t* wblock = p->weights + pb * block_bytes;
      const int32_t* bias = p->bias + pb * OCTK_QS8_32C4_NR;
      const float* scale = p->scale + pb * OCTK_QS8_32C4_NR;
      const int valid = p->og - b * OCTK_QS8_32C4_NR;  // channels of this block inside og
      const __mmask32 store = valid >= 32 ? ~(__mmask32)0 : (((__mmask32)1 << valid) - 1);
      const __m512i b0 = _mm512_load_si512(bias), b1 = _mm512_load_si512(bias + 16);
      const __m512 s0 = _mm512_load_ps(scale), s1 = _mm512_load_ps(scale + 16);
      for (size_t p0 = pixel_begin; p0 < pixel_end; p0 += MR) {
        const int rows = pixel_end - p0 < MR ? (int)(pixel_end - p0) : MR;
        // The first tile of a block prefetches the next block's weights into L2, so the block
        // after streams from cache, not memory (layers with few pixels and large weights).
        const int prefetch = p0 == pixel_begin && pb < last_block;
        // Named accumulators (an indexed array would be kept in memory).
        __m512i c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1;
        __m512i c30 = b0, c31 = b1, c40 = b0, c41 = b1, c50 = b0, c51 = b1;
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
            if (prefetch) {
              _mm_prefetch((const char*)(w + block_bytes), _MM_HINT_T1);
              _mm_prefetch((const char*)(w + block_bytes + 64), _MM_HINT_T1);
            }
            const __m512i w0 = _mm512_load_si512(w), w1 = _mm512_load_si512(w + 64);
            w += OCTK_QS8_32C4_NR * OCTK_QS8_32C4_KR;
#define ROW(r)                                                                   \
  {                                                                              \
    int32_t x4;                                                                  \
    memcpy(&x4, a##r + c, 4);                                                    \
    const __m512i xa = _mm512_set1_epi32(x4);                                    \
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
    const __m512i r0 = octk_requant_hi_avx512(c##r##0, s0, vhi);                                                  \
    const __m512i r1 = octk_requant_hi_avx512(c##r##1, s1, vhi);                                                  \
    const __m512i h = _mm512_adds_epi16(_mm512_packs_epi32(r0, r1), vz);                                          \
    const __m256i bytes = _mm512_castsi512_si256(_mm512_permutexvar_epi32(order, _mm512_packs_epi16(h, h)));      \
    const __m256i out = _mm256_max_epi8(bytes, vlo);                                                              \
    if (valid >= 32)                                                                                              \
      _mm256_storeu_si256((__m256i*)(dst + r * out_channels), out);                                               \
    else                                                                                                          \
      _mm256_mask_storeu_epi8(dst + r * out_channels, store, out);                                                \
  }
        STORE(0) STORE(1) STORE(2) STORE(3) STORE(4) STORE(5)
#undef STORE
      }
    }
  }
}
#endif
