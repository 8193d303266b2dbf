// Convolution family (reference/f32_window.c): im2col, col2im (transposed-conv scatter) and
// depthwise conv.
//
// Naive references work on an explicitly zero-padded NCHW copy of the input (tk_canvas) and
// index it directly with cy = oy·stride + ky·dilation, with no bounds tests; col2im's
// reference is a *gather* (for each output pixel, which input pixels hit it) where the kernel
// scatters. Sums are taken in double.
#include <stdio.h>
#include <string.h>

#include "f32_checks.h"

// ---- im2col ----------------------------------------------------------------------------

// extra = number of groups; the group tested is random.
static void one_im2col(tk_ctx* t, tk_any_fn fnp, int gc, int k, int s, int d, int groups) {
  const tk_f32_im2col_fn fn = (tk_f32_im2col_fn)fnp;
  tk_rng* r = tk_rand(t);
  octk_window w;
  tk_window_random(r, &w, k, s, d, 0);
  const int channels = gc * groups, c0 = gc * tk_rng_int(r, 0, groups - 1);
  char ws[160];
  tk_describe(t, "channels %d c0 %d group_channels %d %s", channels, c0, gc, tk_window_str(&w, ws, sizeof ws));

  const size_t xn = (size_t)w.in_h * w.in_w * channels;
  const size_t row_len = (size_t)w.kernel_h * w.kernel_w * gc, rows = (size_t)w.out_h * w.out_w;
  float* x = tk_alloc_f32(t, xn);
  float* cols = tk_alloc_f32(t, rows * row_len);
  tk_fill(r, x, xn, -1.0f, 1.0f);
  tk_fill(r, cols, rows * row_len, 50.0f, 60.0f);  // every element must be overwritten

  tk_canvas cv;
  tk_canvas_make(t, &cv, x, channels, c0, gc, &w, 0.0);
  double* want = tk_alloc_f64(t, rows * row_len);
  for (size_t row = 0; row < rows; ++row) {
    const int oy = (int)(row / (size_t)w.out_w), ox = (int)(row % (size_t)w.out_w);
    for (size_t j = 0; j < row_len; ++j) {
      const int c = (int)(j % (size_t)gc);
      const int kx = (int)(j / (size_t)gc % (size_t)w.kernel_w);
      const int ky = (int)(j / ((size_t)gc * w.kernel_w));
      want[row * row_len + j] = tk_canvas_v(&cv, c, oy * w.stride_h + ky * w.dilation_h, ox * w.stride_w + kx * w.dilation_w);
    }
  }
  fn(x, channels, c0, gc, &w, cols);
  tk_end(t, tk_compare(t, "cols", cols, want, NULL, rows * row_len, 0, 0, tk_layout_3(1, rows, row_len, "_,row,col")));
}

void tk_check_f32_im2col(tk_ctx* t, tk_f32_im2col_fn fn) {
  tk_window_sweep(t, (tk_any_fn)fn, one_im2col, 8, 2, 1, 3);  // extra = groups
}

// ---- col2im ----------------------------------------------------------------------------

// extra = number of groups. w.in_* is the transposed conv's input (rows of cols), w.out_* its
// output: (in−1)·stride − pads + dilation·(k−1) + 1 + output_padding (0..stride−1).
static void one_col2im(tk_ctx* t, tk_any_fn fnp, int go, int k, int s, int d, int groups) {
  const tk_f32_col2im_fn fn = (tk_f32_col2im_fn)fnp;
  tk_rng* r = tk_rand(t);
  octk_window w;
  memset(&w, 0, sizeof w);
  int* in[2] = {&w.in_h, &w.in_w};
  int* kk[2] = {&w.kernel_h, &w.kernel_w};
  int* ss[2] = {&w.stride_h, &w.stride_w};
  int* dd[2] = {&w.dilation_h, &w.dilation_w};
  int* p0[2] = {&w.pad_top, &w.pad_left};
  int* p1[2] = {&w.pad_bottom, &w.pad_right};
  int* out[2] = {&w.out_h, &w.out_w};
  for (int a = 0; a < 2; ++a) {
    *in[a] = tk_rng_int(r, 1, 6);
    *kk[a] = k > 0 ? k : tk_rng_int(r, 1, 5);
    *ss[a] = s > 0 ? s : tk_rng_int(r, 1, 3);
    *dd[a] = d > 0 ? d : tk_rng_int(r, 1, 2);
    *p0[a] = tk_rng_int(r, 0, 2);
    *p1[a] = tk_rng_int(r, 0, 2);
    const int out_pad = tk_rng_int(r, 0, *ss[a] - 1);
    const int full = (*in[a] - 1) * *ss[a] + *dd[a] * (*kk[a] - 1) + 1 + out_pad;
    if (full - *p0[a] - *p1[a] < 1) *p0[a] = *p1[a] = 0;
    *out[a] = full - *p0[a] - *p1[a];
  }
  const int out_channels = go * groups, o0 = go * tk_rng_int(r, 0, groups - 1);
  char ws[160];
  tk_describe(t, "out_channels %d o0 %d group_out %d %s", out_channels, o0, go, tk_window_str(&w, ws, sizeof ws));

  const size_t row_len = (size_t)w.kernel_h * w.kernel_w * go, rows = (size_t)w.in_h * w.in_w;
  const size_t on = (size_t)w.out_h * w.out_w * out_channels;
  float* cols = tk_alloc_f32(t, rows * row_len);
  float* o = tk_alloc_f32(t, on);
  tk_fill(r, cols, rows * row_len, -1.0f, 1.0f);
  tk_fill(r, o, on, -1.0f, 1.0f);  // accumulated into; other groups' channels must not change

  double* want = tk_alloc_f64(t, on);
  double* scale = tk_alloc_f64(t, on);
  for (size_t i = 0; i < on; ++i) want[i] = o[i], scale[i] = fabs(o[i]);
  for (int oy = 0; oy < w.out_h; ++oy)
    for (int ox = 0; ox < w.out_w; ++ox)
      for (int oc = 0; oc < go; ++oc) {
        const size_t at = ((size_t)oy * w.out_w + ox) * out_channels + o0 + oc;
        for (int ky = 0; ky < w.kernel_h; ++ky) {
          const int ty = oy + w.pad_top - ky * w.dilation_h;  // = iy·stride_h
          if (ty < 0 || ty % w.stride_h || ty / w.stride_h >= w.in_h) continue;
          for (int kx = 0; kx < w.kernel_w; ++kx) {
            const int tx = ox + w.pad_left - kx * w.dilation_w;
            if (tx < 0 || tx % w.stride_w || tx / w.stride_w >= w.in_w) continue;
            const size_t row = (size_t)(ty / w.stride_h) * w.in_w + (size_t)(tx / w.stride_w);
            const double v = cols[row * row_len + ((size_t)ky * w.kernel_w + kx) * go + oc];
            want[at] += v;
            scale[at] += fabs(v);
          }
        }
      }
  fn(cols, go, &w, o, out_channels, o0);
  tk_end(t, tk_compare(t, "out", o, want, scale, on, TK_RTOL, TK_ATOL,
                       tk_layout_3((size_t)w.out_h, (size_t)w.out_w, (size_t)out_channels, "oy,ox,c")));
}

void tk_check_f32_col2im(tk_ctx* t, tk_f32_col2im_fn fn) {
  tk_window_sweep(t, (tk_any_fn)fn, one_col2im, 8, 2, 1, 3);  // extra = groups
}

// ---- depthwise conv --------------------------------------------------------------------

// extra = channel multiplier (0 = random 1..3).
static void one_dwconv(tk_ctx* t, tk_any_fn fnp, int channels, int k, int s, int d, int m) {
  const tk_f32_dwconv_fn fn = (tk_f32_dwconv_fn)fnp;
  tk_rng* r = tk_rand(t);
  if (m <= 0) m = tk_rng_int(r, 1, 3);
  octk_window w;
  tk_window_random(r, &w, k, s, d, 0);
  const int has_bias = !tk_rng_chance(r, 1, 4);
  float lo, hi;
  tk_random_clamp(r, &lo, &hi);
  char ws[160], cl[64];
  tk_describe(t, "channels %d multiplier %d bias %s %s %s", channels, m, has_bias ? "yes" : "NULL",
              tk_window_str(&w, ws, sizeof ws), tk_clamp_str(lo, hi, cl, sizeof cl));

  const int oc = channels * m;
  const size_t xn = (size_t)w.in_h * w.in_w * channels, kn = (size_t)w.kernel_h * w.kernel_w * oc;
  const size_t on = (size_t)w.out_h * w.out_w * oc;
  float* x = tk_alloc_f32(t, xn);
  float* wt = tk_alloc_f32(t, kn);
  float* bias = has_bias ? tk_alloc_f32(t, (size_t)oc) : NULL;
  float* out = tk_alloc_f32(t, on);
  tk_fill(r, x, xn, -1.0f, 1.0f);
  tk_fill(r, wt, kn, -1.0f, 1.0f);
  if (bias) tk_fill(r, bias, (size_t)oc, -1.0f, 1.0f);
  tk_fill(r, out, on, 50.0f, 60.0f);

  // Weights to [oc][ky][kx] (OIHW-style), input to a padded NCHW canvas.
  double* wk = tk_alloc_f64(t, kn);
  for (int o = 0; o < oc; ++o)
    for (int ky = 0; ky < w.kernel_h; ++ky)
      for (int kx = 0; kx < w.kernel_w; ++kx)
        wk[((size_t)o * w.kernel_h + ky) * w.kernel_w + kx] = wt[((size_t)ky * w.kernel_w + kx) * oc + o];
  tk_canvas cv;
  tk_canvas_make(t, &cv, x, channels, 0, channels, &w, 0.0);

  double* want = tk_alloc_f64(t, on);
  double* scale = tk_alloc_f64(t, on);
  for (int o = 0; o < oc; ++o) {
    const int c = o / m;
    for (int oy = 0; oy < w.out_h; ++oy)
      for (int ox = 0; ox < w.out_w; ++ox) {
        double acc = bias ? bias[o] : 0.0, mag = fabs(acc);
        for (int ky = 0; ky < w.kernel_h; ++ky)
          for (int kx = 0; kx < w.kernel_w; ++kx) {
            const double term = tk_canvas_v(&cv, c, oy * w.stride_h + ky * w.dilation_h, ox * w.stride_w + kx * w.dilation_w) *
                                wk[((size_t)o * w.kernel_h + ky) * w.kernel_w + kx];
            acc += term;
            mag += fabs(term);
          }
        const size_t at = ((size_t)oy * w.out_w + ox) * oc + o;
        want[at] = tk_clampd(acc, lo, hi);
        scale[at] = mag;
      }
  }
  fn(x, channels, m, wt, bias, &w, lo, hi, out);
  tk_end(t, tk_compare(t, "out", out, want, scale, on, TK_RTOL, TK_ATOL,
                       tk_layout_3((size_t)w.out_h, (size_t)w.out_w, (size_t)oc, "oy,ox,oc")));
}

void tk_check_f32_dwconv(tk_ctx* t, tk_f32_dwconv_fn fn) {
  for (int m = 1; m <= 3; ++m)
    for (int c = 1; c <= 17; ++c)
      for (int i = 0; i < 4; ++i) one_dwconv(t, (tk_any_fn)fn, c, 0, 0, 0, m);
  tk_window_sweep(t, (tk_any_fn)fn, one_dwconv, 0, 3, 1, 3);
}

// ---- reference cases -------------------------------------------------------------------

static void case_im2col(tk_ctx* t) { tk_check_f32_im2col(t, octk_f32_im2col_nhwc); }
static void case_col2im(tk_ctx* t) { tk_check_f32_col2im(t, octk_f32_col2im_add_nhwc); }
static void case_dwconv(tk_ctx* t) { tk_check_f32_dwconv(t, octk_f32_dwconv_nhwc); }

static const tk_case kConvCases[] = {
    {"f32.im2col", case_im2col, 0},
    {"f32.col2im_add", case_col2im, 0},
    {"f32.dwconv", case_dwconv, 0},
};
TK_REGISTER(kConvCases)
