// Contiguous int8 add (TFLite's scheme, reference/qs8_elementwise.c), 16 elements per step in
// two vectors of int32 lanes: a' = sat32((a − z_a)·2^left), r = sat32(requant(a', Ma, sa) +
// requant(b', Mb, sb)), y = clamp(z_out + requant(r, Mo, so), lo, hi). The two saturations are
// skipped when scalar bounds on |a − z_a| ≤ 255 + |z| show they cannot trigger (every real
// model); the tail goes through a 16-byte stack copy: nothing outside a[0, count),
// b[0, count), y[0, count) is touched.
#if defined(__x86_64__)
#include "octk_qs8_avx2.h"
#include "qs8_requant_avx2.h"


/// Largest |x − z| for int8 x.
static int64_t max_diff(int32_t z) {
  const int64_t lo = -128 - (int64_t)z, hi = 127 - (int64_t)z;
  return (lo < 0 ? -lo : lo) > (hi < 0 ? -hi : hi) ? (lo < 0 ? -lo : lo) : (hi < 0 ? -hi : hi);
}

/// An upper bound of |requant(x, m, shift)| over |x| ≤ xmax (≤ 2^31): SRDHM and RDBPOT each
/// add at most 1/2 + rounding to the exact quotient.
static int64_t requant_bound(int64_t xmax, int32_t m, int32_t shift) {
  const int left = shift > 0 ? shift : 0, right = shift < 0 ? -shift : 0;
  int64_t x = xmax > ((int64_t)1 << 31) >> left ? (int64_t)1 << 31 : xmax << left;
  const int64_t am = m < 0 ? -(int64_t)m : m;
  return ((x * am) >> 31 >> right) + 2;
}

OCTK_AVX2_TARGET void octk_qs8_add__avx2(size_t count, const int8_t* a, const int8_t* b, int8_t* y,
                                         const octk_qs8_add_params* p) {
  const int ls = p->left_shift < 0 ? 0 : (p->left_shift > 30 ? 30 : (int)p->left_shift);
  const int32_t sa = octk_qs8_clamp_shift(p->a_shift), sb = octk_qs8_clamp_shift(p->b_shift), so = octk_qs8_clamp_shift(p->output_shift);
  const int64_t da = max_diff(p->a_zero_point) << ls, db = max_diff(p->b_zero_point) << ls;
  const int shift_exact = da <= INT32_MAX && db <= INT32_MAX;  // (x − z)·2^left never saturates
  const int sum_exact = requant_bound(da, p->a_multiplier, sa) + requant_bound(db, p->b_multiplier, sb) <= INT32_MAX;
  const __m256i left = _mm256_set1_epi32(ls);
  const __m128i left_count = _mm_cvtsi32_si128(ls);
  const __m256i za = _mm256_set1_epi32(p->a_zero_point), zb = _mm256_set1_epi32(p->b_zero_point);
  const octk_requant_block_avx2 qa = octk_requant_block_avx2_make(_mm256_set1_epi32(p->a_multiplier), _mm256_set1_epi32(sa));
  const octk_requant_block_avx2 qb = octk_requant_block_avx2_make(_mm256_set1_epi32(p->b_multiplier), _mm256_set1_epi32(sb));
  const octk_requant_block_avx2 qo =
      octk_requant_block_avx2_make(_mm256_set1_epi32(p->output_multiplier), _mm256_set1_epi32(so));
  const __m256i zo = _mm256_set1_epi16((int16_t)p->output_zero_point);
  const __m256i lo = _mm256_set1_epi16((int16_t)p->lo), hi = _mm256_set1_epi16((int16_t)p->hi);
  for (size_t i = 0; i < count; i += 16) {
    const size_t n = count - i < 16 ? count - i : 16;
    __m128i va, vb;
    if (n == 16) {
      va = _mm_loadu_si128((const __m128i*)(const void*)(a + i));
      vb = _mm_loadu_si128((const __m128i*)(const void*)(b + i));
    } else {
      int8_t ta[16] = {0}, tb[16] = {0};
      memcpy(ta, a + i, n);
      memcpy(tb, b + i, n);
      va = _mm_loadu_si128((const __m128i*)(const void*)ta);
      vb = _mm_loadu_si128((const __m128i*)(const void*)tb);
    }
    __m256i a_lo, a_hi, b_lo, b_hi;
    octk_widen_s8_avx2(va, &a_lo, &a_hi);
    octk_widen_s8_avx2(vb, &b_lo, &b_hi);
#define SHIFT(v, z) (shift_exact ? _mm256_sll_epi32(_mm256_sub_epi32(v, z), left_count) : octk_shl_sat_avx2(_mm256_sub_epi32(v, z), left))
#define SUM(x, y) (sum_exact ? _mm256_add_epi32(x, y) : octk_add_sat_avx2(x, y))
#define HALF(h)                                                                                            \
  octk_requant_block_avx2_apply(SUM(octk_requant_block_avx2_apply(SHIFT(a_##h, za), &qa),                \
                                    octk_requant_block_avx2_apply(SHIFT(b_##h, zb), &qb)),               \
                                &qo)
    const __m256i r_lo = HALF(lo), r_hi = HALF(hi);
#undef HALF
#undef SUM
#undef SHIFT
    octk_store_s8_avx2(y + i, octk_requant_output_avx2(r_lo, r_hi, zo, lo, hi), (int)n);
  }
}
#endif
