// Test driver main: registry, PRNG, guarded buffers, comparison and reporting.
// Usage: octk_kernel_tests [--filter SUBSTR] [--seed N] [--list] [--verbose]
//                          [--max-print N] [--expect FEATS] [--expect-absent FEATS]
// FEATS is a comma-separated list of feature names (see test_cpu.c), checked against
// octk_cpu_features() by the cpu.expected case (used by run_kernel_tests.sh under qemu).
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TK_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)  // GCC
#define TK_ASAN 1
#endif
#ifdef TK_ASAN
#include <sanitizer/asan_interface.h>
#endif

// ---- PRNG ------------------------------------------------------------------------------

static uint64_t splitmix64(uint64_t* x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void tk_rng_seed(tk_rng* r, uint64_t seed) {
  for (int i = 0; i < 4; ++i) r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t tk_rng_u64(tk_rng* r) {
  uint64_t* s = r->s;
  const uint64_t result = rotl64(s[1] * 5, 7) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl64(s[3], 45);
  return result;
}

int tk_rng_int(tk_rng* r, int lo, int hi) {
  if (hi <= lo) return lo;
  const uint64_t span = (uint64_t)((int64_t)hi - lo) + 1;
  return (int)(lo + (int64_t)(tk_rng_u64(r) % span));
}

float tk_rng_float(tk_rng* r, float lo, float hi) {
  const float u = (float)(tk_rng_u64(r) >> 40) * (1.0f / 16777216.0f);  // [0, 1), 24 bits
  return lo + (hi - lo) * u;
}

int tk_rng_chance(tk_rng* r, int num, int den) { return (int)(tk_rng_u64(r) % (uint64_t)den) < num; }

void tk_fill(tk_rng* r, float* p, size_t n, float lo, float hi) {
  for (size_t i = 0; i < n; ++i) p[i] = tk_rng_float(r, lo, hi);
}

// ---- context ---------------------------------------------------------------------------

#define TK_GUARD 16                 // guard floats on each side
#define TK_GUARD_BITS 0x7FA5A5A5u   // a NaN no kernel produces
#define TK_MAX_ALLOCS 64

typedef struct {
  void* block;      // what free() takes
  float* data;      // NULL for plain allocations
  size_t n;
} tk_alloc_rec;

struct tk_ctx {
  const char* case_name;
  tk_rng rng, align_rng;
  long passed, failed;
  int printed, max_print, verbose;
  int check_failed_printed;  // the current check's description was printed
  char desc[768];
  tk_alloc_rec allocs[TK_MAX_ALLOCS];
  int nallocs;
};

tk_rng* tk_rand(tk_ctx* t) { return &t->rng; }

void tk_describe(tk_ctx* t, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(t->desc, sizeof t->desc, fmt, ap);
  va_end(ap);
  t->check_failed_printed = 0;
}

static void print_failure_header(tk_ctx* t) {
  if (t->check_failed_printed) return;
  t->check_failed_printed = 1;
  printf("  FAIL %s: %s\n", t->case_name, t->desc);
}

int tk_fail(tk_ctx* t, const char* fmt, ...) {
  if (t->printed < t->max_print) {
    print_failure_header(t);
    va_list ap;
    va_start(ap, fmt);
    printf("       ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
  }
  return 0;
}

static void fatal_oom(void) {
  fprintf(stderr, "kernel tests: out of memory\n");
  exit(2);
}

static void track(tk_ctx* t, void* block, float* data, size_t n) {
  if (t->nallocs == TK_MAX_ALLOCS) {
    fprintf(stderr, "kernel tests: more than %d buffers in one check of %s\n", TK_MAX_ALLOCS, t->case_name);
    exit(2);
  }
  t->allocs[t->nallocs++] = (tk_alloc_rec){block, data, n};
}

static void set_guard(float* p, size_t n) {
  const uint32_t bits = TK_GUARD_BITS;
  for (size_t i = 0; i < n; ++i) memcpy(p + i, &bits, sizeof bits);
}

void tk_poison(const void* p, size_t n) {
#ifdef TK_ASAN
  ASAN_POISON_MEMORY_REGION(p, n);
#else
  (void)p, (void)n;
#endif
}

void tk_unpoison(const void* p, size_t n) {
#ifdef TK_ASAN
  ASAN_UNPOISON_MEMORY_REGION(p, n);
#else
  (void)p, (void)n;
#endif
}

float* tk_alloc_f32(tk_ctx* t, size_t n) {
  const size_t misalign = (size_t)(tk_rng_u64(&t->align_rng) % 8);
  const size_t total = misalign + 2 * TK_GUARD + (n ? n : 1);
  const size_t bytes = (total * sizeof(float) + 63) / 64 * 64;
  float* block = aligned_alloc(64, bytes);
  if (!block) fatal_oom();
  float* data = block + misalign + TK_GUARD;
  set_guard(block + misalign, TK_GUARD);
  set_guard(data + n, TK_GUARD);
  memset(data, 0, n * sizeof(float));
  // Readable: the data and TK_READ_SLACK bytes after it (the arena contract); the other guard
  // bytes are poisoned under ASan (unpoisoned by tk_end before it checks them).
  tk_poison(block + misalign, TK_GUARD * sizeof(float));
  tk_poison((char*)(data + n) + TK_READ_SLACK, TK_GUARD * sizeof(float) - TK_READ_SLACK);
  track(t, block, data, n);
  return data;
}

int8_t* tk_s8_conv_input(const int8_t* x, size_t bytes, int32_t input_offset) {
  int8_t* copy = calloc(bytes + TK_READ_SLACK, 1);
  if (!copy) fatal_oom();
  if (input_offset) octk_s8_flip_sign(bytes, x, copy);
  else memcpy(copy, x, bytes);
  return copy;
}

void* tk_alloc(tk_ctx* t, size_t bytes) {
  void* p = calloc(1, bytes ? bytes : 1);
  if (!p) fatal_oom();
  track(t, p, NULL, 0);
  return p;
}

double* tk_alloc_f64(tk_ctx* t, size_t n) { return tk_alloc(t, n * sizeof(double)); }

static int guard_intact(const float* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    uint32_t bits;
    memcpy(&bits, p + i, sizeof bits);
    if (bits != TK_GUARD_BITS) return 0;
  }
  return 1;
}

int tk_end(tk_ctx* t, int ok) {
  for (int i = 0; i < t->nallocs; ++i) {
    const tk_alloc_rec* a = &t->allocs[i];
    if (!a->data) continue;
    tk_unpoison(a->data - TK_GUARD, (a->n + 2 * TK_GUARD) * sizeof(float));
    if (!guard_intact(a->data - TK_GUARD, TK_GUARD))
      ok = tk_fail(t, "out-of-bounds write before buffer #%d (%zu floats)", i, a->n);
    if (!guard_intact(a->data + a->n, TK_GUARD))
      ok = tk_fail(t, "out-of-bounds write after buffer #%d (%zu floats)", i, a->n);
  }
  for (int i = 0; i < t->nallocs; ++i) free(t->allocs[i].block);
  t->nallocs = 0;
  if (ok) {
    ++t->passed;
    if (t->verbose) printf("  ok   %s: %s\n", t->case_name, t->desc);
  } else {
    ++t->failed;
    if (t->check_failed_printed) ++t->printed;
  }
  t->check_failed_printed = 0;
  return ok;
}

// ---- comparison ------------------------------------------------------------------------

tk_layout tk_layout_flat(size_t n) {
  tk_layout l = {1, {n}, NULL};
  return l;
}

tk_layout tk_layout_3(size_t d0, size_t d1, size_t d2, const char* names) {
  tk_layout l = {3, {d0, d1, d2}, names};
  return l;
}

static void format_index(tk_layout l, size_t i, char* buf, size_t size) {
  if (!l.names || l.rank <= 0) {
    snprintf(buf, size, "[%zu]", i);
    return;
  }
  size_t idx[OCTK_MAX_RANK];
  for (int d = l.rank - 1; d >= 0; --d) {
    const size_t n = l.dim[d] ? l.dim[d] : 1;
    idx[d] = i % n;
    i /= n;
  }
  size_t len = 0;
  const char* name = l.names;
  len += (size_t)snprintf(buf + len, size - len, "[");
  for (int d = 0; d < l.rank && len < size; ++d) {
    const char* comma = strchr(name, ',');
    const int nlen = comma ? (int)(comma - name) : (int)strlen(name);
    len += (size_t)snprintf(buf + len, size - len, "%s%.*s=%zu", d ? "," : "", nlen, name, idx[d]);
    name = comma ? comma + 1 : name + nlen;
  }
  if (len < size) snprintf(buf + len, size - len, "]");
}

static int same_bits(float got, double want) {
  const float w = (float)want;
  if (isnan(w)) return isnan(got);
  return memcmp(&got, &w, sizeof got) == 0;
}

int tk_compare(tk_ctx* t, const char* what, const float* got, const double* want, const double* scale, size_t n,
               double rtol, double atol, tk_layout layout) {
  const int exact = rtol == 0 && atol == 0;
  size_t bad = 0;
  for (size_t i = 0; i < n; ++i) {
    const double g = got[i], w = want[i];
    int ok;
    if (exact) {
      ok = same_bits(got[i], w);
    } else if (isnan(w) || isnan(g)) {
      ok = isnan(w) && isnan(g);
    } else if (isinf(w) || isinf(g)) {
      ok = g == w;
    } else {
      const double s = scale ? scale[i] : fabs(w);
      ok = fabs(g - w) <= atol + rtol * s;
    }
    if (!ok) {
      if (bad < 3) {
        char idx[160];
        format_index(layout, i, idx, sizeof idx);
        if (exact)
          tk_fail(t, "%s%s: got %.9g, want %.9g (exact)", what, idx, g, w);
        else
          tk_fail(t, "%s%s: got %.9g, want %.9g (|err| %.3g > tol %.3g)", what, idx, g, w, fabs(g - w),
                  atol + rtol * (scale ? scale[i] : fabs(w)));
      }
      ++bad;
    }
  }
  if (bad > 3) tk_fail(t, "%s: %zu of %zu elements differ", what, bad, n);
  return bad == 0;
}

// ---- window helpers --------------------------------------------------------------------

int tk_window_out(int in, int k, int s, int d, int pad0, int pad1, int ceil_mode) {
  const int span = in + pad0 + pad1 - d * (k - 1) - 1;
  if (span < 0) return 0;
  if (!ceil_mode) return span / s + 1;
  int out = (span + s - 1) / s + 1;
  if ((out - 1) * s >= in + pad0) --out;  // last window must start inside input or leading pad
  return out;
}

static void axis_random(tk_rng* r, int k, int s, int d, int ceil_mode, int* in, int* kk, int* ss, int* dd, int* p0,
                        int* p1, int* out) {
  *kk = k > 0 ? k : tk_rng_int(r, 1, 5);
  *ss = s > 0 ? s : tk_rng_int(r, 1, 3);
  *dd = d > 0 ? d : tk_rng_int(r, 1, 2);
  *p0 = tk_rng_int(r, 0, 2);
  *p1 = tk_rng_int(r, 0, 2);
  const int eff = *dd * (*kk - 1) + 1;
  int min_in = eff - *p0 - *p1;
  if (min_in < 1) min_in = 1;
  *in = min_in + tk_rng_int(r, 0, 6);
  *out = tk_window_out(*in, *kk, *ss, *dd, *p0, *p1, ceil_mode);
}

void tk_window_random(tk_rng* r, octk_window* w, int k, int s, int d, int ceil_mode) {
  memset(w, 0, sizeof *w);
  axis_random(r, k, s, d, ceil_mode, &w->in_h, &w->kernel_h, &w->stride_h, &w->dilation_h, &w->pad_top,
              &w->pad_bottom, &w->out_h);
  axis_random(r, k, s, d, ceil_mode, &w->in_w, &w->kernel_w, &w->stride_w, &w->dilation_w, &w->pad_left,
              &w->pad_right, &w->out_w);
}

void tk_window_sweep(tk_ctx* t, tk_any_fn fn, tk_window_check_fn check, int per_c, int per_ksd, int extra_lo,
                     int extra_hi) {
  tk_rng* r = tk_rand(t);
  for (int c = 1; c <= 17; ++c)
    for (int i = 0; i < per_c; ++i) check(t, fn, c, 0, 0, 0, tk_rng_int(r, extra_lo, extra_hi));
  for (int k = 1; k <= 5; ++k)
    for (int s = 1; s <= 3; ++s)
      for (int d = 1; d <= 2; ++d)
        for (int i = 0; i < per_ksd; ++i) {
          const int c = tk_rng_int(r, 1, 17);
          check(t, fn, c, k, s, d, tk_rng_int(r, extra_lo, extra_hi));
        }
}

const char* tk_window_str(const octk_window* w, char* buf, size_t size) {
  snprintf(buf, size, "in %dx%d k %dx%d s %dx%d d %dx%d pad t%d l%d b%d r%d out %dx%d", w->in_h, w->in_w,
           w->kernel_h, w->kernel_w, w->stride_h, w->stride_w, w->dilation_h, w->dilation_w, w->pad_top,
           w->pad_left, w->pad_bottom, w->pad_right, w->out_h, w->out_w);
  return buf;
}

void tk_random_clamp(tk_rng* r, float* lo, float* hi) {
  switch (tk_rng_int(r, 0, 4)) {
    case 0: *lo = -INFINITY; *hi = INFINITY; break;
    case 1: *lo = 0.0f; *hi = INFINITY; break;
    case 2: *lo = 0.0f; *hi = 6.0f; break;
    case 3: *lo = -1.0f; *hi = 1.0f; break;
    default:
      *lo = tk_rng_float(r, -0.6f, 0.0f);
      *hi = *lo + tk_rng_float(r, 0.05f, 0.8f);
      break;
  }
}

const char* tk_clamp_str(float lo, float hi, char* buf, size_t size) {
  snprintf(buf, size, "clamp [%g, %g]", lo, hi);
  return buf;
}

void tk_canvas_make(tk_ctx* t, tk_canvas* cv, const float* x, int channels, int c0, int nc, const octk_window* w,
                    double pad_value) {
  const int need_h = (w->out_h - 1) * w->stride_h + (w->kernel_h - 1) * w->dilation_h + 1;
  const int need_w = (w->out_w - 1) * w->stride_w + (w->kernel_w - 1) * w->dilation_w + 1;
  const int pad_h = w->pad_top + w->in_h + w->pad_bottom, pad_w = w->pad_left + w->in_w + w->pad_right;
  cv->channels = nc;
  cv->h = need_h > pad_h ? need_h : pad_h;
  cv->w = need_w > pad_w ? need_w : pad_w;
  cv->v = tk_alloc_f64(t, (size_t)nc * cv->h * cv->w);
  cv->cls = tk_alloc(t, (size_t)cv->h * cv->w);
  for (int cy = 0; cy < cv->h; ++cy) {
    for (int cx = 0; cx < cv->w; ++cx) {
      const int iy = cy - w->pad_top, ix = cx - w->pad_left;
      const int inside = iy >= 0 && iy < w->in_h && ix >= 0 && ix < w->in_w;
      cv->cls[(size_t)cy * cv->w + cx] = inside ? 0 : (cy < pad_h && cx < pad_w ? 1 : 2);
      for (int c = 0; c < nc; ++c)
        cv->v[((size_t)c * cv->h + cy) * cv->w + cx] =
            inside ? x[((size_t)iy * w->in_w + ix) * channels + c0 + c] : pad_value;
    }
  }
}

// ---- registry and main -----------------------------------------------------------------

#define TK_MAX_CASES 512
static tk_case g_cases[TK_MAX_CASES];
static size_t g_ncases;

void tk_register(const tk_case* cases, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    if (g_ncases == TK_MAX_CASES) {
      fprintf(stderr, "kernel tests: too many cases (raise TK_MAX_CASES)\n");
      exit(2);
    }
    g_cases[g_ncases++] = cases[i];
  }
}

static int case_cmp(const void* a, const void* b) {
  return strcmp(((const tk_case*)a)->name, ((const tk_case*)b)->name);
}

static uint64_t hash_name(const char* s) {  // FNV-1a
  uint64_t h = 0xCBF29CE484222325ull;
  for (; *s; ++s) h = (h ^ (unsigned char)*s) * 0x100000001B3ull;
  return h;
}

// Defined in test_cpu.c: feature names and the --expect lists.
const char* tk_cpu_feature_names(uint32_t features, char* buf, size_t size);
extern const char* tk_expect_present;
extern const char* tk_expect_absent;

static const char* arch_name(void) {
#if defined(__x86_64__)
  return "x86_64";
#elif defined(__aarch64__)
  return "aarch64";
#else
  return "other";
#endif
}

static void usage(const char* argv0) {
  printf("usage: %s [--filter SUBSTR] [--seed N] [--list] [--verbose] [--max-print N]\n"
         "          [--expect FEATS] [--expect-absent FEATS]   (FEATS: comma-separated, e.g. neon,dotprod)\n",
         argv0);
}

int main(int argc, char** argv) {
  const char* filter = NULL;
  uint64_t seed = 0x0C7E7u;
  int list = 0, verbose = 0, max_print = 10;
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--filter") && v) filter = argv[++i];
    else if (!strcmp(a, "--seed") && v) seed = strtoull(argv[++i], NULL, 0);
    else if (!strcmp(a, "--max-print") && v) max_print = atoi(argv[++i]);
    else if (!strcmp(a, "--expect") && v) tk_expect_present = argv[++i];
    else if (!strcmp(a, "--expect-absent") && v) tk_expect_absent = argv[++i];
    else if (!strcmp(a, "--list")) list = 1;
    else if (!strcmp(a, "--verbose")) verbose = 1;
    else if (!strcmp(a, "--help") || !strcmp(a, "-h")) { usage(argv[0]); return 0; }
    else { usage(argv[0]); return 2; }
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  qsort(g_cases, g_ncases, sizeof g_cases[0], case_cmp);
  if (list) {
    for (size_t i = 0; i < g_ncases; ++i) printf("%s\n", g_cases[i].name);
    return 0;
  }

  const uint32_t features = octk_cpu_features();
  char names[256];
  printf("octet kernel tests: %s, seed 0x%llx\n", arch_name(), (unsigned long long)seed);
  printf("cpu features: %s (0x%x)\n", tk_cpu_feature_names(features, names, sizeof names), (unsigned)features);

  static tk_ctx ctx;  // large; keep off the stack
  long passed = 0, failed = 0, skipped_cases = 0;
  for (size_t i = 0; i < g_ncases; ++i) {
    const tk_case* c = &g_cases[i];
    if (filter && !strstr(c->name, filter)) continue;
    if ((features & c->required) != c->required) {
      printf("[skip] %-28s needs %s\n", c->name, tk_cpu_feature_names(c->required, names, sizeof names));
      ++skipped_cases;
      continue;
    }
    memset(&ctx, 0, sizeof ctx);
    ctx.case_name = c->name;
    ctx.max_print = max_print;
    ctx.verbose = verbose;
    tk_rng_seed(&ctx.rng, seed ^ hash_name(c->name));
    tk_rng_seed(&ctx.align_rng, ~seed ^ hash_name(c->name));
    c->fn(&ctx);
    if (ctx.nallocs) tk_end(&ctx, tk_fail(&ctx, "case returned with an unfinished check"));
    if (ctx.failed > ctx.printed && ctx.printed >= max_print)
      printf("       ... %ld more failing checks not shown\n", ctx.failed - ctx.printed);
    printf("[%s] %-28s %6ld passed, %ld failed\n", ctx.failed ? "FAIL" : " ok ", c->name, ctx.passed, ctx.failed);
    passed += ctx.passed;
    failed += ctx.failed;
  }
  if (skipped_cases) printf("%ld case(s) skipped for missing CPU features\n", skipped_cases);
  printf("kernels: %ld passed, %ld failed\n", passed, failed);
  return failed || passed == 0 ? 1 : 0;
}
