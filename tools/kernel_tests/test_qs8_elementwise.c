// int8 elementwise family (reference/qs8_elementwise.c): add and mul (strided, broadcast),
// table lookup, quantize (f32 and uint8 in), dequantize, int8 requantize — bit-exact.
//
// Add/mul: random shapes of rank 0..6 with broadcast patterns (full, scalar operand, per-row,
// per-column, random masks) on either operand; operand and output views permuted, gapped and
// reversed; sometimes in place (y = a). The references compute each element with the binary32
// oracles of test_qs8_requantize.c (tk_ref_add; mul: the exact int64 product through
// tk_ref_output); the whole output buffer is compared (unaddressed gaps must keep their
// prefill). Add parameters: realistic scale ratios, powers of two (exact ties), huge scales,
// large nearly cancelling ones, zeros, edge ones (tk_qs8_random_add_params); Mul: realistic
// scales (sometimes a power of two: ties) or edge ones (0, up to 2^32, down to 2^−149).
//
// Quantize f32: the reference rounds the *exact* quotient x/scale half away from zero with no
// division at all: it finds n with n·s <= |x| < (n+1)·s and compares |x| with (n + ½)·s, every
// product exact in double. Inputs include exact ties, their float neighbours, NaN, ±∞, ±0,
// subnormals, ±FLT_MAX, at power-of-two, random, tiny and huge scales.
// Dequantize: scale·(x − z) rounded once to float (the product is exact in double).
// Lookup / quantize u8 / requantize: every one of the 256 input values in every check; the
// requantizing ones with realistic scales s_in/s_out in [1/64, 64] (powers of two among them:
// ties) or edge ones.
#include <float.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

// Shared helpers (test_qs8_requantize.c).
int8_t tk_ref_output(int64_t acc, float scale, int32_t z_out, int32_t lo, int32_t hi);
int8_t tk_ref_add(int32_t a, int32_t b, const octk_qs8_add_params* p);
int8_t* tk_s8_alloc(tk_ctx* t, size_t n);
int tk_s8_end(tk_ctx* t, int ok);
void tk_s8_fill(tk_rng* r, int8_t* p, size_t n, int lo, int hi);
int tk_s8_compare(tk_ctx* t, const char* what, const int8_t* got, const int8_t* want, size_t n, tk_layout layout);
float tk_qs8_random_scale(tk_rng* r, double real, int edge_num, int edge_den);
int32_t tk_qs8_random_zero_point(tk_rng* r);
void tk_qs8_random_clamp(tk_rng* r, int32_t z_out, int32_t* lo, int32_t* hi);
int tk_qs8_random_add_params(tk_rng* r, octk_qs8_add_params* out, const char** name);
int8_t tk_qs8_add_cancelling_b(tk_rng* r, int8_t a, const octk_qs8_add_params* p);

typedef void (*tk_qs8_add_fn)(int rank, const ptrdiff_t* shape, const int8_t* a, const ptrdiff_t* a_strides,
                              const int8_t* b, const ptrdiff_t* b_strides, int8_t* y, const ptrdiff_t* y_strides,
                              const octk_qs8_add_params* p);
typedef void (*tk_qs8_mul_fn)(int rank, const ptrdiff_t* shape, const int8_t* a, const ptrdiff_t* a_strides,
                              const int8_t* b, const ptrdiff_t* b_strides, int8_t* y, const ptrdiff_t* y_strides,
                              const octk_qs8_mul_params* p);
typedef void (*tk_qs8_lookup_fn)(const int8_t* x, size_t count, const int8_t* table, int8_t* y);
typedef void (*tk_qs8_quantize_f32_fn)(const float* x, size_t count, float scale, int32_t zero_point, int8_t* y);
typedef void (*tk_qs8_quantize_u8_fn)(const uint8_t* x, size_t count, int32_t input_zero_point,
                                      int32_t output_zero_point, float scale, int8_t* y);
typedef void (*tk_qs8_dequantize_fn)(const int8_t* x, size_t count, float scale, int32_t zero_point, float* y);
typedef void (*tk_qs8_requantize_fn)(const int8_t* x, size_t count, int32_t input_zero_point,
                                     int32_t output_zero_point, float scale, int8_t* y);

// ---- views (as in test_f32_strided.c) ---------------------------------------------------

typedef struct {
  ptrdiff_t stride[OCTK_MAX_RANK];
  ptrdiff_t base;
  size_t size;
} view;

static void make_view(tk_rng* r, int rank, const ptrdiff_t* shape, unsigned bcast, view* v) {
  int order[OCTK_MAX_RANK];
  for (int d = 0; d < rank; ++d) order[d] = d;
  if (tk_rng_chance(r, 1, 3))
    for (int d = rank - 1; d > 0; --d) {
      const int j = tk_rng_int(r, 0, d), tmp = order[d];
      order[d] = order[j];
      order[j] = tmp;
    }
  const int gaps = tk_rng_chance(r, 1, 4);
  ptrdiff_t running = 1;
  for (int i = rank - 1; i >= 0; --i) {
    const int d = order[i];
    if (bcast >> d & 1) {
      v->stride[d] = 0;
      continue;
    }
    v->stride[d] = running;
    running = running * shape[d] + (gaps ? tk_rng_int(r, 0, 3) : 0);
  }
  v->base = 0;
  if (tk_rng_chance(r, 1, 4))
    for (int d = 0; d < rank; ++d)
      if (v->stride[d] != 0 && tk_rng_chance(r, 1, 2)) {
        v->base += (shape[d] - 1) * v->stride[d];
        v->stride[d] = -v->stride[d];
      }
  v->size = (size_t)running;
}

static ptrdiff_t offset_of(int rank, const ptrdiff_t* shape, const view* v, size_t lin) {
  ptrdiff_t off = v->base;
  for (int d = rank - 1; d >= 0; --d) {
    const size_t n = (size_t)shape[d];
    off += (ptrdiff_t)(lin % n) * v->stride[d];
    lin /= n;
  }
  return off;
}

static size_t strides_str(int rank, const view* v, char* buf, size_t size) {
  size_t len = (size_t)snprintf(buf, size, "(");
  for (int d = 0; d < rank && len < size; ++d) len += (size_t)snprintf(buf + len, size - len, "%s%td", d ? "," : "", v->stride[d]);
  if (len < size) len += (size_t)snprintf(buf + len, size - len, ")@%td", v->base);
  return len;
}

enum { PAT_FULL, PAT_B_SCALAR, PAT_A_SCALAR, PAT_B_LAST_AXIS, PAT_B_COLUMN, PAT_RANDOM, PAT_COUNT };
static const char* const kPatternNames[PAT_COUNT] = {"full", "b scalar", "a scalar", "b per-channel(last axis)",
                                                     "b column(last axis bcast)", "random masks"};

typedef struct {
  int rank, pattern, in_place;
  ptrdiff_t shape[OCTK_MAX_RANK];
  view va, vb, vy;
  size_t total;
} binary_geom;

static void random_geom(tk_rng* r, int rank, int pattern, binary_geom* g) {
  memset(g, 0, sizeof *g);
  g->rank = rank;
  g->pattern = pattern;
  const int maxdim = rank <= 2 ? 9 : (rank <= 4 ? 5 : 3);
  for (int d = 0; d < rank; ++d) g->shape[d] = tk_rng_int(r, 1, maxdim);
  if (rank > 0 && tk_rng_chance(r, 1, 3)) g->shape[rank - 1] = tk_rng_int(r, 1, 40);
  const unsigned all = rank ? (1u << rank) - 1 : 0, last = rank ? 1u << (rank - 1) : 0;
  unsigned ma = 0, mb = 0;
  switch (pattern) {
    case PAT_B_SCALAR: mb = all; break;
    case PAT_A_SCALAR: ma = all; break;
    case PAT_B_LAST_AXIS: mb = all & ~last; break;
    case PAT_B_COLUMN: mb = last; break;
    case PAT_RANDOM:
      for (int d = 0; d < rank; ++d) {
        ma |= (unsigned)tk_rng_chance(r, 1, 3) << d;
        mb |= (unsigned)tk_rng_chance(r, 1, 3) << d;
      }
      break;
    default: break;
  }
  // A broadcast axis of extent 1 is a plain axis: make it wider so broadcasting is exercised.
  for (int d = 0; d < rank; ++d)
    if (((ma | mb) >> d & 1) && g->shape[d] == 1) g->shape[d] = tk_rng_int(r, 2, 4);
  make_view(r, rank, g->shape, ma, &g->va);
  make_view(r, rank, g->shape, mb, &g->vb);
  g->in_place = ma == 0 && tk_rng_chance(r, 1, 4);
  if (g->in_place) g->vy = g->va;
  else make_view(r, rank, g->shape, 0, &g->vy);
  g->total = 1;
  for (int d = 0; d < rank; ++d) g->total *= (size_t)g->shape[d];
}

static const char* geom_str(const binary_geom* g, char* buf, size_t size) {
  size_t len = (size_t)snprintf(buf, size, "rank %d %s%s shape [", g->rank, kPatternNames[g->pattern],
                                g->in_place ? " in-place(y=a)" : "");
  for (int d = 0; d < g->rank && len < size; ++d) len += (size_t)snprintf(buf + len, size - len, "%s%td", d ? "," : "", g->shape[d]);
  if (len < size) len += (size_t)snprintf(buf + len, size - len, "] a ");
  if (len < size) len += strides_str(g->rank, &g->va, buf + len, size - len);
  if (len < size) len += (size_t)snprintf(buf + len, size - len, " b ");
  if (len < size) len += strides_str(g->rank, &g->vb, buf + len, size - len);
  if (len < size) len += (size_t)snprintf(buf + len, size - len, " y ");
  if (len < size) strides_str(g->rank, &g->vy, buf + len, size - len);
  return buf;
}

/// Operand buffers for a binary check; y == a when in place. Returns the buffers.
static void binary_buffers(tk_ctx* t, const binary_geom* g, int8_t** a, int8_t** b, int8_t** y, int8_t** a_copy,
                           int8_t** want) {
  tk_rng* r = tk_rand(t);
  *a = tk_s8_alloc(t, g->va.size);
  *b = tk_s8_alloc(t, g->vb.size);
  *y = g->in_place ? *a : tk_s8_alloc(t, g->vy.size);
  tk_s8_fill(r, *a, g->va.size, -128, 127);
  tk_s8_fill(r, *b, g->vb.size, -128, 127);
  if (!g->in_place) tk_s8_fill(r, *y, g->vy.size, -128, 127);
  *a_copy = tk_alloc(t, g->va.size);
  memcpy(*a_copy, *a, g->va.size);
  *want = tk_alloc(t, g->vy.size);
  memcpy(*want, *y, g->vy.size);
}

// ---- add -------------------------------------------------------------------------------

static void one_add(tk_ctx* t, tk_qs8_add_fn fn, int rank, int pattern) {
  tk_rng* r = tk_rand(t);
  binary_geom g;
  random_geom(r, rank, pattern, &g);
  octk_qs8_add_params p;
  const char* kind;
  const int cancelling = tk_qs8_random_add_params(r, &p, &kind) == 3;  // 3: large, nearly cancelling scales
  char gs[600];
  tk_describe(t, "%s z %d %d %d scales %a %a clamp [%d, %d] (%s)", geom_str(&g, gs, sizeof gs), p.a_zero_point,
              p.b_zero_point, p.output_zero_point, (double)p.a_scale, (double)p.b_scale, p.lo, p.hi, kind);
  int8_t *a, *b, *y, *a0, *want;
  binary_buffers(t, &g, &a, &b, &y, &a0, &want);
  if (cancelling)  // b − z_b ≈ −(a − z_a) for most elements (a broadcast b takes the last one)
    for (size_t lin = 0; lin < g.total; ++lin)
      if (tk_rng_chance(r, 3, 4))
        b[offset_of(rank, g.shape, &g.vb, lin)] = tk_qs8_add_cancelling_b(r, a0[offset_of(rank, g.shape, &g.va, lin)], &p);
  for (size_t lin = 0; lin < g.total; ++lin) {
    const int8_t av = a0[offset_of(rank, g.shape, &g.va, lin)], bv = b[offset_of(rank, g.shape, &g.vb, lin)];
    want[offset_of(rank, g.shape, &g.vy, lin)] = tk_ref_add(av, bv, &p);
  }
  fn(rank, g.shape, a + g.va.base, g.va.stride, b + g.vb.base, g.vb.stride, y + g.vy.base, g.vy.stride, &p);
  tk_s8_end(t, tk_s8_compare(t, "y", y, want, g.vy.size, tk_layout_flat(g.vy.size)));
}

void tk_check_qs8_add(tk_ctx* t, tk_qs8_add_fn fn) {
  for (int rank = 0; rank <= 6; ++rank)
    for (int pat = 0; pat < PAT_COUNT; ++pat)
      for (int i = 0; i < (rank == 0 ? 2 : 10); ++i) one_add(t, fn, rank, pat);
}

// ---- mul -------------------------------------------------------------------------------

static void one_mul(tk_ctx* t, tk_qs8_mul_fn fn, int rank, int pattern) {
  tk_rng* r = tk_rand(t);
  binary_geom g;
  random_geom(r, rank, pattern, &g);
  octk_qs8_mul_params p;
  memset(&p, 0, sizeof p);
  p.a_zero_point = tk_qs8_random_zero_point(r);
  p.b_zero_point = tk_qs8_random_zero_point(r);
  p.output_zero_point = tk_qs8_random_zero_point(r);
  tk_qs8_random_clamp(r, p.output_zero_point, &p.lo, &p.hi);
  const int edge = tk_rng_chance(r, 1, 4);
  // s_a·s_b/s_out: maps the product range (up to 255²) onto roughly ±2^7.
  p.scale = tk_qs8_random_scale(r, exp2(tk_rng_float(r, -11.0f, -5.0f)), edge, 1);
  char gs[600];
  tk_describe(t, "%s z %d %d %d scale %a clamp [%d, %d]%s", geom_str(&g, gs, sizeof gs), p.a_zero_point,
              p.b_zero_point, p.output_zero_point, (double)p.scale, p.lo, p.hi, edge ? " edge" : "");
  int8_t *a, *b, *y, *a0, *want;
  binary_buffers(t, &g, &a, &b, &y, &a0, &want);
  for (size_t lin = 0; lin < g.total; ++lin) {
    const int64_t av = a0[offset_of(rank, g.shape, &g.va, lin)], bv = b[offset_of(rank, g.shape, &g.vb, lin)];
    want[offset_of(rank, g.shape, &g.vy, lin)] = tk_ref_output((av - p.a_zero_point) * (bv - p.b_zero_point), p.scale,
                                                               p.output_zero_point, p.lo, p.hi);
  }
  fn(rank, g.shape, a + g.va.base, g.va.stride, b + g.vb.base, g.vb.stride, y + g.vy.base, g.vy.stride, &p);
  tk_s8_end(t, tk_s8_compare(t, "y", y, want, g.vy.size, tk_layout_flat(g.vy.size)));
}

void tk_check_qs8_mul(tk_ctx* t, tk_qs8_mul_fn fn) {
  for (int rank = 0; rank <= 6; ++rank)
    for (int pat = 0; pat < PAT_COUNT; ++pat)
      for (int i = 0; i < (rank == 0 ? 2 : 10); ++i) one_mul(t, fn, rank, pat);
}

// ---- all 256 int8 values ----------------------------------------------------------------

/// count >= 256 values: every int8 value once (shuffled), then random ones.
static void fill_all_values(tk_rng* r, int8_t* x, size_t count) {
  for (size_t i = 0; i < count; ++i) x[i] = i < 256 ? (int8_t)((int)i - 128) : (int8_t)tk_rng_int(r, -128, 127);
  for (size_t i = (count < 256 ? count : 256); i > 1; --i) {
    const size_t j = (size_t)tk_rng_int(r, 0, (int)i - 1);
    const int8_t tmp = x[i - 1];
    x[i - 1] = x[j];
    x[j] = tmp;
  }
}

static size_t random_count(tk_rng* r, int i) {
  return i == 0 ? 0 : (i < 4 ? (size_t)tk_rng_int(r, 1, 255) : 256 + (size_t)tk_rng_int(r, 0, 300));
}

// ---- lookup ----------------------------------------------------------------------------

void tk_check_qs8_lookup(tk_ctx* t, tk_qs8_lookup_fn fn) {
  tk_rng* r = tk_rand(t);
  for (int i = 0; i < 60; ++i) {
    const size_t count = random_count(r, i);
    const int in_place = i % 3 == 2, table_kind = i % 4;
    tk_describe(t, "count %zu table %s%s", count,
                table_kind == 0 ? "identity" : (table_kind == 1 ? "reversed" : "random"), in_place ? " in place" : "");
    int8_t* table = tk_s8_alloc(t, 256);
    for (int v = 0; v < 256; ++v)
      table[v] = table_kind == 0 ? (int8_t)(v - 128) : (table_kind == 1 ? (int8_t)(127 - v) : (int8_t)tk_rng_int(r, -128, 127));
    int8_t* x = tk_s8_alloc(t, count);
    int8_t* y = in_place ? x : tk_s8_alloc(t, count);
    int8_t* want = tk_alloc(t, count + 1);
    fill_all_values(r, x, count);
    if (!in_place) tk_s8_fill(r, y, count, -128, 127);
    for (size_t k = 0; k < count; ++k) want[k] = table[x[k] + 128];
    fn(x, count, table, y);
    tk_s8_end(t, tk_s8_compare(t, "y", y, want, count, tk_layout_flat(count)));
  }
}

// ---- quantize f32 ----------------------------------------------------------------------

static int8_t clamp_s8(int64_t v) { return (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v)); }

/// round_half_away(x / s) + z, clamped, with the exact quotient (s > 0 finite).
static int8_t ref_quantize(float x, float s, int32_t z) {
  if (isnan(x)) return clamp_s8(z);
  const double ax = fabs((double)x), as = (double)s;
  int64_t n;
  if (ax >= 1100.0 * as) {  // exact product; beyond the clamp for any z in [−128, 127]
    n = 1100;
  } else {
    n = (int64_t)(ax / as);
    while ((double)(n + 1) * as <= ax) ++n;
    while (n > 0 && (double)n * as > ax) --n;
    if (ax >= ((double)n + 0.5) * as) ++n;  // n·s <= |x| < (n+1)·s; (n+½)·s exact
  }
  return clamp_s8((x < 0 ? -n : n) + z);
}

static float random_scale(tk_rng* r, int kind) {
  switch (kind) {
    case 0: return ldexpf(1.0f, tk_rng_int(r, -20, 6));                  // power of two: exact ties
    case 1: return tk_rng_float(r, 1e-4f, 1.0f) * ldexpf(1.0f, tk_rng_int(r, -6, 4));  // random
    case 2: return tk_rng_float(r, 1.0f, 2.0f) * 1e-40f;                  // subnormal scale
    case 3: return tk_rng_float(r, 1.0f, 2.0f) * 1e30f;                   // huge scale
    default: return 1.0f;
  }
}

static float random_quantize_input(tk_rng* r, float s) {
  static const float kSpecials[] = {0.0f, -0.0f, INFINITY, -INFINITY, FLT_MAX, -FLT_MAX, FLT_MIN, -FLT_MIN,
                                    1e-45f, -1e-45f, 1.0f, -1.0f};
  switch (tk_rng_int(r, 0, 9)) {
    case 0: return NAN;
    case 1: return kSpecials[tk_rng_int(r, 0, (int)(sizeof kSpecials / sizeof kSpecials[0]) - 1)];
    case 2: case 3: {  // tie (n + ½)·s (exact for power-of-two scales), or a neighbour
      const float tie = (float)(((double)tk_rng_int(r, -300, 300) + 0.5) * s);
      const int side = tk_rng_int(r, 0, 2);
      return side == 0 ? tie : nextafterf(tie, side == 1 ? INFINITY : -INFINITY);
    }
    case 4: return (float)((double)tk_rng_int(r, -300, 300) * s);  // integers
    default: return tk_rng_float(r, -300.0f, 300.0f) * s;
  }
}

void tk_check_qs8_quantize_f32(tk_ctx* t, tk_qs8_quantize_f32_fn fn) {
  tk_rng* r = tk_rand(t);
  static const char* const kScaleNames[] = {"power of two", "random", "subnormal", "huge", "one"};
  for (int i = 0; i < 120; ++i) {
    const int kind = i % 5;
    const float s = random_scale(r, kind);
    const int32_t z = tk_qs8_random_zero_point(r);
    const size_t count = i % 10 == 9 ? (size_t)tk_rng_int(r, 0, 16) : (size_t)tk_rng_int(r, 200, 1200);
    tk_describe(t, "count %zu scale %a (%s) z %d", count, (double)s, kScaleNames[kind], z);
    float* x = tk_alloc_f32(t, count);
    int8_t* y = tk_s8_alloc(t, count);
    int8_t* want = tk_alloc(t, count + 1);
    for (size_t k = 0; k < count; ++k) x[k] = random_quantize_input(r, s);
    tk_s8_fill(r, y, count, -128, 127);
    for (size_t k = 0; k < count; ++k) want[k] = ref_quantize(x[k], s, z);
    fn(x, count, s, z, y);
    tk_s8_end(t, tk_s8_compare(t, "y", y, want, count, tk_layout_flat(count)));
  }
}

// ---- quantize u8 / requantize ------------------------------------------------------------

static void random_requant_params(tk_rng* r, int32_t* z_in, int32_t* z_out, float* scale, int* edge, int u8) {
  if (u8) {
    switch (tk_rng_int(r, 0, 3)) {
      case 0: *z_in = 0; break;
      case 1: *z_in = 128; break;
      case 2: *z_in = 255; break;
      default: *z_in = tk_rng_int(r, 0, 255); break;
    }
  } else {
    *z_in = tk_qs8_random_zero_point(r);
  }
  *z_out = tk_qs8_random_zero_point(r);
  *edge = tk_rng_chance(r, 1, 4);
  // s_in / s_out in [1/16, 16] (and the generator's ±2 octave jitter).
  *scale = tk_qs8_random_scale(r, exp2(tk_rng_float(r, -4.0f, 4.0f)), *edge, 1);
}

void tk_check_qs8_quantize_u8(tk_ctx* t, tk_qs8_quantize_u8_fn fn) {
  tk_rng* r = tk_rand(t);
  for (int i = 0; i < 80; ++i) {
    int32_t z_in, z_out;
    float scale;
    int edge;
    random_requant_params(r, &z_in, &z_out, &scale, &edge, 1);
    const size_t count = random_count(r, i % 20);
    tk_describe(t, "count %zu z_in %d z_out %d scale %a%s", count, z_in, z_out, (double)scale, edge ? " edge" : "");
    uint8_t* x = (uint8_t*)tk_s8_alloc(t, count);
    int8_t* y = tk_s8_alloc(t, count);
    int8_t* want = tk_alloc(t, count + 1);
    fill_all_values(r, (int8_t*)x, count);
    tk_s8_fill(r, y, count, -128, 127);
    for (size_t k = 0; k < count; ++k) want[k] = tk_ref_output((int64_t)x[k] - z_in, scale, z_out, -128, 127);
    fn(x, count, z_in, z_out, scale, y);
    tk_s8_end(t, tk_s8_compare(t, "y", y, want, count, tk_layout_flat(count)));
  }
}

void tk_check_qs8_requantize(tk_ctx* t, tk_qs8_requantize_fn fn) {
  tk_rng* r = tk_rand(t);
  for (int i = 0; i < 80; ++i) {
    int32_t z_in, z_out;
    float scale;
    int edge;
    random_requant_params(r, &z_in, &z_out, &scale, &edge, 0);
    const size_t count = random_count(r, i % 20);
    const int in_place = i % 3 == 1;
    tk_describe(t, "count %zu z_in %d z_out %d scale %a%s%s", count, z_in, z_out, (double)scale, edge ? " edge" : "",
                in_place ? " in place" : "");
    int8_t* x = tk_s8_alloc(t, count);
    int8_t* y = in_place ? x : tk_s8_alloc(t, count);
    int8_t* want = tk_alloc(t, count + 1);
    fill_all_values(r, x, count);
    if (!in_place) tk_s8_fill(r, y, count, -128, 127);
    for (size_t k = 0; k < count; ++k) want[k] = tk_ref_output((int64_t)x[k] - z_in, scale, z_out, -128, 127);
    fn(x, count, z_in, z_out, scale, y);
    tk_s8_end(t, tk_s8_compare(t, "y", y, want, count, tk_layout_flat(count)));
  }
}

// ---- dequantize ------------------------------------------------------------------------

void tk_check_qs8_dequantize(tk_ctx* t, tk_qs8_dequantize_fn fn) {
  tk_rng* r = tk_rand(t);
  static const char* const kScaleNames[] = {"power of two", "random", "subnormal results", "overflowing to inf", "one"};
  for (int i = 0; i < 60; ++i) {
    const int kind = i % 5;
    float s = random_scale(r, kind);
    if (kind == 2) s = tk_rng_float(r, 1.0f, 2.0f) * 1e-43f;
    if (kind == 3) s = tk_rng_float(r, 1.0f, 3.0f) * 1e37f;  // ·255 overflows for the larger values
    const int32_t z = tk_qs8_random_zero_point(r);
    const size_t count = random_count(r, i % 15);
    tk_describe(t, "count %zu scale %a (%s) z %d", count, (double)s, kScaleNames[kind], z);
    int8_t* x = tk_s8_alloc(t, count);
    float* y = tk_alloc_f32(t, count);
    double* want = tk_alloc_f64(t, count + 1);
    fill_all_values(r, x, count);
    tk_fill(r, y, count, 50.0f, 60.0f);
    for (size_t k = 0; k < count; ++k) want[k] = (double)(float)((double)s * (double)((int32_t)x[k] - z));
    fn(x, count, s, z, y);
    tk_s8_end(t, tk_compare(t, "y", y, want, NULL, count, 0, 0, tk_layout_flat(count)));
  }
}

// ---- reference cases -------------------------------------------------------------------

static void case_add(tk_ctx* t) { tk_check_qs8_add(t, octk_qs8_add_strided__reference); }
static void case_mul(tk_ctx* t) { tk_check_qs8_mul(t, octk_qs8_mul_strided__reference); }
static void case_lookup(tk_ctx* t) { tk_check_qs8_lookup(t, octk_qs8_lookup__reference); }
static void case_quantize_f32(tk_ctx* t) { tk_check_qs8_quantize_f32(t, octk_qs8_quantize_f32__reference); }
static void case_quantize_u8(tk_ctx* t) { tk_check_qs8_quantize_u8(t, octk_qs8_quantize_u8__reference); }
static void case_dequantize(tk_ctx* t) { tk_check_qs8_dequantize(t, octk_qs8_dequantize__reference); }
static void case_requantize(tk_ctx* t) { tk_check_qs8_requantize(t, octk_qs8_requantize__reference); }

static const tk_case kQs8ElementwiseCases[] = {
    {"qs8.add", case_add, 0},
    {"qs8.mul", case_mul, 0},
    {"qs8.lookup", case_lookup, 0},
    {"qs8.quantize_f32", case_quantize_f32, 0},
    {"qs8.quantize_u8", case_quantize_u8, 0},
    {"qs8.dequantize", case_dequantize, 0},
    {"qs8.requantize", case_requantize, 0},
};
TK_REGISTER(kQs8ElementwiseCases)
