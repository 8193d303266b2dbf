// Packing of depthwise conv weights (multiplier 1) for the AVX2 "16c2s16" kernel
// (octk_qs8_avx2.h). The packed weights are two sections:
//   1. int16 weights, 16 channels × 2 taps per 64-byte step, taps padded to an even count with
//      0 weights: [blocks][(taps + 1) / 2] steps of two vectors of 8 (w[t][c], w[t+1][c]) pairs
//      for vpmaddwd against the two taps' inputs interleaved by vpunpck{l,h}wd:
//        step [2 v][2 half][4 d][2 tap] int16 = w[2·step + tap][16·block + 8·half + 4·v + d]
//      (vector 0 holds channels [0..3 | 8..11], vector 1 [4..7 | 12..15]: the split order of
//      qs8_requant_avx2.h);
//   2. per block, the bias' and scales already in split order (octk_qs8_dw_block_avx2), so the
//      kernel can walk every block for each pixel.
// bias' = bias − z_in·Σ_t w (signed × signed data path). The bias and scale fields keep their
// channel-order arrays.
#if defined(__x86_64__)
#include <string.h>

#include "octk_qs8_avx2.h"
#include "qs8_dwconv_avx2.h"

static size_t round_up(size_t v, size_t m) { return (v + m - 1) / m * m; }

typedef struct { size_t weights, blocks, params; } dw_sizes;

static dw_sizes sizes_16c2(int channels, int taps) {
  const size_t blocks = ((size_t)channels + OCTK_QS8_DW_NR - 1) / OCTK_QS8_DW_NR;
  dw_sizes s;
  s.weights = round_up(octk_qs8_dw_avx2_weight_bytes(channels, taps), 64);
  s.blocks = round_up(blocks * sizeof(octk_qs8_dw_block_avx2), 64);
  s.params = round_up(blocks * OCTK_QS8_DW_NR * sizeof(int32_t), 64);
  return s;
}

size_t octk_qs8_dwconv_packed_bytes_16c2s16(int channels, int taps) {
  const dw_sizes s = sizes_16c2(channels, taps);
  return s.weights + s.blocks + 2 * s.params + round_up((size_t)channels + 64, 64);
}

OCTK_AVX2_TARGET void octk_qs8_dwconv_pack_16c2s16(const int8_t* w, const octk_qs8_requant* q, int channels, int taps,
                                                   void* storage, octk_qs8_dwconv_packed* out) {
  const dw_sizes s = sizes_16c2(channels, taps);
  const int blocks = (channels + OCTK_QS8_DW_NR - 1) / OCTK_QS8_DW_NR;
  const size_t pairs = ((size_t)taps + 1) / 2;
  uint8_t* base = storage;
  memset(base, 0, octk_qs8_dwconv_packed_bytes_16c2s16(channels, taps));
  int16_t* pw = (int16_t*)base;
  octk_qs8_dw_block_avx2* consts = (octk_qs8_dw_block_avx2*)(base + s.weights);
  int32_t* bias = (int32_t*)(base + s.weights + s.blocks);
  float* scale = (float*)(base + s.weights + s.blocks + s.params);
  int8_t* zero = (int8_t*)(base + s.weights + s.blocks + 2 * s.params);
  for (int c = 0; c < channels; ++c) {
    const int b = c / OCTK_QS8_DW_NR, n = c % OCTK_QS8_DW_NR;
    const int half = n / 8, v = (n % 8) / 4, d = n % 4;
    int64_t sum = 0;
    for (int t = 0; t < taps; ++t) {
      const int8_t wv = w[(size_t)t * channels + c];
      const size_t step = (size_t)b * pairs + (size_t)t / 2;
      pw[step * 2 * OCTK_QS8_DW_NR + (size_t)v * 16 + (size_t)half * 8 + (size_t)d * 2 + (size_t)(t % 2)] = wv;
      sum += wv;
    }
    bias[c] = octk_qs8_folded_bias(q, c, sum, 0);
    scale[c] = q->scale[c];
  }
  for (int b = 0; b < blocks; ++b) {
    const __m256i* pb = (const __m256i*)(bias + b * OCTK_QS8_DW_NR);
    const __m256i* ps = (const __m256i*)(const void*)(scale + b * OCTK_QS8_DW_NR);
    consts[b].bias_lo = octk_split_lo_avx2(pb[0], pb[1]);
    consts[b].bias_hi = octk_split_hi_avx2(pb[0], pb[1]);
    consts[b].scale_lo = _mm256_castsi256_ps(octk_split_lo_avx2(ps[0], ps[1]));
    consts[b].scale_hi = _mm256_castsi256_ps(octk_split_hi_avx2(ps[0], ps[1]));
  }
  memset(zero, (int)(int8_t)q->input_zero_point, (size_t)channels + 64);
  out->channels = channels;
  out->taps = taps;
  out->blocks = blocks;
  out->weights = pw;
  out->bias = bias;
  out->scale = scale;
  out->zero = zero;
  out->weights_above_127 = octk_qs8_any_weight_is_min(w, (size_t)channels * taps);
}
#endif
