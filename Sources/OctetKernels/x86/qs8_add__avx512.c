// Contiguous int8 add in binary32 (octk_qs8_add_one, octk_qs8.h), 64 elements per step in four
// vectors of 16 lanes: per operand vpmovsxbd, vpsubd z, vcvtdq2ps, vmulps; vaddps of the two
// products (a separate instruction: no FMA), then the clamp and vcvtps2dq (round half even).
// Full steps clamp as the conv epilogue (qs8_requant_avx512.h): vminps with hi − z_out in
// float, vpackssdw, saturating + z_out in int16, vpacksswb, one vpermd back to element order,
// the byte max with lo. The tail runs 16 at a time, masked, with both bounds in float.
#if defined(__x86_64__)
#include "octk_qs8_avx512.h"
#include "qs8_requant_avx512.h"

typedef struct {
  __m512i za, zb;
  __m512 sa, sb;
} add_consts;

/// (float)(a − z_a)·s_a + (float)(b − z_b)·s_b for 16 int32 lanes. The sum is vaddps with
/// embedded round-to-nearest-even (the default mode's result): no compiler can contract it with
/// a product into an FMA, even under -ffp-contract=fast.
OCTK_AVX512_TARGET static inline __m512 add16(__m512i a, __m512i b, const add_consts* k) {
  const __m512 fa = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(a, k->za)), k->sa);
  const __m512 fb = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(b, k->zb)), k->sb);
  return _mm512_add_round_ps(fa, fb, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

#define LOAD16(p) _mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i*)(const void*)(p)))

OCTK_AVX512_TARGET void octk_qs8_add__avx512(size_t count, const int8_t* a, const int8_t* b, int8_t* y,
                                             const octk_qs8_add_params* p) {
  add_consts k;
  k.za = _mm512_set1_epi32(p->a_zero_point);
  k.zb = _mm512_set1_epi32(p->b_zero_point);
  k.sa = _mm512_set1_ps(p->a_scale);
  k.sb = _mm512_set1_ps(p->b_scale);
  const octk_requant_bounds_avx512 bounds = octk_requant_bounds_avx512_make(p->output_zero_point, p->lo, p->hi);
  const __m512i z16 = _mm512_set1_epi16((int16_t)p->output_zero_point), lo8 = _mm512_set1_epi8((char)p->lo);
  // After the two packs, dword 4L + j holds elements 16j + 4L … 16j + 4L + 3.
  const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  size_t i = 0;
  for (; i + 64 <= count; i += 64) {
#define R(j) _mm512_cvtps_epi32(_mm512_min_ps(add16(LOAD16(a + i + 16 * j), LOAD16(b + i + 16 * j), &k), bounds.hi))
    const __m512i h01 = _mm512_adds_epi16(_mm512_packs_epi32(R(0), R(1)), z16);
    const __m512i h23 = _mm512_adds_epi16(_mm512_packs_epi32(R(2), R(3)), z16);
#undef R
    _mm512_storeu_si512(y + i, _mm512_max_epi8(_mm512_permutexvar_epi32(order, _mm512_packs_epi16(h01, h23)), lo8));
  }
  const __m512i z32 = _mm512_set1_epi32(p->output_zero_point);
  for (; i < count; i += 16) {
    const __mmask16 m = count - i >= 16 ? 0xFFFF : (__mmask16)((1u << (count - i)) - 1);
    const __m512 f = add16(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, a + i)),
                           _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, b + i)), &k);
    const __m512i r = _mm512_cvtps_epi32(_mm512_min_ps(_mm512_max_ps(f, bounds.lo), bounds.hi));  // [lo − z, hi − z]
    _mm_mask_storeu_epi8(y + i, m, _mm512_cvtepi32_epi8(_mm512_add_epi32(r, z32)));
  }
}
#endif
