// Depthwise int8 conv, 16 channels per zmm of int32 lanes: per tap one 16-byte load
// sign-extended to int32 (vpmovsxbd) and one vpmulld with the pre-widened weights.
// Channel blocks outside, pixels inside: a block's weights and requantization constants
// stay in registers / L1 across the pixel range.
#if defined(__x86_64__)
#include "octk_qs8_igemm.h"
#include "qs8_requant_avx512.h"

OCTK_AVX512_TARGET void octk_qs8_dwconv_16c__avx512(const octk_qs8_dwconv_packed* p, const int8_t* const* ind,
                                                    size_t pixel_begin, size_t pixel_end, int32_t output_zero_point,
                                                    int32_t lo, int32_t hi, int8_t* y) {
  const int taps = p->taps, channels = p->channels;
  const __m512i vz = _mm512_set1_epi32(output_zero_point), vlo = _mm512_set1_epi32(lo - output_zero_point),
                vhi = _mm512_set1_epi32(hi - output_zero_point);  // bounds relative to z_out
  for (int b = 0; b < p->blocks; ++b) {
    const int c0 = b * OCTK_QS8_DW_NR;
    const int32_t* w = (const int32_t*)p->weights + (size_t)b * taps * OCTK_QS8_DW_NR;
    const __m512i bias = _mm512_load_si512(p->bias + c0);
    const octk_requant_block_avx512 q =
        octk_requant_block_avx512_make(_mm512_load_si512(p->multiplier + c0), _mm512_load_si512(p->shift + c0));
    const int valid = channels - c0;
    const __mmask16 store = valid >= 16 ? 0xFFFF : (__mmask16)((1u << valid) - 1);
    for (size_t px = pixel_begin; px < pixel_end; ++px) {
      const int8_t* const* rows = ind + px * taps;
      __m512i acc = bias;
      for (int t = 0; t < taps; ++t) {
        const __m512i x = _mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i*)(rows[t] + c0)));
        acc = _mm512_add_epi32(acc, _mm512_mullo_epi32(x, _mm512_load_si512(w + (size_t)t * OCTK_QS8_DW_NR)));
      }
      const __m512i r = octk_requant_block_avx512_apply(acc, &q);
      _mm_mask_storeu_epi8(y + px * channels + c0, store, octk_requant_output_avx512(r, vz, vlo, vhi));
    }
  }
}
#endif
