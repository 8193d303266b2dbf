// Depthwise int8 conv, 64 channels per step, 4 taps per vpdpbusd: the 64-byte rows of 4 taps
// (x ^ 0x80, unsigned) are interleaved by byte and word unpacks into four vectors whose dword
// (lane L, i) of Q_j holds channel 16L + 4j + i's 4 tap bytes — the 64c4 packing's order —
// and after requantization (octk_requant_hi_avx512, then the byte max with lo; see
// qs8_requant_avx512.h) two rounds of signed packs, with saturating + z_out in int16 between
// them, put the 64 outputs back in channel order. Missing taps of the last group are zero
// vectors (their weights are 0). Channel blocks outside, pixels inside. Full blocks load whole
// 64-byte rows; a last block of 33…63 channels uses masked loads; a last block of ≤ 32
// channels (packed twice, see the 64c4 packing) runs two pixels per step, one per 256-bit half.
// No byte past a pixel's last channel is read.
#if defined(__x86_64__)
#include "octk_qs8_avx512.h"
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

/// One channel block's constants: weights, bias, scales (the 64c4 order), output bounds.
typedef struct {
  const int8_t* w;
  const int32_t* bias;
  __m512 scale[4];
  __m512 hi;    // hi − z_out
  __m512i z;    // z_out as int16 lanes
  __m512i lo;   // lo as int8 lanes
} block_consts;

/// The row of tap k for one pixel: whole (full), masked (wide tail) or two pixels' halves (narrow tail).
enum { kFull, kMasked, kNarrow };

OCTK_AVX512_TARGET static inline __m512i load_row(int kind, const int8_t* r0, const int8_t* r1, __mmask64 m) {
  const __m512i flip = _mm512_set1_epi8((char)0x80);
  if (kind == kFull) return _mm512_xor_si512(_mm512_loadu_si512(r0), flip);
  if (kind == kMasked) return _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, r0), flip);
  const __m256i lo = _mm256_maskz_loadu_epi8((__mmask32)m, r0), hi = _mm256_maskz_loadu_epi8((__mmask32)m, r1);
  return _mm512_xor_si512(_mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1), flip);
}

/// Σ over all taps (+ bias), requantized and packed into 64 output bytes in channel order.
OCTK_AVX512_TARGET static inline __m512i pixel(int kind, const int8_t* const* r0, const int8_t* const* r1, int c0,
                                               int taps, __mmask64 m, const block_consts* k) {
  __m512i acc[4] = {_mm512_load_si512(k->bias), _mm512_load_si512(k->bias + 16), _mm512_load_si512(k->bias + 32),
                    _mm512_load_si512(k->bias + 48)};
  const __m512i none = _mm512_setzero_si512();
  int t = 0;
  for (; t + 4 <= taps; t += 4) {
    const tap_quad quad = {load_row(kind, r0[t] + c0, r1[t] + c0, m), load_row(kind, r0[t + 1] + c0, r1[t + 1] + c0, m),
                           load_row(kind, r0[t + 2] + c0, r1[t + 2] + c0, m),
                           load_row(kind, r0[t + 3] + c0, r1[t + 3] + c0, m)};
    dot_quad(quad, k->w + t * 64, acc);
  }
  if (t < taps) {
    tap_quad quad = {load_row(kind, r0[t] + c0, r1[t] + c0, m), none, none, none};
    if (t + 1 < taps) quad.b = load_row(kind, r0[t + 1] + c0, r1[t + 1] + c0, m);
    if (t + 2 < taps) quad.c = load_row(kind, r0[t + 2] + c0, r1[t + 2] + c0, m);
    dot_quad(quad, k->w + t * 64, acc);
  }
  __m512i r[4];
  for (int j = 0; j < 4; ++j) r[j] = octk_requant_hi_avx512(acc[j], k->scale[j], k->hi);
  const __m512i r01 = _mm512_adds_epi16(_mm512_packs_epi32(r[0], r[1]), k->z);
  const __m512i r23 = _mm512_adds_epi16(_mm512_packs_epi32(r[2], r[3]), k->z);
  return _mm512_max_epi8(_mm512_packs_epi16(r01, r23), k->lo);
}

OCTK_AVX512_TARGET void octk_qs8_dwconv_64c4__avx512vnni(const octk_qs8_dwconv_packed* p, const int8_t* const* ind,
                                                         size_t pixel_begin, size_t pixel_end, int32_t output_zero_point,
                                                         int32_t lo, int32_t hi, int8_t* y) {
  const int taps = p->taps, channels = p->channels, groups = (taps + 3) / 4;
  const size_t stride = (size_t)channels;
  block_consts k;
  k.hi = _mm512_set1_ps((float)(hi - output_zero_point));
  k.z = _mm512_set1_epi16((int16_t)output_zero_point);
  k.lo = _mm512_set1_epi8((char)lo);
  for (int b = 0; b < p->blocks; ++b) {
    const int c0 = b * 64, valid = channels - c0;
    k.w = (const int8_t*)p->weights + (size_t)b * groups * 256;
    k.bias = p->bias + c0;
    for (int j = 0; j < 4; ++j) k.scale[j] = _mm512_load_ps(p->scale + c0 + 16 * j);
    if (valid >= 64) {
      for (size_t px = pixel_begin; px < pixel_end; ++px) {
        const int8_t* const* rows = ind + px * taps;
        _mm512_storeu_si512(y + px * stride + c0, pixel(kFull, rows, rows, c0, taps, 0, &k));
      }
    } else if (valid > 32) {
      const __mmask64 m = ((__mmask64)1 << valid) - 1;
      for (size_t px = pixel_begin; px < pixel_end; ++px) {
        const int8_t* const* rows = ind + px * taps;
        _mm512_mask_storeu_epi8(y + px * stride + c0, m, pixel(kMasked, rows, rows, c0, taps, m, &k));
      }
    } else {
      const __mmask32 m = valid == 32 ? ~(__mmask32)0 : (((__mmask32)1 << valid) - 1);
      for (size_t px = pixel_begin; px < pixel_end; px += 2) {
        const int pair = px + 1 < pixel_end;
        const int8_t* const* r0 = ind + px * taps;
        const __m512i out = pixel(kNarrow, r0, pair ? r0 + taps : r0, c0, taps, m, &k);
        int8_t* dst = y + px * stride + c0;
        if (channels == 32 && pair) {
          _mm512_storeu_si512(dst, out);  // two whole consecutive pixels
        } else {
          _mm256_mask_storeu_epi8(dst, m, _mm512_castsi512_si256(out));
          if (pair) _mm256_mask_storeu_epi8(dst + stride, m, _mm512_extracti64x4_epi64(out, 1));
        }
      }
    }
  }
}
#endif
