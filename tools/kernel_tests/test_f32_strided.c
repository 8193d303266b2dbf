// Strided family (reference/f32_strided.c): strided copy, strided binary op, bias+activation.
//
// Naive references enumerate the index space by a flat counter and decode each multi-index
// with div/mod (the kernels walk it with an odometer and running offsets). Operand views are
// random: permuted axis order, gaps between rows, reversed axes (negative strides, base
// pointer at the far end) and broadcast axes (stride 0). The whole destination buffer is
// compared, so elements the view does not address must keep their prefilled values.
#include <stdio.h>
#include <string.h>

#include "f32_checks.h"

typedef struct {
  ptrdiff_t stride[OCTK_MAX_RANK];
  ptrdiff_t base;  // offset of element (0,…,0) in the buffer
  size_t size;     // buffer elements the view spans
} view;

/// Random layout for `shape`: axes in bit `bcast` get stride 0; the others are laid out
/// densely in a random axis order (identity order half the time), with random row gaps and,
/// if allow_reverse, random reversed axes.
static void make_view(tk_rng* r, int rank, const ptrdiff_t* shape, unsigned bcast, int allow_reverse, view* v) {
  int order[OCTK_MAX_RANK];
  for (int d = 0; d < rank; ++d) order[d] = d;
  if (tk_rng_chance(r, 1, 2))
    for (int d = rank - 1; d > 0; --d) {
      const int j = tk_rng_int(r, 0, d), tmp = order[d];
      order[d] = order[j];
      order[j] = tmp;
    }
  const int gaps = tk_rng_chance(r, 1, 3);
  ptrdiff_t running = 1;
  int empty = 0;
  for (int i = rank - 1; i >= 0; --i) {  // order[rank-1] is the innermost axis
    const int d = order[i];
    if (shape[d] == 0) empty = 1;
    if (bcast >> d & 1) {
      v->stride[d] = 0;
      continue;
    }
    v->stride[d] = running;
    running = running * (shape[d] > 0 ? shape[d] : 1) + (gaps ? tk_rng_int(r, 0, 3) : 0);
  }
  v->base = 0;
  if (allow_reverse && tk_rng_chance(r, 1, 2))
    for (int d = 0; d < rank; ++d)
      if (v->stride[d] != 0 && tk_rng_chance(r, 1, 2)) {
        v->base += (shape[d] - 1) * v->stride[d];
        v->stride[d] = -v->stride[d];
      }
  if (empty) v->base = 0;
  v->size = (size_t)running;
}

static const char* strides_str(int rank, const view* v, char* buf, size_t size) {
  size_t len = (size_t)snprintf(buf, size, "(");
  for (int d = 0; d < rank && len < size; ++d)
    len += (size_t)snprintf(buf + len, size - len, "%s%td", d ? "," : "", v->stride[d]);
  if (len < size) len += (size_t)snprintf(buf + len, size - len, ")@%td", v->base);
  return buf;
}

static const char* shape_str(int rank, const ptrdiff_t* shape, char* buf, size_t size) {
  size_t len = (size_t)snprintf(buf, size, "[");
  for (int d = 0; d < rank && len < size; ++d) len += (size_t)snprintf(buf + len, size - len, "%s%td", d ? "," : "", shape[d]);
  if (len < size) snprintf(buf + len, size - len, "]");
  return buf;
}

static void random_shape(tk_rng* r, int rank, ptrdiff_t* shape) {
  const int maxdim = rank <= 3 ? 7 : (rank <= 5 ? 4 : 2);
  for (int d = 0; d < rank; ++d) shape[d] = tk_rng_int(r, 1, maxdim);
  if (rank > 0 && tk_rng_chance(r, 1, 30)) shape[tk_rng_int(r, 0, rank - 1)] = 0;  // empty tensor
  if (rank > 0 && tk_rng_chance(r, 1, 3)) shape[rank - 1] = tk_rng_int(r, 1, 17);  // remainders
}

static size_t shape_count(int rank, const ptrdiff_t* shape) {
  size_t n = 1;
  for (int d = 0; d < rank; ++d) n *= (size_t)shape[d];
  return n;
}

/// Offset of the lin-th element (row-major over shape) in view v.
static ptrdiff_t offset_of(int rank, const ptrdiff_t* shape, const view* v, size_t lin) {
  ptrdiff_t off = v->base;
  for (int d = rank - 1; d >= 0; --d) {
    const size_t n = (size_t)shape[d];
    off += (ptrdiff_t)(lin % n) * v->stride[d];
    lin /= n;
  }
  return off;
}

// ---- strided copy ----------------------------------------------------------------------

static void one_copy(tk_ctx* t, tk_f32_strided_copy_fn fn, int rank) {
  tk_rng* r = tk_rand(t);
  ptrdiff_t shape[OCTK_MAX_RANK] = {0};
  random_shape(r, rank, shape);
  unsigned bcast = 0;
  if (tk_rng_chance(r, 1, 4))
    for (int d = 0; d < rank; ++d) bcast |= (unsigned)tk_rng_chance(r, 1, 3) << d;
  view vs, vd;
  make_view(r, rank, shape, bcast, 1, &vs);
  make_view(r, rank, shape, 0, 1, &vd);
  char sh[96], ss[160], ds[160];
  tk_describe(t, "rank %d shape %s src strides %s dst strides %s", rank, shape_str(rank, shape, sh, sizeof sh),
              strides_str(rank, &vs, ss, sizeof ss), strides_str(rank, &vd, ds, sizeof ds));

  float* src = tk_alloc_f32(t, vs.size);
  float* dst = tk_alloc_f32(t, vd.size);
  tk_fill(r, src, vs.size, -10.0f, 10.0f);
  tk_fill(r, dst, vd.size, 100.0f, 200.0f);
  double* want = tk_alloc_f64(t, vd.size);
  for (size_t i = 0; i < vd.size; ++i) want[i] = dst[i];
  const size_t total = shape_count(rank, shape);
  for (size_t lin = 0; lin < total; ++lin)
    want[offset_of(rank, shape, &vd, lin)] = src[offset_of(rank, shape, &vs, lin)];

  fn(rank, shape, src + vs.base, vs.stride, dst + vd.base, vd.stride);
  tk_end(t, tk_compare(t, "dst", dst, want, NULL, vd.size, 0, 0, tk_layout_flat(vd.size)));
}

void tk_check_f32_strided_copy(tk_ctx* t, tk_f32_strided_copy_fn fn) {
  for (int rank = 0; rank <= OCTK_MAX_RANK; ++rank) {
    const int reps = rank == 0 ? 3 : (rank <= 4 ? 120 : 40);
    for (int i = 0; i < reps; ++i) one_copy(t, fn, rank);
  }
}

// ---- binary ----------------------------------------------------------------------------

enum { PAT_FULL, PAT_SCALAR, PAT_LAST_AXIS, PAT_AXIS1, PAT_COLUMN, PAT_RANDOM, PAT_COUNT };
static const char* const kPatternNames[PAT_COUNT] = {"full", "scalar", "per-channel(last axis)/row",
                                                     "per-channel(axis 1)", "column(last axis bcast)", "random-mask"};

static unsigned pattern_mask(tk_rng* r, int pattern, int rank) {
  const unsigned all = (1u << rank) - 1;
  switch (pattern) {
    case PAT_SCALAR: return all;
    case PAT_LAST_AXIS: return rank ? all & ~(1u << (rank - 1)) : 0;
    case PAT_AXIS1: return rank >= 2 ? all & ~2u : all;
    case PAT_COLUMN: return rank ? 1u << (rank - 1) : 0;
    case PAT_RANDOM: {
      unsigned m = 0;
      for (int d = 0; d < rank; ++d) m |= (unsigned)tk_rng_chance(r, 1, 2) << d;
      return m;
    }
    default: return 0;
  }
}

static const char* const kOpNames[] = {"add", "sub", "mul", "div", "prelu"};

static double apply_op(octk_binary_op op, float a, float b) {
  switch (op) {
    case OCTK_BINARY_ADD: return (double)a + b;
    case OCTK_BINARY_SUB: return (double)a - b;
    case OCTK_BINARY_MUL: return (double)a * b;
    case OCTK_BINARY_PRELU: return a >= 0.0f ? (double)a : (double)a * b;
    default: return (double)a / b;
  }
}

static void one_binary(tk_ctx* t, tk_f32_binary_fn fn, octk_binary_op op, int rank, int pa, int pb) {
  tk_rng* r = tk_rand(t);
  ptrdiff_t shape[OCTK_MAX_RANK] = {0};
  random_shape(r, rank, shape);
  view va, vb, vo;
  make_view(r, rank, shape, pattern_mask(r, pa, rank), 1, &va);
  make_view(r, rank, shape, pattern_mask(r, pb, rank), 1, &vb);
  const int in_place = pa == PAT_FULL && tk_rng_chance(r, 1, 5);
  if (in_place) vo = va;
  else make_view(r, rank, shape, 0, 1, &vo);
  float lo, hi;
  tk_random_clamp(r, &lo, &hi);
  char sh[96], as[160], bs[160], os[160], cl[64];
  tk_describe(t, "%s rank %d shape %s a %s %s b %s %s out %s%s %s", kOpNames[op], rank,
              shape_str(rank, shape, sh, sizeof sh), kPatternNames[pa], strides_str(rank, &va, as, sizeof as),
              kPatternNames[pb], strides_str(rank, &vb, bs, sizeof bs), in_place ? "in place of a " : "",
              strides_str(rank, &vo, os, sizeof os), tk_clamp_str(lo, hi, cl, sizeof cl));

  float* a = tk_alloc_f32(t, va.size);
  float* b = tk_alloc_f32(t, vb.size);
  float* out = in_place ? a : tk_alloc_f32(t, vo.size);
  tk_fill(r, a, va.size, -4.0f, 4.0f);
  if (op == OCTK_BINARY_DIV) {
    for (size_t i = 0; i < vb.size; ++i) b[i] = tk_rng_float(r, 0.25f, 2.0f) * (tk_rng_chance(r, 1, 2) ? -1.0f : 1.0f);
  } else {
    tk_fill(r, b, vb.size, -4.0f, 4.0f);
  }
  if (!in_place) tk_fill(r, out, vo.size, 100.0f, 200.0f);
  float* a_copy = tk_alloc(t, (va.size ? va.size : 1) * sizeof(float));
  memcpy(a_copy, a, va.size * sizeof(float));
  double* want = tk_alloc_f64(t, vo.size);
  for (size_t i = 0; i < vo.size; ++i) want[i] = out[i];
  if (rank == 0) {
    want[0] = tk_clampd(apply_op(op, a_copy[0], b[0]), lo, hi);
  } else {
    const size_t total = shape_count(rank, shape);
    for (size_t lin = 0; lin < total; ++lin) {
      const double v = apply_op(op, a_copy[offset_of(rank, shape, &va, lin)], b[offset_of(rank, shape, &vb, lin)]);
      want[offset_of(rank, shape, &vo, lin)] = tk_clampd((float)v, lo, hi);
    }
  }

  fn(op, rank, shape, a + va.base, va.stride, b + vb.base, vb.stride, out + vo.base, vo.stride, lo, hi);
  tk_end(t, tk_compare(t, "out", out, want, NULL, vo.size, TK_RTOL, TK_ATOL, tk_layout_flat(vo.size)));
}

void tk_check_f32_binary(tk_ctx* t, tk_f32_binary_fn fn, octk_binary_op op) {
  // Every pair of broadcast patterns at ranks 1..5, plus rank 0 and a few rank-8 ones.
  for (int pa = 0; pa < PAT_COUNT; ++pa)
    for (int pb = 0; pb < PAT_COUNT; ++pb)
      for (int rank = 1; rank <= 5; ++rank) one_binary(t, fn, op, rank, pa, pb);
  for (int i = 0; i < 3; ++i) one_binary(t, fn, op, 0, PAT_FULL, PAT_FULL);
  for (int i = 0; i < 6; ++i) one_binary(t, fn, op, OCTK_MAX_RANK, i % PAT_COUNT, (i + 2) % PAT_COUNT);
}

// ---- bias + activation -----------------------------------------------------------------

static void one_bias_act(tk_ctx* t, tk_f32_bias_act_fn fn, size_t cols) {
  tk_rng* r = tk_rand(t);
  const size_t rows = (size_t)tk_rng_int(r, 0, 9);
  const size_t ld = cols + (tk_rng_chance(r, 1, 2) ? (size_t)tk_rng_int(r, 1, 5) : 0);
  const int has_bias = !tk_rng_chance(r, 1, 4);
  float lo, hi;
  tk_random_clamp(r, &lo, &hi);
  char cl[64];
  tk_describe(t, "rows %zu cols %zu ld %zu bias %s %s", rows, cols, ld, has_bias ? "yes" : "NULL",
              tk_clamp_str(lo, hi, cl, sizeof cl));
  const size_t n = rows * ld;
  float* out = tk_alloc_f32(t, n);
  float* bias = has_bias ? tk_alloc_f32(t, cols) : NULL;
  tk_fill(r, out, n, -8.0f, 8.0f);
  if (bias) tk_fill(r, bias, cols, -2.0f, 2.0f);
  double* want = tk_alloc_f64(t, n);
  for (size_t i = 0; i < n; ++i) {
    const size_t c = i % ld;
    want[i] = c < cols ? tk_clampd((float)((double)out[i] + (bias ? bias[c] : 0.0)), lo, hi) : out[i];
  }
  fn(out, rows, cols, ld, bias, lo, hi);
  tk_end(t, tk_compare(t, "out", out, want, NULL, n, TK_RTOL, TK_ATOL, tk_layout_3(1, rows, ld, "_,r,c")));
}

void tk_check_f32_bias_act(tk_ctx* t, tk_f32_bias_act_fn fn) {
  for (size_t cols = 1; cols <= 17; ++cols)
    for (int i = 0; i < 8; ++i) one_bias_act(t, fn, cols);
  for (int i = 0; i < 60; ++i) one_bias_act(t, fn, (size_t)tk_rng_int(tk_rand(t), 18, 130));
}

// ---- reference cases -------------------------------------------------------------------

static void case_copy(tk_ctx* t) { tk_check_f32_strided_copy(t, octk_f32_strided_copy); }
static void case_add(tk_ctx* t) { tk_check_f32_binary(t, octk_f32_binary_strided, OCTK_BINARY_ADD); }
static void case_sub(tk_ctx* t) { tk_check_f32_binary(t, octk_f32_binary_strided, OCTK_BINARY_SUB); }
static void case_mul(tk_ctx* t) { tk_check_f32_binary(t, octk_f32_binary_strided, OCTK_BINARY_MUL); }
static void case_div(tk_ctx* t) { tk_check_f32_binary(t, octk_f32_binary_strided, OCTK_BINARY_DIV); }
static void case_prelu(tk_ctx* t) { tk_check_f32_binary(t, octk_f32_binary_strided, OCTK_BINARY_PRELU); }
static void case_bias_act(tk_ctx* t) { tk_check_f32_bias_act(t, octk_f32_bias_act); }

static const tk_case kStridedCases[] = {
    {"f32.strided_copy", case_copy, 0},     {"f32.binary_add", case_add, 0}, {"f32.binary_sub", case_sub, 0},
    {"f32.binary_mul", case_mul, 0},        {"f32.binary_div", case_div, 0}, {"f32.binary_prelu", case_prelu, 0}, {"f32.bias_act", case_bias_act, 0},
};
TK_REGISTER(kStridedCases)
