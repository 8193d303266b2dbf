// Contiguous int8 add (TFLite's scheme, reference/qs8_elementwise.c) with the input halves as
// tables: ra = requant(sat32((a − z_a)·2^left), Ma, sa) depends on the byte a alone, so the
// 256 values of ra and of rb are computed once per call (with the exact vector requantization)
// and looked up as four byte planes by vpermt2b (128 entries per instruction, bit 7 picks the
// half). Byte and word unpacks assemble the planes into int32 lanes in the 64c4 order (lane L,
// dword i of Q_j = element 16L + 4j + i); after y = requant(ra + rb, Mo, so) the saturating
// packs restore element order (the depthwise kernel's output stage, exact for every int32).
// When |ra| + |rb| could exceed int32 (never for converter-made parameters) the sum would
// need saturation: those calls run octk_qs8_add__avx512.
#if defined(__x86_64__)
#include <stdlib.h>

#include "octk_qs8_avx512.h"
#include "qs8_requant_avx512.h"

#define OCTK_VBMI_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx512vbmi")))

/// Byte planes of a 256-entry int32 table: planes[k][i] = byte k of table[i], as 4 × 4 zmm.
typedef struct {
  __m512i plane[4][4];
} lut_planes;

/// Table of requant(sat32((v − z)·2^left), M, s) for v = −128 … 127 at index v + 128; returns max |entry|.
OCTK_VBMI_TARGET static int64_t build_table(int32_t z, __m512i left, const octk_requant_block_avx512* q, lut_planes* t) {
  int32_t values[256] __attribute__((aligned(64)));
  __m512i biggest = _mm512_setzero_si512();
  for (int i = 0; i < 256; i += 16) {
    const __m512i v = _mm512_add_epi32(_mm512_set1_epi32(i - 128), _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                                                                                      12, 13, 14, 15));
    const __m512i r = octk_requant_block_avx512_apply(octk_shl_sat_avx512(_mm512_sub_epi32(v, _mm512_set1_epi32(z)), left), q);
    _mm512_store_si512(values + i, r);
    biggest = _mm512_max_epu32(biggest, _mm512_abs_epi32(r));  // |INT32_MIN| reads as 2^31
  }
  for (int part = 0; part < 4; ++part) {
    // Bytes k of entries 64·part … 64·part + 63: a byte shuffle of each 16-entry group.
    uint8_t bytes[4][64] __attribute__((aligned(64)));
    for (int e = 0; e < 64; ++e) {
      const uint32_t v = (uint32_t)values[64 * part + e];
      for (int k = 0; k < 4; ++k) bytes[k][e] = (uint8_t)(v >> (8 * k));
    }
    for (int k = 0; k < 4; ++k) t->plane[k][part] = _mm512_load_si512(bytes[k]);
  }
  return (int64_t)_mm512_reduce_max_epu32(biggest);
}

/// Four int32 vectors (64c4 order) of table[idx] for 64 byte indices.
OCTK_VBMI_TARGET static inline void lookup(const lut_planes* t, __m512i idx, __m512i q[4]) {
  const __mmask64 upper = _mm512_movepi8_mask(idx);
  __m512i p[4];
  for (int k = 0; k < 4; ++k) {
    const __m512i lo = _mm512_permutex2var_epi8(t->plane[k][0], idx, t->plane[k][1]);
    const __m512i hi = _mm512_permutex2var_epi8(t->plane[k][2], idx, t->plane[k][3]);
    p[k] = _mm512_mask_blend_epi8(upper, lo, hi);
  }
  const __m512i b01_lo = _mm512_unpacklo_epi8(p[0], p[1]), b01_hi = _mm512_unpackhi_epi8(p[0], p[1]);
  const __m512i b23_lo = _mm512_unpacklo_epi8(p[2], p[3]), b23_hi = _mm512_unpackhi_epi8(p[2], p[3]);
  q[0] = _mm512_unpacklo_epi16(b01_lo, b23_lo);
  q[1] = _mm512_unpackhi_epi16(b01_lo, b23_lo);
  q[2] = _mm512_unpacklo_epi16(b01_hi, b23_hi);
  q[3] = _mm512_unpackhi_epi16(b01_hi, b23_hi);
}

OCTK_VBMI_TARGET void octk_qs8_add_lut__avx512vbmi(size_t count, const int8_t* a, const int8_t* b, int8_t* y,
                                                   const octk_qs8_add_params* p) {
  const int ls = p->left_shift < 0 ? 0 : (p->left_shift > 30 ? 30 : (int)p->left_shift);
  const __m512i left = _mm512_set1_epi32(ls);
  const int32_t sa = octk_qs8_clamp_shift(p->a_shift);
  const int32_t sb = octk_qs8_clamp_shift(p->b_shift);
  const int32_t so = octk_qs8_clamp_shift(p->output_shift);
  const octk_requant_block_avx512 qa = octk_requant_block_avx512_make(_mm512_set1_epi32(p->a_multiplier), _mm512_set1_epi32(sa));
  const octk_requant_block_avx512 qb = octk_requant_block_avx512_make(_mm512_set1_epi32(p->b_multiplier), _mm512_set1_epi32(sb));
  const octk_requant_block_avx512 qo =
      octk_requant_block_avx512_make(_mm512_set1_epi32(p->output_multiplier), _mm512_set1_epi32(so));
  lut_planes ta, tb;
  const int64_t bound = build_table(p->a_zero_point, left, &qa, &ta) + build_table(p->b_zero_point, left, &qb, &tb);
  if (bound > INT32_MAX) {
    octk_qs8_add__avx512(count, a, b, y, p);
    return;
  }
  const __m512i flip = _mm512_set1_epi8((char)0x80), z = _mm512_set1_epi16((int16_t)p->output_zero_point);
  const __m512i lo = _mm512_set1_epi8((char)p->lo), hi = _mm512_set1_epi8((char)p->hi);
  for (size_t i = 0; i < count; i += 64) {
    const __mmask64 m = count - i >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << (count - i)) - 1);
    __m512i ra[4], rb[4], r[4];
    lookup(&ta, _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, a + i), flip), ra);
    lookup(&tb, _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, b + i), flip), rb);
    for (int j = 0; j < 4; ++j) r[j] = octk_requant_block_avx512_apply(_mm512_add_epi32(ra[j], rb[j]), &qo);
    const __m512i r01 = _mm512_adds_epi16(_mm512_packs_epi32(r[0], r[1]), z);
    const __m512i r23 = _mm512_adds_epi16(_mm512_packs_epi32(r[2], r[3]), z);
    _mm512_mask_storeu_epi8(y + i, m, _mm512_min_epi8(_mm512_max_epi8(_mm512_packs_epi16(r01, r23), lo), hi));
  }
}

#endif
