// Fast fp32 kernels of the float path (x86 AVX-512 / AVX2+FMA): convolution as an indirect
// GEMM on packed weights (no im2col copy; 1×1 convs and fully-connected layers are the one-tap
// case) and depthwise convolution, both with the bias and the activation clamp fused.
//
// Numeric contract (the reference is the exact sum; tests allow fp32 rounding):
//   igemm:  y[p][g·og + o] = clamp(bias[g·og+o] + Σ_t Σ_c x_t[g·cg + c]·w[g·og+o][t][c], lo, hi)
//   dwconv: y[p][c]        = clamp(bias[c] + Σ_t x_t[c]·w[t][c], lo, hi)
// where x_t = ind[p·taps + t] is the input row of tap t of output pixel p (a row of zeros for a
// padding tap). Summation order: dwconv: one fp32 accumulator from the bias, FMAs in tap order.
// igemm: the products, in tap order then channel order, are cut into chunks of at most
// OCTK_F32_KC channels (whole taps when cg < OCTK_F32_KC, else runs of one tap's channels);
// each chunk is an FMA chain from 0, and y = (((bias + chunk_0) + chunk_1) + …) — a blocked sum
// (error ~ √KC + √(K/KC) roundings, not √K, for long reductions such as K = 9·512).
// clamp(v) = min(max(v, lo), hi) keeps NaN.
#ifndef OCTK_F32_FAST_H
#define OCTK_F32_FAST_H
#include <stddef.h>
#include <stdint.h>

#include "octk_config.h"
#include "octk_f32.h"
#include "octk_pool.h"

#ifdef __cplusplus
extern "C" {
#endif

// ---- convolution as indirect GEMM ----------------------------------------------------------

/// Channels per summation chunk of the igemm kernels.
#define OCTK_F32_KC 128

/// Conv weights packed for a kernel with `nr` output channels per block (32 for AVX-512, 16
/// for AVX2). Blocks of all groups are numbered gb = g·blocks + b.
typedef struct {
  int groups, taps, cg, og;  // cg / og: input / output channels per group
  int nr, blocks;            // blocks = ceil(og / nr) per group
  const float* weights;      // [groups][blocks][taps][cg][nr], 0 for channels ≥ og
  const float* bias;         // [groups][blocks][nr], 0 past og (or without bias)
} octk_f32_conv_packed;

/// Floats octk_f32_conv_pack writes.
size_t octk_f32_conv_packed_floats(int groups, int taps, int cg, int og, int nr);

/// Packs weight element (o, t, c) — output channel o < groups·og, tap t, channel c < cg of the
/// group — read from w[o·so + t·st + c·sc], and bias[groups·og] (or NULL), into `storage`
/// (64-byte aligned, octk_f32_conv_packed_floats floats).
void octk_f32_conv_pack(const float* w, ptrdiff_t so, ptrdiff_t st, ptrdiff_t sc, const float* bias, int groups, int taps,
                        int cg, int og, int nr, float* storage, octk_f32_conv_packed* out);

/// Indirection buffer: ind[p·taps + ky·kernel_w + kx] = x + iy·row_stride + ix·pixel_stride
/// (floats) for output pixel p = oy·out_w + ox and input position (iy, ix) of the window, or
/// `zero` where that position lies outside [0, in_h) × [0, in_w).
void octk_f32_conv_indirection(const float* x, size_t pixel_stride, size_t row_stride, const octk_window* win,
                               const float* zero, const float** ind);

/// Copy of x[in_h][in_w][channels] with zero columns added: xp[iy][pad_left + ix][c] = x[iy][ix][c],
/// rows of (pad_left + in_w + pad_right)·channels floats. With it a conv of few channels and
/// dilation_w = 1 runs as a kernel_h × 1 conv over kernel_w·channels contiguous floats per tap
/// (weights [o][ky][kx·channels + c]): one indirection entry per kernel row.
void octk_f32_pad_columns(const float* x, int in_h, int in_w, int channels, int pad_left, int pad_right, float* xp);

/// Output pixels [pixel_begin, pixel_end) × packed blocks [block_begin, block_end) of an
/// indirect conv; y rows have groups·og floats. Reads cg floats at ind[…] + g·cg per tap.
typedef void (*octk_f32_igemm_fn)(const octk_f32_conv_packed* p, const float* const* ind, size_t pixel_begin,
                                  size_t pixel_end, size_t block_begin, size_t block_end, float lo, float hi, float* y);

/// 8 pixels × 32 channels per tile (16 zmm accumulators, broadcast FMAs). Needs AVX512F.
void octk_f32_igemm_8x32__avx512(const octk_f32_conv_packed* p, const float* const* ind, size_t pixel_begin,
                                 size_t pixel_end, size_t block_begin, size_t block_end, float lo, float hi, float* y);
/// 6 pixels × 16 channels per tile (12 ymm accumulators). Needs AVX2 + FMA.
void octk_f32_igemm_6x16__avx2(const octk_f32_conv_packed* p, const float* const* ind, size_t pixel_begin,
                               size_t pixel_end, size_t block_begin, size_t block_end, float lo, float hi, float* y);

// ---- depthwise convolution (channel multiplier 1) ------------------------------------------

typedef struct {
  int channels, taps, cpad;  // cpad = channels rounded up to 16
  const float* weights;      // [taps][cpad], 0 past channels
  const float* bias;         // [cpad], 0 past channels (or without bias)
} octk_f32_dwconv_packed;

size_t octk_f32_dwconv_packed_floats(int channels, int taps);
/// Packs w[t·st + c·sc] (tap t, channel c) and bias[channels] (or NULL) into storage (64-byte aligned).
void octk_f32_dwconv_pack(const float* w, ptrdiff_t st, ptrdiff_t sc, const float* bias, int channels, int taps,
                          float* storage, octk_f32_dwconv_packed* out);

/// Output pixels [pixel_begin, pixel_end); y rows have `channels` floats. Reads exactly the
/// channels of each tap row (masked tails).
typedef void (*octk_f32_dwconv_fn)(const octk_f32_dwconv_packed* p, const float* const* ind, size_t pixel_begin,
                                   size_t pixel_end, float lo, float hi, float* y);

void octk_f32_dwconv_16c__avx512(const octk_f32_dwconv_packed* p, const float* const* ind, size_t pixel_begin,
                                 size_t pixel_end, float lo, float hi, float* y);
void octk_f32_dwconv_8c__avx2(const octk_f32_dwconv_packed* p, const float* const* ind, size_t pixel_begin,
                              size_t pixel_end, float lo, float hi, float* y);

// ---- pooling and elementwise ---------------------------------------------------------------

/// Max pool through an indirection buffer whose padding taps point at a row of −∞:
/// y[p][c] = max over taps of ind[p·taps + t][c], reduced as m = (x > m ? x : m) from −∞ in tap
/// order, so a NaN input never wins (as octk_f32_maxpool_nhwc). Output pixels [pixel_begin, pixel_end).
typedef void (*octk_f32_maxpool_fn)(const float* const* ind, int taps, int channels, size_t pixel_begin,
                                    size_t pixel_end, float* y);
void octk_f32_maxpool_16c__avx512(const float* const* ind, int taps, int channels, size_t pixel_begin, size_t pixel_end,
                                  float* y);
void octk_f32_maxpool_8c__avx2(const float* const* ind, int taps, int channels, size_t pixel_begin, size_t pixel_end,
                               float* y);

/// y[i] = clamp(a[i] op b[i], lo, hi) for i < n (add, sub, mul, div: one IEEE operation, as
/// octk_f32_binary_strided; PRELU is not a valid op here).
typedef void (*octk_f32_binary_fn)(octk_binary_op op, size_t n, const float* a, const float* b, float* y, float lo,
                                   float hi);
void octk_f32_binary__avx512(octk_binary_op op, size_t n, const float* a, const float* b, float* y, float lo, float hi);
void octk_f32_binary__avx2(octk_binary_op op, size_t n, const float* a, const float* b, float* y, float lo, float hi);

/// dst[c·dst_ld + r] = src[r·src_ld + c] for r < rows, c < cols (portable C, blocked).
void octk_f32_transpose(size_t rows, size_t cols, const float* src, size_t src_ld, float* dst, size_t dst_ld);

// ---- kernel selection and threaded drivers -------------------------------------------------

/// One float path's kernels (a config row, octk_config.h): the conv kernel's tile (mr pixels ×
/// nr channels), depthwise, max pool and contiguous binary kernels.
typedef struct {
  octk_config_key key;  // path "avx512", "avx2"
  octk_f32_igemm_fn igemm;
  int mr, nr;
  octk_f32_dwconv_fn dwconv;
  octk_f32_maxpool_fn maxpool;
  octk_f32_binary_fn binary;
} octk_f32_fast_path;

/// Every fast float path, fastest first. No reference row: without a path the float executor
/// runs OpenBLAS and the reference kernels.
extern const octk_f32_fast_path octk_f32_fast_paths[];
extern const size_t octk_f32_fast_path_count;
/// Path i (0 ≤ i < octk_f32_fast_path_count).
const octk_f32_fast_path* octk_f32_fast_path_at(int i);

/// The fastest path this CPU runs (name NULL), or the named one if the CPU runs it; NULL if none.
const octk_f32_fast_path* octk_f32_fast_select(const char* name);
/// Runs a whole conv (all pixels, all blocks) on `pool` (NULL = calling thread): work is split
/// over output pixels or over channel blocks, whichever moves less data per thread, and blocks
/// are visited in chunks whose weights fit in L2.
void octk_f32_igemm_run(octk_pool* pool, const octk_f32_fast_path* path, const octk_f32_conv_packed* p,
                        const float* const* ind, size_t pixels, float lo, float hi, float* y);
/// Runs a whole depthwise conv on `pool`, split over output pixels.
void octk_f32_dwconv_run(octk_pool* pool, const octk_f32_fast_path* path, const octk_f32_dwconv_packed* p,
                         const float* const* ind, size_t pixels, float lo, float hi, float* y);
/// Runs a whole max pool on `pool`, split over output pixels.
void octk_f32_maxpool_run(octk_pool* pool, const octk_f32_fast_path* path, const float* const* ind, int taps,
                          int channels, size_t pixels, float* y);
/// Runs a contiguous binary op on `pool`, split into ranges of whole cache lines.
void octk_f32_binary_run(octk_pool* pool, const octk_f32_fast_path* path, octk_binary_op op, size_t n, const float* a,
                         const float* b, float* y, float lo, float hi);

#ifdef __cplusplus
}
#endif
#endif
