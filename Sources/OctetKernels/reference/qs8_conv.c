// int8 convolution, depthwise convolution and fully connected reference kernels.
//
// Accumulation: the spec accumulates Σ (x − z_in)·w + bias in int32; the converter guarantees
// that bias and every partial sum fit. The kernels accumulate in int64 (so nothing can wrap,
// which would be undefined behaviour in int32) and saturate the total to int32 before
// requantization: for every model the converter accepts this equals int32 accumulation, and a
// model that would overflow gets INT32_MIN/INT32_MAX instead of UB. Fast kernels accumulating
// in int32 agree whenever the guarantee holds.
//
// Output: y = octk_requantize(acc, scale[o], z_out, lo, hi) (binary32, octk_qs8.h); lo ≤ hi,
// both inside [−128, 127], is the caller contract, so the int8 store is always in range.
#include "octk_qs8.h"

static inline int32_t sat32(int64_t v) {
  return v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : (int32_t)v);
}

static inline int8_t requant_store(int64_t acc, const octk_qs8_requant* q, size_t o) {
  const int64_t bias = q->bias ? q->bias[o] : 0;
  return (int8_t)octk_requantize(sat32(acc + bias), q->scale[o], q->output_zero_point, q->lo, q->hi);
}

// Conv (NHWC, one image, grouped): y[oy][ox][o] = octk_requantize(Σ_{ky,kx,ci}
// (x[iy][ix][g·cg + ci] − z_in)·w[o][ky][kx][ci] + bias[o], scale[o], z_out, lo, hi) with
// g = o / (out_channels / groups), cg = channels / groups, iy = oy·stride_h − pad_top +
// ky·dilation_h (likewise ix); taps outside the input contribute 0. Sums in int64, saturated
// to int32 (see the file comment). bias may be NULL (= 0).
void octk_qs8_conv_nhwc__reference(const int8_t* x, int channels, int groups, const int8_t* w, int out_channels,
                                   const octk_window* win, const octk_qs8_requant* q, int8_t* y) {
  const int cg = channels / groups, og = out_channels / groups;
  const int32_t zin = q->input_zero_point;
  for (int oy = 0; oy < win->out_h; ++oy) {
    for (int ox = 0; ox < win->out_w; ++ox) {
      int8_t* dst = y + ((size_t)oy * win->out_w + ox) * out_channels;
      for (int o = 0; o < out_channels; ++o) {
        const int c0 = (o / og) * cg;
        const int8_t* wo = w + (size_t)o * win->kernel_h * win->kernel_w * cg;
        int64_t acc = 0;
        for (int ky = 0; ky < win->kernel_h; ++ky) {
          const int iy = oy * win->stride_h - win->pad_top + ky * win->dilation_h;
          if (iy < 0 || iy >= win->in_h) continue;
          for (int kx = 0; kx < win->kernel_w; ++kx) {
            const int ix = ox * win->stride_w - win->pad_left + kx * win->dilation_w;
            if (ix < 0 || ix >= win->in_w) continue;
            const int8_t* src = x + ((size_t)iy * win->in_w + ix) * channels + c0;
            const int8_t* k = wo + ((size_t)ky * win->kernel_w + kx) * cg;
            int64_t s = 0;  // <= cg·255·128, exact in int64 for any realistic cg
            for (int ci = 0; ci < cg; ++ci) s += (int64_t)((int32_t)src[ci] - zin) * k[ci];
            acc += s;
          }
        }
        dst[o] = requant_store(acc, q, (size_t)o);
      }
    }
  }
}

// Depthwise conv (NHWC, one image) with channel multiplier m: output channel o = c·m + j reads
// input channel c; y[oy][ox][o] = octk_requantize(Σ_{ky,kx} (x[iy][ix][c] − z_in)·
// w[ky][kx][o] + bias[o], scale[o], z_out, lo, hi); taps outside the input contribute 0.
// Sums in int64, saturated to int32. bias may be NULL (= 0).
void octk_qs8_dwconv_nhwc__reference(const int8_t* x, int channels, int m, const int8_t* w,
                                     const octk_window* win, const octk_qs8_requant* q, int8_t* y) {
  const int oc = channels * m;
  const int32_t zin = q->input_zero_point;
  for (int oy = 0; oy < win->out_h; ++oy) {
    for (int ox = 0; ox < win->out_w; ++ox) {
      int8_t* dst = y + ((size_t)oy * win->out_w + ox) * oc;
      for (int o = 0; o < oc; ++o) {
        const int c = o / m;
        int64_t acc = 0;
        for (int ky = 0; ky < win->kernel_h; ++ky) {
          const int iy = oy * win->stride_h - win->pad_top + ky * win->dilation_h;
          if (iy < 0 || iy >= win->in_h) continue;
          for (int kx = 0; kx < win->kernel_w; ++kx) {
            const int ix = ox * win->stride_w - win->pad_left + kx * win->dilation_w;
            if (ix < 0 || ix >= win->in_w) continue;
            const int32_t xv = x[((size_t)iy * win->in_w + ix) * channels + c];
            acc += (int64_t)(xv - zin) * w[((size_t)ky * win->kernel_w + kx) * oc + o];
          }
        }
        dst[o] = requant_store(acc, q, (size_t)o);
      }
    }
  }
}

// Fully connected: y[r][n] = octk_requantize(Σ_k (x[r][k] − z_in)·w[n][k] + bias[n],
// scale[n], z_out, lo, hi) for r < rows, n < out; x [rows][k], w [out][k], y [rows][out].
// Sums in int64, saturated to int32. bias may be NULL (= 0).
void octk_qs8_fully_connected__reference(const int8_t* x, size_t rows, size_t k, const int8_t* w, size_t out,
                                         const octk_qs8_requant* q, int8_t* y) {
  const int32_t zin = q->input_zero_point;
  for (size_t r = 0; r < rows; ++r) {
    const int8_t* xr = x + r * k;
    for (size_t n = 0; n < out; ++n) {
      const int8_t* wn = w + n * k;
      int64_t acc = 0;
      for (size_t i = 0; i < k; ++i) acc += (int64_t)((int32_t)xr[i] - zin) * wn[i];
      y[r * out + n] = requant_store(acc, q, n);
    }
  }
}
