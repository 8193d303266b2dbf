// int8 data movement (reference/s8_data_movement.c): strided copy, nearest resize, transpose and
// the sign flip, bit-exact.
//
// Strided copy: the reference enumerates the index space with a flat counter and decodes each
// multi-index by div/mod. Views are random: permuted axis order, row gaps, reversed axes
// (negative strides, base at the far end), broadcast source axes (stride 0), empty axes, ranks
// 0..8. The whole destination buffer is compared, so elements the view does not address must
// keep their prefilled values. Nearest resize: random (also repeated, reversed, out-of-order)
// row/column index tables; the reference reads x[rows[oy]][cols[ox]][c] directly.
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "octk_jobs.h"

// Shared helpers (test_qs8_requantize.c).
int8_t* tk_s8_alloc(tk_ctx* t, size_t n);
int tk_s8_end(tk_ctx* t, int ok);
void tk_s8_fill(tk_rng* r, int8_t* p, size_t n, int lo, int hi);
int tk_s8_compare(tk_ctx* t, const char* what, const int8_t* got, const int8_t* want, size_t n, tk_layout layout);

typedef void (*tk_s8_strided_copy_fn)(int rank, const ptrdiff_t* shape, const int8_t* src,
                                      const ptrdiff_t* src_strides, int8_t* dst, const ptrdiff_t* dst_strides);
typedef void (*tk_s8_resize_nearest_fn)(const int8_t* x, int in_w, int channels, int out_h, int out_w,
                                        const int32_t* rows, const int32_t* cols, int8_t* y);

typedef struct {
  ptrdiff_t stride[OCTK_MAX_RANK];
  ptrdiff_t base;  // offset of element (0,…,0) in the buffer
  size_t size;     // buffer elements the view spans
} view;

static void make_view(tk_rng* r, int rank, const ptrdiff_t* shape, unsigned bcast, view* v) {
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
  for (int i = rank - 1; i >= 0; --i) {
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
  if (tk_rng_chance(r, 1, 2))
    for (int d = 0; d < rank; ++d)
      if (v->stride[d] != 0 && tk_rng_chance(r, 1, 2)) {
        v->base += (shape[d] - 1) * v->stride[d];
        v->stride[d] = -v->stride[d];
      }
  if (empty) v->base = 0;
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

static const char* view_str(int rank, const ptrdiff_t* shape, const view* s, const view* d, char* buf, size_t size) {
  size_t len = (size_t)snprintf(buf, size, "shape [");
  for (int i = 0; i < rank && len < size; ++i) len += (size_t)snprintf(buf + len, size - len, "%s%td", i ? "," : "", shape[i]);
  if (len < size) len += (size_t)snprintf(buf + len, size - len, "] src strides (");
  for (int i = 0; i < rank && len < size; ++i) len += (size_t)snprintf(buf + len, size - len, "%s%td", i ? "," : "", s->stride[i]);
  if (len < size) len += (size_t)snprintf(buf + len, size - len, ")@%td dst strides (", s->base);
  for (int i = 0; i < rank && len < size; ++i) len += (size_t)snprintf(buf + len, size - len, "%s%td", i ? "," : "", d->stride[i]);
  if (len < size) snprintf(buf + len, size - len, ")@%td", d->base);
  return buf;
}

// ---- strided copy ----------------------------------------------------------------------

static void one_copy(tk_ctx* t, tk_s8_strided_copy_fn fn, int rank) {
  tk_rng* r = tk_rand(t);
  ptrdiff_t shape[OCTK_MAX_RANK] = {0};
  const int maxdim = rank <= 3 ? 7 : (rank <= 5 ? 4 : 2);
  for (int d = 0; d < rank; ++d) shape[d] = tk_rng_int(r, 1, maxdim);
  if (rank > 0 && tk_rng_chance(r, 1, 30)) shape[tk_rng_int(r, 0, rank - 1)] = 0;  // empty tensor
  if (rank > 0 && tk_rng_chance(r, 1, 3)) shape[rank - 1] = tk_rng_int(r, 1, 67);  // long rows, remainders
  unsigned bcast = 0;
  if (tk_rng_chance(r, 1, 4))
    for (int d = 0; d < rank; ++d) bcast |= (unsigned)tk_rng_chance(r, 1, 3) << d;
  view vs, vd;
  make_view(r, rank, shape, bcast, &vs);
  make_view(r, rank, shape, 0, &vd);
  char desc[400];
  tk_describe(t, "rank %d %s", rank, view_str(rank, shape, &vs, &vd, desc, sizeof desc));

  int8_t* src = tk_s8_alloc(t, vs.size);
  int8_t* dst = tk_s8_alloc(t, vd.size);
  int8_t* want = tk_alloc(t, vd.size);
  tk_s8_fill(r, src, vs.size, -128, 127);
  tk_s8_fill(r, dst, vd.size, -128, 127);
  memcpy(want, dst, vd.size);
  size_t total = 1;
  for (int d = 0; d < rank; ++d) total *= (size_t)shape[d];
  for (size_t lin = 0; lin < total; ++lin) want[offset_of(rank, shape, &vd, lin)] = src[offset_of(rank, shape, &vs, lin)];
  fn(rank, shape, src + vs.base, vs.stride, dst + vd.base, vd.stride);
  tk_s8_end(t, tk_s8_compare(t, "dst", dst, want, vd.size, tk_layout_flat(vd.size)));
}

void tk_check_s8_strided_copy(tk_ctx* t, tk_s8_strided_copy_fn fn) {
  for (int rank = 0; rank <= OCTK_MAX_RANK; ++rank) {
    const int reps = rank == 0 ? 3 : (rank <= 4 ? 120 : 40);
    for (int i = 0; i < reps; ++i) one_copy(t, fn, rank);
  }
}

// ---- nearest resize --------------------------------------------------------------------

static void one_resize(tk_ctx* t, tk_s8_resize_nearest_fn fn, int channels) {
  tk_rng* r = tk_rand(t);
  const int in_h = tk_rng_int(r, 1, 9), in_w = tk_rng_int(r, 1, 9);
  const int out_h = tk_rng_int(r, 1, 13), out_w = tk_rng_int(r, 1, 13);
  const int mode = tk_rng_int(r, 0, 2);  // 0 upsampling-like, 1 downsampling-like, 2 arbitrary
  int32_t* rows = tk_alloc(t, sizeof(int32_t) * (size_t)out_h);
  int32_t* cols = tk_alloc(t, sizeof(int32_t) * (size_t)out_w);
  for (int i = 0; i < out_h; ++i)
    rows[i] = mode == 2 ? tk_rng_int(r, 0, in_h - 1) : (int32_t)((int64_t)i * in_h / out_h);
  for (int i = 0; i < out_w; ++i)
    cols[i] = mode == 2 ? tk_rng_int(r, 0, in_w - 1) : (int32_t)((int64_t)i * in_w / out_w);
  tk_describe(t, "channels %d in %dx%d out %dx%d %s indices", channels, in_h, in_w, out_h, out_w,
              mode == 2 ? "random" : "monotone");
  const size_t xn = (size_t)in_h * in_w * channels, yn = (size_t)out_h * out_w * channels;
  int8_t* x = tk_s8_alloc(t, xn);
  int8_t* y = tk_s8_alloc(t, yn);
  int8_t* want = tk_alloc(t, yn);
  tk_s8_fill(r, x, xn, -128, 127);
  tk_s8_fill(r, y, yn, -128, 127);
  for (int oy = 0; oy < out_h; ++oy)
    for (int ox = 0; ox < out_w; ++ox)
      for (int c = 0; c < channels; ++c)
        want[((size_t)oy * out_w + ox) * channels + c] = x[((size_t)rows[oy] * in_w + cols[ox]) * channels + c];
  fn(x, in_w, channels, out_h, out_w, rows, cols, y);
  tk_s8_end(t, tk_s8_compare(t, "y", y, want, yn, tk_layout_3((size_t)out_h, (size_t)out_w, (size_t)channels, "oy,ox,c")));
}

void tk_check_s8_resize_nearest(tk_ctx* t, tk_s8_resize_nearest_fn fn) {
  tk_rng* r = tk_rand(t);
  for (int c = 1; c <= 17; ++c)
    for (int i = 0; i < 8; ++i) one_resize(t, fn, c);
  for (int i = 0; i < 20; ++i) one_resize(t, fn, tk_rng_int(r, 18, 70));
}

// 2-D transpose per batch against the naive index formula, over tile remainders (64) and thin
// shapes (rows = 3 channels of an NCHW image).
static void one_transpose(tk_ctx* t) {
  tk_rng* r = tk_rand(t);
  const size_t batches = (size_t)tk_rng_int(r, 1, 3);
  const size_t rows = (size_t)(tk_rng_chance(r, 1, 3) ? tk_rng_int(r, 1, 4) : tk_rng_int(r, 1, 150));
  const size_t cols = (size_t)(tk_rng_chance(r, 1, 3) ? tk_rng_int(r, 1, 4) : tk_rng_int(r, 1, 150));
  tk_describe(t, "transpose %zu × [%zu][%zu]", batches, rows, cols);
  const size_t n = batches * rows * cols;
  int8_t* x = tk_s8_alloc(t, n);
  int8_t* y = tk_s8_alloc(t, n);
  int8_t* want = tk_s8_alloc(t, n);
  tk_s8_fill(r, x, n, -128, 127);
  tk_s8_fill(r, y, n, -128, 127);
  for (size_t b = 0; b < batches; ++b)
    for (size_t i = 0; i < rows; ++i)
      for (size_t j = 0; j < cols; ++j) want[(b * cols + j) * rows + i] = x[(b * rows + i) * cols + j];
  octk_s8_transpose_2d(batches, rows, cols, x, y);
  int ok = tk_s8_compare(t, "y", y, want, n, tk_layout_flat(n));
  // The pool's job form on two column ranges (first image): the same bytes.
  const size_t split = (size_t)tk_rng_int(r, 0, (int)cols);
  tk_s8_fill(r, y, n, -128, 127);
  octk_s8_transpose_job job = {rows, cols, x, y};
  octk_s8_transpose_job_run(&job, split, cols);
  octk_s8_transpose_job_run(&job, 0, split);
  ok = ok && tk_s8_compare(t, "y (split)", y, want, rows * cols, tk_layout_flat(rows * cols));
  tk_s8_end(t, ok);
}

// Sign flip to offset binary against y = x + 128 formed in int arithmetic (so an xor typo such
// as ^ 0x7f or a missed tail fails): every length through two 64-byte steps (the 64-, 16- and
// 1-byte loops and their joins), then random ones; out of place, in place, and as the pool's
// job on two ranges; bytes after the count stay untouched.
static void one_flip(tk_ctx* t, size_t n) {
  tk_rng* r = tk_rand(t);
  tk_describe(t, "flip_sign n=%zu", n);
  int8_t* x = tk_s8_alloc(t, n + 8);
  int8_t* y = tk_s8_alloc(t, n + 8);
  int8_t* want = tk_s8_alloc(t, n + 8);
  tk_s8_fill(r, x, n + 8, -128, 127);
  tk_s8_fill(r, y, n + 8, -128, 127);
  memcpy(want + n, y + n, 8);
  for (size_t i = 0; i < n; ++i) want[i] = (int8_t)(uint8_t)((int)x[i] + 128);
  octk_s8_flip_sign(n, x, y);
  int ok = tk_s8_compare(t, "y", y, want, n + 8, tk_layout_flat(n + 8));
  memcpy(want + n, x + n, 8);
  const size_t split = (size_t)tk_rng_int(r, 0, (int)n);
  octk_s8_flip_job job = {x, x};
  octk_s8_flip_job_run(&job, split, n);
  octk_s8_flip_job_run(&job, 0, split);
  ok = ok && tk_s8_compare(t, "x (in place, split)", x, want, n + 8, tk_layout_flat(n + 8));
  tk_s8_end(t, ok);
}

// ---- reference cases -------------------------------------------------------------------

static void case_flip(tk_ctx* t) {
  for (size_t n = 0; n <= 144; ++n) one_flip(t, n);
  for (int i = 0; i < 20; ++i) one_flip(t, (size_t)tk_rng_int(tk_rand(t), 41, 5000));
}

static void case_transpose(tk_ctx* t) {
  for (int i = 0; i < 200; ++i) one_transpose(t);
}

static void case_copy(tk_ctx* t) { tk_check_s8_strided_copy(t, octk_s8_strided_copy); }
static void case_resize(tk_ctx* t) { tk_check_s8_resize_nearest(t, octk_s8_resize_nearest_nhwc); }

static const tk_case kS8MoveCases[] = {
    {"s8.strided_copy", case_copy, 0},
    {"s8.resize_nearest", case_resize, 0},
    {"s8.transpose_2d", case_transpose, 0},
    {"s8.flip_sign", case_flip, 0},
};
TK_REGISTER(kS8MoveCases)
