// Binary32 requantization (DESIGN.md §2; octk_qs8.h): octk_requantize, octk_qs8_add_one and
// octk_round_half_even_small against an oracle written from the spec's definition, not from
// the C kernels:
//   requantize(acc, s, z, lo, hi): x = acc rounded to 24 significant bits (ties to even, in
//       integers); p = x·s in double, exact (24 + 24 significant bits), rounded once to binary32
//       (= the binary32 product); clamped to [lo − z, hi − z]; rounded to an integer by
//       nearbyint under the default mode (round half to even); + z.
//   add(a, b): fa = (a − z_a)·s_a and fb = (b − z_b)·s_b, each exact in double and rounded once
//       to binary32; f = fa + fb in double, rounded to binary32 (double rounding is innocuous
//       for a sum: 53 ≥ 2·24 + 2 bits), then clamped, rounded and offset as above.
// A table of hand-worked cases pins the oracle itself (ties to even, z added after rounding,
// int32 → binary32 rounding past 2^24, a binary32 product or sum rounding onto a tie).
//
// This file also holds the helpers shared by the other int8 test files (test_qs8_*.c,
// test_s8_*.c), which declare them extern: guarded int8 buffers, exact int8 comparison, the
// oracle requantization (tk_ref_output, tk_ref_add) and random quantization parameters
// (tk_qs8_random_scale: realistic and edge binary32 scales).
#include <fenv.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

// ======================================================================================
// Shared helpers
// ======================================================================================

int32_t tk_ref_sat32(int64_t v) { return v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : (int32_t)v); }

/// v rounded to the nearest binary32 value (24 significant bits, ties to even), in integer
/// arithmetic; the result is exact as a double.
static double ref_to_binary32(int64_t v) {
  const int neg = v < 0;
  uint64_t m = neg ? 0 - (uint64_t)v : (uint64_t)v;
  int drop = 0;
  while ((m >> drop) >= ((uint64_t)1 << 24)) ++drop;
  if (drop > 0) {
    const uint64_t q = m >> drop, rem = m & (((uint64_t)1 << drop) - 1), half = (uint64_t)1 << (drop - 1);
    m = (q + (rem > half || (rem == half && (q & 1)))) << drop;
  }
  return neg ? -(double)m : (double)m;
}

/// The spec's clamp to [lo − z, hi − z] (integers, exact), round half to even, + z.
static int32_t ref_finish(float f, int32_t z, int32_t lo, int32_t hi) {
  double c = (double)f;
  if (c < (double)(lo - z)) c = (double)(lo - z);
  if (c > (double)(hi - z)) c = (double)(hi - z);
  return (int32_t)nearbyint(c) + z;  // default rounding mode: to nearest, ties to even
}

/// The oracle of octk_requantize (see the file comment); scale in [0, OCTK_REQUANT_SCALE_MAX].
int32_t tk_ref_requantize(int32_t acc, float scale, int32_t z_out, int32_t lo, int32_t hi) {
  const double exact = ref_to_binary32(acc) * (double)scale;  // ≤ 48 significant bits: exact
  return ref_finish((float)exact, z_out, lo, hi);
}

/// The output stage of every kernel: acc (an int64 sum) saturated to int32, as the reference
/// kernels do, then requantized; lo ≤ hi inside [−128, 127].
int8_t tk_ref_output(int64_t acc, float scale, int32_t z_out, int32_t lo, int32_t hi) {
  return (int8_t)tk_ref_requantize(tk_ref_sat32(acc), scale, z_out, lo, hi);
}

/// The binary32 value f the Add oracle clamps and rounds (exposed for coverage counts).
static float ref_add_sum(int32_t a, int32_t b, const octk_qs8_add_params* p) {
  const float fa = (float)((double)(a - p->a_zero_point) * (double)p->a_scale);  // exact, rounded once
  const float fb = (float)((double)(b - p->b_zero_point) * (double)p->b_scale);
  return (float)((double)fa + (double)fb);  // = the binary32 sum (innocuous double rounding)
}

/// The oracle of octk_qs8_add_one.
int8_t tk_ref_add(int32_t a, int32_t b, const octk_qs8_add_params* p) {
  return (int8_t)ref_finish(ref_add_sum(a, b, p), p->output_zero_point, p->lo, p->hi);
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

/// The converter's scale: a real ratio rounded once to binary32, inside [0, OCTK_REQUANT_SCALE_MAX].
float tk_qs8_scale(double real) {
  if (!(real > 0.0)) return 0.0f;
  if (real >= (double)OCTK_REQUANT_SCALE_MAX) return OCTK_REQUANT_SCALE_MAX;
  return (float)real;
}

/// 2^e for e clamped to the scale range [−149, 32] (subnormals included).
static float pow2_scale(int e) { return ldexpf(1.0f, e < -149 ? -149 : (e > 32 ? 32 : e)); }

/// Exponent of a power of two near `real` (0 when real is not positive).
static int exponent_near(double real) { return real > 0.0 ? ilogb(real) : 0; }

static float edge_scale(tk_rng* r, double real) {
  const int e = exponent_near(real);
  switch (tk_rng_int(r, 0, 11)) {
    case 0: return 0.0f;
    case 1: return OCTK_REQUANT_SCALE_MAX;
    case 2: return pow2_scale(tk_rng_int(r, 8, 31));
    case 3: return tk_rng_float(r, 1.0f, 2.0f) * pow2_scale(tk_rng_int(r, 0, 31));  // [1, 2^32)
    case 4: {
      static const float kTiny[] = {0x1p-149f, 0x1.8p-148f, FLT_MIN, 0x1.fffffcp-127f, 0x1p-100f, 0x1p-64f};
      return kTiny[tk_rng_int(r, 0, (int)(sizeof kTiny / sizeof kTiny[0]) - 1)];
    }
    case 5: return tk_rng_float(r, 1.0f, 2.0f) * pow2_scale(-tk_rng_int(r, 32, 126));  // tiny normal
    case 6: case 7: return pow2_scale(e + tk_rng_int(r, -2, 1));                       // ties
    case 8: return (float)(2 * tk_rng_int(r, 0, 3) + 1) * pow2_scale(e + tk_rng_int(r, -4, -1));  // ties
    case 9: return nextafterf(pow2_scale(e + tk_rng_int(r, -2, 1)), tk_rng_chance(r, 1, 2) ? 0.0f : INFINITY);
    default: {
      static const float kPlain[] = {0.5f, 0.25f, 1.0f};
      return kPlain[tk_rng_int(r, 0, 2)];
    }
  }
}

/// An edge scale: 0; huge ones up to OCTK_REQUANT_SCALE_MAX = 2^32 (every nonzero accumulator
/// clamps); tiny ones down to the smallest subnormal (products round to ±0); powers of two near
/// `real` and few-bit dyadic ones (exact ties x.5), or one float step off them; 0.5, 0.25, 1.
float tk_qs8_edge_scale(tk_rng* r, double real) {
  const float s = edge_scale(r, real);
  return s > OCTK_REQUANT_SCALE_MAX ? OCTK_REQUANT_SCALE_MAX : s;
}

/// A requantization scale around `real` (the ratio that maps the spread of an accumulator,
/// e.g. a sum of `taps` int8 products, onto the int8 range): realistic — real·2^u, u uniform in
/// [−2, 2], rounded once to binary32, one time in eight the nearest power of two (exact ties) —
/// or, with probability edge_num/edge_den, an edge scale (tk_qs8_edge_scale).
float tk_qs8_random_scale(tk_rng* r, double real, int edge_num, int edge_den) {
  if (tk_rng_chance(r, edge_num, edge_den)) return tk_qs8_edge_scale(r, real);
  const double s = real * exp2(tk_rng_float(r, -2.0f, 2.0f));
  if (tk_rng_chance(r, 1, 8)) return pow2_scale(exponent_near(s));
  return tk_qs8_scale(s);
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

/// Add parameters of one kind (0 … TK_QS8_ADD_KINDS − 1), random zero points and clamp:
///   0 realistic ratios s_a/s_out, s_b/s_out rounded once to binary32;
///   1 powers of two 1 … 1/8 (exact ties x.5 for many pairs);
///   2 huge scales (|a − z|·scale sums up to 255·2^33, clamped; exact cancellations);
///   3 large, nearly cancelling scales, s_b = s_a + δ with s_a in [2^7, 2^21), |δ| < 1.2 (the
///     binary32 rounding of each product decides the results that land inside the range, those
///     of pairs with a − z_a ≈ −(b − z_b): tk_qs8_add_cancelling_b makes such pairs);
///   4 zero scales (one or both);
///   5 edge scales of both operands (tk_qs8_edge_scale);
///   6 few-bit dyadic scales (ties) with z_a and z_out at the ends.
/// Returns the kind's name.
#define TK_QS8_ADD_KINDS 7
const char* tk_qs8_add_params_of_kind(tk_rng* r, int kind, octk_qs8_add_params* p) {
  memset(p, 0, sizeof *p);
  p->a_zero_point = tk_qs8_random_zero_point(r);
  p->b_zero_point = tk_qs8_random_zero_point(r);
  p->output_zero_point = tk_qs8_random_zero_point(r);
  tk_qs8_random_clamp(r, p->output_zero_point, &p->lo, &p->hi);
  switch (kind) {
    case 0: {
      const double sa = exp2(tk_rng_float(r, -8.0f, 0.0f)), sb = exp2(tk_rng_float(r, -8.0f, 0.0f));
      const double so = (sa > sb ? sa : sb) * exp2(tk_rng_float(r, -1.0f, 2.0f));
      p->a_scale = tk_qs8_scale(sa / so);
      p->b_scale = tk_qs8_scale(sb / so);
      return "realistic";
    }
    case 1:
      p->a_scale = ldexpf(1.0f, -tk_rng_int(r, 0, 3));
      p->b_scale = ldexpf(1.0f, -tk_rng_int(r, 0, 3));
      return "powers of two (ties)";
    case 2:
      p->a_scale = tk_rng_chance(r, 1, 2) ? OCTK_REQUANT_SCALE_MAX
                                          : tk_rng_float(r, 1.0f, 2.0f) * pow2_scale(tk_rng_int(r, 10, 31));
      p->b_scale = tk_rng_chance(r, 1, 3) ? tk_qs8_edge_scale(r, 1.0) : OCTK_REQUANT_SCALE_MAX;
      return "huge";
    case 3: {
      const float s = tk_rng_float(r, 1.0f, 2.0f) * pow2_scale(tk_rng_int(r, 7, 20));
      p->a_scale = s;
      p->b_scale = tk_qs8_scale((double)s + tk_rng_float(r, -300.0f, 300.0f) / 255.0);
      if (tk_rng_chance(r, 1, 2)) p->b_zero_point = p->a_zero_point;
      return "large, nearly cancelling";
    }
    case 4: {
      const int zeros = tk_rng_int(r, 1, 3);  // bit 0: a_scale = 0, bit 1: b_scale = 0
      p->a_scale = zeros & 1 ? 0.0f : tk_qs8_random_scale(r, 0.5, 0, 1);
      p->b_scale = zeros & 2 ? 0.0f : tk_qs8_random_scale(r, 0.5, 0, 1);
      return "zero scales";
    }
    case 5:
      p->a_scale = tk_qs8_edge_scale(r, 0.5);
      p->b_scale = tk_qs8_edge_scale(r, 0.5);
      return "edge scales";
    default:
      p->a_scale = (float)(2 * tk_rng_int(r, 0, 3) + 1) * ldexpf(1.0f, -tk_rng_int(r, 1, 4));
      p->b_scale = (float)(2 * tk_rng_int(r, 0, 3) + 1) * ldexpf(1.0f, -tk_rng_int(r, 1, 4));
      p->a_zero_point = tk_rng_chance(r, 1, 2) ? -128 : 127;
      p->output_zero_point = tk_rng_chance(r, 1, 2) ? -128 : 127;
      return "dyadic (ties), z at the ends";
  }
}

/// For kind 3 above: a b operand that nearly cancels a, b − z_b = −(a − z_a) + d (|d| ≤ 1),
/// clamped to int8.
int8_t tk_qs8_add_cancelling_b(tk_rng* r, int8_t a, const octk_qs8_add_params* p) {
  const int32_t b = p->b_zero_point - (a - p->a_zero_point) + tk_rng_int(r, -1, 1);
  return (int8_t)(b < -128 ? -128 : (b > 127 ? 127 : b));
}

/// Random Add parameters: realistic half the time, otherwise one of the other kinds above;
/// returns the kind (0 = realistic) and its name in *name.
int tk_qs8_random_add_params(tk_rng* r, octk_qs8_add_params* out, const char** name) {
  const int kind = tk_rng_chance(r, 1, 2) ? 0 : tk_rng_int(r, 1, TK_QS8_ADD_KINDS - 1);
  const char* n = tk_qs8_add_params_of_kind(r, kind, out);
  if (name) *name = n;
  return kind;
}

// ======================================================================================
// Requantization cases
// ======================================================================================

/// The binary32 value the requantize oracle clamps and rounds.
static float ref_product(int32_t acc, float scale) { return (float)(ref_to_binary32(acc) * (double)scale); }

static int is_half(float f) { return (double)f - floor((double)f) == 0.5; }

/// One check's running counts: comparisons, mismatches (the first few reported) and how many
/// oracle values were exact ties strictly inside the clamp (coverage).
typedef struct {
  size_t n, bad, ties;
} tally;

static void req_one(tk_ctx* t, tally* c, int32_t acc, float scale, int32_t z, int32_t lo, int32_t hi) {
  const int32_t got = octk_requantize(acc, scale, z, lo, hi), want = tk_ref_requantize(acc, scale, z, lo, hi);
  const float f = ref_product(acc, scale);
  c->ties += is_half(f) && f > (float)(lo - z) && f < (float)(hi - z);
  ++c->n;
  if (got != want && c->bad++ < 3)
    tk_fail(t, "octk_requantize(acc %d, scale %a, z %d, lo %d, hi %d) = %d, oracle %d", acc, (double)scale, z, lo, hi,
            got, want);
}

/// Ends the check; it also fails when fewer than min_ties exact ties were reached.
static int tally_end(tk_ctx* t, const tally* c, size_t min_ties) {
  int ok = c->bad == 0;
  if (c->bad > 3) tk_fail(t, "%zu of %zu differ", c->bad, c->n);
  if (c->ties < min_ties) ok = tk_fail(t, "coverage: %zu exact ties reached, want at least %zu", c->ties, min_ties);
  return tk_end(t, ok);
}

static void random_clamp_full(tk_rng* r, int32_t* z, int32_t* lo, int32_t* hi) {
  *z = tk_qs8_random_zero_point(r);
  tk_qs8_random_clamp(r, *z, lo, hi);
}

// ---- hand-worked cases (they pin the oracle too) ---------------------------------------------

typedef struct {
  int32_t acc;
  float scale;
  int32_t z, lo, hi, want;
  const char* why;
} golden_requant;

static const golden_requant kGoldenRequant[] = {
    {1, 0.5f, 0, -128, 127, 0, "0.5 -> 0 (ties to even)"},
    {3, 0.5f, 0, -128, 127, 2, "1.5 -> 2"},
    {5, 0.5f, 0, -128, 127, 2, "2.5 -> 2"},
    {7, 0.5f, 0, -128, 127, 4, "3.5 -> 4"},
    {-1, 0.5f, 0, -128, 127, 0, "-0.5 -> -0"},
    {-3, 0.5f, 0, -128, 127, -2, "-1.5 -> -2"},
    {-5, 0.5f, 0, -128, 127, -2, "-2.5 -> -2"},
    {6, 0.25f, 0, -128, 127, 2, "1.5 -> 2"},
    {10, 0.25f, 0, -128, 127, 2, "2.5 -> 2"},
    {3, 0.25f, 0, -128, 127, 1, "0.75 -> 1"},
    {1, 0.25f, 0, -128, 127, 0, "0.25 -> 0"},
    {-7, 0.25f, 0, -128, 127, -2, "-1.75 -> -2"},
    {5, 0.5f, 1, -128, 127, 3, "z added after rounding: round(2.5) + 1 = 3, not round(3.5) = 4"},
    {5, 0.5f, -1, -128, 127, 1, "round(2.5) - 1"},
    {253, 0.5f, -128, -128, 127, -2, "126.5 -> 126, - 128"},
    {509, 0.5f, -128, -128, 127, 126, "254.5 -> 254 inside hi - z = 255"},
    {511, 0.5f, -128, -128, 127, 127, "255.5 clamped to hi - z = 255"},
    {-509, 0.5f, 127, -128, 127, -127, "-254.5 -> -254 inside lo - z = -255"},
    {-511, 0.5f, 127, -128, 127, -128, "-255.5 clamped to -255"},
    {1000, 1.0f, 10, -5, 20, 20, "clamp to hi"},
    {-1000, 1.0f, 10, -5, 20, -5, "clamp to lo"},
    {9, 0.5f, 0, 5, 5, 5, "lo = hi: 4.5 clamped to 5"},
    {7, 7.0f, 0, 42, 42, 42, "lo = hi above the value"},
    {0, 1.0f, 127, 127, 127, 127, "z = lo = hi = 127"},
    {0, 1.0f, -128, -128, -128, -128, "z = lo = hi = -128"},
    {INT32_MAX, 4294967296.0f, 0, -128, 127, 127, "2^31 * 2^32 clamped"},
    {INT32_MIN, 4294967296.0f, 127, -128, 127, -128, "-2^63 clamped to lo - z = -255"},
    {INT32_MAX, 0.0f, 5, 10, 20, 10, "scale 0: 0 clamped to lo - z = 5"},
    {-7, 0.0f, -3, -128, 127, -3, "-0.0 -> z"},
    {INT32_MAX, 0x1p-149f, 0, -128, 127, 0, "2^-118 -> 0"},
    {-1, 0x1p-149f, 0, -128, 127, 0, "-2^-149 -> -0"},
    {83886081, 0x1p-25f, 0, -128, 127, 2, "(float)acc = 5*2^24: 2.5 -> 2 (the real acc*scale 2.50000003 would give 3)"},
    {83886085, 0x1p-25f, 0, -128, 127, 3, "(float)acc = 5*2^24 + 8: 2.50000024 -> 3"},
    {83886084, 0x1p-25f, 0, -128, 127, 2, "int32 -> binary32 tie to even: 5*2^24 + 4 -> 5*2^24; 2.5 -> 2"},
    {-83886084, 0x1p-25f, 0, -128, 127, -2, "the same, negative"},
    {-79521081, 0x1.5fe964p-19f, 127, -128, 127, -81,
     "(float)acc = -79521080: product -208.5 -> -208 (acc unrounded: -208.500015 -> -209)"},
    {1475009981, 0x1.94be4ap-25f, 0, -128, 127, 69,
     "(float)acc = 1475009920: product 69.4999924 -> 69 (acc unrounded: 69.5 -> 70)"},
    {-1147606984, 0x1.fcfc58p-28f, 0, -128, 127, -9,
     "(float)acc = -1147607040: product -8.50000095 -> -9 (acc unrounded: -8.5 -> -8)"},
    {INT32_MAX, 0x1p-24f, 0, -128, 127, 127, "(float)INT32_MAX = 2^31: 128 clamped"},
    {INT32_MAX, 0x1p-25f, 0, -128, 127, 64, "2^31 * 2^-25"},
    {INT32_MIN, 0x1p-24f, 0, -128, 127, -128, "-2^31 * 2^-24"},
    {6359174, 0x1.e02a42p-18f, 0, -128, 127, 46, "binary32 product = 45.5 exactly (acc*scale = 45.4999987): 46"},
    {-15978346, 0x1.52195cp-18f, 0, -128, 127, -80, "binary32 product = -80.5 (acc*scale = -80.5000032): -80"},
};

typedef struct {
  int32_t a, b, za, zb, z, lo, hi;
  float sa, sb;
  int32_t want;
  const char* why;
} golden_add;

static const golden_add kGoldenAdd[] = {
    {1, 0, 0, 0, 0, -128, 127, 0.5f, 0.5f, 0, "0.5 -> 0"},
    {1, 2, 0, 0, 0, -128, 127, 0.5f, 0.5f, 2, "1.5 -> 2"},
    {3, 2, 0, 0, 0, -128, 127, 0.5f, 0.5f, 2, "2.5 -> 2"},
    {-3, -2, 0, 0, 0, -128, 127, 0.5f, 0.5f, -2, "-2.5 -> -2"},
    {3, 2, 0, 0, 1, -128, 127, 0.5f, 0.5f, 3, "round(2.5) + 1"},
    {5, 0, 0, 0, 0, -128, 127, 0.5f, 0.0f, 2, "b scale 0"},
    {3, -128, 0, -128, 0, -128, 127, 0.5f, 1e9f, 2, "b - z_b = 0"},
    {127, 127, -128, -128, 0, -128, 127, 4294967296.0f, 4294967296.0f, 127, "255*2^33 clamped"},
    {127, -128, 0, 0, 0, -128, 127, 4294967296.0f, 4294967296.0f, -128, "-2^32 clamped"},
    {100, -100, 0, 0, 5, -128, 127, 4294967296.0f, 4294967296.0f, 5, "100*2^32 cancels exactly"},
    {10, 10, 0, 0, 0, -3, -3, 1.0f, 1.0f, -3, "lo = hi"},
    {-128, -128, 127, 127, -128, -128, 127, 1.0f, 1.0f, -128, "-510 clamped to lo - z = 0"},
    {127, 127, -128, -128, 127, -128, 127, 0.5f, 0.5f, 127, "255 clamped to hi - z = 0"},
    {127, -79, -32, 0, 0, -128, 127, 0x1.143646p+9f, 0x1.15a602p+10f, 98,
     "binary32 sum = 98.5 (exact 98.5019): 98"},
    {76, -75, 0, 0, 0, -128, 127, 0x1.b5cc7ap+15f, 0x1.bba2a2p+15f, 8, "binary32 sum = 7.5 (exact 7.379): 8"},
    {74, -103, 0, 0, 0, -128, 127, 0x1.2f864ep+16f, 0x1.b4212ap+15f, 38, "binary32 sum = 38.5 (exact 38.598): 38"},
};

static void case_golden(tk_ctx* t) {
  tk_describe(t, "rounding mode");
  tk_end(t, fegetround() == FE_TONEAREST || tk_fail(t, "the default rounding mode is not FE_TONEAREST"));
  for (size_t i = 0; i < sizeof kGoldenRequant / sizeof kGoldenRequant[0]; ++i) {
    const golden_requant* g = &kGoldenRequant[i];
    tk_describe(t, "requantize(acc %d, scale %a, z %d, clamp [%d, %d]) = %d: %s", g->acc, (double)g->scale, g->z, g->lo,
                g->hi, g->want, g->why);
    const int32_t got = octk_requantize(g->acc, g->scale, g->z, g->lo, g->hi);
    const int32_t oracle = tk_ref_requantize(g->acc, g->scale, g->z, g->lo, g->hi);
    int ok = 1;
    if (got != g->want) ok = tk_fail(t, "octk_requantize gives %d", got);
    if (oracle != g->want) ok = tk_fail(t, "the oracle gives %d", oracle);
    tk_end(t, ok);
  }
  for (size_t i = 0; i < sizeof kGoldenAdd / sizeof kGoldenAdd[0]; ++i) {
    const golden_add* g = &kGoldenAdd[i];
    const octk_qs8_add_params p = {g->za, g->zb, g->z, g->sa, g->sb, g->lo, g->hi};
    tk_describe(t, "add(%d, %d; z %d %d %d, scales %a %a, clamp [%d, %d]) = %d: %s", g->a, g->b, g->za, g->zb, g->z,
                (double)g->sa, (double)g->sb, g->lo, g->hi, g->want, g->why);
    const int got = octk_qs8_add_one(g->a, g->b, &p), oracle = tk_ref_add(g->a, g->b, &p);
    int ok = 1;
    if (got != g->want) ok = tk_fail(t, "octk_qs8_add_one gives %d", got);
    if (oracle != g->want) ok = tk_fail(t, "the oracle gives %d", oracle);
    tk_end(t, ok);
  }
}

// ---- round half even ---------------------------------------------------------------------

static void rhe_one(tk_ctx* t, tally* c, float f) {
  const int32_t got = octk_round_half_even_small(f), want = (int32_t)nearbyint((double)f);
  c->ties += is_half(f);
  ++c->n;
  if (got != want && c->bad++ < 3) tk_fail(t, "octk_round_half_even_small(%a) = %d, want %d", (double)f, got, want);
}

static void case_round_half_even(tk_ctx* t) {
  tk_rng* r = tk_rand(t);
  tk_describe(t, "octk_round_half_even_small: every k/8 in [-600, 600], specials, random |f| <= 2^22");
  tally c = {0};
  for (int k = -4800; k <= 4800; ++k) rhe_one(t, &c, (float)k / 8.0f);
  static const float kSpecials[] = {0.0f,        -0.0f,         0x1p22f,      -0x1p22f,      0x1.fffffep21f,
                                    -0x1.fffffep21f, 0x1.fffffcp20f, 0x1.fffffep-2f, 0x1.000002p-1f, -0x1.fffffep-2f,
                                    0x1p-149f,   -0x1p-149f,    FLT_MIN,      255.5f,        -255.5f,
                                    254.5f,      -254.5f,       4194303.5f,   -4194302.5f,   1048575.5f};
  for (size_t i = 0; i < sizeof kSpecials / sizeof kSpecials[0]; ++i) rhe_one(t, &c, kSpecials[i]);
  for (int i = 0; i < 200000; ++i) {
    float f;
    switch (i % 3) {
      case 0: f = ldexpf(tk_rng_float(r, 1.0f, 2.0f), tk_rng_int(r, -149, 21)); break;
      case 1: f = (float)tk_rng_int(r, -(1 << 21), 1 << 21) + 0.5f; break;  // ties
      default: f = tk_rng_float(r, -300.0f, 300.0f); break;
    }
    rhe_one(t, &c, tk_rng_chance(r, 1, 2) ? -f : f);
  }
  tally_end(t, &c, 10000);
}

// ---- requantize --------------------------------------------------------------------------

static const int32_t kEdgeAcc[] = {
    INT32_MIN,     INT32_MIN + 1, INT32_MIN + 2, -(1 << 30) - 1, -(1 << 30), -83886085, -83886084, -83886081,
    -(1 << 24) - 1, -(1 << 24),   -65536,        -511,           -510,       -256,      -255,      -3,
    -2,            -1,            0,             1,              2,          3,         255,       256,
    510,           511,           65535,         (1 << 24),      (1 << 24) + 1, (1 << 24) + 3, 83886081, 83886084,
    83886085,      (1 << 30) - 1, 1 << 30,       (1 << 30) + 1,  INT32_MAX - 2, INT32_MAX - 1, INT32_MAX};

static const float kEdgeScales[] = {0.0f,    0x1p-149f, FLT_MIN, 0x1p-60f,       0x1p-31f, 0x1p-25f,
                                    0x1p-24f, 0x1p-20f,  0.25f,   0x1.fffffep-2f, 0.5f,     0x1.000002p-1f,
                                    1.0f,    1.5f,      2.0f,    255.0f,         256.0f,   65536.0f,
                                    0x1p31f, 0x1.fffffep31f, OCTK_REQUANT_SCALE_MAX};

static const int32_t kClampCombos[][3] = {{0, -128, 127},    {-128, -128, 127}, {127, -128, 127}, {0, 0, 127},
                                          {-128, -128, -128}, {127, 127, 127},   {5, -3, 9},       {-20, 30, 30},
                                          {127, -128, -128}, {-128, 127, 127},  {-1, -1, 6},      {64, -100, 100}};

static void case_requantize(tk_ctx* t) {
  tk_rng* r = tk_rand(t);
  const int n_acc = (int)(sizeof kEdgeAcc / sizeof kEdgeAcc[0]), n_scale = (int)(sizeof kEdgeScales / sizeof kEdgeScales[0]);
  const int n_combo = (int)(sizeof kClampCombos / sizeof kClampCombos[0]);

  // 1. Every edge accumulator × edge scale × (z, lo, hi) combination, and against random ones.
  {
    tk_describe(t, "%d edge accumulators x %d edge scales x %d (z, lo, hi), and random ones", n_acc, n_scale, n_combo);
    tally c = {0};
    for (int i = 0; i < n_acc; ++i)
      for (int j = 0; j < n_scale; ++j) {
        for (int k = 0; k < n_combo; ++k)
          req_one(t, &c, kEdgeAcc[i], kEdgeScales[j], kClampCombos[k][0], kClampCombos[k][1], kClampCombos[k][2]);
        for (int k = 0; k < 20; ++k) {
          int32_t z, lo, hi;
          random_clamp_full(r, &z, &lo, &hi);
          req_one(t, &c, kEdgeAcc[i], tk_qs8_edge_scale(r, 1.0), z, lo, hi);
          req_one(t, &c, tk_rand_i32_mix(r), kEdgeScales[j], z, lo, hi);
        }
      }
    tally_end(t, &c, 1);
  }

  // 2. Exact ties: scale m·2^−k (m = 1, 3, 5) and acc = (2j+1)·2^(k−1), so acc·scale = m·(j + ½);
  //    and the accumulators one either side (past 2^24 they convert back onto the tie).
  for (int k = 1; k <= 31; ++k) {
    tk_describe(t, "ties: scale m*2^-%d, acc = odd*2^%d and neighbours, any z and clamp", k, k - 1);
    tally c = {0};
    const int64_t unit = (int64_t)1 << (k - 1);
    int64_t jmax = ((((int64_t)1 << 31) / unit) - 1) / 2;
    if (jmax > 200) jmax = 200;
    for (int i = 0; i < 3000; ++i) {
      const int m = 2 * tk_rng_int(r, 0, 2) + 1;
      const int64_t acc = (2 * (int64_t)tk_rng_int(r, 0, (int)jmax) + 1) * unit * (tk_rng_chance(r, 1, 2) ? -1 : 1);
      const float scale = ldexpf((float)m, -k);
      int32_t z, lo, hi;
      random_clamp_full(r, &z, &lo, &hi);
      if (i % 2) lo = -128, hi = 127;
      for (int d = -1; d <= 1; ++d) req_one(t, &c, tk_ref_sat32(acc + d), scale, z, lo, hi);
    }
    tally_end(t, &c, 500);
  }

  // 3. Every clamp interval lo <= hi, for z at both ends, around 0 and random: values just
  //    inside, on and beyond each bound, exact ties at the bounds (scale ½), the extremes.
  static const int32_t kZ[] = {-128, -1, 0, 1, 127, 0};
  for (int zi = 0; zi < 6; ++zi) {
    const int32_t z = zi == 5 ? tk_rng_int(r, -128, 127) : kZ[zi];
    tk_describe(t, "every clamp [lo, hi] with z %d: values around both bounds, ties at them, extremes", z);
    tally c = {0};
    for (int lo = -128; lo <= 127; ++lo)
      for (int hi = lo; hi <= 127; ++hi) {
        for (int d = -3; d <= 3; ++d) {
          req_one(t, &c, 2 * (lo - z) + d, 0.5f, z, lo, hi);
          req_one(t, &c, 2 * (hi - z) + d, 0.5f, z, lo, hi);
        }
        req_one(t, &c, INT32_MIN, OCTK_REQUANT_SCALE_MAX, z, lo, hi);
        req_one(t, &c, INT32_MAX, OCTK_REQUANT_SCALE_MAX, z, lo, hi);
        req_one(t, &c, tk_rand_i32_mix(r), 0.0f, z, lo, hi);
        req_one(t, &c, tk_rng_int(r, -600, 600), tk_rng_float(r, 0.0f, 1.0f), z, lo, hi);
      }
    tally_end(t, &c, 1000);
  }

  // 4. Huge scales up to OCTK_REQUANT_SCALE_MAX with accumulators at the int32 limits and small.
  {
    tk_describe(t, "huge scales (2^8 ... 2^32) x accumulators at the int32 limits, small ones, 0");
    tally c = {0};
    for (int i = 0; i < 40000; ++i) {
      float scale;
      switch (i % 5) {
        case 0: scale = OCTK_REQUANT_SCALE_MAX; break;
        case 1: scale = 0x1.fffffep31f; break;
        case 2: scale = 0x1p31f; break;
        default: scale = tk_rng_float(r, 1.0f, 2.0f) * pow2_scale(tk_rng_int(r, 8, 31)); break;
      }
      int32_t acc;
      switch (i / 5 % 4) {
        case 0: acc = INT32_MAX - tk_rng_int(r, 0, 4095); break;
        case 1: acc = INT32_MIN + tk_rng_int(r, 0, 4095); break;
        case 2: acc = tk_rng_int(r, -300, 300); break;
        default: acc = tk_rand_i32_mix(r); break;
      }
      int32_t z, lo, hi;
      random_clamp_full(r, &z, &lo, &hi);
      req_one(t, &c, acc, scale, z, lo, hi);
    }
    tally_end(t, &c, 0);
  }

  // 5. Tiny scales: subnormal and small normal ones (products round to ±0 or to tiny values),
  //    and 2^−24 … 2^−31 with accumulators at the int32 limits (results inside the range).
  {
    tk_describe(t, "tiny scales (2^-149 ... 2^-24) x every kind of accumulator");
    tally c = {0};
    for (int i = 0; i < 40000; ++i) {
      float scale;
      switch (i % 4) {
        case 0: scale = ldexpf(1.0f, -tk_rng_int(r, 126, 149)); break;
        case 1: scale = tk_rng_float(r, 1.0f, 2.0f) * pow2_scale(-tk_rng_int(r, 32, 126)); break;
        case 2: scale = ldexpf(1.0f, -tk_rng_int(r, 24, 31)); break;
        default: scale = tk_rng_float(r, 1.0f, 2.0f) * pow2_scale(-tk_rng_int(r, 24, 31)); break;
      }
      const int32_t acc = i % 3 == 0 ? (tk_rng_chance(r, 1, 2) ? INT32_MAX - tk_rng_int(r, 0, 1 << 20)
                                                               : INT32_MIN + tk_rng_int(r, 0, 1 << 20))
                                     : tk_rand_i32_mix(r);
      int32_t z, lo, hi;
      random_clamp_full(r, &z, &lo, &hi);
      req_one(t, &c, acc, scale, z, lo, hi);
    }
    tally_end(t, &c, 0);
  }

  // 6. (float)acc inexact (|acc| > 2^24): accumulators within 16 of a tie (2j+1)·2^(m−1) at
  //    scale 2^−m, whose conversion may land on the tie, and random large ones scaled into range.
  {
    tk_describe(t, "inexact int32 -> binary32 conversions: near-ties past 2^24, random large accumulators");
    tally c = {0};
    size_t inexact = 0;
    for (int i = 0; i < 60000; ++i) {
      int32_t acc;
      float scale;
      if (i % 2) {
        const int m = tk_rng_int(r, 18, 30);
        const int64_t unit = (int64_t)1 << (m - 1);
        int64_t jmax = ((((int64_t)1 << 31) - 64) / unit - 1) / 2;
        if (jmax > 300) jmax = 300;
        const int64_t lo = ((int64_t)1 << 24) / unit / 2;  // |acc| > 2^24
        const int64_t j = tk_rng_int(r, (int)(lo < jmax ? lo : jmax), (int)jmax);
        acc = tk_ref_sat32(((2 * j + 1) * unit + tk_rng_int(r, -16, 16)) * (tk_rng_chance(r, 1, 2) ? -1 : 1));
        scale = ldexpf(1.0f, -m);
      } else {
        const int64_t mag = ((int64_t)1 << 24) + (int64_t)(tk_rng_u64(r) % (((uint64_t)1 << 31) - ((uint64_t)1 << 24)));
        acc = (int32_t)(tk_rng_chance(r, 1, 2) ? -mag : mag);
        scale = tk_qs8_scale(tk_rng_float(r, 0.0f, 300.0f) / (double)mag);
      }
      inexact += ref_to_binary32(acc) != (double)acc;
      int32_t z, lo, hi;
      random_clamp_full(r, &z, &lo, &hi);
      if (i % 3) lo = -128, hi = 127;
      req_one(t, &c, acc, scale, z, lo, hi);
    }
    if (inexact < 10000) tk_fail(t, "coverage: only %zu inexact conversions", inexact);
    tally_end(t, &c, 1000);
  }

  // 7. Random: accumulators from the mixed distribution, scales that map them into range,
  //    random edge scales and dyadic ones; any z and clamp. 10^6 in all.
  for (int rep = 0; rep < 100; ++rep) {
    tk_describe(t, "10000 random (acc, scale, z, clamp), rep %d", rep);
    tally c = {0};
    for (int i = 0; i < 10000; ++i) {
      const int32_t acc = i % 4 == 0 ? tk_rng_int(r, -100000, 100000) : tk_rand_i32_mix(r);
      const double mag = acc == INT32_MIN ? 2147483648.0 : (acc < 0 ? -(double)acc : (double)acc);
      float scale;
      switch (i % 4) {
        case 0: case 1: scale = tk_qs8_random_scale(r, tk_rng_float(r, 0.0f, 300.0f) / (mag > 1.0 ? mag : 1.0), 0, 1); break;
        case 2: scale = tk_qs8_edge_scale(r, 128.0 / (mag > 1.0 ? mag : 1.0)); break;
        default: scale = tk_qs8_random_scale(r, 1.0, 1, 2); break;
      }
      int32_t z, lo, hi;
      random_clamp_full(r, &z, &lo, &hi);
      req_one(t, &c, acc, scale, z, lo, hi);
    }
    tally_end(t, &c, 0);
  }
}

// ---- add -------------------------------------------------------------------------------

static void case_add_one(tk_ctx* t) {
  tk_rng* r = tk_rand(t);
  size_t ties_total = 0;
  for (int i = 0; i < 30 * TK_QS8_ADD_KINDS; ++i) {
    octk_qs8_add_params p;
    const char* kind = tk_qs8_add_params_of_kind(r, i % TK_QS8_ADD_KINDS, &p);
    tk_describe(t, "all 65536 (a, b): %s, z %d %d %d, scales %a %a, clamp [%d, %d]", kind, p.a_zero_point,
                p.b_zero_point, p.output_zero_point, (double)p.a_scale, (double)p.b_scale, p.lo, p.hi);
    tally c = {0};
    for (int a = -128; a <= 127; ++a)
      for (int b = -128; b <= 127; ++b) {
        const int got = octk_qs8_add_one(a, b, &p), want = tk_ref_add(a, b, &p);
        const float f = ref_add_sum(a, b, &p);
        c.ties += is_half(f) && f > (float)(p.lo - p.output_zero_point) && f < (float)(p.hi - p.output_zero_point);
        ++c.n;
        if (got != want && c.bad++ < 3) tk_fail(t, "octk_qs8_add_one(%d, %d) = %d, oracle %d", a, b, got, want);
      }
    ties_total += c.ties;
    tally_end(t, &c, 0);
  }
  tk_describe(t, "coverage of the Add checks");
  tk_end(t, ties_total >= 100000 || tk_fail(t, "only %zu exact ties reached", ties_total));
}

static const tk_case kRequantizeCases[] = {
    {"qs8.requantize_golden", case_golden, 0},
    {"qs8.round_half_even", case_round_half_even, 0},
    {"qs8.requantize_scalar", case_requantize, 0},
    {"qs8.add_one", case_add_one, 0},
};
TK_REGISTER(kRequantizeCases)
