// Pooling family (reference/f32_window.c): max pool, average pool (count_include_pad both
// ways), global average / max pool.
//
// Window geometries come in floor and ceil mode (ceil mode makes the last window overhang
// the padded input). Naive references use an explicitly padded NCHW canvas whose cells are
// classified input / declared padding / overhang (tk_canvas): max takes the input cells only
// (padding is −∞), average divides by the input cells, plus the declared padding cells when
// count_include_pad (never the overhang). A window with no counted cell averages to 0.
#include <stdio.h>
#include <string.h>

#include "f32_checks.h"

static void describe_pool(tk_ctx* t, const char* what, int channels, const octk_window* w, int ceil_mode) {
  char ws[160];
  tk_describe(t, "%schannels %d %s mode %s", what, channels, tk_window_str(w, ws, sizeof ws), ceil_mode ? "ceil" : "floor");
}

// ---- max pool --------------------------------------------------------------------------

static void one_maxpool(tk_ctx* t, tk_any_fn fnp, int channels, int k, int s, int d, int ceil_mode) {
  const tk_f32_maxpool_fn fn = (tk_f32_maxpool_fn)fnp;
  tk_rng* r = tk_rand(t);
  octk_window w;
  tk_window_random(r, &w, k, s, d, ceil_mode);
  describe_pool(t, "", channels, &w, ceil_mode);
  const size_t xn = (size_t)w.in_h * w.in_w * channels, on = (size_t)w.out_h * w.out_w * channels;
  float* x = tk_alloc_f32(t, xn);
  float* out = tk_alloc_f32(t, on);
  tk_fill(r, x, xn, -100.0f, -1.0f);  // all negative: a padding 0 must never win
  tk_fill(r, out, on, 50.0f, 60.0f);
  tk_canvas cv;
  tk_canvas_make(t, &cv, x, channels, 0, channels, &w, -INFINITY);
  double* want = tk_alloc_f64(t, on);
  for (int c = 0; c < channels; ++c)
    for (int oy = 0; oy < w.out_h; ++oy)
      for (int ox = 0; ox < w.out_w; ++ox) {
        double m = -INFINITY;
        for (int ky = 0; ky < w.kernel_h; ++ky)
          for (int kx = 0; kx < w.kernel_w; ++kx) {
            const double v = tk_canvas_v(&cv, c, oy * w.stride_h + ky * w.dilation_h, ox * w.stride_w + kx * w.dilation_w);
            if (v > m) m = v;
          }
        want[((size_t)oy * w.out_w + ox) * channels + c] = m;
      }
  fn(x, channels, &w, out);
  tk_end(t, tk_compare(t, "out", out, want, NULL, on, 0, 0,
                       tk_layout_3((size_t)w.out_h, (size_t)w.out_w, (size_t)channels, "oy,ox,c")));
}

void tk_check_f32_maxpool(tk_ctx* t, tk_f32_maxpool_fn fn) {
  tk_window_sweep(t, (tk_any_fn)fn, one_maxpool, 8, 2, 0, 1);  // extra = ceil mode
}

// ---- average pool ----------------------------------------------------------------------

// extra = ceil_mode | count_include_pad << 1.
static void one_avgpool(tk_ctx* t, tk_any_fn fnp, int channels, int k, int s, int d, int extra) {
  const tk_f32_avgpool_fn fn = (tk_f32_avgpool_fn)fnp;
  const int ceil_mode = extra & 1, include_pad = extra >> 1;
  tk_rng* r = tk_rand(t);
  octk_window w;
  tk_window_random(r, &w, k, s, d, ceil_mode);
  describe_pool(t, include_pad ? "count_include_pad=1 " : "count_include_pad=0 ", channels, &w, ceil_mode);
  const size_t xn = (size_t)w.in_h * w.in_w * channels, on = (size_t)w.out_h * w.out_w * channels;
  float* x = tk_alloc_f32(t, xn);
  float* out = tk_alloc_f32(t, on);
  tk_fill(r, x, xn, -1.0f, 1.0f);
  tk_fill(r, out, on, 50.0f, 60.0f);
  tk_canvas cv;
  tk_canvas_make(t, &cv, x, channels, 0, channels, &w, 0.0);
  double* want = tk_alloc_f64(t, on);
  double* scale = tk_alloc_f64(t, on);
  for (int c = 0; c < channels; ++c)
    for (int oy = 0; oy < w.out_h; ++oy)
      for (int ox = 0; ox < w.out_w; ++ox) {
        double sum = 0.0, mag = 0.0;
        int count = 0;
        for (int ky = 0; ky < w.kernel_h; ++ky)
          for (int kx = 0; kx < w.kernel_w; ++kx) {
            const int cy = oy * w.stride_h + ky * w.dilation_h, cx = ox * w.stride_w + kx * w.dilation_w;
            const int cls = tk_canvas_cls(&cv, cy, cx);
            if (cls == 0) {
              sum += tk_canvas_v(&cv, c, cy, cx);
              mag += fabs(tk_canvas_v(&cv, c, cy, cx));
            }
            count += cls == 0 || (cls == 1 && include_pad);
          }
        const size_t at = ((size_t)oy * w.out_w + ox) * channels + c;
        want[at] = count ? sum / count : 0.0;
        scale[at] = count ? mag / count : 0.0;
      }
  fn(x, channels, &w, include_pad, out);
  tk_end(t, tk_compare(t, "out", out, want, scale, on, TK_RTOL, TK_ATOL,
                       tk_layout_3((size_t)w.out_h, (size_t)w.out_w, (size_t)channels, "oy,ox,c")));
}

void tk_check_f32_avgpool(tk_ctx* t, tk_f32_avgpool_fn fn, int count_include_pad) {
  const int extra = count_include_pad ? 2 : 0;  // plus a random ceil mode bit
  tk_window_sweep(t, (tk_any_fn)fn, one_avgpool, 8, 2, extra, extra + 1);
}

// ---- global pool -----------------------------------------------------------------------

static void one_global(tk_ctx* t, tk_f32_global_pool_fn fn, int is_max, int channels, size_t pixels) {
  tk_rng* r = tk_rand(t);
  tk_describe(t, "%s pixels %zu channels %d", is_max ? "max" : "avg", pixels, channels);
  const size_t xn = pixels * (size_t)channels;
  float* x = tk_alloc_f32(t, xn);
  float* out = tk_alloc_f32(t, (size_t)channels);
  tk_fill(r, x, xn, -1.0f, 1.0f);
  tk_fill(r, out, (size_t)channels, 50.0f, 60.0f);
  double* want = tk_alloc_f64(t, (size_t)channels);
  double* scale = tk_alloc_f64(t, (size_t)channels);
  for (int c = 0; c < channels; ++c) {
    double acc = is_max ? -INFINITY : 0.0, mag = 0.0;
    for (size_t p = 0; p < pixels; ++p) {
      const double v = x[p * channels + c];
      if (is_max) acc = v > acc ? v : acc;
      else acc += v, mag += fabs(v);
    }
    want[c] = is_max ? acc : acc / (double)pixels;
    scale[c] = mag / (double)pixels;
  }
  fn(x, pixels, channels, is_max, out);
  tk_end(t, is_max ? tk_compare(t, "out", out, want, NULL, (size_t)channels, 0, 0, tk_layout_3(1, 1, (size_t)channels, "_,_,c"))
                   : tk_compare(t, "out", out, want, scale, (size_t)channels, TK_RTOL, TK_ATOL,
                                tk_layout_3(1, 1, (size_t)channels, "_,_,c")));
}

void tk_check_f32_global_pool(tk_ctx* t, tk_f32_global_pool_fn fn, int is_max) {
  tk_rng* r = tk_rand(t);
  for (int c = 1; c <= 17; ++c) {
    one_global(t, fn, is_max, c, 1);
    for (int i = 0; i < 5; ++i) one_global(t, fn, is_max, c, (size_t)tk_rng_int(r, 2, 90));
  }
  for (int i = 0; i < 20; ++i) one_global(t, fn, is_max, tk_rng_int(r, 18, 300), (size_t)tk_rng_int(r, 1, 400));
}

// ---- reference cases -------------------------------------------------------------------

static void case_maxpool(tk_ctx* t) { tk_check_f32_maxpool(t, octk_f32_maxpool_nhwc); }
static void case_avgpool_excl(tk_ctx* t) { tk_check_f32_avgpool(t, octk_f32_avgpool_nhwc, 0); }
static void case_avgpool_incl(tk_ctx* t) { tk_check_f32_avgpool(t, octk_f32_avgpool_nhwc, 1); }
static void case_global_avg(tk_ctx* t) { tk_check_f32_global_pool(t, octk_f32_global_pool_nhwc, 0); }
static void case_global_max(tk_ctx* t) { tk_check_f32_global_pool(t, octk_f32_global_pool_nhwc, 1); }

static const tk_case kPoolCases[] = {
    {"f32.maxpool", case_maxpool, 0},
    {"f32.avgpool_exclude_pad", case_avgpool_excl, 0},
    {"f32.avgpool_include_pad", case_avgpool_incl, 0},
    {"f32.global_avgpool", case_global_avg, 0},
    {"f32.global_maxpool", case_global_max, 0},
};
TK_REGISTER(kPoolCases)
