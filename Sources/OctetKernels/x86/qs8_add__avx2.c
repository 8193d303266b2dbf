// Contiguous int8 add in binary32 (octk_qs8_add_one, octk_qs8.h), 16 elements per step in two
// vectors of 8 lanes (elements 0–7, 8–15): per operand vpmovsxbd, vpsubd z, vcvtdq2ps, vmulps;
// vaddps of the two products (separate instructions: no FMA), vminps with hi − z_out, vcvtps2dq
// (round half even); then the conv epilogue's output step (qs8_requant_avx2.h: vpackssdw,
// saturating + z_out, max with lo, vpacksswb, one vpshufd back to element order). The tail
// goes through a 16-byte stack copy: nothing outside a[0, count), b[0, count), y[0, count) is
// touched.
#if defined(__x86_64__)
#include "octk_qs8_avx2.h"
#include "qs8_requant_avx2.h"

typedef struct {
  __m256i za, zb;
  __m256 sa, sb;
  __m256 hi;       // hi − z_out
  __m256i z, lo;   // z_out and lo in int16 lanes
} add_consts;

/// round_half_even(min((float)(a − z_a)·s_a + (float)(b − z_b)·s_b, hi − z_out)) for 8 int32
/// lanes (the lower bound comes in the output step).
OCTK_AVX2_TARGET static inline __m256i add8(__m256i a, __m256i b, const add_consts* k) {
  const __m256 fa = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(a, k->za)), k->sa);
  const __m256 fb = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(b, k->zb)), k->sb);
  return _mm256_cvtps_epi32(_mm256_min_ps(_mm256_add_ps(fa, fb), k->hi));
}

#define LOAD8(p) _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i*)(const void*)(p)))

/// 16 output bytes in element order from 16 input bytes at a and b.
OCTK_AVX2_TARGET static inline __m128i add16(const int8_t* a, const int8_t* b, const add_consts* k) {
  const __m256i r0 = add8(LOAD8(a), LOAD8(b), k), r1 = add8(LOAD8(a + 8), LOAD8(b + 8), k);
  return octk_requant_output_natural_avx2(r0, r1, k->z, k->lo);
}

OCTK_AVX2_TARGET void octk_qs8_add__avx2(size_t count, const int8_t* a, const int8_t* b, int8_t* y,
                                         const octk_qs8_add_params* p) {
  add_consts k;
  k.za = _mm256_set1_epi32(p->a_zero_point);
  k.zb = _mm256_set1_epi32(p->b_zero_point);
  k.sa = _mm256_set1_ps(p->a_scale);
  k.sb = _mm256_set1_ps(p->b_scale);
  k.hi = _mm256_set1_ps((float)(p->hi - p->output_zero_point));
  k.z = _mm256_set1_epi16((int16_t)p->output_zero_point);
  k.lo = _mm256_set1_epi16((int16_t)p->lo);
  size_t i = 0;
  for (; i + 16 <= count; i += 16) _mm_storeu_si128((__m128i*)(void*)(y + i), add16(a + i, b + i, &k));
  if (i < count) {
    const size_t n = count - i;
    int8_t ta[16] = {0}, tb[16] = {0};
    memcpy(ta, a + i, n);
    memcpy(tb, b + i, n);
    octk_store_s8_avx2(y + i, add16(ta, tb, &k), (int)n);
  }
}
#endif
