// Depthwise int8 conv, 64 channels per step, 4 taps per vpdpbusd: the 64-byte rows of 4 taps
// (x ^ 0x80, unsigned) are interleaved by byte and word unpacks into four vectors whose dword
// (lane L, i) of Q_j holds channel 16L + 4j + i's 4 tap bytes — the 64c4 packing's order —
// and after requantization two rounds of signed packs (exact: values are clamped to int8
// first) put the 64 outputs back in channel order. Missing taps of the last group are zero
// vectors (their weights are 0). Channel blocks outside, pixels inside. With ≤ 32 channels
// (packed twice, see the 64c4 packing) each step runs two pixels, one per 256-bit half.
#if defined(__x86_64__)
#include "octk_qs8_igemm.h"
#include "qs8_requant_avx512.h"

typedef struct {
  __m512i a, b, c, d;
} tap_quad;

/// Adds one group of 4 taps: acc_j += Σ_k (row_k[c] + 128)·w[k][c] for the channels of Q_j.
OCTK_AVX512_TARGET static inline void dot_quad(tap_quad t, const int8_t* w, __m512i acc[4]) {
  const __m512i ab_lo = _mm512_unpacklo_epi8(t.a, t.b), ab_hi = _mm512_unpackhi_epi8(t.a, t.b);
  const __m512i cd_lo = _mm512_unpacklo_epi8(t.c, t.d), cd_hi = _mm512_unpackhi_epi8(t.c, t.d);
  acc[0] = _mm512_dpbusd_epi32(acc[0], _mm512_unpacklo_epi16(ab_lo, cd_lo), _mm512_load_si512(w));
  acc[1] = _mm512_dpbusd_epi32(acc[1], _mm512_unpackhi_epi16(ab_lo, cd_lo), _mm512_load_si512(w + 64));
  acc[2] = _mm512_dpbusd_epi32(acc[2], _mm512_unpacklo_epi16(ab_hi, cd_hi), _mm512_load_si512(w + 128));
  acc[3] = _mm512_dpbusd_epi32(acc[3], _mm512_unpackhi_epi16(ab_hi, cd_hi), _mm512_load_si512(w + 192));
}

/// Requantizes, clamps and packs the four accumulators into 64 output bytes in channel order.
OCTK_AVX512_TARGET static inline __m512i requant_pack(__m512i acc[4], const octk_requant_block_avx512 q[4], __m512i vz,
                                                      __m512i vlo, __m512i vhi) {
  __m512i r[4];
  for (int j = 0; j < 4; ++j) r[j] = octk_requant_clamp_avx512(octk_requant_block_avx512_apply(acc[j], &q[j]), vz, vlo, vhi);
  return _mm512_packs_epi16(_mm512_packs_epi32(r[0], r[1]), _mm512_packs_epi32(r[2], r[3]));
}

/// ≤ 32 channels: pixels px and px + 1 (or px twice at the range's end) in the two halves.
OCTK_AVX512_TARGET static void narrow_pairs(const octk_qs8_dwconv_packed* p, const int8_t* const* ind, size_t pixel_begin,
                                            size_t pixel_end, const octk_requant_block_avx512 q[4], __m512i vz,
                                            __m512i vlo, __m512i vhi, int8_t* y) {
  const int taps = p->taps, channels = p->channels, full = taps / 4, rest = taps % 4;
  const __mmask32 m = channels >= 32 ? ~(__mmask32)0 : (((__mmask32)1 << channels) - 1);
  const __m512i flip = _mm512_set1_epi8((char)0x80), none = _mm512_setzero_si512();
  const int8_t* w = (const int8_t*)p->weights;
#define OCTK_ROW2(k)                                                                                                      \
  _mm512_xor_si512(_mm512_inserti64x4(_mm512_castsi256_si512(_mm256_maskz_loadu_epi8(m, r0[k])),                         \
                                      _mm256_maskz_loadu_epi8(m, r1[k]), 1),                                              \
                   flip)
  for (size_t px = pixel_begin; px < pixel_end; px += 2) {
    const int pair = px + 1 < pixel_end;
    const int8_t* const* r0 = ind + px * taps;
    const int8_t* const* r1 = pair ? r0 + taps : r0;
    __m512i acc[4] = {_mm512_load_si512(p->bias), _mm512_load_si512(p->bias + 16), _mm512_load_si512(p->bias + 32),
                      _mm512_load_si512(p->bias + 48)};
    int g = 0;
    for (; g < full; ++g, r0 += 4, r1 += 4)
      dot_quad((tap_quad){OCTK_ROW2(0), OCTK_ROW2(1), OCTK_ROW2(2), OCTK_ROW2(3)}, w + g * 256, acc);
    if (rest) {
      tap_quad t = {OCTK_ROW2(0), none, none, none};
      if (rest > 1) t.b = OCTK_ROW2(1);
      if (rest > 2) t.c = OCTK_ROW2(2);
      dot_quad(t, w + g * 256, acc);
    }
    const __m512i out = requant_pack(acc, q, vz, vlo, vhi);
    int8_t* dst = y + px * channels;
    if (channels == 32 && pair) {
      _mm512_storeu_si512(dst, out);
    } else {
      _mm256_mask_storeu_epi8(dst, m, _mm512_castsi512_si256(out));
      if (pair) _mm256_mask_storeu_epi8(dst + channels, m, _mm512_extracti64x4_epi64(out, 1));
    }
  }
#undef OCTK_ROW2
}

OCTK_AVX512_TARGET void octk_qs8_dwconv_64c4__avx512vnni(const octk_qs8_dwconv_packed* p, const int8_t* const* ind,
                                                         size_t pixel_begin, size_t pixel_end, int32_t output_zero_point,
                                                         int32_t lo, int32_t hi, int8_t* y) {
  const int taps = p->taps, channels = p->channels, full = taps / 4, rest = taps % 4;
  const int groups = (taps + 3) / 4;
  const __m512i vz = _mm512_set1_epi32(output_zero_point), vlo = _mm512_set1_epi32(lo - output_zero_point),
                vhi = _mm512_set1_epi32(hi - output_zero_point);  // bounds relative to z_out
  const __m512i flip = _mm512_set1_epi8((char)0x80), none = _mm512_setzero_si512();
  if (channels <= 32) {
    octk_requant_block_avx512 q[4];
    for (int j = 0; j < 4; ++j)
      q[j] = octk_requant_block_avx512_make(_mm512_load_si512(p->multiplier + 16 * j), _mm512_load_si512(p->shift + 16 * j));
    narrow_pairs(p, ind, pixel_begin, pixel_end, q, vz, vlo, vhi, y);
    return;
  }
  for (int b = 0; b < p->blocks; ++b) {
    const int c0 = b * 64, valid = channels - c0;
    const __mmask64 m = valid >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << valid) - 1);
    const int8_t* w = (const int8_t*)p->weights + (size_t)b * groups * 256;
    const int32_t* bias = p->bias + c0;
    octk_requant_block_avx512 q[4];
    for (int j = 0; j < 4; ++j)
      q[j] = octk_requant_block_avx512_make(_mm512_load_si512(p->multiplier + c0 + 16 * j),
                                            _mm512_load_si512(p->shift + c0 + 16 * j));
#define OCTK_ROW(k) _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, rows[k] + c0), flip)
    for (size_t px = pixel_begin; px < pixel_end; ++px) {
      const int8_t* const* rows = ind + px * taps;
      __m512i acc[4] = {_mm512_load_si512(bias), _mm512_load_si512(bias + 16), _mm512_load_si512(bias + 32),
                        _mm512_load_si512(bias + 48)};
      int g = 0;
      for (; g < full; ++g, rows += 4) dot_quad((tap_quad){OCTK_ROW(0), OCTK_ROW(1), OCTK_ROW(2), OCTK_ROW(3)}, w + g * 256, acc);
      if (rest) {
        tap_quad t = {OCTK_ROW(0), none, none, none};
        if (rest > 1) t.b = OCTK_ROW(1);
        if (rest > 2) t.c = OCTK_ROW(2);
        dot_quad(t, w + g * 256, acc);
      }
      _mm512_mask_storeu_epi8(y + px * channels + c0, m, requant_pack(acc, q, vz, vlo, vhi));
    }
#undef OCTK_ROW
  }
}
#endif
