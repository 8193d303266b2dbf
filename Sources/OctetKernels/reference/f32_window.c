#include <math.h>
#include <string.h>
#include "octk_f32.h"

static inline float clampf(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }

void octk_f32_im2col_nhwc(const float* x, int channels, int c0, int gc, const octk_window* w, float* cols) {
  const size_t row_len = (size_t)w->kernel_h * w->kernel_w * gc;
  for (int oy = 0; oy < w->out_h; ++oy) {
    for (int ox = 0; ox < w->out_w; ++ox) {
      float* col = cols + ((size_t)oy * w->out_w + ox) * row_len;
      for (int ky = 0; ky < w->kernel_h; ++ky) {
        const int iy = oy * w->stride_h - w->pad_top + ky * w->dilation_h;
        for (int kx = 0; kx < w->kernel_w; ++kx) {
          const int ix = ox * w->stride_w - w->pad_left + kx * w->dilation_w;
          float* dst = col + ((size_t)ky * w->kernel_w + kx) * gc;
          if (iy < 0 || iy >= w->in_h || ix < 0 || ix >= w->in_w) {
            memset(dst, 0, sizeof(float) * gc);
          } else {
            memcpy(dst, x + ((size_t)iy * w->in_w + ix) * channels + c0, sizeof(float) * gc);
          }
        }
      }
    }
  }
}

void octk_f32_col2im_add_nhwc(const float* cols, int go, const octk_window* w, float* out, int out_channels, int o0) {
  const size_t row_len = (size_t)w->kernel_h * w->kernel_w * go;
  for (int iy = 0; iy < w->in_h; ++iy) {
    for (int ix = 0; ix < w->in_w; ++ix) {
      const float* col = cols + ((size_t)iy * w->in_w + ix) * row_len;
      for (int ky = 0; ky < w->kernel_h; ++ky) {
        const int oy = iy * w->stride_h - w->pad_top + ky * w->dilation_h;
        if (oy < 0 || oy >= w->out_h) continue;
        for (int kx = 0; kx < w->kernel_w; ++kx) {
          const int ox = ix * w->stride_w - w->pad_left + kx * w->dilation_w;
          if (ox < 0 || ox >= w->out_w) continue;
          const float* src = col + ((size_t)ky * w->kernel_w + kx) * go;
          float* dst = out + ((size_t)oy * w->out_w + ox) * out_channels + o0;
          for (int o = 0; o < go; ++o) dst[o] += src[o];
        }
      }
    }
  }
}

void octk_f32_dwconv_nhwc(const float* x, int channels, int m, const float* weights, const float* bias,
                          const octk_window* w, float lo, float hi, float* out) {
  const int oc = channels * m;
  for (int oy = 0; oy < w->out_h; ++oy) {
    for (int ox = 0; ox < w->out_w; ++ox) {
      float* dst = out + ((size_t)oy * w->out_w + ox) * oc;
      for (int o = 0; o < oc; ++o) dst[o] = bias ? bias[o] : 0.0f;
      for (int ky = 0; ky < w->kernel_h; ++ky) {
        const int iy = oy * w->stride_h - w->pad_top + ky * w->dilation_h;
        if (iy < 0 || iy >= w->in_h) continue;
        for (int kx = 0; kx < w->kernel_w; ++kx) {
          const int ix = ox * w->stride_w - w->pad_left + kx * w->dilation_w;
          if (ix < 0 || ix >= w->in_w) continue;
          const float* src = x + ((size_t)iy * w->in_w + ix) * channels;
          const float* k = weights + ((size_t)ky * w->kernel_w + kx) * oc;
          if (m == 1) {
            for (int c = 0; c < channels; ++c) dst[c] += src[c] * k[c];
          } else {
            for (int c = 0; c < channels; ++c)
              for (int j = 0; j < m; ++j) dst[c * m + j] += src[c] * k[c * m + j];
          }
        }
      }
      for (int o = 0; o < oc; ++o) dst[o] = clampf(dst[o], lo, hi);
    }
  }
}

void octk_f32_maxpool_nhwc(const float* x, int channels, const octk_window* w, float* out) {
  for (int oy = 0; oy < w->out_h; ++oy) {
    for (int ox = 0; ox < w->out_w; ++ox) {
      float* dst = out + ((size_t)oy * w->out_w + ox) * channels;
      for (int c = 0; c < channels; ++c) dst[c] = -INFINITY;
      for (int ky = 0; ky < w->kernel_h; ++ky) {
        const int iy = oy * w->stride_h - w->pad_top + ky * w->dilation_h;
        if (iy < 0 || iy >= w->in_h) continue;
        for (int kx = 0; kx < w->kernel_w; ++kx) {
          const int ix = ox * w->stride_w - w->pad_left + kx * w->dilation_w;
          if (ix < 0 || ix >= w->in_w) continue;
          const float* src = x + ((size_t)iy * w->in_w + ix) * channels;
          for (int c = 0; c < channels; ++c) dst[c] = src[c] > dst[c] ? src[c] : dst[c];
        }
      }
    }
  }
}

void octk_f32_avgpool_nhwc(const float* x, int channels, const octk_window* w, int count_include_pad, float* out) {
  const int h_limit = w->in_h + w->pad_bottom, w_limit = w->in_w + w->pad_right;
  for (int oy = 0; oy < w->out_h; ++oy) {
    for (int ox = 0; ox < w->out_w; ++ox) {
      float* dst = out + ((size_t)oy * w->out_w + ox) * channels;
      for (int c = 0; c < channels; ++c) dst[c] = 0.0f;
      int taps = 0;
      for (int ky = 0; ky < w->kernel_h; ++ky) {
        const int iy = oy * w->stride_h - w->pad_top + ky * w->dilation_h;
        if (iy >= h_limit) continue;
        for (int kx = 0; kx < w->kernel_w; ++kx) {
          const int ix = ox * w->stride_w - w->pad_left + kx * w->dilation_w;
          if (ix >= w_limit) continue;
          const int inside = iy >= 0 && iy < w->in_h && ix >= 0 && ix < w->in_w;
          if (count_include_pad || inside) ++taps;
          if (!inside) continue;
          const float* src = x + ((size_t)iy * w->in_w + ix) * channels;
          for (int c = 0; c < channels; ++c) dst[c] += src[c];
        }
      }
      const float scale = taps > 0 ? 1.0f / (float)taps : 0.0f;
      for (int c = 0; c < channels; ++c) dst[c] *= scale;
    }
  }
}

void octk_f32_global_pool_nhwc(const float* x, size_t pixels, int channels, int is_max, float* out) {
  for (int c = 0; c < channels; ++c) out[c] = is_max ? -INFINITY : 0.0f;
  for (size_t p = 0; p < pixels; ++p) {
    const float* src = x + p * channels;
    if (is_max) {
      for (int c = 0; c < channels; ++c) out[c] = src[c] > out[c] ? src[c] : out[c];
    } else {
      for (int c = 0; c < channels; ++c) out[c] += src[c];
    }
  }
  if (!is_max && pixels > 0) {
    for (int c = 0; c < channels; ++c) out[c] /= (float)pixels;
  }
}

void octk_f32_resize_nhwc(const float* x, int in_w, int channels, int out_h, int out_w,
                          const int32_t* y0, const int32_t* y1, const float* wy,
                          const int32_t* x0, const int32_t* x1, const float* wx, float* out) {
  for (int oy = 0; oy < out_h; ++oy) {
    const float* r0 = x + (size_t)y0[oy] * in_w * channels;
    const float* r1 = x + (size_t)y1[oy] * in_w * channels;
    const float fy = wy[oy];
    for (int ox = 0; ox < out_w; ++ox) {
      const float fx = wx[ox];
      const float* a = r0 + (size_t)x0[ox] * channels;
      const float* b = r0 + (size_t)x1[ox] * channels;
      const float* c = r1 + (size_t)x0[ox] * channels;
      const float* d = r1 + (size_t)x1[ox] * channels;
      float* dst = out + ((size_t)oy * out_w + ox) * channels;
      for (int ch = 0; ch < channels; ++ch) {
        const float top = a[ch] + (b[ch] - a[ch]) * fx;
        const float bottom = c[ch] + (d[ch] - c[ch]) * fx;
        dst[ch] = top + (bottom - top) * fy;
      }
    }
  }
}
