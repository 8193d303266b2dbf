// Requantization primitives (reference/qs8_requantize.c): octk_srdhm, octk_rdbpot,
// octk_requantize, against references written from their defining formulas:
//   srdhm(a, b)  = the integer nearest to a·b / 2^31 (exact int64 product), ties toward +∞
//                  (gemmlowp's nudge-and-truncate), the one result 2^31 (INT32_MIN²) saturated;
//   rdbpot(x, e) = round(x / 2^e) computed in double (exact: x has 32 bits) with C's round(),
//                  ties away from zero;
//   requantize   = rdbpot(srdhm(clamp(acc·2^left), M), right).
// (The Swift test RequantizationOracleTests checks the same kernels against gemmlowp itself.)
//
// This file also holds the helpers shared by the other int8 test files (test_qs8_*.c,
// test_s8_*.c), which declare them extern: guarded int8 buffers, exact int8 comparison, the
// reference requantization and random quantization parameters.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

// ======================================================================================
// Shared helpers
// ======================================================================================

int32_t tk_ref_sat32(int64_t v) { return v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : (int32_t)v); }

int32_t tk_ref_srdhm(int32_t a, int32_t b) {
  const int64_t p = (int64_t)a * (int64_t)b;      // exact, |p| <= 2^62
  const int64_t n = p + ((int64_t)1 << 30), d = (int64_t)1 << 31;
  int64_t q = n / d;                               // truncates toward zero …
  if (n % d != 0 && n < 0) --q;                    // … floor(n / d) = nearest, ties up
  return q > INT32_MAX ? INT32_MAX : (int32_t)q;   // only INT32_MIN² reaches 2^31
}

int32_t tk_ref_rdbpot(int32_t x, int e) { return (int32_t)round(ldexp((double)x, -e)); }

int32_t tk_ref_requantize(int32_t acc, int32_t m, int32_t shift) {
  const int left = shift > 0 ? shift : 0, right = shift < 0 ? -shift : 0;
  const int32_t x = tk_ref_sat32((int64_t)acc * ((int64_t)1 << left));
  return tk_ref_rdbpot(tk_ref_srdhm(x, m), right);
}

// clamp(z_out + requant(acc, M, shift), lo, hi) into int8, the output stage of every kernel.
int8_t tk_ref_output(int64_t acc, int32_t m, int32_t shift, int32_t z_out, int32_t lo, int32_t hi) {
  int64_t v = (int64_t)z_out + tk_ref_requantize(tk_ref_sat32(acc), m, shift);
  if (v < lo) v = lo;
  if (v > hi) v = hi;
  if (v < -128) v = -128;
  if (v > 127) v = 127;
  return (int8_t)v;
}

// ---- guarded int8 buffers ----------------------------------------------------------------

#define TK_S8_GUARD 48
#define TK_S8_MAX 24

static struct {
  unsigned char* data;
  size_t n, lead;  // lead = guard bytes before data
} g_s8[TK_S8_MAX];
static int g_s8_count;
static unsigned g_s8_serial;

static unsigned char guard_byte(size_t i) { return (unsigned char)(0x5Bu ^ (unsigned)(i * 131u)); }

/// int8 buffer of n elements with guard zones on both sides and a start misaligned by 0..15
/// bytes; allocated with tk_alloc (freed by tk_end), guards verified by tk_s8_end.
int8_t* tk_s8_alloc(tk_ctx* t, size_t n) {
  if (g_s8_count == TK_S8_MAX) {
    fprintf(stderr, "kernel tests: too many int8 buffers in one check\n");
    exit(2);
  }
  const size_t lead = TK_S8_GUARD + (g_s8_serial++ * 7u) % 16u;
  unsigned char* block = tk_alloc(t, lead + n + TK_S8_GUARD);
  unsigned char* data = block + lead;
  for (size_t i = 0; i < lead; ++i) block[i] = guard_byte(i);
  for (size_t i = 0; i < TK_S8_GUARD; ++i) data[n + i] = guard_byte(i + 7);
  // Readable: the data and TK_READ_SLACK bytes after it (the arena contract); the other guard
  // bytes are poisoned under ASan (unpoisoned by tk_s8_end before it checks them).
  tk_poison(block, lead);
  tk_poison(data + n + TK_READ_SLACK, TK_S8_GUARD - TK_READ_SLACK);
  g_s8[g_s8_count].data = data;
  g_s8[g_s8_count].n = n;
  g_s8[g_s8_count].lead = lead;
  ++g_s8_count;
  return (int8_t*)data;
}

/// tk_end that also verifies the guards of every tk_s8_alloc buffer of the check.
int tk_s8_end(tk_ctx* t, int ok) {
  for (int b = 0; b < g_s8_count; ++b) {
    const unsigned char* data = g_s8[b].data;
    const size_t lead = g_s8[b].lead, n = g_s8[b].n;
    tk_unpoison(data - lead, lead + n + TK_S8_GUARD);
    for (size_t i = 0; i < lead; ++i)
      if (data[(ptrdiff_t)i - (ptrdiff_t)lead] != guard_byte(i)) {
        ok = tk_fail(t, "out-of-bounds write before int8 buffer #%d (%zu elements)", b, n);
        break;
      }
    for (size_t i = 0; i < TK_S8_GUARD; ++i)
      if (data[n + i] != guard_byte(i + 7)) {
        ok = tk_fail(t, "out-of-bounds write after int8 buffer #%d (%zu elements)", b, n);
        break;
      }
  }
  g_s8_count = 0;
  return tk_end(t, ok);
}

void tk_s8_fill(tk_rng* r, int8_t* p, size_t n, int lo, int hi) {
  for (size_t i = 0; i < n; ++i) p[i] = (int8_t)tk_rng_int(r, lo, hi);
}

/// Bit-exact comparison of int8 results (through tk_compare, for its index formatting).
int tk_s8_compare(tk_ctx* t, const char* what, const int8_t* got, const int8_t* want, size_t n, tk_layout layout) {
  float* g = tk_alloc(t, sizeof(float) * (n ? n : 1));
  double* w = tk_alloc_f64(t, n ? n : 1);
  for (size_t i = 0; i < n; ++i) {
    g[i] = got[i];
    w[i] = want[i];
  }
  return tk_compare(t, what, g, w, NULL, n, 0, 0, layout);
}

// ---- random quantization parameters --------------------------------------------------------

/// Uniform int32 over the full range.
int32_t tk_rand_i32(tk_rng* r) { return (int32_t)((int64_t)(tk_rng_u64(r) >> 32) - 2147483648LL); }

/// int32 drawn from a mix of distributions: uniform, small, near powers of two, near the
/// limits, random bit length.
int32_t tk_rand_i32_mix(tk_rng* r) {
  switch (tk_rng_int(r, 0, 5)) {
    case 0: return tk_rand_i32(r);
    case 1: return tk_rng_int(r, -1000, 1000);
    case 2: {
      const int64_t v = ((int64_t)1 << tk_rng_int(r, 0, 31)) + tk_rng_int(r, -3, 3);
      return tk_ref_sat32(tk_rng_chance(r, 1, 2) ? -v : v);
    }
    case 3: return tk_rng_chance(r, 1, 2) ? INT32_MAX - tk_rng_int(r, 0, 1000) : INT32_MIN + tk_rng_int(r, 0, 1000);
    default: {
      const int64_t v = (int64_t)(tk_rng_u64(r) >> tk_rng_int(r, 33, 63));
      return tk_ref_sat32(tk_rng_chance(r, 1, 2) ? -v : v);
    }
  }
}

/// TFLite's QuantizeMultiplier: real = M0·2^(shift−31) with M0 in [2^30, 2^31); shifts below
/// −31 give M0 = 0, above 30 saturate.
void tk_qs8_quantize_multiplier(double real, int32_t* m, int32_t* shift) {
  if (!(real > 0.0)) {
    *m = 0;
    *shift = 0;
    return;
  }
  int e;
  const double f = frexp(real, &e);  // real = f·2^e, f in [0.5, 1)
  int64_t q = (int64_t)llround(f * 2147483648.0);
  if (q == ((int64_t)1 << 31)) {
    q /= 2;
    ++e;
  }
  if (e < -31) {
    *m = 0;
    *shift = 0;
    return;
  }
  if (e > 30) {
    e = 30;
    q = INT32_MAX;
  }
  *m = (int32_t)q;
  *shift = e;
}

/// Multiplier/shift chosen around a real scale: normal (QuantizeMultiplier of real·2^±2 jitter)
/// or, with probability edge_num/edge_den, an edge value (0, 1, 2^30, 2^31−1, …) with any
/// shift in [−31, 30].
void tk_qs8_random_multiplier(tk_rng* r, double real, int edge_num, int edge_den, int32_t* m, int32_t* shift) {
  if (tk_rng_chance(r, edge_num, edge_den)) {
    static const int32_t kEdges[] = {0, 1, 2, 1 << 29, (1 << 30) - 1, 1 << 30, (1 << 30) + 1, INT32_MAX - 1, INT32_MAX};
    const int pick = tk_rng_int(r, 0, (int)(sizeof kEdges / sizeof kEdges[0]));
    *m = pick < (int)(sizeof kEdges / sizeof kEdges[0]) ? kEdges[pick] : tk_rng_int(r, 1 << 30, INT32_MAX);
    *shift = tk_rng_int(r, -31, 30);
    return;
  }
  tk_qs8_quantize_multiplier(real * exp2(tk_rng_float(r, -2.0f, 2.0f)), m, shift);
}

/// Zero point: −128, 0, 127 or random.
int32_t tk_qs8_random_zero_point(tk_rng* r) {
  switch (tk_rng_int(r, 0, 3)) {
    case 0: return -128;
    case 1: return 0;
    case 2: return 127;
    default: return tk_rng_int(r, -128, 127);
  }
}

/// Output clamp: none ([−128, 127]), ReLU-like [z_out, 127], a single point at either end, or
/// a random interval inside.
void tk_qs8_random_clamp(tk_rng* r, int32_t z_out, int32_t* lo, int32_t* hi) {
  switch (tk_rng_int(r, 0, 6)) {
    case 0: case 1: *lo = -128; *hi = 127; break;
    case 2: *lo = z_out; *hi = 127; break;
    case 3: *lo = -128; *hi = -128; break;
    case 4: *lo = 127; *hi = 127; break;
    default:
      *lo = tk_rng_int(r, -128, 127);
      *hi = tk_rng_int(r, *lo, 127);
      break;
  }
}

// ======================================================================================
// Requantization cases
// ======================================================================================

static const int32_t kEdgeValues[] = {
    INT32_MIN, INT32_MIN + 1, INT32_MIN + 2, -(1 << 30) - 1, -(1 << 30), -(1 << 30) + 1, -65536, -65535, -3, -2, -1,
    0,         1,             2,             3,              65535,      65536,          (1 << 30) - 1, 1 << 30,
    (1 << 30) + 1, INT32_MAX - 2, INT32_MAX - 1, INT32_MAX};
#define N_EDGES ((int)(sizeof kEdgeValues / sizeof kEdgeValues[0]))

// ---- srdhm -----------------------------------------------------------------------------

static int srdhm_batch(tk_ctx* t, const int32_t* a, const int32_t* b, size_t n) {
  size_t bad = 0;
  for (size_t i = 0; i < n; ++i) {
    const int32_t got = octk_srdhm(a[i], b[i]), want = tk_ref_srdhm(a[i], b[i]);
    if (got != want && bad++ < 3) tk_fail(t, "srdhm(%d, %d): got %d, want %d", a[i], b[i], got, want);
  }
  if (bad > 3) tk_fail(t, "%zu of %zu differ", bad, n);
  return bad == 0;
}

static void case_srdhm(tk_ctx* t) {
  tk_rng* r = tk_rand(t);
  enum { N = 10000 };
  int32_t* a = malloc(sizeof(int32_t) * N);
  int32_t* b = malloc(sizeof(int32_t) * N);
  if (!a || !b) exit(2);
  // Every pair of edge values (INT32_MIN², INT32_MIN·INT32_MAX, 0·x, ±2^30, …).
  size_t n = 0;
  for (int i = 0; i < N_EDGES; ++i)
    for (int j = 0; j < N_EDGES; ++j) a[n] = kEdgeValues[i], b[n++] = kEdgeValues[j];
  tk_describe(t, "all %d x %d edge pairs", N_EDGES, N_EDGES);
  tk_end(t, srdhm_batch(t, a, b, n));
  // Edge value against random values.
  for (int i = 0; i < N_EDGES; ++i) {
    for (size_t k = 0; k < N; ++k) {
      a[k] = kEdgeValues[i];
      b[k] = tk_rand_i32_mix(r);
      if (k & 1) { const int32_t tmp = a[k]; a[k] = b[k]; b[k] = tmp; }
    }
    tk_describe(t, "edge %d against %d random values (both sides)", kEdgeValues[i], N);
    tk_end(t, srdhm_batch(t, a, b, N));
  }
  // Exact ties: a·b = (2j+1)·2^30, both signs.
  for (int rep = 0; rep < 8; ++rep) {
    for (size_t k = 0; k < N; ++k) {
      const int p = tk_rng_int(r, 0, 30);
      // a = ±2^p, b = ±odd·2^(30−p) with |b| < 2^31.
      const int64_t odd_max = (((int64_t)1 << (31 - (30 - p))) - 1) / 2;
      const int64_t odd = 2 * (int64_t)tk_rng_int(r, 0, (int)(odd_max < 1000000 ? odd_max : 1000000)) + 1;
      int64_t bv = odd << (30 - p);
      if (bv > INT32_MAX) bv = (int64_t)1 << (30 - p);
      a[k] = (int32_t)((int64_t)1 << p) * (tk_rng_chance(r, 1, 2) ? -1 : 1);
      b[k] = (int32_t)(tk_rng_chance(r, 1, 2) ? -bv : bv);
    }
    tk_describe(t, "%d exact ties a·b = odd·2^30 (rep %d)", N, rep);
    tk_end(t, srdhm_batch(t, a, b, N));
  }
  // Random pairs: uniform and mixed distributions, 10^6 in all.
  for (int rep = 0; rep < 100; ++rep) {
    const int mixed = rep % 2;
    for (size_t k = 0; k < N; ++k) {
      a[k] = mixed ? tk_rand_i32_mix(r) : tk_rand_i32(r);
      b[k] = mixed ? tk_rand_i32_mix(r) : tk_rand_i32(r);
    }
    tk_describe(t, "%d random pairs (%s, rep %d)", N, mixed ? "mixed" : "uniform", rep);
    tk_end(t, srdhm_batch(t, a, b, N));
  }
  free(a);
  free(b);
}

// ---- rdbpot ----------------------------------------------------------------------------

static void case_rdbpot(tk_ctx* t) {
  tk_rng* r = tk_rand(t);
  enum { N = 6000 };
  for (int e = 0; e <= 31; ++e) {
    tk_describe(t, "exponent %d: edge values, exact ties ±(2j+1)·2^(e−1) and neighbours, %d random", e, N);
    size_t bad = 0, n = 0;
    for (int k = 0; k < N_EDGES + 3 * 64 + N; ++k, ++n) {
      int32_t x;
      if (k < N_EDGES) {
        x = kEdgeValues[k];
      } else if (k < N_EDGES + 3 * 64) {
        const int j = k - N_EDGES;
        // (2j+1)·2^(e−1) < 2^31 for j <= 2^(31−e) − 1.
        int64_t tie = e == 0 ? tk_rng_int(r, -1000, 1000)
                             : (2 * (int64_t)tk_rng_int(r, 0, (int)(((int64_t)1 << (31 - e)) - 1)) + 1) << (e - 1);
        if (j % 2) tie = -tie;
        x = tk_ref_sat32(tie + (j % 3) - 1);  // tie −1, tie, tie +1
      } else {
        x = tk_rand_i32_mix(r);
      }
      const int32_t got = octk_rdbpot(x, e), want = tk_ref_rdbpot(x, e);
      if (got != want && bad++ < 3) tk_fail(t, "rdbpot(%d, %d): got %d, want %d", x, e, got, want);
    }
    if (bad > 3) tk_fail(t, "%zu of %zu differ", bad, n);
    tk_end(t, bad == 0);
  }
}

// ---- requantize ------------------------------------------------------------------------

static int requantize_one(tk_ctx* t, int32_t acc, int32_t m, int32_t shift, size_t* bad) {
  const int32_t got = octk_requantize(acc, m, shift), want = tk_ref_requantize(acc, m, shift);
  if (got != want && (*bad)++ < 3)
    tk_fail(t, "requantize(acc %d, M %d, shift %d): got %d, want %d", acc, m, shift, got, want);
  return got == want;
}

static void case_requantize(tk_ctx* t) {
  tk_rng* r = tk_rand(t);
  static const int32_t kMultipliers[] = {0,          1,          2,         (1 << 30) - 1, 1 << 30, (1 << 30) + 1,
                                         INT32_MAX - 1, INT32_MAX, -1,      INT32_MIN,     -(1 << 30)};
  const int nm = (int)(sizeof kMultipliers / sizeof kMultipliers[0]);
  for (int shift = -31; shift <= 30; ++shift) {
    // Edge multipliers × edge accumulators, then random multipliers and accumulators.
    tk_describe(t, "shift %d: %d edge multipliers x %d edge accumulators, random ones", shift, nm, N_EDGES);
    size_t bad = 0, n = 0;
    for (int i = 0; i < nm; ++i)
      for (int j = 0; j < N_EDGES; ++j, ++n) requantize_one(t, kEdgeValues[j], kMultipliers[i], shift, &bad);
    for (int k = 0; k < 4000; ++k, ++n) {
      const int32_t m = k % 4 == 0 ? tk_rand_i32_mix(r) : tk_rng_int(r, 1 << 30, INT32_MAX);
      const int32_t acc = k % 3 == 0 ? tk_rng_int(r, -100000, 100000) : tk_rand_i32_mix(r);
      requantize_one(t, acc, m, shift, &bad);
    }
    if (bad > 3) tk_fail(t, "%zu of %zu differ", bad, n);
    tk_end(t, bad == 0);
  }
  // Accumulators within 2^12 of the int32 limits with a positive shift (saturating left shift)
  // or a negative one, and large multipliers.
  for (int rep = 0; rep < 20; ++rep) {
    const int32_t shift = rep < 10 ? tk_rng_int(r, 1, 30) : tk_rng_int(r, -31, 0);
    tk_describe(t, "accumulators near INT32 limits, shift %d", shift);
    size_t bad = 0;
    for (int k = 0; k < 4096; ++k) {
      const int32_t acc = k % 2 ? INT32_MAX - (k >> 1) : INT32_MIN + (k >> 1);
      const int32_t m = k % 5 == 0 ? INT32_MAX : tk_rng_int(r, 1 << 30, INT32_MAX);
      requantize_one(t, acc, m, shift, &bad);
    }
    if (bad > 3) tk_fail(t, "%zu of 4096 differ", bad);
    tk_end(t, bad == 0);
  }
  // Left shifts right at the saturation threshold: acc·2^left = INT32_MAX ± small.
  tk_describe(t, "left shift at the saturation boundary");
  size_t bad = 0;
  for (int left = 1; left <= 30; ++left)
    for (int d = -2; d <= 2; ++d) {
      const int32_t acc = (int32_t)((INT32_MAX >> left) + d);
      requantize_one(t, acc, INT32_MAX, left, &bad);
      requantize_one(t, -acc, INT32_MAX, left, &bad);
      requantize_one(t, acc, 1 << 30, left, &bad);
      requantize_one(t, -acc - 1, tk_rng_int(r, 1 << 30, INT32_MAX), left, &bad);
    }
  tk_end(t, bad == 0);
}

static const tk_case kRequantizeCases[] = {
    {"qs8.srdhm", case_srdhm, 0},
    {"qs8.rdbpot", case_rdbpot, 0},
    {"qs8.requantize_scalar", case_requantize, 0},
};
TK_REGISTER(kRequantizeCases)
