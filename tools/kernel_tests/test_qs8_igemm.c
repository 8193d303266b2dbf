// Indirect-GEMM conv kernels (octk_qs8_conv.h, octk_qs8_dwconv.h; configs/): each kernel, driven through packing and the
// indirection buffer, must equal the naive conv reference on the window sweep of
// test_qs8_conv.c (int32-guarantee parameters), and octk_qs8_conv_nhwc__reference bit for bit
// on larger random shapes (many 32-channel blocks, channel remainders mod 4, groups, split
// pixel ranges as the thread pool will cut them).
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "octk_jobs.h"
#include "octk_qs8_kernels.h"

typedef void (*tk_qs8_conv_fn)(const int8_t* x, int channels, int groups, const int8_t* w, int out_channels,
                               const octk_window* win, const octk_qs8_requant* q, int8_t* y);
void tk_check_qs8_conv_int32(tk_ctx* t, tk_qs8_conv_fn fn, int max_weight);
typedef void (*tk_qs8_dwconv_fn)(const int8_t* x, int channels, int multiplier, const int8_t* w,
                                 const octk_window* win, const octk_qs8_requant* q, int8_t* y);
void tk_check_qs8_dwconv_int32(tk_ctx* t, tk_qs8_dwconv_fn fn);
int8_t* tk_s8_alloc(tk_ctx* t, size_t n);
int tk_s8_end(tk_ctx* t, int ok);
void tk_s8_fill(tk_rng* r, int8_t* p, size_t n, int lo, int hi);
int tk_s8_compare(tk_ctx* t, const char* what, const int8_t* got, const int8_t* want, size_t n, tk_layout layout);
float tk_qs8_random_scale(tk_rng* r, double real, int edge_num, int edge_den);
int32_t tk_qs8_random_zero_point(tk_rng* r);
void tk_qs8_random_clamp(tk_rng* r, int32_t z_out, int32_t* lo, int32_t* hi);
int tk_qs8_random_add_params(tk_rng* r, octk_qs8_add_params* out, const char** name);
int8_t tk_qs8_add_cancelling_b(tk_rng* r, int8_t a, const octk_qs8_add_params* p);
void tk_check_qs8_maxpool(tk_ctx* t, void (*fn)(const int8_t* x, int channels, const octk_window* win, int8_t* y));
void tk_check_qs8_avgpool(tk_ctx* t,
                          void (*fn)(const int8_t* x, int channels, const octk_window* win, int count_include_pad,
                                     int32_t zero_point, int8_t* y),
                          int count_include_pad);
void tk_check_qs8_global_avgpool_verified(tk_ctx* t, void (*fn)(const int8_t* x, size_t pixels, int channels,
                                                                 int32_t input_zero_point, int32_t output_zero_point,
                                                                 float scale, int8_t* y));

// The path under test (its packing and kernels) and a pixel split point in [0, 1] (fraction
// of the output pixels).
static const octk_qs8_conv_config* g_conv;
static const octk_qs8_dwconv_config* g_dw;
static double g_split = 0.5;
// When set, the kernels run through this pool (octk_pool_run) instead of two fixed ranges.
static octk_pool* g_pool = NULL;

/// The largest |w| the twins draw for the kernel under test: 127 (symmetric int8), or less
/// for a kernel exact only for narrower weights (its max_weight: 63 for 7-bit kernels).
static int twin_max_weight(void) { return g_conv->max_weight < 127 ? g_conv->max_weight : 127; }

static void igemm_via_packed(const int8_t* x, int channels, const octk_qs8_weights* w, int groups, int taps, int cg,
                             int og, const octk_window* win, const octk_qs8_requant* q, int8_t* y);

/// Conv with the reference signature through pack → indirection → kernel (two pixel ranges).
static void conv_via_igemm(const int8_t* x, int channels, int groups, const int8_t* w, int out_channels,
                           const octk_window* win, const octk_qs8_requant* q, int8_t* y) {
  const int taps = win->kernel_h * win->kernel_w, cg = channels / groups, og = out_channels / groups;
  const octk_qs8_weights view = {w, (ptrdiff_t)taps * cg, cg, 1};  // [O][kH][kW][cg]
  igemm_via_packed(x, channels, &view, groups, taps, cg, og, win, q, y);
}

/// A grouped conv given as a weights view through pack → indirection → kernel.
static void igemm_via_packed(const int8_t* x, int channels, const octk_qs8_weights* w, int groups, int taps, int cg,
                             int og, const octk_window* win, const octk_qs8_requant* q, int8_t* y) {
  const size_t bytes = octk_qs8_conv_packed_bytes(g_conv->layout, groups, taps, cg, og);
  void* storage = aligned_alloc(64, bytes);
  octk_qs8_conv_packed packed;
  octk_qs8_conv_pack(g_conv->layout, w, q, groups, taps, cg, og, storage, &packed);
  const size_t pixels = (size_t)win->out_h * win->out_w;
  const int8_t** ind = malloc(sizeof(const int8_t*) * (pixels * taps + 1));
  int8_t* input = tk_s8_conv_input(x, (size_t)win->in_h * win->in_w * channels, g_conv->layout->input_offset);
  octk_qs8_conv_indirection(input, channels, win, packed.zero, ind);
  // The runtime's split by output-channel blocks (one group, no header): with the pool for odd
  // pixel counts, else at a random block when g_split < 0.25.
  const int by_channels = groups == 1 && g_conv->layout->header_bytes == 0 && (g_pool ? pixels % 2 == 1 : g_split < 0.25);
  octk_qs8_igemm_channels_job by_block = {g_conv->igemm, &packed, g_conv->layout, ind, pixels, q->output_zero_point, q->lo, q->hi, y};
  if (by_channels && g_pool) {
    octk_pool_run(g_pool, octk_qs8_igemm_channels_job_run, &by_block, (size_t)packed.blocks, 1);
  } else if (by_channels) {
    const size_t split = (size_t)(g_split * 4 * packed.blocks);
    octk_qs8_igemm_channels_job_run(&by_block, split, (size_t)packed.blocks);
    octk_qs8_igemm_channels_job_run(&by_block, 0, split);
  } else if (g_pool) {
    octk_qs8_igemm_job job = {g_conv->igemm, &packed, ind, q->output_zero_point, q->lo, q->hi, y};
    octk_pool_run(g_pool, octk_qs8_igemm_job_run, &job, pixels, (size_t)g_conv->mr);
  } else {
    const size_t split = (size_t)(g_split * (double)pixels);
    g_conv->igemm(&packed, ind, 0, split, q->output_zero_point, q->lo, q->hi, y);
    g_conv->igemm(&packed, ind, split, pixels, q->output_zero_point, q->lo, q->hi, y);
  }
  free(input);
  free(ind);
  free(storage);
}

/// Depthwise conv (multiplier 1) with the reference signature through pack → indirection → kernel.
static void dwconv_via_packed(const int8_t* x, int channels, int multiplier, const int8_t* w, const octk_window* win,
                              const octk_qs8_requant* q, int8_t* y) {
  (void)multiplier;  // the sweep passes 1
  const int taps = win->kernel_h * win->kernel_w;
  void* storage = aligned_alloc(64, g_dw->packed_bytes(channels, taps));
  octk_qs8_dwconv_packed packed;
  g_dw->pack(w, q, channels, taps, storage, &packed);
  const size_t pixels = (size_t)win->out_h * win->out_w;
  const int8_t** ind = malloc(sizeof(const int8_t*) * (pixels * taps + 1));
  octk_qs8_conv_indirection(x, channels, win, packed.zero, ind);
  if (g_pool) {
    octk_qs8_dwconv_job job = {g_dw->fn, &packed, ind, q->output_zero_point, q->lo, q->hi, y};
    octk_pool_run(g_pool, octk_qs8_dwconv_job_run, &job, pixels, 1);
  } else {
    const size_t split = (size_t)(g_split * (double)pixels);
    g_dw->fn(&packed, ind, 0, split, q->output_zero_point, q->lo, q->hi, y);
    g_dw->fn(&packed, ind, split, pixels, q->output_zero_point, q->lo, q->hi, y);
  }
  free(ind);
  free(storage);
}

/// Random conv geometry for the twin checks: kernel 1/3/5 (or a random width), stride 1–2,
/// dilation 1–2, asymmetric pads, input up to 14×14.
static void random_twin_window(tk_rng* r, octk_window* w) {
  memset(w, 0, sizeof *w);
  w->kernel_h = tk_rng_int(r, 1, 3) * 2 - 1;
  w->kernel_w = tk_rng_chance(r, 1, 4) ? tk_rng_int(r, 1, 7) : w->kernel_h;
  w->stride_h = w->stride_w = tk_rng_int(r, 1, 2);
  w->dilation_h = w->dilation_w = tk_rng_chance(r, 1, 5) ? 2 : 1;
  w->pad_top = tk_rng_int(r, 0, w->kernel_h / 2 + 1);
  w->pad_bottom = tk_rng_int(r, 0, w->kernel_h / 2);
  w->pad_left = tk_rng_int(r, 0, w->kernel_w / 2 + 1);
  w->pad_right = tk_rng_int(r, 0, w->kernel_w / 2);
  w->in_h = tk_rng_int(r, w->dilation_h * (w->kernel_h - 1) + 1, 14);
  w->in_w = tk_rng_int(r, w->dilation_w * (w->kernel_w - 1) + 1, 14);
  w->out_h = (w->in_h + w->pad_top + w->pad_bottom - w->dilation_h * (w->kernel_h - 1) - 1) / w->stride_h + 1;
  w->out_w = (w->in_w + w->pad_left + w->pad_right - w->dilation_w * (w->kernel_w - 1) - 1) / w->stride_w + 1;
}

/// Random requantization parameters for sums of `taps` terms (realistic binary32 scales, a
/// tenth of them edge ones: 0, huge, tiny, powers of two; biases well inside int32).
static octk_qs8_requant random_twin_q(tk_ctx* t, int oc, size_t taps) {
  tk_rng* r = tk_rand(t);
  int32_t* bias = tk_alloc(t, sizeof(int32_t) * oc);
  float* scale = tk_alloc(t, sizeof(float) * oc);
  octk_qs8_requant q = {bias, scale, tk_qs8_random_zero_point(r), tk_qs8_random_zero_point(r), -128, 127};
  tk_qs8_random_clamp(r, q.output_zero_point, &q.lo, &q.hi);
  const double spread = sqrt((double)taps) * 74.0 * 73.0 + (double)taps * 40.0;
  for (int o = 0; o < oc; ++o) {
    scale[o] = tk_qs8_random_scale(r, 64.0 / spread, 1, 10);
    bias[o] = tk_rng_int(r, -(int)spread, (int)spread);
  }
  return q;
}

/// Conv twin: many 32-channel blocks, channel remainders mod 4, groups, split pixel ranges.
/// extreme: inputs only −128 / 127 and weights only ±twin_max_weight() (the largest products,
/// and for a 7-bit kernel the largest int16 pair sums, 2·255·63).
static void one_twin_values(tk_ctx* t, int extreme) {
  tk_rng* r = tk_rand(t);
  const int groups = tk_rng_chance(r, 1, 4) ? tk_rng_int(r, 2, 4) : 1;
  const int cg = tk_rng_int(r, 1, 72), og = tk_rng_chance(r, 1, 3) ? tk_rng_int(r, 1, 20) : tk_rng_int(r, 20, 100);
  const int channels = cg * groups, oc = og * groups;
  octk_window w;
  random_twin_window(r, &w);
  const size_t taps = (size_t)w.kernel_h * w.kernel_w * cg;
  octk_qs8_requant q = random_twin_q(t, oc, taps);
  g_split = tk_rng_float(r, 0.0f, 1.0f);
  tk_describe(t, "twin: channels %d groups %d out_channels %d kernel %dx%d stride %d dilation %d pads %d,%d,%d,%d in %dx%d "
              "z_in %d z_out %d clamp [%d, %d] split %.2f%s",
              channels, groups, oc, w.kernel_h, w.kernel_w, w.stride_h, w.dilation_h, w.pad_top, w.pad_left, w.pad_bottom,
              w.pad_right, w.in_h, w.in_w, q.input_zero_point, q.output_zero_point, q.lo, q.hi, g_split,
              extreme ? " extreme values" : "");
  const size_t xn = (size_t)w.in_h * w.in_w * channels, wn = (size_t)oc * taps, yn = (size_t)w.out_h * w.out_w * oc;
  int8_t* x = tk_s8_alloc(t, xn);
  int8_t* wt = tk_s8_alloc(t, wn);
  int8_t* y = tk_s8_alloc(t, yn);
  int8_t* want = tk_alloc(t, yn);
  tk_s8_fill(r, x, xn, -128, 127);
  tk_s8_fill(r, wt, wn, -twin_max_weight(), twin_max_weight());
  if (extreme) {
    for (size_t i = 0; i < xn; ++i) x[i] = (int8_t)(tk_rng_chance(r, 1, 2) ? -128 : 127);
    for (size_t i = 0; i < wn; ++i) wt[i] = (int8_t)(tk_rng_chance(r, 1, 2) ? -twin_max_weight() : twin_max_weight());
  }
  tk_s8_fill(r, y, yn, -128, 127);
  octk_qs8_conv_nhwc__reference(x, channels, groups, wt, oc, &w, &q, want);
  conv_via_igemm(x, channels, groups, wt, oc, &w, &q, y);
  tk_s8_end(t, tk_s8_compare(t, "y", y, want, yn, tk_layout_3((size_t)w.out_h, (size_t)w.out_w, (size_t)oc, "oy,ox,o")));
}

static void one_twin(tk_ctx* t) { one_twin_values(t, 0); }

/// Depthwise twin: channel counts up to 200 (block remainders mod 16).
static void one_dw_twin(tk_ctx* t) {
  tk_rng* r = tk_rand(t);
  static const int kBlockEdges[] = {16, 32, 64, 96, 128};  // exact blocks of the 16c/32c/64c4 layouts
  const int channels = tk_rng_chance(r, 1, 4)   ? kBlockEdges[tk_rng_int(r, 0, 4)]
                       : tk_rng_chance(r, 1, 2) ? tk_rng_int(r, 1, 40)
                                                : tk_rng_int(r, 40, 200);
  octk_window w;
  random_twin_window(r, &w);
  const size_t taps = (size_t)w.kernel_h * w.kernel_w;
  octk_qs8_requant q = random_twin_q(t, channels, taps);
  g_split = tk_rng_float(r, 0.0f, 1.0f);
  tk_describe(t, "dw twin: channels %d kernel %dx%d stride %d dilation %d pads %d,%d,%d,%d in %dx%d z_in %d z_out %d "
              "clamp [%d, %d] split %.2f", channels, w.kernel_h, w.kernel_w, w.stride_h, w.dilation_h, w.pad_top,
              w.pad_left, w.pad_bottom, w.pad_right, w.in_h, w.in_w, q.input_zero_point, q.output_zero_point, q.lo, q.hi,
              g_split);
  const size_t xn = (size_t)w.in_h * w.in_w * channels, wn = taps * channels, yn = (size_t)w.out_h * w.out_w * channels;
  int8_t* x = tk_s8_alloc(t, xn);
  int8_t* wt = tk_s8_alloc(t, wn);
  int8_t* y = tk_s8_alloc(t, yn);
  int8_t* want = tk_alloc(t, yn);
  tk_s8_fill(r, x, xn, -128, 127);
  tk_s8_fill(r, wt, wn, -127, 127);
  tk_s8_fill(r, y, yn, -128, 127);
  octk_qs8_dwconv_nhwc__reference(x, channels, 1, wt, &w, &q, want);
  dwconv_via_packed(x, channels, 1, wt, &w, &q, y);
  tk_s8_end(t, tk_s8_compare(t, "y", y, want, yn, tk_layout_3((size_t)w.out_h, (size_t)w.out_w, (size_t)channels, "oy,ox,c")));
}

/// Depthwise conv with channel multiplier m > 1 as the runtime runs it: C groups of one input
/// and m output channels on the conv kernel, reading the lowering's [kH][kW][C·m] weights in
/// place through the view (1, C·m, 0).
static void one_dw_multiplier_twin(tk_ctx* t) {
  tk_rng* r = tk_rand(t);
  const int channels = tk_rng_int(r, 1, 24), m = tk_rng_int(r, 2, 5), oc = channels * m;
  octk_window w;
  random_twin_window(r, &w);
  const int taps = w.kernel_h * w.kernel_w;
  octk_qs8_requant q = random_twin_q(t, oc, (size_t)taps);
  g_split = tk_rng_float(r, 0.0f, 1.0f);
  tk_describe(t, "dw multiplier twin: channels %d m %d kernel %dx%d stride %d dilation %d in %dx%d split %.2f", channels, m,
              w.kernel_h, w.kernel_w, w.stride_h, w.dilation_h, w.in_h, w.in_w, g_split);
  const size_t xn = (size_t)w.in_h * w.in_w * channels, wn = (size_t)taps * oc, yn = (size_t)w.out_h * w.out_w * oc;
  int8_t* x = tk_s8_alloc(t, xn);
  int8_t* wt = tk_s8_alloc(t, wn);
  int8_t* y = tk_s8_alloc(t, yn);
  int8_t* want = tk_alloc(t, yn);
  tk_s8_fill(r, x, xn, -128, 127);
  tk_s8_fill(r, wt, wn, -twin_max_weight(), twin_max_weight());
  tk_s8_fill(r, y, yn, -128, 127);
  octk_qs8_dwconv_nhwc__reference(x, channels, m, wt, &w, &q, want);
  const octk_qs8_weights view = {wt, 1, oc, 0};
  igemm_via_packed(x, channels, &view, channels, taps, 1, m, &w, &q, y);
  tk_s8_end(t, tk_s8_compare(t, "y", y, want, yn, tk_layout_3((size_t)w.out_h, (size_t)w.out_w, (size_t)oc, "oy,ox,o")));
}

/// Contiguous add vs the strided reference (parameters as the add checks draw them).
static void one_add_twin(tk_ctx* t, octk_qs8_add_fn add) {
  tk_rng* r = tk_rand(t);
  octk_qs8_add_params p;
  const char* kind;
  const int cancelling = tk_qs8_random_add_params(r, &p, &kind) == 3;  // 3: large, nearly cancelling scales
  const size_t n = (size_t)(tk_rng_chance(r, 1, 2) ? tk_rng_int(r, 0, 40) : tk_rng_int(r, 40, 700));
  tk_describe(t, "add twin: n %zu z %d %d %d scales %a %a clamp [%d, %d] (%s)", n, p.a_zero_point, p.b_zero_point,
              p.output_zero_point, (double)p.a_scale, (double)p.b_scale, p.lo, p.hi, kind);
  int8_t* a = tk_s8_alloc(t, n);
  int8_t* b = tk_s8_alloc(t, n);
  int8_t* y = tk_s8_alloc(t, n);
  int8_t* want = tk_alloc(t, n + 1);
  tk_s8_fill(r, a, n, -128, 127);
  tk_s8_fill(r, b, n, -128, 127);
  if (cancelling)  // b − z_b ≈ −(a − z_a) for most elements
    for (size_t i = 0; i < n; ++i)
      if (tk_rng_chance(r, 3, 4)) b[i] = tk_qs8_add_cancelling_b(r, a[i], &p);
  tk_s8_fill(r, y, n, -128, 127);
  const ptrdiff_t shape[1] = {(ptrdiff_t)n}, unit[1] = {1};
  octk_qs8_add_strided__reference(1, shape, a, unit, b, unit, want, unit, &p);
  add(n, a, b, y, &p);
  tk_s8_end(t, tk_s8_compare(t, "y", y, want, n, tk_layout_flat(n)));
}

/// f32 → int8 quantization vs the reference: ordinary values, exact ties (k + 1/2)·scale,
/// NaN, ±∞, values far beyond the int8 range, tiny and odd scales.
static void one_quantize_twin(tk_ctx* t, octk_qs8_quantize_f32_fn quantize) {
  tk_rng* r = tk_rand(t);
  const size_t n = (size_t)(tk_rng_chance(r, 1, 2) ? tk_rng_int(r, 0, 40) : tk_rng_int(r, 40, 500));
  const float scale = tk_rng_chance(r, 1, 4) ? exp2f((float)tk_rng_int(r, -12, 4)) : tk_rng_float(r, 1e-4f, 2.0f);
  const int32_t z = tk_qs8_random_zero_point(r);
  tk_describe(t, "quantize twin: n %zu scale %a z %d", n, (double)scale, z);
  float* x = tk_alloc_f32(t, n + 1);
  for (size_t i = 0; i < n; ++i) {
    switch (tk_rng_int(r, 0, 11)) {
      case 0: x[i] = ((float)tk_rng_int(r, -140, 140) + 0.5f) * scale; break;  // ties
      case 10:  // one float step off a tie: where x·(1/scale) and x / scale may round apart
      case 11: x[i] = nextafterf(((float)tk_rng_int(r, -140, 140) + 0.5f) * scale, tk_rng_chance(r, 1, 2) ? INFINITY : -INFINITY); break;
      case 1: x[i] = NAN; break;
      case 2: x[i] = tk_rng_chance(r, 1, 2) ? INFINITY : -INFINITY; break;
      case 3: x[i] = tk_rng_float(r, -1e30f, 1e30f); break;
      case 4: x[i] = (float)tk_rng_int(r, -200, 200) * scale; break;  // exact integers
      default: x[i] = tk_rng_float(r, -200.0f, 200.0f) * scale; break;
    }
  }
  int8_t* y = tk_s8_alloc(t, n);
  int8_t* want = tk_alloc(t, n + 1);
  tk_s8_fill(r, y, n, -128, 127);
  octk_qs8_quantize_f32__reference(x, n, scale, z, want);
  quantize(x, n, scale, z, y);
  tk_s8_end(t, tk_s8_compare(t, "y", y, want, n, tk_layout_flat(n)));
}

/// Average pools whose rounding divides exactly: a 7×14 window (98 taps) and channel sums
/// 49 + 98·j, so that (2|S| + 98) / 196 is an integer — the quotient that x·(1/196) rounds
/// just below in double (49·fl(1/49) < 1).
static void check_avgpool_exact_quotients(tk_ctx* t, void (*fn)(const int8_t*, int, const octk_window*, int, int32_t, int8_t*)) {
  enum { kChannels = 20 };
  octk_window w = {7, 14, 7, 14, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1};
  int8_t x[7 * 14 * kChannels], y[kChannels], want[kChannels];
  for (int c = 0; c < kChannels; ++c) {
    const int sign = c % 2 ? -1 : 1, total = sign * (49 + 98 * (c / 2 % 3));  // |S| ∈ {49, 147, 245}
    for (int p = 0; p < 98; ++p) {
      const int share = total / 98 + (p < (total % 98 + 98) % 98 ? 1 : 0) - (total < 0 && total % 98 ? 1 : 0);
      x[p * kChannels + c] = (int8_t)share;
    }
  }
  tk_describe(t, "avgpool 7x14 window, sums 49 + 98j (exact quotients)");
  octk_qs8_avgpool_nhwc__reference(x, kChannels, &w, 0, 0, want);
  fn(x, kChannels, &w, 0, 0, y);
  tk_s8_end(t, tk_s8_compare(t, "y", y, want, kChannels, tk_layout_flat(kChannels)));
}

/// Quantize + NCHW → NHWC of a 3-channel image over a pixel range vs the reference quantize
/// of each plane and the index formula; bytes outside [begin, end) must stay untouched.
static void one_quantize_nchw3_twin(tk_ctx* t, octk_qs8_quantize_f32_nchw3_fn fn) {
  tk_rng* r = tk_rand(t);
  const size_t plane = (size_t)tk_rng_int(r, 1, 300);
  const size_t begin = (size_t)tk_rng_int(r, 0, (int)plane), end = (size_t)tk_rng_int(r, (int)begin, (int)plane);
  const float scale = tk_rng_chance(r, 1, 4) ? exp2f((float)tk_rng_int(r, -12, 4)) : tk_rng_float(r, 1e-4f, 2.0f);
  const int32_t z = tk_qs8_random_zero_point(r);
  tk_describe(t, "quantize nchw3 twin: plane %zu pixels [%zu, %zu) scale %a z %d", plane, begin, end, (double)scale, z);
  float* x = tk_alloc_f32(t, 3 * plane);
  for (size_t i = 0; i < 3 * plane; ++i) {
    switch (tk_rng_int(r, 0, 5)) {
      case 0: x[i] = ((float)tk_rng_int(r, -140, 140) + 0.5f) * scale; break;  // ties
      case 1: x[i] = NAN; break;
      case 2: x[i] = tk_rng_float(r, -1e30f, 1e30f); break;
      default: x[i] = tk_rng_float(r, -200.0f, 200.0f) * scale; break;
    }
  }
  int8_t* nchw = tk_s8_alloc(t, 3 * plane);
  int8_t* nhwc = tk_s8_alloc(t, 3 * plane);
  int8_t* want_nchw = tk_alloc(t, 3 * plane);
  int8_t* want_nhwc = tk_alloc(t, 3 * plane);
  tk_s8_fill(r, nchw, 3 * plane, -128, 127);
  tk_s8_fill(r, nhwc, 3 * plane, -128, 127);
  memcpy(want_nchw, nchw, 3 * plane);
  memcpy(want_nhwc, nhwc, 3 * plane);
  for (int c = 0; c < 3; ++c) octk_qs8_quantize_f32__reference(x + c * plane + begin, end - begin, scale, z, want_nchw + c * plane + begin);
  for (size_t p = begin; p < end; ++p)
    for (int c = 0; c < 3; ++c) want_nhwc[3 * p + c] = want_nchw[c * plane + p];
  fn(x, plane, begin, end, scale, z, nchw, nhwc);
  const int ok = tk_s8_compare(t, "nchw", nchw, want_nchw, 3 * plane, tk_layout_flat(3 * plane));
  tk_s8_end(t, ok && tk_s8_compare(t, "nhwc", nhwc, want_nhwc, 3 * plane, tk_layout_flat(3 * plane)));
}

static void check_kernel(tk_ctx* t) {
  g_split = 0.37;
  tk_check_qs8_conv_int32(t, conv_via_igemm, g_conv->max_weight);
  for (int i = 0; i < 300; ++i) one_twin(t);
  for (int i = 0; i < 40; ++i) one_twin_values(t, 1);
}

static void check_dw_kernel(tk_ctx* t) {
  g_split = 0.37;
  tk_check_qs8_dwconv_int32(t, dwconv_via_packed);
  for (int i = 0; i < 300; ++i) one_dw_twin(t);
}

// Every config row this CPU runs, family by family (the configs are what dispatch uses): a new
// kernel's config line is all it takes to be tested here. A conv row exact only for narrower
// weights (max_weight < 128) is fed weights inside its bound only.
static void case_conv_configs(tk_ctx* t) {
  for (size_t i = 0; i < octk_qs8_conv_config_count; ++i) {
    g_conv = &octk_qs8_conv_configs[i];
    if (!octk_config_runs(&g_conv->key, octk_cpu_features())) continue;
    check_kernel(t);
    for (int k = 0; k < 100; ++k) one_dw_multiplier_twin(t);
    // The same kernel split over 3 threads by the pool: identical bytes.
    g_pool = octk_pool_create(3);
    for (int k = 0; k < 60; ++k) one_twin(t);
    octk_pool_destroy(g_pool);
    g_pool = NULL;
  }
}

static void case_dwconv_configs(tk_ctx* t) {
  for (size_t i = 0; i < octk_qs8_dwconv_config_count; ++i) {
    g_dw = &octk_qs8_dwconv_configs[i];
    if (!octk_config_runs(&g_dw->key, octk_cpu_features())) continue;
    check_dw_kernel(t);
    g_pool = octk_pool_create(3);
    for (int k = 0; k < 60; ++k) one_dw_twin(t);
    octk_pool_destroy(g_pool);
    g_pool = NULL;
  }
}

static void case_add_configs(tk_ctx* t) {
  for (size_t i = 0; i < octk_qs8_add_config_count; ++i) {
    const octk_qs8_add_config* c = &octk_qs8_add_configs[i];
    if (octk_config_runs(&c->key, octk_cpu_features()))
      for (int k = 0; k < 600; ++k) one_add_twin(t, c->fn);
  }
}

static void case_pooling_configs(tk_ctx* t) {
  for (size_t i = 0; i < octk_qs8_pooling_config_count; ++i) {
    const octk_qs8_pooling_config* c = &octk_qs8_pooling_configs[i];
    if (!octk_config_runs(&c->key, octk_cpu_features())) continue;
    tk_check_qs8_maxpool(t, c->maxpool);
    check_avgpool_exact_quotients(t, c->avgpool);
    tk_check_qs8_avgpool(t, c->avgpool, 0);
    tk_check_qs8_avgpool(t, c->avgpool, 1);
    tk_check_qs8_global_avgpool_verified(t, c->global_avgpool);
  }
}

/// A dequantize kernel against octk_qs8_dequantize__reference, bit for bit, on `n` bytes; the
/// float after the last one stays untouched.
static void one_dequantize_twin(tk_ctx* t, octk_qs8_dequantize_fn dequantize, size_t n) {
  tk_rng* r = tk_rand(t);
  const float scale = tk_rng_int(r, 0, 3) == 0 ? 1.0f / 16 : tk_rng_float(r, 1e-6f, 10.0f);
  const int32_t z = tk_rng_int(r, -128, 127);
  tk_describe(t, "dequantize n=%zu scale %.9g z %d", n, scale, z);
  int8_t* x = tk_s8_alloc(t, n);
  tk_s8_fill(r, x, n, -128, 127);
  float* y = tk_alloc_f32(t, n + 1);
  float* want = tk_alloc_f32(t, n + 1);
  tk_fill(r, y, n + 1, -1.0f, 1.0f);
  want[n] = y[n];
  octk_qs8_dequantize__reference(x, n, scale, z, want);
  dequantize(x, n, scale, z, y);
  int ok = 1;
  for (size_t i = 0; i <= n && ok; ++i)
    if (memcmp(&y[i], &want[i], sizeof(float)) != 0)
      ok = tk_fail(t, "y[%zu]: got %.9g, want %.9g (x %d)", i, y[i], want[i], i < n ? x[i] : 0);
  tk_s8_end(t, ok);
}

static void case_quantize_configs(tk_ctx* t) {
  for (size_t i = 0; i < octk_qs8_quantize_config_count; ++i) {
    const octk_qs8_quantize_config* c = &octk_qs8_quantize_configs[i];
    if (!octk_config_runs(&c->key, octk_cpu_features())) continue;
    for (int k = 0; k < 400; ++k) one_quantize_twin(t, c->quantize);
    if (c->quantize_nchw3)
      for (int k = 0; k < 200; ++k) one_quantize_nchw3_twin(t, c->quantize_nchw3);
    for (size_t n = 0; n <= 40; ++n) one_dequantize_twin(t, c->dequantize, n);
    for (int k = 0; k < 40; ++k) one_dequantize_twin(t, c->dequantize, (size_t)tk_rng_int(tk_rand(t), 41, 3000));
  }
}

// Selection: every path the CPU runs gets a config of each family (conv/depthwise only on packed
// paths), "reference" and automatic selection always succeed, unknown names are refused.
static void case_selection(tk_ctx* t) {
  for (int i = 0; i < octk_qs8_path_count; ++i) {
    const octk_kernel_path* p = &octk_qs8_paths[i];
    octk_qs8_kernels k;
    const int rc = octk_qs8_kernels_select(p->path, &k);
    const int runs = (octk_cpu_features() & p->required) == p->required;
    const int packed = strcmp(p->path, "reference") != 0;
    tk_describe(t, "select(\"%s\")", p->path);
    int ok = rc == (runs ? OCTK_SELECT_OK : OCTK_SELECT_UNSUPPORTED);
    if (ok && runs) ok = k.add && k.pooling && k.quantize && (packed ? k.conv && k.dwconv : !k.conv && !k.dwconv);
    if (!ok) tk_fail(t, "rc %d, conv %p, dwconv %p", rc, (const void*)(runs ? k.conv : NULL), (const void*)(runs ? k.dwconv : NULL));
    tk_end(t, ok);
  }
  octk_qs8_kernels k;
  tk_describe(t, "select(NULL) and select(\"nope\")");
  tk_end(t, octk_qs8_kernels_select(NULL, &k) == OCTK_SELECT_OK && strcmp(k.path, "scalar") != 0 &&
                octk_qs8_kernels_select("nope", &k) == OCTK_SELECT_UNKNOWN);
}

// Conv selection by weight range: for every packed path and every largest |w| (0…128), the
// chosen row belongs to the path, runs on this CPU and is exact for such weights (max_weight);
// |w| = 128 gets the path's general row (kernels.conv). On x86 AVX2, the avx2 path runs the
// 7-bit kernel exactly when |w| ≤ 63.
static void case_conv_for_weights(tk_ctx* t) {
  for (int i = 0; i < octk_qs8_path_count; ++i) {
    octk_qs8_kernels k;
    if (octk_qs8_kernels_select(octk_qs8_paths[i].path, &k) != OCTK_SELECT_OK) continue;
    tk_describe(t, "conv_for_weights(\"%s\")", k.path);
    int ok = 1;
    for (int m = 0; m <= 128 && ok; ++m) {
      const octk_qs8_conv_config* c = octk_qs8_kernels_conv_for_weights(&k, m);
      if (!k.conv) {
        ok = c == NULL;
      } else {
        ok = c && strcmp(c->key.path, k.path) == 0 && octk_config_runs(&c->key, octk_cpu_features()) && m <= c->max_weight;
        if (m == 128) ok = ok && c == k.conv;
      }
      if (!ok) tk_fail(t, "|w| ≤ %d: %s", m, c ? c->name : "NULL");
    }
    if (ok && k.conv && k.conv->max_weight != OCTK_QS8_WEIGHTS_ANY) ok = tk_fail(t, "general row %s has max_weight %d", k.conv->name, k.conv->max_weight);
    tk_end(t, ok);
  }
#if defined(__x86_64__)
  octk_qs8_kernels k;
  if (octk_qs8_kernels_select("avx2", &k) == OCTK_SELECT_OK) {
    tk_describe(t, "avx2: octk_qs8_igemm_4x16c4__avx2_madd7 for |w| ≤ 63 only");
    int ok = strcmp(k.conv->name, "octk_qs8_igemm_2x16c4__avx2") == 0;
    for (int m = 0; m <= 128; ++m) {
      const octk_qs8_conv_config* c = octk_qs8_kernels_conv_for_weights(&k, m);
      const int seven = strcmp(c->name, "octk_qs8_igemm_4x16c4__avx2_madd7") == 0;
      if (seven != (m <= 63)) ok = tk_fail(t, "|w| ≤ %d: %s", m, c->name);
    }
    tk_end(t, ok);
  }
#endif
}

static const tk_case kIgemmCases[] = {
    {"qs8.conv_configs", case_conv_configs, 0},
    {"qs8.dwconv_configs", case_dwconv_configs, 0},
    {"qs8.add_configs", case_add_configs, 0},
    {"qs8.pooling_configs", case_pooling_configs, 0},
    {"qs8.quantize_configs", case_quantize_configs, 0},
    {"qs8.kernel_selection", case_selection, 0},
    {"qs8.conv_for_weights", case_conv_for_weights, 0},
};
TK_REGISTER(kIgemmCases)
