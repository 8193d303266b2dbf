// Packing and indirection for the 32c4 indirect-GEMM conv kernels (octk_qs8_igemm.h).
#include <string.h>

#include "octk_qs8_igemm.h"

static size_t round_up(size_t v, size_t m) { return (v + m - 1) / m * m; }

// Section sizes of one packed conv, each rounded to 64 bytes.
typedef struct { size_t weights, params, zero; } packed_sizes;

static packed_sizes sizes_32c4(int groups, int taps, int cg, int og) {
  const size_t blocks = ((size_t)og + OCTK_QS8_32C4_NR - 1) / OCTK_QS8_32C4_NR;
  const size_t cg4 = round_up((size_t)cg, OCTK_QS8_32C4_KR);
  packed_sizes s;
  s.weights = round_up((size_t)groups * blocks * (size_t)taps * cg4 * OCTK_QS8_32C4_NR, 64);
  s.params = round_up((size_t)groups * blocks * OCTK_QS8_32C4_NR * sizeof(int32_t), 64);
  s.zero = round_up((size_t)groups * (size_t)cg + 64, 64);
  return s;
}

size_t octk_qs8_conv_packed_bytes_32c4(int groups, int taps, int cg, int og) {
  const packed_sizes s = sizes_32c4(groups, taps, cg, og);
  return s.weights + 3 * s.params + s.zero;
}

void octk_qs8_conv_pack_32c4(const int8_t* w, const octk_qs8_requant* q, int groups, int taps, int cg, int og,
                             void* storage, octk_qs8_conv_packed* out) {
  const packed_sizes s = sizes_32c4(groups, taps, cg, og);
  uint8_t* base = storage;
  memset(base, 0, octk_qs8_conv_packed_bytes_32c4(groups, taps, cg, og));
  int8_t* pw = (int8_t*)base;
  int32_t* bias = (int32_t*)(base + s.weights);
  int32_t* mult = (int32_t*)(base + s.weights + s.params);
  int32_t* shift = (int32_t*)(base + s.weights + 2 * s.params);
  int8_t* zero = (int8_t*)(base + s.weights + 3 * s.params);
  const int cg4 = (int)round_up((size_t)cg, OCTK_QS8_32C4_KR);
  const int blocks = (og + OCTK_QS8_32C4_NR - 1) / OCTK_QS8_32C4_NR;
  const int32_t zin = q->input_zero_point;
  for (int g = 0; g < groups; ++g) {
    for (int b = 0; b < blocks; ++b) {
      const size_t pb = (size_t)g * blocks + b;
      int8_t* dst = pw + pb * (size_t)taps * cg4 * OCTK_QS8_32C4_NR;
      for (int n = 0; n < OCTK_QS8_32C4_NR; ++n) {
        const int j = b * OCTK_QS8_32C4_NR + n;
        if (j >= og) continue;
        const int o = g * og + j;
        const int8_t* src = w + (size_t)o * taps * cg;
        int64_t sum = 0;
        for (int t = 0; t < taps; ++t) {
          for (int c = 0; c < cg; ++c) {
            const int8_t v = src[(size_t)t * cg + c];
            sum += v;
            // [taps][cg4/4][32][4]: step (t, c/4), lane n, byte c%4.
            dst[(((size_t)t * cg4 + (c & ~3)) * OCTK_QS8_32C4_NR) + (size_t)n * 4 + (c & 3)] = v;
          }
        }
        bias[pb * OCTK_QS8_32C4_NR + n] = octk_qs8_folded_bias(q, o, sum, 128);
        mult[pb * OCTK_QS8_32C4_NR + n] = q->multiplier[o];
        shift[pb * OCTK_QS8_32C4_NR + n] = octk_qs8_clamp_shift(q->shift[o]);
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
  out->weights = pw;
  out->bias = bias;
  out->multiplier = mult;
  out->shift = shift;
  out->zero = zero;
}

void octk_qs8_conv_indirection(const int8_t* x, int channels, const octk_window* win, const int8_t* zero,
                               const int8_t** ind) {
  const int taps = win->kernel_h * win->kernel_w;
  for (int oy = 0; oy < win->out_h; ++oy) {
    for (int ox = 0; ox < win->out_w; ++ox) {
      const int8_t** row = ind + ((size_t)oy * win->out_w + ox) * taps;
      for (int ky = 0; ky < win->kernel_h; ++ky) {
        const int iy = oy * win->stride_h - win->pad_top + ky * win->dilation_h;
        for (int kx = 0; kx < win->kernel_w; ++kx) {
          const int ix = ox * win->stride_w - win->pad_left + kx * win->dilation_w;
          const int inside = iy >= 0 && iy < win->in_h && ix >= 0 && ix < win->in_w;
          row[ky * win->kernel_w + kx] = inside ? x + ((size_t)iy * win->in_w + ix) * channels : zero;
        }
      }
    }
  }
}
