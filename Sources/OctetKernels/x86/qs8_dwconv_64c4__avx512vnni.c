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
//
// 9 taps (3×3) are grouped by kernel column, taps {g, g + 3, g + 6} (see the packing), and a
// step keeps its three interleaved columns: when the next step's first columns are this step's
// last ones (the same rows: stride-1 neighbours share two columns, stride-2 neighbours one),
// they are reused, so a stride-1 step interleaves one new column instead of three. Not in the
// two-pixels-per-step tail (there the kept columns spilled registers and ran slower).
#if defined(__x86_64__)
#include "octk_qs8_avx512.h"
#include "qs8_requant_avx512.h"

#define DW_INLINE OCTK_AVX512_TARGET static inline __attribute__((always_inline))

/// Four tap rows interleaved for vpdpbusd: dword (lane L, i) of q[j] holds channel 16L + 4j + i's 4 tap bytes.
typedef struct {
  __m512i q[4];
} interleaved;

DW_INLINE interleaved interleave(__m512i a, __m512i b, __m512i c, __m512i d) {
  const __m512i ab_lo = _mm512_unpacklo_epi8(a, b), ab_hi = _mm512_unpackhi_epi8(a, b);
  const __m512i cd_lo = _mm512_unpacklo_epi8(c, d), cd_hi = _mm512_unpackhi_epi8(c, d);
  interleaved v;
  v.q[0] = _mm512_unpacklo_epi16(ab_lo, cd_lo);
  v.q[1] = _mm512_unpackhi_epi16(ab_lo, cd_lo);
  v.q[2] = _mm512_unpacklo_epi16(ab_hi, cd_hi);
  v.q[3] = _mm512_unpackhi_epi16(ab_hi, cd_hi);
  return v;
}

/// acc_j += Σ_k (row_k[c] + 128)·w[k][c] for the channels of Q_j (one group's 256 weight bytes).
DW_INLINE void dot(const interleaved* v, const int8_t* w, __m512i acc[4]) {
  for (int j = 0; j < 4; ++j) acc[j] = _mm512_dpbusd_epi32(acc[j], v->q[j], _mm512_load_si512(w + 64 * j));
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

/// The row of tap k for one step: whole (full), masked (wide tail) or two pixels' halves (narrow tail).
enum { kFull, kMasked, kNarrow };

/// One step's tap rows: pixel r0's (and, narrow, pixel r1's) indirection rows at channel c0.
typedef struct {
  const int8_t* const* r0;
  const int8_t* const* r1;
  int c0;
  __mmask64 m;
} step_rows;

DW_INLINE __m512i load_row(int kind, const step_rows* s, int tap) {
  const __m512i flip = _mm512_set1_epi8((char)0x80);
  const int8_t *r0 = s->r0[tap] + s->c0, *r1 = s->r1[tap] + s->c0;
  if (kind == kFull) return _mm512_xor_si512(_mm512_loadu_si512(r0), flip);
  if (kind == kMasked) return _mm512_xor_si512(_mm512_maskz_loadu_epi8(s->m, r0), flip);
  const __m256i lo = _mm256_maskz_loadu_epi8((__mmask32)s->m, r0), hi = _mm256_maskz_loadu_epi8((__mmask32)s->m, r1);
  return _mm512_xor_si512(_mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1), flip);
}

DW_INLINE __m512i load_row_or_zero(int kind, const step_rows* s, int tap, int taps) {
  return tap < taps ? load_row(kind, s, tap) : _mm512_setzero_si512();
}

/// The accumulators' start: the block's bias' (64c4 order).
DW_INLINE void load_bias(const block_consts* k, __m512i acc[4]) {
  for (int j = 0; j < 4; ++j) acc[j] = _mm512_load_si512(k->bias + 16 * j);
}

/// Requantized and packed into 64 output bytes in channel order.
DW_INLINE __m512i finish(__m512i acc[4], const block_consts* k) {
  __m512i r[4];
  for (int j = 0; j < 4; ++j) r[j] = octk_requant_hi_avx512(acc[j], k->scale[j], k->hi);
  const __m512i r01 = _mm512_adds_epi16(_mm512_packs_epi32(r[0], r[1]), k->z);
  const __m512i r23 = _mm512_adds_epi16(_mm512_packs_epi32(r[2], r[3]), k->z);
  return _mm512_max_epi8(_mm512_packs_epi16(r01, r23), k->lo);
}

/// Any tap count: groups of 4 consecutive taps.
DW_INLINE __m512i step_any(int kind, const step_rows* s, int taps, const block_consts* k) {
  __m512i acc[4];
  load_bias(k, acc);
  for (int t = 0; t < taps; t += 4) {
    const interleaved v = interleave(load_row(kind, s, t), load_row_or_zero(kind, s, t + 1, taps),
                                     load_row_or_zero(kind, s, t + 2, taps), load_row_or_zero(kind, s, t + 3, taps));
    dot(&v, k->w + t * 64, acc);
  }
  return finish(acc, k);
}

/// Column g of a 9-tap window: taps g, g + 3, g + 6 and a zero fourth.
DW_INLINE interleaved column(int kind, const step_rows* s, int g) {
  return interleave(load_row(kind, s, g), load_row(kind, s, g + 3), load_row(kind, s, g + 6), _mm512_setzero_si512());
}

/// How many columns pixel rows r moved from the previous pixel's rows p: 1 when taps {0, 1, 3,
/// 4, 6, 7} of r are taps {1, 2, 4, 5, 7, 8} of p (stride-1 neighbours), 2 when taps {0, 3, 6}
/// are taps {2, 5, 8} (stride 2), else 3 (nothing shared).
DW_INLINE int columns_moved(const int8_t* const* r, const int8_t* const* p) {
  const __m512i now = _mm512_loadu_si512(r);
  if (!_mm512_mask_cmpneq_epi64_mask(0xDB, now, _mm512_loadu_si512(p + 1))) return 1;
  if (!_mm512_mask_cmpneq_epi64_mask(0x49, now, _mm512_loadu_si512(p + 2))) return 2;
  return 3;
}

/// Writes one step's 64 output bytes (narrow: two pixels' 32).
DW_INLINE void store(int kind, __m512i out, int8_t* dst, size_t stride, int pair, int channels, __mmask64 m) {
  if (kind == kFull) {
    _mm512_storeu_si512(dst, out);
  } else if (kind == kMasked) {
    _mm512_mask_storeu_epi8(dst, m, out);
  } else if (channels == 32 && pair) {
    _mm512_storeu_si512(dst, out);  // two whole consecutive pixels
  } else {
    _mm256_mask_storeu_epi8(dst, (__mmask32)m, _mm512_castsi512_si256(out));
    if (pair) _mm256_mask_storeu_epi8(dst + stride, (__mmask32)m, _mm512_extracti64x4_epi64(out, 1));
  }
}

/// One channel block over pixels [begin, end): one pixel per step (two when narrow).
DW_INLINE void run_block(int kind, const octk_qs8_dwconv_packed* p, const int8_t* const* ind, size_t begin, size_t end,
                         int c0, __mmask64 m, const block_consts* k, int8_t* y) {
  const int taps = p->taps, step = kind == kNarrow ? 2 : 1;
  const size_t stride = (size_t)p->channels;
  interleaved col[3];
  for (size_t px = begin; px < end; px += step) {
    const int pair = kind == kNarrow && px + 1 < end;
    const step_rows s = {ind + px * taps, ind + (px + pair) * taps, c0, m};
    __m512i out;
    if (taps == 9) {
      const int moved = kind != kNarrow && px > begin ? columns_moved(s.r0, s.r0 - taps) : 3;
      if (moved == 1) {
        col[0] = col[1];
        col[1] = col[2];
      } else if (moved == 2) {
        col[0] = col[2];
        col[1] = column(kind, &s, 1);
      } else {
        col[0] = column(kind, &s, 0);
        col[1] = column(kind, &s, 1);
      }
      col[2] = column(kind, &s, 2);
      __m512i acc[4];
      load_bias(k, acc);
      for (int g = 0; g < 3; ++g) dot(&col[g], k->w + g * 256, acc);
      out = finish(acc, k);
    } else {
      out = step_any(kind, &s, taps, k);
    }
    store(kind, out, y + px * stride + c0, stride, pair, p->channels, m);
  }
}

OCTK_AVX512_TARGET void octk_qs8_dwconv_64c4__avx512vnni(const octk_qs8_dwconv_packed* p, const int8_t* const* ind,
                                                         size_t pixel_begin, size_t pixel_end, int32_t output_zero_point,
                                                         int32_t lo, int32_t hi, int8_t* y) {
  const int taps = p->taps, channels = p->channels, groups = (taps + 3) / 4;
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
      run_block(kFull, p, ind, pixel_begin, pixel_end, c0, 0, &k, y);
    } else if (valid > 32) {
      run_block(kMasked, p, ind, pixel_begin, pixel_end, c0, ((__mmask64)1 << valid) - 1, &k, y);
    } else {
      const __mmask64 m = valid == 32 ? 0xFFFFFFFFu : (((__mmask64)1 << valid) - 1);
      run_block(kNarrow, p, ind, pixel_begin, pixel_end, c0, m, &k, y);
    }
  }
}
#endif
