// Packing of conv weights for the AVX2 "16c4s16" indirect-GEMM kernels (octk_qs8_avx2.h):
// int16 weights, 16 output channels × 4 input channels per 128-byte step, laid out for
// vpmaddwd against 4 sign-extended input bytes repeated over the register:
//   step [4 j][2 half][2 s][4 k] int16 = w[channel 8·half + 2·j + s][input channel 4·step + k]
// so that accumulator j holds channels (2j, 2j+1 | 8+2j, 9+2j), two partial sums each, and one
// vphaddd of accumulators (0, 1) and of (2, 3) gives the split order [0..3 | 8..11],
// [4..7 | 12..15] of qs8_requant_avx2.h. The data path is signed × signed, so the bias folds
// only the input zero point: bias' = bias − z_in·Σ w.
#if defined(__x86_64__)
#include <string.h>

#include "octk_qs8_avx2.h"

static size_t round_up(size_t v, size_t m) { return (v + m - 1) / m * m; }

// Section sizes of one packed conv, each rounded to 64 bytes.
typedef struct { size_t weights, params, zero; } packed_sizes;

static packed_sizes sizes_16c4(int groups, int taps, int cg, int og) {
  const size_t blocks = ((size_t)og + OCTK_QS8_16C4S16_NR - 1) / OCTK_QS8_16C4S16_NR;
  const size_t cg4 = round_up((size_t)cg, OCTK_QS8_16C4S16_KR);
  packed_sizes s;
  s.weights = round_up((size_t)groups * blocks * (size_t)taps * cg4 * OCTK_QS8_16C4S16_NR * sizeof(int16_t), 64);
  s.params = round_up((size_t)groups * blocks * OCTK_QS8_16C4S16_NR * sizeof(int32_t), 64);
  s.zero = round_up((size_t)groups * (size_t)cg + 64, 64);
  return s;
}

size_t octk_qs8_conv_packed_bytes_16c4s16(int groups, int taps, int cg, int og) {
  const packed_sizes s = sizes_16c4(groups, taps, cg, og);
  return s.weights + 3 * s.params + s.zero;
}

void octk_qs8_conv_pack_16c4s16(const int8_t* w, const octk_qs8_requant* q, int groups, int taps, int cg, int og,
                                void* storage, octk_qs8_conv_packed* out) {
  const packed_sizes s = sizes_16c4(groups, taps, cg, og);
  uint8_t* base = storage;
  memset(base, 0, octk_qs8_conv_packed_bytes_16c4s16(groups, taps, cg, og));
  int16_t* pw = (int16_t*)base;
  int32_t* bias = (int32_t*)(base + s.weights);
  int32_t* mult = (int32_t*)(base + s.weights + s.params);
  int32_t* shift = (int32_t*)(base + s.weights + 2 * s.params);
  int8_t* zero = (int8_t*)(base + s.weights + 3 * s.params);
  const int cg4 = (int)round_up((size_t)cg, OCTK_QS8_16C4S16_KR);
  const int blocks = (og + OCTK_QS8_16C4S16_NR - 1) / OCTK_QS8_16C4S16_NR;
  const int32_t zin = q->input_zero_point;
  for (int g = 0; g < groups; ++g) {
    for (int b = 0; b < blocks; ++b) {
      const size_t pb = (size_t)g * blocks + b;
      int16_t* dst = pw + pb * (size_t)taps * cg4 * OCTK_QS8_16C4S16_NR;
      for (int n = 0; n < OCTK_QS8_16C4S16_NR; ++n) {
        const int j = b * OCTK_QS8_16C4S16_NR + n;
        if (j >= og) continue;
        const int o = g * og + j;
        // Position of channel n inside a step: n = 8·half + 2·jj + s.
        const int half = n / 8, jj = (n % 8) / 2, sl = n % 2;
        const size_t lane = (size_t)jj * 16 + (size_t)half * 8 + (size_t)sl * 4;
        const int8_t* src = w + (size_t)o * taps * cg;
        int64_t sum = 0;
        for (int t = 0; t < taps; ++t) {
          for (int c = 0; c < cg; ++c) {
            const int8_t v = src[(size_t)t * cg + c];
            sum += v;
            dst[((size_t)t * cg4 + (c & ~3)) * OCTK_QS8_16C4S16_NR + lane + (c & 3)] = v;
          }
        }
        bias[pb * OCTK_QS8_16C4S16_NR + n] = octk_qs8_folded_bias(q, o, sum, 0);
        mult[pb * OCTK_QS8_16C4S16_NR + n] = q->multiplier[o];
        shift[pb * OCTK_QS8_16C4S16_NR + n] = octk_qs8_clamp_shift(q->shift[o]);
      }
    }
  }
  memset(zero, (int)(int8_t)zin, (size_t)groups * cg + 64);
  out->groups = groups;
  out->taps = taps;
  out->cg = cg;
  out->cg4 = cg4;
  out->og = og;
  out->blocks = blocks;
  out->channels = groups * cg;
  out->weights = (const int8_t*)pw;
  out->bias = bias;
  out->multiplier = mult;
  out->shift = shift;
  out->zero = zero;
}
#endif
