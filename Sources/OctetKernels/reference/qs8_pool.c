// int8 pooling reference kernels (NHWC, one image, same window conventions as the fp32
// kernels in f32_window.c).
#include "octk_qs8.h"

// Max pool: y[oy][ox][c] = max over the taps inside the input of x[iy][ix][c] (input and output
// share scale and zero point, so the max commutes with dequantization). Padding never wins; a
// window with no tap inside the input (possible with large padding or ceil-mode overhang)
// yields −128, the int8 image of the fp32 kernel's −∞.
void octk_qs8_maxpool_nhwc__reference(const int8_t* x, int channels, const octk_window* win, int8_t* y) {
  for (int oy = 0; oy < win->out_h; ++oy) {
    for (int ox = 0; ox < win->out_w; ++ox) {
      int8_t* dst = y + ((size_t)oy * win->out_w + ox) * channels;
      for (int c = 0; c < channels; ++c) dst[c] = INT8_MIN;
      for (int ky = 0; ky < win->kernel_h; ++ky) {
        const int iy = oy * win->stride_h - win->pad_top + ky * win->dilation_h;
        if (iy < 0 || iy >= win->in_h) continue;
        for (int kx = 0; kx < win->kernel_w; ++kx) {
          const int ix = ox * win->stride_w - win->pad_left + kx * win->dilation_w;
          if (ix < 0 || ix >= win->in_w) continue;
          const int8_t* src = x + ((size_t)iy * win->in_w + ix) * channels;
          for (int c = 0; c < channels; ++c) dst[c] = src[c] > dst[c] ? src[c] : dst[c];
        }
      }
    }
  }
}

// Integer division rounded to nearest, ties away from zero (den > 0).
static inline int64_t div_round_half_away(int64_t num, int64_t den) {
  const int64_t mag = num >= 0 ? num : -num;
  const int64_t q = (2 * mag + den) / (2 * den);  // floor(mag/den + 1/2)
  return num >= 0 ? q : -q;
}

// Average pool: y[oy][ox][c] = clamp(round_half_away(S / count), −128, 127) where S is the sum
// of the raw int8 values x[iy][ix][c] over the taps inside the input (taps in the padding add
// nothing) and count is the f32 kernel's divisor: the taps inside the input, or with
// count_include_pad the taps inside the padded extent [−pad, in + pad_end) (the ceil-mode
// overhang beyond it is never counted). A window with count 0 yields 0. S and count are exact
// integers (int64), so the rounding is exact.
void octk_qs8_avgpool_nhwc__reference(const int8_t* x, int channels, const octk_window* win, int count_include_pad,
                                      int32_t zero_point, int8_t* y) {
  const int h_limit = win->in_h + win->pad_bottom, w_limit = win->in_w + win->pad_right;
  for (int oy = 0; oy < win->out_h; ++oy) {
    for (int ox = 0; ox < win->out_w; ++ox) {
      int8_t* dst = y + ((size_t)oy * win->out_w + ox) * channels;
      for (int c = 0; c < channels; ++c) {
        int64_t sum = 0, count = 0;
        for (int ky = 0; ky < win->kernel_h; ++ky) {
          const int iy = oy * win->stride_h - win->pad_top + ky * win->dilation_h;
          if (iy >= h_limit) continue;
          for (int kx = 0; kx < win->kernel_w; ++kx) {
            const int ix = ox * win->stride_w - win->pad_left + kx * win->dilation_w;
            if (ix >= w_limit) continue;
            const int inside = iy >= 0 && iy < win->in_h && ix >= 0 && ix < win->in_w;
            if (inside || count_include_pad) ++count;
            if (inside) sum += x[((size_t)iy * win->in_w + ix) * channels + c] - zero_point;
          }
        }
        int64_t v = zero_point + (count > 0 ? div_round_half_away(sum, count) : 0);
        if (v < -128) v = -128;
        if (v > 127) v = 127;
        dst[c] = (int8_t)v;
      }
    }
  }
}

// Global average pool over x[pixels][channels]: y[c] = octk_requantize(Σ_p x[p][c] − pixels·z_in,
// scale, z_out, −128, 127) with scale = s_in / (s_out·pixels) (binary32, octk_qs8.h). The sum is
// formed in int64 and saturated to int32 (it fits int32 for any pixels < 2^23, which the
// converter guarantees); (float)sum rounds to nearest even past 2^24, as cvtdq2ps / scvtf do.
void octk_qs8_global_avgpool_nhwc__reference(const int8_t* x, size_t pixels, int channels, int32_t input_zero_point,
                                             int32_t output_zero_point, float scale, int8_t* y) {
  for (int c = 0; c < channels; ++c) {
    int64_t sum = 0;
    for (size_t p = 0; p < pixels; ++p) sum += x[p * (size_t)channels + c];
    sum -= (int64_t)pixels * input_zero_point;
    const int32_t acc = sum > INT32_MAX ? INT32_MAX : (sum < INT32_MIN ? INT32_MIN : (int32_t)sum);
    y[c] = (int8_t)octk_requantize(acc, scale, output_zero_point, -128, 127);
  }
}
