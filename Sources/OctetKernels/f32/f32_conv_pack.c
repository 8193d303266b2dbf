// Packing and indirection of the fast fp32 conv kernels (octk_f32_fast.h).
#include <string.h>

#include "octk_f32_fast.h"

static size_t round_up(size_t v, size_t m) { return (v + m - 1) / m * m; }

size_t octk_f32_conv_packed_floats(int groups, int taps, int cg, int og, int nr) {
  const size_t blocks = ((size_t)og + (size_t)nr - 1) / (size_t)nr;
  // Weights, then the bias at a 64-byte boundary.
  return round_up((size_t)groups * blocks * (size_t)taps * (size_t)cg * (size_t)nr, 16) +
         round_up((size_t)groups * blocks * (size_t)nr, 16);
}

void octk_f32_conv_pack(const float* w, ptrdiff_t so, ptrdiff_t st, ptrdiff_t sc, const float* bias, int groups, int taps,
                        int cg, int og, int nr, float* storage, octk_f32_conv_packed* out) {
  const int blocks = (og + nr - 1) / nr;
  const size_t wn = (size_t)groups * blocks * (size_t)taps * (size_t)cg * (size_t)nr;
  float* pw = storage;
  float* pb = storage + round_up(wn, 16);
  for (int g = 0; g < groups; ++g) {
    for (int b = 0; b < blocks; ++b) {
      float* dst = pw + ((size_t)g * blocks + b) * (size_t)taps * cg * nr;
      float* db = pb + ((size_t)g * blocks + b) * nr;
      for (int j = 0; j < nr; ++j) {
        const int o = b * nr + j;
        db[j] = o < og && bias != NULL ? bias[g * og + o] : 0.0f;
      }
      for (int t = 0; t < taps; ++t) {
        for (int c = 0; c < cg; ++c) {
          float* row = dst + ((size_t)t * cg + c) * nr;
          for (int j = 0; j < nr; ++j) {
            const int o = b * nr + j;
            row[j] = o < og ? w[(ptrdiff_t)(g * og + o) * so + (ptrdiff_t)t * st + (ptrdiff_t)c * sc] : 0.0f;
          }
        }
      }
    }
  }
  out->groups = groups;
  out->taps = taps;
  out->cg = cg;
  out->og = og;
  out->nr = nr;
  out->blocks = blocks;
  out->weights = pw;
  out->bias = pb;
}

void octk_f32_conv_indirection(const float* x, size_t pixel_stride, size_t row_stride, const octk_window* win,
                               const float* zero, const float** ind) {
  const int taps = win->kernel_h * win->kernel_w;
  for (int oy = 0; oy < win->out_h; ++oy) {
    for (int ox = 0; ox < win->out_w; ++ox) {
      const float** row = ind + ((size_t)oy * win->out_w + ox) * taps;
      for (int ky = 0; ky < win->kernel_h; ++ky) {
        const int iy = oy * win->stride_h - win->pad_top + ky * win->dilation_h;
        for (int kx = 0; kx < win->kernel_w; ++kx) {
          const int ix = ox * win->stride_w - win->pad_left + kx * win->dilation_w;
          const int inside = iy >= 0 && iy < win->in_h && ix >= 0 && ix < win->in_w;
          row[ky * win->kernel_w + kx] = inside ? x + (size_t)iy * row_stride + (size_t)ix * pixel_stride : zero;
        }
      }
    }
  }
}

size_t octk_f32_dwconv_packed_floats(int channels, int taps) {
  const size_t cpad = round_up((size_t)channels, 16);
  return cpad * (size_t)taps + cpad;
}

void octk_f32_dwconv_pack(const float* w, ptrdiff_t st, ptrdiff_t sc, const float* bias, int channels, int taps,
                          float* storage, octk_f32_dwconv_packed* out) {
  const int cpad = (int)round_up((size_t)channels, 16);
  float* pw = storage;
  float* pb = storage + (size_t)cpad * taps;
  for (int t = 0; t < taps; ++t)
    for (int c = 0; c < cpad; ++c) pw[(size_t)t * cpad + c] = c < channels ? w[(ptrdiff_t)t * st + (ptrdiff_t)c * sc] : 0.0f;
  for (int c = 0; c < cpad; ++c) pb[c] = c < channels && bias != NULL ? bias[c] : 0.0f;
  out->channels = channels;
  out->taps = taps;
  out->cpad = cpad;
  out->weights = pw;
  out->bias = pb;
}

void octk_f32_pad_columns(const float* x, int in_h, int in_w, int channels, int pad_left, int pad_right, float* xp) {
  const size_t c = (size_t)channels, row = ((size_t)pad_left + in_w + pad_right) * c;
  for (int iy = 0; iy < in_h; ++iy) {
    float* dst = xp + (size_t)iy * row;
    memset(dst, 0, (size_t)pad_left * c * sizeof(float));
    memcpy(dst + (size_t)pad_left * c, x + (size_t)iy * in_w * c, (size_t)in_w * c * sizeof(float));
    memset(dst + ((size_t)pad_left + in_w) * c, 0, (size_t)pad_right * c * sizeof(float));
  }
}

// Few source rows (an NCHW image of 1–4 channels to NHWC): one pass over the columns with the
// row count a compile-time constant.
static inline __attribute__((always_inline)) void transpose_few(const size_t rows, size_t cols, const float* src,
                                                               size_t src_ld, float* dst, size_t dst_ld) {
  const float* s[4];
  for (size_t r = 0; r < rows; ++r) s[r] = src + r * src_ld;
  for (size_t c = 0; c < cols; ++c, dst += dst_ld)
    for (size_t r = 0; r < rows; ++r) dst[r] = s[r][c];
}

void octk_f32_transpose(size_t rows, size_t cols, const float* src, size_t src_ld, float* dst, size_t dst_ld) {
  switch (rows) {
    case 1: transpose_few(1, cols, src, src_ld, dst, dst_ld); return;
    case 2: transpose_few(2, cols, src, src_ld, dst, dst_ld); return;
    case 3: transpose_few(3, cols, src, src_ld, dst, dst_ld); return;
    case 4: transpose_few(4, cols, src, src_ld, dst, dst_ld); return;
    default: break;
  }
  enum { B = 32 };
  for (size_t r0 = 0; r0 < rows; r0 += B) {
    const size_t r1 = r0 + B < rows ? r0 + B : rows;
    for (size_t c0 = 0; c0 < cols; c0 += B) {
      const size_t c1 = c0 + B < cols ? c0 + B : cols;
      for (size_t c = c0; c < c1; ++c)
        for (size_t r = r0; r < r1; ++r) dst[c * dst_ld + r] = src[r * src_ld + c];
    }
  }
}
