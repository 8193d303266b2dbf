// Resize family (reference/f32_window.c): separable 2-D interpolation from tap tables.
//
// Tap tables are built per axis, independently for y and x, from the usual coordinate
// transforms (nearest with floor / round-half-down, bilinear with half_pixel, align_corners
// and asymmetric coordinates; up- and down-sampling) and from random tables whose two taps
// are anywhere in the input. The naive reference is the explicit weighted sum of the four
// taps, Σ w_y·w_x·x (the kernel lerps), in double.
#include <stdio.h>
#include <string.h>

#include "f32_checks.h"

enum {
  AX_NEAREST_FLOOR,      // asymmetric coordinates, floor
  AX_NEAREST_ROUND,      // half_pixel coordinates, round half down
  AX_LINEAR_HALF_PIXEL,
  AX_LINEAR_ALIGN_CORNERS,
  AX_LINEAR_ASYMMETRIC,
  AX_RANDOM_TAPS,        // y0, y1 anywhere, weight in [0, 1)
  AX_COUNT
};
static const char* const kAxisModes[AX_COUNT] = {"nearest-floor", "nearest-round", "linear-half-pixel",
                                                 "linear-align-corners", "linear-asymmetric", "random-taps"};

static int clampi(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

static void axis_taps(tk_rng* r, int mode, int in, int out, int32_t* i0, int32_t* i1, float* wt) {
  for (int o = 0; o < out; ++o) {
    double src;
    switch (mode) {
      case AX_NEAREST_FLOOR:
        i0[o] = i1[o] = clampi((int)floor((double)o * in / out), 0, in - 1);
        wt[o] = 0.0f;
        continue;
      case AX_NEAREST_ROUND:
        src = ((double)o + 0.5) * in / out - 0.5;
        i0[o] = i1[o] = clampi((int)ceil(src - 0.5), 0, in - 1);
        wt[o] = 0.0f;
        continue;
      case AX_RANDOM_TAPS:
        i0[o] = tk_rng_int(r, 0, in - 1);
        i1[o] = tk_rng_int(r, 0, in - 1);
        wt[o] = tk_rng_float(r, 0.0f, 1.0f);
        continue;
      case AX_LINEAR_HALF_PIXEL: src = ((double)o + 0.5) * in / out - 0.5; break;
      case AX_LINEAR_ALIGN_CORNERS: src = out > 1 ? (double)o * (in - 1) / (out - 1) : 0.0; break;
      default: src = (double)o * in / out; break;
    }
    if (src < 0) src = 0;
    if (src > in - 1) src = in - 1;
    const int lo = (int)floor(src);
    i0[o] = lo;
    i1[o] = lo + 1 < in ? lo + 1 : in - 1;
    wt[o] = (float)(src - lo);
  }
}

static void one_resize(tk_ctx* t, tk_f32_resize_fn fn, int channels, int mode_y, int mode_x) {
  tk_rng* r = tk_rand(t);
  const int in_h = tk_rng_int(r, 1, 8), in_w = tk_rng_int(r, 1, 8);
  const int out_h = tk_rng_int(r, 1, 12), out_w = tk_rng_int(r, 1, 12);
  tk_describe(t, "channels %d in %dx%d out %dx%d y %s x %s", channels, in_h, in_w, out_h, out_w, kAxisModes[mode_y],
              kAxisModes[mode_x]);
  int32_t* y0 = tk_alloc(t, sizeof(int32_t) * out_h);
  int32_t* y1 = tk_alloc(t, sizeof(int32_t) * out_h);
  int32_t* x0 = tk_alloc(t, sizeof(int32_t) * out_w);
  int32_t* x1 = tk_alloc(t, sizeof(int32_t) * out_w);
  float* wy = tk_alloc_f32(t, (size_t)out_h);
  float* wx = tk_alloc_f32(t, (size_t)out_w);
  axis_taps(r, mode_y, in_h, out_h, y0, y1, wy);
  axis_taps(r, mode_x, in_w, out_w, x0, x1, wx);

  const size_t xn = (size_t)in_h * in_w * channels, on = (size_t)out_h * out_w * channels;
  float* x = tk_alloc_f32(t, xn);
  float* out = tk_alloc_f32(t, on);
  tk_fill(r, x, xn, -1.0f, 1.0f);
  tk_fill(r, out, on, 50.0f, 60.0f);
  double* want = tk_alloc_f64(t, on);
  double* scale = tk_alloc_f64(t, on);
  for (int oy = 0; oy < out_h; ++oy)
    for (int ox = 0; ox < out_w; ++ox)
      for (int c = 0; c < channels; ++c) {
        const int ys[2] = {y0[oy], y1[oy]}, xs[2] = {x0[ox], x1[ox]};
        const double wys[2] = {1.0 - wy[oy], wy[oy]}, wxs[2] = {1.0 - wx[ox], wx[ox]};
        double acc = 0.0, mag = 0.0;
        for (int i = 0; i < 2; ++i)
          for (int j = 0; j < 2; ++j) {
            const double v = x[((size_t)ys[i] * in_w + xs[j]) * channels + c];
            acc += wys[i] * wxs[j] * v;
            mag += fabs(v);
          }
        const size_t at = ((size_t)oy * out_w + ox) * channels + c;
        want[at] = acc;
        scale[at] = mag;
      }
  fn(x, in_w, channels, out_h, out_w, y0, y1, wy, x0, x1, wx, out);
  tk_end(t, tk_compare(t, "out", out, want, scale, on, TK_RTOL, TK_ATOL,
                       tk_layout_3((size_t)out_h, (size_t)out_w, (size_t)channels, "oy,ox,c")));
}

void tk_check_f32_resize(tk_ctx* t, tk_f32_resize_fn fn) {
  tk_rng* r = tk_rand(t);
  // Every (y mode, x mode) pair at a few channel counts, then channels 1..17 at random modes.
  for (int my = 0; my < AX_COUNT; ++my)
    for (int mx = 0; mx < AX_COUNT; ++mx)
      for (int i = 0; i < 4; ++i) one_resize(t, fn, tk_rng_int(r, 1, 17), my, mx);
  for (int c = 1; c <= 17; ++c)
    for (int i = 0; i < 8; ++i) one_resize(t, fn, c, tk_rng_int(r, 0, AX_COUNT - 1), tk_rng_int(r, 0, AX_COUNT - 1));
  for (int i = 0; i < 20; ++i)
    one_resize(t, fn, tk_rng_int(r, 18, 70), tk_rng_int(r, 0, AX_COUNT - 1), tk_rng_int(r, 0, AX_COUNT - 1));
}

static void case_resize(tk_ctx* t) { tk_check_f32_resize(t, octk_f32_resize_nhwc); }

static const tk_case kResizeCases[] = {
    {"f32.resize", case_resize, 0},
};
TK_REGISTER(kResizeCases)
