// int8 pooling family (reference/qs8_pool.c): max pool, average pool (count_include_pad both
// ways, floor and ceil mode), global average pool — bit-exact against naive references.
//
// Window references use the padded NCHW canvas of the harness (tk_canvas) with its cell
// classes: input / declared padding / ceil-mode overhang. Max takes the input cells only
// (−128 when there are none); average sums the raw int8 input cells in int64 and divides by
// the input cells (+ the declared padding cells when count_include_pad, never the overhang)
// with C's round() on a double quotient (exact: |sum| < 2^20, count < 2^10, so a non-tie
// quotient is at least 2^−11 away from a half-integer), 0 when nothing is counted. Global
// average pool: int64 sum minus pixels·z_in, saturated to int32, requantized by the binary32
// oracle (tk_ref_output) with scales s_in/(s_out·pixels), sometimes a power of two (exact ties
// x.5), or edge ones (0, up to 2^32, down to 2^−149). Inputs include all-extreme tensors
// (every value −128 or 127) and windows lying entirely in the padding.
#include <stdio.h>
#include <string.h>

#include "harness.h"

// Shared helpers (test_qs8_requantize.c).
int8_t tk_ref_output(int64_t acc, float scale, int32_t z_out, int32_t lo, int32_t hi);
int8_t* tk_s8_alloc(tk_ctx* t, size_t n);
int tk_s8_end(tk_ctx* t, int ok);
void tk_s8_fill(tk_rng* r, int8_t* p, size_t n, int lo, int hi);
int tk_s8_compare(tk_ctx* t, const char* what, const int8_t* got, const int8_t* want, size_t n, tk_layout layout);
float tk_qs8_random_scale(tk_rng* r, double real, int edge_num, int edge_den);
int32_t tk_qs8_random_zero_point(tk_rng* r);

typedef void (*tk_qs8_maxpool_fn)(const int8_t* x, int channels, const octk_window* win, int8_t* y);
typedef void (*tk_qs8_avgpool_fn)(const int8_t* x, int channels, const octk_window* win, int count_include_pad,
                                  int32_t zero_point, int8_t* y);
typedef void (*tk_qs8_global_avgpool_fn)(const int8_t* x, size_t pixels, int channels, int32_t input_zero_point,
                                         int32_t output_zero_point, float scale, int8_t* y);

static void fill_input(tk_rng* r, int8_t* x, size_t n, int* mode) {
  *mode = tk_rng_int(r, 0, 7);
  if (*mode == 0) {
    for (size_t i = 0; i < n; ++i) x[i] = tk_rng_chance(r, 1, 2) ? -128 : 127;
  } else if (*mode == 1) {
    memset(x, 0x80, n);  // all −128: the lowest value must still beat the (absent) padding
  } else if (*mode == 2) {
    tk_s8_fill(r, x, n, -3, 3);  // many exact ties in the average
  } else {
    tk_s8_fill(r, x, n, -128, 127);
  }
}

static const char* const kFillNames[] = {"extreme", "all -128", "small", "uniform", "uniform", "uniform", "uniform",
                                         "uniform"};

static float* to_float(tk_ctx* t, const int8_t* x, size_t n) {
  float* f = tk_alloc(t, sizeof(float) * (n ? n : 1));
  for (size_t i = 0; i < n; ++i) f[i] = x[i];
  return f;
}

/// Window with a few outputs lying entirely in the padding (kernel 1, padding 2, stride 1).
static void padding_only_window(tk_rng* r, octk_window* w, int ceil_mode) {
  memset(w, 0, sizeof *w);
  w->in_h = tk_rng_int(r, 1, 4);
  w->in_w = tk_rng_int(r, 1, 4);
  w->kernel_h = w->kernel_w = 1;
  w->stride_h = w->stride_w = 1;
  w->dilation_h = w->dilation_w = 1;
  w->pad_top = w->pad_left = w->pad_bottom = w->pad_right = 2;
  w->out_h = tk_window_out(w->in_h, 1, 1, 1, 2, 2, ceil_mode);
  w->out_w = tk_window_out(w->in_w, 1, 1, 1, 2, 2, ceil_mode);
}

// ---- max pool --------------------------------------------------------------------------

static void one_maxpool_window(tk_ctx* t, tk_qs8_maxpool_fn fn, int channels, const octk_window* w, int ceil_mode) {
  tk_rng* r = tk_rand(t);
  const size_t xn = (size_t)w->in_h * w->in_w * channels, yn = (size_t)w->out_h * w->out_w * channels;
  int8_t* x = tk_s8_alloc(t, xn);
  int8_t* y = tk_s8_alloc(t, yn);
  int8_t* want = tk_alloc(t, yn + 1);
  int mode;
  fill_input(r, x, xn, &mode);
  tk_s8_fill(r, y, yn, -128, 127);
  char ws[160];
  tk_describe(t, "channels %d %s mode %s input %s", channels, tk_window_str(w, ws, sizeof ws), ceil_mode ? "ceil" : "floor",
              kFillNames[mode]);
  tk_canvas cv;
  tk_canvas_make(t, &cv, to_float(t, x, xn), channels, 0, channels, w, 0.0);
  for (int c = 0; c < channels; ++c)
    for (int oy = 0; oy < w->out_h; ++oy)
      for (int ox = 0; ox < w->out_w; ++ox) {
        int m = -128;  // no input cell: −128
        for (int ky = 0; ky < w->kernel_h; ++ky)
          for (int kx = 0; kx < w->kernel_w; ++kx) {
            const int cy = oy * w->stride_h + ky * w->dilation_h, cx = ox * w->stride_w + kx * w->dilation_w;
            if (tk_canvas_cls(&cv, cy, cx) != 0) continue;
            const int v = (int)tk_canvas_v(&cv, c, cy, cx);
            if (v > m) m = v;
          }
        want[((size_t)oy * w->out_w + ox) * channels + c] = (int8_t)m;
      }
  fn(x, channels, w, y);
  tk_s8_end(t, tk_s8_compare(t, "y", y, want, yn,
                             tk_layout_3((size_t)w->out_h, (size_t)w->out_w, (size_t)channels, "oy,ox,c")));
}

static void one_maxpool(tk_ctx* t, tk_any_fn fnp, int channels, int k, int s, int d, int ceil_mode) {
  octk_window w;
  tk_window_random(tk_rand(t), &w, k, s, d, ceil_mode);
  one_maxpool_window(t, (tk_qs8_maxpool_fn)fnp, channels, &w, ceil_mode);
}

void tk_check_qs8_maxpool(tk_ctx* t, tk_qs8_maxpool_fn fn) {
  tk_window_sweep(t, (tk_any_fn)fn, one_maxpool, 10, 3, 0, 1);  // extra = ceil mode
  for (int i = 0; i < 10; ++i) {
    octk_window w;
    const int ceil_mode = i % 2;
    padding_only_window(tk_rand(t), &w, ceil_mode);
    one_maxpool_window(t, fn, tk_rng_int(tk_rand(t), 1, 17), &w, ceil_mode);
  }
}

// ---- average pool ----------------------------------------------------------------------

static void one_avgpool_window(tk_ctx* t, tk_qs8_avgpool_fn fn, int channels, const octk_window* w, int ceil_mode,
                               int include_pad) {
  tk_rng* r = tk_rand(t);
  const size_t xn = (size_t)w->in_h * w->in_w * channels, yn = (size_t)w->out_h * w->out_w * channels;
  int8_t* x = tk_s8_alloc(t, xn);
  int8_t* y = tk_s8_alloc(t, yn);
  int8_t* want = tk_alloc(t, yn + 1);
  int mode;
  fill_input(r, x, xn, &mode);
  tk_s8_fill(r, y, yn, -128, 127);
  char ws[160];
  tk_describe(t, "count_include_pad=%d channels %d %s mode %s input %s (zero point drawn below)", include_pad, channels,
              tk_window_str(w, ws, sizeof ws), ceil_mode ? "ceil" : "floor", kFillNames[mode]);
  // Real values: padding is real 0, i.e. the zero point.
  const int32_t z = tk_qs8_random_zero_point(r);
  tk_canvas cv;
  tk_canvas_make(t, &cv, to_float(t, x, xn), channels, 0, channels, w, 0.0);
  for (int c = 0; c < channels; ++c)
    for (int oy = 0; oy < w->out_h; ++oy)
      for (int ox = 0; ox < w->out_w; ++ox) {
        int64_t sum = 0;
        int count = 0;
        for (int ky = 0; ky < w->kernel_h; ++ky)
          for (int kx = 0; kx < w->kernel_w; ++kx) {
            const int cy = oy * w->stride_h + ky * w->dilation_h, cx = ox * w->stride_w + kx * w->dilation_w;
            const int cls = tk_canvas_cls(&cv, cy, cx);
            if (cls == 0) sum += (int64_t)tk_canvas_v(&cv, c, cy, cx) - z;
            count += cls == 0 || (cls == 1 && include_pad);
          }
        const double v = z + (count ? round((double)sum / count) : 0.0);
        want[((size_t)oy * w->out_w + ox) * channels + c] = (int8_t)tk_clampd(v, -128.0, 127.0);
      }
  fn(x, channels, w, include_pad, z, y);
  tk_s8_end(t, tk_s8_compare(t, "y", y, want, yn,
                             tk_layout_3((size_t)w->out_h, (size_t)w->out_w, (size_t)channels, "oy,ox,c")));
}

// extra = ceil_mode | count_include_pad << 1.
static void one_avgpool(tk_ctx* t, tk_any_fn fnp, int channels, int k, int s, int d, int extra) {
  octk_window w;
  tk_window_random(tk_rand(t), &w, k, s, d, extra & 1);
  one_avgpool_window(t, (tk_qs8_avgpool_fn)fnp, channels, &w, extra & 1, extra >> 1);
}

void tk_check_qs8_avgpool(tk_ctx* t, tk_qs8_avgpool_fn fn, int count_include_pad) {
  const int extra = count_include_pad ? 2 : 0;  // plus a random ceil mode bit
  tk_window_sweep(t, (tk_any_fn)fn, one_avgpool, 10, 3, extra, extra + 1);
  for (int i = 0; i < 10; ++i) {
    octk_window w;
    const int ceil_mode = i % 2;
    padding_only_window(tk_rand(t), &w, ceil_mode);
    one_avgpool_window(t, fn, tk_rng_int(tk_rand(t), 1, 17), &w, ceil_mode, count_include_pad);
  }
}

// ---- global average pool ---------------------------------------------------------------

static void one_global(tk_ctx* t, tk_qs8_global_avgpool_fn fn, size_t pixels, int channels, int extreme) {
  tk_rng* r = tk_rand(t);
  int32_t z_in = tk_qs8_random_zero_point(r), z_out = tk_qs8_random_zero_point(r);
  const int edge = tk_rng_chance(r, 1, 5);
  // s_in / (s_out·pixels) with s_in / s_out in [1/4, 4] (and the helper's ±2 octave jitter).
  const float scale = tk_qs8_random_scale(r, exp2(tk_rng_float(r, -2.0f, 2.0f)) / (double)pixels, edge, 1);
  if (extreme) z_in = 127;
  const size_t xn = pixels * (size_t)channels;
  int8_t* x = tk_s8_alloc(t, xn);
  int8_t* y = tk_s8_alloc(t, (size_t)channels);
  int8_t* want = tk_alloc(t, (size_t)channels);
  int mode = 1;
  if (extreme) memset(x, 0x80, xn);
  else fill_input(r, x, xn, &mode);
  tk_s8_fill(r, y, (size_t)channels, -128, 127);
  tk_describe(t, "pixels %zu channels %d z_in %d z_out %d scale %a input %s", pixels, channels, z_in, z_out,
              (double)scale, kFillNames[mode]);
  for (int c = 0; c < channels; ++c) {
    int64_t sum = 0;
    for (size_t p = 0; p < pixels; ++p) sum += x[p * (size_t)channels + c];
    want[c] = tk_ref_output(sum - (int64_t)pixels * z_in, scale, z_out, -128, 127);
  }
  fn(x, pixels, channels, z_in, z_out, scale, y);
  tk_s8_end(t, tk_s8_compare(t, "y", y, want, (size_t)channels, tk_layout_3(1, 1, (size_t)channels, "_,_,c")));
}

// All checks (incl. pixel counts whose sum saturates int32, which the reference handles) and,
// for kernels that rely on the verifier's limit of pixels < 2^23, the checks within it.
void tk_check_qs8_global_avgpool(tk_ctx* t, tk_qs8_global_avgpool_fn fn) {
  tk_rng* r = tk_rand(t);
  for (int c = 1; c <= 17; ++c) {
    one_global(t, fn, 1, c, 0);
    for (int i = 0; i < 10; ++i) one_global(t, fn, (size_t)tk_rng_int(r, 2, 200), c, 0);
  }
  for (int i = 0; i < 20; ++i) one_global(t, fn, (size_t)tk_rng_int(r, 1, 400), tk_rng_int(r, 18, 300), 0);
  // Σ (x − z_in) = −255·pixels right below and beyond INT32_MIN (pixels = 8421504 is the edge).
  one_global(t, fn, 8421000, 1, 1);
  one_global(t, fn, 8500000, 1, 1);
}

void tk_check_qs8_global_avgpool_verified(tk_ctx* t, tk_qs8_global_avgpool_fn fn) {
  tk_rng* r = tk_rand(t);
  for (int c = 1; c <= 17; ++c) {
    one_global(t, fn, 1, c, 0);
    for (int i = 0; i < 10; ++i) one_global(t, fn, (size_t)tk_rng_int(r, 2, 200), c, 0);
  }
  for (int i = 0; i < 20; ++i) one_global(t, fn, (size_t)tk_rng_int(r, 1, 400), tk_rng_int(r, 18, 300), 0);
  one_global(t, fn, (1u << 23) - 1, 3, 1);  // the verifier's largest pixel count, Σ (x − z_in) = −255·pixels
}

// ---- reference cases -------------------------------------------------------------------

static void case_maxpool(tk_ctx* t) { tk_check_qs8_maxpool(t, octk_qs8_maxpool_nhwc__reference); }
static void case_avgpool_excl(tk_ctx* t) { tk_check_qs8_avgpool(t, octk_qs8_avgpool_nhwc__reference, 0); }
static void case_avgpool_incl(tk_ctx* t) { tk_check_qs8_avgpool(t, octk_qs8_avgpool_nhwc__reference, 1); }
static void case_global_avg(tk_ctx* t) { tk_check_qs8_global_avgpool(t, octk_qs8_global_avgpool_nhwc__reference); }

static const tk_case kQs8PoolCases[] = {
    {"qs8.maxpool", case_maxpool, 0},
    {"qs8.avgpool_exclude_pad", case_avgpool_excl, 0},
    {"qs8.avgpool_include_pad", case_avgpool_incl, 0},
    {"qs8.global_avgpool", case_global_avg, 0},
};
TK_REGISTER(kQs8PoolCases)
