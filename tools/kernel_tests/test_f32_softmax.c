// fp32 softmax along a strided axis (reference/f32_softmax.c).
//
// Layouts: a tensor [outer][length][inner] (+ a gap after every axis element) softmaxed along
// the middle axis, stride = inner (+ gap) or its negative (start at the far end), rows = a
// random subset of the (outer, inner) pairs in random order; sometimes in place. The naive
// reference computes exp(x − max) / Σ exp(x − max) in long double per element. Tolerance:
// |got − want| <= 1e−38 + rtol·|want|, rtol = 2.5e−7 for the reference kernel (it rounds a
// double result to float once: <= 0.5 ulp = 6e−8 relative, plus the double-precision error);
// elements outside the rows must keep their prefill bit for bit. Inputs: ranges up to ±1e4
// (overflow without the max subtraction), constant rows, one dominant element, −∞ entries
// (exact 0), and whole rows with a NaN (all NaN, as documented).
#include <stdio.h>
#include <string.h>

#include "harness.h"

typedef void (*tk_f32_softmax_fn)(const float* x, float* y, const ptrdiff_t* starts, size_t rows, size_t length,
                                  ptrdiff_t stride);

static void one_softmax(tk_ctx* t, tk_f32_softmax_fn fn, double rtol, size_t length, int value_kind) {
  tk_rng* r = tk_rand(t);
  const int outer = tk_rng_int(r, 1, 4), inner = tk_rng_chance(r, 1, 3) ? 1 : tk_rng_int(r, 1, 5);
  const int gap = tk_rng_chance(r, 1, 3) ? tk_rng_int(r, 1, 3) : 0, reverse = tk_rng_chance(r, 1, 4);
  const int in_place = tk_rng_chance(r, 1, 3);
  const ptrdiff_t step = inner + gap;                      // distance between axis elements
  const size_t total = (size_t)outer * length * (size_t)step;
  ptrdiff_t* starts = tk_alloc(t, sizeof(ptrdiff_t) * (size_t)outer * inner);
  size_t rows = 0;
  for (int o = 0; o < outer; ++o)
    for (int i = 0; i < inner; ++i)
      if (!tk_rng_chance(r, 1, 5) || (o == 0 && i == 0))
        starts[rows++] = (ptrdiff_t)o * (ptrdiff_t)length * step + i + (reverse ? (ptrdiff_t)(length - 1) * step : 0);
  for (size_t k = rows; k > 1; --k) {  // random row order
    const size_t j = (size_t)tk_rng_int(r, 0, (int)k - 1);
    const ptrdiff_t tmp = starts[k - 1];
    starts[k - 1] = starts[j];
    starts[j] = tmp;
  }
  const ptrdiff_t stride = reverse ? -step : step;
  static const char* const kKinds[] = {"[-1,1)", "[-20,20)", "[-1e4,1e4)", "constant", "dominant", "with -inf",
                                       "with NaN"};
  tk_describe(t, "length %zu outer %d inner %d gap %d stride %td rows %zu values %s%s", length, outer, inner, gap,
              stride, rows, kKinds[value_kind], in_place ? " in place" : "");

  float* x = tk_alloc_f32(t, total);
  float* y = in_place ? x : tk_alloc_f32(t, total);
  switch (value_kind) {
    case 0: tk_fill(r, x, total, -1.0f, 1.0f); break;
    case 1: tk_fill(r, x, total, -20.0f, 20.0f); break;
    case 2: tk_fill(r, x, total, -1e4f, 1e4f); break;
    case 3: for (size_t k = 0; k < total; ++k) x[k] = 3.5f; break;
    default: tk_fill(r, x, total, -5.0f, 5.0f); break;
  }
  if (!in_place) tk_fill(r, y, total, 50.0f, 60.0f);
  double* want = tk_alloc_f64(t, total);
  double* scale = tk_alloc_f64(t, total);
  for (size_t k = 0; k < total; ++k) want[k] = y[k], scale[k] = 0.0;  // untouched: exact prefill
  for (size_t row = 0; row < rows; ++row) {
    const ptrdiff_t s0 = starts[row];
    if (value_kind == 4) x[s0 + (ptrdiff_t)tk_rng_int(r, 0, (int)length - 1) * stride] = 80.0f;
    if (value_kind == 5 && length > 1)
      for (size_t i = 0; i < length; ++i)
        if (tk_rng_chance(r, 1, 3) && i != length / 2) x[s0 + (ptrdiff_t)i * stride] = -INFINITY;
    const int nan_row = value_kind == 6 && tk_rng_chance(r, 1, 2);
    if (nan_row) x[s0 + (ptrdiff_t)tk_rng_int(r, 0, (int)length - 1) * stride] = NAN;
    long double m = -INFINITY, sum = 0.0L;
    for (size_t i = 0; i < length; ++i) {
      const long double v = x[s0 + (ptrdiff_t)i * stride];
      if (v > m) m = v;
    }
    for (size_t i = 0; i < length; ++i) sum += expl((long double)x[s0 + (ptrdiff_t)i * stride] - m);
    for (size_t i = 0; i < length; ++i) {
      const ptrdiff_t at = s0 + (ptrdiff_t)i * stride;
      want[at] = nan_row ? NAN : (double)(expl((long double)x[at] - m) / sum);
      scale[at] = fabs(want[at]);
    }
  }
  fn(x, y, starts, rows, length, stride);
  // Untouched elements have scale 0: the 1e-38 absolute tolerance makes them (practically) exact.
  const int ok = tk_compare(t, "y", y, want, scale, total, rtol, 1e-38, tk_layout_flat(total));
  tk_end(t, ok);
}

/// rtol: 2.5e-7 (about four float ulps) for the double-precision reference kernel; a fast
/// kernel with a float exp would pass a looser one (e.g. 1e-6).
void tk_check_f32_softmax(tk_ctx* t, tk_f32_softmax_fn fn, double rtol) {
  tk_rng* r = tk_rand(t);
  for (size_t length = 1; length <= 40; ++length)
    for (int kind = 0; kind < 7; ++kind) one_softmax(t, fn, rtol, length, kind);
  for (int i = 0; i < 30; ++i) one_softmax(t, fn, rtol, (size_t)tk_rng_int(r, 41, 1000), tk_rng_int(r, 0, 6));
}

static void case_softmax(tk_ctx* t) { tk_check_f32_softmax(t, octk_f32_softmax_strided, 2.5e-7); }

static const tk_case kSoftmaxCases[] = {
    {"f32.softmax", case_softmax, 0},
};
TK_REGISTER(kSoftmaxCases)
