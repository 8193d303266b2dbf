// fp32 local response normalization across channels (reference/f32_lrn.c).
//
// Layout x[pixels][channels] (NHWC rows). The naive reference tests every channel j for
// membership in c's window [c − ⌊(size−1)/2⌋, c + ⌈(size−1)/2⌉] (ONNX's definition) and
// computes x / (bias + alpha/size · Σ x²)^beta in long double. Sweep: channels 1..40 × window
// sizes 1..12 (odd, even, wider than the channel count), pixels 1..6, alpha/beta/bias from
// AlexNet/GoogLeNet values (1e-4, 0.75, 1 or 2) plus beta 0 (identity), alpha 0, beta 1 and
// random ones; values in [-1, 1), [-100, 100) and [-1e4, 1e4). Tolerance: |got − want| <=
// 1e−38 + rtol·|want|, rtol = 2.5e−7 (a double result rounded once to float: <= 0.5 ulp =
// 6e−8 relative, plus the double-precision pow error).
#include <stdio.h>

#include "harness.h"

typedef void (*tk_f32_lrn_fn)(const float* x, size_t pixels, int channels, int size, float alpha, float beta,
                              float bias, float* y);

static void one_lrn(tk_ctx* t, tk_f32_lrn_fn fn, double rtol, int channels, int size) {
  tk_rng* r = tk_rand(t);
  const size_t pixels = (size_t)tk_rng_int(r, 1, 6);
  float alpha = 1e-4f, beta = 0.75f, bias = tk_rng_chance(r, 1, 2) ? 1.0f : 2.0f;
  switch (tk_rng_int(r, 0, 5)) {
    case 0: beta = 0.0f; break;
    case 1: alpha = 0.0f; break;
    case 2: beta = 1.0f; alpha = 1.0f; break;
    case 3: alpha = tk_rng_float(r, 1e-5f, 2.0f), beta = tk_rng_float(r, 0.1f, 2.0f), bias = tk_rng_float(r, 0.5f, 3.0f); break;
    default: break;
  }
  static const float kRange[] = {1.0f, 100.0f, 1e4f};
  const float range = kRange[tk_rng_int(r, 0, 2)];
  tk_describe(t, "pixels %zu channels %d size %d alpha %g beta %g bias %g values ±%g", pixels, channels, size,
              (double)alpha, (double)beta, (double)bias, (double)range);
  const size_t n = pixels * (size_t)channels;
  float* x = tk_alloc_f32(t, n);
  float* y = tk_alloc_f32(t, n);
  tk_fill(r, x, n, -range, range);
  tk_fill(r, y, n, 50.0f, 60.0f);
  double* want = tk_alloc_f64(t, n);
  const int before = (size - 1) / 2, after = size / 2;  // ⌊(size−1)/2⌋, ⌈(size−1)/2⌉
  for (size_t p = 0; p < pixels; ++p) {
    const float* row = x + p * (size_t)channels;
    for (int c = 0; c < channels; ++c) {
      long double sum = 0.0L;
      for (int j = 0; j < channels; ++j)
        if (j >= c - before && j <= c + after) sum += (long double)row[j] * row[j];
      const long double base = (long double)bias + (long double)alpha / size * sum;
      want[p * (size_t)channels + (size_t)c] = (double)((long double)row[c] / powl(base, (long double)beta));
    }
  }
  fn(x, pixels, channels, size, alpha, beta, bias, y);
  const int ok = tk_compare(t, "y", y, want, NULL, n, rtol, 1e-38, tk_layout_3(pixels, 1, (size_t)channels, "p,_,c"));
  tk_end(t, ok);
}

/// rtol: 2.5e-7 for the double-precision reference kernel; a float fast kernel would pass a
/// looser one (e.g. 1e-5).
void tk_check_f32_lrn(tk_ctx* t, tk_f32_lrn_fn fn, double rtol) {
  for (int channels = 1; channels <= 40; ++channels)
    for (int size = 1; size <= 12; ++size) one_lrn(t, fn, rtol, channels, size);
  tk_rng* r = tk_rand(t);
  for (int i = 0; i < 20; ++i) one_lrn(t, fn, rtol, tk_rng_int(r, 41, 512), 2 * tk_rng_int(r, 0, 5) + 1);
}

static void case_lrn(tk_ctx* t) { tk_check_f32_lrn(t, octk_f32_lrn_nhwc, 2.5e-7); }

static const tk_case kLrnCases[] = {
    {"f32.lrn", case_lrn, 0},
};
TK_REGISTER(kLrnCases)
