// int8 convolution family (reference/qs8_conv.c): grouped conv, depthwise conv, fully
// connected — bit-exact against naive references.
//
// The references work on an explicitly padded NCHW copy of the input (tk_canvas, padding cells
// holding z_in so that they contribute (z_in − z_in)·w = 0), index it directly with
// cy = oy·stride + ky·dilation, sum (x − z_in)·w + bias in int64 with no bounds tests, and
// requantize with the binary32 oracle of test_qs8_requantize.c (tk_ref_output: the int64 sum
// saturated to int32 first, the documented overflow behaviour).
//
// Parameters: zero points at −128/0/127/random, per-channel binary32 scales either realistic
// (a ratio that maps the accumulator spread onto ~±64, sometimes the nearest power of two so
// that exact ties x.5 occur) or edge values (0, up to 2^32, down to 2^−149, powers of two),
// biases small or near ±2^31 (accumulators at and beyond the int32 limits, sometimes with a
// scale that maps them back into range, where the int32 → binary32 conversion rounds), clamps
// full / ReLU / a single end point / random inside.
#include <stdio.h>
#include <string.h>

#include "harness.h"

// Shared helpers (test_qs8_requantize.c).
int32_t tk_ref_sat32(int64_t v);
int8_t tk_ref_output(int64_t acc, float scale, int32_t z_out, int32_t lo, int32_t hi);
int8_t* tk_s8_alloc(tk_ctx* t, size_t n);
int tk_s8_end(tk_ctx* t, int ok);
void tk_s8_fill(tk_rng* r, int8_t* p, size_t n, int lo, int hi);
int tk_s8_compare(tk_ctx* t, const char* what, const int8_t* got, const int8_t* want, size_t n, tk_layout layout);
int32_t tk_rand_i32(tk_rng* r);
float tk_qs8_random_scale(tk_rng* r, double real, int edge_num, int edge_den);
float tk_qs8_scale(double real);
int32_t tk_qs8_random_zero_point(tk_rng* r);
void tk_qs8_random_clamp(tk_rng* r, int32_t z_out, int32_t* lo, int32_t* hi);

typedef void (*tk_qs8_conv_fn)(const int8_t* x, int channels, int groups, const int8_t* w, int out_channels,
                               const octk_window* win, const octk_qs8_requant* q, int8_t* y);
typedef void (*tk_qs8_dwconv_fn)(const int8_t* x, int channels, int multiplier, const int8_t* w,
                                 const octk_window* win, const octk_qs8_requant* q, int8_t* y);
typedef void (*tk_qs8_fc_fn)(const int8_t* x, size_t rows, size_t k, const int8_t* w, size_t out,
                             const octk_qs8_requant* q, int8_t* y);

// ---- shared parameter generation --------------------------------------------------------

// Set while checking a kernel that accumulates in int32 (the fast kernels): biases then keep
// bias + Σ (x − z_in)·w inside int32, the spec's accumulation guarantee, instead of probing
// the reference's saturation past it.
static int g_int32_guarantee = 0;
// The largest |w| drawn: 128 (any int8, −128 included) except while checking a kernel exact
// only for narrower weights (octk_qs8_conv_config.max_weight, e.g. 63 for 7-bit kernels).
static int g_max_weight = 128;

typedef struct {
  octk_qs8_requant q;
  int32_t* bias;
  float* scale;
  int edge;       // edge scales / huge biases in use
  int x_extreme;  // inputs only −128/127
} qparams;

/// Random requantization parameters for `oc` output channels whose sums have `taps` terms.
static void random_qparams(tk_ctx* t, qparams* p, int oc, size_t taps) {
  tk_rng* r = tk_rand(t);
  memset(p, 0, sizeof *p);
  p->bias = tk_alloc(t, sizeof(int32_t) * (size_t)oc);
  p->scale = tk_alloc(t, sizeof(float) * (size_t)oc);
  p->edge = tk_rng_chance(r, 1, 5);
  p->x_extreme = tk_rng_chance(r, 1, 8);
  p->q.input_zero_point = tk_qs8_random_zero_point(r);
  p->q.output_zero_point = tk_qs8_random_zero_point(r);
  tk_qs8_random_clamp(r, p->q.output_zero_point, &p->q.lo, &p->q.hi);
  // Spread of Σ (x − z_in)·w: ~ sqrt(taps)·|x − z_in|·|w| plus the z_in offset term.
  const double spread = (sqrt((double)taps) * 74.0 + (double)taps * fabs((double)p->q.input_zero_point) * 0.1) * 73.0;
  const double real = 64.0 / (spread > 1.0 ? spread : 1.0);
  for (int o = 0; o < oc; ++o) {
    p->scale[o] = tk_qs8_random_scale(r, real, p->edge ? 1 : 0, 2);
    if (p->edge && tk_rng_chance(r, 1, 2)) {
      // Near or beyond the int32 limits once the sum is added (the sum saturates); half the
      // time with a scale that maps such accumulators back into range (|acc| > 2^24: the
      // int32 → binary32 conversion rounds).
      const int64_t span = (int64_t)taps * 255 * 128 + 16;
      const int64_t off = (int64_t)tk_rng_int(r, 0, (int)(span < 2000000000 ? span : 2000000000));
      p->bias[o] = tk_rng_chance(r, 1, 2) ? tk_ref_sat32(INT32_MAX - off) : tk_ref_sat32(INT32_MIN + off);
      if (tk_rng_chance(r, 1, 2)) p->scale[o] = tk_qs8_scale(tk_rng_float(r, 20.0f, 300.0f) / 2147483648.0);
    } else if (p->edge && tk_rng_chance(r, 1, 3)) {
      p->bias[o] = tk_rand_i32(r);
    } else {
      p->bias[o] = tk_rng_int(r, -(int)(2 * spread), (int)(2 * spread));
    }
    if (g_int32_guarantee) {
      const int64_t span = (int64_t)taps * 255 * 128;
      if (p->bias[o] > INT32_MAX - span) p->bias[o] = (int32_t)(INT32_MAX - span);
      if (p->bias[o] < INT32_MIN + span) p->bias[o] = (int32_t)(INT32_MIN + span);
    }
  }
  p->q.bias = p->bias;
  p->q.scale = p->scale;
}

static void fill_x(tk_rng* r, const qparams* p, int8_t* x, size_t n) {
  if (p->x_extreme) {
    for (size_t i = 0; i < n; ++i) x[i] = tk_rng_chance(r, 1, 2) ? -128 : 127;
  } else {
    tk_s8_fill(r, x, n, -128, 127);
  }
}

static void fill_w(tk_rng* r, const qparams* p, int8_t* w, size_t n) {
  // Symmetric weights are in [−127, 127]; −128 is exercised too, in half of the extreme ops
  // (the others are ±127 only: the worst case of kernels that sum product pairs in int16
  // unless an op has a −128). Under a narrower bound m, weights are in [−m, m], extremes ±m.
  const int m = g_max_weight;
  if (p->x_extreme && m < 128) {
    for (size_t i = 0; i < n; ++i) w[i] = (int8_t)(tk_rng_chance(r, 1, 2) ? -m : m);
  } else if (p->x_extreme) {
    const int with_min = tk_rng_chance(r, 1, 2);
    for (size_t i = 0; i < n; ++i) w[i] = tk_rng_chance(r, 1, 2) ? -127 : (with_min && tk_rng_chance(r, 1, 4) ? -128 : 127);
  } else {
    tk_s8_fill(r, w, n, m < 128 ? -m : -128, m < 128 ? m : 127);
  }
}

static const char* qparams_str(const qparams* p, char* buf, size_t size) {
  snprintf(buf, size, "z_in %d z_out %d clamp [%d, %d] %s%s scale[0] %a (%g) bias[0] %d", p->q.input_zero_point,
           p->q.output_zero_point, p->q.lo, p->q.hi, p->edge ? "edge-params " : "", p->x_extreme ? "extreme-x " : "",
           (double)p->scale[0], (double)p->scale[0], p->bias[0]);
  return buf;
}

static float* to_float(tk_ctx* t, const int8_t* x, size_t n) {
  float* f = tk_alloc(t, sizeof(float) * (n ? n : 1));
  for (size_t i = 0; i < n; ++i) f[i] = x[i];
  return f;
}

// ---- conv ------------------------------------------------------------------------------

// extra: 0 = groups 1, 1 = groups = channels (depthwise as a grouped conv), 2 = a random divisor.
static void one_conv(tk_ctx* t, tk_any_fn fnp, int channels, int k, int s, int d, int extra) {
  const tk_qs8_conv_fn fn = (tk_qs8_conv_fn)fnp;
  tk_rng* r = tk_rand(t);
  int groups = 1;
  if (extra == 1) {
    groups = channels;
  } else if (extra == 2) {
    int divs[17], nd = 0;
    for (int g = 1; g <= channels; ++g)
      if (channels % g == 0) divs[nd++] = g;
    groups = divs[tk_rng_int(r, 0, nd - 1)];
  }
  const int cg = channels / groups;
  const int og = groups == 1 ? tk_rng_int(r, 1, 17) : tk_rng_int(r, 1, 3);
  const int oc = og * groups;
  octk_window w;
  tk_window_random(r, &w, k, s, d, 0);
  const size_t taps = (size_t)w.kernel_h * w.kernel_w * cg;
  qparams p;
  random_qparams(t, &p, oc, taps);
  char ws[160], qs[200];
  tk_describe(t, "channels %d groups %d out_channels %d %s %s", channels, groups, oc, tk_window_str(&w, ws, sizeof ws),
              qparams_str(&p, qs, sizeof qs));

  const size_t xn = (size_t)w.in_h * w.in_w * channels, wn = (size_t)oc * taps;
  const size_t yn = (size_t)w.out_h * w.out_w * oc;
  int8_t* x = tk_s8_alloc(t, xn);
  int8_t* wt = tk_s8_alloc(t, wn);
  int8_t* y = tk_s8_alloc(t, yn);
  int8_t* want = tk_alloc(t, yn ? yn : 1);
  fill_x(r, &p, x, xn);
  fill_w(r, &p, wt, wn);
  tk_s8_fill(r, y, yn, -128, 127);  // every element must be overwritten

  tk_canvas cv;
  tk_canvas_make(t, &cv, to_float(t, x, xn), channels, 0, channels, &w, (double)p.q.input_zero_point);
  for (int o = 0; o < oc; ++o) {
    const int c0 = (o / og) * cg;
    for (int oy = 0; oy < w.out_h; ++oy)
      for (int ox = 0; ox < w.out_w; ++ox) {
        int64_t acc = p.bias[o];
        for (int ci = 0; ci < cg; ++ci)
          for (int ky = 0; ky < w.kernel_h; ++ky)
            for (int kx = 0; kx < w.kernel_w; ++kx) {
              const int64_t xv = (int64_t)tk_canvas_v(&cv, c0 + ci, oy * w.stride_h + ky * w.dilation_h,
                                                      ox * w.stride_w + kx * w.dilation_w);
              acc += (xv - p.q.input_zero_point) * wt[(((size_t)o * w.kernel_h + ky) * w.kernel_w + kx) * cg + ci];
            }
        want[((size_t)oy * w.out_w + ox) * oc + o] =
            tk_ref_output(acc, p.scale[o], p.q.output_zero_point, p.q.lo, p.q.hi);
      }
  }
  fn(x, channels, groups, wt, oc, &w, &p.q, y);
  tk_s8_end(t, tk_s8_compare(t, "y", y, want, yn, tk_layout_3((size_t)w.out_h, (size_t)w.out_w, (size_t)oc, "oy,ox,o")));
}

void tk_check_qs8_conv(tk_ctx* t, tk_qs8_conv_fn fn) {
  tk_window_sweep(t, (tk_any_fn)fn, one_conv, 10, 3, 0, 2);
}

/// With the int32 guarantee and weights |w| ≤ max_weight (128: any int8).
void tk_check_qs8_conv_int32(tk_ctx* t, tk_qs8_conv_fn fn, int max_weight) {
  g_int32_guarantee = 1;
  g_max_weight = max_weight;
  tk_check_qs8_conv(t, fn);
  g_max_weight = 128;
  g_int32_guarantee = 0;
}

// ---- depthwise conv --------------------------------------------------------------------

// extra = channel multiplier.
static void one_dwconv(tk_ctx* t, tk_any_fn fnp, int channels, int k, int s, int d, int m) {
  const tk_qs8_dwconv_fn fn = (tk_qs8_dwconv_fn)fnp;
  tk_rng* r = tk_rand(t);
  const int oc = channels * m;
  octk_window w;
  tk_window_random(r, &w, k, s, d, 0);
  const size_t taps = (size_t)w.kernel_h * w.kernel_w;
  qparams p;
  random_qparams(t, &p, oc, taps);
  char ws[160], qs[200];
  tk_describe(t, "channels %d multiplier %d %s %s", channels, m, tk_window_str(&w, ws, sizeof ws),
              qparams_str(&p, qs, sizeof qs));

  const size_t xn = (size_t)w.in_h * w.in_w * channels, wn = taps * oc;
  const size_t yn = (size_t)w.out_h * w.out_w * oc;
  int8_t* x = tk_s8_alloc(t, xn);
  int8_t* wt = tk_s8_alloc(t, wn);
  int8_t* y = tk_s8_alloc(t, yn);
  int8_t* want = tk_alloc(t, yn ? yn : 1);
  fill_x(r, &p, x, xn);
  fill_w(r, &p, wt, wn);
  tk_s8_fill(r, y, yn, -128, 127);

  tk_canvas cv;
  tk_canvas_make(t, &cv, to_float(t, x, xn), channels, 0, channels, &w, (double)p.q.input_zero_point);
  for (int c = 0; c < channels; ++c)
    for (int j = 0; j < m; ++j) {
      const int o = c * m + j;
      for (int oy = 0; oy < w.out_h; ++oy)
        for (int ox = 0; ox < w.out_w; ++ox) {
          int64_t acc = p.bias[o];
          for (int ky = 0; ky < w.kernel_h; ++ky)
            for (int kx = 0; kx < w.kernel_w; ++kx) {
              const int64_t xv = (int64_t)tk_canvas_v(&cv, c, oy * w.stride_h + ky * w.dilation_h,
                                                      ox * w.stride_w + kx * w.dilation_w);
              acc += (xv - p.q.input_zero_point) * wt[((size_t)ky * w.kernel_w + kx) * oc + o];
            }
          want[((size_t)oy * w.out_w + ox) * oc + o] =
              tk_ref_output(acc, p.scale[o], p.q.output_zero_point, p.q.lo, p.q.hi);
        }
    }
  fn(x, channels, m, wt, &w, &p.q, y);
  tk_s8_end(t, tk_s8_compare(t, "y", y, want, yn, tk_layout_3((size_t)w.out_h, (size_t)w.out_w, (size_t)oc, "oy,ox,o")));
}

void tk_check_qs8_dwconv(tk_ctx* t, tk_qs8_dwconv_fn fn) {
  tk_window_sweep(t, (tk_any_fn)fn, one_dwconv, 10, 3, 1, 1);  // multiplier 1
  tk_window_sweep(t, (tk_any_fn)fn, one_dwconv, 4, 1, 2, 4);   // multiplier 2..4
}

/// Multiplier 1 only (the packed depthwise kernels), with the int32 guarantee.
void tk_check_qs8_dwconv_int32(tk_ctx* t, tk_qs8_dwconv_fn fn) {
  g_int32_guarantee = 1;
  tk_window_sweep(t, (tk_any_fn)fn, one_dwconv, 10, 3, 1, 1);
  g_int32_guarantee = 0;
}

// ---- fully connected -------------------------------------------------------------------

static void one_fc(tk_ctx* t, tk_qs8_fc_fn fn, size_t rows, size_t k, size_t out, int force_extreme) {
  tk_rng* r = tk_rand(t);
  qparams p;
  random_qparams(t, &p, (int)out, k);
  if (force_extreme) {
    // All (x − z_in)·w = −255·127 or +255·127: |Σ| beyond 2^31, so the sum saturates.
    p.x_extreme = 1;
    p.q.input_zero_point = 127;
  }
  char qs[200];
  tk_describe(t, "rows %zu k %zu out %zu %s", rows, k, out, qparams_str(&p, qs, sizeof qs));
  int8_t* x = tk_s8_alloc(t, rows * k);
  int8_t* wt = tk_s8_alloc(t, out * k);
  int8_t* y = tk_s8_alloc(t, rows * out);
  int8_t* want = tk_alloc(t, rows * out + 1);
  if (force_extreme) {
    memset(x, 0x80, rows * k);  // −128
    for (size_t i = 0; i < out * k; ++i) wt[i] = (i / k) % 2 ? 127 : -127;
  } else {
    fill_x(r, &p, x, rows * k);
    fill_w(r, &p, wt, out * k);
  }
  tk_s8_fill(r, y, rows * out, -128, 127);
  for (size_t n = 0; n < out; ++n)
    for (size_t row = 0; row < rows; ++row) {
      int64_t acc = p.bias[n];
      for (size_t i = 0; i < k; ++i) acc += ((int64_t)x[row * k + i] - p.q.input_zero_point) * wt[n * k + i];
      want[row * out + n] = tk_ref_output(acc, p.scale[n], p.q.output_zero_point, p.q.lo, p.q.hi);
    }
  fn(x, rows, k, wt, out, &p.q, y);
  tk_s8_end(t, tk_s8_compare(t, "y", y, want, rows * out, tk_layout_3(1, rows, out, "_,row,n")));
}

void tk_check_qs8_fully_connected(tk_ctx* t, tk_qs8_fc_fn fn) {
  tk_rng* r = tk_rand(t);
  for (int out = 1; out <= 17; ++out)
    for (int i = 0; i < 8; ++i) one_fc(t, fn, (size_t)tk_rng_int(r, 1, 5), (size_t)tk_rng_int(r, 1, 80), (size_t)out, 0);
  for (int k = 1; k <= 64; ++k) one_fc(t, fn, (size_t)tk_rng_int(r, 1, 3), (size_t)k, (size_t)tk_rng_int(r, 1, 17), 0);
  for (int i = 0; i < 12; ++i)
    one_fc(t, fn, (size_t)tk_rng_int(r, 1, 4), (size_t)tk_rng_int(r, 200, 2500), (size_t)tk_rng_int(r, 1, 40), 0);
  // Sums at and past the int32 limits: k·255·127 vs 2^31 (k = 66311 is the crossover).
  one_fc(t, fn, 1, 66000, 2, 1);
  one_fc(t, fn, 2, 70000, 3, 1);
}

// ---- reference cases -------------------------------------------------------------------

static void case_conv(tk_ctx* t) { tk_check_qs8_conv(t, octk_qs8_conv_nhwc__reference); }
static void case_dwconv(tk_ctx* t) { tk_check_qs8_dwconv(t, octk_qs8_dwconv_nhwc__reference); }
static void case_fc(tk_ctx* t) { tk_check_qs8_fully_connected(t, octk_qs8_fully_connected__reference); }

static const tk_case kQs8ConvCases[] = {
    {"qs8.conv", case_conv, 0},
    {"qs8.dwconv", case_dwconv, 0},
    {"qs8.fully_connected", case_fc, 0},
};
TK_REGISTER(kQs8ConvCases)
