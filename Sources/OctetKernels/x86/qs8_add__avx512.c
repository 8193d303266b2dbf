// Contiguous int8 add (TFLite's scheme, reference/qs8_elementwise.c), 16 elements per step in
// int32 lanes: a' = sat32((a − z_a)·2^left), r = sat32(requant(a', Ma, sa) + requant(b', Mb, sb)),
// y = clamp(z_out + requant(r, Mo, so), lo, hi). The tail runs masked.
#if defined(__x86_64__)
#include "octk_qs8_avx512.h"
#include "qs8_requant_avx512.h"

OCTK_AVX512_TARGET void octk_qs8_add__avx512(size_t count, const int8_t* a, const int8_t* b, int8_t* y,
                                             const octk_qs8_add_params* p) {
  const int ls = p->left_shift < 0 ? 0 : (p->left_shift > 30 ? 30 : (int)p->left_shift);
  const __m512i left = _mm512_set1_epi32(ls);
  const __m512i za = _mm512_set1_epi32(p->a_zero_point), zb = _mm512_set1_epi32(p->b_zero_point);
  const __m512i ma = _mm512_set1_epi32(p->a_multiplier), mb = _mm512_set1_epi32(p->b_multiplier);
  const __m512i mo = _mm512_set1_epi32(p->output_multiplier);
  const int32_t sa = octk_qs8_clamp_shift(p->a_shift);
  const int32_t sb = octk_qs8_clamp_shift(p->b_shift);
  const int32_t so = octk_qs8_clamp_shift(p->output_shift);
  const octk_requant_block_avx512 qa = octk_requant_block_avx512_make(ma, _mm512_set1_epi32(sa));
  const octk_requant_block_avx512 qb = octk_requant_block_avx512_make(mb, _mm512_set1_epi32(sb));
  const octk_requant_block_avx512 qo = octk_requant_block_avx512_make(mo, _mm512_set1_epi32(so));
  const __m512i zo = _mm512_set1_epi32(p->output_zero_point), lo = _mm512_set1_epi32(p->lo - p->output_zero_point),
                hi = _mm512_set1_epi32(p->hi - p->output_zero_point);  // bounds relative to z_out
  for (size_t i = 0; i < count; i += 16) {
    const __mmask16 m = count - i >= 16 ? 0xFFFF : (__mmask16)((1u << (count - i)) - 1);
    const __m512i va = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, a + i));
    const __m512i vb = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, b + i));
    const __m512i ra = octk_requant_block_avx512_apply(octk_shl_sat_avx512(_mm512_sub_epi32(va, za), left), &qa);
    const __m512i rb = octk_requant_block_avx512_apply(octk_shl_sat_avx512(_mm512_sub_epi32(vb, zb), left), &qb);
    const __m512i r = octk_requant_block_avx512_apply(octk_add_sat_avx512(ra, rb), &qo);
    _mm_mask_storeu_epi8(y + i, m, octk_requant_output_avx512(r, zo, lo, hi));
  }
}
#endif
