// SIMD int8 pools (x86 AVX2: 32 channels per step; ARM NEON: 16) bit for bit against the
// reference kernels of reference/qs8_pool.c. Per ISA, three cases:
//   - the shared sweeps of test_qs8_pool.c (channels 1…17, kernel 1…5 × stride 1…3 × dilation
//     1…2, asymmetric padding, ceil mode, count_include_pad both ways, padding-only windows,
//     extreme inputs; the global pool up to the verifier's 2^23 − 1 pixels);
//   - twins against the reference kernel over wide channel counts (every remainder of the
//     32/16-channel steps up to 80, then random up to 300), larger random windows (kernel 1…7,
//     stride 1…4, dilation 1…3, padding 0…4 including windows wholly in the padding), random
//     zero points (−128, 0, 127 or any) and input fills (extreme, all −128, all 127, small
//     values that tie often, uniform);
//   - average windows beyond one int16 run (> 256 taps, within one row and across rows) up to
//     the verifier's 1024 × 1024 window with |Σ (x − z)| = 255·2^20, and global pools over
//     pixel counts around the 256-pixel runs.
// Inputs end right before an inaccessible page: these kernels claim to read nothing past a
// pixel's channels (no read slack), so a read past the tensor faults. Outputs are guarded
// buffers (tk_s8_alloc): a write outside fails the check.
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"
#if defined(__x86_64__)
#include "octk_qs8_avx2.h"
#endif
#if defined(__aarch64__)
#include "octk_qs8_arm.h"
#endif

// Shared helpers (test_qs8_requantize.c, test_qs8_pool.c).
int8_t* tk_s8_alloc(tk_ctx* t, size_t n);
int tk_s8_end(tk_ctx* t, int ok);
void tk_s8_fill(tk_rng* r, int8_t* p, size_t n, int lo, int hi);
int tk_s8_compare(tk_ctx* t, const char* what, const int8_t* got, const int8_t* want, size_t n, tk_layout layout);
float tk_qs8_random_scale(tk_rng* r, double real, int edge_num, int edge_den);
int32_t tk_qs8_random_zero_point(tk_rng* r);

typedef void (*maxpool_fn)(const int8_t* x, int channels, const octk_window* win, int8_t* y);
typedef void (*avgpool_fn)(const int8_t* x, int channels, const octk_window* win, int count_include_pad,
                           int32_t zero_point, int8_t* y);
typedef void (*global_fn)(const int8_t* x, size_t pixels, int channels, int32_t input_zero_point,
                          int32_t output_zero_point, float scale, int8_t* y);

void tk_check_qs8_maxpool(tk_ctx* t, maxpool_fn fn);
void tk_check_qs8_avgpool(tk_ctx* t, avgpool_fn fn, int count_include_pad);
void tk_check_qs8_global_avgpool_verified(tk_ctx* t, global_fn fn);

// ---- inputs that end at an inaccessible page ---------------------------------------------

typedef struct {
  void* base;
  size_t size;
} tight_buf;

/// n bytes whose last one is followed by a PROT_NONE page; release with tight_free.
static int8_t* tight_alloc(tight_buf* b, size_t n) {
  const size_t page = (size_t)sysconf(_SC_PAGESIZE);
  const size_t body = (n + page - 1) / page * page;
  b->size = body + page;
  b->base = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (b->base == MAP_FAILED || mprotect((char*)b->base + body, page, PROT_NONE) != 0) {
    perror("kernel tests: mmap/mprotect");
    exit(2);
  }
  return (int8_t*)b->base + body - n;
}

static void tight_free(tight_buf* b) { munmap(b->base, b->size); }

static const char* const kFills[] = {"extreme", "all -128", "all 127", "small", "uniform"};

static int fill(tk_rng* r, int8_t* x, size_t n) {
  const int mode = tk_rng_int(r, 0, 6);
  switch (mode) {
    case 0:
      for (size_t i = 0; i < n; ++i) x[i] = tk_rng_chance(r, 1, 2) ? -128 : 127;
      return 0;
    case 1: memset(x, 0x80, n); return 1;
    case 2: memset(x, 0x7F, n); return 2;
    case 3: tk_s8_fill(r, x, n, -3, 3); return 3;  // many exact ties in the average
    default: tk_s8_fill(r, x, n, -128, 127); return 4;
  }
}

// ---- windowed pools against the reference ----------------------------------------------

/// One axis: kernel 1…7, stride 1…4, dilation 1…3, padding 0…4 per side, an input size that
/// gives at least one output.
static void random_axis(tk_rng* r, int ceil_mode, int* in, int* k, int* s, int* d, int* p0, int* p1, int* out) {
  do {
    *k = tk_rng_int(r, 1, 7);
    *s = tk_rng_int(r, 1, 4);
    *d = tk_rng_chance(r, 1, 3) ? tk_rng_int(r, 2, 3) : 1;
    *p0 = tk_rng_int(r, 0, 4);
    *p1 = tk_rng_int(r, 0, 4);
    *in = tk_rng_int(r, 1, 12);
    *out = tk_window_out(*in, *k, *s, *d, *p0, *p1, ceil_mode);
  } while (*out < 1);
}

static void random_window(tk_rng* r, octk_window* w, int ceil_mode) {
  memset(w, 0, sizeof *w);
  random_axis(r, ceil_mode, &w->in_h, &w->kernel_h, &w->stride_h, &w->dilation_h, &w->pad_top, &w->pad_bottom,
              &w->out_h);
  random_axis(r, ceil_mode, &w->in_w, &w->kernel_w, &w->stride_w, &w->dilation_w, &w->pad_left, &w->pad_right,
              &w->out_w);
}

/// op: 0 max, 1 average, 2 average with count_include_pad. z_fixed < −128: a random zero point.
static void one_window_twin(tk_ctx* t, tk_any_fn fn, int op, int channels, const octk_window* w, int32_t z_fixed,
                            int fill_mode) {
  tk_rng* r = tk_rand(t);
  const size_t xn = (size_t)w->in_h * w->in_w * channels, yn = (size_t)w->out_h * w->out_w * channels;
  tight_buf xb;
  int8_t* x = tight_alloc(&xb, xn);
  int mode = fill_mode;
  if (fill_mode < 0) mode = fill(r, x, xn);
  else memset(x, fill_mode == 1 ? 0x80 : 0x7F, xn);
  const int32_t z = z_fixed >= -128 ? z_fixed : tk_qs8_random_zero_point(r);
  int8_t* y = tk_s8_alloc(t, yn);
  int8_t* want = tk_alloc(t, yn + 1);
  tk_s8_fill(r, y, yn, -128, 127);
  char ws[160];
  tk_describe(t, "%s channels %d %s z %d input %s", op == 0 ? "max" : (op == 1 ? "avg" : "avg count_include_pad"),
              channels, tk_window_str(w, ws, sizeof ws), z, kFills[mode]);
  if (op == 0) {
    octk_qs8_maxpool_nhwc__reference(x, channels, w, want);
    ((maxpool_fn)fn)(x, channels, w, y);
  } else {
    octk_qs8_avgpool_nhwc__reference(x, channels, w, op == 2, z, want);
    ((avgpool_fn)fn)(x, channels, w, op == 2, z, y);
  }
  const tk_layout layout = tk_layout_3((size_t)w->out_h, (size_t)w->out_w, (size_t)channels, "oy,ox,c");
  const int ok = tk_s8_compare(t, "y", y, want, yn, layout);
  tight_free(&xb);
  tk_s8_end(t, ok);
}

/// Channel counts: every one in 1…80 (all remainders of 32 and 16, several full steps), then
/// random ones up to 300.
static int sweep_channels(tk_rng* r, int i) { return i < 80 ? i + 1 : tk_rng_int(r, 81, 300); }

static void window_twins(tk_ctx* t, tk_any_fn fn, int op) {
  tk_rng* r = tk_rand(t);
  for (int i = 0; i < 200; ++i) {
    octk_window w;
    random_window(r, &w, tk_rng_chance(r, 1, 2));
    one_window_twin(t, fn, op, sweep_channels(r, i % 100), &w, -129, -1);
  }
}

/// A window of kh × kw over an input of the same size plus the given padding (all sides).
static octk_window full_window(int in_h, int in_w, int kh, int kw, int stride, int pad, int ceil_mode) {
  octk_window w = {in_h, in_w, kh, kw, stride, stride, 1, 1, pad, pad, pad, pad, 0, 0};
  w.out_h = tk_window_out(in_h, kh, stride, 1, pad, pad, ceil_mode);
  w.out_w = tk_window_out(in_w, kw, stride, 1, pad, pad, ceil_mode);
  return w;
}

/// Averages whose sums need more than one int16 run of 256 taps.
static void large_average_windows(tk_ctx* t, avgpool_fn fn) {
  tk_rng* r = tk_rand(t);
  for (int i = 0; i < 48; ++i) {
    // Inputs all −128 or all 127 fill every int16 run to its limit (or random), any zero point.
    static const int kFillModes[] = {1, 2, -1};
    const int include_pad = i / 12 % 2, channels = tk_rng_int(r, 1, 70), fill_mode = kFillModes[i / 4 % 3];
    octk_window w;
    const int a = tk_rng_int(r, 17, 30), b = tk_rng_int(r, 17, 30), ceil_mode = tk_rng_chance(r, 1, 2);
    const int len = tk_rng_int(r, 600, 800), k = tk_rng_int(r, 257, 600), s = tk_rng_int(r, 50, 200);
    const int pad = tk_rng_int(r, 0, 100);
    switch (i % 4) {
      case 0: w = full_window(a, b, 17, 17, tk_rng_int(r, 1, 5), tk_rng_int(r, 0, 8), ceil_mode); break;  // 289 taps
      case 1: w = full_window(1, len, 1, k, s, pad, 0); break;  // one long row
      case 2: w = full_window(len, 1, k, 1, s, pad, 0); break;  // one long column
      default: w = full_window(a + 23, b + 23, a + 13, b + 13, 7, 5, 1); break;  // 900…1849 taps, rows of 30…43
    }
    one_window_twin(t, (tk_any_fn)fn, include_pad ? 2 : 1, channels, &w, -129, fill_mode);
  }
  // The verifier's largest window: 2^20 taps, Σ (x − z) = ∓255·2^20 (x all −128 with z = 127,
  // x all 127 with z = −128) or random; with padding 1 (count_include_pad: 2^20 counted, fewer
  // inside).
  for (int i = 0; i < 6; ++i) {
    const int pad = i / 2 % 2, extreme = i < 4;
    const octk_window w = full_window(1024 - 2 * pad, 1024 - 2 * pad, 1024, 1024, 1, pad, 0);
    one_window_twin(t, (tk_any_fn)fn, 1 + pad, 1 + 5 * i, &w, extreme ? (i % 2 ? -128 : 127) : -129,
                    extreme ? (i % 2 ? 2 : 1) : -1);
  }
}

// ---- global average pool against the reference -----------------------------------------

static void one_global_twin(tk_ctx* t, global_fn fn, size_t pixels, int channels) {
  tk_rng* r = tk_rand(t);
  const int32_t z_in = tk_qs8_random_zero_point(r), z_out = tk_qs8_random_zero_point(r);
  const float scale = tk_qs8_random_scale(r, exp2(tk_rng_float(r, -2.0f, 2.0f)) / (double)pixels, 1, 5);
  const size_t xn = pixels * (size_t)channels;
  tight_buf xb;
  int8_t* x = tight_alloc(&xb, xn);
  const int mode = fill(r, x, xn);
  int8_t* y = tk_s8_alloc(t, (size_t)channels);
  int8_t* want = tk_alloc(t, (size_t)channels);
  tk_s8_fill(r, y, (size_t)channels, -128, 127);
  tk_describe(t, "global pixels %zu channels %d z_in %d z_out %d scale %a input %s", pixels, channels, z_in, z_out,
              (double)scale, kFills[mode]);
  octk_qs8_global_avgpool_nhwc__reference(x, pixels, channels, z_in, z_out, scale, want);
  fn(x, pixels, channels, z_in, z_out, scale, y);
  const int ok = tk_s8_compare(t, "y", y, want, (size_t)channels, tk_layout_flat((size_t)channels));
  tight_free(&xb);
  tk_s8_end(t, ok);
}

static void global_twins(tk_ctx* t, global_fn fn) {
  tk_rng* r = tk_rand(t);
  static const int kPixels[] = {1, 2, 255, 256, 257, 511, 512, 513};
  for (int i = 0; i < 200; ++i) {
    const size_t pixels = i % 2 ? (size_t)kPixels[tk_rng_int(r, 0, 7)] : (size_t)tk_rng_int(r, 1, 1100);
    one_global_twin(t, fn, pixels, sweep_channels(r, i % 100));
  }
}

// ---- cases -------------------------------------------------------------------------------

static void check_max(tk_ctx* t, maxpool_fn fn) {
  tk_check_qs8_maxpool(t, fn);
  window_twins(t, (tk_any_fn)fn, 0);
}

static void check_avg(tk_ctx* t, avgpool_fn fn) {
  tk_check_qs8_avgpool(t, fn, 0);
  tk_check_qs8_avgpool(t, fn, 1);
  window_twins(t, (tk_any_fn)fn, 1);
  window_twins(t, (tk_any_fn)fn, 2);
  large_average_windows(t, fn);
}

static void check_global(tk_ctx* t, global_fn fn) {
  tk_check_qs8_global_avgpool_verified(t, fn);
  global_twins(t, fn);
}

#if defined(__x86_64__)
static void case_avx2_max(tk_ctx* t) { check_max(t, octk_qs8_maxpool_nhwc__avx2); }
static void case_avx2_avg(tk_ctx* t) { check_avg(t, octk_qs8_avgpool_nhwc__avx2); }
static void case_avx2_global(tk_ctx* t) { check_global(t, octk_qs8_global_avgpool_nhwc__avx2); }

static const tk_case kAvx2PoolCases[] = {
    {"avx2.qs8.maxpool", case_avx2_max, OCTK_CPU_X86_AVX2},
    {"avx2.qs8.avgpool", case_avx2_avg, OCTK_CPU_X86_AVX2},
    {"avx2.qs8.global_avgpool", case_avx2_global, OCTK_CPU_X86_AVX2},
};
TK_REGISTER(kAvx2PoolCases)
#endif

#if defined(__aarch64__)
static void case_neon_max(tk_ctx* t) { check_max(t, octk_qs8_maxpool_nhwc__neon); }
static void case_neon_avg(tk_ctx* t) { check_avg(t, octk_qs8_avgpool_nhwc__neon); }
static void case_neon_global(tk_ctx* t) { check_global(t, octk_qs8_global_avgpool_nhwc__neon); }

static const tk_case kNeonPoolCases[] = {
    {"neon.qs8.maxpool", case_neon_max, OCTK_CPU_ARM_NEON},
    {"neon.qs8.avgpool", case_neon_avg, OCTK_CPU_ARM_NEON},
    {"neon.qs8.global_avgpool", case_neon_global, OCTK_CPU_ARM_NEON},
};
TK_REGISTER(kNeonPoolCases)
#endif
