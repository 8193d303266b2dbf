// Fast fp32 kernels (octk_f32_fast.h). Convs against naive double-precision convolutions:
// indirect GEMM (any window, groups, output channels across block remainders), the same run
// as a kH×1 conv over padded rows (image stems), and depthwise conv. Each configuration runs
// through pack → indirection → kernel, either as direct kernel calls over random pixel and
// block ranges or through octk_f32_igemm_run / octk_f32_dwconv_run on 1–3 threads.
// Tolerance: |got − want| ≤ TK_ATOL + TK_RTOL·(|bias| + Σ|term|) (fp32 FMA sums vs double).
// Max pool, contiguous binary ops and the transpose: bit for bit against the reference kernels.
#include <stdlib.h>
#include <string.h>

#include "f32_checks.h"

/// Float array equality (NaN equals NaN, −0 ≠ +0), reporting the first mismatch.
static int same_floats(tk_ctx* t, const char* what, const float* got, const float* want, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (memcmp(&got[i], &want[i], sizeof(float)) != 0 && !(got[i] != got[i] && want[i] != want[i]))
      return tk_fail(t, "%s[%zu]: got %.9g, want %.9g", what, i, got[i], want[i]);
  }
  return 1;
}

static void check_transpose(tk_ctx* t) {
  tk_rng* r = tk_rand(t);
  for (int i = 0; i < 60; ++i) {
    const size_t rows = (size_t)tk_rng_int(r, 1, 80), cols = (size_t)tk_rng_int(r, 1, 80);
    const size_t sld = cols + (size_t)tk_rng_int(r, 0, 3), dld = rows + (size_t)tk_rng_int(r, 0, 3);
    tk_describe(t, "transpose %zux%zu src_ld %zu dst_ld %zu", rows, cols, sld, dld);
    float* src = tk_alloc_f32(t, rows * sld);
    float* dst = tk_alloc_f32(t, cols * dld);
    float* want = tk_alloc_f32(t, cols * dld);
    tk_fill(r, src, rows * sld, -1.0f, 1.0f);
    tk_fill(r, dst, cols * dld, 5.0f, 6.0f);
    memcpy(want, dst, cols * dld * sizeof(float));  // gaps between rows keep their contents
    for (size_t rr = 0; rr < rows; ++rr)
      for (size_t c = 0; c < cols; ++c) want[c * dld + rr] = src[rr * sld + c];
    octk_f32_transpose(rows, cols, src, sld, dst, dld);
    tk_end(t, same_floats(t, "dst", dst, want, cols * dld));
  }
}

static void case_transpose(tk_ctx* t) { check_transpose(t); }

static const tk_case kTransposeCases[] = {{"f32.transpose", case_transpose, 0}};
TK_REGISTER(kTransposeCases)

#if defined(__x86_64__)

static octk_pool* g_pools[4];  // [threads]; [1] is NULL (calling thread)

static float* aligned_floats(size_t n) {
  float* p = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
  memset(p, 0, n * sizeof(float));
  return p;
}

/// Runs a packed conv either through the driver (random thread count) or as direct kernel
/// calls over a random 2 × 2 split of pixels and blocks.
static void run_igemm(tk_rng* r, const octk_f32_fast_path* path, const octk_f32_conv_packed* p, const float* const* ind,
                      size_t pixels, float lo, float hi, float* y) {
  if (tk_rng_chance(r, 1, 2)) {
    octk_f32_igemm_run(g_pools[tk_rng_int(r, 1, 3)], path, p, ind, pixels, lo, hi, y);
    return;
  }
  const size_t blocks = (size_t)p->groups * p->blocks;
  const size_t ps = (size_t)tk_rng_int(r, 0, (int)pixels), bs = (size_t)tk_rng_int(r, 0, (int)blocks);
  path->igemm(p, ind, 0, ps, 0, bs, lo, hi, y);
  path->igemm(p, ind, 0, ps, bs, blocks, lo, hi, y);
  path->igemm(p, ind, ps, pixels, 0, bs, lo, hi, y);
  path->igemm(p, ind, ps, pixels, bs, blocks, lo, hi, y);
}

/// want[p][o] = clamp(bias + Σ x·w) over the canvas; w is OIHW [groups·og][cg][kh][kw].
static void reference_conv(tk_ctx* t, const float* x, int channels, int groups, int og, const float* wt,
                           const float* bias, const octk_window* w, float lo, float hi, double* want, double* scale) {
  const int cg = channels / groups, oc = groups * og, taps = w->kernel_h * w->kernel_w;
  tk_canvas cv;
  tk_canvas_make(t, &cv, x, channels, 0, channels, w, 0.0);
  for (int oy = 0; oy < w->out_h; ++oy)
    for (int ox = 0; ox < w->out_w; ++ox)
      for (int o = 0; o < oc; ++o) {
        const int g = o / og;
        double acc = bias ? bias[o] : 0.0, mag = fabs(acc);
        for (int c = 0; c < cg; ++c)
          for (int ky = 0; ky < w->kernel_h; ++ky)
            for (int kx = 0; kx < w->kernel_w; ++kx) {
              const double term = tk_canvas_v(&cv, g * cg + c, oy * w->stride_h + ky * w->dilation_h,
                                              ox * w->stride_w + kx * w->dilation_w) *
                                  wt[((size_t)o * cg + c) * taps + ky * w->kernel_w + kx];
              acc += term;
              mag += fabs(term);
            }
        const size_t at = ((size_t)oy * w->out_w + ox) * oc + o;
        want[at] = tk_clampd(acc, lo, hi);
        scale[at] = mag;
      }
}

/// Random output channels per group: block remainders, exact blocks and several blocks.
static int random_og(tk_rng* r, int nr) {
  switch (tk_rng_int(r, 0, 3)) {
    case 0: return tk_rng_int(r, 1, nr);
    case 1: return nr * tk_rng_int(r, 1, 3);
    default: return tk_rng_int(r, 1, 3 * nr + 7);
  }
}

// extra = groups.
static void one_igemm(tk_ctx* t, tk_any_fn fnp, int cg, int k, int s, int d, int groups) {
  const octk_f32_fast_path* path = (const octk_f32_fast_path*)(void*)fnp;
  tk_rng* r = tk_rand(t);
  octk_window w;
  tk_window_random(r, &w, k, s, d, 0);
  if (tk_rng_chance(r, 1, 4)) cg += 16 * tk_rng_int(r, 1, 8);  // longer channel runs
  const int og = random_og(r, path->nr), channels = groups * cg, oc = groups * og;
  const int taps = w.kernel_h * w.kernel_w, has_bias = !tk_rng_chance(r, 1, 4);
  float lo, hi;
  tk_random_clamp(r, &lo, &hi);
  char ws[160], cl[64];
  tk_describe(t, "%s groups %d cg %d og %d bias %s %s %s", path->key.path, groups, cg, og, has_bias ? "yes" : "NULL",
              tk_window_str(&w, ws, sizeof ws), tk_clamp_str(lo, hi, cl, sizeof cl));

  const size_t xn = (size_t)w.in_h * w.in_w * channels, wn = (size_t)oc * cg * taps;
  const size_t pixels = (size_t)w.out_h * w.out_w, on = pixels * oc;
  float* x = tk_alloc_f32(t, xn);
  float* wt = tk_alloc_f32(t, wn);
  float* bias = has_bias ? tk_alloc_f32(t, (size_t)oc) : NULL;
  float* y = tk_alloc_f32(t, on);
  tk_fill(r, x, xn, -1.0f, 1.0f);
  tk_fill(r, wt, wn, -1.0f, 1.0f);
  if (bias) tk_fill(r, bias, (size_t)oc, -1.0f, 1.0f);
  tk_fill(r, y, on, 50.0f, 60.0f);  // every element must be overwritten

  float* storage = aligned_floats(octk_f32_conv_packed_floats(groups, taps, cg, og, path->nr));
  octk_f32_conv_packed p;
  octk_f32_conv_pack(wt, (ptrdiff_t)cg * taps, 1, taps, bias, groups, taps, cg, og, path->nr, storage, &p);
  float* zero = tk_alloc(t, (size_t)channels * sizeof(float));
  const float** ind = tk_alloc(t, pixels * taps * sizeof(float*));
  octk_f32_conv_indirection(x, (size_t)channels, (size_t)w.in_w * channels, &w, zero, ind);

  double* want = tk_alloc_f64(t, on);
  double* scale = tk_alloc_f64(t, on);
  reference_conv(t, x, channels, groups, og, wt, bias, &w, lo, hi, want, scale);
  run_igemm(r, path, &p, ind, pixels, lo, hi, y);
  free(storage);
  tk_end(t, tk_compare(t, "y", y, want, scale, on, TK_RTOL, TK_ATOL,
                       tk_layout_3((size_t)w.out_h, (size_t)w.out_w, (size_t)oc, "oy,ox,c")));
}

// The image-stem form: kernel_h × 1 taps over kernel_w·channels floats of a column-padded copy.
static void one_igemm_rows(tk_ctx* t, tk_any_fn fnp, int channels, int k, int s, int d, int unused) {
  (void)unused;
  const octk_f32_fast_path* path = (const octk_f32_fast_path*)(void*)fnp;
  tk_rng* r = tk_rand(t);
  octk_window w;
  tk_window_random(r, &w, k, s, d, 0);
  w.dilation_w = 1;  // the contiguous-row form needs it
  w.out_w = tk_window_out(w.in_w, w.kernel_w, w.stride_w, 1, w.pad_left, w.pad_right, 0);
  if (w.out_w < 1) {
    w.pad_right += w.kernel_w;
    w.out_w = tk_window_out(w.in_w, w.kernel_w, w.stride_w, 1, w.pad_left, w.pad_right, 0);
  }
  const int og = random_og(r, path->nr), taps = w.kernel_h * w.kernel_w;
  const int has_bias = !tk_rng_chance(r, 1, 4);
  float lo, hi;
  tk_random_clamp(r, &lo, &hi);
  char ws[160], cl[64];
  tk_describe(t, "%s rows channels %d og %d bias %s %s %s", path->key.path, channels, og, has_bias ? "yes" : "NULL",
              tk_window_str(&w, ws, sizeof ws), tk_clamp_str(lo, hi, cl, sizeof cl));

  const size_t xn = (size_t)w.in_h * w.in_w * channels, wn = (size_t)og * channels * taps;
  const size_t pixels = (size_t)w.out_h * w.out_w, on = pixels * og;
  float* x = tk_alloc_f32(t, xn);
  float* wt = tk_alloc_f32(t, wn);
  float* bias = has_bias ? tk_alloc_f32(t, (size_t)og) : NULL;
  float* y = tk_alloc_f32(t, on);
  tk_fill(r, x, xn, -1.0f, 1.0f);
  tk_fill(r, wt, wn, -1.0f, 1.0f);
  if (bias) tk_fill(r, bias, (size_t)og, -1.0f, 1.0f);
  tk_fill(r, y, on, 50.0f, 60.0f);

  const int wp = w.pad_left + w.in_w + w.pad_right, run = w.kernel_w * channels;
  float* xp = tk_alloc_f32(t, (size_t)w.in_h * wp * channels);
  octk_f32_pad_columns(x, w.in_h, w.in_w, channels, w.pad_left, w.pad_right, xp);
  // OIHW → [o][ky][kx·C + c]; packed with taps = kernel_h, cg = kernel_w·C.
  float* wr = tk_alloc_f32(t, wn);
  for (int o = 0; o < og; ++o)
    for (int c = 0; c < channels; ++c)
      for (int ky = 0; ky < w.kernel_h; ++ky)
        for (int kx = 0; kx < w.kernel_w; ++kx)
          wr[((size_t)o * w.kernel_h + ky) * run + kx * channels + c] = wt[((size_t)o * channels + c) * taps + ky * w.kernel_w + kx];
  float* storage = aligned_floats(octk_f32_conv_packed_floats(1, w.kernel_h, run, og, path->nr));
  octk_f32_conv_packed p;
  octk_f32_conv_pack(wr, (ptrdiff_t)w.kernel_h * run, run, 1, bias, 1, w.kernel_h, run, og, path->nr, storage, &p);
  octk_window rows = w;
  rows.kernel_w = 1;
  rows.pad_left = rows.pad_right = 0;
  rows.in_w = wp - w.kernel_w + 1;
  float* zero = tk_alloc(t, (size_t)run * sizeof(float));
  const float** ind = tk_alloc(t, pixels * w.kernel_h * sizeof(float*));
  octk_f32_conv_indirection(xp, (size_t)channels, (size_t)wp * channels, &rows, zero, ind);

  double* want = tk_alloc_f64(t, on);
  double* scale = tk_alloc_f64(t, on);
  reference_conv(t, x, channels, 1, og, wt, bias, &w, lo, hi, want, scale);
  run_igemm(r, path, &p, ind, pixels, lo, hi, y);
  free(storage);
  tk_end(t, tk_compare(t, "y", y, want, scale, on, TK_RTOL, TK_ATOL,
                       tk_layout_3((size_t)w.out_h, (size_t)w.out_w, (size_t)og, "oy,ox,c")));
}

// Depthwise (multiplier 1); channels 1..17 plus 0–2 blocks of 64 to reach every step size.
static void one_dwconv(tk_ctx* t, tk_any_fn fnp, int channels, int k, int s, int d, int extra) {
  const octk_f32_fast_path* path = (const octk_f32_fast_path*)(void*)fnp;
  tk_rng* r = tk_rand(t);
  channels += 64 * extra;
  if (tk_rng_chance(r, 1, 3)) channels += 16 * tk_rng_int(r, 1, 3);
  octk_window w;
  tk_window_random(r, &w, k, s, d, 0);
  const int taps = w.kernel_h * w.kernel_w, has_bias = !tk_rng_chance(r, 1, 4);
  float lo, hi;
  tk_random_clamp(r, &lo, &hi);
  char ws[160], cl[64];
  tk_describe(t, "%s dwconv channels %d bias %s %s %s", path->key.path, channels, has_bias ? "yes" : "NULL",
              tk_window_str(&w, ws, sizeof ws), tk_clamp_str(lo, hi, cl, sizeof cl));

  const size_t xn = (size_t)w.in_h * w.in_w * channels, wn = (size_t)channels * taps;
  const size_t pixels = (size_t)w.out_h * w.out_w, on = pixels * channels;
  float* x = tk_alloc_f32(t, xn);
  float* wt = tk_alloc_f32(t, wn);  // OIHW [channels][1][kh][kw]
  float* bias = has_bias ? tk_alloc_f32(t, (size_t)channels) : NULL;
  float* y = tk_alloc_f32(t, on);
  tk_fill(r, x, xn, -1.0f, 1.0f);
  tk_fill(r, wt, wn, -1.0f, 1.0f);
  if (bias) tk_fill(r, bias, (size_t)channels, -1.0f, 1.0f);
  tk_fill(r, y, on, 50.0f, 60.0f);

  float* storage = aligned_floats(octk_f32_dwconv_packed_floats(channels, taps));
  octk_f32_dwconv_packed p;
  octk_f32_dwconv_pack(wt, 1, taps, bias, channels, taps, storage, &p);
  float* zero = tk_alloc(t, (size_t)channels * sizeof(float));
  const float** ind = tk_alloc(t, pixels * taps * sizeof(float*));
  octk_f32_conv_indirection(x, (size_t)channels, (size_t)w.in_w * channels, &w, zero, ind);

  double* want = tk_alloc_f64(t, on);
  double* scale = tk_alloc_f64(t, on);
  reference_conv(t, x, channels, channels, 1, wt, bias, &w, lo, hi, want, scale);
  if (tk_rng_chance(r, 1, 2)) {
    octk_f32_dwconv_run(g_pools[tk_rng_int(r, 1, 3)], path, &p, ind, pixels, lo, hi, y);
  } else {
    const size_t split = (size_t)tk_rng_int(r, 0, (int)pixels);
    path->dwconv(&p, ind, 0, split, lo, hi, y);
    path->dwconv(&p, ind, split, pixels, lo, hi, y);
  }
  free(storage);
  tk_end(t, tk_compare(t, "y", y, want, scale, on, TK_RTOL, TK_ATOL,
                       tk_layout_3((size_t)w.out_h, (size_t)w.out_w, (size_t)channels, "oy,ox,c")));
}

// Max pool against octk_f32_maxpool_nhwc, bit for bit (NaN inputs included); extra = ceil mode.
static void one_maxpool(tk_ctx* t, tk_any_fn fnp, int channels, int k, int s, int d, int ceil_mode) {
  const octk_f32_fast_path* path = (const octk_f32_fast_path*)(void*)fnp;
  tk_rng* r = tk_rand(t);
  channels += 64 * tk_rng_int(r, 0, 2);
  octk_window w;
  tk_window_random(r, &w, k, s, d, ceil_mode);
  char ws[160];
  tk_describe(t, "%s maxpool channels %d %s", path->key.path, channels, tk_window_str(&w, ws, sizeof ws));
  const int taps = w.kernel_h * w.kernel_w;
  const size_t xn = (size_t)w.in_h * w.in_w * channels, pixels = (size_t)w.out_h * w.out_w, on = pixels * channels;
  float* x = tk_alloc_f32(t, xn);
  float* y = tk_alloc_f32(t, on);
  float* want = tk_alloc_f32(t, on);
  tk_fill(r, x, xn, -1.0f, 1.0f);
  for (size_t i = 0; i < xn; ++i)
    if (tk_rng_chance(r, 1, 50)) x[i] = tk_rng_chance(r, 1, 2) ? __builtin_nanf("") : (tk_rng_chance(r, 1, 2) ? 0.0f : -0.0f);
  tk_fill(r, y, on, 50.0f, 60.0f);
  float* ninf = tk_alloc(t, (size_t)channels * sizeof(float));
  for (int c = 0; c < channels; ++c) ninf[c] = -__builtin_inff();
  const float** ind = tk_alloc(t, pixels * taps * sizeof(float*));
  octk_f32_conv_indirection(x, (size_t)channels, (size_t)w.in_w * channels, &w, ninf, ind);
  octk_f32_maxpool_nhwc(x, channels, &w, want);
  octk_f32_maxpool_run(g_pools[tk_rng_int(r, 1, 3)], path, ind, taps, channels, pixels, y);
  tk_end(t, same_floats(t, "y", y, want, on));
}

// Contiguous binary ops against octk_f32_binary_strided (rank 1), bit for bit.
static void check_binary(tk_ctx* t, const octk_f32_fast_path* path) {
  tk_rng* r = tk_rand(t);
  for (int i = 0; i < 200; ++i) {
    const octk_binary_op op = (octk_binary_op)tk_rng_int(r, 0, 3);
    const size_t n = i < 40 ? (size_t)i : (size_t)tk_rng_int(r, 0, i < 190 ? 300 : 40000);
    float lo, hi;
    tk_random_clamp(r, &lo, &hi);
    char cl[64];
    tk_describe(t, "%s binary op %d n %zu %s", path->key.path, (int)op, n, tk_clamp_str(lo, hi, cl, sizeof cl));
    float* a = tk_alloc_f32(t, n + 1);
    float* b = tk_alloc_f32(t, n + 1);
    float* y = tk_alloc_f32(t, n + 1);
    float* want = tk_alloc_f32(t, n + 1);
    tk_fill(r, a, n, -2.0f, 2.0f);
    tk_fill(r, b, n, -2.0f, 2.0f);
    for (size_t j = 0; j < n; ++j) {
      if (tk_rng_chance(r, 1, 40)) b[j] = 0.0f;
      if (tk_rng_chance(r, 1, 60)) a[j] = __builtin_nanf("");
    }
    const ptrdiff_t shape = (ptrdiff_t)n, one = 1;
    if (n > 0) octk_f32_binary_strided(op, 1, &shape, a, &one, b, &one, want, &one, lo, hi);
    octk_f32_binary_run(g_pools[tk_rng_int(r, 1, 3)], path, op, n, a, b, y, lo, hi);
    tk_end(t, same_floats(t, "y", y, want, n));
  }
}

static void check_path(tk_ctx* t, const char* name) {
  const octk_f32_fast_path* path = octk_f32_fast_select(name);
  if (path == NULL) {
    tk_describe(t, "octk_f32_fast_select(\"%s\")", name);
    tk_end(t, tk_fail(t, "path missing although the CPU has its features"));
    return;
  }
  for (int i = 1; i <= 3; ++i) g_pools[i] = i == 1 ? NULL : octk_pool_create(i);
  const tk_any_fn fn = (tk_any_fn)(void*)path;
  tk_window_sweep(t, fn, one_igemm, 6, 3, 1, 3);
  tk_window_sweep(t, fn, one_igemm_rows, 4, 2, 0, 0);
  tk_window_sweep(t, fn, one_dwconv, 6, 3, 0, 2);
  tk_window_sweep(t, fn, one_maxpool, 4, 2, 0, 1);
  check_binary(t, path);
  for (int i = 2; i <= 3; ++i) octk_pool_destroy(g_pools[i]);
}

static void case_avx512(tk_ctx* t) { check_path(t, "avx512"); }
static void case_avx2(tk_ctx* t) { check_path(t, "avx2"); }

static const tk_case kFastCases[] = {
    {"avx512.f32.conv", case_avx512, OCTK_CPU_X86_AVX512F},
    {"avx2.f32.conv", case_avx2, OCTK_CPU_X86_AVX2 | OCTK_CPU_X86_FMA},
};
TK_REGISTER(kFastCases)
#endif
